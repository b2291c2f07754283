#!/usr/bin/env bash
# Installs the Debian packages of the named groups (see scripts/packages.txt); idempotent.
# Usage: scripts/install-deps.sh build [test] [bench] ...
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
groups=("$@")
[ ${#groups[@]} -gt 0 ] || groups=(build)

packages=()
for group in "${groups[@]}"; do
  line="$(grep -E "^${group}:" "$here/packages.txt" || true)"
  [ -n "$line" ] || { echo "install-deps: unknown group '$group'" >&2; exit 2; }
  read -r -a names <<<"${line#*:}"
  packages+=("${names[@]}")
done

missing=()
for name in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$name" 2>/dev/null | grep -q "install ok installed" || missing+=("$name")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
