"""The web app in a real browser: loading, stepping, playing, parameters, views, errors."""

import re
import time
import tomllib
from pathlib import Path

import pandas as pd
from playwright.sync_api import expect

from ecosim.ui.app import TABS

from browser_session import App


def test_page_loads_without_errors_and_shows_every_view(app: App, app_url, server_log):
    assert f"ecosim ui: {app_url}" in server_log.read_text()  # printed address
    app.open()
    page = app.page
    expect(page.get_by_text("Loading app")).to_be_hidden()
    title = "ecosim: the customer engagement ecosystem"
    expect(page.locator(".v-toolbar__title", has_text=title)).to_be_visible()
    expect(page).to_have_title(title)  # the browser's tab said "App"
    for tab in TABS:
        expect(page.get_by_role("tab", name=tab)).to_be_visible()
    expect(page.get_by_text("Day 0 · before 1.1 (of 365 days)")).to_be_in_viewport()
    expect(page.get_by_alt_text("network of customers on day 0")).to_be_visible()
    expect(page.get_by_role("slider", name="customers")).to_be_attached()
    expect(page.get_by_role("slider", name="negativity bias")).to_be_attached()
    app.shot("loaded")
    assert "samesite" not in server_log.read_text(), "no cookie warning for a page not embedded"


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
    page.get_by_role("button", name="Play", exact=True).click()
    expect(page.get_by_role("button", name="Pause", exact=True)).to_be_visible()
    for _ in range(60):  # the counter may skip days while the views draw
        if app.counter() >= 3:
            break
        page.wait_for_timeout(500)
    page.get_by_role("button", name="Pause", exact=True).click()
    expect(page.get_by_role("button", name="Play", exact=True)).to_be_visible()
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
    expect(page.get_by_text("Running with: customers 100 (was 10,000)")).to_be_visible()
    app.step()
    app.shot("reset-with-100-customers")


def test_keyboard_moves_a_slider_exactly_and_untouched_settings_keep_their_values(app: App):
    app.open()
    page = app.page
    price = page.get_by_role("slider", name="tokoku price")
    for _ in range(30):
        price.press("ArrowRight")
    expect(price).to_have_attribute("aria-valuenow", "180")
    expect(page.get_by_text("Rp 180 thousand (from 0 to 450)")).to_be_visible()
    expect(page.get_by_role("slider", name="churn rate")).to_have_attribute(
        "aria-valuenow", "0.001"
    )
    app.reset()
    expect(
        page.get_by_text("Running with: tokoku price Rp 180 thousand (was Rp 150)", exact=True)
    ).to_be_visible()
    expect(page.get_by_role("slider", name="churn rate")).to_have_attribute(
        "aria-valuenow", "0.001"
    )
    app.step()


def test_an_impossible_setting_shows_the_schema_message_and_the_app_keeps_working(app: App):
    app.open()
    page = app.page
    page.get_by_role("slider", name="young urban share").press("End")
    app.reset()
    message = page.get_by_text("segment shares must sum to 1")
    expect(message).to_be_visible()
    expect(page.get_by_text("These settings were not used")).to_be_visible()
    shown = page.locator(".v-alert").filter(has_text="These settings were not used").inner_text()
    assert "runs as written.\nscenario 'baseline': 1 problem\n" in shown, "one line each"
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
    page.get_by_role("slider", name="customers").press("ArrowRight")
    app.reset()
    refused = page.locator(".v-alert").filter(has_text="These settings were not used")
    assert refused.inner_text().endswith(  # named without the server's folder
        "\nring.csv connects 10,000 customers, so the population stays at 10,000 with this "
        "network: set customers to 10,000 (not 10,100), or pick another network"
    )
    club = "\n".join(f"{i},{j}" for i in range(34) for j in range(i + 1, 34) if (i * j) % 7 == 1)
    upload.set_input_files(
        files=[{"name": "club.csv", "mimeType": "text/csv", "buffer": club.encode()}]
    )
    expect(
        page.get_by_text(
            "club.csv connects 34 customers (ids 0 to 33), so the population is now 34"
        )
    ).to_be_visible()
    expect(page.get_by_text("all 34 customers")).to_be_visible()
    app.step()
    app.shot("small-uploaded-network")
    app.pick("two_brands")
    expect(page.get_by_text("Network: club.csv (uploaded)")).to_be_hidden()
    app.reset()
    app.step()


