"""The app page rendered in-process (no browser): its controls driving the views."""

import contextlib
import math
import re
import subprocess
import sys
import threading
from pathlib import Path

import ipyvuetify as v
import pytest
import solara

from ecosim.scenario import load_scenario
from ecosim.ui import app
from ecosim.ui.app import TABS, Page
from ecosim.ui.controls import NETWORK_NAMES, Setting, control, model_params
from ecosim.ui.live_model import LiveModel
from ecosim.ui.network_view import HEIGHT, WIDTH, ClickableImage, _pixels, pick
from ecosim.ui.parameters_panel import FRIENDS_UNUSED, ParametersPanel, initial_values
from ecosim.ui.scenarios import SCENARIO_VARIABLE

ROOT = Path(__file__).resolve().parents[2]
BIAS = "dynamics.negativity_bias"


@solara.component
def App():
    with solara.AppLayout():
        Page()


@pytest.fixture
def rendered(tmp_path, monkeypatch):
    """The page on small copies of the scenarios (400 customers)."""
    for name in ("baseline", "two_brands"):
        text = (ROOT / "scenarios" / f"{name}.toml").read_text()
        (tmp_path / f"{name}.toml").write_text(text.replace("size = 10_000", "size = 400"))
    monkeypatch.setenv(SCENARIO_VARIABLE, str(tmp_path / "baseline.toml"))
    _box, rc = solara.render(App(), handle_error=False)
    yield rc
    rc.close()


def button(rc, label):
    return rc.find(v.Btn, children=[label]).widget


def text(rc, content):
    return rc.find(v.Html, children=[content])


def day(rc, number, days=365):
    """Find the header of the main area on day ``number``."""
    date = {0: "before 1.1", 1: "1.1", 2: "2.1"}[number]
    return text(rc, f"Day {number} · {date} (of {days} days)")


def tab(rc, name):
    rc.find(v.Tabs).widget.v_model = TABS.index(name)


def network(rc) -> ClickableImage:
    return rc.find(ClickableImage).widgets[0]


def test_step_advances_the_counter_and_the_views(rendered):
    day(rendered, 0).assert_single()
    assert network(rendered).alt == "network of customers on day 0"
    button(rendered, "Step").click()
    button(rendered, "Step").click()
    day(rendered, 2).assert_single()
    assert network(rendered).alt == "network of customers on day 2"


def test_a_step_draws_every_view_in_one_render(rendered):
    button(rendered, "Step").click()
    before = rendered.render_count
    button(rendered, "Step").click()
    assert rendered.render_count == before + 1, "every view of the new day in one render"
    day(rendered, 2).assert_single()
    assert network(rendered).alt == "network of customers on day 2"


def test_a_parameter_applies_on_reset(rendered):
    button(rendered, "Step").click()
    rendered.find(v.Slider, label="customers").widget.v_model = 200
    day(rendered, 1).assert_single()  # nothing happens before Reset
    button(rendered, "Reset").click()
    day(rendered, 0).assert_single()
    text(rendered, "Running with: customers 200 (was 400)").assert_single()
    text(rendered, "all 200 customers; dot size: friends. Click one to follow it.").assert_single()


def test_after_reset_the_applied_changes_are_running_not_waiting(rendered):
    slider = rendered.find(v.Slider, label="customers").widget
    slider.v_model = 200
    text(rendered, "Waiting for Reset: customers 200").assert_single()
    button(rendered, "Reset").click()
    text(rendered, "Running with: customers 200 (was 400)").assert_single()
    assert not [t for t in rendered.find(v.Html).widgets if "Waiting for Reset" in str(t.children)]
    slider.v_model = 400  # back to the scenario's value: waits for Reset again
    text(rendered, "Waiting for Reset: customers 400").assert_single()
    rendered.find(v.Select, label="scenario").widget.v_model = "two_brands"
    assert not [t for t in rendered.find(v.Html).widgets if "Waiting for Reset" in str(t.children)]


