#!/usr/bin/env bash
# `make demo`: a central (its network of 38 simulated telecenters) and the Pucayacu site, on
# this machine, connected: the site is registered at central with a token, syncs through
# CENTRAL_URL and SYNC_TOKEN, and its first sync is done before the addresses are printed.
# Each keeps its own instance folder, so a second `make demo` is quick and keeps the data.
set -euo pipefail
BIN="${VENV:-.venv}/bin"
SITE_PORT="${SITE_PORT:-8000}"
CENTRAL_PORT="${CENTRAL_PORT:-8001}"
DEMO_DIR="${DEMO_DIR:-$PWD/instance-demo}"
SITE_DIR="$DEMO_DIR/site"
CENTRAL_DIR="$DEMO_DIR/central"
CODE="SM-PUCAYACU-01"
mkdir -p "$SITE_DIR" "$CENTRAL_DIR"

central() { TELECENTER_ROLE=central TELECENTER_INSTANCE="$CENTRAL_DIR" "$BIN/telecenter" "$@"; }

# Quiet steps: their output goes to a log, shown only when a step fails.
quietly() {
    local log="$1"; shift
    "$@" >>"$log" 2>&1 || { tail -20 "$log"; echo "failed: $* (see $log)"; exit 1; }
}

echo "== central in $CENTRAL_DIR"
quietly "$CENTRAL_DIR/setup.log" central init --no-admin
if [ ! -f "$CENTRAL_DIR/.demo-seeded" ]; then
    echo "   computing the network's demo (38 simulated telecenters, under a minute)"
    quietly "$CENTRAL_DIR/setup.log" central seed-demo && touch "$CENTRAL_DIR/.demo-seeded"
fi
# The token is shown once: the demo keeps it in the site's folder for the next runs.
if [ ! -s "$SITE_DIR/demo-sync-token" ]; then
    { central central add-telecenter "$CODE" --name "Telecentro Pucayacu" --region "San Martín" \
        --province Tocache --district Tocache 2>>"$CENTRAL_DIR/setup.log" ||
        central central rotate-token "$CODE" 2>>"$CENTRAL_DIR/setup.log"; } |
        tail -1 >"$SITE_DIR/demo-sync-token"
fi

export TELECENTER_ROLE=site TELECENTER_INSTANCE="$SITE_DIR" TELECENTER_CODE="$CODE"
export TELECENTER_NAME="Telecentro Pucayacu"
export CENTRAL_URL="http://127.0.0.1:$CENTRAL_PORT" SYNC_TOKEN="$(cat "$SITE_DIR/demo-sync-token")"
echo "== site in $SITE_DIR"
quietly "$SITE_DIR/setup.log" "$BIN/telecenter" init --no-admin
if [ ! -f "$SITE_DIR/.demo-seeded" ]; then
    echo "   living two years of Telecentro Pucayacu (under a minute)"
    quietly "$SITE_DIR/setup.log" "$BIN/telecenter" seed-demo && touch "$SITE_DIR/.demo-seeded"
fi

pids=()
stop() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap stop EXIT INT TERM

TELECENTER_ROLE=central TELECENTER_INSTANCE="$CENTRAL_DIR" PORT="$CENTRAL_PORT" \
    "$BIN/gunicorn" wsgi:app >"$CENTRAL_DIR/gunicorn.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
    curl -fsS "http://127.0.0.1:$CENTRAL_PORT/healthz" >/dev/null 2>&1 && break
    sleep 0.2
done
echo "== sync of the site to central"
"$BIN/telecenter" sync 2>>"$SITE_DIR/setup.log"
PORT="$SITE_PORT" "$BIN/gunicorn" wsgi:app >"$SITE_DIR/gunicorn.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
    curl -fsS "http://127.0.0.1:$SITE_PORT/healthz" >/dev/null 2>&1 && break
    sleep 0.2
done

cat <<TEXT

Telecenter demo (Ctrl+C stops both)
  site     http://127.0.0.1:$SITE_PORT   Telecentro Pucayacu ($CODE), synced to central
           admin / demo-admin-2026, capacitador / demo-capacitador-2026,
           resident: DNI 10117410 (or code MAR479), PIN 4821
  central  http://127.0.0.1:$CENTRAL_PORT   38 telecenters of the network and Pucayacu
           central / demo-central-2026 (admin), oficina / demo-oficina-2026 (staff)
  logs     $SITE_DIR/gunicorn.log, $CENTRAL_DIR/gunicorn.log
TEXT
wait -n "${pids[@]}"
