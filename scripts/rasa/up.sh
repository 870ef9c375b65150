#!/usr/bin/env bash
# setup + train (when the training files or config.yml changed) + serve in the background, then waits
# until /model/parse answers. Prints the URL to export as RASA_URL. Used by `make rasa` and CI.
set -euo pipefail
here="$(dirname "${BASH_SOURCE[0]}")"
source "$here/env.sh"
bash "$here/setup.sh"
stamp="$RASA_MODELS/nlu-latest.sha256"
# shellcheck disable=SC2086 # RASA_DATA is a list of files
digest="$(cat $RASA_DATA "$RASA_CONFIG" | sha256sum | cut -d' ' -f1)"
url="http://127.0.0.1:$RASA_PORT"
if [[ ! -f "$RASA_MODELS/nlu-latest.tar.gz" ]] || [[ "$(cat "$stamp" 2>/dev/null)" != "$digest" ]]; then
    bash "$here/train.sh"
    echo "$digest" > "$stamp"
    bash "$here/down.sh"  # a server of ours still holds the old model
fi
if ! curl -fsS -X POST "$url/model/parse" -d '{"text":"hi"}' >/dev/null 2>&1; then
    nohup bash "$here/serve.sh" > "$RASA_HOME/serve.log" 2>&1 &
    echo $! > "$RASA_HOME/serve.pid"
    for _ in $(seq 1 300); do
        curl -fsS -X POST "$url/model/parse" -d '{"text":"hi"}' >/dev/null 2>&1 && break
        sleep 1
    done
fi
curl -fsS -X POST "$url/model/parse" -d '{"text":"hi"}' >/dev/null \
    || { echo "Rasa did not come up; see $RASA_HOME/serve.log" >&2; exit 1; }
echo "RASA_URL=$url"
