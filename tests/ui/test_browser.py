"""The web app in a real browser: loading, stepping, playing, parameters, views, errors."""

import json
import statistics

import pandas as pd
from playwright.sync_api import expect

from ecosim.ui.app import TABS

from browser_session import ARTIFACTS, App

STEP_SECONDS_LIMIT = 4.0
"""A step at 10,000 customers renders in about a second; this bound only catches regressions."""


def test_page_loads_without_errors_and_shows_every_view(app: App, app_url):
    assert f"ecosim ui: {app_url}" in (ARTIFACTS / "server.log").read_text()  # printed address
    app.open()
    page = app.page
    expect(page.get_by_text("Loading app")).to_be_hidden()
    expect(page.get_by_text("ecosim: the customer engagement ecosystem")).to_be_visible()
    for tab in TABS:
        expect(page.get_by_role("tab", name=tab)).to_be_visible()
    expect(page.get_by_text("Day 0 · before 1.1 (of 365 days)")).to_be_in_viewport()
    expect(page.get_by_alt_text("network of customers on day 0")).to_be_visible()
    expect(page.get_by_role("slider", name="customers")).to_be_attached()
    expect(page.get_by_role("slider", name="negativity bias")).to_be_attached()
    app.shot("loaded")


def test_each_browser_session_has_its_own_model(app: App, browser, app_url):
    app.open()
    app.step()
    other = App(browser.new_page(viewport={"width": 1400, "height": 1000}), app_url)
    other.open()
    other.step()
    other.step()
    assert (app.counter(), other.counter()) == (1, 2)
    other.page.close()


def test_play_advances_and_pause_stops(app: App):
    app.open()
    page = app.page
    page.get_by_role("button", name="▶").click()
    expect(page.get_by_role("button", name="❚❚")).to_be_visible()
    for _ in range(60):  # the counter may skip days while the views draw
        if app.counter() >= 3:
            break
        page.wait_for_timeout(500)
    page.get_by_role("button", name="❚❚").click()
    expect(page.get_by_role("button", name="▶")).to_be_visible()
    counts = [app.counter()]
    for _ in range(5):  # a day already under way may finish; then the counter stays
        page.wait_for_timeout(4000)  # playing, several days would pass in 4 s
        counts.append(app.counter())
        if counts[-1] == counts[-2]:
            break
    assert counts[-1] == counts[-2] >= 3, counts


def test_a_slider_change_applies_on_reset(app: App):
    app.open()
    page = app.page
    app.step()
    page.get_by_role("slider", name="customers").press("Home")
    expect(page.get_by_text("of 10,000 customers")).to_be_visible()  # not before Reset
    app.reset()
    expect(page.get_by_text("all 100 customers")).to_be_visible()
    expect(page.get_by_text("Running with: customers 100 (was 10000)")).to_be_visible()
    app.step()
    app.shot("reset-with-100-customers")


def test_an_impossible_setting_shows_the_schema_message_and_the_app_keeps_working(app: App):
    app.open()
    page = app.page
    page.get_by_role("slider", name="young_urban share").press("End")
    app.reset()
    message = page.get_by_text("segment shares must sum to 1")
    expect(message).to_be_visible()
    expect(page.get_by_text("These settings were not used")).to_be_visible()
    expect(page.get_by_text("Running with:")).to_be_hidden()  # the scenario as written
    app.step()
    app.shot("invalid-setting")


def test_an_invalid_edge_list_shows_a_message_and_a_valid_one_is_used(app: App):
    app.open()
    page = app.page
    upload = page.locator("input[type=file]")
    bad = b"source,target\n0,1\nabc,2\n"
    upload.set_input_files(files=[{"name": "bad.csv", "mimeType": "text/csv", "buffer": bad}])
    expect(page.get_by_text("bad.csv, line 3: 'abc' is not a node id")).to_be_visible()
    app.shot("invalid-edge-list")
    ring = "\n".join(f"{i},{(i + 1) % 10_000}" for i in range(10_000)).encode()
    upload.set_input_files(files=[{"name": "ring.csv", "mimeType": "text/csv", "buffer": ring}])
    expect(page.get_by_text("Network: ring.csv (uploaded)")).to_be_visible()
    expect(app.day_text(0)).to_be_visible()
    expect(page.get_by_text("bad.csv")).to_be_hidden()
    app.step()
    app.shot("ring-network")


