#!/usr/bin/env bash
# Installs what Flowgate's build, console and tests need, skipping what is already there.
# Safe to run again and again. Needs Rust (rustup), Python 3 and Node; Debian packages are
# installed with apt-get (as root, or through sudo).
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '==> %s\n' "$*"; }

TRUNK_VERSION=0.21.14
# Cuts the console's wasm into lazily loaded chunks (scripts/split-console.mjs); its runtime
# half, wasm_split_helpers, comes with Leptos.
WASM_SPLIT_VERSION=0.2.4
BINARYEN_VERSION=132
PREFECT_VERSION=3.9.1
# Released with prefect 3.9.1 (both October 2026); Prefect's Redis broker for several replicas.
PREFECT_REDIS_VERSION=0.3.0
# The oldest Prefect release Flowgate's verdicts are exact for: the test command runs the live
# fidelity suites against it too (in its own virtual environment, .venvs/).
OLDEST_PREFECT_VERSION=3.4.25
# The wasm-bindgen CLI must match the library version Cargo.lock resolved.
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)

if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "wasm32-unknown-unknown target: present"
else
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if trunk --version 2>/dev/null | grep -qx "trunk $TRUNK_VERSION"; then
  say "trunk $TRUNK_VERSION: present"
else
  say "installing trunk $TRUNK_VERSION from crates.io (about 10 minutes on 2 cores)"
  cargo install trunk --version "=$TRUNK_VERSION" --locked
fi

if wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen $WASM_BINDGEN_VERSION"; then
  say "wasm-bindgen-cli $WASM_BINDGEN_VERSION: present"
else
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION from crates.io"
  # Not --locked: the CLI's own lockfile pins a crate version crates.io no longer serves.
  cargo install wasm-bindgen-cli --version "=$WASM_BINDGEN_VERSION"
fi

if command -v wasm-split-cli > /dev/null && cargo install --list | grep -qx "wasm_split_cli_support v$WASM_SPLIT_VERSION:"; then
  say "wasm-split-cli $WASM_SPLIT_VERSION: present"
else
  say "installing wasm-split-cli $WASM_SPLIT_VERSION (wasm_split_cli_support) from crates.io (about 2 minutes on 2 cores)"
  cargo install wasm_split_cli_support --version "=$WASM_SPLIT_VERSION" --features build-binary --locked
fi

# npm writes node_modules/.package-lock.json as it installs: when it has every package
# web/package-lock.json names (other platforms' optional ones aside) at the same version,
# the install is current.
if web/node_modules/.bin/wasm-opt --version 2>/dev/null | grep -q "version $BINARYEN_VERSION " &&
  node -e 'const want = require("./web/package-lock.json").packages;
    const have = require("./web/node_modules/.package-lock.json").packages;
    const stale = Object.keys(want).filter((k) => k.startsWith("node_modules/") && !want[k].optional && have[k]?.version !== want[k].version);
    process.exit(stale.length ? 1 : 0)' 2>/dev/null; then
  say "web tools (npm ci in web/: wasm-opt $BINARYEN_VERSION, Playwright, Vite, …): present"
else
  say "installing the web tools (npm ci in web/: binaryen@$BINARYEN_VERSION for wasm-opt, Playwright, Vite, …)"
  npm ci --prefix web --no-audit --no-fund
fi

# Debian's packages: Chromium and its driver for the browser tests; PostgreSQL and Redis for
# the production-shaped Prefect backend (PostgreSQL, several API replicas, Redis between them).
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
compgen -G "/usr/lib/postgresql/*/bin/postgres" > /dev/null || missing+=(postgresql)
[ -x /usr/bin/redis-server ] || missing+=(redis-server)
if [ ${#missing[@]} -eq 0 ]; then
  say "chromium, chromedriver, postgresql, redis-server: present"
else
  say "installing Debian's ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y "${missing[@]}"
fi

# Debian's nginx, for the test of the deploy configuration (web/deploy/): its package is
# unpacked into .tools/nginx, not installed, because installing it starts a system nginx on
# port 80. Its libraries (PCRE2, OpenSSL, zlib) are Debian's and installed if missing.
nginx=.tools/nginx/usr/sbin/nginx
if [ -x "$nginx" ] && ! ldd "$nginx" | grep -q "not found"; then
  say "nginx (Debian's, unpacked in .tools/nginx): present"
else
  say "unpacking Debian's nginx into .tools/nginx"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO=sudo
  debs=$(mktemp -d)
  if ! (cd "$debs" && apt-get download nginx); then
    $SUDO apt-get update
    (cd "$debs" && apt-get download nginx)
  fi
  rm -rf .tools/nginx && mkdir -p .tools
  dpkg -x "$debs"/nginx_*.deb .tools/nginx
  rm -rf "$debs"
  if ldd "$nginx" | grep -q "not found"; then
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y libpcre2-8-0 libssl3 zlib1g libcrypt1
  fi
  "$nginx" -v
fi

if .venv/bin/python -c "
import importlib.metadata as m, sys
sys.exit(m.version('prefect') != '$PREFECT_VERSION' or m.version('prefect-redis') != '$PREFECT_REDIS_VERSION')
" 2>/dev/null; then
  say "prefect $PREFECT_VERSION and prefect-redis $PREFECT_REDIS_VERSION in .venv: present"
else
  say "installing prefect==$PREFECT_VERSION and prefect-redis==$PREFECT_REDIS_VERSION into .venv"
  [ -x .venv/bin/python ] || python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check \
    "prefect==$PREFECT_VERSION" "prefect-redis==$PREFECT_REDIS_VERSION"
fi

# prefect-venv.sh installs it once (saying so), then finds it.
say "prefect $OLDEST_PREFECT_VERSION, the oldest release in range, in .venvs/prefect-$OLDEST_PREFECT_VERSION"
scripts/prefect-venv.sh "$OLDEST_PREFECT_VERSION" > /dev/null