def test_settings_a_reset_refused_are_said_refused_not_waiting(rendered):
    """After the refusal the card still said 'Waiting for Reset', though Reset was pressed."""
    enter(rendered, "random seed", "-1")
    text(rendered, "Waiting for Reset: random seed -1").assert_single()
    button(rendered, "Reset").click()
    assert any(
        "These settings were not used" in str(w.children) for w in rendered.find(v.Alert).widgets
    )
    text(rendered, "Refused at the last Reset, not used: random seed -1").assert_single()
    enter(rendered, "random seed", "5")
    text(rendered, "Waiting for Reset: random seed 5").assert_single()
    button(rendered, "Reset").click()
    text(rendered, "Running with: random seed 5 (was 2016)").assert_single()


def enter(rc, label, typed):
    field = rc.find(v.TextField, label=label).widget
    field.v_model = typed
    field.fire_event("keyup.enter")
    return field


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("1.5", "expected a whole number (got '1.5')"),
        ("abc", "expected a whole number (got 'abc')"),
        ("", "empty (expected a whole number)"),
    ],
)
def test_a_seed_that_is_no_whole_number_is_not_used_and_the_card_says_so(rendered, typed, problem):
    """Reset ran the last valid seed while the field showed the text, and said nothing."""
    enter(rendered, "random seed", "7")
    button(rendered, "Reset").click()
    text(rendered, "Running with: random seed 7 (was 2016)").assert_single()
    field = enter(rendered, "random seed", typed)
    message = f"random seed: {problem}; Reset uses the scenario's 2016"
    assert [w.children for w in rendered.find(v.Alert).widgets] == [[message]]
    assert field.v_model == typed and field.error
    assert not [t for t in rendered.find(v.Html).widgets if "Waiting for Reset" in str(t.children)]
    button(rendered, "Reset").click()
    lines = [c[0] for c in (w.children for w in rendered.find(v.Html).widgets) if c]
    assert not [line for line in lines if isinstance(line, str) and "random seed" in line]
    assert [w.children for w in rendered.find(v.Alert).widgets] == [[message]]
    enter(rendered, "random seed", "7")
    assert not rendered.find(v.Alert).widgets
    text(rendered, "Waiting for Reset: random seed 7").assert_single()


def test_a_number_field_passes_on_a_finite_number_or_the_text_to_explain():
    """The same for a number field of a real number (a value no slider step reaches)."""
    spec = {"type": "InputFloat", "value": 0.5, "min": 0.0, "max": 1.0, "label": "rate"}
    changed = []
    _box, rc = solara.render(
        ParametersPanel({"rate": spec}, {"rate": "nan"}, lambda *change: changed.append(change))
    )
    (alert,) = rc.find(v.Alert).widgets
    assert alert.children == [
        "rate: expected a finite number (got 'nan'); Reset uses the scenario's 0.5"
    ]
    enter(rc, "rate", "0.25")
    enter(rc, "rate", "1e400")
    assert changed == [("rate", 0.25), ("rate", "1e400")]
    rc.close()


def test_a_budget_of_0_with_nothing_to_measure_it_by_is_typed_without_an_upper_end():
    changes = {f"brands.{name}.budget": 0 for name in ("tokoku", "modaku")}
    scenario = load_scenario(ROOT / "scenarios" / "omnichannel_consistency.toml", changes)
    params = model_params(scenario)
    _box, rc = solara.render(ParametersPanel(params, initial_values(params), lambda *_: None))
    rc.find(v.TextField, label="modaku budget").assert_single()
    text(rc, "Rp 0 thousand (from 0 up)").assert_not_empty()
    rc.close()


def test_a_whole_number_field_without_an_upper_end_says_its_range():
    scenario = load_scenario(ROOT / "scenarios" / "baseline.toml", {"seed": 0})
    field = control(scenario, Setting("seed", "scenario seed"))
    assert (field["type"], field["min"], field["max"]) == ("InputInt", 0, math.inf)
    _box, rc = solara.render(ParametersPanel({"seed": field}, {"seed": 0}, lambda *_: None))
    rc.find(v.TextField, label="scenario seed").assert_single()
    text(rc, "0 (from 0 up)").assert_single()
    rc.close()


