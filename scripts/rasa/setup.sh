#!/usr/bin/env bash
# Creates the Rasa side venv (Python 3.10) once; re-running is cheap when it is already there.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

if [[ -x "$RASA_VENV/bin/rasa" ]] \
    && "$RASA_VENV/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('rasa') != '$RASA_VERSION')"; then
    echo "rasa $RASA_VERSION already installed in $RASA_VENV"
    exit 0
fi
if ! "$RASA_PYTHON" -c 'import sys; sys.exit(not ((3, 8) <= sys.version_info < (3, 11)))' 2>/dev/null; then
    echo "Rasa $RASA_VERSION needs Python 3.8-3.10; set RASA_PYTHON (tried: $RASA_PYTHON)" >&2
    exit 2
fi
mkdir -p "$RASA_HOME"
"$RASA_PYTHON" -m venv "$RASA_VENV"
"$RASA_VENV/bin/python" -m pip install --quiet --upgrade pip
"$RASA_VENV/bin/python" -m pip install --quiet "rasa==$RASA_VERSION"
"$RASA_VENV/bin/rasa" --version
