#!/usr/bin/env bash
# The crates' own tests compiled to wasm32 and run in headless Chromium: core's models and
# verdicts, the client's pure parts, the console's form as components.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

tests "wasm tests in headless Chromium (the crates' own tests, core's, the console's form)" \
  cargo test --workspace --target wasm32-unknown-unknown --lib --bins \
  --test models --test python_compat --test replay --test policy
