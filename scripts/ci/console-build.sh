#!/usr/bin/env bash
# The console's release build into dist/ (prints its gzipped first load, fails past its
# ceiling), and a first render of it in headless Chromium.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

check "console release build (trunk; prints its gzipped first load, fails past its ceiling)" scripts/build-console.sh
check "console renders in headless Chromium" scripts/smoke-console.sh
