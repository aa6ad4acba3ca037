#!/usr/bin/env bash
# The long fuzzing run (the test command runs the same properties with a small budget): the
# core's parsers and decisions on arbitrary server JSON, schemas and run input (proptest),
# and every export of the npm package called with arbitrary JS values (fast-check) against a
# real Prefect server started here. FLOWGATE_FUZZ_RUNS (default 5,000) sets the budget of
# each; FLOWGATE_FUZZ_SEED picks another seed for the JS side.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${FLOWGATE_FUZZ_RUNS:-5000}
scripts/bootstrap.sh > /dev/null
export PATH="$PWD/web/node_modules/.bin:$PATH"

echo "==> core: parsers and decisions on arbitrary input ($runs cases per property)"
PROPTEST_CASES=$runs cargo test --release -p flowgate-core --features policy-file --test no_panic

echo "==> npm package: every export with arbitrary JS values ($runs runs per argument)"
[ -f web/package/dist/node/flowgate.js ] || scripts/build-package.sh
state=target/fuzz-harness
harness=(.venv/bin/python scripts/harness/prefect_harness.py)
"${harness[@]}" stop "$state" > /dev/null 2>&1 || true
rm -rf "$state"
trap '"${harness[@]}" stop "$state" > /dev/null 2>&1 || true' EXIT
"${harness[@]}" start "$state" --bare > /dev/null
FLOWGATE_FUZZ_RUNS=$runs FLOWGATE_NODE_HARNESS="$PWD/$state/harness.json" \
  NODE_OPTIONS=--experimental-websocket node --test web/tests/fuzz/
