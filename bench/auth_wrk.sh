#!/usr/bin/env bash
# What identity costs under wrk, side by side in one run, Tachyon (1 worker) pinned to CPU 0, wrk to CPU 1:
#   anonymous  cached GET /v1/products/{random of PRODUCTS}, no credentials (the reference)
#   bearer     the same with `Authorization: Bearer <EdDSA access token>` (verified once, then the
#              verified-credential cache)
#   api_key    the same with `X-API-Key: <key>`
# Runs alternate (RUNS each); each gives req/s and requests per server CPU-second (utime + stime of the
# whole process from /proc/PID/stat), and the ratios against `anonymous` (target >= 0.9).
# Then the login flood: p99 of /healthz and of the cached GET at PROBE_RATE (2000) requests/s in the open
# model (`tachyon bench -R`, latency from the due time), idle and while
# FLOOD_CONNECTIONS clients POST the password grant at OWASP parameters (m = 19 MiB, t = 2; one hashing
# thread, niced, moved to HASH_CPU); target: p99 under the flood <= 2x idle. Logins/s are reported.
#
# Run from anywhere:  bench/auth_wrk.sh
# Environment (defaults): DURATION=8s CONNECTIONS=32 RUNS=3 SERVER_CPU=0 CLIENT_CPU=1 PRODUCTS=10000
#   FLOOD_CONNECTIONS=16 PROBE_RATE=2000 HASH_CPU=$CLIENT_CPU BUILD=0|1 TACHYON_BIN=path
set -euo pipefail
# shellcheck source=bench/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

DURATION="${DURATION:-8s}"
CONNECTIONS="${CONNECTIONS:-32}"
RUNS="${RUNS:-3}"
SERVER_CPU="${SERVER_CPU:-0}"
CLIENT_CPU="${CLIENT_CPU:-1}"
PRODUCTS="${PRODUCTS:-10000}"
FLOOD_CONNECTIONS="${FLOOD_CONNECTIONS:-16}"
HASH_CPU="${HASH_CPU:-$CLIENT_CPU}"
PROBE_RATE="${PROBE_RATE:-2000}"
export PRODUCTS
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

[ "$RUNS" -ge 1 ] && [ "$RUNS" -le 20 ] || die "RUNS must be 1..20"
bench_init
TACHYON_BINARY="$(bench_tachyon_binary)"
out_dir="$RESULTS_DIR/auth_wrk-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out_dir"
clock_ticks="$(getconf CLK_TCK)"

database="$BENCH_TMP/acme.db"
cli() { env -u TACHYON_ENV_FILE DATABASE_URL="sqlite:$database" TACHYON_ENV_FILE= "$TACHYON_BINARY" "$@"; }
log "seeding $database with $PRODUCTS products"
cli seed --users 100 --products "$PRODUCTS" --orders 0 >/dev/null
email="bench.user@example.com"
password="bench-password-$RANDOM-$RANDOM"
printf '%s\n' "$password" | cli user create --email "$email" --role user >/dev/null
api_key="$(cli apikey create --name bench --scopes products:read | head -1)"

start_tachyon server "$SERVER_CPU" --workers 1 --access-log false --metrics false \
  --database-url "sqlite:$database" --demo-data false
port="$TACHYON_PORT"
pid="$TACHYON_PID"
# The hashing thread (tachyon-hash, niced) on HASH_CPU: by default the client's core, so the event loop
# keeps CPU 0 to itself as PasswordHasher's sizing intends (one hashing thread on a 2-core box).
for task in /proc/"$pid"/task/*; do
  if [ "$(cat "$task/comm")" = tachyon-hash ]; then taskset -pc "$HASH_CPU" "${task##*/}" >/dev/null; fi
done
base="http://127.0.0.1:$port"
token="$(curl -s "$base/v1/auth/token" -d grant_type=password --data-urlencode "username=$email" \
  --data-urlencode "password=$password" | sed -E 's/.*"access_token":"([^"]+)".*/\1/')"
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "$base/v1/auth/me")" = 200 ] \
  || die "the bench user's token does not authenticate"
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "X-API-Key: $api_key" "$base/v1/auth/me")" = 200 ] \
  || die "the bench API key does not authenticate"
log "access token: ${#token} bytes; API key: ${#api_key} bytes"

headers_of() {
  case "$1" in
    anonymous) ;;
    bearer) printf '%s\n' "-H" "Authorization: Bearer $token" ;;
    api_key) printf '%s\n' "-H" "X-API-Key: $api_key" ;;
  esac
}
run_wrk() {  # run_wrk FILE CONNECTIONS DURATION VARIANT TARGET...
  local file="$1" connections="$2" duration="$3" variant="$4"
  shift 4
  local -a extra=()
  mapfile -t extra < <(headers_of "$variant")
  taskset -c "$CLIENT_CPU" wrk -t1 -c"$connections" -d"$duration" --latency "${extra[@]}" "$@" >"$file" 2>&1 \
    || { cat "$file" >&2; die "wrk failed"; }
}

