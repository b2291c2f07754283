#!/usr/bin/env bash
# CPU instructions (callgrind Ir) per request of the load generator itself: `tachyon bench -t 1 -c 4`
# runs under `valgrind --tool=callgrind` against `tachyon serve --workers 1` for DURATION seconds,
# and the instructions of the generator thread's event loop (inclusive Ir of Worker::run, which
# leaves out process start-up, argument parsing and report writing) are divided by the requests it
# completed. RUNS runs per binary, interleaved, medians. Counting only the loop keeps the figure
# steady on a busy machine (fewer requests in a run change nothing per request), unlike the
# difference of two timed runs. Give several generator binaries in GENERATORS to compare builds (e.g. the commit
# before a change) against the same target (`TACHYON_BIN`, default build/release/tachyon). Every
# generator runs with bench/tools/epoll_pwait2_shim.cpp preloaded, because valgrind 3.19 lacks
# epoll_pwait2: all of them then wait in epoll_pwait with millisecond timeouts (the closed model used
# here is driven by readiness, not by timeouts, so the per-request path is the one measured).
#
# Run from anywhere:  bench/loadgen_callgrind.sh
# Environment (defaults): DURATION=3 RUNS=3 GENERATORS="build/release/tachyon" CONNECTIONS=4
#   EXTRA="" (more bench flags, e.g. "-R 20000") BUILD=0 (no rebuild)
# Takes about 15 s per run.
set -euo pipefail
# shellcheck source=bench/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

DURATION="${DURATION:-3}"
RUNS="${RUNS:-3}"
CONNECTIONS="${CONNECTIONS:-4}"
EXTRA="${EXTRA:-}"
[ "$RUNS" -ge 1 ] && [ "$RUNS" -le 10 ] || die "RUNS must be 1..10"

bench_init
TACHYON_BINARY="$(bench_tachyon_binary)"
read -r -a generators <<<"${GENERATORS:-$TACHYON_BINARY}"
out_dir="$RESULTS_DIR/loadgen-callgrind-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out_dir"
shim="$BENCH_TMP/epoll_pwait2_shim.so"
g++ -shared -fPIC -O2 -o "$shim" "$BENCH_DIR/tools/epoll_pwait2_shim.cpp" || die "cannot build the epoll_pwait2 shim"
start_tachyon target - --workers 1 --access-log false
url="http://127.0.0.1:$TACHYON_PORT/plaintext"

# profile BINARY FILE: prints "Ir_per_request requests".
profile() {
  local binary="$1" file="$2" extra=()
  read -r -a extra <<<"$EXTRA"
  LD_PRELOAD="$shim" valgrind --tool=callgrind --callgrind-out-file="$file.callgrind" "$binary" bench -t 1 -c "$CONNECTIONS" \
    -d "${DURATION}s" --quiet --json "$file.json" "${extra[@]}" "$url" >"$file.txt" 2>"$file.valgrind" ||
    { cat "$file.valgrind" >&2; die "callgrind run failed"; }
  local ir requests
  ir="$(callgrind_annotate --inclusive=yes --threshold=100 "$file.callgrind" | awk '!found && /loadgen::Worker::run\(\)/ { gsub(",", "", $1); print $1; found = 1 }')"
  requests="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["requests"])' "$file.json")"
  awk -v ir="$ir" -v n="$requests" 'BEGIN { printf "%.0f %d\n", (n > 0 ? ir / n : 0), n }'
}
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

declare -A per_request
for run in $(seq 1 "$RUNS"); do
  for binary in "${generators[@]}"; do
    [ -x "$binary" ] || die "$binary is not executable"
    name="$(sha256sum "$binary" | cut -c1-12)"
    read -r ir requests < <(profile "$binary" "$out_dir/$name-$run")
    log "$binary run $run: $ir Ir per request over $requests requests"
    per_request[$binary]+="$ir "
  done
done
{
  echo "| generator binary | Ir per request (runs) | median |"
  echo "|---|---|---|"
  for binary in "${generators[@]}"; do
    echo "| $binary ($(sha256sum "$binary" | cut -c1-12)) | ${per_request[$binary]% } | $(tr ' ' '\n' <<<"${per_request[$binary]}" | grep . | median) |"
  done
} | tee "$out_dir/report.md"
log "raw output: $out_dir"
