#!/usr/bin/env bash
# Rewrites the settings table of docs/CONFIGURATION.md from the binary (`tachyon config table`); the unit
# test ConfigRender.ConfigurationDocContainsTheCurrentTable fails until this is run after a settings change.
# Usage: scripts/update-config-doc.sh [path/to/tachyon]   (default: build/release/tachyon)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
binary="${1:-build/release/tachyon}"
table="$("$binary" config table)"
python3 - docs/CONFIGURATION.md "$table" <<'PY'
import sys
path, table = sys.argv[1], sys.argv[2]
lines = open(path).read().split("\n")
start = next(i for i, line in enumerate(lines) if line.startswith("| Variable | Flag |"))
end = start
while end < len(lines) and lines[end].startswith("|"):
    end += 1
lines[start:end] = table.rstrip("\n").split("\n")
open(path, "w").write("\n".join(lines))
PY
