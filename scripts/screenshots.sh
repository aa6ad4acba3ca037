#!/usr/bin/env bash
# Takes the screenshots the README and docs/ show (web/screenshots/): Flowgate's console and
# Prefect's own UI side by side, on one real Prefect server with the demo's paused runs; and the
# docs' shots of the gate (docs/deciding.md) and of rules (docs/rules.md), from the console
# tests that set up what they show (a two-approval policy and its people; rules, a webhook and
# the engine's record), each on a real server of its own. Uses dist/ (run
# scripts/build-console.sh first for the release build).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/bootstrap.sh > /dev/null
[ -f dist/index.html ] || scripts/build-console.sh
cargo build --quiet -p flowgate-gate

harness=(.venv/bin/python scripts/harness/prefect_harness.py)
showcase=$(mktemp -d) rules=$(mktemp -d) gate=$(mktemp -d)
trap 'for s in "$showcase" "$rules" "$gate"; do "${harness[@]}" stop "$s" > /dev/null 2>&1 || true; done' EXIT
# The three servers start side by side.
"${harness[@]}" start "$showcase" --showcase > "$showcase.log" 2>&1 & started=($!)
"${harness[@]}" start "$rules" --bare --automations > "$rules.log" 2>&1 & started+=($!)
"${harness[@]}" start "$gate" --bare > "$gate.log" 2>&1 & started+=($!)
for pid in "${started[@]}"; do
  wait "$pid" || { cat "$showcase.log" "$rules.log" "$gate.log" >&2; exit 1; }
done

node scripts/screenshots.mjs "$showcase/harness.json"

FLOWGATE_RULES_HARNESS="$rules/harness.json" node --test --test-concurrency=1 web/tests/rules/console.test.mjs
FLOWGATE_GATE_HARNESS="$gate/harness.json" node --test --test-concurrency=1 web/tests/gate/console.test.mjs
# <the test's shot> <the docs' name>
while read -r taken shown; do
  cp "target/test-output/$taken.png" "web/screenshots/$shown.png"
  echo "web/screenshots/$shown.png (from $taken.png)"
done <<'EOF'
rules console-rules
rules-run-page console-run-rules
rules-inbox-rows console-inbox-rules
gate-run-one-of-two console-gate
gate-inbox console-gate-inbox
EOF
