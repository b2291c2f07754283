#!/usr/bin/env python3
"""Counts stale reads across two instances: GET on B (caches it), PATCH on A, GET on B again.

Usage: read_after_write.py PORT_A PORT_B ROUNDS PRODUCT_ID -> prints "stale=N rounds=R patch_ms=M"
"""
import http.client
import json
import sys
import time


def call(port, method, path, body=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Content-Type": "application/json"} if body else {}
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    data = response.read().decode()
    connection.close()
    return response.status, data


def main():
    port_a, port_b, rounds, product = (int(value) for value in sys.argv[1:5])
    path = f"/v1/products/{product}"
    stale = 0
    patch_seconds = 0.0
    for round_number in range(rounds):
        call(port_b, "GET", path)
        name = f"round-{round_number}"
        started = time.perf_counter()
        status, _ = call(port_a, "PATCH", path, json.dumps({"name": name}))
        patch_seconds += time.perf_counter() - started
        if status != 200:
            sys.exit(f"PATCH answered {status}")
        _, body = call(port_b, "GET", path)
        if f'"{name}"' not in body:
            stale += 1
    print(f"stale={stale} rounds={rounds} patch_ms={patch_seconds / rounds * 1000:.2f}")


if __name__ == "__main__":
    main()
