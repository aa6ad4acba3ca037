#!/usr/bin/env bash
# The workspace's native tests: unit, integration and doc tests (the real-server suites are
# `#[ignore]`d here; real-server.sh runs them).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

# Every cargo command builds the whole workspace's feature set (`--workspace`, choosing tests
# by target), so that no step rebuilds a crate another step built.
tests "native tests" cargo test --workspace
# The gate's binary, for its suite against real servers (scripts/ci/gate.sh).
check "build the gate (flowgate-gate)" cargo build -p flowgate-gate
