#!/usr/bin/env bash
# Measures the cost of Tachyon's request instrumentation in one run: keep-alive throughput of GET
# /plaintext with metrics on (the defaults: observe middleware, 1 s slow log) and off (--metrics false
# --slow-request-ms 0: the middleware is not installed), both servers 1 worker pinned to CPU 0, wrk
# pinned to CPU 1, runs interleaved on, off, on, off..., medians of RUNS. Then the time of a GET
# /metrics scrape after every route was called (about 1,000 series), median of SCRAPES.
# Prints a markdown table and keeps wrk's raw output under bench/results/.
#
# Run from anywhere:  bench/metrics_overhead.sh
# Environment (defaults): DURATION=10s CONNECTIONS=64 THREADS=1 RUNS=5 SCRAPES=50
#   SERVER_CPU=0 CLIENT_CPU=1 TACHYON_BIN=path (skip the build) BUILD=0 (use build/release/tachyon as is)
# With the defaults the script takes about 2 minutes.
set -euo pipefail
# shellcheck source=bench/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

DURATION="${DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-64}"
THREADS="${THREADS:-1}"
RUNS="${RUNS:-5}"
SCRAPES="${SCRAPES:-50}"
SERVER_CPU="${SERVER_CPU:-0}"
CLIENT_CPU="${CLIENT_CPU:-1}"
[ "$RUNS" -ge 1 ] && [ "$RUNS" -le 20 ] || die "RUNS must be 1..20"

bench_init
TACHYON_BINARY="$(bench_tachyon_binary)"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
out_dir="$RESULTS_DIR/metrics_overhead-$stamp"
mkdir -p "$out_dir"
raise_nofile 65536 >/dev/null

common_flags=(--workers 1 --access-log false --idle-timeout 600s --database-url sqlite::memory:)
start_tachyon metrics-on "$SERVER_CPU" "${common_flags[@]}"
on_port="$TACHYON_PORT"
start_tachyon metrics-off "$SERVER_CPU" "${common_flags[@]}" --metrics false --slow-request-ms 0
off_port="$TACHYON_PORT"
declare -A port=([on]="$on_port" [off]="$off_port")

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

declare -A rates
for run in $(seq 1 "$RUNS"); do
  for mode in on off; do
    file="$out_dir/$mode-$run.txt"
    taskset -c "$CLIENT_CPU" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" \
      "http://127.0.0.1:${port[$mode]}/plaintext" >"$file" 2>&1 || { cat "$file" >&2; die "wrk failed"; }
    rate="$(awk '/^Requests\/sec:/ { print $2 }' "$file")"
    rates[$mode]+="$rate "
    log "run $run, metrics $mode: $rate req/s"
  done
done
on_median="$(tr ' ' '\n' <<<"${rates[on]}" | grep . | median)"
off_median="$(tr ' ' '\n' <<<"${rates[off]}" | grep . | median)"
loss="$(awk -v on="$on_median" -v off="$off_median" 'BEGIN { printf "%.1f", 100 * (off - on) / off }')"

# Every route once (GET and HEAD for GET routes, bad ids for 4xx) so the families fill up.
base="http://127.0.0.1:$on_port"
for path in /healthz /readyz /plaintext /json /v1/users /v1/users/1 /v1/users/999999 /v1/users/1/orders \
  /v1/products /v1/products/1 /v1/products/999999 /v1/orders /v1/orders/1 /v1/orders/999999 \
  /openapi.json /docs /docs/missing /nowhere; do
  curl -s -o /dev/null "$base$path"
  curl -s -o /dev/null -I "$base$path"
done
for path in /v1/greetings /v1/users /v1/products /v1/orders /v1/orders/1/cancel; do
  curl -s -o /dev/null -X POST -H 'Content-Type: application/json' -d '{}' "$base$path"
done
for path in /v1/users/1 /v1/products/1; do
  curl -s -o /dev/null -X PATCH -H 'Content-Type: application/json' -d '{}' "$base$path"
  curl -s -o /dev/null -X DELETE "$base$path/999999"
done
series="$(curl -s "$base/metrics" | grep -vc '^#')"
bytes="$(curl -s "$base/metrics" | wc -c)"
scrape_ms="$(for _ in $(seq 1 "$SCRAPES"); do
  curl -s -o /dev/null -w '%{time_total}\n' "$base/metrics"
done | awk '{ print $1 * 1000 }' | median)"
gzip_ms="$(for _ in $(seq 1 "$SCRAPES"); do
  curl -s -o /dev/null -H 'Accept-Encoding: gzip' -w '%{time_total}\n' "$base/metrics"
done | awk '{ print $1 * 1000 }' | median)"

cat <<EOF
## Metrics overhead ($stamp)

- Machine: $(nproc) CPUs, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)
- Tachyon: \`${TACHYON_BINARY}\` ($(binary_id "$TACHYON_BINARY")), 1 worker on CPU $SERVER_CPU, access log off
- Client: \`wrk -t$THREADS -c$CONNECTIONS -d$DURATION\` on CPU $CLIENT_CPU, GET /plaintext, runs interleaved on/off

| metrics | req/s per run | median req/s |
|---|---|---:|
| on (default) | ${rates[on]}| $on_median |
| off (\`--metrics false --slow-request-ms 0\`) | ${rates[off]}| $off_median |

Throughput lost to instrumentation: **$loss %** (target ≤ 3 %).

Scrape of GET /metrics with $series series ($bytes bytes of text), loopback \`curl\` total time, median of $SCRAPES:
**$scrape_ms ms** plain, **$gzip_ms ms** gzip.

Raw wrk output: $out_dir
EOF
