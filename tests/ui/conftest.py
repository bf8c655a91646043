"""Browser tests of the web app: one ``ecosim ui`` server per session, one browser page per test.

``make test`` runs each test file on one xdist worker, so the browser tests share one server.

The server runs as a subprocess on a free port; Chromium is driven by Playwright's sync API.
Chromium comes from ``$ECOSIM_CHROMIUM``, Debian's headless shell
(``/usr/bin/chromium-headless-shell``, the build Playwright itself drives headless: a page
load costs it about a third less CPU than the full browser), Debian's ``/usr/bin/chromium`` or
Playwright's own download; without any of them the tests fail and say how to install one.
Screenshots go to ``test-artifacts/ui/``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from ecosim.ui.scenarios import UPLOAD_LIMIT_VARIABLE

from browser_session import ARTIFACTS, START_TIMEOUT, App

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for_http(url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"ecosim ui exited with status {server.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"ecosim ui did not answer at {url} within {START_TIMEOUT} s:\n{log.read_text()}")


@pytest.fixture(scope="session")
def server_log() -> Path:
    """The app server's output, one file per test worker (each starts its own server)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / f"server-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}.log"


@pytest.fixture(scope="session")
def app_url(server_log: Path) -> str:
    """Start ``ecosim ui`` (baseline scenario, 10,000 customers) on a free port."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = server_log
    command = [sys.executable, "-m", "ecosim.cli", "ui", "scenarios/baseline.toml"]
    environment = {**os.environ, UPLOAD_LIMIT_VARIABLE: "2"}  # megabytes
    with log.open("w") as output:
        server = subprocess.Popen(
            [*command, "--port", str(port)],
            cwd=ROOT,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_for_http(url, server, log)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


DEBIAN_CHROMIUMS = ("/usr/bin/chromium-headless-shell", "/usr/bin/chromium")
"""Debian's headless shell, then its full browser."""


def chromium_executable(bundled: str) -> str:
    """Return the Chromium to drive: ``$ECOSIM_CHROMIUM``, Debian's, or Playwright's own."""
    for candidate in (os.environ.get("ECOSIM_CHROMIUM"), *DEBIAN_CHROMIUMS, bundled):
        if candidate and Path(candidate).is_file():
            return candidate
    pytest.fail(
        "No Chromium for the browser tests. Install Debian's (apt-get install -y "
        "chromium-headless-shell), "
        "or Playwright's on a machine with internet access (python -m playwright install "
        "chromium), or point ECOSIM_CHROMIUM at a Chromium executable.",
        pytrace=False,
    )


@pytest.fixture(scope="session")
def browser() -> Browser:
    with sync_playwright() as playwright:
        executable = chromium_executable(playwright.chromium.executable_path)
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def app(browser: Browser, app_url: str) -> App:
    """A fresh browser session (so a fresh model) of the running app.

    Fails the test if the page logged an error to the console.
    """
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    session = App(page, app_url)
    page.on("console", lambda m: m.type == "error" and session.errors.append(m.text))
    page.on("pageerror", lambda error: session.errors.append(str(error)))
    yield session
    page.close()  # its session ends in the server, as when a reader closes the tab
    context.close()
    assert not session.errors, f"the page logged errors: {session.errors}"
