"""The Compare page rendered in-process: choices, a run in the background, table, bands, CSV."""

import html
import io
import itertools
import math
import re
import tempfile
import time
import warnings
from dataclasses import replace
from pathlib import Path

import ipyvuetify as v
import pandas as pd
import pytest
import solara
import tomli_w
from solara.components.file_download import FileDownloadWidget

import ecosim.experiment.runner
from ecosim.errors import InputWarning
from ecosim.experiment import ExperimentError, load_experiment
from ecosim.experiment.schema import NAME_PATTERN
from ecosim.plots import daily_bands_plot
from ecosim.scenario import load_scenario
from ecosim.ui import compare_tables
from ecosim.ui.app import TABS, Page
from ecosim.ui.compare import (
    DAYS,
    EDITED_PLAN,
    MONEY,
    ROI_MEANING,
    CompareResults,
    CompareSession,
    CompareSettings,
    Request,
    bands_figure,
    checked_experiment,
    daily_series,
    horizon_note,
    idle_strategies,
    no_series_note,
    outcome_label,
    reduced_experiment,
    strategy_label,
    summary_table,
    verdicts,
)
from ecosim.ui.scenarios import SCENARIO_VARIABLE

from experiment_helpers import tiny_experiment, write_experiment

ROOT = Path(__file__).resolve().parents[2]
STRATEGY_COMPARISON = ROOT / "experiments" / "strategy_comparison.toml"
WAIT = 120  # seconds for a tiny comparison on two busy cores


@solara.component
def ComparePage(session: CompareSession):
    with solara.Column():
        CompareSettings(session)
        CompareResults(session)


def render(session: CompareSession):
    _box, rc = solara.render(ComparePage(session), handle_error=False)
    return rc