def test_a_huge_id_is_refused_and_the_message_goes_as_the_next_upload_starts(app: App):
    app.open()
    page = app.page
    upload = page.locator("input[type=file]")
    huge = b"0,1\n1,5000000\n"
    upload.set_input_files(files=[{"name": "huge.csv", "mimeType": "text/csv", "buffer": huge}])
    refused = page.get_by_text(
        "huge.csv: its largest customer id is 5,000,000, so the population would be "
        "5,000,001 customers, over the limit of 100,000 customers"
    )
    expect(refused).to_be_visible()
    expect(page.get_by_text("Network: huge.csv (uploaded)")).to_be_hidden()
    app.shot("huge-id-refused")
    ring = "\n".join(f"{i},{(i + 1) % 50_000}" for i in range(50_000)).encode()
    upload.set_input_files(files=[{"name": "ring.csv", "mimeType": "text/csv", "buffer": ring}])
    expect(refused).to_be_hidden()
    in_use = page.get_by_text("Network: ring.csv (uploaded)")
    assert not in_use.is_visible(), "the old message stayed until the new network was in use"
    expect(in_use).to_be_visible()
    expect(page.get_by_text("ring.csv connects 50,000 customers")).to_be_visible()
    app.step()


def test_an_upload_over_the_size_limit_is_refused_at_once(app: App):
    app.open()
    big = b"0,1\n" * 600_000  # 2.4 MB; the test server's limit is 2 MB
    started = time.perf_counter()
    app.page.locator("input[type=file]").set_input_files(
        files=[{"name": "big.csv", "mimeType": "text/csv", "buffer": big}]
    )
    expect(
        app.page.get_by_text("big.csv: 2.4 MB is over the upload limit of 2.0 MB")
    ).to_be_visible()
    assert time.perf_counter() - started < 10
    app.step()


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
    expect(page.get_by_text("This website runs on Solara")).to_have_count(0)
    app.shot("about")


def test_the_compare_page_produces_its_table(app: App):
    app.open()
    page = app.page
    app.tab("Compare")
    expect(page.get_by_text("Compare strategies", exact=True)).to_be_visible()
    expect(page.get_by_role("checkbox", name="current plan")).to_be_checked()
    expect(page.get_by_role("checkbox", name="mass advertising")).to_be_checked()
    app.run_small_comparison()
    header = page.get_by_role("row").first
    for name in ("profit (Rp thousand)", "revenue (Rp thousand)", "marketing ROI"):
        expect(header).to_contain_text(name)
    expect(page.get_by_role("row").nth(1)).to_contain_text(
        re.compile(r"current plan\s*Rp [\d,−-]+k \[")
    )
    verdict = page.get_by_text(
        re.compile(r"^mass advertising (raises|lowers) profit by Rp\u00a0[\d,]+k \[")
    )
    expect(verdict).to_be_visible()
    expect(verdict).to_contain_text(
        re.compile(r"marketing ROI by [\d.]+ \[.*\] — (significant|not significant)")
    )
    expect(
        page.get_by_alt_text(
            "daily cumulative profit (Rp thousand) by strategy, mean with 95% band"
        )
    ).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("button", name="Runs (CSV)").click()
    runs = pd.read_csv(download.value.path())
    assert len(runs) == 4 and set(runs["strategy"]) == {"current_plan", "mass_advertising"}
    app.shot("compare")


