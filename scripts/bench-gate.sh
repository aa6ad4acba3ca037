#!/usr/bin/env bash
# Benchmarks the gate: a decision through it against the same decision straight to Prefect —
# as Flowgate makes it without a gate: the resume, then its decision record, one Prefect event
# (added latency p50/p95; budget: at most 5 ms p95 added on loopback); the bare resume, with no
# record, is printed beside it — and bulk resumes, straight
# at concurrency 4 and through the gate's bulk approval (budget: the gate at 90 % or more of
# the straight rate), on Prefect
# with PostgreSQL (a private cluster, started here and stopped at the end) and the gate's
# release build. FLOWGATE_BENCH_SINGLES (default 200) and FLOWGATE_BENCH_RUNS (default 400)
# set the sizes.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '==> %s\n' "$*"; }

scripts/bootstrap.sh > /dev/null
say "the gate's release build"
cargo build --quiet --release -p flowgate-gate
export FLOWGATE_GATE_BIN="${FLOWGATE_GATE_BIN:-$PWD/target/release/flowgate-gate}"

harness=(.venv/bin/python scripts/harness/prefect_harness.py)
state=target/bench-gate
stop() { "${harness[@]}" stop "$state" > /dev/null 2>&1 || true; }
stop
rm -rf "$state"
trap stop EXIT
say "starting Prefect on ${FLOWGATE_BENCH_DATABASE:-postgres}"
"${harness[@]}" start "$state" --database "${FLOWGATE_BENCH_DATABASE:-postgres}" --bare > /dev/null

say "measuring"
result=$(node scripts/bench/gate.mjs "$state/harness.json" "${FLOWGATE_BENCH_SINGLES:-200}" "${FLOWGATE_BENCH_RUNS:-400}")
python3 - "$result" <<'PY'
import json, sys
r = json.loads(sys.argv[1])
s, b = r["single"], r["bulk"]
print(f"\none decision, one after another ({r['singles']} each way, in turn)")
print(f"{'':<42}{'p50 ms':>9}{'p95 ms':>9}")
print(f"{'a bare resume (no record)':<42}{s['straightP50']:>9.1f}{s['straightP95']:>9.1f}")
print(f"{'straight: the resume and its record':<42}{s['decidedP50']:>9.1f}{s['decidedP95']:>9.1f}")
print(f"{'through the gate (its record included)':<42}{s['gateP50']:>9.1f}{s['gateP95']:>9.1f}")
print(f"{'added by the gate, over straight':<42}{s['addedP50']:>9.1f}{s['addedP95']:>9.1f}   budget: 5 ms p95 -> {'met' if s['addedP95'] <= 5 else 'NOT met'}")
print(f"{'  over a bare resume':<42}{s['overBareP50']:>9.1f}{s['overBareP95']:>9.1f}   (the gate's record and its read of the run)")
print(f"\nbulk resume, {r['bulkRuns']} runs: straight at concurrency 4, through the gate's bulk approval in chunks of 50")
print(f"straight {b['straightRate']:.0f}/s, through the gate {b['gateRate']:.0f}/s: {b['share']:.0%} of straight"
      f"   budget: 90 % -> {'met' if b['share'] >= 0.9 else 'NOT met'}")
PY
