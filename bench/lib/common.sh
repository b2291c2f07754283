# Shared helpers for the bench/*.sh scripts: process tracking and cleanup, starting Tachyon and
# nginx on free loopback ports, reading RSS, and small number formatting helpers.
# Not meant to be run: `source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"` from a bench script.
# shellcheck shell=bash

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPO_ROOT="$(cd "$BENCH_DIR/.." && pwd)"
RESULTS_DIR="$BENCH_DIR/results"

# Every process started through bench_spawn; stopped (TERM, then KILL) on exit.
BENCH_PIDS=()
BENCH_TMP=""
TACHYON_WRAPPER=()

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

bench_cleanup() {
  local status=$?
  local pid
  for pid in "${BENCH_PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${BENCH_PIDS[@]}"; do
    local waited=0
    while kill -0 "$pid" 2>/dev/null && [ "$waited" -lt 100 ]; do
      sleep 0.1
      waited=$((waited + 1))
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  BENCH_PIDS=()
  if [ -n "$BENCH_TMP" ] && [ -d "$BENCH_TMP" ] && [ "${BENCH_KEEP_TMP:-0}" != 1 ]; then
    rm -rf "$BENCH_TMP"
  fi
  return "$status"
}

# bench_init: installs the bench packages, makes the temp dir and installs the EXIT trap.
bench_init() {
  "$REPO_ROOT/scripts/install-deps.sh" bench
  command -v python3 >/dev/null || die "python3 is required"
  BENCH_TMP="$(mktemp -d /tmp/tachyon-bench.XXXXXX)"
  chmod 755 "$BENCH_TMP"  # nginx workers run as an unprivileged user when started as root
  mkdir -p "$RESULTS_DIR"
  trap bench_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

# bench_tachyon_binary: prints the path of the Tachyon binary to measure. TACHYON_BIN overrides;
# otherwise build/release/tachyon is (re)built incrementally unless BUILD=0.
bench_tachyon_binary() {
  if [ -n "${TACHYON_BIN:-}" ]; then
    [ -x "$TACHYON_BIN" ] || die "TACHYON_BIN=$TACHYON_BIN is not executable"
    realpath "$TACHYON_BIN"
    return
  fi
  local bin="$REPO_ROOT/build/release/tachyon"
  if [ "${BUILD:-1}" != 0 ]; then
    log "building $bin (scripts/build.sh release tachyon; BUILD=0 skips)"
    "$REPO_ROOT/scripts/install-deps.sh" build test >&2
    "$REPO_ROOT/scripts/build.sh" release tachyon >&2 || die "build failed"
  fi
  [ -x "$bin" ] || die "$bin does not exist (build it with scripts/build.sh release tachyon)"
  printf '%s\n' "$bin"
}

# binary_id PATH: short SHA-256 and modification time, to tie reported figures to one build.
binary_id() { printf 'sha256 %s, built %s' "$(sha256sum "$1" | cut -c1-12)" "$(date -u -r "$1" +%Y-%m-%dT%H:%MZ)"; }

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

wait_for_port() {  # wait_for_port PORT TIMEOUT_SECONDS
  local port="$1" deadline=$((SECONDS + $2))
  while [ "$SECONDS" -lt "$deadline" ]; do
    if python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()' "$port" 2>/dev/null; then
      return 0
    fi
    sleep 0.1
  done
  return 1
}

# Raises the soft open-file limit to the wanted value, or to the hard limit when that is lower
# (raising the hard limit needs CAP_SYS_RESOURCE). Prints the resulting limit.
raise_nofile() {
  local want="$1" hard
  if ! ulimit -n "$want" 2>/dev/null; then
    hard="$(ulimit -Hn)"
    log "ulimit -n $want not permitted (hard limit $hard, no CAP_SYS_RESOURCE); using $hard"
    ulimit -n "$hard"
  fi
  ulimit -n
}

# start_tachyon NAME CPU_LIST [extra serve flags...]: starts `tachyon serve` on a free port,
# pinned with taskset when CPU_LIST is not "-", with cwd in the temp dir (no stray .env) and
# without TACHYON_* variables from the caller's environment, on an empty throwaway database unless
# flags say otherwise. Sets TACHYON_PID and TACHYON_PORT.
# TACHYON_WRAPPER (an array, e.g. valgrind) is put in front of the binary when set.
start_tachyon() {
  local name="$1" cpus="$2" bin
  shift 2
  bin="${TACHYON_BINARY:?call bench_tachyon_binary first}"
  local logfile="$BENCH_TMP/$name.log"
  local -a prefix=() unset_env=()
  [ "$cpus" = "-" ] || prefix=(taskset -c "$cpus")
  local var
  for var in $(compgen -e | grep '^TACHYON_' || true); do unset_env+=(-u "$var"); done
  # A throwaway empty database unless the caller passes --database-url / --demo-data flags.
  (cd "$BENCH_TMP" && exec env "${unset_env[@]}" DATABASE_URL=sqlite::memory: TACHYON_DEMO_DATA=false \
      "${prefix[@]}" "${TACHYON_WRAPPER[@]}" "$bin" serve \
      --host 127.0.0.1 --port 0 --log-level info --log-format json "$@") >"$logfile" 2>&1 &
  TACHYON_PID=$!
  BENCH_PIDS+=("$TACHYON_PID")
  local deadline=$((SECONDS + ${TACHYON_START_TIMEOUT:-20}))
  TACHYON_PORT=""
  while [ "$SECONDS" -lt "$deadline" ]; do
    TACHYON_PORT="$(grep -o '"msg":"listening".*"url":"http://127\.0\.0\.1:[0-9]*"' "$logfile" 2>/dev/null \
      | grep -o ':[0-9]*"$' | tr -d ':"' | awk 'NR == 1' || true)"
    [ -n "$TACHYON_PORT" ] && break
    kill -0 "$TACHYON_PID" 2>/dev/null || { cat "$logfile" >&2; die "tachyon exited before listening"; }
    sleep 0.1
  done
  [ -n "$TACHYON_PORT" ] || { cat "$logfile" >&2; die "tachyon did not log \"listening\" in time"; }
  wait_for_port "$TACHYON_PORT" "${TACHYON_START_TIMEOUT:-20}" || die "tachyon does not accept on $TACHYON_PORT"
  log "tachyon ($name) pid $TACHYON_PID listening on 127.0.0.1:$TACHYON_PORT"
}

