#!/usr/bin/env bash
# Runs every Flowgate check and test: formatting, clippy (native and wasm32), the native
# test suites, the real-Prefect-server suites, the wasm suites in headless Chromium, and
# the console's release build rendered in Chromium. Ends with `N passed, N failed`.
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

# Real Prefect servers, started side by side: one for core's fidelity suite, one for the
# client's suite (with runs for a bulk resume), and a bare one with auth enabled.
harness_bin=(.venv/bin/python scripts/harness/prefect_harness.py)
servers=(target/test-harness/core target/test-harness/client target/test-harness/auth target/test-harness/node
  target/test-harness/console)
stop_servers() {
  for dir in "${servers[@]}"; do "${harness_bin[@]}" stop "$dir" > /dev/null 2>&1 || true; done
}
stop_servers
rm -rf target/test-harness
trap stop_servers EXIT
say "starting real Prefect servers with paused runs"
"${harness_bin[@]}" start "${servers[0]}" > "$out/harness-core.json" &
core_pid=$!
"${harness_bin[@]}" start "${servers[1]}" --bulk 20 > "$out/harness-client.json" &
client_pid=$!
"${harness_bin[@]}" start "${servers[2]}" --bare --auth flow:gate-secret > "$out/harness-auth.json" &
auth_pid=$!
"${harness_bin[@]}" start "${servers[3]}" --bulk 5 > "$out/harness-node.json" &
node_pid=$!
"${harness_bin[@]}" start "${servers[4]}" --demo > "$out/harness-console.json" &
console_pid=$!
harness_ok=true
for pid in $core_pid $client_pid $auth_pid $node_pid $console_pid; do wait "$pid" || harness_ok=false; done

if $harness_ok; then
  tests "real Prefect server: resume fidelity and round trips" \
    env FLOWGATE_HARNESS="$PWD/${servers[0]}/harness.json" FLOWGATE_ORACLE_CORPUS="$corpus" \
    cargo test -p flowgate-core --test real_server -- --ignored --nocapture
  tests "wasm tests in headless Chromium (core, the client against real servers, the console's form)" \
    env FLOWGATE_CLIENT_HARNESS="$(cat "${servers[1]}/harness.json")" \
    FLOWGATE_AUTH_HARNESS="$(cat "${servers[2]}/harness.json")" \
    cargo test -p flowgate-core -p flowgate-client -p flowgate-ui --target wasm32-unknown-unknown
  check "npm package build (within its 300 KB gzipped budget)" scripts/build-package.sh
  check "TypeScript declarations (tsc --noEmit over a typed example)" \
    web/node_modules/.bin/tsc -p web/tests/types/tsconfig.json
  tests "npm package: Node and Chromium tests against a real server" \
    env FLOWGATE_NODE_HARNESS="$PWD/${servers[3]}/harness.json" FLOWGATE_ORACLE_CORPUS="$corpus" \
    node --test web/tests/node/ web/tests/browser/
  # Only the console's server is still needed; the others would compete with the console's
  # build and its end-to-end run for the two cores.
  stoppers=()
  for dir in "${servers[@]:0:4}"; do
    "${harness_bin[@]}" stop "$dir" > /dev/null 2>&1 &
    stoppers+=($!)
  done
else
  failed=$((failed + 1)); failures+=("Prefect harness")
fi

check "console release build (trunk)" trunk build --release
check "console renders in headless Chromium" scripts/smoke-console.sh
if $harness_ok; then
  wait "${stoppers[@]}" || true
  tests "console end to end in Chromium (Playwright) against a real server" \
    env FLOWGATE_CONSOLE_HARNESS="$PWD/${servers[4]}/harness.json" node --test web/tests/e2e/
fi

say "summary"
if [ ${#failures[@]} -gt 0 ]; then
  printf 'failed: %s\n' "${failures[@]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
