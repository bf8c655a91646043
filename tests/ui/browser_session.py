"""A browser session of the web app, with the steps the browser tests take in it."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "ui"
SETTLE_MS = 1000
"""Milliseconds for a page's grid of views to settle after a tab switch."""
START_TIMEOUT = 90  # seconds for the server to answer and the first page to become interactive

expect.set_options(timeout=30_000)


@dataclass
class App:
    """One browser session of the app, with helpers for what the tests do in it."""

    page: Page
    url: str
    errors: list[str] = field(default_factory=list)

    def open(self) -> None:
        """Load the app and wait until it is interactive (the step counter shows)."""
        self.page.goto(self.url)
        try:
            expect(self.page.get_by_text("Step: 0")).to_be_visible(timeout=START_TIMEOUT * 1000)
        except AssertionError:
            self.shot("failed-to-load")
            hint = (
                " The page is stuck on 'Loading app': Solara's front-end assets are missing "
                "(run python -m ecosim.ui.assets, which needs npm)."
                if self.page.get_by_text("Loading app").is_visible()
                else ""
            )
            pytest.fail(f"The app did not become interactive.{hint} Console: {self.errors}")

    def counter(self) -> int:
        """Return the day the step counter shows."""
        return int(self.page.get_by_text("Step:").inner_text().split(":")[1])

    def step(self, picture: str = "network of customers") -> float:
        """Press Step; return the seconds until the counter and ``picture`` show the next day."""
        day = self.counter() + 1
        started = time.perf_counter()
        self.page.get_by_role("button", name="Step", exact=True).click()
        expect(self.page.get_by_text(f"Step: {day}")).to_be_visible()
        expect(self.page.get_by_alt_text(f"{picture} on day {day}")).to_be_visible()
        return time.perf_counter() - started

    def tab(self, number: int) -> None:
        """Show one of SolaraViz's pages and let its grid settle.

        The page's views are in a draggable grid that animates them into place: they are
        in the page (and count as visible) before they are drawn, so a screenshot taken at
        once can be blank.
        """
        self.page.get_by_role("tab", name=f"Page {number}").click()
        self.page.wait_for_timeout(SETTLE_MS)

    def shot(self, name: str) -> None:
        """Save a screenshot to test-artifacts/ui/<name>.png."""
        self.page.screenshot(path=ARTIFACTS / f"{name}.png")
