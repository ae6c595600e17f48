"""A minimal headless-Chromium driver over the Chrome DevTools Protocol, for the report's browser tests.

It starts Debian's ``/usr/bin/chromium`` with a throw-away profile, opens one page, and records what
a person would notice: console errors, uncaught exceptions, security (CSP) errors, JavaScript dialogs
and every network request. It uses the ``websockets`` package Airflow already installs; no Selenium.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import signal
import subprocess
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from websockets.sync.client import connect

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--hide-scrollbars", "--remote-debugging-port=0", "--window-size=1280,900",
)
START_TIMEOUT_S = 90.0  # generous: a loaded CI machine can take long to start a browser
CALL_TIMEOUT_S = 60.0


def find_chromium() -> str | None:
    """The Chromium binary: ``FOREWARN_CHROMIUM`` if set, else the usual Debian paths."""
    configured = os.environ.get("FOREWARN_CHROMIUM")
    if configured:
        return configured if Path(configured).is_file() else None
    for candidate in CHROMIUM_CANDIDATES:
        if Path(candidate).is_file():
            return candidate
    return shutil.which("chromium")


@dataclass
class PageLog:
    """What the page did that a reader could notice, or that should never happen."""

    console_errors: list[str] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)
    log_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        return [*self.console_errors, *self.exceptions, *self.log_errors, *(f"dialog: {d}" for d in self.dialogs)]


class Chromium:
    """One headless browser with one page; use as a context manager."""

    def __init__(self, binary: str, profile_dir: Path) -> None:
        self._binary = binary
        self._profile_dir = profile_dir
        self._process: subprocess.Popen[str] | None = None
        self._socket: Any = None
        self._next_id = 0
        self._stderr: list[str] = []
        self.log = PageLog()

    def __enter__(self) -> Chromium:
        self._process = subprocess.Popen(
            [self._binary, *FLAGS, f"--user-data-dir={self._profile_dir}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
            start_new_session=True,  # its own process group, so cleanup reaches the renderer processes too
        )
        endpoint = self._wait_for_endpoint()
        port = re.search(r"ws://[^:/]+:(\d+)/", endpoint)
        assert port, f"unexpected DevTools endpoint {endpoint!r}"
        self._socket = connect(self._page_socket_url(int(port.group(1))), max_size=None, open_timeout=10)
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._socket is not None:
            self._socket.close()
        if self._process is not None:
            self._signal_group(signal.SIGTERM)
            try:
                self._process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self._signal_group(signal.SIGKILL)
                self._process.wait(timeout=15)

    def _signal_group(self, signum: int) -> None:
        # Only the process group this object started (its own session): the browser and its helpers.
        assert self._process is not None
        try:
            os.killpg(self._process.pid, signum)
        except ProcessLookupError:
            pass  # already gone

    def _wait_for_endpoint(self) -> str:
        assert self._process is not None and self._process.stderr is not None
        found: list[str] = []
        stream = self._process.stderr

        def read() -> None:
            for line in stream:
                self._stderr.append(line.rstrip())
                if "DevTools listening on" in line and not found:
                    found.append(line.split("DevTools listening on", 1)[1].strip())

        threading.Thread(target=read, daemon=True).start()
        deadline = time.monotonic() + START_TIMEOUT_S
        while not found:
            if self._process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("Chromium did not start: " + " | ".join(self._stderr[-10:]))
            time.sleep(0.05)
        return found[0]

    @staticmethod
    def _page_socket_url(port: int) -> str:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=5) as response:
                pages = [t for t in json.load(response) if t.get("type") == "page"]
            if pages:
                return pages[0]["webSocketDebuggerUrl"]
            time.sleep(0.1)
        raise RuntimeError("Chromium started without a page target")

    def call(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """Send one DevTools command and return its result, recording events seen meanwhile."""
        self._next_id += 1
        call_id = self._next_id
        self._socket.send(json.dumps({"id": call_id, "method": method, "params": params or {}}))
        deadline = time.monotonic() + CALL_TIMEOUT_S
        while True:
            message = json.loads(self._socket.recv(timeout=max(deadline - time.monotonic(), 0.1)))
            if message.get("id") == call_id:
                if "error" in message:
                    raise RuntimeError(f"{method} failed: {message['error']}")
                return message.get("result", {})
            self._record(message)

    def wait_for(self, event: str, timeout_s: float = CALL_TIMEOUT_S) -> dict[str, Any]:
        deadline = time.monotonic() + timeout_s
        while True:
            message = json.loads(self._socket.recv(timeout=max(deadline - time.monotonic(), 0.1)))
            self._record(message)
            if message.get("method") == event:
                return message.get("params", {})

    def _record(self, message: dict[str, Any]) -> None:
        method, params = message.get("method"), message.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            self.log.console_errors.append(" ".join(str(a.get("value", a.get("description"))) for a in params["args"]))
        elif method == "Runtime.exceptionThrown":
            self.log.exceptions.append(params["exceptionDetails"].get("text", "exception"))
        elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
            self.log.log_errors.append(f"{params['entry']['source']}: {params['entry']['text']}")
        elif method == "Page.javascriptDialogOpening":
            self.log.dialogs.append(params.get("message", ""))
            self._socket.send(json.dumps({"id": 0, "method": "Page.handleJavaScriptDialog",
                                          "params": {"accept": True}}))
        elif method == "Network.requestWillBeSent":
            self.log.requests.append(params["request"]["url"])

    def open(self, path: Path) -> None:
        """Load a local file and wait until it finished loading."""
        self.call("Page.navigate", {"url": path.resolve().as_uri()})
        self.wait_for("Page.loadEventFired")

    def evaluate(self, expression: str) -> Any:
        """Run JavaScript in the page (from the test, not from the report) and return its JSON value."""
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in result:
            raise RuntimeError(f"evaluation failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def set_viewport(self, width: int, height: int, *, mobile: bool = False) -> None:
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile})

    def screenshot(self, out: Path, *, height: int | None = None) -> None:
        """Save a PNG of the page from the top: the whole page, or its first ``height`` pixels."""
        width = self.evaluate("document.documentElement.scrollWidth")
        full = self.evaluate("document.documentElement.scrollHeight")
        clip = {"x": 0, "y": 0, "width": width, "height": min(height or full, full), "scale": 1}
        data = self.call("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True, "clip": clip})
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(base64.b64decode(data["data"]))

    def print_to_pdf(self) -> bytes:
        return base64.b64decode(self.call("Page.printToPDF", {"printBackground": False})["data"])
