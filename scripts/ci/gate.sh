#!/usr/bin/env bash
# The gate in its deployment shape (web/deploy/gate.conf in Debian's nginx, two gate
# replicas, people signed in from an htpasswd file) against a real Prefect server: its API,
# and the console's release build behind it in Chromium. Builds dist/ first if it is missing.
# Usage: gate.sh [sqlite|postgres]
set -euo pipefail
source "$(dirname "$0")/lib.sh"

case ${1:-postgres} in
  sqlite) server=gate label=SQLite ;;
  postgres) server=pg-gate label=PostgreSQL ;;
  *) echo "usage: $0 [sqlite|postgres]" >&2; exit 2 ;;
esac
cargo build --quiet -p flowgate-gate || { failure "building the gate"; exit 0; }
[ -f dist/index.html ] || scripts/ci/console-build.sh
start_servers $server || { failure "Prefect server for the gate ($label)"; exit 0; }

tests "the gate behind nginx, two replicas, against a real server ($label)" \
  env FLOWGATE_GATE_HARNESS="$(harness_json $server)" node --test --test-concurrency=1 web/tests/gate/
