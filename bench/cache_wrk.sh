#!/usr/bin/env bash
# The cache under wrk, side by side in one run, Tachyon (1 worker) pinned to CPU 0 and wrk to CPU 1:
#   product_cached / product_uncached  GET /v1/products/{random of PRODUCTS}, TACHYON_CACHE_PRODUCTS on/off
#   list_cached / list_uncached        a filtered, sorted page of 20, TACHYON_CACHE_PRODUCT_LISTS on/off
#   post_cached / post_uncached        GET /v1/posts/{random of 100} from an upstream that takes
#                                      UPSTREAM_DELAY_MS (200) to answer; cached after one warm-up pass
# Runs alternate between the two servers of a pair (RUNS each); prints a markdown table with req/s per
# run, the median and the p50/p99 of the median run.
#
# Run from anywhere:  bench/cache_wrk.sh
# Environment (defaults): DURATION=10s CONNECTIONS=32 RUNS=3 SERVER_CPU=0 CLIENT_CPU=1 PRODUCTS=10000
#   UPSTREAM_DELAY_MS=200 PAIRS="product list post" BUILD=0 (use build/release/tachyon as is)
set -euo pipefail
# shellcheck source=bench/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

DURATION="${DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-32}"
RUNS="${RUNS:-3}"
SERVER_CPU="${SERVER_CPU:-0}"
CLIENT_CPU="${CLIENT_CPU:-1}"
PRODUCTS="${PRODUCTS:-10000}"
UPSTREAM_DELAY_MS="${UPSTREAM_DELAY_MS:-200}"
PAIRS="${PAIRS:-product list post}"
export PRODUCTS POSTS=100
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

[ "$RUNS" -ge 1 ] && [ "$RUNS" -le 20 ] || die "RUNS must be 1..20"
bench_init
TACHYON_BINARY="$(bench_tachyon_binary)"
out_dir="$RESULTS_DIR/cache_wrk-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out_dir"

database="$BENCH_TMP/acme.db"
log "seeding $database with $PRODUCTS products"
env DATABASE_URL="sqlite:$database" TACHYON_ENV_FILE= "$TACHYON_BINARY" seed --users 100 --products "$PRODUCTS" \
  --orders 0 >/dev/null
upstream_port="$(free_port)"
python3 "$here/tools/slow_upstream.py" "$upstream_port" "$UPSTREAM_DELAY_MS" &
BENCH_PIDS+=("$!")
wait_for_port "$upstream_port" 10 || die "slow upstream did not start"

common=(--workers 1 --access-log false --metrics false --database-url "sqlite:$database" --demo-data false
        --posts-upstream-url "http://127.0.0.1:$upstream_port")
declare -A port
start_tachyon cached "$SERVER_CPU" "${common[@]}"
port[cached]="$TACHYON_PORT"
start_tachyon uncached "$SERVER_CPU" "${common[@]}" --cache-products off --cache-product-lists off --cache-posts off
port[uncached]="$TACHYON_PORT"

target_of() {  # target_of PAIR PORT
  case "$1" in
    product) echo "-s $here/lua/acme_random_product.lua http://127.0.0.1:$2" ;;
    list) echo "http://127.0.0.1:$2/v1/products?min_price=1000&max_price=20000&sort=-price_cents&limit=20" ;;
    post) echo "-s $here/lua/acme_random_post.lua http://127.0.0.1:$2" ;;
    *) die "unknown pair '$1'" ;;
  esac
}

# One pass over every post fills the cached server (100 upstream calls of UPSTREAM_DELAY_MS, 20 at a time).
seq 1 100 | xargs -P 20 -I{} curl -s -o /dev/null "http://127.0.0.1:${port[cached]}/v1/posts/{}"

declare -A rps p50 p99 bad
for pair in $PAIRS; do
  for variant in cached uncached; do
    # shellcheck disable=SC2046
    taskset -c "$CLIENT_CPU" wrk -t1 -c8 -d2s $(target_of "$pair" "${port[$variant]}") >/dev/null 2>&1 || true
  done
  for run in $(seq 1 "$RUNS"); do
    for variant in cached uncached; do
      name="${pair}_$variant"
      file="$out_dir/$name-$run.txt"
      # shellcheck disable=SC2046
      taskset -c "$CLIENT_CPU" wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency \
        $(target_of "$pair" "${port[$variant]}") >"$file" 2>&1 || { cat "$file" >&2; die "wrk failed"; }
      read -r r q50 q99 requests socket_errors non2xx < <(parse_wrk "$file")
      rps[$name/$run]="$r" p50[$name/$run]="$q50" p99[$name/$run]="$q99" bad[$name/$run]=$((socket_errors + non2xx))
      log "$name run $run: $r req/s, p50 ${q50}us, p99 ${q99}us, $requests requests, errors+non-2xx ${bad[$name/$run]}"
    done
  done
done

echo
echo "### Cache on vs off ($(date -u +%Y-%m-%d), $(machine_description))"
echo
echo "- Server: \`tachyon serve --workers 1\` pinned to CPU $SERVER_CPU, $PRODUCTS products; wrk \`-t1 -c$CONNECTIONS -d$DURATION\` pinned to CPU $CLIENT_CPU; upstream answers after ${UPSTREAM_DELAY_MS} ms"
echo "- Binary: $(binary_id "$TACHYON_BINARY")"
echo
echo "| scenario | req/s per run | median req/s | p50 | p99 | errors + non-2xx |"
echo "|---|---|---|---|---|---|"
for pair in $PAIRS; do
  for variant in cached uncached; do
    name="${pair}_$variant" list="" values=()
    for run in $(seq 1 "$RUNS"); do list+="${rps[$name/$run]} "; values+=("${rps[$name/$run]}"); done
    med="$(median "${values[@]}")"
    for run in $(seq 1 "$RUNS"); do [ "${rps[$name/$run]}" = "$med" ] && break; done
    total_bad=0
    for r in $(seq 1 "$RUNS"); do total_bad=$((total_bad + ${bad[$name/$r]})); done
    echo "| $name | $list| $med | ${p50[$name/$run]} µs | ${p99[$name/$run]} µs | $total_bad |"
  done
done
