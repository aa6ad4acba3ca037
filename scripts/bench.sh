#!/usr/bin/env bash
# Benchmarks the run-input verdict (hydrate + preprocess + compile + validate, as for one
# keystroke) on a realistic Prefect RunInput schema: Flowgate natively (criterion), Flowgate
# as wasm in Node, and Prefect's own Python validator, measured in the same run. Prints
# microseconds per check and how many times faster Flowgate is.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '==> %s\n' "$*"; }

scripts/bootstrap.sh > /dev/null
data=crates/core/benches/approval.json
pkg=target/bench-pkg

say "native (criterion)"
cargo bench -p flowgate-core --bench validate -- --warm-up-time 1 --measurement-time 3 "verdict_|cold_" 2>&1 \
  | grep -E "^(verdict|cold)_|time:"

say "wasm in Node"
cargo build -q -p flowgate-wasm --release --target wasm32-unknown-unknown
wasm-bindgen --target nodejs --out-dir "$pkg" target/wasm32-unknown-unknown/release/flowgate_wasm.wasm
web/node_modules/.bin/wasm-opt -Oz "$pkg/flowgate_wasm_bg.wasm" -o "$pkg/flowgate_wasm_bg.wasm"
node_result=$(node scripts/bench/node_validate.mjs "$pkg" "$data")

say "Prefect's Python validator"
python_result=$(.venv/bin/python scripts/bench/prefect_validate.py "$data")

python3 - "$node_result" "$python_result" <<'PY'
import json, sys
node, python = json.loads(sys.argv[1]), json.loads(sys.argv[2])
def native(bench):
    with open(f"target/criterion/{bench}/new/estimates.json") as f:
        return json.load(f)["mean"]["point_estimate"] / 1000

rows = []
for case in ("valid", "invalid"):
    rows.append((f"{case}, new schema", native(f"cold_{case}"), node[f"cold_{case}"], python[case]))
    rows.append((f"{case}, same schema", native(f"verdict_{case}"), node[case], python[case]))
print()
print(f"{'case':<22}{'flowgate native':>17}{'flowgate wasm/node':>21}{'prefect python':>17}{'native x':>10}{'wasm x':>9}")
for label, n, w, p in rows:
    print(f"{label:<22}{n:>14.1f} µs{w:>18.1f} µs{p:>14.1f} µs{p / n:>9.1f}x{p / w:>8.1f}x")
print("\nµs per full check of one input (hydrate, preprocess, validate, best match, message).")
print("'new schema' compiles the schema each time, as Prefect's validator always does;")
print("'same schema' reuses the compiled schema, as a form re-checking on each keystroke does.")
print("'x' = how many times faster than Prefect's validator on the same input.")
PY