@pytest.fixture
def session(tmp_path, monkeypatch):
    """A session on the shipped experiments, its results under ``tmp_path``."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    session = CompareSession(ROOT / "experiments")
    yield session
    session.close()
    session.wait(WAIT)


@pytest.fixture
def page(session):
    rc = render(session)
    yield rc
    rc.close()


def button(rc, label):
    return rc.find(v.Btn, children=[label]).widget


def texts(rc) -> list[str]:
    return [str(w.children) for w in rc.find(v.Html).widgets]


def alerts(rc) -> list[str]:
    return [str(w.children) for w in rc.find(v.Alert).widgets]


def wait_until(condition, timeout=WAIT):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def checkbox(rc, strategy):
    """The box of a strategy, labelled with its name as the page writes it."""
    return rc.find(v.Checkbox, label=strategy_label(strategy)).widget


def tiny(rc, replications=2):
    rc.find(v.Slider, label="customers per run").widget.v_model = 300
    rc.find(v.Slider, label="days per run").widget.v_model = 20
    rc.find(v.Slider, label="replications").widget.v_model = replications


def run(rc, session):
    button(rc, "Run").click()
    assert session.wait(WAIT), "the comparison did not finish"


def table_rows(rc, which: int = -1) -> list[list[str]]:
    """The cells of a table's rows, below its header (the last table: the outcome's)."""
    rc.find(solara.widgets.HTML, tag="table").wait_for(timeout=10)
    table = rc.find(solara.widgets.HTML, tag="table").widgets[which]
    rows = re.findall(r"<tr>(.*?)</tr>", table.unsafe_innerHTML)
    return [[html.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", r)] for r in rows[1:]]


def download(rc, filename) -> bytes:
    widget = rc.find(FileDownloadWidget, filename=filename).widget
    widget.request_download = True  # what the browser does when the button is pressed
    wait_until(lambda: widget.bytes is not None, timeout=10)
    return widget.bytes


def test_the_page_offers_the_strategies_of_the_default_experiment(page, session):
    assert page.find(v.Select, label="experiment").widget.v_model == "strategy_comparison"
    boxes = page.find(v.Checkbox).widgets
    assert [b.label for b in boxes][:3] == [
        "current plan",
        "mass advertising",
        "influencer seeding",
    ]
    assert [b.v_model for b in boxes] == [True, True] + [False] * 6
    assert not button(page, "Run").disabled and button(page, "Cancel").disabled
    shown = texts(page)
    assert any(
        "10 runs: 2 strategies × 5 replications, 2,000 customers, 120 days" in t for t in shown
    )
    assert any("market conditions are not varied here" in t for t in shown)
    assert any("press Run" in t for t in shown)


def children_with(root, widget):
    """Return the children of the container that holds ``widget``, below ``root``."""
    children = list(getattr(root, "children", []) or [])
    if widget in children:
        return children
    found = (children_with(child, widget) for child in children if hasattr(child, "children"))
    return next((held for held in found if held), [])


def test_ticking_a_strategy_moves_no_box_and_its_description_shows_below_them(session):
    """A description showed under its box, pushing the boxes below down under the pointer."""
    box, rc = solara.render(ComparePage(session), handle_error=False)
    boxes = rc.find(v.Checkbox).widgets
    held = children_with(box, boxes[0])

    def places():
        return [held.index(b) for b in boxes]

    before = places()
    assert before == list(range(len(boxes))), "the boxes first, one after another"
    checkbox(rc, "influencer_seeding").v_model = True
    held = children_with(box, boxes[0])
    assert places() == before
    descriptions = [str(w.children) for w in held[len(boxes) :]]
    experiment = load_experiment(STRATEGY_COMPARISON)
    chosen = ("current_plan", "mass_advertising", "influencer_seeding")
    assert descriptions == [
        str([f"{strategy_label(name)}: {experiment.strategies[name].description}"])
        for name in chosen
    ]
    rc.close()


def test_each_slider_says_its_value_and_range(page):
    shown = " ".join(texts(page))
    assert "5 replications per strategy (from 2 to 20)" in shown
    assert "2,000 customers (from 100 to 10,000)" in shown
    assert "120 days (from 10 to 365)" in shown
    assert "weigh 5 times as much per customer" in shown
    page.find(v.Slider, label="customers per run").widget.v_model = 300
    shown = " ".join(texts(page))
    assert "300 customers (from 100 to 10,000)" in shown
    assert "with 300, fixed costs (a TV flight, an influencer's fee) weigh 33.3 times" in shown
    page.find(v.Slider, label="customers per run").widget.v_model = 10_000
    assert "fixed costs" not in " ".join(texts(page))


def test_fewer_than_two_or_more_than_four_strategies_are_refused(page):
    checkbox(page, "mass_advertising").v_model = False
    assert any("Choose at least 2 strategies to compare (1 chosen)." in a for a in alerts(page))
    assert button(page, "Run").disabled
    for name in ("loyalty_points", "loyalty_tiers", "gamification", "personalisation"):
        checkbox(page, name).v_model = True
    assert any("Choose at most 4 strategies to compare (5 chosen)." in a for a in alerts(page))
    assert button(page, "Run").disabled
    checkbox(page, "gamification").v_model = False
    assert not any("Choose" in a for a in alerts(page))
    assert not button(page, "Run").disabled


def test_a_comparison_runs_in_the_background_and_fills_the_table(page, session):
    checkbox(page, "loyalty_points").v_model = True
    tiny(page)
    seen = []
    session.status.subscribe(lambda status: seen.append((status.phase, status.done)))
    run(page, session)
    assert seen[0] == ("running", 0) and seen[-1] == ("finished", 6)
    assert [done for phase, done in seen if phase == "running"] == [0, 0, 1, 2, 3, 4, 5, 6]
    rows = table_rows(page)
    assert [row[0] for row in rows] == ["current plan", "mass advertising", "loyalty points"]
    assert rows[0][3] == "—", "the baseline has no difference from itself"
    comparison = session.status.value.comparison
    table = summary_table(comparison)
    assert len(table) == len(comparison.experiment.outcomes) * 3
    shares = table[table["outcome"] == "final_adopted_share"]
    assert list(shares["n"]) == [2, 2, 2]
    assert all(math.isfinite(x) for x in shares[["mean", "ci_low", "ci_high"]].to_numpy().ravel())
    assert (shares["ci_low"] <= shares["mean"]).all() and (
        shares["mean"] <= shares["ci_high"]
    ).all()
    assert shares["difference"].isna().tolist() == [True, False, False]
    assert any("6 runs done." in t for t in texts(page))
    pictures = [w.attributes["alt"] for w in page.find(solara.widgets.HTML, tag="img").widgets]
    assert pictures == ["daily cumulative profit (Rp thousand) by strategy, mean with 95% band"]
    money = table_rows(page, 0)
    assert [row[0] for row in money] == ["current plan", "mass advertising", "loyalty points"]
    cells = compare_tables.money_table_html(table, compare_tables.MONEY).split("<td")[1:]
    assert all("white-space: nowrap" in cell for cell in cells), "'Rp' and its value wrapped"
    assert all(
        re.fullmatch(r"Rp -?[\d,]+k \[Rp -?[\d,]+k, Rp -?[\d,]+k\]", c) for c in money[0][1:4]
    )
    verdicts_shown = [t for t in texts(page) if t.startswith("['mass advertising ")]
    assert len(verdicts_shown) == 1 and "profit by Rp" in verdicts_shown[0]
    assert "Rp " not in verdicts_shown[0], "a line may break between Rp and its value"


def test_results_name_their_experiment_and_say_so_when_another_is_picked(page, session):
    tiny(page)
    run(page, session)
    assert any(
        "Results of strategy_comparison: current plan, mass advertising" in t for t in texts(page)
    )
    assert not alerts(page)
    page.find(v.Select, label="experiment").widget.v_model = "loyalty_designs"
    wait_until(lambda: alerts(page))
    assert any(
        "These are the last comparison's results, of strategy_comparison; press Run to compare "
        "the strategies of loyalty_designs." in a
        for a in alerts(page)
    )


def test_the_outcome_picks_the_table_and_the_daily_series(page, session):
    tiny(page)
    run(page, session)
    first = table_rows(page)
    page.find(v.Select, label="outcome").widget.v_model = "revenue (Rp thousand)"
    revenue = table_rows(page)
    assert [row[0] for row in revenue] == ["current plan", "mass advertising"]
    assert revenue != first
    pictures = [w.attributes["alt"] for w in page.find(solara.widgets.HTML, tag="img").widgets]
    assert pictures == ["daily cumulative revenue (Rp thousand) by strategy, mean with 95% band"]
    assert not alerts(page)
    page.find(v.Select, label="outcome").widget.v_model = "marketing ROI"  # no daily series
    pictures = [w.attributes["alt"] for w in page.find(solara.widgets.HTML, tag="img").widgets]
    assert pictures == ["daily customers who have bought (share) by strategy, mean with 95% band"]
    assert f"[{ROI_MEANING!r}]" in texts(page)
    assert alerts(page) == [
        "['marketing ROI has no daily series in this comparison; the chart shows customers who "
        "have bought (share).']"
    ]


def test_the_daily_bands_name_their_series_in_plain_words(page, session):
    """An outcome without a daily series was drawn as adopted_share without a word, and
    titles and axes named raw columns (cumulative marketing_cost) or left out cumulative."""
    tiny(page)
    run(page, session)
    comparison = session.status.value.comparison
    outcomes = comparison.experiment.outcomes
    missing = [o for o in outcomes if daily_series(comparison, o) is None]
    assert {"roi", "total_clv", "net_sentiment"} <= set(missing)
    assert {"total_profit", "total_revenue", "final_adopted_share"}.isdisjoint(missing)
    for outcome in outcomes:
        figure, label = bands_figure(comparison, outcome)
        title = figure.get_suptitle().replace("\n", " ")
        assert title == f"{label}: mean across replications with 95% band"
        assert {ax.get_ylabel() for ax in figure.axes} == {label}
        assert "_" not in label, label
        if outcome in missing:
            assert label == "customers who have bought (share)"
        elif outcome.startswith("total_"):
            assert label.startswith("cumulative "), (outcome, label)
    assert no_series_note("total_clv") == (
        "customer lifetime value has no daily series in this comparison; the chart shows "
        "customers who have bought (share)."
    )


def test_the_title_of_the_daily_bands_fits_in_the_chart(page, session, monkeypatch):
    tiny(page)
    run(page, session)
    figure, _ = bands_figure(session.status.value.comparison, "total_marketing_cost")
    figure.canvas.draw()
    title = figure.get_suptitle()
    assert title.startswith("cumulative marketing cost (Rp thousand): mean") and "\n" in title
    drawn = figure._suptitle.get_window_extent()
    assert drawn.x0 >= 0 and drawn.x1 <= figure.bbox.width

    def retitled(*args, **kwargs):  # the plot's own title, written otherwise
        plotted = daily_bands_plot(*args, **kwargs)
        plotted.suptitle("Daily marketing cost, 95% band")
        return plotted

    monkeypatch.setattr(compare_tables, "daily_bands_plot", retitled)
    figure, _ = bands_figure(session.status.value.comparison, "total_marketing_cost")
    assert figure.get_suptitle() == title, "the title is not read back from the plot's"


def test_strategies_are_named_readably_and_never_alike():
    """Strategies showed as identifiers (current_plan); written apart, two names must not
    meet (current_plan and current__plan, plan and plan_)."""
    assert strategy_label("current_plan") == "current plan"
    assert strategy_label(EDITED_PLAN) == "edited plan"
    letters = ("a", "b", "_", "1")
    names = ["".join(word) for n in range(1, 6) for word in itertools.product(letters, repeat=n)]
    names = [name for name in names if re.match(NAME_PATTERN, name)]
    labels = [strategy_label(name) for name in names]
    assert len(set(labels)) == len(names) > 500
    assert all(" ".join(label.split()) == label for label in labels), "spaces a page keeps"


def test_the_legend_of_the_daily_bands_names_the_strategies_as_the_page_does(page, session):
    tiny(page)
    run(page, session)
    figure, _ = bands_figure(session.status.value.comparison, "total_profit")
    (key,) = figure.legends
    assert [text.get_text() for text in key.get_texts()] == ["current plan", "mass advertising"]


def test_every_outcome_of_the_shipped_experiments_has_a_plain_name():
    """The seeding experiment's outcomes read 'aware share' and 'wom positive (total)'."""
    for path in sorted((ROOT / "experiments").glob("*.toml")):
        for outcome in load_experiment(path).outcomes:
            label = outcome_label(outcome)
            assert "_" not in label and "wom" not in label.split(), (path.stem, label)
    assert outcome_label("final_aware_share") == "aware of the brand (share, last day)"
    assert outcome_label("total_wom_positive") == "word of mouth, positive (total)"


