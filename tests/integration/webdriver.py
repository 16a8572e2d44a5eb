"""A minimal W3C WebDriver client (standard library only) driving Debian's
chromium through chromedriver, for the UI tests. Everything stays on
127.0.0.1; Chromium's background networking is switched off."""

import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request

from harness import free_port, wait_until

CHROME_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-default-apps", "--disable-extensions", "--window-size=1280,900",
]


class WebDriverError(Exception):
    pass


class Browser:
    def __init__(self, workdir):
        driver = shutil.which("chromedriver") or "/usr/bin/chromedriver"
        if not os.path.exists(driver):
            raise WebDriverError("chromedriver is not installed (scripts/setup.sh --test installs it)")
        self.port = free_port()
        self.log = open(os.path.join(workdir, "chromedriver.log"), "ab")
        self.proc = subprocess.Popen([driver, f"--port={self.port}", "--allowed-ips=127.0.0.1"],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        self.base = f"http://127.0.0.1:{self.port}"
        wait_until(lambda: self._call("GET", "/status")["value"]["ready"], 30, what="chromedriver")
        self.profile = tempfile.mkdtemp(prefix="chromium-", dir=workdir)
        caps = {"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": "/usr/bin/chromium",
                                   "args": CHROME_ARGS + [f"--user-data-dir={self.profile}"]},
        }}}
        self.session = self._call("POST", "/session", caps)["value"]["sessionId"]

    def _call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                return json.loads(r.read())
        except urllib.error.HTTPError as e:
            raise WebDriverError(e.read().decode("utf-8", "replace")) from None

    def _s(self, method, path, body=None):
        return self._call(method, f"/session/{self.session}{path}", body)["value"]

    def get(self, url):
        self._s("POST", "/url", {"url": url})

    def find(self, css):
        v = self._s("POST", "/element", {"using": "css selector", "value": css})
        return next(iter(v.values()))

    def find_all(self, css):
        vs = self._s("POST", "/elements", {"using": "css selector", "value": css})
        return [next(iter(v.values())) for v in vs]

    def click(self, css):
        self._s("POST", f"/element/{self.find(css)}/click", {})

    def type(self, css, text):
        el = self.find(css)
        self._s("POST", f"/element/{el}/clear", {})
        self._s("POST", f"/element/{el}/value", {"text": text})

    def text(self, css):
        return self._s("GET", f"/element/{self.find(css)}/text")

    def js(self, script, *args):
        return self._s("POST", "/execute/sync", {"script": script, "args": list(args)})

    def screenshot(self, path):
        import base64
        with open(path, "wb") as f:
            f.write(base64.b64decode(self._s("GET", "/screenshot")))

    def close(self):
        try:
            self._call("DELETE", f"/session/{self.session}")
        except Exception:  # noqa: BLE001 - best effort at shutdown
            pass
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()
