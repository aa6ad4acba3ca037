#!/usr/bin/env bash
# Benchmarks rules: from a run's pause to its notify rule's message at a webhook (a sink on
# loopback, through a custom-webhook block), p50/p95 over FLOWGATE_BENCH_PAUSES (default 30)
# pauses one after another, on Prefect with SQLite and with PostgreSQL (servers with the
# triggers service on, started here and stopped at the end). Budget: 5 s p95.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '==> %s\n' "$*"; }

scripts/bootstrap.sh > /dev/null
[ -f web/package/dist/node/flowgate.mjs ] || scripts/build-package.sh > /dev/null
harness=(.venv/bin/python scripts/harness/prefect_harness.py)
states=(target/bench-rules/sqlite target/bench-rules/postgres)
stop() { for s in "${states[@]}"; do "${harness[@]}" stop "$s" > /dev/null 2>&1 || true; done; }
stop
rm -rf target/bench-rules
trap stop EXIT
say "starting Prefect (SQLite and PostgreSQL) with its triggers service"
"${harness[@]}" start "${states[0]}" --bare --automations > /dev/null &
"${harness[@]}" start "${states[1]}" --bare --automations --database postgres > /dev/null &
wait

printf '\npause -> message at the webhook, %s pauses one after another\n' "${FLOWGATE_BENCH_PAUSES:-30}"
printf '%-12s%9s%9s%9s%9s   %s\n' "" "p50 ms" "p95 ms" "min" "max" "budget 5 s p95"
for s in "${states[@]}"; do
  result=$(node scripts/bench/rules.mjs "$s/harness.json" "${FLOWGATE_BENCH_PAUSES:-30}")
  python3 - "${s##*/}" "$result" <<'PY'
import json, sys
name, r = sys.argv[1], json.loads(sys.argv[2])
print(f"{name:<12}{r['p50']:>9}{r['p95']:>9}{r['min']:>9}{r['max']:>9}   {'met' if r['p95'] <= 5000 else 'NOT met'}")
PY
done
