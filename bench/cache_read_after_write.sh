#!/usr/bin/env bash
# Read-after-write across two instances sharing SQLite and a redis-server: GET on B, PATCH on A, GET on
# B, ROUNDS times, once with TACHYON_CACHE_INVALIDATION_WAIT=0 (publish and go on) and once with the
# default (wait until every instance acknowledged). Prints the stale reads on B and the PATCH time.
#
# Run from anywhere:  bench/cache_read_after_write.sh      (ROUNDS=300, BUILD=0 to use the build as is)
set -euo pipefail
# shellcheck source=bench/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
ROUNDS="${ROUNDS:-300}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bench_init
TACHYON_BINARY="$(bench_tachyon_binary)"
command -v redis-server >/dev/null || die "redis-server is not installed (scripts/install-deps.sh test)"

redis_port="$(free_port)"
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no >"$BENCH_TMP/redis.log" 2>&1 &
BENCH_PIDS+=("$!")
wait_for_port "$redis_port" 10 || die "redis-server did not start"
database="$BENCH_TMP/shared.db"
env DATABASE_URL="sqlite:$database" TACHYON_ENV_FILE= "$TACHYON_BINARY" seed --users 10 --products 100 --orders 0 >/dev/null

echo "| invalidation wait | stale reads on B | mean PATCH on A |"
echo "|---|---|---|"
for wait in 0 250ms; do
  flags=(--access-log false --database-url "sqlite:$database" --demo-data false
         --redis-url "redis://127.0.0.1:$redis_port" --cache-invalidation-wait "$wait")
  start_tachyon "a-$wait" - "${flags[@]}"
  port_a="$TACHYON_PORT" pid_a="$TACHYON_PID"
  start_tachyon "b-$wait" - "${flags[@]}"
  port_b="$TACHYON_PORT" pid_b="$TACHYON_PID"
  result="$(python3 "$here/tools/read_after_write.py" "$port_a" "$port_b" "$ROUNDS" 7)"
  stale="$(sed -n 's/.*stale=\([0-9]*\).*/\1/p' <<<"$result")"
  patch_ms="$(sed -n 's/.*patch_ms=\([0-9.]*\).*/\1/p' <<<"$result")"
  echo "| $wait | $stale of $ROUNDS | $patch_ms ms |"
  stop_pid "$pid_a"
  stop_pid "$pid_b"
done
