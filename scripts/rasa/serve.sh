#!/usr/bin/env bash
# Serves the trained model on 127.0.0.1:$RASA_PORT (default 5005) with the HTTP API enabled,
# so nlu.backends.RasaBackend can POST /model/parse. Runs in the foreground.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
model="$RASA_MODELS/nlu-latest.tar.gz"
[[ -f "$model" ]] || { echo "no model at $model: run scripts/rasa/train.sh first" >&2; exit 2; }
cd "$RASA_HOME"
exec "$RASA_VENV/bin/rasa" run \
    --enable-api \
    --interface 127.0.0.1 \
    --port "$RASA_PORT" \
    --model "$model"
