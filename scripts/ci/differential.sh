#!/usr/bin/env bash
# Prefect's own validator is the oracle: it judges 2,400 generated inputs against schemas of
# real pydantic RunInput models, and Flowgate must give the identical verdict on every case.
# FLOWGATE_ORACLE_SEED changes the corpus (the default is fixed, so runs repeat).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

if oracle_corpus; then
  tests "differential test against Prefect's validator" \
    env FLOWGATE_ORACLE_CORPUS="$corpus" \
    cargo test --workspace --test differential -- --ignored --nocapture
else
  failure "oracle corpus"
fi
