#!/usr/bin/env bash
# Instructions (callgrind Ir) per TieredCache::fetch: a miss (the load_through path) and an L1 hit,
# local only and with a real redis-server as L2, from bench/micro/tiered_cache_benchmark.cpp with
# fixed iteration counts. Only the benchmark function is counted (--toggle-collect; its set-up spread over the calls), so start-up and the
# redis-server process are left out, and the figures repeat to within a few instructions. Give several
# benchmark binaries in BENCH_BINS to compare builds (e.g. one built from the commit before a change).
#
# Run from anywhere:  bench/cache_callgrind.sh
# Environment (defaults): BENCH_BINS="build/bench/bench/micro/tiered_cache_benchmark" BUILD=0 (no rebuild)
#   CASES="local_miss local_hit" (redis_miss and redis_hit also exist, but under callgrind the client runs
#   ~50x slower and Redis command timeouts turn misses into lock waits: time those without valgrind)
# Takes about a minute per binary.
set -euo pipefail
# shellcheck source=bench/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

bench_init
default_bin="$REPO_ROOT/build/bench/bench/micro/tiered_cache_benchmark"
if [ -z "${BENCH_BINS:-}" ] && [ "${BUILD:-1}" != 0 ]; then
  "$REPO_ROOT/scripts/build.sh" bench tiered_cache_benchmark >&2 || die "build failed"
fi
read -r -a binaries <<<"${BENCH_BINS:-$default_bin}"
out_dir="$RESULTS_DIR/cache-callgrind-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out_dir"

port="$(free_port)"
redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$BENCH_TMP" --loglevel warning \
  >/dev/null &
BENCH_PIDS+=("$!")
wait_for_port "$port" 10 || die "redis-server did not start"

# The iteration counts of tiered_cache_benchmark.cpp.
declare -A iterations=([local_miss]=20000 [local_hit]=20000 [redis_miss]=5000 [redis_hit]=20000)
echo "| benchmark binary | case | Ir per fetch |" | tee "$out_dir/report.md"
echo "|---|---|---|" | tee -a "$out_dir/report.md"
for binary in "${binaries[@]}"; do
  [ -x "$binary" ] || die "$binary is not executable"
  name="$(sha256sum "$binary" | cut -c1-12)"
  for case in ${CASES:-local_miss local_hit}; do
    file="$out_dir/$name-$case.callgrind"
    redis-cli -p "$port" FLUSHALL >/dev/null
    REDIS_URL="redis://127.0.0.1:$port" valgrind --tool=callgrind --callgrind-out-file="$file" \
      --toggle-collect='*fetch(benchmark::State*' "$binary" --benchmark_filter="^fetch/$case/" >"$file.txt" 2>"$file.log" ||
      { cat "$file.log" >&2; die "callgrind run failed"; }
    ir="$(awk '/^summary:/ { print $2 }' "$file")"
    echo "| $binary ($name) | $case | $(awk -v ir="$ir" -v n="${iterations[$case]}" 'BEGIN { printf "%.0f", ir / n }') |" |
      tee -a "$out_dir/report.md"
  done
done
log "raw output: $out_dir"
