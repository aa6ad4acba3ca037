#!/usr/bin/env bash
# Where the npm package's bytes go, by crate: builds crates/wasm as scripts/build-package.sh
# does (release, wasm-bindgen, wasm-opt with the same flags) but keeps the function names,
# then sums twiggy's per-function sizes by the crate each function belongs to (a generic
# instantiated for our types counts for the crate that defines the generic, e.g. serde_json's
# reader instantiated for our models' Deserialize impls). Sizes are of the
# optimised wasm before gzip; the package's own figure is scripts/build-package.sh's.
# Installs twiggy from crates.io when it is missing. Usage: scripts/package-bytes.sh [N rows]
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/web/node_modules/.bin:$HOME/.cargo/bin:$PATH"
rows=${1:-25}

command -v twiggy >/dev/null || cargo install --locked twiggy@0.8.0
command -v wasm-bindgen >/dev/null || { echo "wasm-bindgen is missing: run scripts/bootstrap.sh" >&2; exit 1; }

out=target/package-bytes
rm -rf "$out" && mkdir -p "$out"
cargo build -q -p flowgate-wasm --release --target wasm32-unknown-unknown
wasm-bindgen --target web --keep-debug --out-dir "$out" --out-name flowgate \
  target/wasm32-unknown-unknown/release/flowgate_wasm.wasm
# The flags of scripts/build-package.sh, and -g to keep the names.
wasm-opt -Oz --converge --low-memory-unused --zero-filled-memory --strip-producers -g \
  "$out/flowgate_bg.wasm" -o "$out/named.wasm"
twiggy top -n 1000000 -f csv "$out/named.wasm" > "$out/top.csv"
python3 - "$out/top.csv" "$rows" <<'PY'
import collections, csv, re, sys
path, rows = sys.argv[1], int(sys.argv[2])
by_crate, total = collections.Counter(), 0
for row in csv.DictReader(open(path)):
    name, size = row["Name"], int(row["ShallowSize"])
    # twiggy's own rows: the name section (dropped from the package), totals.
    if "subsection" in name or "custom section" in name or name.startswith(("Σ", "...")):
        continue
    total += size
    if name.startswith("data segment"):
        crate = "(data: strings, tables)"
    elif name.endswith("shim") or name.startswith(("import", "export", "table", "elem", "type[")):
        crate = "(wasm-bindgen shims, imports, exports)"
    else:
        found = re.search(r"([a-z_][a-z0-9_]*)::", name.lstrip("<&"))
        crate = found.group(1) if found else "(other)"
    by_crate[crate] += size
print(f"{'bytes':>9}  {'share':>6}  crate (optimised wasm, {total:,} B before gzip)")
for crate, size in by_crate.most_common(rows):
    print(f"{size:9,}  {100 * size / total:5.1f}%  {crate}")
PY
