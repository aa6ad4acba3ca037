#!/usr/bin/env bash
# The harness the suites stand on: `--bulk 1000` on SQLite (Prefect answers 503 while its
# database is locked; the harness sends those again), and a start that fails part-way stops
# what it started; `--showcase` (the console's demo) seeds real flows that wait for people.
# Starts its own servers and stops them.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

tests "the harness: 1,000 paused runs seeded on SQLite; a failed start stops what it started; the showcase" \
  node --test web/tests/harness/
