#!/usr/bin/env bash
# Streamed export throughput: ROWS products inserted straight into a SQLite file, then
# `GET /v1/products?category=bulk` as NDJSON and CSV, identity, gzip and br, read by curl pinned to CPU 1
# with the server (1 worker) on CPU 0. Reports rows and MB (of identity bytes) per server CPU-second
# (utime + stime of the server from /proc/PID/stat over the transfer), the median of RUNS, and the peak
# RSS of the server during the run.
#
# Run from anywhere:  bench/export_throughput.sh
# Environment (defaults): ROWS=1000000 RUNS=3 TACHYON_BIN=path BUILD=0 (use build/release/tachyon as is)
set -euo pipefail
# shellcheck source=bench/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

ROWS="${ROWS:-1000000}"
RUNS="${RUNS:-3}"
bench_init
TACHYON_BINARY="$(bench_tachyon_binary)"
database="$BENCH_TMP/export.db"

start_tachyon export 0 --workers 1 --access-log false --database-url "sqlite:$database"
python3 - "$database" "$ROWS" <<'PY'
import sqlite3, sys
connection = sqlite3.connect(sys.argv[1], timeout=30)
connection.execute(
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
    "INSERT INTO products (sku, name, category, price_cents, stock, created_at, updated_at) "
    "SELECT 'BULK-' || i, 'Bulk item ' || i, 'bulk', i % 50000, i % 500, "
    "'2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z' FROM n", (int(sys.argv[2]),))
connection.commit()
PY
log "inserted $ROWS rows"
ticks_per_second="$(getconf CLK_TCK)"
url="http://127.0.0.1:$TACHYON_PORT/v1/products?category=bulk"

echo "| format | coding | bytes sent | rows per server CPU-second | identity MB per server CPU-second | peak RSS MiB |"
echo "|---|---|---:|---:|---:|---:|"
for format in ndjson csv; do
  accept="application/x-ndjson"
  [ "$format" = csv ] && accept="text/csv"
  identity_bytes="$(curl -s -H "Accept: $accept" "$url" | wc -c)"
  for coding in identity gzip br; do
    rates=() sent=0 peak=0
    for _ in $(seq "$RUNS"); do
      before="$(cpu_ticks "$TACHYON_PID")"
      ( while kill -0 "$TACHYON_PID" 2>/dev/null; do rss_kib "$TACHYON_PID"; sleep 0.2; done ) >"$BENCH_TMP/rss" &
      sampler=$!
      sent="$(taskset -c 1 curl -s -H "Accept: $accept" -H "Accept-Encoding: $coding" "$url" | wc -c)"
      kill "$sampler" 2>/dev/null || true
      wait "$sampler" 2>/dev/null || true
      after="$(cpu_ticks "$TACHYON_PID")"
      rates+=("$(awk -v r="$ROWS" -v t=$((after - before)) -v hz="$ticks_per_second" 'BEGIN { printf "%.0f", r / (t / hz) }')")
      peak="$(sort -n "$BENCH_TMP/rss" | tail -1 | awk -v p="$peak" '{ print ($1 > p ? $1 : p) }')"
    done
    rows_per_second="$(median "${rates[@]}")"
    mb="$(awk -v rps="$rows_per_second" -v b="$identity_bytes" -v r="$ROWS" 'BEGIN { printf "%.1f", rps * b / r / 1e6 }')"
    echo "| $format | $coding | $sent | $rows_per_second | $mb | $(kib_to_mib "$peak") |"
  done
done
