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
  p=$(grep -oE 'test result: [A-Za-z]+\. [0-9]+ passed' "$out/step.log" | awk '{s += $4} END {print s + 0}')
  f=$(grep -oE '[0-9]+ failed;' "$out/step.log" | awk '{s += $1} END {print s + 0}')
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

harness="target/test-harness"
.venv/bin/python scripts/harness/prefect_harness.py stop "$harness" > /dev/null 2>&1 || true
rm -rf "$harness"
trap '.venv/bin/python scripts/harness/prefect_harness.py stop "$harness"' EXIT
say "starting a real Prefect server with paused runs"
if .venv/bin/python scripts/harness/prefect_harness.py start "$harness" > "$out/harness.json"; then
  tests "real Prefect server: resume fidelity and round trips" \
    env FLOWGATE_HARNESS="$PWD/$harness/harness.json" FLOWGATE_ORACLE_CORPUS="$corpus" \
    cargo test -p flowgate-core --test real_server -- --ignored --nocapture
else
  failed=$((failed + 1)); failures+=("Prefect harness")
fi

tests "wasm tests in headless Chromium" cargo test -p flowgate-core --target wasm32-unknown-unknown

check "console release build (trunk)" trunk build --release
check "console renders in headless Chromium" scripts/smoke-console.sh

say "summary"
if [ ${#failures[@]} -gt 0 ]; then
  printf 'failed: %s\n' "${failures[@]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