def test_the_roi_shown_is_the_marketing_roi_and_says_what_it_leaves_out():
    assert outcome_label("roi") == "marketing ROI"
    assert "(gross margin − marketing cost) / marketing cost" in ROI_MEANING
    assert "leaves out service and programme costs" in ROI_MEANING


def test_a_strategy_whose_actions_all_start_after_the_horizon_is_found():
    experiment = load_experiment(STRATEGY_COMPARISON)
    chosen = ("current_plan", "mass_advertising", "influencer_seeding", "loyalty_tiers")
    assert idle_strategies(experiment, chosen, 10) == ["influencer_seeding"]  # starts on day 20
    assert idle_strategies(experiment, chosen, 20) == []


def test_the_page_warns_of_a_strategy_that_does_nothing_within_the_horizon(page):
    checkbox(page, "influencer_seeding").v_model = True
    page.find(v.Slider, label="days per run").widget.v_model = 10
    warned = [a for a in alerts(page) if "does nothing" in a]
    assert len(warned) == 1 and "influencer seeding does nothing within 10 days" in warned[0]
    page.find(v.Slider, label="days per run").widget.v_model = 20
    assert not any("does nothing" in a for a in alerts(page))


def test_the_page_says_which_strategies_the_days_leave_out_or_cut_short(page):
    """Was said only in the server's log: in the default 120 days most of the plans' year-end
    actions never ran, while the page gave verdicts on the strategies."""

    def notes():
        return [t for t in page.find(v.Html).widgets if "leave out or cut short" in str(t.children)]

    page.find(v.Slider, label="days per run").widget.v_model = 120
    [note] = [str(t.children) for t in notes()]
    assert "current plan 4 left out and 3 cut short" in note
    assert "choose 365 days to compare them whole" in note
    page.find(v.Slider, label="days per run").widget.v_model = 365
    assert not notes()


