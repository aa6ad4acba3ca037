#!/usr/bin/env bash
# The suites that talk to real Prefect servers on one backend: core's resume and reject
# fidelity (natively), and the client in headless Chromium (one server with basic auth on).
# On SQLite core's fidelity suites also run against the oldest Prefect release in range
# (3.4.25; the releases between are replayed offline from their recordings by core's replay
# test). Usage: real-server.sh [sqlite|postgres]
set -euo pipefail
source "$(dirname "$0")/lib.sh"

case ${1:-sqlite} in
  sqlite) p="" label=SQLite ;;
  postgres) p=pg- label=PostgreSQL ;;
  *) echo "usage: $0 [sqlite|postgres]" >&2; exit 2 ;;
esac
oracle_corpus || { failure "oracle corpus"; exit 0; }
oldest=()
[ -z "$p" ] && oldest=(oldest)
start_servers ${p}core ${p}client ${p}auth "${oldest[@]}" || { failure "Prefect servers ($label)"; exit 0; }

tests "real Prefect server ($label): resume and reject fidelity, round trips" \
  env FLOWGATE_HARNESS="$(harness_json ${p}core)" FLOWGATE_ORACLE_CORPUS="$corpus" \
  cargo test --workspace --test real_server --test real_server_reject -- --ignored --nocapture
if [ -z "$p" ]; then
  tests "real Prefect $OLDEST_PREFECT_VERSION server, the oldest release in range ($label): resume and reject fidelity" \
    env FLOWGATE_HARNESS="$(harness_json oldest)" FLOWGATE_ORACLE_CORPUS="$corpus" \
    cargo test --workspace --test real_server --test real_server_reject -- --ignored --nocapture
  stop_servers oldest
fi
# wasm has no environment at run time: the harness records are compiled in.
tests "the client in headless Chromium against real servers ($label)" \
  env WASM_BINDGEN_TEST_TIMEOUT=180 FLOWGATE_CLIENT_HARNESS="$(cat "$(harness_json ${p}client)")" \
  FLOWGATE_AUTH_HARNESS="$(cat "$(harness_json ${p}auth)")" \
  cargo test --workspace --target wasm32-unknown-unknown --test real_server
