#!/usr/bin/env bash
# Serve the app with gunicorn (settings in gunicorn.conf.py) and the scheduler beside it.
set -euo pipefail
BIN="${VENV:-.venv}/bin"
export PORT="${PORT:-8000}" WORKERS="${WORKERS:-2}"

"$BIN/telecenter" scheduler &
scheduler_pid=$!
trap 'kill "$scheduler_pid" 2>/dev/null || true' EXIT INT TERM

echo "Telecenter on http://127.0.0.1:${PORT} (Ctrl+C to stop)"
"$BIN/gunicorn" wsgi:app
