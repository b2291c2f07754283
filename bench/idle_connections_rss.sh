#!/usr/bin/env bash
# Measures the resident memory (VmRSS from /proc/PID/status) of Tachyon (1 worker,
# --max-connections 20000) before and while it holds 10,000 idle keep-alive connections, each of
# which has served one GET /plaintext; then the same for an nginx worker process (1 worker) for
# reference. Reports MiB and KiB per connection; target for Tachyon with 10,000 connections: <= 64 MiB.
#
# Run from anywhere:  bench/idle_connections_rss.sh
# Environment (defaults): CONNECTIONS=10000 SETTLE=2 (seconds before reading RSS)
#   TARGET_MIB=64 TACHYON_BIN=path (skip the build) BUILD=0 (use build/release/tachyon as is)
# Takes about 30 seconds. The client is bench/tools/idle_client.py (python3).
set -euo pipefail
# shellcheck source=bench/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

CONNECTIONS="${CONNECTIONS:-10000}"
SETTLE="${SETTLE:-2}"
TARGET_MIB="${TARGET_MIB:-64}"
[ "$CONNECTIONS" -ge 1 ] && [ "$CONNECTIONS" -le 25000 ] || die "CONNECTIONS must be 1..25000"

bench_init
TACHYON_BINARY="$(bench_tachyon_binary)"
nofile="$(raise_nofile 65536)"
[ "$nofile" -gt $((CONNECTIONS + 100)) ] || die "open-file limit $nofile is too low for $CONNECTIONS connections"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"

# measure NAME PID PORT: runs the idle client against PORT and appends one markdown table row to
# ROWS; PID is the process whose RSS is read. Sets DURING_MIB.
measure() {
  local name="$1" pid="$2" port="$3"
  local client_log="$BENCH_TMP/client-$name.log"
  sleep "$SETTLE"
  local before
  before="$(rss_kib "$pid")"
  python3 "$BENCH_DIR/tools/idle_client.py" --port "$port" --connections "$CONNECTIONS" --path /plaintext \
    --hold 600 >"$client_log" 2>&1 &
  local client=$!
  BENCH_PIDS+=("$client")
  local deadline=$((SECONDS + 180))
  while ! grep -q '^ready ' "$client_log"; do
    kill -0 "$client" 2>/dev/null || { cat "$client_log" >&2; die "$name: idle client exited early"; }
    [ "$SECONDS" -lt "$deadline" ] || die "$name: idle client did not get ready in 180 s"
    sleep 0.2
  done
  local ready
  ready="$(grep '^ready ' "$client_log")"
  log "$name: client $ready"
  sleep "$SETTLE"
  local during hwm threads established
  during="$(rss_kib "$pid")"
  hwm="$(awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status")"
  threads="$(find "/proc/$pid/task" -mindepth 1 -maxdepth 1 | wc -l)"
  established="$(ss -Htn state established "( sport = :$port )" 2>/dev/null | wc -l || echo "?")"
  kill -USR1 "$client"
  deadline=$((SECONDS + 30))
  while ! grep -q '^open=' "$client_log" && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.2; done
  local open
  open="$(grep -o '^open=.*' "$client_log" | awk 'NR == 1')"
  stop_pid "$client" 30
  sleep "$SETTLE"
  local after established_after
  after="$(rss_kib "$pid")"
  established_after="$(ss -Htn state established "( sport = :$port )" 2>/dev/null | wc -l || echo "?")"
  local opened per
  opened="$(sed -n 's/^ready opened=\([0-9]*\).*/\1/p' "$client_log")"
  per="$(awk -v a="$during" -v b="$before" -v n="${opened:-0}" 'BEGIN { if (n > 0) printf "%.1f", (a - b) / n; else print "n/a" }')"
  log "$name: RSS before $(kib_to_mib "$before") MiB, with connections $(kib_to_mib "$during") MiB" \
    "(peak $(kib_to_mib "$hwm") MiB), after closing $(kib_to_mib "$after") MiB;" \
    "established server-side: $established with the client, $established_after after it closed; client $open"
  DURING_MIB="$(kib_to_mib "$during")"
  ROWS+=("$(printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |' "$name" "$(kib_to_mib "$before")" \
    "$DURING_MIB" "$per" "$(kib_to_mib "$after")" "$(kib_to_mib "$hwm")" "${ready#ready }" "${open:-?}" "$threads")")
}

ROWS=()
start_tachyon tachyon - --workers 1 --access-log false --max-connections 20000 --idle-timeout 600s
check_response tachyon "http://127.0.0.1:$TACHYON_PORT/plaintext" "$PLAINTEXT_BODY" "$PLAINTEXT_TYPE" >/dev/null
measure tachyon "$TACHYON_PID" "$TACHYON_PORT"
tachyon_during="$DURING_MIB"
stop_pid "$TACHYON_PID" 15

start_nginx nginx - $((CONNECTIONS + 1024))
check_response nginx "http://127.0.0.1:$NGINX_PORT/plaintext" "$PLAINTEXT_BODY" "$PLAINTEXT_TYPE" >/dev/null
measure "nginx worker" "$NGINX_WORKER_PID" "$NGINX_PORT"
stop_pid "$NGINX_PID" 15

verdict="$(awk -v m="$tachyon_during" -v t="$TARGET_MIB" 'BEGIN { print (m <= t) ? "met" : "NOT met" }')"
report="$RESULTS_DIR/idle_connections_rss-$stamp.md"
{
  echo "## Idle keep-alive connections: resident memory ($stamp)"
  echo
  echo "- Machine: $(machine_description)"
  echo "- Tachyon: \`$TACHYON_BINARY serve --workers 1 --access-log false --max-connections 20000 --idle-timeout 600s\` ($(binary_id "$TACHYON_BINARY"))"
  echo "- nginx $(nginx -v 2>&1 | sed 's/^nginx version: //'): 1 worker process, worker_connections $((CONNECTIONS + 1024)); RSS of the worker"
  echo "- Client: \`bench/tools/idle_client.py --connections $CONNECTIONS\` (one GET /plaintext per connection, then idle); open-file limit $nofile"
  echo
  echo "| server | RSS before (MiB) | RSS with $CONNECTIONS idle (MiB) | KiB per connection | RSS after close (MiB) | peak VmHWM (MiB) | client | still open at measurement | threads |"
  echo "|---|---:|---:|---:|---:|---:|---|---|---:|"
  printf '%s\n' "${ROWS[@]}"
  echo
  echo "Target: Tachyon <= $TARGET_MIB MiB with $CONNECTIONS idle connections: **$verdict** ($tachyon_during MiB)."
} >"$report"
cat "$report"
log "report: $report"
