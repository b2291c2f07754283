#!/usr/bin/env bash
# Load-generator efficiency: `tachyon bench` against wrk, in one run, on the same target
# (`tachyon serve --workers 1 --access-log false`, GET /plaintext) pinned to CPU 0, both generators
# pinned to CPU 1, one thread each, interleaved (tachyon bench, wrk, floor, tachyon bench...) at 16,
# 64 and 256 connections. Reports the medians of RUNS runs of req/s and of requests per generator
# CPU-second (user + system ticks of the generator, from /proc/$$/stat of this shell, which waits
# for it), and the ratio tachyon bench / wrk. Prints a markdown table; raw output in bench/results/.
#
# Then, unless ACCURACY=0, latency accuracy against the ground-truth server
# (bench/tools/loadgen_ground_truth.cpp, the tests' server as a program, pinned to SERVER_CPU):
# it answers each request after DELAY_US and logs its own time per request (from the kernel's
# receive timestamp of the request); for RUNS runs, each on a fresh server, `tachyon bench` closed
# (-c 1, with kernel arrival stamps and with --timestamps user) and open (-c 4 -R 1000) and `wrk -c1
# --latency` report p50/p99, set against the server's p50/p99 of the same run. And unless STALL=0, the
# coordinated-omission check: a fixed-rate run at 8,000 req/s for 20 s while the target is frozen
# (SIGSTOP) for 1 s (expected p99 about 0.80 s and p99.9 about 0.98 s).
#
# Run from anywhere:  bench/loadgen_vs_wrk.sh
# Environment (defaults): DURATION=5 (seconds) RUNS=5 CONNECTION_COUNTS="16 64 256"
#   SERVER_CPU=0 CLIENT_CPU=1 TACHYON_BIN=path (skip the build; the same binary is server and
#   generator) BUILD=0 (use build/release/tachyon and build/release/tests/loadgen_ground_truth as
#   they are) ACCURACY=1 DELAY_US=1000 STALL=1 GROUND_TRUTH_BIN=path
#   BASELINE_BIN=path: another `tachyon` build (e.g. the commit before a change) run as a third
#   generator in the same interleaving, with its own table against the measured build
#   FLOOR_BIN=path (default build/release/tests/loadgen_floor): the bare epoll loop run as the
#   third generator, the floor of what any generator costs per request on this kernel
# With the defaults the script takes about 6 minutes.
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

ACCURACY="${ACCURACY:-1}"
STALL="${STALL:-1}"
DELAY_US="${DELAY_US:-1000}"

bench_init
TACHYON_BINARY="$(bench_tachyon_binary)"
if [ "$ACCURACY" = 1 ]; then
  GROUND_TRUTH="${GROUND_TRUTH_BIN:-$REPO_ROOT/build/release/tests/loadgen_ground_truth}"
  if [ -z "${GROUND_TRUTH_BIN:-}" ] && [ "${BUILD:-1}" != 0 ]; then
    "$REPO_ROOT/scripts/build.sh" release loadgen_ground_truth >&2 || die "building loadgen_ground_truth failed"
  fi
  [ -x "$GROUND_TRUTH" ] || die "$GROUND_TRUTH does not exist (scripts/build.sh release loadgen_ground_truth)"
fi
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
  if [ "$tool" = tachyon ] || [ "$tool" = baseline ]; then
    local generator="$TACHYON_BINARY"
    [ "$tool" = baseline ] && generator="$BASELINE_BIN"
    taskset -c "$CLIENT_CPU" "$generator" bench -t 1 -c "$connections" -d "${DURATION}s" --quiet \
      --json "$file.json" "$url" >"$file" 2>&1 || { cat "$file" >&2; die "tachyon bench failed"; }
    after="$(children_ticks "$self")"
    read -r requests rps < <(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["requests"], d["rps"])' "$file.json")
  elif [ "$tool" = floor ]; then
    taskset -c "$CLIENT_CPU" "$FLOOR" 127.0.0.1 "$TACHYON_PORT" /plaintext "$connections" "$DURATION" >"$file" 2>&1 ||
      { cat "$file" >&2; die "loadgen_floor failed"; }
    after="$(children_ticks "$self")"
    requests="$(awk '/^requests/ { print $2 }' "$file")"
    rps="$(awk -v n="$requests" -v d="$DURATION" 'BEGIN { print n / d }')"
  else
    taskset -c "$CLIENT_CPU" wrk -t1 -c"$connections" -d"${DURATION}s" "$url" >"$file" 2>&1 || { cat "$file" >&2; die "wrk failed"; }
    after="$(children_ticks "$self")"
    requests="$(awk '/requests in/ { print $1 }' "$file")"
    rps="$(awk '/Requests\/sec/ { print $2 }' "$file")"
  fi
  awk -v rps="$rps" -v n="$requests" -v t="$((after - before))" -v hz="$ticks_per_second" \
    'BEGIN { printf "%.0f %d %.2f\n", rps, n, t / hz }'
}

