#!/usr/bin/env python3
"""Opens N keep-alive connections to 127.0.0.1:PORT, sends one GET on each, reads the whole
response, then keeps every connection open and idle.

Used by bench/idle_connections_rss.sh:
  python3 bench/tools/idle_client.py --port 8000 --connections 10000 [--path /plaintext]
Prints `ready opened=N failed=M seconds=S` once every connection has its response (or failed),
then holds the connections until SIGTERM/SIGINT or --hold seconds. On SIGUSR1 it prints
`open=K closed=C`: how many connections the server has not closed. Needs `ulimit -n` > N.
"""
import argparse
import errno
import selectors
import signal
import socket
import sys
import time


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--connections", type=int, default=10000)
    parser.add_argument("--path", default="/plaintext")
    parser.add_argument("--in-flight", type=int, default=200, help="connections being set up at once")
    parser.add_argument("--setup-timeout", type=float, default=120.0, help="seconds to open all connections")
    parser.add_argument("--hold", type=float, default=600.0, help="most seconds to keep connections open")
    return parser.parse_args()


def response_complete(data):
    """True once `data` holds a whole response with a Content-Length body."""
    end = data.find(b"\r\n\r\n")
    if end < 0:
        return False
    length = 0
    for line in data[:end].split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    return len(data) >= end + 4 + length


class Connection:
    __slots__ = ("sock", "state", "data")

    def __init__(self, sock):
        self.sock = sock
        self.state = "connecting"
        self.data = b""


def open_connections(args):
    request = (f"GET {args.path} HTTP/1.1\r\nHost: {args.host}:{args.port}\r\n"
               "Connection: keep-alive\r\n\r\n").encode()
    selector = selectors.DefaultSelector()
    idle, failures = [], {}
    started_count, pending = 0, 0
    deadline = time.monotonic() + args.setup_timeout

    def fail(conn, why):
        nonlocal pending
        failures[why] = failures.get(why, 0) + 1
        selector.unregister(conn.sock)
        conn.sock.close()
        pending -= 1

    while len(idle) + sum(failures.values()) < args.connections:
        if time.monotonic() > deadline:
            failures["setup timeout"] = args.connections - len(idle) - sum(failures.values())
            break
        while pending < args.in_flight and started_count < args.connections:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setblocking(False)
            code = sock.connect_ex((args.host, args.port))
            started_count += 1
            pending += 1
            conn = Connection(sock)
            selector.register(sock, selectors.EVENT_WRITE, conn)
            if code not in (0, errno.EINPROGRESS):
                fail(conn, errno.errorcode.get(code, str(code)))
        for key, _ in selector.select(timeout=1.0):
            conn = key.data
            if conn.state == "connecting":
                code = conn.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if code:
                    fail(conn, "connect " + errno.errorcode.get(code, str(code)))
                    continue
                try:
                    conn.sock.sendall(request)  # a few dozen bytes: fits in an empty send buffer
                except OSError as error:
                    fail(conn, "send " + errno.errorcode.get(error.errno, str(error.errno)))
                    continue
                conn.state = "reading"
                selector.modify(conn.sock, selectors.EVENT_READ, conn)
            else:
                try:
                    chunk = conn.sock.recv(4096)
                except OSError as error:
                    fail(conn, "recv " + errno.errorcode.get(error.errno, str(error.errno)))
                    continue
                if not chunk:
                    fail(conn, "closed before response")
                    continue
                conn.data += chunk
                if response_complete(conn.data):
                    status = conn.data.split(b" ", 2)[1:2]
                    if status != [b"200"]:
                        fail(conn, "status " + b"".join(status).decode(errors="replace"))
                        continue
                    selector.unregister(conn.sock)
                    conn.data = b""
                    idle.append(conn.sock)
                    pending -= 1
    selector.close()
    return idle, failures


def count_open(sockets):
    """Connections the server has not closed: poll each for readability without blocking."""
    selector = selectors.DefaultSelector()
    for sock in sockets:
        selector.register(sock, selectors.EVENT_READ)
    closed = 0
    for key, _ in selector.select(timeout=0):
        try:
            if key.fileobj.recv(1, socket.MSG_PEEK) == b"":
                closed += 1
        except OSError:
            closed += 1
    selector.close()
    return len(sockets) - closed, closed


def main():
    args = parse_args()
    started = time.monotonic()
    idle, failures = open_connections(args)
    failed = sum(failures.values())
    detail = "".join(f" {why.replace(' ', '_')}={count}" for why, count in sorted(failures.items()))
    print(f"ready opened={len(idle)} failed={failed} seconds={time.monotonic() - started:.1f}{detail}", flush=True)

    stop = False

    def on_stop(*_):
        nonlocal stop
        stop = True

    def on_check(*_):
        still_open, closed = count_open(idle)
        print(f"open={still_open} closed={closed}", flush=True)

    signal.signal(signal.SIGTERM, on_stop)
    signal.signal(signal.SIGINT, on_stop)
    signal.signal(signal.SIGUSR1, on_check)
    hold_until = time.monotonic() + args.hold
    while not stop and time.monotonic() < hold_until:
        time.sleep(0.2)
    for sock in idle:
        sock.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
