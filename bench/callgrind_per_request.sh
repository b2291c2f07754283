#!/usr/bin/env bash
# Measures CPU instructions (callgrind Ir) per request of Tachyon (1 worker): runs the server
# under `valgrind --tool=callgrind` twice per route, once serving SMALL and once LARGE sequential
# keep-alive requests on one connection (bench/tools/sequential_client.py, deterministic), and
# prints (Ir(LARGE) - Ir(SMALL)) / (LARGE - SMALL), which removes start-up and shutdown cost.
# Also writes, under bench/results/callgrind_per_request-<time>/, the top 15 functions by self Ir
# of the LARGE run (callgrind_annotate) and the top 15 by Ir per request (difference of the runs).
#
# Run from anywhere:  bench/callgrind_per_request.sh
# Environment (defaults): SMALL=2000 LARGE=12000 ROUTES="plaintext json" TOP=15
#   ROUTES names cases: plaintext, json, and a 10 KB product list page (50 items; all but the first
#   request are cache hits) as identity (list), brotli (list_br) or gzip (list_gzip).
#   plaintext_origin is /plaintext with `Origin: https://app.example.com` (for CORS costs);
#   plaintext_tls and json_tls go over HTTPS (a throwaway P-256 certificate, TLS 1.3, one handshake).
#   product_uncached is GET /v1/products/1 of the demo data with its cache off: every request reads SQLite.
#   SERVE_FLAGS="--security-headers false" (extra `tachyon serve` flags, e.g. to price one feature)
#   TACHYON_BIN=path (skip the build) BUILD=0 (use build/release/tachyon as is)
#   VALGRIND_OPTS (read by valgrind itself) for extra valgrind options.
# Takes about 1-2 minutes (the server runs ~50x slower under callgrind).
set -euo pipefail
# shellcheck source=bench/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

SMALL="${SMALL:-2000}"
LARGE="${LARGE:-12000}"
ROUTES="${ROUTES:-plaintext json}"
TOP="${TOP:-15}"
[ "$SMALL" -ge 1 ] && [ "$LARGE" -gt "$SMALL" ] && [ "$LARGE" -le 200000 ] || die "need 1 <= SMALL < LARGE <= 200000"

bench_init
TACHYON_BINARY="$(bench_tachyon_binary)"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
out_dir="$RESULTS_DIR/callgrind_per_request-$stamp"
mkdir -p "$out_dir"

# total_ir FILE...: sums the `summary:` (or `totals:`) Ir of callgrind output files.
total_ir() {
  awk '/^summary:/ { s += $2 } END { printf "%d\n", s }' "$@"
}

# group 1234567 -> 1,234,567
group() { printf '%s\n' "$1" | sed -e ':a' -e 's/\([0-9]\)\([0-9]\{3\}\)\($\|[,.]\)/\1,\2\3/' -e 'ta'; }

declare -A case_path=([plaintext]=/plaintext [json]=/json [list]='/v1/products?limit=50'
  [list_br]='/v1/products?limit=50' [list_gzip]='/v1/products?limit=50' [plaintext_origin]=/plaintext
  [plaintext_tls]=/plaintext [json_tls]=/json [product_uncached]=/v1/products/1)
declare -A case_header=([list_br]='Accept-Encoding: br' [list_gzip]='Accept-Encoding: gzip'
  [plaintext_origin]='Origin: https://app.example.com')
read -r -a serve_flags <<<"${SERVE_FLAGS:-}"

# profile ROUTE REQUESTS: one callgrind run; sets RUN_IR and RUN_DIR.
profile() {
  local route="$1" requests="$2"
  RUN_DIR="$out_dir/$route-$requests"
  mkdir -p "$RUN_DIR"
  TACHYON_WRAPPER=(valgrind --tool=callgrind --callgrind-out-file="$RUN_DIR/callgrind.out.%p")
  local data=() tls=()
  [[ "$route" == list* || "$route" == product* ]] && data=(--demo-data true)  # these read the demo products
  [ "$route" = product_uncached ] && data+=(--cache-products off)
  if [[ "$route" == *_tls ]]; then
    [ -f "$BENCH_TMP/tls.crt" ] || openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
      -subj /CN=localhost -keyout "$BENCH_TMP/tls.key" -out "$BENCH_TMP/tls.crt" 2>/dev/null
    tls=(--tls-cert-file "$BENCH_TMP/tls.crt" --tls-key-file "$BENCH_TMP/tls.key" --tls-port 0)
  fi
  TACHYON_START_TIMEOUT=120 start_tachyon "callgrind-$route-$requests" 0 \
    --workers 1 --access-log false --idle-timeout 600s "${data[@]}" "${tls[@]}" "${serve_flags[@]}"
  TACHYON_WRAPPER=()
  local port="$TACHYON_PORT" client_tls=()
  if [ "${#tls[@]}" -gt 0 ]; then
    port="$(grep -o '"url":"https://127\.0\.0\.1:[0-9]*"' "$BENCH_TMP/callgrind-$route-$requests.log" | grep -o '[0-9]*"$' | tr -d '"')"
    client_tls=(--tls)
  fi
  local result
  local header=()
  [ -n "${case_header[$route]:-}" ] && header=(--header "${case_header[$route]}")
  result="$(taskset -c 1 python3 "$BENCH_DIR/tools/sequential_client.py" --port "$port" \
    --requests "$requests" --path "${case_path[$route]}" "${header[@]}" "${client_tls[@]}" --timeout 60)" || die "/$route: client failed: $result"
  log "/$route: $result"
  stop_pid "$TACHYON_PID" 120
  local files=("$RUN_DIR"/callgrind.out.*)
  [ -e "${files[0]}" ] || die "callgrind wrote no output into $RUN_DIR"
  cp "$BENCH_TMP/callgrind-$route-$requests.log" "$RUN_DIR/server.log"
  RUN_IR="$(total_ir "${files[@]}")"
  log "/$route: $requests requests: total Ir $(group "$RUN_IR")"
}