# stop_pid PID [TIMEOUT_SECONDS]: SIGTERM, wait for exit, SIGKILL after the timeout.
stop_pid() {
  local pid="$1" limit=$((${2:-10} * 10)) waited=0
  kill -TERM "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null && [ "$waited" -lt "$limit" ]; do
    sleep 0.1
    waited=$((waited + 1))
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "pid $pid did not exit after SIGTERM; killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
  local kept=() p
  for p in "${BENCH_PIDS[@]}"; do [ "$p" = "$pid" ] || kept+=("$p"); done
  BENCH_PIDS=("${kept[@]}")
}

PLAINTEXT_BODY='Hello, World!'
PLAINTEXT_TYPE='text/plain; charset=utf-8'
JSON_BODY='{"message":"Hello, World!"}'
JSON_TYPE='application/json'

# write_nginx_conf DIR PORT WORKER_CONNECTIONS: an nginx config serving /plaintext and /json as
# files with the same bytes and Content-Type as Tachyon's routes. NGINX_MODE=return answers from
# memory with `return 200` instead (no file system access per request).
write_nginx_conf() {
  local dir="$1" port="$2" connections="$3" nofile
  nofile="$(ulimit -n)"
  mkdir -p "$dir/www" "$dir/temp"
  printf '%s' "$PLAINTEXT_BODY" >"$dir/www/plaintext"
  printf '%s' "$JSON_BODY" >"$dir/www/json"
  chmod 755 "$dir" "$dir/www" "$dir/temp"
  chmod 644 "$dir/www/plaintext" "$dir/www/json"
  local plaintext_body json_body
  if [ "${NGINX_MODE:-file}" = return ]; then
    plaintext_body="return 200 '$PLAINTEXT_BODY';"
    json_body="return 200 '$JSON_BODY';"
  else
    plaintext_body="try_files /plaintext =404;"
    json_body="try_files /json =404;"
  fi
  cat >"$dir/nginx.conf" <<EOF
# Generated by bench/lib/common.sh for the Tachyon benchmarks.
worker_processes 1;
daemon off;
master_process on;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
worker_rlimit_nofile $nofile;
events {
    worker_connections $connections;
    multi_accept on;
}
http {
    access_log off;
    server_tokens off;
    keepalive_requests 1000000;
    keepalive_timeout 600s;
    etag off;
    sendfile off;
    open_file_cache max=16 inactive=600s;
    open_file_cache_valid 600s;
    types {}
    client_body_temp_path $dir/temp/client;
    proxy_temp_path $dir/temp/proxy;
    fastcgi_temp_path $dir/temp/fastcgi;
    uwsgi_temp_path $dir/temp/uwsgi;
    scgi_temp_path $dir/temp/scgi;
    server {
        listen 127.0.0.1:$port${NGINX_TLS_CERT:+ ssl};
        ${NGINX_TLS_CERT:+$(nginx_tls_directives)}
        root $dir/www;
        location = /plaintext {
            default_type "$PLAINTEXT_TYPE";
            $plaintext_body
        }
        location = /json {
            default_type "$JSON_TYPE";
            $json_body
        }
        location / {
            return 404;
        }
    }
}
EOF
}

