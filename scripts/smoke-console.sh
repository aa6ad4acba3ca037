#!/usr/bin/env bash
# Serves the console's release build (dist/) on loopback and checks that headless Chromium
# renders it: proof that wasm-bindgen and wasm-opt produced a working app.
set -euo pipefail
cd "$(dirname "$0")/../dist"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server "$port" --bind 127.0.0.1 > /dev/null 2>&1 &
server=$!
trap 'kill "$server"' EXIT
sleep 1

profile=$(mktemp -d)
dom=$(timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
  --disable-background-networking --disable-component-update --disable-sync --no-first-run \
  --disable-quic --user-data-dir="$profile" --virtual-time-budget=10000 \
  --dump-dom "http://127.0.0.1:$port/" 2>/dev/null)
rm -rf "$profile"
if grep -q "Waiting for you" <<< "$dom"; then
  echo "the console rendered"
else
  echo "the console did not render; DOM was:"; echo "$dom" | head -20
  exit 1
fi