def test_the_csv_downloads_hold_one_row_per_run_and_the_summary(page, session):
    tiny(page, replications=3)
    run(page, session)
    runs = pd.read_csv(io.BytesIO(download(page, "strategy_comparison-runs.csv")))
    assert len(runs) == 6 and runs["run_id"].is_unique
    assert sorted(runs["strategy"].unique()) == ["current_plan", "mass_advertising"]
    assert {"replication", "seed", "final_adopted_share", "total_revenue"} <= set(runs.columns)
    summary = pd.read_csv(io.BytesIO(download(page, "strategy_comparison-summary.csv")))
    assert list(summary.columns[:6]) == ["outcome", "strategy", "n", "mean", "ci_low", "ci_high"]
    assert len(summary) == 2 * len(session.status.value.comparison.experiment.outcomes)


def test_cancel_stops_after_the_run_under_way(page, session):
    tiny(page, replications=20)
    button(page, "Run").click()
    wait_until(lambda: session.status.value.done >= 1)
    assert button(page, "Run").disabled and not button(page, "Cancel").disabled
    button(page, "Cancel").click()
    assert session.wait(WAIT)
    status = session.status.value
    assert status.phase == "cancelled" and 1 <= status.done < 40
    assert f"Cancelled after {status.done} of 40 runs." in alerts(page)[0]
    assert not button(page, "Run").disabled


