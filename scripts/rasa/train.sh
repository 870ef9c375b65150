#!/usr/bin/env bash
# Trains an NLU-only Rasa model from the training files (RASA_DATA in env.sh) into $RASA_MODELS/nlu-latest.tar.gz.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
[[ -x "$RASA_VENV/bin/rasa" ]] || { echo "run scripts/rasa/setup.sh first" >&2; exit 2; }
mkdir -p "$RASA_MODELS"
workdir="$(mktemp -d)"
trap 'rm -rf "$workdir"' EXIT
mkdir "$workdir/data"
for file in $RASA_DATA; do cp "$file" "$workdir/data/"; done  # only the training files
cd "$workdir"  # rasa writes .rasa/ caches into the working directory
"$RASA_VENV/bin/rasa" train nlu \
    --config "$RASA_CONFIG" \
    --nlu "$workdir/data" \
    --out "$RASA_MODELS" \
    --fixed-model-name nlu-latest
echo "model: $RASA_MODELS/nlu-latest.tar.gz"
