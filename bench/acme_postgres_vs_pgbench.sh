#!/usr/bin/env bash
# Acme's uncached GET /v1/products/{id} on PostgreSQL against pgbench on the same server, same machine,
# same client count (the issue's reference: `pgbench -S -M prepared`). A throwaway PostgreSQL 15
# cluster (initdb into the temp dir, a free loopback port) gets `tachyon seed` and `pgbench -i`; the
# PostgreSQL backends and Tachyon (1 worker) are pinned to SERVER_CPU, wrk and pgbench to CLIENT_CPU.
# RUNS runs each, alternating, of:
#   pgbench_S        pgbench -S -M prepared (one SELECT on pgbench_accounts by random aid)
#   pgbench_product  pgbench -M prepared reading one products row by random id (SELECT *: the same row
#                    Tachyon reads, by the same primary key)
#   tachyon_product  wrk on GET /v1/products/{random id}, the products cache off (pipelining on)
#   tachyon_product_unpipelined  the same on a second instance with --db-pipelining false
# Prints transactions or requests per second per run, medians, and tachyon / pgbench ratios.
#
# Run from anywhere:  bench/acme_postgres_vs_pgbench.sh
# Environment (defaults): DURATION=10 (seconds) CLIENTS=8 RUNS=3 SERVER_CPU=0 CLIENT_CPU=1 PRODUCTS=100000
#   TACHYON_BIN=path (skip the build) BUILD=0 (use build/release/tachyon as is)
set -euo pipefail
# shellcheck source=bench/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

DURATION="${DURATION:-10}"
CLIENTS="${CLIENTS:-8}"
RUNS="${RUNS:-3}"
SERVER_CPU="${SERVER_CPU:-0}"
CLIENT_CPU="${CLIENT_CPU:-1}"
PRODUCTS="${PRODUCTS:-100000}"
export PRODUCTS
pg_bin=/usr/lib/postgresql/15/bin
lua_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lua"
[ -x "$pg_bin/initdb" ] || die "PostgreSQL 15 is not installed (scripts/install-deps.sh test)"

bench_init
TACHYON_BINARY="$(bench_tachyon_binary)"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
out_dir="$RESULTS_DIR/acme_postgres_vs_pgbench-$stamp"
mkdir -p "$out_dir"

as_postgres=()
[ "$(id -u)" = 0 ] && as_postgres=(runuser -u postgres --)
pg_data="$BENCH_TMP/pg"
mkdir -p "$pg_data"
[ "$(id -u)" = 0 ] && chown postgres "$pg_data"
pg_port="$(free_port)"
"${as_postgres[@]}" "$pg_bin/initdb" -D "$pg_data" -U postgres --auth=trust --encoding=UTF8 >/dev/null
# The server's processes inherit the pinning: every backend runs on SERVER_CPU.
"${as_postgres[@]}" taskset -c "$SERVER_CPU" "$pg_bin/pg_ctl" -D "$pg_data" -w -l "$pg_data/log" \
  -o "-p $pg_port -k $pg_data -c listen_addresses=127.0.0.1 -c max_connections=100 -c shared_buffers=256MB" start \
  >/dev/null
stop_postgres() { "${as_postgres[@]}" "$pg_bin/pg_ctl" -D "$pg_data" -m fast stop >/dev/null 2>&1 || true; }
trap 'stop_postgres; bench_cleanup' EXIT
url="postgresql://postgres@127.0.0.1:$pg_port/postgres"

log "seeding $PRODUCTS products with tachyon seed, and pgbench -i -s 10"
env DATABASE_URL="$url" TACHYON_ENV_FILE= "$TACHYON_BINARY" seed --users 1000 --products "$PRODUCTS" --orders 1000 \
  >"$out_dir/seed.txt" 2>"$out_dir/seed.log"
"$pg_bin/pgbench" -q -i -s 10 "$url" >/dev/null 2>&1
cat >"$out_dir/product.sql" <<SQL
\\set id random(1, $PRODUCTS)
SELECT * FROM products WHERE id = :id;
SQL

declare -A tachyon_pid tachyon_port
for variant in tachyon_product tachyon_product_unpipelined; do
  pipelining=true
  [ "$variant" = tachyon_product ] || pipelining=false
  start_tachyon "$variant" "$SERVER_CPU" --workers 1 --access-log false --database-url "$url" --demo-data false \
    --metrics false --cache-products off --db-pool-size "$CLIENTS" --db-pipelining "$pipelining"
  curl -sf -o /dev/null "http://127.0.0.1:$TACHYON_PORT/v1/products/1" || die "GET /v1/products/1 failed"
  tachyon_pid[$variant]="$TACHYON_PID"
  tachyon_port[$variant]="$TACHYON_PORT"
done

run_pgbench() {  # run_pgbench FILE ARGS...: prints transactions per second
  local file="$1"
  shift
  taskset -c "$CLIENT_CPU" "$pg_bin/pgbench" -n -M prepared -c "$CLIENTS" -j 1 -T "$DURATION" "$@" "$url" >"$file" 2>&1
  awk '/^tps = / { print $3; exit }' "$file"
}