def test_the_inspector_follows_a_typed_or_clicked_customer(app: App):
    app.open()
    page = app.page
    app.tab("Customer")
    field = page.get_by_label("customer id")
    field.fill("17")
    field.press("Enter")
    expect(page.get_by_text("Customer 17: segment")).to_be_visible()
    app.step()
    app.step()
    expect(page.get_by_alt_text("customer 17 since picked")).to_be_visible()
    app.shot("inspector")
    network = page.get_by_alt_text("network of customers on day 2")
    box = network.bounding_box()
    network.click(position={"x": box["width"] * 0.38, "y": box["height"] * 0.5})
    expect(page.get_by_text("Customer 17: segment")).to_be_hidden()
    expect(page.get_by_text("friends (")).to_be_visible()


def test_the_ecosystem_view_shows_todays_flows(app: App):
    app.open()
    page = app.page
    app.step()
    app.tab("Ecosystem")
    expect(page.get_by_text("Today in the ecosystem (day 1, all brands)")).to_be_visible()
    exposures = page.get_by_role("row").filter(has_text="messages delivered by media")
    assert int(exposures.get_by_role("cell").first.inner_text().replace(",", "")) > 0
    expect(page.get_by_alt_text("the engagement ecosystem on day 1")).to_be_visible()
    app.step(picture="the engagement ecosystem")
    expect(page.get_by_text("Today in the ecosystem (day 2, all brands)")).to_be_visible()
    app.shot("ecosystem")


def test_the_about_panel_explains_the_model(app: App):
    app.open()
    page = app.page
    app.tab("About")
    for title in ("WHAT IS IT?", "HOW IT WORKS", "HOW TO USE IT", "CREDITS AND REFERENCES"):
        expect(page.get_by_role("heading", name=title)).to_be_attached()
    for title in ("WHAT IS IT?", "HOW TO USE IT"):
        expect(page.get_by_role("heading", name=title)).to_be_visible()
    expect(page.get_by_text("Maslowska, Malthouse & Collinger").first).to_be_visible()
    app.shot("about")


def test_the_compare_page_produces_its_table(app: App):
    app.open()
    page = app.page
    app.tab("Compare")
    expect(page.get_by_text("Compare strategies", exact=True)).to_be_visible()
    expect(page.get_by_role("checkbox", name="current_plan")).to_be_checked()
    expect(page.get_by_role("checkbox", name="mass_advertising")).to_be_checked()
    for name, value in (("customers per run", 300), ("days per run", 20), ("replications", 2)):
        slider = page.get_by_role("slider", name=name)
        slider.press("Home")
        while int(slider.get_attribute("aria-valuenow")) < value:
            slider.press("ArrowRight")
    expect(
        page.get_by_text("4 runs: 2 strategies × 2 replications, 300 customers, 20 days")
    ).to_be_visible()
    page.get_by_role("button", name="Run").click()
    rows = page.get_by_role("row")
    expect(rows.filter(has_text="mass_advertising")).to_be_visible(timeout=120_000)
    expect(rows).to_have_count(3)  # the header, the baseline and mass_advertising
    expect(rows.nth(1)).to_contain_text("current_plan")
    expect(page.get_by_text("4 runs done.")).to_be_visible()
    expect(
        page.get_by_alt_text("daily adopted_share by strategy, mean with 95% band")
    ).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("button", name="Runs (CSV)").click()
    runs = pd.read_csv(download.value.path())
    assert len(runs) == 4 and set(runs["strategy"]) == {"current_plan", "mass_advertising"}
    app.shot("compare")


# Last, when the other test workers have finished: the timing is then the app's alone.
def test_step_advances_the_counter_in_about_a_second_at_10000_customers(app: App):
    app.open()
    expect(app.page.get_by_text("of 10,000 customers")).to_be_visible()
    seconds = [app.step() for _ in range(5)]
    assert app.counter() == 5
    app.shot("after-five-steps")
    median = statistics.median(seconds)
    (ARTIFACTS / "step-timing.json").write_text(
        json.dumps({"customers": 10_000, "seconds": seconds, "median": median}, indent=2)
    )
    print(f"\nStep at 10,000 customers: median {median:.2f} s of {[round(s, 2) for s in seconds]}")
    assert median < STEP_SECONDS_LIMIT


def test_a_scenario_can_be_picked_then_reset_and_stepped(app: App):
    app.open()
    page = app.page
    app.pick("two_brands")
    expect(page.get_by_role("slider", name="modaku price")).to_be_attached()
    app.reset()
    app.step()
    app.shot("two-brands")
