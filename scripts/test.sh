#!/usr/bin/env bash
# Runs every Flowgate check and test: formatting, clippy (native and wasm32), the native
# test suites, the differential test against Prefect's validator, the wasm suites in headless
# Chromium, the npm package, the console's release build, and every suite against real
# Prefect servers: on SQLite, and on PostgreSQL (one of them with two API replicas and Redis).
# Ends with the seconds each step took and `N passed, N failed`.
#
# The builds run one after another (they use both cores). The suites against real servers run
# in two lanes side by side, SQLite and PostgreSQL, as they mostly wait on Prefect: each lane
# starts with the core's suites (native, built early) while the wasm builds go on, and goes on
# to the browser suites once the builds are done. Servers start only after clippy: each idle
# Prefect server still costs about 5% of a core.
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/ci/lib.sh
rm -f "$out"/results.* "$out"/lane-*.log "$out"/step.*.log
exec 3>&1

t0=$SECONDS
if scripts/bootstrap.sh; then
  record "bootstrap (installs what is missing)" ok 0 0 $((SECONDS - t0))
else
  failure "bootstrap (installs what is missing)"
  summary; exit 1
fi
export PATH="$PWD/web/node_modules/.bin:$PATH"
export CHROMEDRIVER=${CHROMEDRIVER:-/usr/bin/chromedriver}
export CARGO_TERM_COLOR=never

# Real Prefect servers, started in the background while the builds run: on SQLite, one for
# core's fidelity suite, one for the client's suite (with runs for a bulk resume), a bare one
# with auth enabled, one for the package's tests and one for the console; on PostgreSQL (one
# cluster, a database each), the same again, two API replicas with Redis between them, and a
# server to crash in the middle of a bulk resume.
harness_bin=(.venv/bin/python scripts/harness/prefect_harness.py)
h=target/test-harness
servers=($h/core $h/client $h/auth $h/node $h/console)
pg_servers=($h/pg-core $h/pg-client $h/pg-auth $h/pg-console $h/pg-replicas $h/pg-crash)
stop_servers() {
  for dir in "${servers[@]}" "${pg_servers[@]}" $h/postgres; do
    "${harness_bin[@]}" stop "$dir" > /dev/null 2>&1 || true
  done
}
stop_servers
rm -rf $h
trap stop_servers EXIT
# Stops the servers named, side by side, in the background.
stop_in_background() {
  for dir in "$@"; do "${harness_bin[@]}" stop "$dir" > /dev/null 2>&1 & done
}
start_sqlite() {
  local pids=()
  "${harness_bin[@]}" start "${servers[0]}" > "$out/harness-core.json" & pids+=($!)
  "${harness_bin[@]}" start "${servers[1]}" --bulk 20 > "$out/harness-client.json" & pids+=($!)
  "${harness_bin[@]}" start "${servers[2]}" --bare --auth flow:gate-secret > "$out/harness-auth.json" & pids+=($!)
  "${harness_bin[@]}" start "${servers[3]}" --bulk 5 > "$out/harness-node.json" & pids+=($!)
  "${harness_bin[@]}" start "${servers[4]}" --demo > "$out/harness-console.json" & pids+=($!)
  for pid in "${pids[@]}"; do wait "$pid" || return 1; done
}
start_postgres() {
  "${harness_bin[@]}" start-postgres $h/postgres > "$out/postgres.json" || return 1
  local pids=() pg=(--database postgres --postgres-cluster $h/postgres)
  "${harness_bin[@]}" start "${pg_servers[0]}" "${pg[@]}" > "$out/harness-pg-core.json" & pids+=($!)
  "${harness_bin[@]}" start "${pg_servers[1]}" "${pg[@]}" --bulk 20 > "$out/harness-pg-client.json" & pids+=($!)
  "${harness_bin[@]}" start "${pg_servers[2]}" "${pg[@]}" --bare --auth flow:gate-secret > "$out/harness-pg-auth.json" & pids+=($!)
  "${harness_bin[@]}" start "${pg_servers[3]}" "${pg[@]}" --demo > "$out/harness-pg-console.json" & pids+=($!)
  "${harness_bin[@]}" start "${pg_servers[4]}" "${pg[@]}" --replicas 2 > "$out/harness-pg-replicas.json" & pids+=($!)
  "${harness_bin[@]}" start "${pg_servers[5]}" "${pg[@]}" --bare --bulk 100 > "$out/harness-pg-crash.json" & pids+=($!)
  for pid in "${pids[@]}"; do wait "$pid" || return 1; done
}
# The builds, and the tests that need no server. Every cargo command builds the whole
# workspace's feature set, so that no step rebuilds a crate another step built.
check "cargo fmt --check" cargo fmt --all -- --check
check "clippy (native)" cargo clippy --workspace --all-targets -- -D warnings
check "clippy (wasm32)" cargo clippy --workspace --all-targets --target wasm32-unknown-unknown -- -D warnings
say "starting real Prefect servers in the background: SQLite, and PostgreSQL"
# Each writes its exit status to a file when done: the lanes, subshells, wait on that.
rm -f "$out"/started-*
# One backend after the other: twelve servers and their flows starting at once, beside a
# build, made a flow's first request time out.
{
  start_sqlite > "$out/start-sqlite.log" 2>&1; echo $? > "$out/started-sqlite"
  start_postgres > "$out/start-postgres.log" 2>&1; echo $? > "$out/started-postgres"
} &
# Waits until the servers of backend $1 (sqlite, postgres) are up; fails if they did not start.
servers_started() {
  until [ -s "$out/started-$1" ]; do sleep 1; done
  [ "$(cat "$out/started-$1")" = 0 ]
}

