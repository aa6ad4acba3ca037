#!/usr/bin/env bash
# Clippy with warnings as errors, every target, natively and for wasm32.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

check "clippy (native)" cargo clippy --workspace --all-targets -- -D warnings
check "clippy (wasm32)" cargo clippy --workspace --all-targets --target wasm32-unknown-unknown -- -D warnings
