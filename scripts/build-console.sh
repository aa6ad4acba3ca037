#!/usr/bin/env bash
# Builds the console's release build into dist/ with Trunk and prints its first-load transfer:
# index.html, the JS, the CSS and the main wasm, each gzip -9, as a browser with a cold cache
# fetches them. The run page's code (its form, the run-input validator, Markdown, the
# history) is a wasm chunk of its own (scripts/split-console.mjs), fetched when a run is
# first opened or once the console is idle: it is printed apart, with what opening a run by
# its link costs. The build fails when the first load passes its 400 KB budget, or the run
# page by link its ceiling at today's size (634.2 KB measured at the split; the unsplit build
# was 612.8 KB: the cut costs 21 KB, mostly calls into the main part through its function
# table, which wasm-opt cannot optimise across). The gate raised it to 690.0 KB: the run page
# computes the gate's policy verdict (core's policy module and the decoding of its case), and
# the main part decides through a gate, the inbox's bulk approval included (25 KB of the 56).
# That code could be a chunk of its own, fetched only when a gate answers. Rules raised it to
# 700 KB (699.4 measured; 691.5 before): the rules page, a run's rules section and the inbox's
# rules line are a chunk of their own, fetched later, but the code the run page shares with
# it is cut into a chunk that both fetch, with calls between them through the table (8 KB).
# The first load carries only the Rules link and the code that waits for the chunk.
# Verdicts by the server's release raised it to 704 KB (701.5 measured; 699.6 before): core's
# ServerRules and the version read, the reject plan's words per release, and the verdicts'
# why as data (Undecided). What would buy it back is the policy chunk named above.
# 705 KB (704.7 measured; 703.9 before): releases outside the measured range said as such (the
# header's range, the nearest release's verdict) and the first of #24's look — one control
# system in the CSS (which the build does not minify: Trunk's minify rewrites index.html under
# the loader hook), counts grouped by thousands, parameters and labels as pairs.
# 690 KB (684.7 measured; 706.6 before): the all-runs page is a chunk of its own, which took
# 23 KB off the first load (377 KB) and 22 KB off a run page by its link. (706.6 KB was with
# the run page and inbox cut into smaller components, 1.7 KB more than as two large ones.)
# Since: parameters as JSON one click away (+1.2 KB), and the run read beside the run page's
# chunk with the reads that need only the run sent together (+2.9 KB): 689.3 KB measured.
# 693 KB (691.7 measured): the page's first script (web/loader/first-reads.js, 1.3 KB) reads
# the run and preloads the run page's chunks before the wasm runs, and the client takes those
# reads (1.1 KB): a run page by its link showed ~75 ms sooner in bench-console.sh.
# 685 KB (684.4 measured): the gate's policy verdict is a chunk of its own (split_policy,
# 9.4 KB), fetched beside the policy's case only when a gate answers.
# 655 KB (654.8 measured; 684.4 before): Leptos type-erases the views (`--cfg erase_components`,
# .cargo/config.toml), so its rendering code is instantiated for far fewer types.
# 635 KB (634.8 measured; 654.8 before): no chrono format strings (their parser and formatter
# were in the main part: the first load 381 -> 368 KB) and no second float printer (core's
# Python float repr takes serde_json's digits).
# 629 KB (628.0 measured): the code that sends a bulk is a chunk of its own (split_bulk),
# fetched when a run is first ticked; the first load 368 -> 335 KB.
# 625.4 KB measured: the run page's chunks in one file (one gzip stream; 627.0 as 13 files).
# 625.6 KB: the rules' views are two chunks, the rules page with its form (split_rules) and
# what rules do for a run and the inbox's line (split_rules_glance, 24 KB); a run page fetches
# only the second once drawn (85 -> 24 KB), and the chunks it shares with the run page are in
# the pack.
# The Markdown parser is a chunk of its own (split_markdown, 68 KB), fetched only for a pause
# with a description (the first script preloads it then): a run page by its link 625.6 ->
# 561.4 KB without one, 627.6 KB with one. The ceiling holds the second.
# 625 KB (624.5 measured): wasm-bindgen's glue and the chunks' loader are shipped minified
# (scripts/console-loader.mjs, terser): the first load 336 -> 333 KB, a run page by its link
# 558.4 KB without a description (within #24's 560), 624.5 KB with one.
# 627 KB (626.1 measured): the page's first script draws the run's heading before the wasm
# runs (0.7 KB more of it, 2.4 KB, and the console's hand-over; the first load 333 -> 335 KB, a run
# page by its link without a description 558.4 -> 559.7 KB).
# 628 KB (627.8 measured): the inbox asks for the names of the flows and deployments that have
# a paused run beside its page, not after it (one round trip less; 1.7 KB more of the main
# part: the first load 335 -> 337 KB, a run page without a description 559.7 -> 561.4 KB).
# 630 KB (629.6 measured): the page's first script draws the inbox's first page before the wasm
# runs (1.7 KB more of it, 4.1 KB; every first load carries it: the first load 337 -> 338 KB, a
# run page without a description 561.4 -> 563.3 KB).
# 627 KB (626.1 measured): the console reads only the id and name of the flows and deployments
# it names (core's Named: one small decoder for both, where Flow's and Deployment's keep every
# field, each its own code): the main part 3.1 KB smaller, the first load 339 -> 335 KB, a run
# page without a description 563.3 -> 559.9 KB (within #24's 560).
# 624 KB (623.1 measured): the client builds and sends a request in one function for every
# body type (only writing the body is generic): the main part 1.4 KB smaller, a run page
# without a description 559.9 -> 556.9 KB.
# 611 KB (610.1 measured): core names the path of a value that does not fit from its place in
# the text (crate::parse), not by wrapping every model's decoder (serde_path_to_error), and
# reads the text straight into the model, not through a serde_json::Value: the first load
# 334 -> 327 KB, a run page without a description 556.9 -> 543.7 KB.
set -euo pipefail
cd "$(dirname "$0")/.."

