#!/usr/bin/env bash
# Runs every Flowgate check and test: formatting, clippy (native and wasm32), the native
# test suites, the real-Prefect-server suites (on SQLite and on PostgreSQL, one of them with
# two API replicas and Redis), the wasm suites in headless Chromium, and the console's
# release build rendered in Chromium. Ends with `N passed, N failed`.
set -uo pipefail
cd "$(dirname "$0")/.."

say() { printf '\n==> %s\n' "$*"; }

scripts/bootstrap.sh || { echo "bootstrap failed"; echo "0 passed, 1 failed"; exit 1; }
export PATH="$PWD/web/node_modules/.bin:$PATH"
export CHROMEDRIVER=/usr/bin/chromedriver
export CARGO_TERM_COLOR=never

out="target/test-output"
mkdir -p "$out"
passed=0
failed=0
failures=()

# A check that passes or fails as one.
check() {
  local name=$1; shift
  say "$name"
  if "$@" 2>&1 | tee "$out/step.log"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1)); failures+=("$name")
  fi
}

# A test run whose `test result:` lines are counted test by test.
tests() {
  local name=$1; shift
  say "$name"
  "$@" 2>&1 | tee "$out/step.log"
  local status=${PIPESTATUS[0]}
  local p f
  # cargo's `test result: ok. N passed; M failed;` and node's `# pass N` / `# fail M`.
  p=$(grep -oE 'test result: [A-Za-z]+\. [0-9]+ passed' "$out/step.log" | awk '{s += $4} END {print s + 0}')
  f=$(grep -oE '[0-9]+ failed;' "$out/step.log" | awk '{s += $1} END {print s + 0}')
  p=$((p + $(grep -E '^# pass [0-9]+$' "$out/step.log" | awk '{s += $3} END {print s + 0}')))
  f=$((f + $(grep -E '^# fail [0-9]+$' "$out/step.log" | awk '{s += $3} END {print s + 0}')))
  passed=$((passed + p)); failed=$((failed + f))
  if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
    failed=$((failed + 1))
  fi
  if [ "$status" -ne 0 ]; then failures+=("$name"); fi
}

check "cargo fmt --check" cargo fmt --all -- --check
check "clippy (native)" cargo clippy --workspace --all-targets -- -D warnings
check "clippy (wasm32)" cargo clippy --workspace --all-targets --target wasm32-unknown-unknown -- -D warnings
tests "native tests" cargo test --workspace

# Prefect's own validator is the oracle: it judges generated inputs against schemas of real
# pydantic RunInput models; Flowgate must give the identical verdict on every case.
corpus="$PWD/$out/oracle-corpus.json"
seed="${FLOWGATE_ORACLE_SEED:-20261129}"
say "generating the oracle corpus with prefect's validator (seed $seed)"
if .venv/bin/python scripts/oracle/prefect_oracle.py --cases 2400 --seed "$seed" > "$corpus"; then
  tests "differential test against Prefect's validator" \
    env FLOWGATE_ORACLE_CORPUS="$corpus" \
    cargo test -p flowgate-core --test differential -- --ignored --nocapture
else
  failed=$((failed + 1)); failures+=("oracle corpus")
fi

# Real Prefect servers, started side by side: on SQLite, one for core's fidelity suite, one
# for the client's suite (with runs for a bulk resume), a bare one with auth enabled, one for
# the package's tests and one for the console; on PostgreSQL (one cluster, a database each),
# the same suites again, two API replicas with Redis between them, and a server to crash in
# the middle of a bulk resume.
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
# (core, client, auth, node).
backend_suites() {
  local backend=$1 core=$2 client=$3 auth=$4
  tests "real Prefect server ($backend): resume and reject fidelity, round trips" \
    env FLOWGATE_HARNESS="$PWD/$core/harness.json" FLOWGATE_ORACLE_CORPUS="$corpus" \
    cargo test -p flowgate-core --test real_server --test real_server_reject -- --ignored --nocapture
  tests "the client in headless Chromium against real servers ($backend)" \
    env WASM_BINDGEN_TEST_TIMEOUT=180 FLOWGATE_CLIENT_HARNESS="$(cat "$client/harness.json")" \
    FLOWGATE_AUTH_HARNESS="$(cat "$auth/harness.json")" \
    cargo test -p flowgate-client --target wasm32-unknown-unknown
}