def test_the_compare_page_takes_a_scenario_file_as_a_strategy(app: App):
    app.open()
    page = app.page
    app.tab("Compare")
    page.get_by_text("mass advertising", exact=True).click()  # the checkbox's label
    expect(page.get_by_role("checkbox", name="mass advertising")).not_to_be_checked()
    page.get_by_role("button", name=re.compile(r"^strategies from scenario files")).click()
    page.get_by_role("option", name="two brands", exact=True).click()
    page.keyboard.press("Escape")
    expect(page.get_by_text("two brands: two_brands.toml", exact=True)).to_be_visible()
    expect(page.get_by_text("An incumbent and a price-led challenger")).to_be_visible()
    app.run_small_comparison()
    expect(page.get_by_role("row").nth(2)).to_contain_text(re.compile(r"^two brands\s*Rp "))
    expect(
        page.get_by_text(re.compile(r"^two brands (raises|lowers) profit by Rp"))
    ).to_be_visible()
    app.shot("compare-scenario-file")


def test_five_steps_at_10000_customers_show_day_five(app: App):
    app.open()
    expect(app.page.get_by_text("of 10,000 customers")).to_be_visible()
    for _ in range(5):
        app.step()
    assert app.counter() == 5
    app.shot("after-five-steps")


def test_every_shipped_scenario_can_be_picked_reset_and_stepped(app: App):
    app.open()
    page = app.page
    app.tab("About")  # draws nothing that changes: the test times the model, not the views
    for path in sorted(Path("scenarios").glob("*.toml")):
        app.pick(path.stem)
        expect(page.get_by_role("button", name=f"scenario {path.stem}", exact=True)).to_be_visible()
        app.reset()
        page.get_by_role("button", name="Step", exact=True).click()
        expect(app.day_text(1)).to_be_visible()
        expect(page.get_by_text("These settings were not used")).to_be_hidden()
    app.tab("Model")
    app.step()
    app.shot("last-scenario")


def test_a_moved_slider_then_another_scenario_resets_cleanly(app: App):
    """Also: the page says what it builds, its run buttons waiting (a scenario picked or a
    Reset at 10,000 customers took seconds with no sign of work)."""
    app.open()
    page = app.page
    step = page.get_by_role("button", name="Step", exact=True)
    page.get_by_role("slider", name="negativity bias").press("End")
    app.pick("two_brands")
    for said in ("Loading two_brands…", "Resetting: building the model…"):
        expect(page.get_by_text(said)).to_be_visible()
        expect(step).to_be_disabled()
        expect(page.locator("[role=progressbar]:visible").first).to_be_visible()
        expect(page.get_by_text(said)).to_be_hidden()
        expect(step).to_be_enabled()
        if said.startswith("Loading"):
            expect(page.get_by_role("slider", name="modaku price")).to_be_attached()
            expect(page.get_by_text("Changed from the scenario")).to_be_hidden()
            page.get_by_role("button", name="Reset").click()
    app.step()
    expect(page.get_by_text("Running with:")).to_be_hidden()
    app.shot("two-brands")


def test_play_stops_at_the_horizon_and_says_so(app: App):
    app.open()
    page = app.page
    days = page.get_by_role("slider", name="days", exact=True)
    days.press("Home")
    for _ in range(11):
        days.press("ArrowRight")
    expect(page.get_by_text("12 days (from 1 to 730)")).to_be_visible()
    app.reset()
    expect(page.get_by_text("Day 0 · before 1.1 (of 12 days)")).to_be_visible()
    page.get_by_role("button", name="Play", exact=True).click()
    expect(page.get_by_text("The scenario's 12 days are over.")).to_be_visible()
    expect(page.get_by_text("Day 12 · 12.1 (of 12 days)")).to_be_visible()
    expect(page.get_by_role("button", name="Step", exact=True)).to_be_disabled()
    page.wait_for_timeout(1000)
    assert app.counter() == 12
    app.shot("horizon")


