#!/usr/bin/env bash
# The npm package. `build`: its release build (within its gzipped budget) and the TypeScript
# check of its declarations. `test`, against a real server: the packed tarball installed into
# ESM and CommonJS projects and Vite and webpack builds (each resumes a run in Chromium), its Node and
# Chromium suites, every export called with arbitrary JS values, the client under network
# faults, and the READMEs' code blocks. Usage: package.sh [build|test|all]
set -euo pipefail
source "$(dirname "$0")/lib.sh"

what=${1:-all}
case $what in build|test|all) ;; *) echo "usage: $0 [build|test|all]" >&2; exit 2 ;; esac

if [ "$what" != test ]; then
  check "npm package build (within its 400 KB gzipped budget)" scripts/build-package.sh
  check "TypeScript declarations (tsc --noEmit over a typed example)" \
    tsc -p web/tests/types/tsconfig.json
  check "TypeScript declarations for a strict Node consumer (exactOptionalPropertyTypes, lib ES2022)" \
    tsc -p web/tests/types/strict/tsconfig.json
fi
if [ "$what" != build ]; then
  [ -f web/package/dist/node/flowgate.js ] || check "npm package build" scripts/build-package.sh
  oracle_corpus || { failure "oracle corpus"; exit 0; }
  start_servers node || { failure "Prefect server for the package"; exit 0; }
  node_harness=$(harness_json node)
  tests "the packed npm package installed into ESM and CommonJS projects (a Node bot resumes a real run), Vite and webpack builds" \
    env FLOWGATE_NODE_HARNESS="$node_harness" node --test web/tests/consumers/
  # Node 20's WebSocket (for watchFlowRuns) is behind a flag.
  tests "npm package: Node and Chromium tests against a real server" \
    env FLOWGATE_NODE_HARNESS="$node_harness" FLOWGATE_ORACLE_CORPUS="$corpus" \
    NODE_OPTIONS=--experimental-websocket node --test web/tests/node/ web/tests/browser/
  tests "npm package: every export called with arbitrary JS values (fast-check), never a trap" \
    env FLOWGATE_NODE_HARNESS="$node_harness" \
    NODE_OPTIONS=--experimental-websocket node --test web/tests/fuzz/
  tests "the client under network faults in Chromium (a fault-injecting proxy before the real server)" \
    env FLOWGATE_NODE_HARNESS="$node_harness" node --test web/tests/faults/
  tests "the READMEs' code blocks: JavaScript run against a real server, commands checked" \
    env FLOWGATE_NODE_HARNESS="$node_harness" node --test web/tests/readme/
fi
