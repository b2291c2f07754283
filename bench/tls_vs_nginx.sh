#!/usr/bin/env bash
# Tachyon's HTTPS listener against nginx over TLS with the same P-256 certificate, protocols and ciphers
# (bench/lib/common.sh nginx_tls_directives), one worker each pinned to SERVER_CPU, the client on
# CLIENT_CPU, runs interleaved (Tachyon, nginx, ...):
#   keep-alive  wrk -t1 -cCONNECTIONS over TLS 1.3 on /plaintext: requests per server CPU-second
#   handshakes  `openssl s_time -new` (a full handshake per connection): handshakes per server CPU-second
# Server CPU is the process's own utime+stime from /proc (nginx: its worker). Prints a markdown table with
# every run and the medians, and the Tachyon/nginx ratio of the medians.
#
# Run from anywhere:  bench/tls_vs_nginx.sh
# Environment (defaults): DURATION=10 (seconds per run) CONNECTIONS=32 RUNS=3 SERVER_CPU=0 CLIENT_CPU=1
#   TACHYON_FLAGS="" (extra `tachyon serve` flags, e.g. "--security-headers false" to send nginx's header bytes
#   more closely) BUILD=0 (use build/release/tachyon as is). Takes about RUNS x 4 x DURATION seconds.
set -euo pipefail
# shellcheck source=bench/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
DURATION="${DURATION:-10}"
CONNECTIONS="${CONNECTIONS:-32}"
RUNS="${RUNS:-3}"
SERVER_CPU="${SERVER_CPU:-0}"
CLIENT_CPU="${CLIENT_CPU:-1}"
[ "$RUNS" -ge 1 ] && [ "$RUNS" -le 20 ] || die "RUNS must be 1..20"
[ "$DURATION" -ge 1 ] && [ "$DURATION" -le 120 ] || die "DURATION must be 1..120 seconds"
bench_init
TACHYON_BINARY="$(bench_tachyon_binary)"
out_dir="$RESULTS_DIR/tls_vs_nginx-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out_dir"
ticks_per_second="$(getconf CLK_TCK)"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=localhost \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -keyout "$BENCH_TMP/tls.key" -out "$BENCH_TMP/tls.crt" 2>/dev/null

start_tachyon tachyon "$SERVER_CPU" --workers 1 --access-log false --metrics false \
  --tls-cert-file "$BENCH_TMP/tls.crt" --tls-key-file "$BENCH_TMP/tls.key" --tls-port 0 ${TACHYON_FLAGS:-}
tachyon_pid="$TACHYON_PID"
tachyon_port="$(grep -o '"url":"https://127\.0\.0\.1:[0-9]*"' "$BENCH_TMP/tachyon.log" | grep -o '[0-9]*"$' | tr -d '"')"
NGINX_TLS_CERT="$BENCH_TMP/tls.crt" NGINX_TLS_KEY="$BENCH_TMP/tls.key" NGINX_MODE=return \
  start_nginx nginx "$SERVER_CPU" 1024
nginx_pid="$NGINX_WORKER_PID"
nginx_port="$NGINX_PORT"

# measure KIND PID PORT: prints "count cpu_seconds per_cpu_second" for one run.
measure() {
  local kind="$1" pid="$2" port="$3" before after count file="$out_dir/$1-$2-$(date +%s%N).txt"
  before="$(cpu_ticks "$pid")"
  if [ "$kind" = keepalive ]; then
    taskset -c "$CLIENT_CPU" wrk --latency -t1 -c"$CONNECTIONS" -d"${DURATION}s" "https://127.0.0.1:$port/plaintext" >"$file" 2>&1
    count="$(parse_wrk "$file" | awk '{ print $4 }')"
  else
    echo | taskset -c "$CLIENT_CPU" openssl s_time -connect "127.0.0.1:$port" -new -time "$DURATION" >"$file" 2>&1 || true
    count="$(awk '/connections in .* real seconds/ { print $1 }' "$file" | tail -1)"
  fi
  after="$(cpu_ticks "$pid")"
  awk -v n="$count" -v t="$((after - before))" -v hz="$ticks_per_second" \
    'BEGIN { s = t / hz; printf "%d %.2f %.0f\n", n, s, (s > 0 ? n / s : 0) }'
}

declare -A per_cpu
for kind in keepalive handshakes; do
  for run in $(seq 1 "$RUNS"); do
    for server in tachyon nginx; do
      if [ "$server" = tachyon ]; then result="$(measure "$kind" "$tachyon_pid" "$tachyon_port")"
      else result="$(measure "$kind" "$nginx_pid" "$nginx_port")"; fi
      log "$kind run $run $server: $result (count, server CPU s, per server CPU-second)"
      per_cpu[$kind-$server]+="$(awk '{ print $3 }' <<<"$result") "
      echo "$kind $run $server $result" >>"$out_dir/runs.txt"
    done
  done
done
{
  echo "| test | Tachyon per server CPU-second (runs) | nginx (runs) | Tachyon median | nginx median | Tachyon/nginx |"
  echo "|---|---|---|---:|---:|---:|"
  for kind in keepalive handshakes; do
    t="$(median ${per_cpu[$kind-tachyon]})"; n="$(median ${per_cpu[$kind-nginx]})"
    echo "| $kind | ${per_cpu[$kind-tachyon]}| ${per_cpu[$kind-nginx]}| $t | $n | $(awk -v a="$t" -v b="$n" 'BEGIN { printf "%.2f", a / b }') |"
  done
  echo
  echo "- $(machine_description); Tachyon $(binary_id "$TACHYON_BINARY"); $(nginx -v 2>&1); $(openssl version)"
} | tee "$out_dir/report.md"
