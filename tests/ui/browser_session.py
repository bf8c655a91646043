"""A browser session of the web app, with the steps the browser tests take in it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "ui"
SETTLE_MS = 500
"""Milliseconds for a tab's views to draw after a tab switch."""
DAY = re.compile(r"^Day \d+ · ")
"""The header of the main area (``Day 315 · 11.11 (of 365 days)``)."""
START_TIMEOUT = 90  # seconds for the server to answer and the first page to become interactive

expect.set_options(timeout=30_000)


@dataclass
class App:
    """One browser session of the app, with helpers for what the tests do in it."""

    page: Page
    url: str
    errors: list[str] = field(default_factory=list)

    def open(self) -> None:
        """Load the app and wait until it is interactive (the day shows)."""
        self.page.goto(self.url)
        try:
            expect(self.day_text(0)).to_be_visible(timeout=START_TIMEOUT * 1000)
        except AssertionError:
            self.shot("failed-to-load")
            hint = (
                " The page is stuck on 'Loading app': Solara's front-end assets are missing "
                "(run python -m ecosim.ui.assets, which needs npm)."
                if self.page.get_by_text("Loading app").is_visible()
                else ""
            )
            pytest.fail(f"The app did not become interactive.{hint} Console: {self.errors}")

    def day_text(self, day: int):
        """Locate the header of the main area on ``day``."""
        return self.page.get_by_text(re.compile(rf"^Day {day} · "))

    def counter(self) -> int:
        """Return the day the header of the main area shows."""
        return int(re.match(r"Day (\d+)", self.page.get_by_text(DAY).inner_text()).group(1))

    def step(self, picture: str = "network of customers") -> None:
        """Press Step; wait until the header and ``picture`` show the next day."""
        day = self.counter() + 1
        self.page.get_by_role("button", name="Step", exact=True).click()
        expect(self.day_text(day)).to_be_visible()
        expect(self.page.get_by_alt_text(f"{picture} on day {day}")).to_be_visible()

    def reset(self) -> None:
        """Press Reset and wait for day 0."""
        self.page.get_by_role("button", name="Reset").click()
        expect(self.day_text(0)).to_be_visible()

    def tab(self, name: str) -> None:
        """Show one of the tabs and let it draw."""
        self.page.get_by_role("tab", name=name).click()
        self.page.wait_for_timeout(SETTLE_MS)

    def pick(self, scenario: str) -> None:
        """Pick a scenario from the sidebar's list."""
        self.page.get_by_role("button", name=re.compile(r"^scenario ")).click()
        self.page.get_by_role("option", name=scenario, exact=True).click()

    def run_small_comparison(self) -> None:
        """On the Compare tab: 2 replications of 300 customers over 20 days; Run; wait."""
        for name, value in (("customers per run", 300), ("days per run", 20), ("replications", 2)):
            slider = self.page.get_by_role("slider", name=name)
            slider.press("Home")
            while int(slider.get_attribute("aria-valuenow")) < value:
                slider.press("ArrowRight")
        expect(
            self.page.get_by_text("4 runs: 2 strategies × 2 replications, 300 customers, 20 days")
        ).to_be_visible()
        self.page.get_by_role("button", name="Run").click()
        expect(self.page.get_by_text("4 runs done.")).to_be_visible(timeout=120_000)

    def shot(self, name: str) -> None:
        """Save a screenshot to test-artifacts/ui/<name>.png."""
        self.page.screenshot(path=ARTIFACTS / f"{name}.png")
