#!/usr/bin/env bash
# Builds the npm package `flowgate` into web/package/dist: an ES-module build for browsers
# and bundlers (dist/web) and a build for Node (dist/node), with the installed wasm-bindgen
# CLI and wasm-opt. Prints the gzipped size of the browser build (wasm + JS glue) and fails
# when it is over its 400 KB budget, so a change that bloats the package is caught by the
# test command. The budget was 300 KB (299.8 KB used) until the gate: `checkPolicy` (core's
# policy verdict and the decoding of a policy case) costs 27.5 KB, the gate's calls 21.6 KB.
# It was 350 KB until rules (notify, remind, default on timeout as Prefect automations): their
# nine calls and two functions cost 42 KB (342 KB without them, 384 KB with), after every
# result was made to reach JS through one conversion (serde_json::Value), which saved 6 KB.
# Entry points of their own (`flowgate/gate`, `flowgate/rules`) would give these back to
# those who use neither; that needs the shared client in a module of its own.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '==> %s\n' "$*"; }
export PATH="$PWD/web/node_modules/.bin:$PATH"

dist=web/package/dist
# For size, with what holds for Rust's wasm: nothing lives in the lowest 1 KB of memory, and
# memory starts zeroed. `--converge` repeats the passes while they still shrink it; the
# producers section is only a note of the tools. (Measured: 2.2 KB gzipped less than -Oz.)
WASM_OPT_FLAGS=(-Oz --converge --low-memory-unused --zero-filled-memory --strip-producers)
wasm=target/wasm32-unknown-unknown/release/flowgate_wasm.wasm

say "compiling crates/wasm for wasm32 (release)"
cargo build -q -p flowgate-wasm --release --target wasm32-unknown-unknown

rm -rf "$dist"
for target in web nodejs; do
  dir="$dist/${target/nodejs/node}"
  say "wasm-bindgen --target $target -> $dir"
  wasm-bindgen --target "$target" --out-dir "$dir" --out-name flowgate "$wasm"
done
# One wasm in the package: the Node build's is byte for byte the browser build's (the glue
# differs, not the module), so the Node glue reads the browser build's file.
cmp -s "$dist/web/flowgate_bg.wasm" "$dist/node/flowgate_bg.wasm" ||
  { echo "the Node and browser builds' wasm differ: the package cannot ship one" >&2; exit 1; }
rm "$dist/node/flowgate_bg.wasm"
grep -q 'const wasmPath = `${__dirname}/flowgate_bg.wasm`;' "$dist/node/flowgate.js" ||
  { echo "wasm-bindgen's Node glue no longer reads its wasm as expected" >&2; exit 1; }
sed -i 's|const wasmPath = `${__dirname}/flowgate_bg.wasm`;|const wasmPath = `${__dirname}/../web/flowgate_bg.wasm`;|' "$dist/node/flowgate.js"
wasm-opt "${WASM_OPT_FLAGS[@]}" "$dist/web/flowgate_bg.wasm" -o "$dist/web/flowgate_bg.wasm"
# A call on a freed object is a FlowgateError of kind `closed` (see the script), in both builds.
for glue in "$dist/web/flowgate.js" "$dist/node/flowgate.js"; do
  cat scripts/package-freed.js >> "$glue"
done
# The Node build is CommonJS inside a package whose other files are ES modules.
echo '{ "type": "commonjs" }' > "$dist/node/package.json"
# `init()` works the same from every entry point: in Node the module is ready when loaded, so
# its init only answers the module. ESM importers get a wrapper with the named exports and a
# default `init`; CommonJS requirers get `init` as a property.
cat >> "$dist/node/flowgate.js" <<'JS'

/** Ready on load in Node; resolves with the module, as the browser build's init does. */
exports.init = async function init() { return exports; };
JS
names=$(node -e 'console.log(Object.keys(require(process.argv[1])).filter((n) => n !== "init").join(", "))' "$PWD/$dist/node/flowgate.js")
cat > "$dist/node/flowgate.mjs" <<JS
import flowgate from "./flowgate.js";

export const { ${names} } = flowgate;
/** Ready on load in Node; resolves with the module, as the browser build's init does. */
export default async function init() { return flowgate; }
JS
cat > "$dist/node/flowgate.d.mts" <<'TS'
export * from "./flowgate.js";
/** Ready on load in Node; resolves when it is (at once). */
export default function init(): Promise<unknown>;
TS
printf '\n/** Ready on load in Node; resolves when it is (at once). */\nexport function init(): Promise<unknown>;\n' >> "$dist/node/flowgate.d.ts"

# Declarations a strict TypeScript consumer compiles against (optional parameters, the
# disposable lib): see the script.
node scripts/package-declarations.mjs "$dist/web/flowgate.d.ts" "$dist/node/flowgate.d.ts"

wasm_gz=$(gzip -9 -c "$dist/web/flowgate_bg.wasm" | wc -c)
js_gz=$(gzip -9 -c "$dist/web/flowgate.js" | wc -c)
total=$((wasm_gz + js_gz))
budget=$((400 * 1024))
printf 'package size (gzipped): wasm %d B + JS %d B = %d B (%d KB); budget 400 KB: %s\n' \
  "$wasm_gz" "$js_gz" "$total" $((total / 1024)) "$([ "$total" -le "$budget" ] && echo within || echo OVER)"
if [ "$total" -gt "$budget" ]; then
  echo "the package is over its size budget" >&2
  exit 1
fi
