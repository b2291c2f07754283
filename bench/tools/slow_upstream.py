#!/usr/bin/env python3
"""A posts API that takes DELAY_MS to answer: GET /posts/{id} -> JSON, for bench/cache_wrk.sh.

Usage: slow_upstream.py PORT DELAY_MS   (serves on 127.0.0.1, one thread per connection)
"""
import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Posts(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    delay = 0.2

    def do_GET(self):
        time.sleep(self.delay)
        parts = self.path.strip("/").split("/")
        if len(parts) == 2 and parts[0] == "posts" and parts[1].isdigit():
            post_id = int(parts[1])
            body = json.dumps({"userId": 1 + post_id % 10, "id": post_id, "title": f"post {post_id}",
                               "body": "lorem ipsum " * 8}).encode()
            self.send_response(200)
        else:
            body = b'{"error":"not found"}'
            self.send_response(404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def main():
    port, delay_ms = int(sys.argv[1]), int(sys.argv[2])
    Posts.delay = delay_ms / 1000.0
    ThreadingHTTPServer.daemon_threads = True
    ThreadingHTTPServer(("127.0.0.1", port), Posts).serve_forever()


if __name__ == "__main__":
    main()
