#!/usr/bin/env bash
# Clippy with warnings as errors, every target, natively and for wasm32; and the declared MSRV.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

# The workspace's rust-version is what the code builds with: at least every dependency's
# rust-version (checked here), and clippy's `incompatible_msrv` (on in the runs below) refuses
# standard-library items newer than it. Only the installed toolchain is on this machine, so
# the MSRV itself is not compiled with; this is as close as it gets without it.
msrv_check() {
  cargo metadata --format-version 1 --locked | python3 -c '
import json, sys
meta = json.load(sys.stdin)
used = {node["id"] for node in meta["resolve"]["nodes"]}
def version(text): return tuple(int(part) for part in (text.split(".") + ["0", "0"])[:3])
ours = {p["rust_version"] for p in meta["packages"] if p["source"] is None}
assert len(ours) == 1, f"the crates declare different rust-versions: {ours}"
msrv = ours.pop()
above = sorted("%s %s needs %s" % (p["name"], p["version"], p["rust_version"]) for p in meta["packages"]
               if p["id"] in used and p.get("rust_version") and version(p["rust_version"]) > version(msrv))
if above:
    sys.exit(f"rust-version {msrv} is below what dependencies need:\n  " + "\n  ".join(above))
print(f"rust-version {msrv}: every dependency builds with it")
'
}
check "MSRV: the declared rust-version covers every dependency's" msrv_check
check "clippy (native)" cargo clippy --workspace --all-targets -- -D warnings
check "clippy (wasm32)" cargo clippy --workspace --all-targets --target wasm32-unknown-unknown -- -D warnings