if $harness_ok; then
  backend_suites SQLite "${servers[0]}" "${servers[1]}" "${servers[2]}"
  tests "wasm tests in headless Chromium (core, the console's form)" \
    cargo test -p flowgate-core -p flowgate-ui --target wasm32-unknown-unknown
  check "npm package build (within its 300 KB gzipped budget)" scripts/build-package.sh
  check "TypeScript declarations (tsc --noEmit over a typed example)" \
    web/node_modules/.bin/tsc -p web/tests/types/tsconfig.json
  tests "the packed npm package installed into ESM and CommonJS projects" \
    node --test web/tests/consumers/
  # Node 20's WebSocket (for watchFlowRuns) is behind a flag.
  tests "npm package: Node and Chromium tests against a real server" \
    env FLOWGATE_NODE_HARNESS="$PWD/${servers[3]}/harness.json" FLOWGATE_ORACLE_CORPUS="$corpus" \
    NODE_OPTIONS=--experimental-websocket node --test web/tests/node/ web/tests/browser/
  # Only the console's server is still needed of these; the others would compete with the
  # console's build and its end-to-end run for the two cores.
  stop_in_background "${servers[@]:0:4}"
else
  failed=$((failed + 1)); failures+=("Prefect harness")
fi

check "console release build (trunk)" trunk build --release
check "console renders in headless Chromium" scripts/smoke-console.sh
if $harness_ok; then
  tests "console live updates in Chromium against a real server (SQLite)" \
    env FLOWGATE_CONSOLE_HARNESS="$PWD/${servers[4]}/harness.json" node --test web/tests/live/
  tests "console end to end in Chromium (Playwright) against a real server (SQLite)" \
    env FLOWGATE_CONSOLE_HARNESS="$PWD/${servers[4]}/harness.json" node --test --test-concurrency=1 web/tests/e2e/
  tests "the console when its Prefect server stops (SQLite)" \
    env FLOWGATE_CONSOLE_HARNESS="$PWD/${servers[4]}/harness.json" node --test web/tests/stopped/
  stop_in_background "${servers[4]}"

  say "waiting for the PostgreSQL-backed Prefect servers"
  pg_ok=true
  for pid in "${pg_start_pids[@]}"; do wait "$pid" || pg_ok=false; done
  if $pg_ok; then
    backend_suites PostgreSQL "${pg_servers[0]}" "${pg_servers[1]}" "${pg_servers[2]}"
    stop_in_background "${pg_servers[@]:0:3}"
    tests "exactly once across a crash: bulk resume while Prefect on PostgreSQL is killed and restarted" \
      env FLOWGATE_CRASH_HARNESS="$PWD/${pg_servers[5]}/harness.json" node --test web/tests/crash/
    tests "the inbox with 1,000 paused runs more (PostgreSQL): exact count, every run reachable" \
      env FLOWGATE_SCALE_HARNESS="$PWD/${pg_servers[5]}/harness.json" node --test web/tests/scale/
    stop_in_background "${pg_servers[5]}"
    tests "console live updates in Chromium against a real server (PostgreSQL)" \
      env FLOWGATE_CONSOLE_HARNESS="$PWD/${pg_servers[3]}/harness.json" node --test web/tests/live/
    tests "console end to end in Chromium (Playwright) against a real server (PostgreSQL)" \
      env FLOWGATE_CONSOLE_HARNESS="$PWD/${pg_servers[3]}/harness.json" node --test --test-concurrency=1 web/tests/e2e/
    tests "the console when its Prefect server stops (PostgreSQL)" \
      env FLOWGATE_CONSOLE_HARNESS="$PWD/${pg_servers[3]}/harness.json" node --test web/tests/stopped/
    tests "console against two API replicas on PostgreSQL with Redis" \
      env FLOWGATE_REPLICAS_HARNESS="$PWD/${pg_servers[4]}/harness.json" node --test web/tests/replicas/
  else
    failed=$((failed + 1)); failures+=("Prefect harness (PostgreSQL)")
  fi
fi
wait

say "summary"
if [ ${#failures[@]} -gt 0 ]; then
  printf 'failed: %s\n' "${failures[@]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
