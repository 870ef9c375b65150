# Shared settings for the Rasa side environment; sourced by setup.sh, train.sh and serve.sh.
# Rasa Open Source 3.6 runs only on Python < 3.11, so it lives in its own venv outside the
# repository (keeps 2.7 GB away from ruff, mypy and git).
# The first Python 3.8-3.10 that actually runs (pyenv shims exist for versions that are not active).
if [[ -z "${RASA_PYTHON:-}" ]]; then
    for candidate in python3.10 python3.9 python3.8 "$HOME"/.pyenv/versions/3.10*/bin/python; do
        if "$candidate" -c 'import sys; sys.exit(not ((3, 8) <= sys.version_info < (3, 11)))' \
            >/dev/null 2>&1; then
            RASA_PYTHON="$candidate"
            break
        fi
    done
fi
RASA_PYTHON="${RASA_PYTHON:-python3.10}"
RASA_HOME="${RASA_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/marketplace-bot/rasa}"
RASA_VENV="${RASA_VENV:-$RASA_HOME/venv}"
RASA_MODELS="${RASA_MODELS:-$RASA_HOME/models}"
RASA_VERSION="${RASA_VERSION:-3.6.21}"
RASA_PORT="${RASA_PORT:-5005}"
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# the training files: hand-written, generated (python -m nlu.generate) and written by outsiders
# (nlu.dataset.TRAINING_FILES); never heldout*.yml or stranger_*.yml
RASA_DATA="${RASA_DATA:-$REPO_ROOT/nlu/data/nlu.yml $REPO_ROOT/nlu/data/generated.yml $REPO_ROOT/nlu/data/written.yml}"
RASA_CONFIG="${RASA_CONFIG:-$REPO_ROOT/scripts/rasa/config.yml}"
export RASA_TELEMETRY_ENABLED=false
export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-2}"