def test_text_in_a_number_field_of_a_product_rule_narrows_its_partner_as_reset_runs():
    """A negativity bias no slider step reaches is a number field; text typed in it raised
    a TypeError (compared with 0) while the wom weight's slider range was worked out."""
    scenario = load_scenario(ROOT / "scenarios" / "baseline.toml", {BIAS: 1.23457})
    params = model_params(scenario)
    assert params[BIAS]["type"] == "InputFloat"
    values = {**initial_values(params), BIAS: "abc"}
    _box, rc = solara.render(ParametersPanel(params, values, lambda *change: None))
    (alert,) = rc.find(v.Alert).widgets
    assert alert.children == [
        "negativity bias: expected a finite number (got 'abc'); Reset uses the scenario's 1.23457"
    ]
    assert rc.find(v.Slider, label="wom experience weight").widget.max == 0.8  # 1 / 1.23457
    rc.close()


def test_the_negativity_bias_slider_follows_the_wom_weight(rendered):
    weight = rendered.find(v.Slider, label="wom experience weight").widget
    assert rendered.find(v.Slider, label="negativity bias").widget.max == 2.0
    assert weight.max == 0.66  # 1 / 1.5, to its step
    weight.v_model = 0.6
    assert rendered.find(v.Slider, label="negativity bias").widget.max == 1.66
    text(
        rendered,
        "1.5 (from 1 to 1.66: wom experience weight × negativity bias ≤ 1)",
    ).assert_single()


def test_friends_per_customer_is_said_unused_where_the_network_gives_the_friends(rendered):
    """A complete network links everyone, an uploaded one gives the friends: the slider
    moved and said "8 contacts" as if it changed the network."""
    friends = rendered.find(v.Slider, label="friends per customer")
    assert not friends.widget.disabled
    text(rendered, "8 contacts (from 2 to 40)").assert_single()
    rendered.find(v.Select, label="network").widget.v_model = NETWORK_NAMES["complete"]
    assert rendered.find(v.Slider, label="friends per customer").widget.disabled
    text(rendered, FRIENDS_UNUSED["complete"]).assert_single()
    rendered.find(v.Select, label="network").widget.v_model = NETWORK_NAMES["watts_strogatz"]
    assert not rendered.find(v.Slider, label="friends per customer").widget.disabled


def test_the_network_is_offered_in_plain_words_and_its_kind_named_for_scenario_files(rendered):
    """The list, 'Waiting for Reset: network watts_strogatz' and the hint said the schema's
    kinds (barabasi_albert), jargon to a marketing class."""
    picker = rendered.find(v.Select, label="network").widget
    assert picker.items == [
        "a scale-free friendship network",
        "a small-world friendship network",
        "a random friendship network",
        "a network of communities",
        "a well-mixed market",
    ]
    assert picker.v_model == "a scale-free friendship network"
    text(rendered, 'in a scenario file: network.kind = "barabasi_albert"').assert_single()
    picker.v_model = "a small-world friendship network"
    text(rendered, "Waiting for Reset: a small-world friendship network").assert_single()
    text(rendered, 'in a scenario file: network.kind = "watts_strogatz"').assert_single()
    button(rendered, "Reset").click()
    assert rendered.find(ClickableImage).widgets  # the model was built
    text(
        rendered,
        "Running with: a small-world friendship network, 8 close neighbours each, 10% of ties "
        "to distant people (was a scale-free friendship network, each newcomer befriending 4 "
        "people)",
    ).assert_single()


def test_every_network_kind_has_a_short_plain_name():
    assert all(len(name) <= 32 and "_" not in name for name in NETWORK_NAMES.values())
    assert len(set(NETWORK_NAMES.values())) == len(NETWORK_NAMES)


def test_a_rejected_setting_is_explained_and_the_scenario_runs_as_written(rendered):
    rendered.find(v.Slider, label="negativity bias").widget.v_model = 3.5
    rendered.find(v.Slider, label="wom experience weight").widget.v_model = 0.5
    button(rendered, "Reset").click()
    messages = [str(w.children) for w in rendered.find(v.Alert).widgets]
    assert any("wom_experience_weight * negativity_bias must be <= 1" in m for m in messages)
    button(rendered, "Step").click()
    day(rendered, 1).assert_single()