# shorten: "file:function [object]" -> "function [object basename]", function cut to 160 characters.
shorten() {
  awk -F'\t' -v OFS='\t' '{
    name = $NF; object = ""
    if (match(name, / \[[^]]*\]$/)) { object = substr(name, RSTART + 2, RLENGTH - 3); name = substr(name, 1, RSTART - 1) }
    sub(/^[^:]*:/, "", name)
    sub(/.*\//, "", object)
    if (length(name) > 160) name = substr(name, 1, 157) "..."
    $NF = name (object == "" ? "" : " [" object "]")
    print }'
}

# annotate_all RUN_DIR OUTPUT: every function's self Ir ("Ir<TAB>function"), summed over the files.
annotate_all() {
  local file
  for file in "$1"/callgrind.out.*; do
    callgrind_annotate --threshold=100 --inclusive=no --auto=no "$file"
  done | awk '
    /file:function/ { table = 1; next }
    table && /^ *[0-9,]+ +\([ 0-9.]+%\) +/ {
      ir = $1; gsub(",", "", ir)
      sub(/^ *[0-9,]+ +\([ 0-9.]+%\) +/, "")
      sum[$0] += ir
      next
    }
    /^$/ { table = 0 }
    END { for (f in sum) printf "%d\t%s\n", sum[f], f }' | sort -t$'\t' -k1,1nr >"$2"
}

declare -A per_request small_ir large_ir
for route in $ROUTES; do
  [ -n "${case_path[$route]:-}" ] || die "unknown route '$route' (${!case_path[*]})"
  profile "$route" "$SMALL"
  small_ir[$route]="$RUN_IR"
  small_dir="$RUN_DIR"
  profile "$route" "$LARGE"
  large_ir[$route]="$RUN_IR"
  large_dir="$RUN_DIR"
  per_request[$route]="$(awk -v a="${large_ir[$route]}" -v b="${small_ir[$route]}" -v n=$((LARGE - SMALL)) \
    'BEGIN { printf "%.0f", (a - b) / n }')"

  annotate_all "$small_dir" "$out_dir/functions-$route-$SMALL.tsv"
  annotate_all "$large_dir" "$out_dir/functions-$route-$LARGE.tsv"
  top_file="$out_dir/top$TOP-$route.txt"
  {
    echo "# GET /$route: top $TOP functions by self Ir, run with $LARGE requests (callgrind_annotate --inclusive=no)"
    echo "# total Ir $(group "${large_ir[$route]}")"
    head -n "$TOP" "$out_dir/functions-$route-$LARGE.tsv" | shorten | awk -F'\t' -v total="${large_ir[$route]}" \
      '{ printf "%15d  %5.1f%%  %s\n", $1, 100 * $1 / total, $2 }'
    echo
    echo "# GET /$route: top $TOP functions by Ir per request: (Ir($LARGE) - Ir($SMALL)) / $((LARGE - SMALL))"
    echo "# Ir per request $(group "${per_request[$route]}")"
    awk -F'\t' -v n=$((LARGE - SMALL)) -v per="${per_request[$route]}" '
      NR == FNR { small[$2] = $1; next }
      { d = ($1 - small[$2]) / n; if (d > 0) printf "%.1f\t%.1f\t%s\n", d, 100 * d / per, $2 }' \
      "$out_dir/functions-$route-$SMALL.tsv" "$out_dir/functions-$route-$LARGE.tsv" \
      | sort -t$'\t' -k1,1gr | awk -v n="$TOP" 'NR <= n' | shorten | awk -F'\t' '{ printf "%10s  %5.1f%%  %s\n", $1, $2, $3 }'
  } >"$top_file"
  log "/$route: $(group "${per_request[$route]}") Ir per request; top functions in $top_file"
done

report="$out_dir/report.md"
{
  echo "## Instructions per request under callgrind ($stamp)"
  echo
  echo "- Machine: $(machine_description); $(valgrind --version)"
  echo "- Tachyon: \`valgrind --tool=callgrind $TACHYON_BINARY serve --workers 1 --access-log false ${SERVE_FLAGS:-}\` ($(binary_id "$TACHYON_BINARY"))"
  echo "- Client: \`bench/tools/sequential_client.py --requests N\`: N sequential GETs on one keep-alive connection"
  echo
  echo "| route | total Ir, $SMALL requests | total Ir, $LARGE requests | Ir per request |"
  echo "|---|---:|---:|---:|"
  for route in $ROUTES; do
    echo "| /$route | $(group "${small_ir[$route]}") | $(group "${large_ir[$route]}") | **$(group "${per_request[$route]}")** |"
  done
  echo
  echo "Top functions: $out_dir/top$TOP-<route>.txt"
} >"$report"
cat "$report"
for route in $ROUTES; do
  echo
  cat "$out_dir/top$TOP-$route.txt"
done
