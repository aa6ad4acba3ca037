# Sourced by every scripts/ci/*.sh step and by scripts/test.sh: how a step is run, counted
# and timed, and the real Prefect servers the steps share.
#
# A step's outcome is one line in "$out/results" (status, passed, failed, seconds, name);
# `summary` adds them up and prints the closing `N passed, N failed`. Run alone, a step
# script installs what is missing, starts the servers it needs, stops them at its end and
# prints its own summary; run by scripts/test.sh (FLOWGATE_CI_NESTED=1) it leaves all that to
# the test command, which starts each server once and stops it as soon as nothing needs it.

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
out=target/test-output
mkdir -p "$out"
# Tools and browsers: today's defaults, each overridable from the environment.
export PATH="$PWD/web/node_modules/.bin:$PATH"
export CHROMEDRIVER=${CHROMEDRIVER:-/usr/bin/chromedriver}
export FLOWGATE_CHROMIUM=${FLOWGATE_CHROMIUM:-/usr/bin/chromium}
# The wasm-bindgen tests' browser: the crates' webdriver.json (for a plain `cargo test`) with
# FLOWGATE_CHROMIUM as its binary, read by wasm-bindgen-test-runner from this variable.
python3 - "$FLOWGATE_CHROMIUM" crates/core/webdriver.json "$out/webdriver.json" <<'PY'
import json, sys
browser, source, target = sys.argv[1:]
config = json.load(open(source))
config["goog:chromeOptions"]["binary"] = browser
json.dump(config, open(target, "w"), indent=2)
PY
export WASM_BINDGEN_TEST_WEBDRIVER_JSON=$PWD/$out/webdriver.json
export CARGO_TERM_COLOR=never

say() { printf '\n==> %s\n' "$*"; }

# A step's output, kept in a file named after it: two steps may run side by side.
step_log() {
  mkdir -p "$out/steps"
  printf '%s/steps/%s.log' "$out" "$(tr -c 'A-Za-z0-9\n' '-' <<< "$1" | cut -c1-100)"
}

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
  if "$@" 2>&1 | tee "$(step_log "$name")"; then
    record "$name" ok 1 0 $((SECONDS - t0))
  else
    record "$name" FAILED 0 1 $((SECONDS - t0))
  fi
}

# A test run whose `test result:` lines are counted test by test.
tests() {
  local name=$1; shift
  local t0=$SECONDS log status p f errexit=${-//[^e]/}
  log=$(step_log "$name")
  say "$name"
  # A failed run (and a count that finds nothing) is recorded, not a reason to stop.
  set +e
  "$@" 2>&1 | tee "$log"
  status=${PIPESTATUS[0]}
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
  if [ -n "$errexit" ]; then set -e; fi
}

# Something that is not a step failed (a server did not start): one failure.
failure() {
  record "$1" FAILED 0 1 0
}

# Every step with its seconds, what failed, and the total; non-zero if anything failed.
summary() {
  say "summary (seconds per step)"
  awk -F'\t' '{ printf "%6s  %-6s %s\n", $4, $1, $5 }' "$out/results"
  awk -F'\t' '$1 != "ok" { print "failed: " $5 }' "$out/results"
  printf 'wall time: %dm %02ds\n' $((SECONDS / 60)) $((SECONDS % 60))
  awk -F'\t' '{ p += $2; f += $3 } END { printf "%d passed, %d failed\n", p, f; exit f > 0 }' "$out/results"
}

# The differential corpus: Prefect's own validator judges generated inputs against schemas of
# real pydantic RunInput models. Generated once per seed and generator; sets $corpus.
oracle_corpus() {
  local seed=${FLOWGATE_ORACLE_SEED:-20261129} generator=scripts/oracle/prefect_oracle.py
  corpus="$PWD/$out/oracle-corpus-$seed-$(sha256sum "$generator" | cut -c1-12).json"
  [ -s "$corpus" ] && return 0
  say "generating the oracle corpus with prefect's validator (seed $seed)"
  .venv/bin/python "$generator" --cases 2400 --seed "$seed" > "$corpus.part" && mv "$corpus.part" "$corpus"
}

# --- Real Prefect servers -------------------------------------------------------------------
# Each has a name and lives in target/test-harness/<name>; `pg-*` servers are databases in one
# PostgreSQL cluster (target/test-harness/postgres).
harness_bin=(.venv/bin/python scripts/harness/prefect_harness.py)
# The oldest Prefect release in range, as bootstrap.sh installs it.
OLDEST_PREFECT_VERSION=$(sed -n 's/^OLDEST_PREFECT_VERSION=//p' scripts/bootstrap.sh)
h=target/test-harness
started_here=()

# The harness flags of a server.
server_flags() {
  local flags
  case ${1#pg-} in
    core) flags="" ;;
    client) flags="--bulk 20" ;;                        # runs for a bulk resume
    auth) flags="--bare --auth flow:gate-secret" ;;     # basic auth on
    node) flags="--bulk 5" ;;                          # the npm package's suites
    console) flags="--demo" ;;                         # the console's demo runs, real flows
    replicas) flags="--replicas 2" ;;                  # two API replicas, Redis between them
    crash) flags="--bare --bulk 100" ;;                # killed during a bulk resume; then scale
    gate) flags="--bare" ;;                            # the gate's suite makes its own runs
    rules) flags="--bare --automations" ;;             # rules: Prefect's triggers service on
    oldest) flags="--prefect $OLDEST_PREFECT_VERSION" ;; # the oldest release in range
    *) echo "no server named $1" >&2; return 1 ;;
  esac
  case $1 in pg-*) flags+=" --database postgres --postgres-cluster $h/postgres" ;; esac
  echo "$flags"
}

