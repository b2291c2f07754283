#!/usr/bin/env python3
"""Sends exactly N GET requests, one after another, on one keep-alive connection to
127.0.0.1:PORT, reading each whole response before sending the next; then closes the connection.
Deterministic in what the server sees, unlike wrk (which runs for a duration).

Used by bench/callgrind_per_request.sh:
  python3 bench/tools/sequential_client.py --port 8000 --requests 2000 [--path /plaintext] [--header 'A: b'] [--tls]
(--tls: HTTPS, the certificate not verified: the bench's own throwaway one.)
Prints `requests=N ok=N bytes=B seconds=S`; exits 1 unless every response was 200.
"""
import argparse
import socket
import ssl
import sys
import time


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--requests", type=int, required=True)
    parser.add_argument("--path", default="/plaintext")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for any one response")
    parser.add_argument("--header", action="append", default=[], help="an extra request header field, 'Name: value'")
    parser.add_argument("--tls", action="store_true", help="speak HTTPS (no certificate verification)")
    args = parser.parse_args()

    extra = "".join(f"{field}\r\n" for field in args.header)
    request = (f"GET {args.path} HTTP/1.1\r\nHost: {args.host}:{args.port}\r\n{extra}\r\n").encode()
    sock = socket.create_connection((args.host, args.port), timeout=args.timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if args.tls:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        sock = context.wrap_socket(sock, server_hostname=args.host)
    started = time.monotonic()
    ok, total_bytes, buffer = 0, 0, b""
    statuses = {}
    for _ in range(args.requests):
        sock.sendall(request)
        while True:
            end = buffer.find(b"\r\n\r\n")
            if end >= 0:
                head = buffer[:end].split(b"\r\n")
                length = 0
                for line in head[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value.strip())
                if len(buffer) >= end + 4 + length:
                    break
            chunk = sock.recv(65536)
            if not chunk:
                print(f"connection closed after {ok} responses", file=sys.stderr)
                return 1
            buffer += chunk
        status = head[0].split(b" ", 2)[1].decode()
        statuses[status] = statuses.get(status, 0) + 1
        ok += status == "200"
        total_bytes += end + 4 + length
        buffer = buffer[end + 4 + length:]
    sock.close()
    print(f"requests={args.requests} ok={ok} bytes={total_bytes} seconds={time.monotonic() - started:.2f}"
          f" statuses={','.join(f'{k}:{v}' for k, v in sorted(statuses.items()))}")
    return 0 if ok == args.requests else 1


if __name__ == "__main__":
    sys.exit(main())
