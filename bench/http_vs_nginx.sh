#!/usr/bin/env bash
# Measures HTTP/1.1 keep-alive throughput (req/s) and latency (p50/p99) of Tachyon (1 worker)
# against nginx (1 worker process, access_log off) serving the same bytes and Content-Type, for
# GET /plaintext and GET /json, side by side in one run: servers pinned to CPU 0, wrk pinned to
# CPU 1, runs interleaved tachyon, nginx, tachyon, nginx... Prints a markdown table (req/s per
# run, medians, ratio Tachyon/nginx) and keeps wrk's raw output under bench/results/.
#
# Run from anywhere:  bench/http_vs_nginx.sh
# Environment (defaults): DURATION=10s CONNECTIONS=64 THREADS=1 RUNS=5 WARMUP=2s
#   ROUTES="plaintext json" SERVER_CPU=0 CLIENT_CPU=1 NGINX_MODE=file (or return)
#   EXTRA_TIME=60: seconds, in total, the script may spend beyond its schedule waiting for other
#   processes to use less than QUIET_PERCENT=10% of the CPUs before a pair of runs, and re-running
#   (at most twice) a pair during which other processes took more than CONTENDED_PERCENT=5% of
#   the server's or wrk's CPU, or the server used less than MIN_SERVER_CPU=85% of its CPU (wrk
#   could not keep it busy); runs still disturbed are marked with * in the table.
#   TACHYON_BIN=path (skip the build) BUILD=0 (use build/release/tachyon as is)
# With the defaults the whole script takes about 4 minutes, at most 5.
set -euo pipefail
# shellcheck source=bench/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

DURATION="${DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-64}"
THREADS="${THREADS:-1}"
RUNS="${RUNS:-5}"
WARMUP="${WARMUP:-2s}"
ROUTES="${ROUTES:-plaintext json}"
SERVER_CPU="${SERVER_CPU:-0}"
CLIENT_CPU="${CLIENT_CPU:-1}"
EXTRA_TIME="${EXTRA_TIME:-60}"
QUIET_PERCENT="${QUIET_PERCENT:-10}"
CONTENDED_PERCENT="${CONTENDED_PERCENT:-5}"
MIN_SERVER_CPU="${MIN_SERVER_CPU:-85}"
SERVERS=(tachyon nginx)

[ "$RUNS" -ge 1 ] && [ "$RUNS" -le 20 ] || die "RUNS must be 1..20"
[ "$(nproc)" -ge 2 ] || log "warning: fewer than 2 CPUs; server and wrk share a CPU"

bench_init
TACHYON_BINARY="$(bench_tachyon_binary)"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
out_dir="$RESULTS_DIR/http_vs_nginx-$stamp"
mkdir -p "$out_dir"
raise_nofile 65536 >/dev/null

start_tachyon tachyon "$SERVER_CPU" --workers 1 --access-log false --max-connections 10000 --idle-timeout 600s
start_nginx nginx "$SERVER_CPU" 4096
tachyon_threads="$(find "/proc/$TACHYON_PID/task" -mindepth 1 -maxdepth 1 | wc -l)"

declare -A port=([tachyon]="$TACHYON_PORT" [nginx]="$NGINX_PORT")
declare -A cpu_pid=([tachyon]="$TACHYON_PID" [nginx]="$NGINX_WORKER_PID")
declare -A header_bytes

body_of() { case "$1" in plaintext) printf '%s' "$PLAINTEXT_BODY" ;; json) printf '%s' "$JSON_BODY" ;; esac; }
type_of() { case "$1" in plaintext) printf '%s' "$PLAINTEXT_TYPE" ;; json) printf '%s' "$JSON_TYPE" ;; esac; }

for route in $ROUTES; do
  case "$route" in plaintext | json) ;; *) die "unknown route '$route' (plaintext, json)" ;; esac
  for server in "${SERVERS[@]}"; do
    header_bytes[$server/$route]="$(check_response "$server" "http://127.0.0.1:${port[$server]}/$route" \
      "$(body_of "$route")" "$(type_of "$route")")"
  done
