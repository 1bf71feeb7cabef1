#!/usr/bin/env bash
# Serve the app with gunicorn (settings in gunicorn.conf.py); the scheduler runs in a worker.
set -euo pipefail
BIN="${VENV:-.venv}/bin"
export PORT="${PORT:-8000}"  # WORKERS, when set, overrides gunicorn.conf.py's one per core

echo "Telecenter on http://127.0.0.1:${PORT} (Ctrl+C to stop)"
exec "$BIN/gunicorn" wsgi:app
