"""The web app: CPU time of opening a page, in the server and in each Chromium build.

Starts ``ecosim ui scenarios/baseline.toml`` (10,000 customers) of this checkout and, with
``--before DIR`` (another checkout of ecosim, e.g. ``git archive REV | tar -x -C DIR``), of
that one beside it, then opens the app ``--loads`` times in a new browser context (a new
session, as each browser test and each reader does) until the Model tab's last chart has
arrived, taking turns between the servers, and closes the page (which ends its session in
the server, as closing a tab does). For each load it reads the CPU seconds (user + system)
the browser's processes used from the page's opening to two seconds after its last chart
(a browser process that ended meanwhile is not counted), and the server's to three seconds
after the page closed (the garbage collection Solara runs a second after a session ends
included). With each Chromium found: Debian's headless shell
(``/usr/bin/chromium-headless-shell``, the browser tests') and full browser
(``/usr/bin/chromium``).

Prints a Markdown section and, with ``--write``, puts it into ``benchmarks/RESULTS.md``
under "Web app: opening a page" (replacing that section only).

Usage::

    .venv/bin/python benchmarks/ui_page_load.py [--loads 6] [--before DIR] [--write]
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import psutil
from playwright.sync_api import Browser, sync_playwright
from ui_play import ARGS, ROOT, _machine, serve, write

TITLE = "## Web app: opening a page"
CHROMIUMS = {
    "headless shell": "/usr/bin/chromium-headless-shell",
    "full browser": "/usr/bin/chromium",
}
SETTLE = 2.0
"""Seconds after the last chart before the browser's CPU is read."""
CLOSED = 3.0
"""Seconds after closing before the server's CPU is read."""


def _cpu(processes: list[psutil.Process]) -> dict[int, float]:
    """CPU seconds (user + system) so far of each process, by process id."""
    seconds = {}
    for process in processes:
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        seconds[process.pid] = times.user + times.system
    return seconds


def _browser_processes() -> list[psutil.Process]:
    """This process's Chromium processes (Playwright's driver starts them)."""
    found = []
    for process in psutil.Process().children(recursive=True):
        try:
            if "chrom" in " ".join(process.cmdline()):
                found.append(process)
        except psutil.NoSuchProcess:
            continue
    return found


def load(browser: Browser, url: str, server: psutil.Process) -> tuple[float, float]:
    """Open the app in a new context and close it; return (server, browser) CPU seconds.

    The browser's are read before the page closes (its renderer ends with it), counting
    the processes started for the page from zero.
    """
    server_before = _cpu([server])[server.pid]
    browser_before = _cpu(_browser_processes())
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(120_000)
    page.goto(url)
    page.get_by_alt_text("Churn on day 0").wait_for()
    time.sleep(SETTLE)
    browser_after = _cpu(_browser_processes())
    page.close()  # its session ends in the server, as when a tab closes
    context.close()
    time.sleep(CLOSED)
    used = sum(t - browser_before.get(pid, 0.0) for pid, t in browser_after.items())
    return _cpu([server])[server.pid] - server_before, used


def section(
    results: dict[tuple[str, str], list[tuple[float, float]]], loads: tuple[float, float]
) -> str:
    """Write the results as the Markdown section of RESULTS.md."""
    rows = []
    for (code, chromium), times in results.items():
        server = [s for s, _ in times]
        browser = [b for _, b in times]
        rows.append(
            f"| {code} | {chromium} | {statistics.median(server):.2f} "
            f"({min(server):.2f}–{max(server):.2f}) | {statistics.median(browser):.2f} "
            f"({min(browser):.2f}–{max(browser):.2f}) | {len(times)} |"
        )
    table = "\n".join(rows)
    return f"""{TITLE}

`benchmarks/ui_page_load.py`, {datetime.date.today()}: `ecosim ui scenarios/baseline.toml`
(10,000 customers) opened in a new browser context until the Model tab's last chart has
arrived, then closed; CPU seconds (user + system) per load, median (range), the servers
taking turns. Machine: {_machine()}. Load average (1 min) before and after: {loads[0]:.2f},
{loads[1]:.2f}.

| ecosim | Chromium | server CPU s | browser CPU s | loads |
|---|---|---|---|---|
{table}
"""


def main() -> None:
    """Run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--loads", type=int, default=6)
    parser.add_argument("--before", type=Path, help="another checkout, served beside this one")
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    options = parser.parse_args()
    before = os.getloadavg()[0]
    codes = {"this checkout": ROOT}
    if options.before:
        codes = {"before": options.before.resolve(), **codes}
    chromiums = {name: path for name, path in CHROMIUMS.items() if Path(path).is_file()}
    if not chromiums:
        sys.exit(f"no Chromium: expected one of {', '.join(CHROMIUMS.values())}")
    servers: dict[str, tuple[subprocess.Popen, str]] = {}
    results: dict[tuple[str, str], list[tuple[float, float]]] = {}
    try:
        for name, code in codes.items():
            servers[name] = serve(code)
        with sync_playwright() as playwright:
            for chromium, executable in chromiums.items():
                browser = playwright.chromium.launch(executable_path=executable, args=ARGS)
                for server, url in servers.values():  # a first load of each: warm
                    load(browser, url, psutil.Process(server.pid))
                for _ in range(options.loads):
                    for name, (server, url) in servers.items():
                        times = load(browser, url, psutil.Process(server.pid))
                        results.setdefault((name, chromium), []).append(times)
                browser.close()
    finally:
        for server, _ in servers.values():
            server.terminate()
            server.wait(timeout=30)
    text = section(results, (before, os.getloadavg()[0]))
    print(text)
    if options.write:
        write(text, TITLE)


if __name__ == "__main__":
    main()
