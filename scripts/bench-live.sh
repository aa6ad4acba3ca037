#!/usr/bin/env bash
# Benchmarks the live inbox on Prefect + PostgreSQL (a private cluster, started here and
# stopped at the end), against Prefect's own UI served by the same server: time from a run
# pausing to its row being on the page (p50/p95 over FLOWGATE_BENCH_PAUSES pauses, default
# 20) against how often Prefect's runs page re-reads its list; and the inbox's time to first
# row and JS heap with 10, 1,000 and 10,000 paused runs. Budgets: visible within 2 s at p95;
# first row with 10,000 waiting within 1.5x of the time with 10.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '==> %s\n' "$*"; }

scripts/bootstrap.sh > /dev/null
export PATH="$PWD/scripts/tools:$PWD/web/node_modules/.bin:$HOME/.cargo/bin:$PATH"
say "console release build"
trunk build --release > target/bench-trunk.log 2>&1 || { tail -20 target/bench-trunk.log; exit 1; }

harness=(.venv/bin/python scripts/harness/prefect_harness.py)
state=target/bench-live
"${harness[@]}" stop "$state" > /dev/null 2>&1 || true
rm -rf "$state"
trap '"${harness[@]}" stop "$state" > /dev/null 2>&1 || true' EXIT
say "starting Prefect on PostgreSQL"
"${harness[@]}" start "$state" --database postgres --bare > /dev/null

say "measuring (seeding up to 10,000 paused runs takes a few minutes)"
result=$(node scripts/bench/live.mjs "$state/harness.json" "$PWD/dist" "${FLOWGATE_BENCH_PAUSES:-20}" "${FLOWGATE_BENCH_LOADS:-5}")
echo "$result" > target/bench-live.json

python3 - "$result" <<'PY'
import json, sys
r = json.loads(sys.argv[1])
v = r["visible_ms"]
print()
print(f"pause to visible in the inbox ({r['pauses']} pauses): p50 {v['p50']:.0f} ms, p95 {v['p95']:.0f} ms, max {v['max']:.0f} ms (budget p95 2000 ms: {'met' if v['p95'] <= 2000 else 'MISSED'})")
refresh = r["prefect_ui_refresh_s"]
print(f"Prefect UI's runs page re-reads its list every {refresh:.0f} s (median, {r['prefect_ui_list_reads']} list reads in 65 s): a new pause shows after up to that long"
      if refresh else "Prefect UI's runs page did not re-read its list in 65 s")
print(f"\n{'paused runs':>12}{'first row':>12}{'JS heap':>12}{'DOM nodes':>11}")
for s in r["scale"]:
    heap = f"{s['heap'] / 1e6:>10.1f}MB" if s["heap"] is not None else f"{'?':>12}"
    nodes = f"{s['nodes']:>11.0f}" if s["nodes"] is not None else f"{'?':>11}"
    print(f"{s['paused']:>12}{s['ms']:>10.0f}ms{heap}{nodes}")
base, top = r["scale"][0]["ms"], r["scale"][-1]["ms"]
print(f"first row with {r['scale'][-1]['paused']} waiting: {top / base:.2f}x the time with {r['scale'][0]['paused']} (budget 1.5x: {'met' if top / base <= 1.5 else 'MISSED'})")
PY
