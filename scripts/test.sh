#!/usr/bin/env bash
# Runs every Flowgate check and test: formatting, clippy (native and wasm32), the native
# test suites, the differential test against Prefect's validator, the wasm suites in headless
# Chromium, the npm package, the console's release build, and every suite against real
# Prefect servers: on SQLite, and on PostgreSQL (one of them with two API replicas and Redis).
# Ends with the seconds each step took and `N passed, N failed`.
#
# One step after another: on 2 cores the builds and the servers (their start, their flows,
# the suites' requests) keep both cores busy, so running suites side by side only made every
# step slower (measured: 55 minutes against 29). The PostgreSQL servers start in the
# background while the SQLite suites run, as those wait on their server most of the time.
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/ci/lib.sh
rm -f "$out/results"

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

check "cargo fmt --check" cargo fmt --all -- --check
check "clippy (native)" cargo clippy --workspace --all-targets -- -D warnings
check "clippy (wasm32)" cargo clippy --workspace --all-targets --target wasm32-unknown-unknown -- -D warnings
# Every cargo command builds the whole workspace's feature set (`--workspace`, choosing tests
# by target), so that no step rebuilds a crate another step built.
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

# Real Prefect servers: on SQLite, one for core's fidelity suite, one for the client's suite
# (with runs for a bulk resume), a bare one with auth enabled, one for the package's tests and
# one for the console; on PostgreSQL (one cluster, a database each), the same suites again,
# two API replicas with Redis between them, and a server to crash in the middle of a bulk
# resume.
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
# Stops the servers named, side by side, in the background; `wait` for them later.
stop_in_background() {
  for dir in "$@"; do "${harness_bin[@]}" stop "$dir" > /dev/null 2>&1 & done
}

say "starting real Prefect servers with paused runs (SQLite), and PostgreSQL"
start_pids=()
"${harness_bin[@]}" start "${servers[0]}" > "$out/harness-core.json" & start_pids+=($!)
"${harness_bin[@]}" start "${servers[1]}" --bulk 20 > "$out/harness-client.json" & start_pids+=($!)
"${harness_bin[@]}" start "${servers[2]}" --bare --auth flow:gate-secret > "$out/harness-auth.json" & start_pids+=($!)
"${harness_bin[@]}" start "${servers[3]}" --bulk 5 > "$out/harness-node.json" & start_pids+=($!)
"${harness_bin[@]}" start "${servers[4]}" --demo > "$out/harness-console.json" & start_pids+=($!)
"${harness_bin[@]}" start-postgres $h/postgres > "$out/postgres.json" & start_pids+=($!)
harness_ok=true
for pid in "${start_pids[@]}"; do wait "$pid" || harness_ok=false; done

# The PostgreSQL-backed servers start while the SQLite suites run.
pg_start_pids=()
pg=(--database postgres --postgres-cluster $h/postgres)
if $harness_ok; then
  "${harness_bin[@]}" start "${pg_servers[0]}" "${pg[@]}" > "$out/harness-pg-core.json" & pg_start_pids+=($!)
  "${harness_bin[@]}" start "${pg_servers[1]}" "${pg[@]}" --bulk 20 > "$out/harness-pg-client.json" & pg_start_pids+=($!)
  "${harness_bin[@]}" start "${pg_servers[2]}" "${pg[@]}" --bare --auth flow:gate-secret > "$out/harness-pg-auth.json" & pg_start_pids+=($!)
  "${harness_bin[@]}" start "${pg_servers[3]}" "${pg[@]}" --demo > "$out/harness-pg-console.json" & pg_start_pids+=($!)
  "${harness_bin[@]}" start "${pg_servers[4]}" "${pg[@]}" --replicas 2 > "$out/harness-pg-replicas.json" & pg_start_pids+=($!)
  "${harness_bin[@]}" start "${pg_servers[5]}" "${pg[@]}" --bare --bulk 100 > "$out/harness-pg-crash.json" & pg_start_pids+=($!)
fi

