# Sourced by scripts/test.sh: how a step is run, counted and timed.
#
# A step's outcome is one line in "$out/results" (status, passed, failed, seconds, name);
# `summary` adds them up and prints the closing `N passed, N failed`.

out=target/test-output
mkdir -p "$out"

say() { printf '\n==> %s\n' "$*"; }

# Records one finished step and says so.
record() {
  local name=$1 status=$2 p=$3 f=$4 took=$5
  printf '%s\t%s\t%s\t%s\t%s\n' "$status" "$p" "$f" "$took" "$name" >> "$out/results"
  printf '<== %s: %s (%d passed, %d failed, %ds)\n' "$name" "$status" "$p" "$f" "$took"
}

# A check that passes or fails as one.
check() {
  local name=$1; shift
  local t0=$SECONDS
  say "$name"
  if "$@" 2>&1 | tee "$out/step.log"; then
    record "$name" ok 1 0 $((SECONDS - t0))
  else
    record "$name" FAILED 0 1 $((SECONDS - t0))
  fi
}

# A test run whose `test result:` lines are counted test by test.
tests() {
  local name=$1; shift
  local t0=$SECONDS log="$out/step.log"
  say "$name"
  "$@" 2>&1 | tee "$log"
  local status=${PIPESTATUS[0]}
  local p f
  # cargo's `test result: ok. N passed; M failed;` and node's `# pass N` / `# fail M`.
  p=$(grep -oE 'test result: [A-Za-z]+\. [0-9]+ passed' "$log" | awk '{s += $4} END {print s + 0}')
  f=$(grep -oE '[0-9]+ failed;' "$log" | awk '{s += $1} END {print s + 0}')
  p=$((p + $(grep -E '^# pass [0-9]+$' "$log" | awk '{s += $3} END {print s + 0}')))
  f=$((f + $(grep -E '^# fail [0-9]+$' "$log" | awk '{s += $3} END {print s + 0}')))
  # A run that failed without a failed test (it did not build, its runner crashed) is one.
  if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  if [ "$status" -eq 0 ]; then
    record "$name" ok "$p" "$f" $((SECONDS - t0))
  else
    record "$name" FAILED "$p" "$f" $((SECONDS - t0))
  fi
}

# Something that is not a step failed (a server did not start): one failure.
failure() {
  record "$1" FAILED 0 1 0
}

# Every step with its seconds, what failed, and the total.
summary() {
  say "summary (seconds per step)"
  cat "$out/results" | awk -F'\t' '{ printf "%6s  %-6s %s\n", $4, $1, $5 }'
  local failed_steps
  failed_steps=$(cat "$out/results" | awk -F'\t' '$1 != "ok" { print "failed: " $5 }')
  [ -z "$failed_steps" ] || echo "$failed_steps"
  printf 'wall time: %dm %02ds\n' $((SECONDS / 60)) $((SECONDS % 60))
  cat "$out/results" | awk -F'\t' '{ p += $2; f += $3 } END { printf "%d passed, %d failed\n", p, f; exit f > 0 }'
}
