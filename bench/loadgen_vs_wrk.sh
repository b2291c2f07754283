#!/usr/bin/env bash
# Load-generator efficiency: `tachyon bench` against wrk, in one run, on the same target
# (`tachyon serve --workers 1 --access-log false`, GET /plaintext) pinned to CPU 0, both generators
# pinned to CPU 1, one thread each, interleaved (tachyon bench, wrk, tachyon bench, wrk...) at 16,
# 64 and 256 connections. Reports the medians of RUNS runs of req/s and of requests per generator
# CPU-second (user + system ticks of the generator, from /proc/$$/stat of this shell, which waits
# for it), and the ratio tachyon bench / wrk. Prints a markdown table; raw output in bench/results/.
#
# Run from anywhere:  bench/loadgen_vs_wrk.sh
# Environment (defaults): DURATION=5 (seconds) RUNS=5 CONNECTION_COUNTS="16 64 256"
#   SERVER_CPU=0 CLIENT_CPU=1 TACHYON_BIN=path (skip the build; the same binary is server and
#   generator) BUILD=0 (use build/release/tachyon as is)
# With the defaults the script takes about 3 minutes.
set -euo pipefail
# shellcheck source=bench/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

DURATION="${DURATION:-5}"
RUNS="${RUNS:-5}"
CONNECTION_COUNTS="${CONNECTION_COUNTS:-16 64 256}"
SERVER_CPU="${SERVER_CPU:-0}"
CLIENT_CPU="${CLIENT_CPU:-1}"

[ "$RUNS" -ge 1 ] && [ "$RUNS" -le 20 ] || die "RUNS must be 1..20"
[ "$(nproc)" -ge 2 ] || log "warning: fewer than 2 CPUs; server and generator share a CPU"

bench_init
TACHYON_BINARY="$(bench_tachyon_binary)"
raise_nofile 20000 >/dev/null
start_tachyon target "$SERVER_CPU" --workers 1 --access-log false --max-connections 10000 --idle-timeout 600s
url="http://127.0.0.1:$TACHYON_PORT/plaintext"
out_dir="$RESULTS_DIR/loadgen-vs-wrk-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out_dir"

# CPU ticks of the waited-for children of the (sub)shell that runs the generator in the foreground.
children_ticks() { awk '{ print $16 + $17 }' "/proc/$1/stat"; }  # children_ticks SHELL_PID
ticks_per_second="$(getconf CLK_TCK)"
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# run_generator TOOL CONNECTIONS FILE: one run; prints "req_per_s requests cpu_seconds".
run_generator() {
  local tool="$1" connections="$2" file="$3" before after requests rps self="$BASHPID"
  before="$(children_ticks "$self")"
  if [ "$tool" = tachyon ]; then
    taskset -c "$CLIENT_CPU" "$TACHYON_BINARY" bench -t 1 -c "$connections" -d "${DURATION}s" --quiet \
      --json "$file.json" "$url" >"$file" 2>&1 || { cat "$file" >&2; die "tachyon bench failed"; }
    after="$(children_ticks "$self")"
    read -r requests rps < <(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["requests"], d["rps"])' "$file.json")
  else
    taskset -c "$CLIENT_CPU" wrk -t1 -c"$connections" -d"${DURATION}s" "$url" >"$file" 2>&1 || { cat "$file" >&2; die "wrk failed"; }
    after="$(children_ticks "$self")"
    requests="$(awk '/requests in/ { print $1 }' "$file")"
    rps="$(awk '/Requests\/sec/ { print $2 }' "$file")"
  fi
  awk -v rps="$rps" -v n="$requests" -v t="$((after - before))" -v hz="$ticks_per_second" \
    'BEGIN { printf "%.0f %d %.2f\n", rps, n, t / hz }'
}

log "warm-up"
run_generator wrk 64 "$out_dir/warmup.txt" >/dev/null
declare -A rps_runs per_cpu_runs
for connections in $CONNECTION_COUNTS; do
  for run in $(seq 1 "$RUNS"); do
    for tool in tachyon wrk; do
      read -r rps requests cpu < <(run_generator "$tool" "$connections" "$out_dir/$tool-c$connections-$run.txt")
      per_cpu="$(awk -v n="$requests" -v c="$cpu" 'BEGIN { printf "%.0f", (c > 0 ? n / c : 0) }')"
      log "$tool -c$connections run $run: $rps req/s, $requests requests in $cpu CPU-s ($per_cpu per CPU-s)"
      rps_runs[$tool-$connections]+="$rps "
      per_cpu_runs[$tool-$connections]+="$per_cpu "
    done
  done
done

{
  echo "- Target: \`tachyon serve --workers 1 --access-log false\` pinned to CPU $SERVER_CPU, GET /plaintext"
  echo "- Generators pinned to CPU $CLIENT_CPU, one thread each: \`tachyon bench -t 1 -c N -d ${DURATION}s\` and \`wrk -t1 -cN -d${DURATION}s\`, interleaved, $RUNS runs each, medians"
  echo "- Binary: $TACHYON_BINARY ($(binary_id "$TACHYON_BINARY")); $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)"
  echo
  echo "| connections | tachyon bench req/s | wrk req/s | ratio | tachyon bench req per CPU-s | wrk req per CPU-s | ratio |"
  echo "|---|---|---|---|---|---|---|"
  for connections in $CONNECTION_COUNTS; do
    t_rps="$(tr ' ' '\n' <<<"${rps_runs[tachyon-$connections]}" | grep . | median)"
    w_rps="$(tr ' ' '\n' <<<"${rps_runs[wrk-$connections]}" | grep . | median)"
    t_cpu="$(tr ' ' '\n' <<<"${per_cpu_runs[tachyon-$connections]}" | grep . | median)"
    w_cpu="$(tr ' ' '\n' <<<"${per_cpu_runs[wrk-$connections]}" | grep . | median)"
    awk -v c="$connections" -v a="$t_rps" -v b="$w_rps" -v x="$t_cpu" -v y="$w_cpu" \
      'BEGIN { printf "| %d | %.0f | %.0f | %.2f | %.0f | %.0f | %.2f |\n", c, a, b, (b > 0 ? a / b : 0), x, y, (y > 0 ? x / y : 0) }'
  done
} | tee "$out_dir/report.md"
log "raw output and this report: $out_dir"