# Whether the harness in $1 is running: its first process (a PostgreSQL cluster's postgres)
# is alive.
running() {
  local pid
  [ -f "$1/harness.json" ] || return 1
  pid=$(.venv/bin/python -c 'import json, sys
record = json.load(open(sys.argv[1]))
print((record["pids"] or [record.get("postgres", {}).get("pid", 0)])[0])' "$1/harness.json") || return 1
  kill -0 "$pid" 2> /dev/null
}

# Starts the named servers that are not running yet, side by side; fails if one does not.
start_servers() {
  local name pids=() ok=true
  if [[ " $* " == *" pg-"* ]] && ! running $h/postgres; then
    rm -rf $h/postgres
    "${harness_bin[@]}" start-postgres $h/postgres > /dev/null || return 1
    started_here+=(postgres)
  fi
  for name in "$@"; do
    running "$h/$name" && continue
    start_server "$name" &
    pids+=($!)
    started_here+=("$name")
  done
  for pid in "${pids[@]}"; do wait "$pid" || ok=false; done
  $ok
}

# Starts one server; one that fails (its harness's lines say why, and a failed start stops
# what it started) is started once more, its first attempt's files kept beside it.
start_server() {
  local attempt
  for attempt in 1 2; do
    rm -rf "${h:?}/$1"
    # shellcheck disable=SC2046 # the flags are words
    "${harness_bin[@]}" start "$h/$1" $(server_flags "$1") > "$out/harness-$1.json" && return 0
    [ "$attempt" = 2 ] && return 1
    rm -rf "${h:?}/$1.failed" && mv "$h/$1" "$h/$1.failed"
    echo "[start_servers] $1 did not start (see above, and $h/$1.failed); starting it once more" >&2
  done
}

# What a background start said that the run's output should show: a server started once
# more, a port taken, a flow started again, a start that failed.
start_notes() {
  grep -E "once more|was taken|starting it again|start failed|did not" "$1" || true
}

# Stops the named servers in the background (`wait` for them later).
stop_servers() {
  local name
  for name in "$@"; do "${harness_bin[@]}" stop "$h/$name" > /dev/null 2>&1 & done
}

# The harness.json of a server (start it first with start_servers).
harness_json() {
  echo "$PWD/$h/$1/harness.json"
}

# Run alone, a step installs what is missing first and, at its end, stops what it started and
# prints its summary.
if [ -z "${FLOWGATE_CI_NESTED:-}" ]; then
  rm -f "$out/results"
  scripts/bootstrap.sh > "$out/bootstrap.log" 2>&1 || { cat "$out/bootstrap.log"; exit 1; }
  finish_alone() {
    local status=$?
    if [ ${#started_here[@]} -gt 0 ]; then
      local dirs=() name
      for name in "${started_here[@]}"; do [ "$name" = postgres ] || dirs+=("$name"); done
      stop_servers "${dirs[@]}"
      wait
      [[ " ${started_here[*]} " != *" postgres "* ]] || "${harness_bin[@]}" stop $h/postgres > /dev/null 2>&1
    fi
    if [ -f "$out/results" ]; then summary || exit 1; exit 0; fi
    exit "$status"
  }
  trap finish_alone EXIT
  # What this step runs of the others (a build it needs) reports into its summary.
  export FLOWGATE_CI_NESTED=1
fi
