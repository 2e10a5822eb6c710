"""A real browser loads every dashboard page: headless Chromium (Debian package ``chromium``).

The app is started the way ``cbw dashboard`` starts it, on 127.0.0.1 and a free port, over a
published demo warehouse. For each page Chromium loads it, the test waits until its Vega-Lite
charts are drawn (no Streamlit exception shown) and saves a screenshot, which must not be blank
and must hold the colours of charts. ``CBW_SCREENSHOTS=dir`` keeps the screenshots.

Chromium is installed with ``apt-get install -y chromium`` when missing and the test may (root,
apt-get present); otherwise, or when that fails, the test skips saying why.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("streamlit", reason="streamlit not installed (requirements.txt)")

from test_dashboard import publish_demo  # noqa: E402

from customer_behaviour.dashboard import pages, streamlit_command  # noqa: E402

pytestmark = pytest.mark.slow

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
#: How long one page may take to run its script and draw its charts.
PAGE_TIMEOUT_S = 60
#: Keep the screenshots here (for a person to look at) when set; else in pytest's tmp folder.
SCREENSHOTS = Path(os.environ["CBW_SCREENSHOTS"]) if os.environ.get("CBW_SCREENSHOTS") else None


def find_chromium() -> str | None:
    return next((path for name in BROWSERS if (path := shutil.which(name))), None)


def install_chromium() -> str:
    """A Chromium executable, installed from the Debian packages when missing, else skip."""
    found = find_chromium()
    if found:
        return found
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        pytest.skip("no chromium, and apt-get cannot install it here (not Debian, or not root)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    options = ["-o", "Acquire::Retries=0", "-o", "Acquire::http::Timeout=20"]
    try:
        for command in (
            ["apt-get", *options, "update", "-q"],
            ["apt-get", *options, "install", "-y", "-q", "chromium"],
        ):
            done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
            if done.returncode != 0:
                pytest.skip(f"no chromium: {' '.join(command)} failed: {done.stderr[-300:]}")
    except subprocess.TimeoutExpired:
        pytest.skip("no chromium: apt-get did not finish in 10 minutes")
    found = find_chromium()
    if not found:
        pytest.skip("apt-get installed chromium but no chromium executable is on the PATH")
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def chromium() -> str:
    """Session-scoped so that a skip comes before the demo build is asked for."""
    return install_chromium()


@pytest.fixture(scope="module")
def app_url(
    chromium: str, demo_warehouse, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The dashboard served over the published demo; stopped when the module's tests end."""
    published = publish_demo(demo_warehouse, tmp_path_factory.mktemp("dashboard_browser"))
    port = free_port()
    log = published.with_name("streamlit.log").open("w")
    server = subprocess.Popen(
        streamlit_command(port, "127.0.0.1"),
        env={**os.environ, "CBW_PUBLISHED_PATH": str(published)},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, "streamlit exited: see " + log.name
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.read().strip() == b"ok":
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, "streamlit did not answer within 60 s"
            time.sleep(0.5)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


class Browser:
    """Headless Chromium driven over the DevTools protocol (a websocket, the ``websockets``
    package Streamlit depends on): a page is drawn by JavaScript after the websocket to the app
    is up, which ``chromium --screenshot`` alone does not wait for."""

    def __init__(self, chromium: str, profile: Path) -> None:
        self.process = subprocess.Popen(
            [
                chromium,
                "--headless",
                "--no-sandbox",  # root in CI containers
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--hide-scrollbars",
                "--no-first-run",
                "--remote-debugging-port=0",
                f"--user-data-dir={profile}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (port_file.is_file() and port_file.read_text().strip()):
            assert self.process.poll() is None, "chromium exited at start"
            assert time.monotonic() < deadline, "chromium did not open its DevTools port"
            time.sleep(0.2)
        port = int(port_file.read_text().split()[0])
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as r:
            target = next(t for t in json.load(r) if t["type"] == "page")
        from websockets.sync.client import connect

        self.socket = connect(target["webSocketDebuggerUrl"], max_size=None, open_timeout=10)
        self.last_id = 0
        self.call(
            "Emulation.setDeviceMetricsOverride",
            width=1400,
            height=1800,
            deviceScaleFactor=1,
            mobile=False,
        )

    def call(self, method: str, **params) -> dict:
        self.last_id += 1
        self.socket.send(json.dumps({"id": self.last_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv(timeout=60))
            if message.get("id") == self.last_id:
                assert "error" not in message, message["error"]
                return message["result"]

    def evaluate(self, expression: str):
        return self.call("Runtime.evaluate", expression=expression, returnByValue=True)[
            "result"
        ].get("value")

    def close(self) -> None:
        self.socket.close()
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


#: What the page shows, read in the browser: charts, charts drawn (a canvas or svg inside),
#: Streamlit exceptions, and whether the script is still running.
PAGE_STATE = """JSON.stringify({
  charts: document.querySelectorAll('[data-testid="stVegaLiteChart"]').length,
  drawn: document.querySelectorAll(
    '[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg').length,
  exceptions: document.querySelectorAll('[data-testid="stException"]').length,
  running: document.querySelector('[data-testid="stStatusWidget"]') !== null,
  title: (document.querySelector('h1') || {}).textContent || ''
})"""


@pytest.fixture(scope="module")
def browser(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    chrome = Browser(chromium, tmp_path_factory.mktemp("chromium_profile"))
    try:
        yield chrome
    finally:
        chrome.close()


def page_url(app_url: str, url_path: str) -> str:
    # the default (first) page is served at the root
    return app_url + "/" + ("" if url_path == pages.PAGES[0].url_path else url_path)


def load(browser: Browser, url: str) -> dict:
    """Navigate and wait until the script finished and every chart is drawn (bounded)."""
    browser.call("Page.navigate", url=url)
    deadline = time.monotonic() + PAGE_TIMEOUT_S
    state: dict = {}
    while time.monotonic() < deadline:
        time.sleep(0.5)
        state = json.loads(browser.evaluate(PAGE_STATE) or "{}")
        if state.get("exceptions") or (
            state.get("charts") and state["drawn"] >= state["charts"] and not state["running"]
        ):
            time.sleep(1)  # let the last chart finish painting
            return state
    return state


def pixel_spread(png: Path) -> tuple[float, int]:
    """(standard deviation of grey levels, number of distinct colours) of a screenshot."""
    image = pytest.importorskip("PIL.Image").open(png).convert("RGB")
    histogram = image.convert("L").histogram()
    count = sum(histogram)
    mean = sum(level * n for level, n in enumerate(histogram)) / count
    spread = (sum(n * (level - mean) ** 2 for level, n in enumerate(histogram)) / count) ** 0.5
    return spread, len(image.getcolors(maxcolors=1 << 24) or [])


@pytest.mark.parametrize("url_path", [p.url_path for p in pages.PAGES])
def test_page_loads_in_chromium_with_its_charts(
    url_path: str, browser: Browser, app_url: str, tmp_path: Path
) -> None:
    url = page_url(app_url, url_path)
    state = load(browser, url)
    assert not state.get("exceptions"), f"{url} shows an exception"
    assert state.get("charts"), f"no chart on {url} within {PAGE_TIMEOUT_S} s: {state}"
    assert state["drawn"] >= state["charts"], f"charts not drawn on {url}: {state}"
    expected = next(p for p in pages.PAGES if p.url_path == url_path)
    assert state["title"], f"{url} has no title ({expected.title})"
    shot = SCREENSHOTS / f"{url_path}.png" if SCREENSHOTS else tmp_path / f"{url_path}.png"
    shot.parent.mkdir(parents=True, exist_ok=True)
    shot.write_bytes(base64.b64decode(browser.call("Page.captureScreenshot", format="png")["data"]))
    spread, colours = pixel_spread(shot)
    assert spread > 10, f"{shot} is blank (grey level spread {spread:.1f})"
    assert colours > 200, f"{shot} has only {colours} colours: no chart drawn"


def test_chromium_command_is_the_one_cbw_dashboard_runs() -> None:
    command = streamlit_command(8501, "127.0.0.1")
    assert command[:4] == [sys.executable, "-m", "streamlit", "run"]
    assert command[4].endswith("dashboard/app.py")
