#!/usr/bin/env bash
# Runs every Flowgate check and test, step by step (each step is a script in scripts/ci/ that
# also runs alone): formatting, clippy (native and wasm32), the native tests, the differential
# test against Prefect's validator, the wasm tests in headless Chromium, the npm package, the
# console's release build, and every suite against real Prefect servers: on SQLite, and on
# PostgreSQL (one of them with two API replicas and Redis), the gate behind nginx, and rules
# as Prefect automations (servers with Prefect's triggers service on), and the harness itself. Ends
# with the seconds each step took and `N passed, N failed`.
#
# The order is about the two cores. Every build comes first, with no server running: an idle
# Prefect server still takes about a tenth of a core (its service loops), and eleven of them
# beside the builds made the whole run half again as long. The SQLite servers start while the
# console's release build runs (its link-time optimisation uses one core), the PostgreSQL ones
# while the first SQLite suites run (not beside the console's live suite, whose poll timing
# their start disturbed); the PostgreSQL fidelity and client suites run beside the npm
# package's; and each server is stopped as soon as no step needs it.
set -uo pipefail
export FLOWGATE_CI_NESTED=1
source "$(dirname "$0")/ci/lib.sh"
rm -f "$out/results"

t0=$SECONDS
if scripts/bootstrap.sh; then
  record "bootstrap (installs what is missing)" ok 0 0 $((SECONDS - t0))
else
  failure "bootstrap (installs what is missing)"
  summary; exit 1
fi

sqlite=(core client auth oldest node console rules)
postgres=(pg-core pg-client pg-auth pg-console pg-replicas pg-crash pg-gate pg-rules)
stop_all() {
  stop_servers "${sqlite[@]}" "${postgres[@]}"
  wait
  "${harness_bin[@]}" stop $h/postgres > /dev/null 2>&1 || true
}
stop_all
rm -rf $h
trap stop_all EXIT

ci=scripts/ci
$ci/format.sh
$ci/lint.sh
$ci/native.sh
$ci/differential.sh
$ci/wasm.sh
$ci/package.sh build

say "starting real Prefect servers (SQLite) in the background"
start_servers "${sqlite[@]}" > "$out/start-sqlite.log" 2>&1 &
sqlite_start=$!
$ci/console-build.sh
wait $sqlite_start || failure "starting the Prefect servers (SQLite); see $out/start-sqlite.log"
start_notes "$out/start-sqlite.log"

say "starting real Prefect servers (PostgreSQL) in the background"
start_servers "${postgres[@]}" > "$out/start-postgres.log" 2>&1 &
postgres_start=$!
$ci/real-server.sh sqlite
stop_servers core client auth
$ci/rules.sh sqlite
stop_servers rules
wait $postgres_start || failure "starting the Prefect servers (PostgreSQL); see $out/start-postgres.log"
start_notes "$out/start-postgres.log"
# The PostgreSQL fidelity and client suites mostly wait on their servers, and their tests are
# built by now: they run beside the npm package's suites, their output shown when they end.
say "the PostgreSQL fidelity and client suites, then the gate's and the rules', in the background (output: $out/real-server-postgres.log)"
{ $ci/real-server.sh postgres; $ci/gate.sh postgres; $ci/rules.sh postgres; } > "$out/real-server-postgres.log" 2>&1 &
postgres_suites=$!
$ci/package.sh test
stop_servers node
wait $postgres_suites
cat "$out/real-server-postgres.log"
stop_servers pg-core pg-client pg-auth pg-gate pg-rules
$ci/e2e.sh sqlite node
stop_servers console

$ci/e2e.sh postgres nginx
stop_servers pg-console
$ci/postgres.sh
wait
$ci/harness.sh
summary
