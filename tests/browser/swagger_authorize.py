#!/usr/bin/env python3
"""Swagger UI's "Authorize" button in a real browser (headless Debian chromium through chromedriver):
opens /docs, runs GET /v1/auth/me with "Try it out" before logging in (expects 401), logs in through the
OAuth2 password flow of the Authorize dialog, runs it again (expects 200) and prints what the page showed
as one JSON object: {"before": status, "after": status, "body": text}. Starts and stops its own chromedriver.

Usage: swagger_authorize.py DOCS_URL EMAIL PASSWORD (the password is read from standard input when "-")."""
import json
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import webdriver

OPERATION = "#operations-auth-whoami"


def free_loopback_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_chromedriver(port):
    driver = subprocess.Popen(["/usr/bin/chromedriver", f"--port={port}", "--allowed-ips=127.0.0.1"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/status", timeout=2) as answer:
                if json.loads(answer.read())["value"]["ready"]:
                    return driver
        except OSError:
            time.sleep(0.1)
    driver.kill()
    raise RuntimeError("chromedriver did not become ready within 20 s")


def execute_whoami(session):
    """Clicks Execute and returns the live response's status and body once they show up, then clears them."""
    session.click(f"{OPERATION} .execute")
    status = session.text(f"{OPERATION} .live-responses-table .response .response-col_status")
    body = session.text(f"{OPERATION} .live-responses-table .response .microlight")
    session.click(f"{OPERATION} .btn-clear")
    session.wait_absent(f"{OPERATION} .live-responses-table")
    return int(status.split()[0]), body


def log_in(session, email, password):
    session.click(".btn.authorize")
    session.type("#oauth_username", email)
    session.type("#oauth_password", password)
    # The password flow's own Authorize button (the dialog has one per scheme).
    button = session.script(
        "return document.querySelector('#oauth_username').closest('.auth-container').querySelector('button.authorize');")
    session.click_element(button)
    session.find(".auth-container .btn-done")  # shown once authorized
    session.click(".modal-ux .close-modal")


def main():
    docs_url, email, password = sys.argv[1], sys.argv[2], sys.argv[3]
    if password == "-":
        password = sys.stdin.readline().rstrip("\n")
    port = free_loopback_port()
    driver = start_chromedriver(port)
    session = None
    try:
        with tempfile.TemporaryDirectory() as profile:
            session = webdriver.Session(f"http://127.0.0.1:{port}", "/usr/bin/chromium", profile)
            session.open(docs_url)
            session.click(f"{OPERATION} .opblock-summary-control")
            session.click(f"{OPERATION} .try-out__btn")
            before, _ = execute_whoami(session)
            log_in(session, email, password)
            after, body = execute_whoami(session)
            session.quit()
            session = None
            print(json.dumps({"before": before, "after": after, "body": body}))
    finally:
        if session is not None:
            session.quit()
        driver.terminate()
        try:
            driver.wait(timeout=10)
        except subprocess.TimeoutExpired:
            driver.kill()
            driver.wait()


if __name__ == "__main__":
    main()