def test_the_experiment_stays_while_a_comparison_runs(page, session):
    """The strategy list and run count came to describe another experiment than the one
    running: the picker had to be disabled like the other choices, and a pick sent before
    the browser showed it disabled was taken."""
    tiny(page, replications=20)
    button(page, "Run").click()
    wait_until(lambda: session.status.value.done >= 1)
    picker = page.find(v.Select, label="experiment").widget
    assert picker.disabled and all(box.disabled for box in page.find(v.Checkbox).widgets)
    picker.v_model = "loyalty_designs"
    assert session.experiment.value == "strategy_comparison"
    assert checkbox(page, "mass_advertising").v_model
    assert any("40 runs: 2 strategies × 20 replications" in t for t in texts(page))
    button(page, "Cancel").click()
    assert session.wait(WAIT)
    picker = page.find(v.Select, label="experiment").widget
    assert picker.v_model == "strategy_comparison" and not picker.disabled
    picker.v_model = "loyalty_designs"
    assert session.experiment.value == "loyalty_designs"


def test_the_choices_and_results_outlive_the_page(session):
    rc = render(session)
    tiny(rc)
    run(rc, session)
    rc.close()  # another page of the app is shown
    again = render(session)
    assert again.find(v.Slider, label="customers per run").widget.v_model == 300
    assert [row[0] for row in table_rows(again)] == ["current plan", "mass advertising"]
    again.close()


def test_closing_the_session_removes_its_results(session, tmp_path):
    rc = render(session)
    tiny(rc)
    run(rc, session)
    folders = list(tmp_path.glob("ecosim-compare-*"))
    assert len(folders) == 1 and list(folders[0].glob("*/results.parquet"))
    button(rc, "Run").click()  # a new run replaces the previous results
    assert session.wait(WAIT)
    assert len(list(folders[0].glob("*/results.parquet"))) == 1
    session.close()
    assert not folders[0].exists()
    rc.close()