tests "native tests" cargo test --workspace

# Prefect's own validator is the oracle: it judges generated inputs against schemas of real
# pydantic RunInput models; Flowgate must give the identical verdict on every case.
corpus="$PWD/$out/oracle-corpus.json"
seed="${FLOWGATE_ORACLE_SEED:-20261129}"
say "generating the oracle corpus with prefect's validator (seed $seed)"
if .venv/bin/python scripts/oracle/prefect_oracle.py --cases 2400 --seed "$seed" > "$corpus"; then
  tests "differential test against Prefect's validator" \
    env FLOWGATE_ORACLE_CORPUS="$corpus" \
    cargo test --workspace --test differential -- --ignored --nocapture
else
  failure "oracle corpus"
fi
# The core's real-server suites, built by the native tests above, run from their binaries:
# `cargo test` would wait for the build directory while the wasm builds hold it.
real_server_bins=$(cargo test --workspace --no-run --message-format=json \
  --test real_server --test real_server_reject 2>/dev/null | .venv/bin/python -c '
import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("executable") and "crates/core" in m.get("manifest_path", ""):
        print(m["executable"])')
# Runs the core's real-server suites against the harness directory $2; $1 names the backend.
core_suites() {
  local backend=$1 core=$2
  if [ -z "$real_server_bins" ]; then failure "real Prefect server ($backend): suites not built"; return; fi
  tests "real Prefect server ($backend): resume and reject fidelity, round trips" \
    env -C crates/core FLOWGATE_HARNESS="$PWD/$core/harness.json" FLOWGATE_ORACLE_CORPUS="$corpus" \
    sh -c 'status=0; for bin in "$@"; do "$bin" --ignored --nocapture || status=1; done; exit $status' \
    real-server $real_server_bins
}
# Waits until the builds below are done; fails when one of them failed.
built() {
  until [ -s "$out/built" ]; do sleep 2; done
  [ "$(cat "$out/built")" = ok ]
}
# The client's wasm suite against one backend's client and auth servers. It takes its servers
# at compile time, so the two lanes take turns to build and run it.
client_suite() {
  local backend=$1 client=$2 auth=$3
  tests "the client in headless Chromium against real servers ($backend)" \
    flock "$out/client-wasm.lock" \
    env WASM_BINDGEN_TEST_TIMEOUT=180 FLOWGATE_CLIENT_HARNESS="$(cat "$client/harness.json")" \
    FLOWGATE_AUTH_HARNESS="$(cat "$auth/harness.json")" \
    cargo test -p flowgate-client --target wasm32-unknown-unknown
}
# The console's suites: live updates, end to end (one file at a time: they share the
# server's demo runs), and a server that stops (last: it stops the server).
console_suites() {
  local backend=$1 console=$2
  local harness="$PWD/$console/harness.json"
  tests "console live updates in Chromium against a real server ($backend)" \
    env FLOWGATE_CONSOLE_HARNESS="$harness" node --test web/tests/live/
  tests "console end to end in Chromium (Playwright) against a real server ($backend)" \
    env FLOWGATE_CONSOLE_HARNESS="$harness" node --test --test-concurrency=1 web/tests/e2e/
  tests "the console when its Prefect server stops ($backend)" \
    env FLOWGATE_CONSOLE_HARNESS="$harness" node --test web/tests/stopped/
}

sqlite_lane() {
  servers_started sqlite || { cat "$out/start-sqlite.log"; failure "Prefect harness (SQLite)"; return; }
  core_suites SQLite "${servers[0]}"
  built || { stop_in_background "${servers[@]}"; return; }
  client_suite SQLite "${servers[1]}" "${servers[2]}"
  # Node 20's WebSocket (for watchFlowRuns) is behind a flag.
  tests "npm package: Node and Chromium tests against a real server" \
    env FLOWGATE_NODE_HARNESS="$PWD/${servers[3]}/harness.json" FLOWGATE_ORACLE_CORPUS="$corpus" \
    NODE_OPTIONS=--experimental-websocket node --test web/tests/node/ web/tests/browser/
  tests "npm package: every export called with arbitrary JS values (fast-check), never a trap" \
    env FLOWGATE_NODE_HARNESS="$PWD/${servers[3]}/harness.json" \
    NODE_OPTIONS=--experimental-websocket node --test web/tests/fuzz/
  tests "the READMEs' code blocks: JavaScript run against a real server, commands checked" \
    env FLOWGATE_NODE_HARNESS="$PWD/${servers[3]}/harness.json" node --test web/tests/readme/
  stop_in_background "${servers[@]:0:4}"
  console_suites SQLite "${servers[4]}"
  stop_in_background "${servers[4]}"
  wait
}

postgres_lane() {
  servers_started postgres || { cat "$out/start-postgres.log"; failure "Prefect harness (PostgreSQL)"; return; }
  core_suites PostgreSQL "${pg_servers[0]}"
  built || { stop_in_background "${pg_servers[@]}"; return; }
  client_suite PostgreSQL "${pg_servers[1]}" "${pg_servers[2]}"
  stop_in_background "${pg_servers[@]:0:3}"
  tests "exactly once across a crash: bulk resume while Prefect on PostgreSQL is killed and restarted" \
    env FLOWGATE_CRASH_HARNESS="$PWD/${pg_servers[5]}/harness.json" node --test web/tests/crash/
  tests "the inbox with 1,000 paused runs more (PostgreSQL): exact count, every run reachable" \
    env FLOWGATE_SCALE_HARNESS="$PWD/${pg_servers[5]}/harness.json" node --test web/tests/scale/
  stop_in_background "${pg_servers[5]}"
  console_suites PostgreSQL "${pg_servers[3]}"
  tests "console against two API replicas on PostgreSQL with Redis" \
    env FLOWGATE_REPLICAS_HARNESS="$PWD/${pg_servers[4]}/harness.json" node --test web/tests/replicas/
  wait
}

say "the suites against real servers start in two lanes (their output follows at the end)"
rm -f "$out/built"
run_lane sqlite sqlite_lane; sqlite_pid=$!
run_lane postgres postgres_lane; postgres_pid=$!

# The rest of the builds, and the tests that need no server; the lanes go on when they are done.
tests "wasm tests in headless Chromium (core, the console's form)" \
  cargo test -p flowgate-core -p flowgate-ui --target wasm32-unknown-unknown
check "npm package build (within its 300 KB gzipped budget)" scripts/build-package.sh
package_built=$?
check "TypeScript declarations (tsc --noEmit over a typed example)" \
  tsc -p web/tests/types/tsconfig.json
tests "the packed npm package installed into ESM and CommonJS projects" \
  node --test web/tests/consumers/
check "console release build (trunk; prints its gzipped first load, fails past its ceiling)" scripts/build-console.sh
console_built=$?
check "console renders in headless Chromium" scripts/smoke-console.sh
if [ "$package_built" = 0 ] && [ "$console_built" = 0 ]; then echo ok > "$out/built"; else echo failed > "$out/built"; fi

wait "$sqlite_pid" "$postgres_pid"
for name in sqlite postgres; do
  say "lane $name: its output"
  cat "$out/lane-$name.log"
done
summary