# With NGINX_TLS_CERT and NGINX_TLS_KEY set, the server listens with TLS configured as Tachyon's listener
# is (src/tachyon/tls/server_context.cpp): TLS 1.2/1.3, the same ciphers in server order, a session cache.
nginx_tls_directives() {
  printf '%s' "ssl_certificate $NGINX_TLS_CERT; ssl_certificate_key $NGINX_TLS_KEY; ssl_protocols TLSv1.2 TLSv1.3; \
ssl_prefer_server_ciphers on; ssl_session_cache shared:TLS:1m; ssl_session_tickets on; \
ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:\
ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES128-GCM-SHA256:\
DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305; ssl_ecdh_curve X25519:prime256v1:secp384r1;"
}

# start_nginx NAME CPU_LIST WORKER_CONNECTIONS: sets NGINX_PID (master), NGINX_WORKER_PID, NGINX_PORT.
start_nginx() {
  local name="$1" cpus="$2" connections="$3"
  local dir="$BENCH_TMP/$name"
  NGINX_PORT="$(free_port)"
  write_nginx_conf "$dir" "$NGINX_PORT" "$connections"
  local -a prefix=()
  [ "$cpus" = "-" ] || prefix=(taskset -c "$cpus")
  nginx -t -q -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf" || die "nginx rejected $dir/nginx.conf"
  "${prefix[@]}" nginx -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf" >"$dir/stdout.log" 2>&1 &
  NGINX_PID=$!
  BENCH_PIDS+=("$NGINX_PID")
  wait_for_port "$NGINX_PORT" 10 || { cat "$dir/error.log" >&2; die "nginx did not listen on $NGINX_PORT"; }
  NGINX_WORKER_PID=""
  local tries=0
  while [ -z "$NGINX_WORKER_PID" ] && [ "$tries" -lt 50 ]; do
    NGINX_WORKER_PID="$(pgrep -P "$NGINX_PID" | awk 'NR == 1' || true)"
    [ -n "$NGINX_WORKER_PID" ] || sleep 0.1
    tries=$((tries + 1))
  done
  [ -n "$NGINX_WORKER_PID" ] || die "no nginx worker process under master $NGINX_PID"
  log "nginx ($name) master $NGINX_PID worker $NGINX_WORKER_PID listening on 127.0.0.1:$NGINX_PORT"
}

# cpu_ticks PID: user + system CPU time of the whole process so far, in clock ticks (getconf CLK_TCK).
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
kib_to_mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

