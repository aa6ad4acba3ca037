#!/usr/bin/env bash
# The console's release build in Chromium against a real Prefect server: live updates, end to
# end (Playwright, under the deploy configuration's Content-Security-Policy), and the server
# stopping underneath it (last: it stops the server). Builds dist/ first if it is missing.
# Usage: e2e.sh [sqlite|postgres] [node|nginx] — the backend, and what serves the console:
# a Node server sending web/deploy's headers, or Debian's nginx with web/deploy/nginx.conf.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

case ${1:-sqlite} in
  sqlite) server=console label=SQLite ;;
  postgres) server=pg-console label=PostgreSQL ;;
  *) echo "usage: $0 [sqlite|postgres] [node|nginx]" >&2; exit 2 ;;
esac
via=${2:-node}
case $via in node|nginx) ;; *) echo "usage: $0 [sqlite|postgres] [node|nginx]" >&2; exit 2 ;; esac
[ -f dist/index.html ] || scripts/ci/console-build.sh
start_servers $server || { failure "Prefect server for the console ($label)"; exit 0; }
harness=$(harness_json $server)

tests "console live updates in Chromium against a real server ($label)" \
  env FLOWGATE_CONSOLE_HARNESS="$harness" node --test web/tests/live/
# One file at a time: they share the server's demo runs.
tests "console end to end in Chromium (Playwright), served by $via, against a real server ($label)" \
  env FLOWGATE_CONSOLE_HARNESS="$harness" FLOWGATE_CONSOLE_VIA="$via" \
  node --test --test-concurrency=1 web/tests/e2e/
tests "the console when its Prefect server stops ($label)" \
  env FLOWGATE_CONSOLE_HARNESS="$harness" node --test web/tests/stopped/
