#!/usr/bin/env bash
# Fails when a C++ file of the repository is not formatted as .clang-format says (CI runs it first).
# Fix with: scripts/check-format.sh --fix
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mapfile -t files < <(git ls-files '*.cpp' '*.hpp' 2>/dev/null || find src app tests bench -name '*.cpp' -o -name '*.hpp')
if [ "${1:-}" = "--fix" ]; then
  clang-format -i "${files[@]}"
  exit 0
fi
clang-format --dry-run -Werror "${files[@]}" || {
  echo "check-format: the files above are not formatted; run scripts/check-format.sh --fix" >&2
  exit 1
}