BROKEN_INTENSITY = 0.123
"""The intensity by which the runs of the strategy ``broken`` are told apart (and fail)."""


@pytest.fixture
def own_experiments(tmp_path):
    """An experiments folder with a broken file and a valid one with a failing strategy."""
    folder = tmp_path / "experiments"
    data = tiny_experiment(replications=2)
    data.pop("conditions")
    data["strategies"]["broken"] = {"set": {"campaign.0.intensity": BROKEN_INTENSITY}}
    write_experiment(folder, data)
    (folder / "broken.toml").write_text(tomli_w.dumps(tiny_experiment(baseline="curent_plan")))
    return folder


def test_an_invalid_experiment_or_a_failed_run_shows_in_the_page(own_experiments, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(own_experiments.parent))
    simulate = ecosim.experiment.runner.simulate

    def failing(scenario, overrides, seed):
        if overrides.get("campaign.0.intensity") == BROKEN_INTENSITY:
            raise OSError("the courier's data feed is down")
        return simulate(scenario, overrides, seed)

    monkeypatch.setattr(ecosim.experiment.runner, "simulate", failing)
    session = CompareSession(own_experiments)
    rc = render(session)
    problems = alerts(rc)
    assert any(
        "broken.toml" in p and "baseline: unknown strategy 'curent_plan'" in p for p in problems
    )
    assert not rc.find(v.Btn, children=["Run"])
    rc.find(v.Select, label="experiment").widget.v_model = "experiment"
    checkbox(rc, "broken").v_model = True
    tiny(rc)
    run(rc, session)
    problems = alerts(rc)
    assert any("2 of 6 runs failed" in p and "broken-c000-r00 (3 attempts)" in p for p in problems)
    assert any("the courier's data feed is down" in p for p in problems)
    assert [row[0] for row in table_rows(rc)] == ["plain", "quiet"], "the finished runs"
    rc.close()
    session.close()


def test_the_check_of_a_short_comparison_leaves_the_servers_log_alone():
    """Each move of a control logged "the horizon of 30 days leaves out 6 campaign actions",
    which the page says itself."""
    request = Request(STRATEGY_COMPARISON, ("current_plan", "mass_advertising"), 2, 300, 30)
    with warnings.catch_warnings():
        warnings.simplefilter("error", InputWarning)
        experiment, problems = checked_experiment(request)
    assert experiment is not None and problems == []
    assert horizon_note(experiment, request.names, [])  # what the page says instead


def test_the_horizon_note_advises_only_days_the_page_can_run():
    """A plan running to day 400 was advised "choose 400 days", past the slider's end."""
    plan = [
        a.model_dump(exclude_none=True)
        for a in load_scenario(ROOT / "scenarios" / "baseline.toml").campaign
    ]
    request = Request(STRATEGY_COMPARISON, ("current_plan",), 2, 300, 30, plan=plan)
    experiment = reduced_experiment(request)
    assert horizon_note(experiment, request.names, []).endswith(
        "The plans run to day 365: choose 365 days to compare them whole."
    )
    plan[0]["end"] = 400
    experiment = reduced_experiment(replace(request, plan=plan))
    assert horizon_note(experiment, request.names, []).endswith(
        f"The plans run to day 400: a comparison here runs at most {DAYS[1]} days; ecosim "
        "batch --days 400 runs them whole (the edited plan once downloaded from the Campaign "
        "tab: a scenario file)."
    )


def test_reduced_experiment_keeps_the_chosen_strategies_on_the_base_scenario():
    request = Request(STRATEGY_COMPARISON, ("gamification", "mass_advertising"), 3, 400, 30)
    experiment = reduced_experiment(request)
    assert list(experiment.strategies) == ["mass_advertising", "gamification"]
    assert experiment.baseline == "mass_advertising", "the first chosen without current_plan"
    assert experiment.conditions is None and experiment.replications == 3
    assert (experiment.scenario.population.size, experiment.scenario.days) == (400, 30)
    assert experiment.seed == 20160501
    with pytest.raises(ExperimentError, match="unknown strategy 'loud'"):
        reduced_experiment(Request(STRATEGY_COMPARISON, ("loud", "gamification"), 3, 400, 30))


