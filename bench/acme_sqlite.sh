#!/usr/bin/env bash
# Acme on SQLite under wrk: seeds a database of 10,000 users, 100,000 products and 100,000 orders
# (timing `tachyon seed`), then measures, with Tachyon (1 worker + the writer thread) pinned to CPU 0
# and wrk pinned to CPU 1, RUNS runs each of:
#   get_product   GET /v1/products/{random id}
#   list_filtered GET /v1/products?category=books&min_price=1000&max_price=20000&sort=-price_cents&limit=20
#   place_order   POST /v1/orders (random user, 1-2 random products; stock comes from the seed)
# Prints a markdown table (req/s per run, median, p50/p99 of the median run, non-2xx) and keeps wrk's
# raw output under bench/results/.
#
# Run from anywhere:  bench/acme_sqlite.sh
# Environment (defaults): DURATION=10s CONNECTIONS=32 THREADS=1 RUNS=3 SERVER_CPU=0 CLIENT_CPU=1
#   USERS=10000 PRODUCTS=100000 ORDERS=100000 SCENARIOS="get_product list_filtered place_order"
#   TACHYON_BIN=path (skip the build) BUILD=0 (use build/release/tachyon as is)
# With the defaults it takes about 2 minutes.
set -euo pipefail
# shellcheck source=bench/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

DURATION="${DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-32}"
THREADS="${THREADS:-1}"
RUNS="${RUNS:-3}"
SERVER_CPU="${SERVER_CPU:-0}"
CLIENT_CPU="${CLIENT_CPU:-1}"
USERS="${USERS:-10000}"
PRODUCTS="${PRODUCTS:-100000}"
ORDERS="${ORDERS:-100000}"
SCENARIOS="${SCENARIOS:-get_product list_filtered place_order}"
export USERS PRODUCTS
lua_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lua"

[ "$RUNS" -ge 1 ] && [ "$RUNS" -le 20 ] || die "RUNS must be 1..20"
bench_init
TACHYON_BINARY="$(bench_tachyon_binary)"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
out_dir="$RESULTS_DIR/acme_sqlite-$stamp"
mkdir -p "$out_dir"

database="$BENCH_TMP/acme.db"
log "seeding $database: $USERS users, $PRODUCTS products, $ORDERS orders"
seed_start=$(date +%s.%N)
unset_env=()
for var in $(compgen -e | grep '^TACHYON_' || true); do unset_env+=(-u "$var"); done
env "${unset_env[@]}" DATABASE_URL="sqlite:$database" TACHYON_ENV_FILE= taskset -c "$SERVER_CPU" \
  "$TACHYON_BINARY" seed --users "$USERS" --products "$PRODUCTS" --orders "$ORDERS" >"$out_dir/seed.txt"
seed_seconds=$(awk -v s="$seed_start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
log "$(cat "$out_dir/seed.txt") (wall ${seed_seconds} s)"

start_tachyon acme "$SERVER_CPU" --workers 1 --access-log false --database-url "sqlite:$database" \
  --demo-data false --metrics false

target_of() {
  case "$1" in
    get_product) echo "-s $lua_dir/acme_random_product.lua http://127.0.0.1:$TACHYON_PORT" ;;
    list_filtered) echo "http://127.0.0.1:$TACHYON_PORT/v1/products?category=books&min_price=1000&max_price=20000&sort=-price_cents&limit=20" ;;
    place_order) echo "-s $lua_dir/acme_place_order.lua http://127.0.0.1:$TACHYON_PORT" ;;
    *) die "unknown scenario '$1'" ;;
  esac
}

declare -A rps p50 p99 bad
for scenario in $SCENARIOS; do
  # shellcheck disable=SC2046
  taskset -c "$CLIENT_CPU" wrk -t1 -c8 -d2s $(target_of "$scenario") >/dev/null 2>&1 || true  # warm-up
  for run in $(seq 1 "$RUNS"); do
    file="$out_dir/$scenario-$run.txt"
    # shellcheck disable=SC2046
    taskset -c "$CLIENT_CPU" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency $(target_of "$scenario") \
      >"$file" 2>&1 || { cat "$file" >&2; die "wrk failed"; }
    read -r r q50 q99 requests socket_errors non2xx < <(parse_wrk "$file")
    rps[$scenario/$run]="$r"
    p50[$scenario/$run]="$q50"
    p99[$scenario/$run]="$q99"
    bad[$scenario/$run]=$((socket_errors + non2xx))
    log "$scenario run $run: $r req/s, p50 ${q50}us, p99 ${q99}us, $requests requests, errors+non-2xx ${bad[$scenario/$run]}"
  done
done

echo
echo "### Acme on SQLite ($(date -u +%Y-%m-%d), $(machine_description))"
echo
echo "- Database: $USERS users, $PRODUCTS products, $ORDERS orders; \`tachyon seed\` took ${seed_seconds} s"
echo "- Server: \`tachyon serve --workers 1 --access-log false --metrics false\` pinned to CPU $SERVER_CPU; wrk \`-t$THREADS -c$CONNECTIONS -d$DURATION\` pinned to CPU $CLIENT_CPU"
echo "- Binary: $(binary_id "$TACHYON_BINARY")"
echo
echo "| scenario | req/s per run | median req/s | p50 | p99 | errors + non-2xx |"
echo "|---|---|---|---|---|---|"
for scenario in $SCENARIOS; do
  list="" values=()
  for run in $(seq 1 "$RUNS"); do
    list+="${rps[$scenario/$run]} "
    values+=("${rps[$scenario/$run]}")
  done
  med="$(median "${values[@]}")"
  # latency figures of the run whose req/s is the median
  for run in $(seq 1 "$RUNS"); do [ "${rps[$scenario/$run]}" = "$med" ] && break; done
  total_bad=0
  for r in $(seq 1 "$RUNS"); do total_bad=$((total_bad + ${bad[$scenario/$r]})); done
  echo "| $scenario | $list| $med | ${p50[$scenario/$run]} µs | ${p99[$scenario/$run]} µs | $total_bad |"
done
