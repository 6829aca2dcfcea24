#!/usr/bin/env bash
# Builds tests/install/consumer against Eddy the two documented ways and checks its output.
# usage: consume.sh <eddy build dir> <eddy source dir> package|subdirectory
set -euo pipefail
build_dir=$1 source_dir=$2 via=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
args=(-DEDDY_VIA="$via" -DCMAKE_BUILD_TYPE=Release)
if [ "$via" = package ]; then
  cmake --install "$build_dir" --prefix "$work/prefix" >/dev/null
  args+=(-DCMAKE_PREFIX_PATH="$work/prefix")
else
  args+=(-DEDDY_SOURCE_DIR="$source_dir")
fi
cmake -S "$source_dir/tests/install/consumer" -B "$work/build" -G Ninja "${args[@]}" >/dev/null
cmake --build "$work/build" >/dev/null
"$work/build/simple_map_job" | sort >"$work/out"
printf '%s\n' "1> 2" "1> 6" "2> 4" "2> 8" | sort >"$work/expected"
if ! diff -u "$work/expected" "$work/out"; then
  echo "unexpected output of the consumer job built via $via" >&2
  exit 1
fi
echo "consumer built via $via prints the expected lines"
