#!/usr/bin/env bash
# Takes the side-by-side screenshots README.md shows (web/screenshots/): Flowgate's console
# and Prefect's own UI, on one real Prefect server with the demo's paused runs. Uses dist/ (run
# scripts/build-console.sh first for the release build).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/bootstrap.sh > /dev/null
[ -f dist/index.html ] || scripts/build-console.sh
state=$(mktemp -d)
trap '.venv/bin/python scripts/harness/prefect_harness.py stop "$state" > /dev/null' EXIT
.venv/bin/python scripts/harness/prefect_harness.py start "$state" --showcase > /dev/null
node scripts/screenshots.mjs "$state/harness.json"
