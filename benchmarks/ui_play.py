"""The web app in a browser: days per second while playing, Step's and a slider's latency.

Starts ``ecosim ui scenarios/baseline.toml`` (10,000 customers) on a free port, opens it
in Chromium (Debian's ``/usr/bin/chromium`` or ``$ECOSIM_CHROMIUM``) through Playwright,
and measures on the Model tab (network, funnel and time charts):

- **Step**: seconds from the click until the header shows the next day and the network
  picture of that day has arrived (the median of ``--steps`` presses; the
  page is checked at every frame it draws, where Playwright's own waits poll after 0.1,
  0.25, 0.5, then every 1 s, and would round the times up to those steps);
- **Play**: simulated days per second over ``--seconds`` of playing, at each pace asked
  for (the pace buttons of the Run card), read from the header of the page;
- **Slider**: seconds from a key press on the price slider (after the Step presses, so the
  charts hold days) until the page prints the new value, the median of ``--presses``.

With ``--before DIR`` (another checkout of ecosim, e.g. ``git archive REV | tar -x -C DIR``)
the same measures are taken on it first, then on this checkout.

Prints a Markdown section and, with ``--write``, puts it into ``benchmarks/RESULTS.md``
under "Web app: Play and Step" (replacing that section only).

Usage::

    .venv/bin/python benchmarks/ui_play.py [--steps 5] [--seconds 20] [--before DIR] [--write]
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser, Page, expect, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
TITLE = "## Web app: Play and Step"
DAY = re.compile(r"^Day (\d+) · ")
HORIZON = 365
ARGS = [
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


def _day(page: Page) -> int:
    return int(DAY.match(page.get_by_text(DAY).inner_text()).group(1))


def _wait(url: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    sys.exit(f"the app did not answer at {url}")


def _shown(page: Page, condition: str) -> None:
    """Wait until a JavaScript condition holds, checked at every frame the page draws."""
    page.wait_for_function(f"() => Boolean({condition})", polling="raf")


def measure_step(page: Page, steps: int) -> list[float]:
    """Press Step ``steps`` times; return the seconds each took to show the next day."""
    seconds = []
    for _ in range(steps):
        day = _day(page) + 1
        started = time.perf_counter()
        page.get_by_role("button", name="Step", exact=True).click()
        _shown(page, f"document.querySelector('img[alt=\"network of customers on day {day}\"]')")
        _shown(page, f"document.body.innerText.includes('Day {day} · ')")
        seconds.append(time.perf_counter() - started)
    return seconds


def measure_play(page: Page, pace: int, seconds: float) -> float:
    """Play at ``pace`` for ``seconds``; return the simulated days per second seen."""
    page.get_by_role("button", name="Reset").click()
    expect(page.get_by_text(re.compile(r"^Day 0 · "))).to_be_visible()
    page.get_by_role("button", name=str(pace), exact=True).click()
    page.get_by_role("button", name="Play", exact=True).click()
    expect(page.get_by_text(re.compile(r"^Day [1-9]"))).to_be_visible()
    first, started = _day(page), time.perf_counter()
    last, elapsed = first, 0.0
    while time.perf_counter() - started < seconds and last < HORIZON:
        page.wait_for_timeout(250)
        day = _day(page)
        if day != last:
            last, elapsed = day, time.perf_counter() - started
    if last < HORIZON:
        page.get_by_role("button", name="Pause", exact=True).click()
    return (last - first) / elapsed


def measure_slider(page: Page, presses: int) -> list[float]:
    """Press the right arrow on the price slider; return the seconds until each value shows."""
    price = page.get_by_role("slider", name="tokoku price")
    start = int(price.get_attribute("aria-valuenow"))
    seconds = []
    for i in range(1, presses + 1):
        started = time.perf_counter()
        price.press("ArrowRight")
        _shown(page, f"document.body.innerText.includes('Rp {start + i} thousand (from 0 to')")
        seconds.append(time.perf_counter() - started)
    return seconds


def serve(code: Path) -> tuple[subprocess.Popen, str]:
    """Serve the baseline with the ecosim of ``code``; return the server and its address."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "ecosim.cli", "ui", str(ROOT / "scenarios/baseline.toml")]
    server = subprocess.Popen(
        [*command, "--port", str(port)],
        cwd=code,
        env={**os.environ, "PYTHONPATH": str(code)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait(url)
    except BaseException:
        server.terminate()
        server.wait(timeout=30)
        raise
    return server, url


@contextmanager
def opened(code: Path, browser: Browser) -> Iterator[Page]:
    """Serve the baseline with the ecosim of ``code`` and open it in a new page."""
    server, url = serve(code)
    try:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(60_000)
        page.goto(url)
        expect(page.get_by_text(re.compile(r"^Day 0 · "))).to_be_visible(timeout=120_000)
        yield page
        page.close()
    finally:
        server.terminate()
        server.wait(timeout=30)


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    return f"{cpu}, {os.cpu_count()} cores; Python {platform.python_version()}"


def section(
    step: dict[str, list[float]],
    play: dict[str, float],
    slider: dict[str, list[float]],
    loads: tuple[float, float],
) -> str:
    """Write the results as the Markdown section of RESULTS.md."""
    rows = [
        *(
            f"| Step (click to the next day's network shown), {name}, median of {len(times)} "
            f"| {_listed(times)} |"
            for name, times in step.items()
        ),
        *(
            f"| Play at {name} | {rate:.1f} simulated days per second "
            f"(a year in {365 / rate:.0f} s) |"
            for name, rate in play.items()
        ),
        *(
            f"| Slider (key press to the new value printed), {name}, median of {len(times)} "
            f"| {_listed(times)} |"
            for name, times in slider.items()
        ),
    ]
    table = "\n".join(rows)
    return f"""{TITLE}

`benchmarks/ui_play.py`, {datetime.date.today()}: `ecosim ui scenarios/baseline.toml`
(10,000 customers) in headless Chromium, Model tab (network, funnel and four time charts).
Machine: {_machine()}. Load average (1 min) before and after: {loads[0]:.2f}, {loads[1]:.2f}
(other work shared the machine).

| measure | result |
|---|---|
{table}

Play keeps the pace asked for by drawing once per batch of days: the slower the drawing,
the more days each picture moves on.
"""


def _listed(seconds: list[float]) -> str:
    each = ", ".join(f"{s:.2f}" for s in seconds)
    return f"{statistics.median(seconds):.2f} s ({each})"


def write(text: str, title: str = TITLE) -> None:
    """Put the section ``title`` into RESULTS.md, replacing an older one and nothing else."""
    old = RESULTS.read_text()
    if title in old:
        start = old.index(title)
        rest = old[start + len(title) :]
        end = rest.find("\n## ")
        tail = "" if end < 0 else rest[end + 1 :]
        new = old[:start] + text + ("\n" + tail if tail else "")
    else:
        new = old.rstrip("\n") + "\n\n" + text
    RESULTS.write_text(new)


def main() -> None:
    """Run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--paces", type=int, nargs="+", default=[10, 100])
    parser.add_argument("--presses", type=int, default=12)
    parser.add_argument("--before", type=Path, help="another checkout: its slider latency too")
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    options = parser.parse_args()
    before = os.getloadavg()[0]
    step: dict[str, list[float]] = {}
    slider: dict[str, list[float]] = {}
    play: dict[str, float] = {}
    with sync_playwright() as playwright:
        chromium = os.environ.get("ECOSIM_CHROMIUM", "/usr/bin/chromium")
        browser = playwright.chromium.launch(executable_path=chromium, args=ARGS)
        expect.set_options(timeout=60_000)
        codes = {"this checkout": ROOT}
        if options.before is not None:
            codes = {f"before ({options.before})": options.before.resolve(), **codes}
        for name, code in codes.items():
            with opened(code, browser) as page:
                step[name] = measure_step(page, options.steps)
                slider[name] = measure_slider(page, options.presses)
                for pace in options.paces:
                    play[f"{pace} days/s, {name}"] = measure_play(page, pace, options.seconds)
        browser.close()
    text = section(step, play, slider, (before, os.getloadavg()[0]))
    print(text)
    if options.write:
        write(text)


if __name__ == "__main__":
    main()