def test_actions_a_shorter_horizon_leaves_out_are_said_in_the_page(rendered):
    """The warning went to the server's standard error only: the page said the plan ran."""
    rendered.find(v.Slider, label="days").widget.v_model = 30
    button(rendered, "Reset").click()
    messages = [str(w.children) for w in rendered.find(v.Alert).widgets]
    assert any("the horizon of 30 days leaves out" in m for m in messages), messages


def test_a_budget_spent_is_said_in_the_page_from_the_day_it_is(rendered):
    """Advertising stopped when the budget ran out, and nothing in the page said so."""
    rendered.find(v.Slider, label="tokoku budget").widget.v_model = 50
    button(rendered, "Reset").click()
    assert not any("of its budget" in str(w.children) for w in rendered.find(v.Alert).widgets)
    for _ in range(40):
        button(rendered, "Step").click()
    messages = [str(w.children) for w in rendered.find(v.Alert).widgets]
    assert any("campaign[0].cost: 15,000 is more than brand tokoku's whole" in m for m in messages)
    spent = [m for m in messages if "of its budget" in m]
    assert len(spent) == 1 and "tokoku has spent 99% of its budget (by day " in spent[0], spent


def test_picking_a_scenario_rebuilds_the_controls_and_the_model(rendered):
    rendered.find(v.Select, label="scenario").widget.v_model = "two_brands"
    rendered.find(v.Slider, label="modaku price").assert_single()
    day(rendered, 0).assert_single()
    assert network(rendered).alt == "network of customers on day 0"
    button(rendered, "Step").click()
    day(rendered, 1).assert_single()
    button(rendered, "Reset").click()  # Mesa's Reset failed here: the scenario was lost
    day(rendered, 0).assert_single()
    button(rendered, "Step").click()
    day(rendered, 1).assert_single()
    assert not rendered.find(v.Alert)


def dropped_said(rc) -> bool:
    """Whether the page says that the plan edited in the Campaign tab was dropped."""
    messages = [str(w.children) for w in rc.find(v.Alert).widgets]
    return any("The campaign plan edited in the Campaign tab was dropped" in m for m in messages)


@pytest.mark.parametrize("then", ["Reset", "Remove action", None])
def test_another_scenario_picked_says_it_drops_the_edited_plan_until_reset_or_edit(rendered, then):
    """The plan edited in the Campaign tab was dropped without a word (an upload said so);
    then the note stayed after Reset, and after the plan was edited again."""
    tab(rendered, "Campaign")
    button(rendered, "Remove action").click()  # the plan is now an edit
    rendered.find(v.Select, label="scenario").widget.v_model = "two_brands"
    assert dropped_said(rendered)
    if then is not None:
        button(rendered, then).click()
    assert dropped_said(rendered) is (then is None)
    assert not rendered.find(v.Alert, type="error").widgets


def _page_recording_the_scenario_card(tmp_path, monkeypatch):
    """Render the page on a 400-customer baseline; return it and the scenario card's props,
    as drawn, one dictionary each time."""
    drawn = []
    panel = app.ScenarioPanel

    @solara.component
    def Recording(**props):
        drawn.append(props)
        return panel(**props)

    monkeypatch.setattr(app, "ScenarioPanel", Recording)
    text = (ROOT / "scenarios" / "baseline.toml").read_text()
    (tmp_path / "baseline.toml").write_text(text.replace("size = 10_000", "size = 400"))
    monkeypatch.setenv(SCENARIO_VARIABLE, str(tmp_path / "baseline.toml"))
    _box, rc = solara.render(App(), handle_error=False)
    return rc, drawn


def _upload(drawn, name, size):
    """Upload a ring of ``size`` customers named ``name``, as the card's upload thread does."""
    ring = "\n".join(f"{i},{(i + 1) % size}" for i in range(size)).encode()
    thread = threading.Thread(target=drawn[-1]["on_edge_list"], args=(name, ring))
    thread.start()
    thread.join()