# The suites that run against one backend; $1 names it, the rest are harness directories
# (core, client, auth).
backend_suites() {
  local backend=$1 core=$2 client=$3 auth=$4
  tests "real Prefect server ($backend): resume and reject fidelity, round trips" \
    env FLOWGATE_HARNESS="$PWD/$core/harness.json" FLOWGATE_ORACLE_CORPUS="$corpus" \
    cargo test --workspace --test real_server --test real_server_reject -- --ignored --nocapture
  tests "the client in headless Chromium against real servers ($backend)" \
    env WASM_BINDGEN_TEST_TIMEOUT=180 FLOWGATE_CLIENT_HARNESS="$(cat "$client/harness.json")" \
    FLOWGATE_AUTH_HARNESS="$(cat "$auth/harness.json")" \
    cargo test --workspace --target wasm32-unknown-unknown --test real_server
}
# The console's suites: live updates, end to end (one file at a time: they share the
# server's demo runs), and a server that stops (last: it stops the server). $3 is how the
# end-to-end suite is served: `node` (a Node server with the deploy configuration's headers)
# or `nginx` (Debian's nginx with web/deploy/nginx.conf).
console_suites() {
  local backend=$1 harness="$PWD/$2/harness.json" via=$3
  tests "console live updates in Chromium against a real server ($backend)" \
    env FLOWGATE_CONSOLE_HARNESS="$harness" node --test web/tests/live/
  tests "console end to end in Chromium (Playwright), served by $via, against a real server ($backend)" \
    env FLOWGATE_CONSOLE_HARNESS="$harness" FLOWGATE_CONSOLE_VIA="$via" \
    node --test --test-concurrency=1 web/tests/e2e/
  tests "the console when its Prefect server stops ($backend)" \
    env FLOWGATE_CONSOLE_HARNESS="$harness" node --test web/tests/stopped/
}

if $harness_ok; then
  backend_suites SQLite "${servers[@]:0:3}"
  tests "wasm tests in headless Chromium (the crates' own tests, core's, the console's form)" \
    cargo test --workspace --target wasm32-unknown-unknown --lib --bins \
    --test models --test python_compat --test replay
  check "npm package build (within its 300 KB gzipped budget)" scripts/build-package.sh
  check "TypeScript declarations (tsc --noEmit over a typed example)" \
    tsc -p web/tests/types/tsconfig.json
  tests "the packed npm package installed into ESM and CommonJS projects" \
    node --test web/tests/consumers/
  # Node 20's WebSocket (for watchFlowRuns) is behind a flag.
  node_harness="$PWD/${servers[3]}/harness.json"
  tests "npm package: Node and Chromium tests against a real server" \
    env FLOWGATE_NODE_HARNESS="$node_harness" FLOWGATE_ORACLE_CORPUS="$corpus" \
    NODE_OPTIONS=--experimental-websocket node --test web/tests/node/ web/tests/browser/
  tests "npm package: every export called with arbitrary JS values (fast-check), never a trap" \
    env FLOWGATE_NODE_HARNESS="$node_harness" \
    NODE_OPTIONS=--experimental-websocket node --test web/tests/fuzz/
  tests "the READMEs' code blocks: JavaScript run against a real server, commands checked" \
    env FLOWGATE_NODE_HARNESS="$node_harness" node --test web/tests/readme/
  # Only the console's server is still needed of these; the others would compete with the
  # console's build and its end-to-end run for the two cores.
  stop_in_background "${servers[@]:0:4}"
else
  failure "Prefect harness (SQLite)"
fi

check "console release build (trunk; prints its gzipped first load, fails past its ceiling)" scripts/build-console.sh
check "console renders in headless Chromium" scripts/smoke-console.sh
if $harness_ok; then
  console_suites SQLite "${servers[4]}" node
  stop_in_background "${servers[4]}"

  say "waiting for the PostgreSQL-backed Prefect servers"
  pg_ok=true
  for pid in "${pg_start_pids[@]}"; do wait "$pid" || pg_ok=false; done
  if $pg_ok; then
    backend_suites PostgreSQL "${pg_servers[@]:0:3}"
    stop_in_background "${pg_servers[@]:0:3}"
    tests "exactly once across a crash: bulk resume while Prefect on PostgreSQL is killed and restarted" \
      env FLOWGATE_CRASH_HARNESS="$PWD/${pg_servers[5]}/harness.json" node --test web/tests/crash/
    tests "the inbox with 1,000 paused runs more (PostgreSQL): exact count, every run reachable" \
      env FLOWGATE_SCALE_HARNESS="$PWD/${pg_servers[5]}/harness.json" node --test web/tests/scale/
    stop_in_background "${pg_servers[5]}"
    console_suites PostgreSQL "${pg_servers[3]}" nginx
    tests "console against two API replicas on PostgreSQL with Redis" \
      env FLOWGATE_REPLICAS_HARNESS="$PWD/${pg_servers[4]}/harness.json" node --test web/tests/replicas/
  else
    failure "Prefect harness (PostgreSQL)"
  fi
fi
wait
summary
