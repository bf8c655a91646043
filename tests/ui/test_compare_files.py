"""Scenario files as strategies on the Compare page: names, refusals, runs and the page."""

import math
import re
import tempfile
import tomllib
from pathlib import Path

import ipyvuetify as v
import pytest
import solara
import tomli_w

from ecosim.experiment import ExperimentError, load_experiment
from ecosim.experiment.schema import NAME_PATTERN
from ecosim.scenario import load_scenario
from ecosim.ui.compare import (
    CUSTOMERS,
    DAYS,
    EDITED_PLAN,
    NAME_LENGTH,
    SCENARIO_FILES_LABEL,
    CompareResults,
    CompareSession,
    CompareSettings,
    Request,
    brand_notes,
    checked_experiment,
    file_strategy_names,
    idle_strategies,
    reduced_experiment,
    strategy_label,
    summary_table,
    written_name,
)
from ecosim.ui.scenarios import scenario_files

ROOT = Path(__file__).resolve().parents[2]
EXPERIMENTS = ROOT / "experiments"
SCENARIOS = ROOT / "scenarios"
STRATEGY_COMPARISON = EXPERIMENTS / "strategy_comparison.toml"
WAIT = 120  # seconds for a tiny comparison on two busy cores


@solara.component
def ComparePage(session: CompareSession, plan=None):
    with solara.Column():
        CompareSettings(session, plan)
        CompareResults(session)


def render(session: CompareSession, plan=None):
    _box, rc = solara.render(ComparePage(session, plan), handle_error=False)
    return rc


