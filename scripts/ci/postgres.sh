#!/usr/bin/env bash
# What only the production shape runs, on PostgreSQL: a bulk resume while Prefect is SIGKILLed
# and started again, the inbox with 1,000 more paused runs, and the console against two API
# replicas with Redis between them. Builds dist/ first if it is missing.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

[ -f dist/index.html ] || scripts/ci/console-build.sh
start_servers pg-crash pg-replicas || { failure "Prefect servers (PostgreSQL, crash and replicas)"; exit 0; }

tests "exactly once across a crash: bulk resume while Prefect on PostgreSQL is killed and restarted" \
  env FLOWGATE_CRASH_HARNESS="$(harness_json pg-crash)" node --test web/tests/crash/
tests "the inbox with 1,000 paused runs more (PostgreSQL): exact count, every run reachable" \
  env FLOWGATE_SCALE_HARNESS="$(harness_json pg-crash)" node --test web/tests/scale/
tests "console against two API replicas on PostgreSQL with Redis" \
  env FLOWGATE_REPLICAS_HARNESS="$(harness_json pg-replicas)" node --test web/tests/replicas/
