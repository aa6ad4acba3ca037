#!/usr/bin/env bash
# The harness the suites stand on: `--bulk 1000` on SQLite (Prefect answers 503 while its
# database is locked; the harness sends those again), a start that fails part-way stops
# what it started, a port taken before Prefect binds it is replaced; `--showcase` (the
# console's demo) seeds real flows that wait for people.
# Starts its own servers and stops them, two files at a time (one core each): the bulk
# seeding's SQLite answers 503 for longer while the showcase's flows start beside it, which
# the harness's 240 s of resending covers (its 52 s did not, in CI).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

tests "the harness: 1,000 paused runs seeded on SQLite; a failed start stops what it started; a taken port replaced; the showcase" \
  node --test --test-concurrency=2 web/tests/harness/