def test_an_outcome_only_a_strategy_left_out_reports_is_left_out_of_the_comparison(tmp_path):
    """Choosing the strategies without it was refused: 'outcomes[4]: unknown outcome'."""
    tiers = {
        "review_days": 90,
        "levels": [{"name": "gold", "threshold": 300, "discount": 0.05, "utility": 0.2}],
    }
    data = tiny_experiment(outcomes=["final_tier_gold", "final_adopted_share"])
    data["strategies"]["tiers"] = {"set": {"brands.shop.loyalty": {"tiers": tiers}}}
    path = write_experiment(tmp_path, data)
    without = reduced_experiment(Request(path, ("plain", "quiet"), 2, 300, 15))
    assert "final_tier_gold" not in without.outcomes
    assert "final_adopted_share" in without.outcomes
    chosen = reduced_experiment(Request(path, ("plain", "tiers"), 2, 300, 15))
    assert "final_tier_gold" in chosen.outcomes


def test_the_app_shows_the_compare_page_in_its_tab(tmp_path, monkeypatch):
    text = (ROOT / "scenarios" / "baseline.toml").read_text()
    (tmp_path / "baseline.toml").write_text(text.replace("size = 10_000", "size = 400"))
    monkeypatch.setenv(SCENARIO_VARIABLE, str(tmp_path / "baseline.toml"))

    @solara.component
    def App():
        with solara.AppLayout():
            Page()

    _box, rc = solara.render(App(), handle_error=False)
    rc.find(v.Tabs).widget.v_model = TABS.index("Compare")
    rc.find(v.Html, children=["Compare strategies"]).assert_single()
    rc.find(v.Slider, label="replications").widget.v_model = 3
    rc.find(v.Tabs).widget.v_model = 0
    assert not rc.find(v.Html, children=["Compare strategies"])
    rc.find(v.Tabs).widget.v_model = TABS.index("Compare")
    assert rc.find(v.Slider, label="replications").widget.v_model == 3
    rc.close()


def test_a_folder_without_experiments_says_so(tmp_path):
    session = CompareSession(tmp_path)
    rc = render(session)
    assert f"No experiment file (*.toml) in {tmp_path}." in alerts(rc)[0]
    rc.close()
    session.close()


def test_an_edited_plan_runs_as_one_more_strategy_on_the_experiments_scenario():
    experiment = reduced_experiment(
        Request(STRATEGY_COMPARISON, ("current_plan",), 2, 300, 20, plan=[])
    )
    assert list(experiment.strategies) == ["current_plan", "edited_plan"]
    assert experiment.strategies["edited_plan"].set == {"campaign": []}
    assert experiment.outcomes[:4] == list(MONEY)
    with pytest.raises(ExperimentError, match="choose at most 3 others"):
        reduced_experiment(
            Request(STRATEGY_COMPARISON, ("current_plan", "a", "b", "c"), 2, 300, 20, plan=[])
        )


def test_verdicts_say_which_way_how_much_and_whether_surely():
    table = pd.DataFrame(
        {
            "outcome": ["roi", "roi", "total_profit", "total_profit"],
            "strategy": ["base", "loud", "base", "loud"],
            "difference": [math.nan, 0.31, math.nan, -1500.0],
            "difference_ci_low": [math.nan, 0.30, math.nan, -4000.0],
            "difference_ci_high": [math.nan, 0.33, math.nan, 1000.0],
        }
    )
    assert verdicts(table, "base", ("total_profit", "roi")) == [
        "loud lowers profit by Rp 1,500k [Rp -1,000k, Rp 4,000k] — not significant; "
        "raises marketing ROI by 0.31 [0.30, 0.33] — significant"
    ]
    assert outcome_label("total_marketing_cost") == "marketing cost (Rp thousand)"
    same = table.assign(difference=0.0, difference_ci_low=0.0, difference_ci_high=0.0)
    assert verdicts(same, "base", ("total_profit",)) == [
        "loud leaves profit as it is in every paired run"  # it said "raises profit by Rp 0k"
    ]


