#!/usr/bin/env bash
# Pipelined GETs per second: tachyon::redis::Client (bench/micro/redis_client_benchmark.cpp) against
# redis-benchmark (one connection, same pipeline depths, same 100-byte value) on one redis-server.
# The server is pinned to CPU 0, the clients to CPU 1.
#
# Run from anywhere:  bench/redis_client.sh
# Environment (defaults): DEPTHS="1 16 128" REQUESTS=200000 SERVER_CPU=0 CLIENT_CPU=1
#   BENCH_BIN=path (skip the build) BUILD=0 (use build/bench/bench/micro/redis_client_benchmark as is)
set -euo pipefail
# shellcheck source=bench/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

DEPTHS="${DEPTHS:-1 16 128}"
REQUESTS="${REQUESTS:-200000}"
SERVER_CPU="${SERVER_CPU:-0}"
CLIENT_CPU="${CLIENT_CPU:-1}"

bench_init
bin="${BENCH_BIN:-$REPO_ROOT/build/bench/bench/micro/redis_client_benchmark}"
if [ -z "${BENCH_BIN:-}" ] && [ "${BUILD:-1}" != 0 ]; then
  log "building $bin (scripts/build.sh bench redis_client_benchmark; BUILD=0 skips)"
  "$REPO_ROOT/scripts/build.sh" bench redis_client_benchmark >&2 || die "build failed"
fi
[ -x "$bin" ] || die "$bin does not exist"

port="$(free_port)"
taskset -c "$SERVER_CPU" redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no \
  --dir "$BENCH_TMP" --loglevel warning >/dev/null &
BENCH_PIDS+=("$!")
wait_for_port "$port" 10 || die "redis-server did not start"

echo "| pipeline depth | redis-benchmark GET/s | tachyon::redis::Client GET/s |"
echo "|---:|---:|---:|"
for depth in $DEPTHS; do
  theirs="$(taskset -c "$CLIENT_CPU" redis-benchmark -p "$port" -c 1 -P "$depth" -n "$REQUESTS" -d 100 -t get -q \
    | tr '\r' '\n' | awk '$1 == "GET:" { value = $2 } END { printf "%.0f", value }')"
  # The client logs to stdout, so the figures go to a file.
  REDIS_URL="redis://127.0.0.1:$port" taskset -c "$CLIENT_CPU" "$bin" --benchmark_filter="pipelined_get/$depth/" \
    --benchmark_out="$BENCH_TMP/ours.json" --benchmark_out_format=json >/dev/null 2>&1
  ours="$(python3 -c 'import json, sys; print("%.0f" % json.load(open(sys.argv[1]))["benchmarks"][0]["items_per_second"])' \
    "$BENCH_TMP/ours.json")"
  echo "| $depth | $theirs | $ours |"
done
