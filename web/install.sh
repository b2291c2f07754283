#!/usr/bin/env bash
# Installs web/node_modules exactly as package-lock.json pins it (`npm ci`), but only when the lock file
# changed since the last install. Several build directories may call this at once (CMake runs it from
# cmake/docs_assets.cmake): flock on web/ serializes them, and the lock file's hash recorded in
# node_modules lets every caller after the first return at once.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
if ! command -v npm >/dev/null; then
  echo "web/install.sh: npm not found; install it with scripts/install-deps.sh web" >&2
  exit 1
fi
exec 9<.
flock 9
wanted="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ "$(cat node_modules/.tachyon-lock-hash 2>/dev/null || true)" != "$wanted" ]; then
  # --ignore-scripts: swagger-ui-dist pulls in a telemetry postinstall that we do not want to run.
  npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
  echo "$wanted" >node_modules/.tachyon-lock-hash
fi
