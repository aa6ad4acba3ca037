#!/usr/bin/env bash
# Flowgate's fidelity suites against other Prefect releases: for each version (default: the
# latest patch of each minor from 3.4 to 3.9), its own virtual environment
# (scripts/prefect-venv.sh), a real server started by the harness with real paused runs, and
# core's resume and reject suites (tests/real_server.rs, tests/real_server_reject.rs) with
# the differential corpus, then the differential test on a corpus made by the release's own
# validator. Each prediction that differs from that server is printed, and the
# whole log kept in target/versions/<version>.log. Prints a line per version at the end.
#
# The exchanges are recorded as replay fixtures: crates/core/tests/fixtures/releases/<version>/
# (3.9.1's, the release built for, in crates/core/tests/fixtures/), which core's replay test
# (tests/replay.rs) checks offline, natively and in Chromium, in the test command. Adding a
# Prefect release is this one command, then a review of the fixtures' diff and a line in
# replay.rs's RELEASES.
#
#   scripts/measure-versions.sh                 # 3.4.25 3.5.0 3.6.29 3.7.8 3.8.8 3.9.1
#   scripts/measure-versions.sh 3.8.5 3.8.6     # where a behaviour changed
#
# What the releases differ in is written down in docs/prefect-versions.md.
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/ci/lib.sh > /dev/null

versions=("$@")
[ ${#versions[@]} -gt 0 ] || versions=(3.4.25 3.5.0 3.6.29 3.7.8 3.8.8 3.9.1)
dir=target/versions
mkdir -p "$dir"
oracle_corpus > /dev/null || { echo "the differential corpus could not be generated" >&2; exit 1; }
say "building the fidelity suites"
cargo test -p flowgate-core --no-run --test real_server --test real_server_reject > /dev/null 2>&1 || {
  echo "the suites do not build" >&2; exit 1; }

results=()
for version in "${versions[@]}"; do
  say "Prefect $version"
  state=$dir/server-$version
  log=$dir/$version.log
  "${harness_bin[@]}" stop "$state" > /dev/null 2>&1
  rm -rf "$state"
  if ! "${harness_bin[@]}" start "$state" --prefect "$version" > "$dir/harness-$version.json" 2> "$log"; then
    results+=("$version: the server did not start (see $log)")
    continue
  fi
  fixtures=$PWD/crates/core/tests/fixtures
  [ "$version" = 3.9.1 ] || fixtures=$fixtures/releases/$version
  rm -f "$fixtures/resume_cases.json" "$fixtures/reject_cases.json"
  FLOWGATE_HARNESS="$PWD/$state/harness.json" FLOWGATE_ORACLE_CORPUS="$corpus" \
    FLOWGATE_CAPTURE="$fixtures" cargo test -p flowgate-core --no-fail-fast --test real_server --test real_server_reject \
    -- --ignored --test-threads 1 >> "$log" 2>&1
  "${harness_bin[@]}" stop "$state" > /dev/null 2>&1
  passed=$(grep -oE 'test result: [A-Za-z]+\. [0-9]+ passed' "$log" | awk '{s += $4} END {print s + 0}')
  failed=$(grep -oE '[0-9]+ failed;' "$log" | awk '{s += $1} END {print s + 0}')
  # The first line of each difference: what differs, per case.
  grep -E '^[a-z_]+: .*(predicted|meant)' "$log" | sed "s/^/  $version  /" | sort -u
  # The differential corpus made by this release's own validator, against core by its rules.
  python=$(scripts/prefect-venv.sh "$version")
  own=$dir/corpus-$version.json
  "$python" scripts/oracle/prefect_oracle.py --cases 2400 --seed 20261129 > "$own" 2>> "$log"
  differential=$(FLOWGATE_ORACLE_CORPUS="$PWD/$own" cargo test -q -p flowgate-core --test differential \
    -- --ignored --nocapture 2>&1 | tee -a "$log" | grep -oE '[0-9]+/[0-9]+ identical' || echo "not run")
  results+=("$version: $passed tests agree, $failed differ; its validator's corpus: $differential")
done
say "summary"
printf '%s\n' "${results[@]}"