def test_an_edited_plan_the_experiment_refuses_is_named_and_no_server_path_is_shown():
    """Its problems were the loader's, naming the experiment by its path on the server."""
    plan = load_scenario(ROOT / "scenarios" / "two_brands.toml").campaign
    request = Request(
        STRATEGY_COMPARISON,
        ("current_plan",),
        2,
        300,
        20,
        plan=[a.model_dump(exclude_none=True) for a in plan],
    )
    experiment, problems = checked_experiment(request)  # the days' cuts unsaid: the page says
    assert experiment is None
    assert len(problems) == 1
    assert problems[0].startswith(
        "edited_plan (the plan edited in the Campaign tab) cannot run in strategy_comparison:\n"
        "  campaign[3].brand: unknown brand 'modaku' (expected one of: tokoku)"
    )
    too_many = Request(STRATEGY_COMPARISON, ("current_plan", "a", "b", "c"), 2, 300, 20, plan=[])
    assert checked_experiment(too_many)[1] == [
        "strategy_comparison.toml: 1 problem\n"
        "  strategies: with edited_plan, choose at most 3 others"
    ]
    assert not any(str(ROOT) in p for p in problems + checked_experiment(too_many)[1])


@pytest.mark.parametrize(("picked", "warned"), [("baseline", False), ("service_crisis", True)])
def test_a_plan_edited_for_another_scenario_says_where_it_runs(session, picked, warned):
    plan = load_scenario(ROOT / "scenarios" / f"{picked}.toml")
    plan = plan.model_copy(update={"campaign": plan.campaign[:2]})
    _box, rc = solara.render(CompareSettings(session, plan), handle_error=False)
    warning = (
        "edited plan is the campaign plan edited for service_crisis; here it runs on "
        "baseline, the experiment's base scenario"
    )
    assert any(warning in a for a in alerts(rc)) is warned
    assert any("120 days, on the base scenario, baseline." in t for t in texts(rc))
    rc.close()


def test_a_plan_edited_for_a_scenario_of_other_brands_is_left_out_with_a_word(session):
    """The edited plan of two_brands was ticked by default: Run was disabled under a red
    list of eight problems, and nothing could be compared until it was unticked."""
    plan = load_scenario(ROOT / "scenarios" / "two_brands.toml")
    _box, rc = solara.render(CompareSettings(session, plan), handle_error=False)
    box = rc.find(v.Checkbox, label="edited plan (Campaign tab)").widget
    assert (box.v_model, box.disabled) == (False, True)
    assert not rc.find(v.Alert, type="error").widgets
    (said,) = [a for a in alerts(rc) if "edited plan cannot run" in a]
    assert "edited plan cannot run in strategy_comparison: it uses what baseline, the " in said
    assert "campaign[3].brand: unknown brand 'modaku' (expected one of: tokoku); " in said
    assert "; and 6 more). A plan edited for baseline can run here." in said
    assert not button(rc, "Run").disabled
    assert any(" runs: 2 strategies × " in t for t in texts(rc)), texts(rc)
    rc.close()


def test_results_of_settings_changed_since_are_said_to_be_so(page, session):
    """The results of the last Run stayed without a word after the settings changed."""
    tiny(page)
    run(page, session)
    stale = "These results are of the settings as they were when Run was pressed"
    assert not any(stale in a for a in alerts(page))
    page.find(v.Slider, label="replications").widget.v_model = 3
    wait_until(lambda: any(stale in a for a in alerts(page)))
    page.find(v.Slider, label="replications").widget.v_model = 2
    wait_until(lambda: not any(stale in a for a in alerts(page)))
