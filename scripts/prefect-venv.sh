#!/usr/bin/env bash
# A virtual environment with one Prefect release, for running the harness (and so every real-
# server suite) against that version: `scripts/prefect-venv.sh 3.4.25` installs it into
# .venvs/prefect-3.4.25 (once; later calls find it) and prints the environment's python.
# 3.9.1, the version Flowgate is built against, is the project's own .venv.
#
# Releases from PyPI do not all start as published today: their dependency ranges admit
# newer packages that broke them. The pins below are what each needs, found by starting it.
set -euo pipefail
cd "$(dirname "$0")/.."

version=${1:?usage: scripts/prefect-venv.sh VERSION (e.g. 3.4.25)}
[[ $version =~ ^3\.[0-9]+\.[0-9]+$ ]] || { echo "not a Prefect 3.x release: $version" >&2; exit 2; }

if [ "$version" = 3.9.1 ]; then
  scripts/bootstrap.sh > /dev/null
  echo "$PWD/.venv/bin/python"
  exit 0
fi

pins=()
case $version in
  # FastAPI 0.120 changed the router internals 3.4 to 3.6 rely on (`PrefectRouter` has no
  # `routes`); 3.4 and 3.5 import importlib_metadata without declaring it.
  3.4.* | 3.5.* | 3.6.*) pins=("fastapi<0.120" "importlib_metadata") ;;
  # A FastAPI after 0.150 refuses `Body(min_items=…)`, which 3.7 and 3.8 use (3.9.1 runs on
  # 0.150).
  3.7.* | 3.8.*) pins=("fastapi<0.151" "importlib_metadata") ;;
esac

venv=.venvs/prefect-$version
if ! "$venv/bin/python" -c "
import importlib.metadata as m, sys
sys.exit(m.version('prefect') != '$version')
" 2> /dev/null || [ "$(cat "$venv/flowgate-pins" 2> /dev/null)" != "${pins[*]}" ]; then
  echo "installing prefect==$version into $venv" >&2
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "prefect==$version" "${pins[@]}" >&2
  echo "${pins[*]}" > "$venv/flowgate-pins"
fi
echo "$PWD/$venv/bin/python"
