#!/usr/bin/env bash
# Stops the server that up.sh started (by its recorded pid only) and waits for the port.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
pidfile="$RASA_HOME/serve.pid"
if [[ -f "$pidfile" ]]; then
    pid="$(cat "$pidfile")"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    rm -f "$pidfile"
fi
