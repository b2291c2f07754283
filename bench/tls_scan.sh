#!/usr/bin/env bash
# testssl.sh against Tachyon's HTTPS listener on loopback (a throwaway P-256 certificate, so the
# certificate-trust findings are expected and left out): prints every finding of severity MEDIUM or
# above and fails when one is HIGH or CRITICAL. The report (JSON and the console log) goes to
# bench/results/tls_scan-<time>/.
#
# Run from anywhere:  bench/tls_scan.sh
# Environment (defaults): BUILD=0 (use build/release/tachyon as is). Takes about 2-4 minutes.
set -euo pipefail
# shellcheck source=bench/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
command -v testssl >/dev/null || die "testssl is missing: scripts/install-deps.sh bench"
bench_init
TACHYON_BINARY="$(bench_tachyon_binary)"
out_dir="$RESULTS_DIR/tls_scan-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out_dir"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=localhost \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -keyout "$BENCH_TMP/tls.key" -out "$BENCH_TMP/tls.crt" 2>/dev/null
start_tachyon tls-scan - --workers 1 --tls-cert-file "$BENCH_TMP/tls.crt" --tls-key-file "$BENCH_TMP/tls.key" --tls-port 0
tls_port="$(grep -o '"url":"https://127\.0\.0\.1:[0-9]*"' "$BENCH_TMP/tls-scan.log" | grep -o '[0-9]*"$' | tr -d '"')"
[ -n "$tls_port" ] || die "no HTTPS listener in the log"
log "testssl against 127.0.0.1:$tls_port"
testssl --quiet --color 0 --warnings off --sneaky --jsonfile "$out_dir/testssl.json" "127.0.0.1:$tls_port" \
  >"$out_dir/testssl.log" 2>&1 || true
[ -s "$out_dir/testssl.json" ] || die "testssl wrote no report (see $out_dir/testssl.log)"
# Findings about trusting the certificate itself (self-signed, short-lived, no OCSP/CRL URI, no CT) say
# nothing about the listener.
python3 - "$out_dir/testssl.json" <<'PY' | tee "$out_dir/report.md"
import json, sys
findings = json.load(open(sys.argv[1]))
certificate = ("cert_", "intermediate", "chain_of_trust", "OCSP", "DNS_CAArecord", "certificate_transparency")
rank = {"CRITICAL": 4, "HIGH": 3, "MEDIUM": 2}
shown = [f for f in findings if rank.get(f.get("severity"), 0) >= 2 and not f["id"].startswith(certificate)]
print("| severity | id | finding |\n|---|---|---|")
for f in sorted(shown, key=lambda f: -rank[f["severity"]]):
    print(f"| {f['severity']} | {f['id']} | {f['finding']} |")
worst = max((rank[f["severity"]] for f in shown), default=0)
print(f"\n{len(shown)} findings of MEDIUM or above; {'FAIL: HIGH or CRITICAL present' if worst >= 3 else 'no HIGH or CRITICAL'}")
sys.exit(1 if worst >= 3 else 0)
PY