def test_going_back_to_the_scenarios_own_network_says_it_drops_the_edited_plan(
    tmp_path, monkeypatch
):
    """After an upload, "use the scenario's own network" dropped the plan edited since
    without a word (the upload itself said so)."""
    rc, drawn = _page_recording_the_scenario_card(tmp_path, monkeypatch)
    _upload(drawn, "ring.csv", 400)
    tab(rc, "Campaign")
    button(rc, "Remove action").click()
    assert not dropped_said(rc)
    button(rc, "use the scenario's own network").click()
    (said,) = [str(w.children[0]) for w in rc.find(v.Alert).widgets]
    assert said == app.PLAN_DROPPED.format(what="the return to the scenario's own network")
    rc.close()


def test_a_scenario_that_cannot_be_read_is_explained_and_the_page_keeps_running(
    tmp_path, monkeypatch
):
    """Before, the page said nothing of which scenario it still ran, and named the file
    with the server's folder."""
    text = (ROOT / "scenarios" / "baseline.toml").read_text()
    (tmp_path / "baseline.toml").write_text(text.replace("size = 10_000", "size = 400"))
    (tmp_path / "broken.toml").write_text('name = "broken"\ndays = "a year"\n')
    monkeypatch.setenv(SCENARIO_VARIABLE, str(tmp_path / "baseline.toml"))
    _box, rc = solara.render(App(), handle_error=False)
    rc.find(v.Select, label="scenario").widget.v_model = "broken"
    (message,) = [w.children[0] for w in rc.find(v.Alert).widgets]
    assert message.startswith(
        "broken was not loaded; the page still runs baseline.\nbroken.toml: 3 problems\n"
    )
    assert str(tmp_path) not in message
    for _twice in range(2):  # the picker showed the refused file, as if it were running
        picker = rc.find(v.Select, label="scenario").widget
        assert picker.v_model == "baseline"
        picker.v_model = "broken"
    assert rc.find(v.Select, label="scenario").widget.v_model == "baseline"
    button(rc, "Step").click()
    day(rc, 1).assert_single()
    rc.close()


def test_an_uploaded_network_reaches_the_page_in_one_render(tmp_path, monkeypatch):
    """The upload's thread set the page's state in steps, each drawn: for seconds the card
    showed the new network's size beside the old file's name."""
    rc, drawn = _page_recording_the_scenario_card(tmp_path, monkeypatch)
    for name, size in (("ring.csv", 300), ("club.csv", 34)):
        before = len(drawn)
        _upload(drawn, name, size)
        shown = [(p["scenario"].population.size, p["uploaded"]) for p in drawn[before:]]
        assert shown == [(size, name)]
    rc.close()


def test_clicking_a_customer_in_the_network_shows_it_in_the_inspector(rendered, tmp_path):
    tab(rendered, "Customer")
    text(
        rendered, "Click a customer in the network view, or type an id from 0 to 399."
    ).assert_single()
    network(rendered).vue_pick({"x": 0.995, "y": 0.005})  # a corner, far from every customer
    text(
        rendered, "Click a customer in the network view, or type an id from 0 to 399."
    ).assert_single()
    sample = LiveModel(tmp_path / "baseline.toml").network_sample  # the same scenario and seed
    x, y = _pixels(sample.xy)[0]
    network(rendered).vue_pick({"x": x / WIDTH, "y": 1 - y / HEIGHT})
    row = pick(sample, x / WIDTH, 1 - y / HEIGHT)
    shown = [str(w.children) for w in rendered.find(v.Html).widgets]
    assert any(f"Customer {row}: segment" in line for line in shown)
    button(rendered, "Step").click()
    pictures = [w.attributes.get("alt", "") for w in rendered.find(solara.widgets.HTML).widgets]
    assert f"customer {row} since picked, day 1" in pictures


def type_customer(rendered, text):
    """Type ``text`` in the inspector's customer id field and press Enter."""
    field = rendered.find(v.TextField, label="customer id").widget
    field.v_model = text
    field.fire_event("keyup.enter")


