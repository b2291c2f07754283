#!/usr/bin/env bash
# Installs what is needed, builds, and runs every test: once in Release, once under AddressSanitizer
# and UndefinedBehaviorSanitizer. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/install-deps.sh build test
command -v npm >/dev/null || scripts/install-deps.sh web  # the build runs npm ci in web/
jobs="$(nproc 2>/dev/null || echo 2)"
echo "== format"
scripts/check-format.sh

run_suite() {
  local flavour="$1"
  echo "== $flavour: build"
  scripts/build.sh "$flavour"
  echo "== $flavour: test"
  ctest --test-dir "build/$flavour" --output-on-failure --timeout 300 -j"$jobs"
}

run_suite release
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 run_suite sanitize
