#!/usr/bin/env bash
# Benchmarks bulk resume on Prefect + PostgreSQL (a private cluster, started here and stopped
# at the end): Flowgate's client through the npm package in Node and in Chromium, at
# concurrency 1, 4, 8 and 16, against Prefect's own Python client (one after another, and
# asyncio at the same concurrency) and bare HTTP POSTs (the server's ceiling), each on
# FLOWGATE_BENCH_RUNS (default 1,000) freshly seeded paused runs. Every bulk is checked run
# by run: exactly one resume in each run's state history. Then the crash case at the same
# size: the server is SIGKILLed a quarter into a bulk and started again (the test command
# runs it at 100 runs). Prints runs per second, p50/p95 latency and the ratio to the ceiling.
# FLOWGATE_BENCH_MODES=sync,async,raw,node,chromium picks which clients run (default all).
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '==> %s\n' "$*"; }

scripts/bootstrap.sh > /dev/null
export PATH="$PWD/web/node_modules/.bin:$HOME/.cargo/bin:$PATH"
runs="${FLOWGATE_BENCH_RUNS:-1000}"
say "npm package build"
scripts/build-package.sh > target/bench-package.log 2>&1 || { tail -20 target/bench-package.log; exit 1; }

harness=(.venv/bin/python scripts/harness/prefect_harness.py)
state=target/bench-bulk
crash=target/bench-bulk-crash
stop() { for dir in "$state" "$crash"; do "${harness[@]}" stop "$dir" > /dev/null 2>&1 || true; done; }
stop
rm -rf "$state" "$crash"
trap stop EXIT
say "starting Prefect on PostgreSQL"
"${harness[@]}" start "$state" --database postgres --bare > /dev/null

say "resuming $runs runs per mode (seeding each batch first)"
result=$(node scripts/bench/bulk.mjs "$state/harness.json" "$runs")
"${harness[@]}" stop "$state" > /dev/null

python3 - "$result" <<'PY'
import json, sys
r = json.loads(sys.argv[1])
rows = r["results"]
bare = [x["perSecond"] for x in rows if x["mode"].startswith("bare")]
ceiling = max(bare) if bare else max(x["perSecond"] for x in rows)
print(f"\n{r['runs']} paused runs per bulk, Prefect 3.9.1 on {r['postgres']}")
print(f"{'client':<28}{'conc':>5}{'runs/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'of ceiling':>12}  outcomes")
for x in rows:
    print(f"{x['mode']:<28}{x['concurrency']:>5}{x['perSecond']:>9.0f}{x['p50']:>9.1f}{x['p95']:>9.1f}"
          f"{x['perSecond'] / ceiling:>11.0%}  {x['statuses']}")
print(f"server ceiling (best bare HTTP rate): {ceiling:.0f}/s; every run of every bulk shows exactly one resume")
PY

say "the crash case at $runs runs: SIGKILL a quarter into the bulk, start again, finish"
"${harness[@]}" start "$crash" --database postgres --bare --bulk "$runs" > /dev/null
FLOWGATE_CRASH_HARNESS="$PWD/$crash/harness.json" node --test web/tests/crash/