budget_kb=400
run_ceiling_kb=${FLOWGATE_CONSOLE_RUN_CEILING_KB:-611}

# A RUSTFLAGS in the environment replaces the wasm32 rustflags of .cargo/config.toml, and
# with them Leptos's type erasure (~30 KB more on a run page): keep it in what replaces them.
if [ -n "${CARGO_ENCODED_RUSTFLAGS:-}" ]; then
  export CARGO_ENCODED_RUSTFLAGS=$'--cfg\x1ferase_components\x1f'"$CARGO_ENCODED_RUSTFLAGS"
elif [ -n "${RUSTFLAGS:-}" ]; then
  export RUSTFLAGS="--cfg erase_components $RUSTFLAGS"
fi

# scripts/tools/wasm-bindgen cuts the wasm into its chunks on the way to the real one.
export PATH="$PWD/scripts/tools:$PATH"
trunk build --release "$@"

# Each file's gzip -9 beside it, for a server that sends it as it is (web/deploy/nginx.conf:
# gzip_static); the figures below are those files' sizes, so what a browser is sent from
# there is exactly what is counted.
for file in dist/index.html $(find dist -name '*.js') dist/*.css dist/*.wasm dist/*.pack; do
  gzip -9 -k -n -f "$file"
done
gzipped() { wc -c < "$1.gz"; }
total=0
# Every script counts, wasm-bindgen's snippets and the pattern worker (fetched on first use)
# included; the chunks (split_*.wasm) are fetched later.
for file in dist/index.html $(find dist -name '*.js' | sort) dist/*.css dist/flowgate-ui-*_bg.wasm; do
  gz=$(gzipped "$file")
  printf '  %-48s %8d B gzipped\n' "${file#dist/}" "$gz"
  total=$((total + gz))
done
# A run opened by its link fetches the run page's chunk beside the main part, and with it the
# chunks of code it shares with other chunks (wasm-split-cli cuts what several split points
# reach into chunk_*.wasm; the loader lists what each one needs), all in one file
# (run_page-<hash>.pack, scripts/split-console.mjs). The rest (the rules, the
# all-runs and Settings pages, a bulk's code, a gate's policy) come when first needed. The
# list is the one the page's first script preloads, as scripts/split-console.mjs wrote it.
run_files=${CARGO_TARGET_DIR:-target}/wasm-bindgen/release/wasm-split/run-page-files.json
[ -f "$run_files" ] || { echo "no $run_files: did scripts/split-console.mjs place the chunks?" >&2; exit 1; }
needs() { node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))[process.argv[2]].join(" "))' "$run_files" "$1"; }
run_needs=$(needs run_page)
description_needs=$(needs description)
run_chunks=0
description_chunks=0
for file in dist/split_*.wasm dist/chunk_*.wasm dist/run_page-*.pack; do
  [ -f "$file" ] || continue
  gz=$(gzipped "$file")
  name=${file#dist/}
  with=""
  case " $run_needs " in *" $name "*) with="; with a run page" run_chunks=$((run_chunks + gz)) ;; esac
  case " $description_needs " in
    *" $name "*) with="; with a run page whose pause has a description" description_chunks=$((description_chunks + gz)) ;;
  esac
  printf '  %-48s %8d B gzipped (fetched when first needed%s)\n' "$name" "$gz" "$with"
done
ls dist/run_page-*.pack > /dev/null 2>&1 ||
  { echo "no run_page-*.pack: the run page's code was not split off and packed" >&2; exit 1; }
for split in rules bulk markdown; do
  ls dist/split_$split-*.wasm > /dev/null 2>&1 ||
    { echo "split_$split is missing: that code was not split off into a chunk of its own" >&2; exit 1; }
done
bare_run=$((total + run_chunks))
run=$((bare_run + description_chunks))
verdict() { [ "$1" -le $(($2 * 1024)) ] && echo within || echo "over by $((($1 - $2 * 1024 + 1023) / 1024)) KB"; }
printf 'console first load (gzipped): %d B (%d KB); budget %d KB: %s\n' \
  "$total" $((total / 1024)) "$budget_kb" "$(verdict "$total" "$budget_kb")"
printf "a run page opened by its link (gzipped): %d B (%d KB; #24's 560 KB: %s), whose pause has a description (the Markdown parser too): %d B (%d KB); ceiling %d KB: %s\n" \
  "$bare_run" $((bare_run / 1024)) "$(verdict "$bare_run" 560)" "$run" $((run / 1024)) "$run_ceiling_kb" "$(verdict "$run" "$run_ceiling_kb")"
if [ "$total" -gt $((budget_kb * 1024)) ]; then
  echo "the console's first load is over its budget" >&2
  exit 1
fi
if [ "$run" -gt $((run_ceiling_kb * 1024)) ]; then
  echo "a run page opened by its link grew past its ceiling" >&2
  exit 1
fi
