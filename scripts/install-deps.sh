#!/usr/bin/env bash
# Installs the Debian packages Eddy builds and tests with. Idempotent: installs only what is missing.
# `install-deps.sh demo` installs only what the library and the `eddy` tool need (scripts/demo).
set -euo pipefail
packages=(
  build-essential cmake ninja-build pkg-config
  libfmt-dev libspdlog-dev nlohmann-json3-dev libcli11-dev libyaml-cpp-dev librocksdb-dev zlib1g-dev
)
if [ "${1:-all}" != demo ]; then
  packages+=(clang-format libgtest-dev libgmock-dev libbenchmark-dev netcat-openbsd python3)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}"
fi
