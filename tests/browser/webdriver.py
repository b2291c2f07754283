"""A minimal W3C WebDriver client (https://www.w3.org/TR/webdriver2/) over the standard library, for
driving Debian's chromium through chromedriver in the browser tests. Only the commands the tests use."""
import json
import time
import urllib.error
import urllib.request


class WebDriverError(RuntimeError):
    pass


ELEMENT_KEY = "element-6066-11e4-a52e-4f735466cecf"  # W3C WebDriver §12.1


def element_id(reference):
    return reference[ELEMENT_KEY]


class Session:
    """One chromium session: starts it headless with a private profile; `quit()` ends it."""

    def __init__(self, driver_url, chromium_binary, profile_directory):
        self.driver_url = driver_url.rstrip("/")
        capabilities = {
            "capabilities": {
                "alwaysMatch": {
                    "browserName": "chrome",
                    "goog:chromeOptions": {
                        "binary": chromium_binary,
                        "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                                 "--no-first-run", "--user-data-dir=" + profile_directory,
                                 "--window-size=1400,2000"],
                    },
                }
            }
        }
        answer = self._call("POST", "/session", capabilities)
        self.session_id = answer["sessionId"]

    def _call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.driver_url + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return json.loads(response.read())["value"]
        except urllib.error.HTTPError as error:
            raise WebDriverError(f"{method} {path}: {error.code} {error.read().decode(errors='replace')}")

    def _session(self, method, path, body=None):
        return self._call(method, f"/session/{self.session_id}{path}", body)

    def open(self, url):
        self._session("POST", "/url", {"url": url})

    def find(self, css, timeout=20.0):
        """The first element matching `css`, waiting up to `timeout` seconds for it to exist."""
        deadline = time.monotonic() + timeout
        while True:
            found = self._session("POST", "/elements", {"using": "css selector", "value": css})
            if found:
                return found[0]  # the element reference object, {"element-6066-...": id}
            if time.monotonic() > deadline:
                raise WebDriverError(f"no element matches {css!r} after {timeout} s")
            time.sleep(0.1)

    def wait_absent(self, css, timeout=20.0):
        """Waits up to `timeout` seconds until nothing matches `css`."""
        deadline = time.monotonic() + timeout
        while self._session("POST", "/elements", {"using": "css selector", "value": css}):
            if time.monotonic() > deadline:
                raise WebDriverError(f"{css!r} still matches after {timeout} s")
            time.sleep(0.1)

    def click(self, css):
        self.click_element(self.find(css))

    def click_element(self, element):
        self.script("arguments[0].scrollIntoView({block: 'center'});", [element])
        self._session("POST", f"/element/{element_id(element)}/click", {})

    def type(self, css, text):
        element = self.find(css)
        self._session("POST", f"/element/{element_id(element)}/value", {"text": text})

    def text(self, css):
        return self._session("GET", f"/element/{element_id(self.find(css))}/text")

    def script(self, source, arguments=()):
        return self._session("POST", "/execute/sync", {"script": source, "args": list(arguments)})

    def quit(self):
        try:
            self._session("DELETE", "")
        except (WebDriverError, OSError):
            pass
