#!/usr/bin/env bash
# The console's release build into dist/ (prints its gzipped first load, and fails over its
# 400 KB budget or when a run page opened by its link grows), and a first render of it in
# headless Chromium.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

check "console release build (trunk, the run page split off; fails over the 400 KB first-load budget)" scripts/build-console.sh
check "console renders in headless Chromium" scripts/smoke-console.sh
