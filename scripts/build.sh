#!/usr/bin/env bash
# Configures and builds one flavour of Tachyon into build/<flavour>.
# Usage: scripts/build.sh serve|release|sanitize|bench [cmake target ...]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
flavour="${1:-release}"
shift || true
case "$flavour" in
  serve)    options=(-DCMAKE_BUILD_TYPE=Release -DTACHYON_TESTS=OFF) ;;
  release)  options=(-DCMAKE_BUILD_TYPE=Release -DTACHYON_TESTS=ON) ;;
  sanitize) options=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DTACHYON_TESTS=ON -DTACHYON_SANITIZE=ON) ;;
  bench)    options=(-DCMAKE_BUILD_TYPE=Release -DTACHYON_TESTS=OFF -DTACHYON_BENCHMARKS=ON) ;;
  *) echo "build.sh: unknown flavour '$flavour' (serve, release, sanitize, bench)" >&2; exit 2 ;;
esac
jobs="$(nproc 2>/dev/null || echo 2)"
cmake -S . -B "build/$flavour" "${options[@]}" >/dev/null
if [ $# -gt 0 ]; then
  cmake --build "build/$flavour" -j"$jobs" --target "$@"
else
  cmake --build "build/$flavour" -j"$jobs"
fi