TOOLS="tachyon wrk floor"
FLOOR="${FLOOR_BIN:-$REPO_ROOT/build/release/tests/loadgen_floor}"
if [ -z "${FLOOR_BIN:-}" ] && [ "${BUILD:-1}" != 0 ]; then
  "$REPO_ROOT/scripts/build.sh" release loadgen_floor >&2 || die "building loadgen_floor failed"
fi
[ -x "$FLOOR" ] || die "$FLOOR does not exist (scripts/build.sh release loadgen_floor)"
if [ -n "${BASELINE_BIN:-}" ]; then
  [ -x "$BASELINE_BIN" ] || die "BASELINE_BIN=$BASELINE_BIN is not executable"
  TOOLS="tachyon wrk floor baseline"
fi
log "warm-up"
run_generator wrk 64 "$out_dir/warmup.txt" >/dev/null
declare -A rps_runs per_cpu_runs
for connections in $CONNECTION_COUNTS; do
  for run in $(seq 1 "$RUNS"); do
    for tool in $TOOLS; do
      read -r rps requests cpu < <(run_generator "$tool" "$connections" "$out_dir/$tool-c$connections-$run.txt")
      per_cpu="$(awk -v n="$requests" -v c="$cpu" 'BEGIN { printf "%.0f", (c > 0 ? n / c : 0) }')"
      log "$tool -c$connections run $run: $rps req/s, $requests requests in $cpu CPU-s ($per_cpu per CPU-s)"
      rps_runs[$tool-$connections]+="$rps "
      per_cpu_runs[$tool-$connections]+="$per_cpu "
    done
  done
done

# rps_median TOOL / per_cpu_median TOOL: the median over the runs at $connections connections.
rps_median() { tr ' ' '\n' <<<"${rps_runs[$1-$connections]}" | grep . | median; }
per_cpu_median() { tr ' ' '\n' <<<"${per_cpu_runs[$1-$connections]}" | grep . | median; }
# ratio_rows A B: per connection count, A's and B's req/s and req per CPU-s and the ratios B / A.
ratio_rows() {
  for connections in $CONNECTION_COUNTS; do
    awk -v c="$connections" -v a="$(rps_median "$1")" -v b="$(rps_median "$2")" \
      -v x="$(per_cpu_median "$1")" -v y="$(per_cpu_median "$2")" \
      'BEGIN { printf "| %d | %.0f | %.0f | %.2f | %.0f | %.0f | %.2f |\n", c, a, b, (a > 0 ? b / a : 0), x, y, (x > 0 ? y / x : 0) }'
  done
}
{
  echo "- Target: \`tachyon serve --workers 1 --access-log false\` pinned to CPU $SERVER_CPU, GET /plaintext"
  echo "- Generators pinned to CPU $CLIENT_CPU, one thread each: \`tachyon bench -t 1 -c N -d ${DURATION}s\` and \`wrk -t1 -cN -d${DURATION}s\`, interleaved, $RUNS runs each, medians"
  echo "- Binary: $TACHYON_BINARY ($(binary_id "$TACHYON_BINARY")); $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)"
  echo
  echo "| connections | wrk req/s | tachyon bench req/s | ratio | wrk req per CPU-s | tachyon bench req per CPU-s | ratio |"
  echo "|---|---|---|---|---|---|---|"
  ratio_rows wrk tachyon
  echo
  echo "Against the floor (bench/tools/loadgen_floor.cpp: a bare edge-triggered epoll loop, one recv and one send per request, no statistics), same runs:"
  echo
  echo "| connections | floor req per CPU-s | tachyon bench / floor | wrk / floor |"
  echo "|---|---|---|---|"
  for connections in $CONNECTION_COUNTS; do
    f_cpu="$(per_cpu_median floor)"
    t_cpu="$(per_cpu_median tachyon)"
    w_cpu="$(per_cpu_median wrk)"
    awk -v c="$connections" -v f="$f_cpu" -v t="$t_cpu" -v w="$w_cpu" \
      'BEGIN { printf "| %d | %.0f | %.2f | %.2f |\n", c, f, (f > 0 ? t / f : 0), (f > 0 ? w / f : 0) }'
  done
  if [ -n "${BASELINE_BIN:-}" ]; then
    echo
    echo "Against the baseline build $BASELINE_BIN ($(binary_id "$BASELINE_BIN")), same runs:"
    echo
    echo "| connections | baseline req/s | measured req/s | ratio | baseline req per CPU-s | measured req per CPU-s | ratio |"
    echo "|---|---|---|---|---|---|---|"
    ratio_rows baseline tachyon
  fi
} | tee "$out_dir/report.md"