variants="anonymous bearer api_key"
for variant in $variants; do  # warm the cache and the credential cache
  run_wrk "$out_dir/warm-$variant.txt" 8 3s "$variant" -s "$here/lua/acme_random_product.lua" "$base"
done
declare -A rps per_cpu p50 p99 bad
for run in $(seq 1 "$RUNS"); do
  for variant in $variants; do
    file="$out_dir/$variant-$run.txt"
    before="$(cpu_ticks "$pid")"
    run_wrk "$file" "$CONNECTIONS" "$DURATION" "$variant" -s "$here/lua/acme_random_product.lua" "$base"
    after="$(cpu_ticks "$pid")"
    read -r r q50 q99 requests socket_errors non2xx < <(parse_wrk "$file")
    cpu_seconds="$(awk -v t=$((after - before)) -v hz="$clock_ticks" 'BEGIN { printf "%.3f", t / hz }')"
    rps[$variant/$run]="$r"
    per_cpu[$variant/$run]="$(awk -v n="$requests" -v s="$cpu_seconds" 'BEGIN { printf "%.0f", n / s }')"
    p50[$variant/$run]="$q50" p99[$variant/$run]="$q99" bad[$variant/$run]=$((socket_errors + non2xx))
    log "$variant run $run: $r req/s, ${per_cpu[$variant/$run]} req per server CPU-s ($cpu_seconds s), p50 ${q50}us, p99 ${q99}us, errors+non-2xx ${bad[$variant/$run]}"
  done
done

median_of() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
echo
echo "| variant | req/s (median of $RUNS) | req per server CPU-s (median) | vs anonymous (CPU-s) | p50 µs | p99 µs | errors + non-2xx |"
echo "|---|---:|---:|---:|---:|---:|---:|"
declare -A median_cpu
for variant in $variants; do
  r_list=() c_list=() p50_list=() p99_list=() bad_total=0
  for run in $(seq 1 "$RUNS"); do
    r_list+=("${rps[$variant/$run]}") c_list+=("${per_cpu[$variant/$run]}")
    p50_list+=("${p50[$variant/$run]}") p99_list+=("${p99[$variant/$run]}")
    bad_total=$((bad_total + bad[$variant/$run]))
  done
  median_cpu[$variant]="$(median_of "${c_list[@]}")"
  ratio="$(awk -v a="${median_cpu[$variant]}" -v b="${median_cpu[anonymous]}" 'BEGIN { printf "%.3f", a / b }')"
  echo "| $variant | $(median_of "${r_list[@]}") | ${median_cpu[$variant]} | $ratio | $(median_of "${p50_list[@]}") | $(median_of "${p99_list[@]}") | $bad_total |"
done

# The login flood.
probe() {  # probe NAME PATH: p99 (µs) of an open-model load of PROBE_RATE requests/s for 5 s (tachyon bench)
  taskset -c "$CLIENT_CPU" "$TACHYON_BINARY" bench -R "$PROBE_RATE" -c 4 -t 1 -d 5s --quiet \
    --json "$out_dir/probe-$1.json" "$base$2" >"$out_dir/probe-$1.txt" 2>&1 || { cat "$out_dir/probe-$1.txt" >&2; die "probe failed"; }
  python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["latency"]["p99_us"])' "$out_dir/probe-$1.json"
}
idle_health="$(probe idle-healthz /healthz)"
idle_get="$(probe idle-get /v1/products/42)"
LOGIN_EMAIL="$email" LOGIN_PASSWORD="$password" taskset -c "$CLIENT_CPU" wrk -t1 -c"$FLOOD_CONNECTIONS" -d14s --latency \
  -s "$here/lua/acme_login.lua" "$base" >"$out_dir/flood.txt" 2>&1 &
flood_pid=$!
BENCH_PIDS+=("$flood_pid")
sleep 2
flood_health="$(probe flood-healthz /healthz)"
flood_get="$(probe flood-get /v1/products/42)"
wait "$flood_pid" || true
read -r login_rps _ _ login_requests _ login_non2xx < <(parse_wrk "$out_dir/flood.txt")
echo
echo "| probe ($PROBE_RATE req/s open model, 5 s) | p99 idle µs | p99 under the login flood µs | ratio (target <= 2) |"
echo "|---|---:|---:|---:|"
echo "| GET /healthz | $idle_health | $flood_health | $(awk -v a="$flood_health" -v b="$idle_health" 'BEGIN { printf "%.2f", a / b }') |"
echo "| cached GET /v1/products/42 | $idle_get | $flood_get | $(awk -v a="$flood_get" -v b="$idle_get" 'BEGIN { printf "%.2f", a / b }') |"
echo
echo "Login flood: $FLOOD_CONNECTIONS connections for 14 s, $login_requests answers ($login_rps/s), non-2xx $login_non2xx"
echo "(the wrong passwords, 400, and the pool's 503s when its queue is full)."
echo "Raw wrk output: $out_dir; binary: $(binary_id "$TACHYON_BINARY")"
