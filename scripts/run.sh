#!/usr/bin/env bash
# Quick start: installs what is needed, builds, and serves on the embedded defaults at
# http://127.0.0.1:8000 (flags and TACHYON_* variables override; see docs/CONFIGURATION.md).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/install-deps.sh build run
command -v npm >/dev/null || scripts/install-deps.sh web  # the build runs npm ci in web/
scripts/build.sh serve tachyon
exec build/serve/tachyon serve "$@"