# start_ground_truth NAME [flags...]: the ground-truth server pinned to SERVER_CPU; sets GT_PID,
# GT_PORT and GT_LOG (its per-request times, written when it stops).
start_ground_truth() {
  local name="$1"
  shift
  GT_LOG="$out_dir/$name.server-times"
  taskset -c "$SERVER_CPU" "$GROUND_TRUTH" --log "$GT_LOG" "$@" >"$out_dir/$name.server-out" 2>&1 &
  GT_PID=$!
  BENCH_PIDS+=("$GT_PID")
  GT_PORT=""
  for _ in $(seq 1 100); do
    GT_PORT="$(awk '/^port / { print $2 }' "$out_dir/$name.server-out" 2>/dev/null || true)"
    [ -n "$GT_PORT" ] && break
    sleep 0.05
  done
  [ -n "$GT_PORT" ] || die "loadgen_ground_truth did not start"
}
# server_percentiles FILE: "p50 p99" (microseconds) of the server's own per-request times.
server_percentiles() {
  python3 -c '
import sys
times = sorted(int(line) for line in open(sys.argv[1]) if line.strip())
pick = lambda p: times[min(len(times) - 1, int(p / 100 * len(times)))]
print(pick(50), pick(99))' "$1"
}
# wrk_us TEXT: "1.23ms" / "456.00us" / "1.20s" -> microseconds
wrk_us() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) f = 1; else if (v ~ /ms$/) f = 1000; else f = 1000000; printf "%.0f", n * f }'; }

