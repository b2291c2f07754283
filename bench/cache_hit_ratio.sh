#!/usr/bin/env bash
# Hit ratios of the local cache's eviction policies (LRU, FIFO, LFU-DA, W-TinyLFU) and of Belady's
# offline optimum on three real traces from cache2k's collection (bench/data/cache-traces/, CC BY 4.0,
# headissue GmbH / Jens Wilke): replays each trace through bench/cache_simulator.cpp at several
# capacities (in entries: every entry weighs 1) and prints Markdown tables, also written to
# bench/results/cache_hit_ratio-<time>.md.
#
# Run from anywhere:  bench/cache_hit_ratio.sh
# Environment (defaults): BUILD=1 (0: use build/bench/bench/micro/cache_simulator as is)
#   TRACES="orm-busy web07 web12"  INITIAL_WINDOW=0.2 (W-TinyLFU's window share at the start)
#   ADAPTATION=mini-simulation (or hill-climbing, Caffeine's climber, with INITIAL_WINDOW=0.01; or fixed)
#   CAPACITIES_orm_busy=250,500,1000,2000,4000,8000  CAPACITIES_web07 / CAPACITIES_web12=125,250,500,1000,2000,4000
# Takes about 1-2 minutes (orm-busy has 5 million accesses), single-threaded.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

command -v xz >/dev/null || scripts/install-deps.sh bench  # xz-utils decompresses the traces
if [ "${BUILD:-1}" != 0 ]; then
  nice -n 10 scripts/build.sh bench cache_simulator >&2
fi
simulator=build/bench/bench/micro/cache_simulator
[ -x "$simulator" ] || { echo "cache_hit_ratio.sh: $simulator is missing (run without BUILD=0)" >&2; exit 1; }

mkdir -p bench/results
report="bench/results/cache_hit_ratio-$(date -u +%Y%m%dT%H%M%SZ).md"
for trace in ${TRACES:-orm-busy web07 web12}; do
  variable="CAPACITIES_${trace//-/_}"
  case "$trace" in
    orm-busy) default=250,500,1000,2000,4000,8000 ;;
    *) default=125,250,500,1000,2000,4000 ;;
  esac
  xz -dc "bench/data/cache-traces/$trace.trace.xz" |
    "$simulator" --name "$trace" --capacities "${!variable:-$default}" --initial-window "${INITIAL_WINDOW:-0.2}" \
      --adaptation "${ADAPTATION:-mini-simulation}" - | tee -a "$report"
done
echo "written to $report" >&2