@pytest.fixture
def session(tmp_path, monkeypatch):
    """A session on the shipped experiments and scenarios, its results under ``tmp_path``."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    session = CompareSession(EXPERIMENTS, SCENARIOS)
    yield session
    session.close()
    session.wait(WAIT)


@pytest.fixture
def page(session):
    rc = render(session)
    yield rc
    rc.close()


def texts(rc) -> list[str]:
    return ["".join(map(str, w.children)) for w in rc.find(v.Html).widgets]


def alerts(rc) -> list[str]:
    return ["".join(map(str, w.children)) for w in rc.find(v.Alert).widgets]


def run_button(rc):
    return rc.find(v.Btn, children=["Run"]).widget


def pick_files(rc, *stems):
    """Pick scenario files by the names of their strategies, as the page offers them."""
    names = file_strategy_names(load_experiment(STRATEGY_COMPARISON), stems)
    picker = rc.find(v.Select, label=SCENARIO_FILES_LABEL).widget
    picker.v_model = [strategy_label(names[stem]) for stem in stems]


def tick(rc, strategy, on=True):
    rc.find(v.Checkbox, label=strategy_label(strategy)).widget.v_model = on


def tiny(rc):
    rc.find(v.Slider, label="customers per run").widget.v_model = 200
    rc.find(v.Slider, label="days per run").widget.v_model = 20
    rc.find(v.Slider, label="replications").widget.v_model = 2


def command_line_experiment(folder: Path, strategy: str, scenario: Path) -> Path:
    """Write strategy_comparison as a user would, with a strategy naming a scenario file."""
    data = tomllib.loads(STRATEGY_COMPARISON.read_text())
    strategies = {
        "current_plan": data["strategies"]["current_plan"],
        strategy: {"scenario": str(scenario)},
    }
    data.pop("conditions")
    data.pop("sensitivity")
    data.update(
        scenario=str(SCENARIOS / "baseline.toml"),
        strategies=strategies,
        replications=2,
        customers=200,
        days=20,
    )
    path = folder / "with_a_file.toml"
    path.write_text(tomli_w.dumps(data))
    return path


@pytest.mark.parametrize("stem", ["gamification", "two_brands", "price_war", "paid_membership"])
def test_a_file_strategy_is_what_an_experiment_file_naming_the_file_runs(tmp_path, stem):
    file = SCENARIOS / f"{stem}.toml"
    request = Request(STRATEGY_COMPARISON, ("current_plan",), 2, 200, 20, scenarios={"f": file})
    ours = reduced_experiment(request).strategies["f"]
    theirs = load_experiment(command_line_experiment(tmp_path, "f", file)).strategies["f"]
    assert ours.set, "the file differs from the base scenario"
    assert ours.set == theirs.set
    assert ours.description == theirs.description == load_scenario(file).description.strip()
    assert Path(ours.scenario) == file


def test_a_file_is_named_after_its_stem_unless_the_name_is_taken():
    experiment = load_experiment(STRATEGY_COMPARISON)
    names = file_strategy_names(experiment, scenario_files(SCENARIOS))
    assert names["two_brands"] == "two_brands"
    assert names["gamification"] == "gamification_file", "the experiment has gamification"
    assert names["influencer_seeding"] == "influencer_seeding_file"
    odd = ["Black Friday", "2024-plan", "black_friday", EDITED_PLAN, "x" * 60, "-", "_file"]
    assert file_strategy_names(experiment, odd) == {
        "Black Friday": "black_friday",
        "2024-plan": "file_2024_plan",
        "black_friday": "black_friday_file",
        EDITED_PLAN: f"{EDITED_PLAN}_file",
        "x" * 60: "x" * NAME_LENGTH,
        "-": "file",
        "_file": "file_file",
    }
    for name in [*names.values(), *file_strategy_names(experiment, odd).values()]:
        assert re.match(NAME_PATTERN, name) and len(name) <= NAME_LENGTH
        assert name not in experiment.strategies


def test_a_file_named_like_a_strategy_of_the_experiment_is_refused():
    file = SCENARIOS / "gamification.toml"
    request = Request(
        STRATEGY_COMPARISON, ("current_plan",), 2, 200, 20, scenarios={"gamification": file}
    )
    with pytest.raises(ExperimentError, match=r"gamification\.toml: the experiment has a strategy"):
        reduced_experiment(request)


def test_the_files_come_after_the_chosen_strategies_and_before_the_edited_plan():
    files = {"two_brands": SCENARIOS / "two_brands.toml", "price_war": SCENARIOS / "price_war.toml"}
    request = Request(STRATEGY_COMPARISON, ("mass_advertising",), 2, 200, 20, [], files)
    experiment = reduced_experiment(request)
    assert list(experiment.strategies) == [
        "mass_advertising",
        "two_brands",
        "price_war",
        EDITED_PLAN,
    ]
    assert experiment.baseline == "mass_advertising"
    only_files = reduced_experiment(Request(STRATEGY_COMPARISON, (), 2, 200, 20, [], files))
    assert only_files.baseline == "two_brands", "the first file, without the experiment's"
    with pytest.raises(ExperimentError, match="choose at most 3 others"):
        reduced_experiment(
            Request(
                STRATEGY_COMPARISON, ("current_plan", "mass_advertising"), 2, 200, 20, [], files
            )
        )


def test_every_shipped_scenario_file_can_run_in_every_shipped_experiment():
    files = scenario_files(SCENARIOS)
    refused = {}
    for path in scenario_files(EXPERIMENTS).values():
        experiment = load_experiment(path)
        names = file_strategy_names(experiment, files)
        for stem, file in files.items():
            scenarios = {names[stem]: file}
            request = Request(
                path, (experiment.baseline,), 2, CUSTOMERS[2], DAYS[2], None, scenarios
            )
            built, problems = checked_experiment(request)
            if built is None:
                assert problems[0].startswith(f"{file.name} cannot run in {path.stem}:\n  ")
                refused[(path.stem, stem)] = problems
            else:
                assert list(built.strategies) == [experiment.baseline, names[stem]]
    assert refused == {}, "every shipped file fits every shipped experiment"


def test_a_strategy_and_a_file_are_compared_in_the_session(session):
    files = {"two_brands": SCENARIOS / "two_brands.toml"}
    session.start(Request(STRATEGY_COMPARISON, ("current_plan",), 2, 200, 20, None, files))
    assert session.wait(WAIT), "the comparison did not finish"
    status = session.status.value
    assert (status.phase, status.message) == ("finished", "")
    comparison = status.comparison
    assert list(comparison.experiment.strategies) == ["current_plan", "two_brands"]
    assert sorted(comparison.results["strategy"]) == ["current_plan"] * 2 + ["two_brands"] * 2
    table = summary_table(comparison)
    profit = table[table["outcome"] == "total_profit"].set_index("strategy")
    assert list(profit.index) == ["current_plan", "two_brands"]
    assert math.isfinite(profit.loc["two_brands", "difference"])
    assert math.isnan(profit.loc["current_plan", "difference"])


def test_a_file_picked_in_the_page_shows_with_its_description_and_runs(page, session):
    names = file_strategy_names(load_experiment(STRATEGY_COMPARISON), scenario_files(SCENARIOS))
    offered = page.find(v.Select, label=SCENARIO_FILES_LABEL).widget.items
    assert offered == [strategy_label(name) for name in names.values()]
    assert "two brands" in offered and "gamification file" in offered
    pick_files(page, "two_brands")
    shown = texts(page)
    assert "two brands: two_brands.toml" in shown
    assert alerts(page) == [TWO_BRANDS_NOTE]
    assert load_scenario(SCENARIOS / "two_brands.toml").description.strip() in shown
    assert any("15 runs: 3 strategies × 5 replications" in t for t in shown)
    tiny(page)
    run_button(page).click()
    assert session.wait(WAIT), "the comparison did not finish"
    assert session.status.value.phase == "finished"
    table = page.find(solara.widgets.HTML, tag="table").widgets[-1].unsafe_innerHTML
    rows = re.findall(r"<tr><td[^>]*>([^<]*)</td>", table)
    assert rows == ["current plan", "mass advertising", "two brands"]
    assert alerts(page) == [TWO_BRANDS_NOTE] * 2, "with the choices and the results"


TWO_BRANDS_NOTE = (
    "two brands runs brands the base scenario (baseline) lacks: modaku. Its profit, revenue, "
    "marketing cost and ROI sum all its brands, so the revenue and costs of modaku count too. "
    "Its customer value (total_clv) is measured per brand only, so it has none here."
)


def test_files_that_all_run_several_brands_compare_without_customer_value(page, session):
    """Two two-brand files alone: no run gives the market's total_clv (runs of several
    brands give it per brand), and the comparison failed for want of its column."""
    tick(page, "current_plan", False)
    tick(page, "mass_advertising", False)
    pick_files(page, "two_brands", "price_war")
    tiny(page)
    run_button(page).click()
    assert session.wait(WAIT), "the comparison did not finish"
    status = session.status.value
    assert status.phase == "finished", status.message
    table = summary_table(status.comparison).set_index(["outcome", "strategy"])
    assert table.loc["total_clv", "n"].tolist() == [0, 0]
    assert table.loc["total_profit", "n"].tolist() == [2, 2]
    assert sum("customer value (total_clv) is measured per brand" in a for a in alerts(page)) == 4


def test_a_file_of_one_other_brand_is_not_said_to_lack_customer_value(tmp_path):
    """One brand, another name: its runs give total_clv, which the note said they lacked."""
    renamed = tmp_path / "renamed.toml"
    renamed.write_text((SCENARIOS / "baseline.toml").read_text().replace("tokoku", "lain"))
    request = Request(STRATEGY_COMPARISON, ("current_plan",), 2, 200, 20, None, {"r": renamed})
    experiment = reduced_experiment(request)
    (note,) = brand_notes(experiment, experiment.strategies)
    assert note.startswith("r runs brands the base scenario (baseline) lacks: lain.")
    assert "customer value" not in note


def test_a_file_with_brands_the_base_scenario_lacks_is_named_with_them():
    """two_brands' revenue and costs counted its competitor's, and nothing said so."""
    files = {"gamification_file": SCENARIOS / "gamification.toml"}
    files["two_brands"] = SCENARIOS / "two_brands.toml"
    request = Request(STRATEGY_COMPARISON, ("current_plan",), 2, 200, 20, None, files)
    experiment = reduced_experiment(request)
    assert brand_notes(experiment, experiment.strategies) == [TWO_BRANDS_NOTE]


def test_a_renamed_file_says_why(page):
    pick_files(page, "gamification")
    assert (
        "gamification file: gamification.toml (the experiment has a strategy gamification)"
        in texts(page)
    )


def test_files_count_towards_the_limit_and_the_baseline(page, session):
    pick_files(page, "two_brands", "price_war")
    assert not any("Choose" in a for a in alerts(page)) and not run_button(page).disabled
    pick_files(page, "two_brands", "price_war", "viral_content")
    assert any("Choose at most 4 strategies to compare (5 chosen)." in a for a in alerts(page))
    assert run_button(page).disabled
    tick(page, "current_plan", False)
    tick(page, "mass_advertising", False)
    shown = texts(page)
    assert any("differences are from price war" in t for t in shown), "the first file in order"
    assert any("15 runs: 3 strategies × 5 replications" in t for t in shown)
    assert not run_button(page).disabled
    pick_files(page, "viral_content")
    assert any("Choose at least 2 strategies to compare (1 chosen)." in a for a in alerts(page))
    page.find(v.Select, label="experiment").widget.v_model = "loyalty_designs"
    assert session.scenario_choice.value == (), "another experiment starts without files"


def test_the_edited_plan_and_the_files_share_the_limit(session):
    plan = load_scenario(SCENARIOS / "baseline.toml")
    rc = render(session, plan)
    pick_files(rc, "two_brands")
    assert any("20 runs: 4 strategies × 5 replications" in t for t in texts(rc))
    assert not run_button(rc).disabled
    pick_files(rc, "two_brands", "price_war")
    assert any("Choose at most 4 strategies to compare (5 chosen)." in a for a in alerts(rc))
    assert run_button(rc).disabled
    rc.close()


def test_a_file_that_does_nothing_within_the_days_is_warned_of(page):
    pick_files(page, "gamification")
    page.find(v.Slider, label="days per run").widget.v_model = 10
    warned = [a for a in alerts(page) if "does nothing" in a]
    assert len(warned) == 1 and "gamification file does nothing within 10 days" in warned[0]
    page.find(v.Slider, label="days per run").widget.v_model = 60
    assert not any("does nothing" in a for a in alerts(page))
    files = {"g": SCENARIOS / "gamification.toml"}
    request = Request(STRATEGY_COMPARISON, ("current_plan",), 2, 200, 10, scenarios=files)
    experiment = reduced_experiment(request)
    assert idle_strategies(experiment, ("current_plan", "g"), 10) == ["g"]


@pytest.fixture
def own_scenarios(tmp_path):
    """A scenarios folder: the baseline, a broken file, and one whose edge list is too small."""
    folder = tmp_path / "scenarios"
    folder.mkdir()
    text = (SCENARIOS / "baseline.toml").read_text()
    (folder / "baseline.toml").write_text(text)
    (folder / "broken.toml").write_text('name = "broken"\ndays = "a year"\n')
    (folder / "edges.csv").write_text(
        "source,target\n" + "".join(f"{i},{i + 1}\n" for i in range(49))
    )
    network = re.sub(
        r'kind = "barabasi_albert".*\nm = 4', 'kind = "edge_list"\npath = "edges.csv"', text
    )
    assert network != text
    (folder / "small_network.toml").write_text(network)
    return folder


def test_a_file_the_experiment_refuses_shows_the_file_and_why(own_scenarios, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(own_scenarios.parent))
    session = CompareSession(EXPERIMENTS, own_scenarios)
    rc = render(session)
    pick_files(rc, "broken")
    problems = [a for a in alerts(rc) if "broken" in a]
    assert len(problems) == 1
    assert problems[0].startswith("broken.toml cannot run in strategy_comparison:\n")
    assert "days: Input should be a valid integer (got 'a year')" in problems[0]
    assert "Traceback" not in problems[0] and str(own_scenarios) not in problems[0]
    assert run_button(rc).disabled
    pick_files(rc, "baseline")
    assert not any("cannot run" in a for a in alerts(rc)) and not run_button(rc).disabled
    rc.close()
    session.close()


def test_a_file_whose_edge_list_does_not_fit_is_refused_before_any_run(own_scenarios):
    """Was: every run of it failed, and only then was the reason named."""
    session = CompareSession(EXPERIMENTS, own_scenarios)
    rc = render(session)
    tick(rc, "mass_advertising", False)
    pick_files(rc, "small_network")
    tiny(rc)
    shown = " ".join(alerts(rc))
    assert "small_network.toml cannot run in strategy_comparison:" in shown
    assert "the edge list names 50 customers" in shown
    assert run_button(rc).disabled
    rc.close()
    session.close()


def test_a_file_only_written_as_a_name_is_not_said_to_be_renamed():
    """'Black Friday.toml' runs as black_friday; the page said "(the experiment has a
    strategy Black Friday)", which it had not."""
    from ecosim.ui.compare import _renamed

    experiment = load_experiment(STRATEGY_COMPARISON)
    names = file_strategy_names(experiment, ["Black Friday", "gamification", "edited_plan"])
    said = {stem: _renamed(name, written_name(stem), experiment) for stem, name in names.items()}
    assert said == {
        "Black Friday": "",
        "gamification": " (the experiment has a strategy gamification)",
        "edited_plan": " (edited plan names another strategy)",
    }