# Segments TCP sent again, machine-wide (loopback included): a stall of 200 ms and more is a retransmit.
tcp_retransmits() { awk '/^Tcp:/ && ++line == 2 { print $13 }' /proc/net/snmp; }

# CPU ticks (1/100 s) of every PostgreSQL process of this cluster (backends, walwriter, ...).
postgres_ticks() {
  local total=0 pid
  for pid in $(pgrep -f -- "-D $pg_data" || true) $(pgrep -P "$(head -1 "$pg_data/postmaster.pid")" || true); do
    [ -r "/proc/$pid/stat" ] && total=$((total + $(cpu_ticks "$pid")))
  done
  echo "$total"
}

declare -A rate tail retransmits ours theirs
for run in $(seq 1 "$RUNS"); do
  rate[pgbench_S/$run]="$(run_pgbench "$out_dir/pgbench_S-$run.txt" -S)"
  rate[pgbench_product/$run]="$(run_pgbench "$out_dir/pgbench_product-$run.txt" -f "$out_dir/product.sql")"
  for variant in tachyon_product tachyon_product_unpipelined; do
    file="$out_dir/$variant-$run.txt"
    key="$variant/$run"
    retransmits_before="$(tcp_retransmits)"
    tachyon_before="$(cpu_ticks "${tachyon_pid[$variant]}")"
    postgres_before="$(postgres_ticks)"
    taskset -c "$CLIENT_CPU" wrk -t1 -c"$CLIENTS" -d"${DURATION}s" --latency -s "$lua_dir/acme_random_product.lua" \
      "http://127.0.0.1:${tachyon_port[$variant]}" >"$file" 2>&1 || { cat "$file" >&2; die "wrk failed"; }
    read -r r _ q99 _ socket_errors non2xx < <(parse_wrk "$file")
    retransmits[$key]=$(($(tcp_retransmits) - retransmits_before))
    ours[$key]=$(($(cpu_ticks "${tachyon_pid[$variant]}") - tachyon_before))
    theirs[$key]=$(($(postgres_ticks) - postgres_before))
    tail[$key]="$q99"
    [ "$non2xx" = 0 ] || die "tachyon answered errors: see $file"
    [ "$socket_errors" = 0 ] || log "run $run: $socket_errors socket errors or timeouts (see $file)"
    rate[$key]="$r"
  done
  log "run $run: pgbench -S ${rate[pgbench_S/$run]} tps, pgbench product ${rate[pgbench_product/$run]} tps," \
    "tachyon ${rate[tachyon_product/$run]} req/s, unpipelined ${rate[tachyon_product_unpipelined/$run]} req/s" \
    "(CPU ticks: tachyon ${ours[tachyon_product/$run]}, postgres ${theirs[tachyon_product/$run]};" \
    "unpipelined ${ours[tachyon_product_unpipelined/$run]}, postgres ${theirs[tachyon_product_unpipelined/$run]})"
done

echo
echo "$(machine_description); $CLIENTS clients; ${DURATION}s per run; server CPU $SERVER_CPU, client CPU $CLIENT_CPU"
echo "binary: $(binary_id "$TACHYON_BINARY")"
echo
echo "| measure | runs | median |"
echo "|---|---|---|"
for measure in pgbench_S pgbench_product tachyon_product tachyon_product_unpipelined; do
  values=()
  for run in $(seq 1 "$RUNS"); do values+=("${rate[$measure/$run]}"); done
  printf '| %s | %s | %s |\n' "$measure" "${values[*]}" "$(median "${values[@]}")"
done
echo
echo "| variant | run | tachyon CPU ticks | postgres CPU ticks | tachyon share of server CPU | tachyon us per request |"
echo "|---|---|---|---|---|---|"
for variant in tachyon_product tachyon_product_unpipelined; do
  for run in $(seq 1 "$RUNS"); do
    key="$variant/$run"
    # Ticks are 1/100 s: µs per request = ticks * 10,000 / requests.
    awk -v v="$variant" -v r="$run" -v t="${ours[$key]}" -v p="${theirs[$key]}" -v q="${rate[$key]}" -v d="$DURATION" \
      'BEGIN { printf "| %s | %d | %d | %d | %.0f %% | %.1f |\n", v, r, t, p, 100 * t / (t + p), 1e4 * t / (q * d) }'
  done
done
for variant in tachyon_product tachyon_product_unpipelined; do
  tachyon="$(median $(for run in $(seq 1 "$RUNS"); do echo "${rate[$variant/$run]}"; done))"
  for reference in pgbench_S pgbench_product; do
    ref="$(median $(for run in $(seq 1 "$RUNS"); do echo "${rate[$reference/$run]}"; done))"
    awk -v t="$tachyon" -v r="$ref" -v n="$reference" -v v="$variant" 'BEGIN { printf "%s / %s = %.2f\n", v, n, t / r }'
  done
done