if [ "$ACCURACY" = 1 ]; then
  log "accuracy against the ground-truth server (delay ${DELAY_US}us)"
  declare -A accuracy
  for run in $(seq 1 "$RUNS"); do
    for mode in closed closed_user open wrk; do
      name="accuracy-$mode-$run"
      start_ground_truth "$name" --delay-us "$DELAY_US"
      target="http://127.0.0.1:$GT_PORT/"
      case "$mode" in
        closed) taskset -c "$CLIENT_CPU" "$TACHYON_BINARY" bench -t 1 -c 1 -d "${DURATION}s" --quiet --json "$out_dir/$name.json" \
                  "$target" >"$out_dir/$name.txt" 2>&1 || die "tachyon bench failed" ;;
        closed_user) taskset -c "$CLIENT_CPU" "$TACHYON_BINARY" bench -t 1 -c 1 -d "${DURATION}s" --timestamps user --quiet \
                  --json "$out_dir/$name.json" "$target" >"$out_dir/$name.txt" 2>&1 || die "tachyon bench failed" ;;
        open)   taskset -c "$CLIENT_CPU" "$TACHYON_BINARY" bench -t 1 -c 4 -R 1000 -d "${DURATION}s" --quiet \
                  --json "$out_dir/$name.json" "$target" >"$out_dir/$name.txt" 2>&1 || die "tachyon bench failed" ;;
        wrk)    taskset -c "$CLIENT_CPU" wrk -t1 -c1 -d"${DURATION}s" --latency "$target" >"$out_dir/$name.txt" 2>&1 || die "wrk failed" ;;
      esac
      stop_pid "$GT_PID"
      read -r server_p50 server_p99 < <(server_percentiles "$GT_LOG")
      if [ "$mode" = wrk ]; then
        client_p50="$(wrk_us "$(awk '$1 == "50%" { print $2 }' "$out_dir/$name.txt")")"
        client_p99="$(wrk_us "$(awk '$1 == "99%" { print $2 }' "$out_dir/$name.txt")")"
      else
        read -r client_p50 client_p99 < <(python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))["latency"]; print(d["p50_us"], d["p99_us"])' "$out_dir/$name.json")
      fi
      log "$mode run $run: server p50 ${server_p50}us p99 ${server_p99}us; client p50 ${client_p50}us p99 ${client_p99}us"
      accuracy[$mode-server50]+="$server_p50 "
      accuracy[$mode-server99]+="$server_p99 "
      accuracy[$mode-client50]+="$client_p50 "
      accuracy[$mode-client99]+="$client_p99 "
      accuracy[$mode-delta50]+="$((client_p50 - server_p50)) "
      accuracy[$mode-delta99]+="$((client_p99 - server_p99)) "
    done
  done
  {
    echo
    echo "Accuracy: ground-truth server (delay ${DELAY_US}us) pinned to CPU $SERVER_CPU, generator to CPU $CLIENT_CPU, ${DURATION}s per run, $RUNS runs each, medians (µs); Δ = generator's figure minus the server's own, per run"
    echo
    echo "| generator | server p50 | reported p50 | Δ p50 | server p99 | reported p99 | Δ p99 |"
    echo "|---|---|---|---|---|---|---|"
    for mode in closed closed_user open wrk; do
      case "$mode" in
        closed) label="tachyon bench -c 1 (closed)" ;;
        closed_user) label="tachyon bench -c 1 --timestamps user (closed, generator clock)" ;;
        open) label="tachyon bench -c 4 -R 1000 (open, from intended time)" ;;
        wrk) label="wrk -c1 --latency" ;;
      esac
      row="| $label"
      for key in server50 client50 delta50 server99 client99 delta99; do
        row+=" | $(tr ' ' '\n' <<<"${accuracy[$mode-$key]}" | grep . | median)"
      done
      echo "$row |"
    done
  } | tee -a "$out_dir/report.md"
fi

if [ "$STALL" = 1 ]; then
  # The target (tachyon serve, far faster than the thread-per-connection ground-truth server, so
  # the backlog after the freeze drains quickly) is frozen with SIGSTOP for 1 s, 5 s into the run.
  log "coordinated omission: 8000 req/s for 20 s, the target frozen (SIGSTOP) for 1 s after 5 s"
  taskset -c "$CLIENT_CPU" "$TACHYON_BINARY" bench -t 1 -c 64 -R 8000 -d 20s --quiet --json "$out_dir/stall.json" \
    "$url" >"$out_dir/stall.txt" 2>&1 &
  stall_bench=$!
  sleep 5
  kill -STOP "$TACHYON_PID"
  sleep 1
  kill -CONT "$TACHYON_PID"
  wait "$stall_bench" || die "tachyon bench failed during the stall run"
  python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
l, u = d["latency"], d["latency_uncorrected"]
print()
print("Coordinated omission: `tachyon bench -t 1 -c 64 -R 8000 -d 20s` against the target, frozen 1 s with SIGSTOP (expected p99 ≈ 0.80 s, p99.9 ≈ 0.98 s)")
print()
print("| | p50 | p99 | p99.9 | max | requests | late sends | dropped |")
print("|---|---|---|---|---|---|---|---|")
print("| corrected (from intended time) | %.3f ms | %.3f s | %.3f s | %.3f s | %d | %d | %d |" % (l["p50_us"] / 1e3, l["p99_us"] / 1e6, l["p99.9_us"] / 1e6, l["max_us"] / 1e6, d["requests"], d["late_sends"], d["dropped"]))
print("| uncorrected (from actual send) | %.3f ms | %.3f s | %.3f s | %.3f s | | | |" % (u["p50_us"] / 1e3, u["p99_us"] / 1e6, u["p99.9_us"] / 1e6, u["max_us"] / 1e6))
' "$out_dir/stall.json" | tee -a "$out_dir/report.md"
fi
log "raw output and this report: $out_dir"
