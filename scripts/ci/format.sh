#!/usr/bin/env bash
# Formatting: rustfmt over the whole workspace.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

check "cargo fmt --check" cargo fmt --all -- --check