done

# CPU time (ticks) used so far by a process and all its threads.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

run_wrk() {  # run_wrk SERVER ROUTE DURATION OUTPUT_FILE
  local server="$1" route="$2" duration="$3" file="$4"
  taskset -c "$CLIENT_CPU" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$duration" --latency \
    "http://127.0.0.1:${port[$server]}/$route" >"$file" 2>&1 || { cat "$file" >&2; die "wrk failed"; }
}

# cpu_stat N: "busy total" ticks of CPU N from /proc/stat (busy = user + nice + system + steal;
# irq/softirq time is left out because it is not charged to any process either).
cpu_stat() { awk -v cpu="cpu$1" '$1 == cpu { print $2 + $3 + $4 + $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat; }
# CPU ticks of this shell's waited-for children (wrk is run in the foreground, so its time lands here).
children_ticks() { awk '{ print $16 + $17 }' "/proc/$$/stat"; }
# percent A_TICKS B_TICKS: 100 * A / B, at least 0.
percent() { awk -v a="$1" -v b="$2" 'BEGIN { v = b > 0 ? 100 * a / b : 0; printf "%.0f", v < 0 ? 0 : v }'; }

# measure_run SERVER ROUTE RUN: one wrk run; fills the result arrays; returns 1 when other
# processes took more than CONTENDED_PERCENT of the server's or wrk's CPU meanwhile.
measure_run() {
  local server="$1" route="$2" run="$3"
  local file="$out_dir/$server-$route-$run.txt" key="$1/$2/$3"
  local before after s0_busy s0_total c0_busy c0_total s1_busy s1_total c1_busy c1_total wrk_before wrk_after
  before="$(cpu_ticks "${cpu_pid[$server]}")"
  read -r s0_busy s0_total < <(cpu_stat "$SERVER_CPU")
  read -r c0_busy c0_total < <(cpu_stat "$CLIENT_CPU")
  wrk_before="$(children_ticks)"
  run_wrk "$server" "$route" "$DURATION" "$file"
  wrk_after="$(children_ticks)"
  read -r s1_busy s1_total < <(cpu_stat "$SERVER_CPU")
  read -r c1_busy c1_total < <(cpu_stat "$CLIENT_CPU")
  after="$(cpu_ticks "${cpu_pid[$server]}")"
  local r q50 q99 requests socket_errors non2xx
  read -r r q50 q99 requests socket_errors non2xx < <(parse_wrk "$file")
  [ -n "$r" ] || { cat "$file" >&2; die "cannot parse $file"; }
  rps[$key]="$r"
  p50[$key]="$q50"
  p99[$key]="$q99"
  cpu[$key]="$(percent $((after - before)) $((s1_total - s0_total)))"
  # CPU time other processes took on the server's and on wrk's CPU during the run.
  local others_server others_client
  others_server="$(percent $((s1_busy - s0_busy - (after - before))) $((s1_total - s0_total)))"
  others_client="$(percent $((c1_busy - c0_busy - (wrk_after - wrk_before))) $((c1_total - c0_total)))"
  others[$key]="$others_server / $others_client"
  errors[$key]=$((socket_errors + non2xx))
  log "$route run $run $server: $r req/s, p50 ${q50}us, p99 ${q99}us, $requests requests," \
    "server CPU ${cpu[$key]}%, others on CPU $SERVER_CPU/$CLIENT_CPU ${others[$key]}%," \
    "socket errors $socket_errors, non-2xx $non2xx"
  contended[$key]=0
  # A server below MIN_SERVER_CPU means wrk could not keep it busy: disturbed too (VM noise).
  if [ "$others_server" -gt "$CONTENDED_PERCENT" ] || [ "$others_client" -gt "$CONTENDED_PERCENT" ] ||
    [ "${cpu[$key]}" -lt "$MIN_SERVER_CPU" ]; then
    contended[$key]=1
    return 1
  fi
}

extra_spent=0  # seconds spent waiting for a quiet machine or re-running contended pairs
extra_left() { echo $((EXTRA_TIME - extra_spent)); }
busy_before="$(cpu_busy_percent 1)"
declare -A rps p50 p99 cpu errors others contended
reruns=0
log "wrk -t$THREADS -c$CONNECTIONS -d$DURATION, $RUNS runs per server and route, warm-up $WARMUP"
for route in $ROUTES; do
  for server in "${SERVERS[@]}"; do
    run_wrk "$server" "$route" "$WARMUP" "$out_dir/warmup-$server-$route.txt"
  done
  for run in $(seq 1 "$RUNS"); do
    attempt=0
    while :; do
      # Wait (within the EXTRA_TIME budget) for other processes to leave the CPUs alone.
      started=$SECONDS
      [ "$(extra_left)" -le 0 ] || wait_for_quiet_machine "$(extra_left)" "$QUIET_PERCENT" >/dev/null
      extra_spent=$((extra_spent + SECONDS - started))
      started=$SECONDS
      clean=1
      for server in "${SERVERS[@]}"; do
        measure_run "$server" "$route" "$run" || clean=0
      done
      [ "$attempt" -eq 0 ] || extra_spent=$((extra_spent + SECONDS - started))
      if [ "$clean" = 0 ] && [ "$attempt" -lt 2 ] && [ "$(extra_left)" -ge $((SECONDS - started)) ]; then
        attempt=$((attempt + 1))
        reruns=$((reruns + 1))
        log "$route run $run: other processes used the CPUs; running this pair again"
        continue
      fi
      break
    done
  done
done

busy_after="$(cpu_busy_percent 1)"

fmt_rps() { awk -v v="$1" 'BEGIN { printf "%.0f", v }'; }
fmt_us() { awk -v v="$1" 'BEGIN { if (v >= 1000) printf "%.2f ms", v / 1000; else printf "%.0f us", v }'; }

# mark KEY: "*" when other processes took CPU time during that run.
mark() { [ "${contended[$1]}" = 0 ] || printf '*'; }

report="$out_dir/report.md"
summary=()
total_contended=0
{
  echo "## HTTP throughput: Tachyon vs nginx ($stamp)"
  echo
  echo "- Machine: $(machine_description)"
  echo "- Tachyon: \`$TACHYON_BINARY serve --workers 1 --access-log false\` ($tachyon_threads threads), pinned to CPU $SERVER_CPU ($(binary_id "$TACHYON_BINARY"))"
  echo "- nginx $(nginx -v 2>&1 | sed 's/^nginx version: //'): 1 worker process, access_log off, keepalive_requests 1000000, NGINX_MODE=${NGINX_MODE:-file}, pinned to CPU $SERVER_CPU"
  echo "- Load: \`taskset -c $CLIENT_CPU wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency\`, $RUNS runs per server, interleaved, after a $WARMUP warm-up"
  echo "- All CPUs busy (1 s sample): ${busy_before}% before the runs, ${busy_after}% after; load average $(cut -d' ' -f1-3 /proc/loadavg)"
  for route in $ROUTES; do
    echo "- /$route response header bytes: Tachyon ${header_bytes[tachyon/$route]}, nginx ${header_bytes[nginx/$route]}"
  done
  echo "- server CPU: share of CPU $SERVER_CPU used by the server process; others: share of CPU $SERVER_CPU / CPU $CLIENT_CPU used by other processes (* = more than $CONTENDED_PERCENT%, or server CPU below $MIN_SERVER_CPU%: result skewed by other work)"
  for route in $ROUTES; do
    echo
    echo "### GET /$route"
    echo
    echo "| run | Tachyon req/s | nginx req/s | Tachyon p50 | Tachyon p99 | nginx p50 | nginx p99 | server CPU % (T / n) | others % T run | others % n run | errors (T / n) |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    for run in $(seq 1 "$RUNS"); do
      k_t="tachyon/$route/$run" k_n="nginx/$route/$run"
      total_contended=$((total_contended + contended[$k_t] + contended[$k_n]))
      echo "| $run | $(fmt_rps "${rps[$k_t]}")$(mark "$k_t") | $(fmt_rps "${rps[$k_n]}")$(mark "$k_n") | $(fmt_us "${p50[$k_t]}") | $(fmt_us "${p99[$k_t]}") | $(fmt_us "${p50[$k_n]}") | $(fmt_us "${p99[$k_n]}") | ${cpu[$k_t]} / ${cpu[$k_n]} | ${others[$k_t]} | ${others[$k_n]} | ${errors[$k_t]} / ${errors[$k_n]} |"
    done
    declare -A med=() clean=()
    for server in "${SERVERS[@]}"; do
      values_rps=() values_p50=() values_p99=() values_clean=()
      for run in $(seq 1 "$RUNS"); do
        values_rps+=("${rps[$server/$route/$run]}")
        values_p50+=("${p50[$server/$route/$run]}")
        values_p99+=("${p99[$server/$route/$run]}")
        [ "${contended[$server/$route/$run]}" = 1 ] || values_clean+=("${rps[$server/$route/$run]}")
      done
      med[$server/rps]="$(median "${values_rps[@]}")"
      med[$server/p50]="$(median "${values_p50[@]}")"
      med[$server/p99]="$(median "${values_p99[@]}")"
      clean[$server/n]="${#values_clean[@]}"
      clean[$server/rps]="$(median "${values_clean[@]}")"
    done
    ratio="$(awk -v t="${med[tachyon/rps]}" -v n="${med[nginx/rps]}" 'BEGIN { printf "%.2f", t / n }')"
    echo "| **median** | **$(fmt_rps "${med[tachyon/rps]}")** | **$(fmt_rps "${med[nginx/rps]}")** | $(fmt_us "${med[tachyon/p50]}") | $(fmt_us "${med[tachyon/p99]}") | $(fmt_us "${med[nginx/p50]}") | $(fmt_us "${med[nginx/p99]}") | | | | |"
    echo
    echo "Ratio Tachyon/nginx (median req/s): **$ratio**"
    clean_ratio="-"
    if [ "${clean[tachyon/n]}" -lt "$RUNS" ] || [ "${clean[nginx/n]}" -lt "$RUNS" ]; then
      if [ "${clean[tachyon/n]}" -gt 0 ] && [ "${clean[nginx/n]}" -gt 0 ]; then
        clean_ratio="$(awk -v t="${clean[tachyon/rps]}" -v n="${clean[nginx/rps]}" 'BEGIN { printf "%.2f", t / n }')"
        echo "Runs without other work only: Tachyon median $(fmt_rps "${clean[tachyon/rps]}") req/s (${clean[tachyon/n]} runs), nginx median $(fmt_rps "${clean[nginx/rps]}") req/s (${clean[nginx/n]} runs), ratio **$clean_ratio**"
      else
        echo "Runs without other work only: too few (Tachyon ${clean[tachyon/n]}, nginx ${clean[nginx/n]})"
      fi
    else
      clean_ratio="$ratio"
    fi
    summary+=("| /$route | $(fmt_rps "${med[tachyon/rps]}") | $(fmt_rps "${med[nginx/rps]}") | $ratio | $clean_ratio | $(fmt_us "${med[tachyon/p50]}") / $(fmt_us "${med[tachyon/p99]}") | $(fmt_us "${med[nginx/p50]}") / $(fmt_us "${med[nginx/p99]}") |")
  done
  echo
  echo "### Summary (medians of $RUNS runs)"
  echo
  echo "| route | Tachyon req/s | nginx req/s | Tachyon/nginx | ratio, uncontended runs only | Tachyon p50 / p99 | nginx p50 / p99 |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  printf '%s\n' "${summary[@]}"
  [ "$reruns" -eq 0 ] || { echo; echo "$reruns pairs of runs were repeated because other processes used the CPUs."; }
  if [ "$total_contended" -gt 0 ]; then
    echo
    echo "Warning: $total_contended runs shared their CPUs with other processes (marked *); rerun on an idle machine."
  fi
} >"$report"

cat "$report"
log "raw wrk output and this report: $out_dir"