# median of the arguments (numbers); mean of the two middle values for an even count.
median() {
  printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
    if (NR == 0) { print "nan"; exit }
    if (NR % 2) printf "%.2f\n", v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

machine_description() {
  local model
  model="$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
  printf '%s CPUs (nproc), %s, %s, kernel %s' "$(nproc)" "${model:-unknown CPU}" \
    "$(awk -F'"' '/^PRETTY_NAME=/ { print $2 }' /etc/os-release)" "$(uname -r)"
}

# check_response NAME URL EXPECTED_BODY EXPECTED_CONTENT_TYPE: one curl request; fails unless the
# status is 200 and the body and Content-Type match exactly. Prints the response header size.
check_response() {
  local name="$1" url="$2" body="$3" type="$4"
  local out="$BENCH_TMP/check-$name"
  local status
  status="$(curl -sS --max-time 10 -D "$out.headers" -o "$out.body" -w '%{http_code}' "$url")" \
    || die "$name: curl $url failed"
  [ "$status" = 200 ] || die "$name: $url answered $status"
  printf '%s' "$body" | cmp -s - "$out.body" || die "$name: $url body differs: $(head -c 200 "$out.body")"
  local got_type
  got_type="$(tr -d '\r' <"$out.headers" | awk 'tolower($0) ~ /^content-type:/ { sub(/^[^:]*:[ \t]*/, ""); print }')"
  [ "$got_type" = "$type" ] || die "$name: $url Content-Type is '$got_type', expected '$type'"
  local header_bytes
  header_bytes="$(wc -c <"$out.headers")"
  log "$name: $url OK (200, $(wc -c <"$out.body") body bytes, $header_bytes header bytes, $type)"
  printf '%s\n' "$header_bytes"
}

# Busy percentage of all CPUs over the next SECONDS (default 1), from /proc/stat.
cpu_busy_percent() {
  local a b
  a="$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $5 + $6 }' /proc/stat)"
  sleep "${1:-1}"
  b="$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $5 + $6 }' /proc/stat)"
  awk -v a="$a" -v b="$b" 'BEGIN { split(a, x, " "); split(b, y, " ");
    busy = y[1] - x[1]; idle = y[2] - x[2]; printf "%.0f\n", (busy + idle) ? 100 * busy / (busy + idle) : 0 }'
}

# wait_for_quiet_machine MAX_SECONDS THRESHOLD_PERCENT: waits (bounded) until other processes use
# less than THRESHOLD_PERCENT of all CPUs, so that builds running alongside do not skew results.
# Prints the last busy percentage seen.
wait_for_quiet_machine() {
  local max="$1" threshold="$2" busy deadline=$((SECONDS + $1))
  busy="$(cpu_busy_percent 1)"
  while [ "$busy" -ge "$threshold" ] && [ "$SECONDS" -lt "$deadline" ]; do
    log "machine is ${busy}% busy with other work; waiting (up to ${max}s) for < ${threshold}%"
    sleep 4
    busy="$(cpu_busy_percent 1)"
  done
  [ "$busy" -lt "$threshold" ] || log "warning: machine still ${busy}% busy; results may be skewed"
  printf '%s\n' "$busy"
}

# parse_wrk FILE: prints "req_per_s p50_us p99_us requests socket_errors non_2xx_3xx".
parse_wrk() {
  awk '
    function us(v) {
      if (v ~ /us$/) return v + 0
      if (v ~ /ms$/) return (v + 0) * 1000
      if (v ~ /m$/) return (v + 0) * 60e6
      if (v ~ /s$/) return (v + 0) * 1e6
      return v + 0
    }
    /^Requests\/sec:/ { rps = $2 }
    $1 == "50%" { p50 = us($2) }
    $1 == "99%" { p99 = us($2) }
    / requests in / { requests = $1 }
    /Socket errors:/ { gsub(",", ""); errors = $4 + $6 + $8 + $10 }
    /Non-2xx or 3xx responses:/ { non2xx = $5 }
    END { printf "%s %s %s %s %d %d\n", rps, p50, p99, requests, errors, non2xx }' "$1"
}

