#!/usr/bin/env bash
# Runs the Flowgate console at http://127.0.0.1:8080/ (FLOWGATE_PORT to change it).
#
# With FLOWGATE_PREFECT_API set (e.g. http://127.0.0.1:4200/api) the console's /api is
# proxied to that Prefect server. Without it, a real local Prefect server is started and
# seeded with demo paused runs, and stopped again when the console stops: on Prefect's
# embedded SQLite, or with FLOWGATE_DEMO_DATABASE=postgres on a private PostgreSQL cluster,
# and with FLOWGATE_DEMO_REPLICAS=N (postgres only) as N API replicas with Redis between them;
# FLOWGATE_PREFECT_VERSION=3.4.25 runs that Prefect release instead of 3.9.1 (its own virtual
# environment, made once).
# With FLOWGATE_DEMO_GATE=1 the console runs the whole gate shape instead of `trunk serve`: its
# release build behind Debian's nginx with web/deploy/gate.conf (demo people sign in), and a
# gate with a demo policy in front of the same Prefect (see crates/gate/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '==> %s\n' "$*"; }

scripts/bootstrap.sh
export PATH="$PWD/scripts/tools:$PWD/web/node_modules/.bin:$PATH"

api="${FLOWGATE_PREFECT_API:-}"
state=".flowgate/demo-server"
if [ -z "$api" ]; then
  say "FLOWGATE_PREFECT_API is not set: starting a local Prefect server with demo paused runs"
  .venv/bin/python scripts/harness/prefect_harness.py stop "$state" || true
  rm -rf "$state"
  trap '.venv/bin/python scripts/harness/prefect_harness.py stop "$state"' EXIT
  .venv/bin/python scripts/harness/prefect_harness.py start "$state" --showcase \
    --database "${FLOWGATE_DEMO_DATABASE:-sqlite}" --replicas "${FLOWGATE_DEMO_REPLICAS:-1}" \
    ${FLOWGATE_PREFECT_VERSION:+--prefect "$FLOWGATE_PREFECT_VERSION"} > /dev/null
  api=$(.venv/bin/python -c 'import json, sys; print(json.load(open(sys.argv[1]))["api_url"])' "$state/harness.json")
  say "Prefect server: ${api%/api} (its own UI is there too)"
  .venv/bin/python -c '
import json, sys
record = json.load(open(sys.argv[1]))
print("==> Prefect", record["prefect_version"], "on", record["database"], record.get("postgres_version", ""))
for url in record["api_urls"][1:]:
    print("==> another API replica:", url)' "$state/harness.json"
fi

port="${FLOWGATE_PORT:-8080}"
if [ -n "${FLOWGATE_DEMO_GATE:-}" ]; then
  say "FLOWGATE_DEMO_GATE is set: the console's release build, the gate and nginx"
  scripts/build-console.sh
  cargo build --quiet -p flowgate-gate
  node scripts/demo-gate.mjs "$api" "$port" "$PWD/dist"
  exit
fi
say "console: http://127.0.0.1:$port/  (its /api, websocket included, goes to $api)"
# Two proxies: HTTP for the API, and a websocket one for Prefect's event stream (Trunk's CLI
# proxy is one or the other). Trunk's websocket proxy drops the `prefect` subprotocol; the
# console then falls back to the subprotocol-less socket Prefect accepts from clients when it
# has no auth. With auth, the event stream cannot pass Trunk and the header says "polling
# only"; the pages still refresh every 30 s.
config=.trunk-serve.toml
{
  cat Trunk.toml
  printf '\n# Written by scripts/console.sh for this run.\n'
  printf '[[proxy]]\nbackend = "%s/events/out"\nrewrite = "/api/events/out"\nws = true\n\n' "${api/#http/ws}"
  printf '[[proxy]]\nbackend = "%s/"\nrewrite = "/api/"\n' "${api%/}"
} > "$config"
trunk --config "$config" serve --port "$port"