def test_the_time_charts_show_the_campaign_calendar(app: App):
    app.open()
    page = app.page
    expect(
        page.get_by_text(re.compile(r"^Campaign calendar along the time axis: tokoku ads"))
    ).to_be_visible()
    page.get_by_alt_text("Purchases and revenue on day 0").scroll_into_view_if_needed()
    app.shot("calendar-on-charts")


def test_two_brands_have_labelled_calendar_rows_under_the_charts(app: App):
    app.open()
    page = app.page
    app.pick("two_brands")
    app.reset()
    caption = r"^Campaign calendar along the time axis: .*modaku sale \(darker\) \(4\).*labelled"
    expect(page.get_by_text(re.compile(caption))).to_be_visible()
    image = page.get_by_alt_text("Purchases and revenue on day 0")
    expect(image).to_be_visible()
    width, height = image.evaluate("picture => [picture.naturalWidth, picture.naturalHeight]")
    assert height > width * 4.4 / 6.4 + 6 * 10  # the chart, then six rows of 12 pixels
    image.scroll_into_view_if_needed()
    app.shot("two-brands-calendar")


def test_the_campaign_editor_checks_applies_and_downloads_a_plan(app: App):
    app.open()
    page = app.page
    app.tab("Campaign")
    expect(page.get_by_text("The scenario's plan: ")).to_be_visible()
    expect(page.get_by_text("Other fields of this type (TOML")).to_be_visible()  # filled box
    end = page.get_by_label("end (day)")
    end.fill("0")
    end.press("Enter")
    page.get_by_role("button", name="Save action").click()
    expect(
        page.get_by_text("campaign[0].end: Input should be greater than or equal to 1")
    ).to_be_visible()
    app.shot("campaign-invalid")
    end.fill("300")
    end.press("Enter")
    page.get_by_role("button", name="Save action").click()
    expect(page.get_by_text("Action 0 saved. It applies on Reset.")).to_be_visible()
    expect(page.get_by_role("cell", name="day 300 (27.10)")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download scenario (TOML)").click()
    saved = tomllib.loads(Path(download.value.path()).read_text())
    assert saved["campaign"][0]["end"] == 300
    expect(
        page.get_by_text("The download holds the settings the model runs with, and this plan.")
    ).to_be_visible()
    app.reset()
    expect(
        page.get_by_text("Running with: the campaign plan edited in the Campaign tab")
    ).to_be_visible()
    expect(page.get_by_text("The model running uses this plan.")).to_be_visible()
    app.shot("campaign-edited")
    app.tab("Compare")
    expect(page.get_by_role("checkbox", name="edited plan (Campaign tab)")).to_be_checked()
    expect(page.get_by_text(re.compile(r"^15 runs: 3 strategies × 5 replications"))).to_be_visible()


ACTIVE_TAB = ".v-window-item--active:not([class*=transition])"
"""The tab shown, once it has slid into place."""


def _right_edge(element) -> float:
    """Return where an element's content ends on the page (its scroll bar excluded)."""
    return element.bounding_box()["x"] + element.evaluate("item => item.clientWidth")


def _settled_box(element, page, timeout: float = 10.0) -> dict:
    """Return an element's box once it stops moving (a tab laid out late on a busy machine)."""
    box, waited = element.bounding_box(), 0.0
    while waited < timeout:
        page.wait_for_timeout(200)
        waited += 0.2
        box, last = element.bounding_box(), box
        if box == last:
            break
    return box


def test_the_campaign_table_scrolls_in_its_own_box_in_a_1024_pixel_window(app: App):
    """At 1024 px the table widened the tab past the window: its last columns, the end of
    the line above it and the right of the form were cut off."""
    page = app.page
    page.set_viewport_size({"width": 1024, "height": 800})
    app.open()
    app.tab("Campaign")
    tab = page.locator(ACTIVE_TAB)
    expect(tab).to_have_count(1)  # the tab has slid into place
    plan = _settled_box(page.get_by_text("The scenario's plan: "), page)
    right = _right_edge(tab)
    assert plan["x"] + plan["width"] <= right + 1
    assert tab.evaluate("item => item.scrollWidth - item.clientWidth") <= 8  # a select's arrow
    table = page.get_by_role("table").filter(has_text="channel or influencer")
    box = table.locator("xpath=..")
    wide, seen = box.evaluate("box => [box.scrollWidth, box.clientWidth]")
    assert wide > seen and box.bounding_box()["x"] + seen <= right + 1
    cell = table.get_by_role("cell", name="day 288 (15.10)")
    assert cell.bounding_box()["height"] < 30, "a day and its date on one line"
    box.evaluate("box => box.scrollTo(box.scrollWidth, 0)")
    expect(table.get_by_role("cell", name="Rp 15,000k")).to_be_in_viewport()
    app.shot("campaign-1024")


def test_the_editors_answer_shows_beside_its_buttons_in_a_1024_by_768_window(app: App):
    """At 1024 x 768 "Action 0 saved" appeared under the buttons, below the window."""
    page = app.page
    page.set_viewport_size({"width": 1024, "height": 768})
    app.open()
    app.tab("Campaign")
    end = page.get_by_label("end (day)")
    end.fill("0")
    end.press("Enter")
    save = page.get_by_role("button", name="Save action")
    save.scroll_into_view_if_needed()
    page.mouse.wheel(0, -(768 - save.bounding_box()["y"] - 60))  # the buttons at the bottom
    save.click()
    expect(page.get_by_text("campaign[0].end: Input should be greater")).to_be_in_viewport()
    end.fill("300")
    end.press("Enter")
    save.click()
    expect(page.get_by_text("Action 0 saved. It applies on Reset.")).to_be_in_viewport()
    expect(save).to_be_in_viewport()
    app.shot("campaign-saved-1024x768")


def test_the_compare_tables_scroll_in_their_own_boxes_at_1024_and_1440_pixels(app: App):
    """The money table (its cells do not wrap) ran past its column: its last column was
    cut at 1024 and at 1440 px."""
    page = app.page
    page.set_viewport_size({"width": 1024, "height": 900})
    app.open()
    app.tab("Compare")
    app.run_small_comparison()
    money = page.get_by_role("table").filter(has_text="profit (Rp thousand)")
    outcome = page.get_by_role("table").filter(has_text="difference from current plan")
    for width in (1024, 1440):
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(500)
        tab = page.locator(ACTIVE_TAB)
        assert tab.evaluate("item => item.scrollWidth - item.clientWidth") <= 8, width
        for table in (money, outcome):
            box = table.locator("xpath=..")
            assert _right_edge(box) <= _right_edge(tab) + 1, width
        wide, seen = money.evaluate("table => [table.scrollWidth, table.clientWidth]")
        assert wide > seen, f"the money table fits at {width} px: scroll nothing"
        money.evaluate("table => table.scrollTo(table.scrollWidth, 0)")  # it scrolls itself
        last = money.get_by_role("row").last.get_by_role("cell").last
        cell, edge = last.bounding_box(), _right_edge(money)
        assert cell["x"] + cell["width"] <= edge + 1, "the marketing ROI scrolls into view"
        money.scroll_into_view_if_needed()
        app.shot(f"compare-tables-{width}")


def test_every_tab_shows_beside_the_sidebar_in_a_1024_pixel_window(app: App):
    """The tab bar scrolled: only '…EL ECOSYSTEM CUSTOMER CAMPAIGN ABO…' showed, and the
    Model and Compare tabs were out of sight."""
    page = app.page
    page.set_viewport_size({"width": 1024, "height": 800})
    app.open()
    expect(page.locator(".v-navigation-drawer")).to_be_in_viewport()
    bar = page.locator(".v-slide-group__wrapper").first.bounding_box()
    for name in TABS:
        tab = page.get_by_role("tab", name=name)
        box = tab.bounding_box()
        assert bar["x"] <= box["x"] and box["x"] + box["width"] <= bar["x"] + bar["width"], name
        size = tab.evaluate("tab => parseFloat(getComputedStyle(tab).fontSize)")
        assert size >= 14, f"{name} in letters of {size} px"
    app.shot("tabs-1024")


def test_an_action_removed_from_the_plan_runs_on_reset(app: App):
    app.open()
    page = app.page
    app.tab("Campaign")
    page.get_by_role("button", name="Remove action").click()
    app.reset()
    expect(
        page.get_by_text("Running with: the campaign plan edited in the Campaign tab")
    ).to_be_visible()
    expect(page.get_by_text("Traceback")).to_have_count(0)
    app.tab(TABS[0])
    app.step()
    app.shot("campaign-action-removed")


def test_a_scenario_picked_while_playing_starts_on_day_0(app: App):
    app.open()
    page = app.page
    page.get_by_role("button", name="Play", exact=True).click()
    for _ in range(20):
        if app.counter() >= 2:
            break
        page.wait_for_timeout(250)
    app.pick("two_brands")
    expect(page.get_by_role("slider", name="modaku price")).to_be_attached()
    expect(page.get_by_role("button", name="Play", exact=True)).to_be_visible()
    page.wait_for_timeout(2000)
    assert app.counter() == 0


def test_a_slower_pace_chosen_while_playing_applies_at_once(app: App):
    """At 10 days a second for 4 s, then 1 a second: the next days come a second apart,
    not after the ~40 s the first days would owe the slower pace."""
    app.open()
    page = app.page
    page.get_by_role("button", name="Play", exact=True).click()
    page.wait_for_timeout(4000)
    page.get_by_role("button", name="1", exact=True).click()
    page.wait_for_timeout(2000)  # the picture catches up with the days simulated
    before = app.counter()
    page.wait_for_timeout(5000)
    after = app.counter()
    page.get_by_role("button", name="Pause", exact=True).click()
    assert 3 <= after - before <= 7, (before, after)


def test_a_number_field_with_text_or_nan_says_so_and_the_page_keeps_working(app: App):
    app.open()
    page = app.page
    app.tab("Campaign")
    cost = page.get_by_label("fixed cost (Rp thousand)")
    cost.fill("nan")
    cost.press("Enter")
    page.get_by_role("button", name="Save action").click()
    expect(
        page.get_by_text("fixed cost (Rp thousand): expected a finite number (got 'nan')")
    ).to_be_visible()
    start = page.get_by_label("start (day)")
    start.fill("abc")
    start.press("Enter")
    page.get_by_role("button", name="Save action").click()
    expect(page.get_by_text("start (day): expected a whole number (got 'abc')")).to_be_visible()
    start.fill("1")
    intensity = page.get_by_label("intensity (0 to 1)")
    intensity.fill("")
    intensity.press("Enter")
    page.get_by_role("button", name="Save action").click()
    expect(page.get_by_text("intensity (0 to 1): empty (expected a finite number)")).to_be_visible()
    app.reset()
    expect(page.get_by_text("Traceback")).to_have_count(0)
    app.tab(TABS[0])
    app.step()


def test_a_moved_campaign_control_is_not_called_an_edited_plan(app: App):
    app.open()
    page = app.page
    page.get_by_role("slider", name="tv ads d288-315").press("End")
    app.reset()
    expect(page.get_by_text("Running with: tv ads d288-315 1 (was 0.6)")).to_be_visible()
    expect(page.get_by_text("the campaign plan edited in the Campaign tab")).to_have_count(0)
    app.tab("Campaign")
    expect(page.get_by_text(re.compile(r"The model running uses this plan\."))).to_be_visible()


def test_a_network_uploaded_over_an_edited_plan_says_the_plan_was_dropped(app: App):
    app.open()
    page = app.page
    app.tab("Campaign")
    page.get_by_role("button", name="Remove action").click()
    expect(page.get_by_text("Action 0 removed. It applies on Reset.")).to_be_visible()
    ring = "\n".join(f"{i},{(i + 1) % 10_000}" for i in range(10_000)).encode()
    page.locator("input[type=file]").set_input_files(
        files=[{"name": "ring.csv", "mimeType": "text/csv", "buffer": ring}]
    )
    expect(page.get_by_text("Network: ring.csv (uploaded)")).to_be_visible()
    expect(
        page.get_by_text("The campaign plan edited in the Campaign tab was dropped")
    ).to_be_visible()
    app.tab("Campaign")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download scenario (TOML)").click()
    saved = tomllib.loads(Path(download.value.path()).read_text())
    assert saved["network"] == {"kind": "edge_list", "path": "ring.csv"}
    expect(page.get_by_text("network is the uploaded ring.csv: keep that file")).to_be_visible()
    page.get_by_role("button", name="Remove action").click()  # an edited plan again
    expect(page.get_by_text("dropped with the new network")).to_be_hidden()
    page.get_by_role("button", name="use the scenario's own network").click()
    expect(page.get_by_text("Network: ring.csv (uploaded)")).to_be_hidden()
    expect(
        page.get_by_text("was dropped with the return to the scenario's own network")
    ).to_be_visible()
    expect(page.get_by_text("ring.csv")).to_have_count(0)  # nor its chip in the file input


def test_on_a_phone_the_sidebar_fits_and_closes_to_show_the_page(browser, app_url):
    """At least 400 px wide, the sidebar covered a phone's whole screen, cut its Step and
    pace buttons, and left nothing beside it to tap to close it: the tabs were unreachable."""
    width = 390
    phone = App(browser.new_page(viewport={"width": width, "height": 844}), app_url)
    phone.open()
    page = phone.page
    drawer = page.locator(".v-navigation-drawer").bounding_box()
    assert drawer["x"] + drawer["width"] < width - 30, drawer
    for name in ("Reset", "Step", "100"):
        button = page.get_by_role("button", name=name, exact=True).bounding_box()
        assert button["x"] + button["width"] <= drawer["x"] + drawer["width"], name
    phone.shot("phone-sidebar")
    page.mouse.click(width - 10, 400)
    phone.tab("About")
    expect(page.get_by_role("heading", name="WHAT IS IT?")).to_be_in_viewport()
    phone.shot("phone-about")
    page.close()


def test_a_choice_s_label_keeps_clear_of_the_range_above_it(app: App):
    """The network select's label sat on the days slider's '365 days (from 1 to 730)'."""
    page = app.page
    page.set_viewport_size({"width": 1024, "height": 800})
    app.open()
    drawer = page.locator(".v-navigation-drawer")
    above = drawer.get_by_text("days (from 1 to 730)").bounding_box()
    label = drawer.locator("label").filter(has_text=re.compile(r"^network$")).bounding_box()
    assert label["y"] >= above["y"] + above["height"] - 0.5, (above, label)
    app.shot("parameters-1024")


def test_a_teacher_defines_engaged_for_the_business_and_resets(app: App):
    """The seeds' first strategic step had no control: engaged always meant two purchases."""
    app.open()
    page = app.page
    page.get_by_role("button", name=re.compile(r"^engaged means a customer who ")).click()
    page.get_by_role("option", name="recommends the brand in 90 days", exact=True).click()
    app.reset()
    expect(
        page.get_by_text(re.compile(r"engaged: a customer who recommends the brand in 90 days"))
    ).to_be_visible()
    app.step()
    page.get_by_role("button", name=re.compile(r"^engaged means a customer who ")).hover()
    app.shot("engaged-by-referrals")
