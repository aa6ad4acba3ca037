#!/usr/bin/env bash
# Rules (notify, remind, default on timeout) as Prefect automations, against a real Prefect
# server whose triggers and actions services run: the npm package in Node and the console in
# Chromium, a custom-webhook block posting to a sink on loopback. Builds dist/ and the
# package first if they are missing.
# Usage: rules.sh [sqlite|postgres]
set -euo pipefail
source "$(dirname "$0")/lib.sh"

case ${1:-sqlite} in
  sqlite) server=rules label=SQLite ;;
  postgres) server=pg-rules label=PostgreSQL ;;
  *) echo "usage: $0 [sqlite|postgres]" >&2; exit 2 ;;
esac
[ -f web/package/dist/node/flowgate.js ] || check "npm package build" scripts/build-package.sh
[ -f dist/index.html ] || scripts/ci/console-build.sh
start_servers $server || { failure "Prefect server with automations for the rules ($label)"; exit 0; }

tests "rules as Prefect automations: package and console against a real server ($label)" \
  env FLOWGATE_RULES_HARNESS="$(harness_json $server)" node --test --test-concurrency=1 web/tests/rules/