def test_typing_an_id_follows_that_customer_and_a_wrong_id_is_explained(rendered):
    tab(rendered, "Customer")
    type_customer(rendered, "13")
    shown = [str(w.children) for w in rendered.find(v.Html).widgets]
    assert any("Customer 13: segment young urban, " in line for line in shown)  # in words
    assert any(re.search(r"need cycle \d+\.\d days", line) for line in shown)
    table = rendered.find(solara.widgets.HTML, tag="table").widget.unsafe_innerHTML
    assert "<td>spend</td><td style='padding:0 8px; text-align:right'>Rp 0k</td>" in table
    type_customer(rendered, "4000")
    messages = [str(w.children) for w in rendered.find(v.Alert).widgets]
    assert any(
        "customer 4000 is not among the 400 customers of this run (ids 0 to 399): type one" in m
        for m in messages
    )


def test_the_inspector_keeps_following_its_customer_after_a_reset(rendered):
    tab(rendered, "Customer")
    type_customer(rendered, "21")
    button(rendered, "Step").click()
    button(rendered, "Reset").click()
    day(rendered, 0).assert_single()
    shown = [str(w.children) for w in rendered.find(v.Html).widgets]
    assert any("Customer 21: segment" in line for line in shown)
    pictures = [w.attributes.get("alt", "") for w in rendered.find(solara.widgets.HTML).widgets]
    assert "customer 21 since picked, day 0" in pictures


def test_a_customer_the_reset_population_lacks_is_dropped_with_a_message(rendered):
    """The field showed "None" in red with a cut-off label, and nothing said why."""
    tab(rendered, "Customer")
    type_customer(rendered, "300")
    button(rendered, "Step").click()
    rendered.find(v.Slider, label="customers").widget.v_model = 200
    button(rendered, "Reset").click()
    field = rendered.find(v.TextField, label="customer id").widget
    assert field.v_model in ("", None) and not field.error
    messages = [str(w.children) for w in rendered.find(v.Alert).widgets]
    assert messages == [
        "['customer 300 is not among the 200 customers of this run (ids 0 to 199), "
        "so no one is followed.']"
    ]
    type_customer(rendered, "12")
    assert not rendered.find(v.Alert).widgets, "the message goes with the next customer"
    type_customer(rendered, "")
    assert not [
        t for t in rendered.find(v.Html).widgets if "Customer 12: segment" in str(t.children)
    ]
    assert not rendered.find(v.Alert).widgets, "the old message does not come back"


def test_text_that_is_no_customer_id_is_explained(rendered):
    tab(rendered, "Customer")
    type_customer(rendered, "abc")
    messages = [str(w.children) for w in rendered.find(v.Alert).widgets]
    assert messages == ["[\"'abc' is not a customer id: type a whole number from 0 to 399\"]"]


def test_the_app_does_not_load_mesas_visualisation_package():
    """The page is ours: Mesa's SolaraViz (and Altair, and its warning) stay unloaded."""
    code = "import sys, ecosim.ui.app; print(sorted(m for m in sys.modules if 'mesa.vis' in m))"
    shown = subprocess.run(
        [sys.executable, "-W", "error::UserWarning", "-c", code],
        capture_output=True,
        text=True,
        check=True,
    )
    assert shown.stdout.strip() == "[]"


def test_a_failed_build_takes_its_notice_away_and_one_asked_meanwhile_still_runs():
    """A build that raised left "Loading …" up and the run buttons disabled for good (the
    page said nothing); a build asked for during another (an upload's thread) was dropped."""
    asked = solara.reactive(None)
    _box, rc = solara.render(app.Building(asked, contextlib.nullcontext()), handle_error=False)

    def fail():
        raise RuntimeError("out of memory")

    asked.set(("Loading big…", fail, lambda built: None))
    assert asked.value is None
    (alert,) = rc.find(v.Alert).widgets
    assert alert.children == [
        "Could not finish: Loading big (RuntimeError: out of memory). The page still runs the "
        "model it ran before."
    ]

    applied = []

    def first():
        asked.set(("Loading second…", lambda: "second", applied.append))  # asked meanwhile
        return "first"

    asked.set(("Loading first…", first, applied.append))
    assert applied == ["second"] and asked.value is None  # the last asked is the one shown
    assert not rc.find(v.Alert).widgets
    rc.close()
