#!/usr/bin/env bash
# Configures and builds Eddy into build/ (Release, Ninja). Installs missing Debian packages first.
#   build.sh        everything: library, `eddy` tool, tests, examples, benchmarks (scripts/test)
#   build.sh demo   only the library and the `eddy` tool (scripts/demo); a build/ that is already
#                   configured keeps its settings, so a later full build reuses every object
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-all}"
case "$what" in
  demo)
    ./scripts/install-deps.sh demo
    if [ ! -f build/CMakeCache.txt ]; then
      cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release \
        -DEDDY_BUILD_TESTS=OFF -DEDDY_BUILD_EXAMPLES=OFF -DEDDY_BUILD_BENCHMARKS=OFF >/dev/null
    fi
    cmake --build build --parallel "$(nproc)" --target eddy_cli
    ;;
  all)
    ./scripts/install-deps.sh
    cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DEDDY_BUILD_TESTS=ON -DEDDY_BUILD_EXAMPLES=ON -DEDDY_BUILD_BENCHMARKS=ON >/dev/null
    cmake --build build --parallel "$(nproc)"
    ;;
  *)
    echo "usage: $0 [demo]" >&2
    exit 2
    ;;
esac
