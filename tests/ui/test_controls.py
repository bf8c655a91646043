import inspect
import math
from pathlib import Path

import hypothesis
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecosim import load_scenario
from ecosim.scenario import Scenario
from ecosim.ui.app import reset_keywords
from ecosim.ui.campaign_editor import same_plan
from ecosim.ui.controls import (
    Setting,
    changes,
    control,
    fitting_step,
    model_params,
    network_kinds,
    network_words,
    settings,
    shown,
    unit,
    within_rules,
)
from ecosim.ui.live_model import LiveModel
from ecosim.ui.parameters_panel import initial_values, pending

SCENARIOS = sorted(Path("scenarios").glob("*.toml"))


@pytest.fixture(params=["baseline", "two_brands"])
def scenario(request) -> Scenario:
    return load_scenario(f"scenarios/{request.param}.toml")


def test_model_params_are_live_model_keywords(scenario):
    params = model_params(scenario)
    adjustable = {k: v for k, v in params.items() if isinstance(v, dict) and "type" in v}
    assert params["scenario"] is scenario and len(adjustable) == len(params) - 1
    keywords = set(inspect.signature(LiveModel.__init__).parameters)
    assert {"customers", "days", "network", "friends", "engaged"} <= set(adjustable) & keywords
    kinds = {"SliderInt", "SliderFloat", "InputFloat", "InputInt", "Select", "Checkbox"}
    assert all(spec["type"] in kinds for spec in adjustable.values())


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_every_slider_lands_on_its_scenario_value_and_has_a_unit(path):
    params = model_params(load_scenario(path))
    for name, spec in params.items():
        if not isinstance(spec, dict) or not spec["type"].startswith("Slider"):
            continue
        offset = (spec["value"] - spec["min"]) / spec["step"]
        assert abs(offset - round(offset)) < 1e-6, (name, spec)
        assert spec["min"] <= spec["value"] <= spec["max"], (name, spec)
        assert "unit" in spec


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_reset_without_changes_runs_every_scenario_as_written(path):
    scenario = load_scenario(path)
    params = model_params(scenario)
    assert pending(params, initial_values(params)) == []
    model = LiveModel(**{**initial_values(params), "customers": 200})
    assert model.problem is None
    assert changes(scenario, model.scenario) == ["customers 200 (was 10,000)"]


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_the_negativity_bias_and_wom_weight_sliders_end_where_reset_accepts_them(path):
    params = model_params(load_scenario(path))
    bias, weight = "dynamics.negativity_bias", "dynamics.wom_experience_weight"
    start = {**initial_values(params), "customers": 200}
    for moved, other in ((bias, weight), (weight, bias)):
        spec = within_rules(params, start)[moved]
        assert spec["min"] <= spec["value"] <= spec["max"]
        ends = {**start, moved: spec["max"]}
        assert spec["max"] * ends[other] <= 1
        assert LiveModel(**ends).problem is None
        beyond = {**ends, moved: spec["max"] + spec["step"]}
        assert beyond[moved] * beyond[other] > 1 or spec["max"] == params[moved]["max"]


def test_moving_the_wom_weight_narrows_the_negativity_bias_slider_and_says_why():
    params = model_params(load_scenario("scenarios/baseline.toml"))
    bias, weight = "dynamics.negativity_bias", "dynamics.wom_experience_weight"
    assert params[bias]["max"] == 2.5  # the open end: three times the scenario's 1.5 from 1
    assert within_rules(params, {weight: 0.5})[bias]["max"] == 2.0
    narrowed = within_rules(params, {weight: 0.8})[bias]
    assert narrowed["max"] == 1.25
    assert narrowed["rule"] == "wom experience weight × negativity bias ≤ 1"
    assert within_rules(params, {weight: 0.0})[bias] == params[bias]


def test_a_value_no_round_step_reaches_gets_a_number_field():
    assert fitting_step(1.0, 0.001, 0.0) == 0.001
    assert fitting_step(1.0, 0.00123, 0.0) is None
    scenario = load_scenario("scenarios/baseline.toml", {"dynamics.churn_rate": 0.00123})
    spec = control(scenario, Setting("dynamics.churn_rate", "churn rate"))
    assert spec["type"] == "InputFloat" and spec["value"] == 0.00123
    assert shown(spec["value"], spec["unit"]) == "0.00123 per day"


def test_values_are_printed_with_their_units():
    scenario = load_scenario("scenarios/baseline.toml")
    price = control(scenario, Setting("brands.tokoku.price", "price"))
    assert shown(price["value"], price["unit"]) == "Rp 150 thousand"
    params = model_params(scenario)
    assert pending(params, {**initial_values(params), "days": 30}) == ["days 30"]
    friction = control(scenario, Setting("brands.tokoku.checkout_friction", "friction"))
    assert shown(0.2, friction["unit"]) == "0.2 share of choosers lost at checkout"
    notice = control(scenario, Setting("brands.tokoku.service.proactive_notice", "notice"))
    assert notice["unit"] == "share of foreseeable incidents announced"
    assert unit("campaign.5.discount") == "share off the price"


def test_reset_with_the_initial_values_builds_the_scenario_as_written(scenario):
    values = {
        k: v["value"] if isinstance(v, dict) else v for k, v in model_params(scenario).items()
    }
    model = LiveModel(**values)
    assert model.problem is None
    assert model.scenario == scenario


def test_every_brand_influencer_campaign_action_and_segment_has_a_control(scenario):
    params = model_params(scenario)
    for brand in scenario.brands:
        assert {f"brands.{brand.name}.{f}" for f in ("price", "quality", "budget")} <= set(params)
    for influencer in scenario.influencers:
        assert f"influencers.{influencer.name}.audience_share" in params
    for number, action in enumerate(scenario.campaign):
        field = "discount" if action.type == "promotion" else "intensity"
        assert params[f"campaign.{number}.{field}"]["value"] == getattr(action, field)
    for segment in scenario.population.segments:
        control = params[f"population.segments.{segment.name}.share"]
        assert control["value"] == segment.share
        assert "_" not in control["label"], "a label reads as words, not as the file's name"
    assert params["dynamics.negativity_bias"]["value"] == scenario.dynamics.negativity_bias


def test_ranges_come_from_the_schema_constraints():
    scenario = load_scenario("scenarios/baseline.toml")
    quality = control(scenario, Setting("brands.tokoku.quality", "q"))
    assert (quality["type"], quality["min"], quality["max"], quality["step"]) == (
        "SliderFloat",
        0.0,
        1.0,
        0.01,
    )
    bias = control(scenario, Setting("dynamics.negativity_bias", "b"))
    assert bias["min"] == 1.0 and bias["max"] == 1.0 + 3 * (scenario.dynamics.negativity_bias - 1.0)
    days = control(scenario, Setting("days", "days", key="days", high=730))
    assert (days["type"], days["min"], days["max"]) == ("SliderInt", 1, 730)
    rule = control(scenario, Setting("diffusion.rule", "rule"))
    assert rule["type"] == "Select" and "bass" in rule["values"] and rule["value"] == "ecosystem"
    with pytest.raises(TypeError, match="no control"):
        control(scenario, Setting("dynamics.stage_up", "ladder"))


@pytest.mark.parametrize(("fee", "top"), [(0, 150.0), (1, 150.0), (25, 150.0), (60, 180.0)])
def test_a_membership_fee_ranges_at_least_over_the_brands_price_and_says_per_term(fee, top):
    """A fee of 0 gave a slider from 0 to Rp 1 thousand, too little to try any real fee."""
    path = "brands.tokoku.loyalty.membership.fee"
    scenario = load_scenario("scenarios/paid_membership.toml", {path: fee})
    assert scenario.brands[0].price == 150
    spec = model_params(scenario)[path]
    assert (spec["label"], spec["unit"]) == ("tokoku member fee per 30 days", "Rp thousand")
    assert (spec["type"], spec["min"], spec["max"], spec["value"]) == ("SliderFloat", 0, top, fee)
    assert LiveModel(scenario, customers=200, **{path: top}).problem is None


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"brands.modaku.budget": 0}, ("SliderFloat", 0.0, 150_000.0)),
        ({"brands.modaku.budget": 0, "brands.tokoku.budget": 0}, ("InputFloat", 0.0, math.inf)),
        (
            {"brands.modaku.budget": 0, "brands.tokoku.budget": math.inf},
            ("InputFloat", 0.0, math.inf),
        ),
    ],
    ids=["beside-a-budget", "all-zero", "beside-no-limit"],
)
def test_a_budget_of_0_ranges_over_the_other_budgets_or_is_typed(changes, expected):
    """A budget of 0 gave a slider from Rp 0 to Rp 1 thousand: nothing a campaign costs.
    (The campaign of this scenario has no fixed costs, which would set the scale too.)"""
    scenario = load_scenario("scenarios/omnichannel_consistency.toml", changes)
    spec = model_params(scenario)["brands.modaku.budget"]
    assert (spec["type"], spec["min"], spec["max"], spec["value"]) == (*expected, 0)
    assert LiveModel(scenario, customers=200, **{"brands.modaku.budget": 5e4}).problem is None


def test_a_budget_of_0_beside_no_budget_ranges_over_the_campaign_s_fixed_costs():
    zero = {"brands.tokoku.budget": 0, "brands.modaku.budget": 0}
    scenario = load_scenario("scenarios/two_brands.toml", zero)
    costs = {
        brand.name: sum(a.cost for a in scenario.campaign if a.brand == brand.name)
        for brand in scenario.brands
    }
    assert costs["tokoku"] > 0
    for brand in scenario.brands:
        spec = model_params(scenario)[f"brands.{brand.name}.budget"]
        assert (spec["type"], spec["min"], spec["max"]) == ("SliderFloat", 0, max(costs.values()))


def test_a_membership_fees_label_names_the_terms_length():
    """A fee 'per term' left the teacher guessing whether it was a month or a year."""
    path = "brands.tokoku.loyalty.membership"
    scenario = load_scenario("scenarios/paid_membership.toml", {f"{path}.term_days": 365})
    assert model_params(scenario)[f"{path}.fee"]["label"] == "tokoku member fee per 365 days"


def test_a_slider_may_reach_a_value_the_schema_rejects_and_the_model_says_so():
    scenario = load_scenario("scenarios/baseline.toml")
    audience = model_params(scenario)["influencers.rina_style.audience_share"]
    assert audience["min"] == 0.0  # the schema asks for > 0
    model = LiveModel(scenario, customers=200, **{"influencers.rina_style.audience_share": 0.0})
    assert "influencers[0].audience_share" in model.problem


def test_network_kinds_come_from_the_schema():
    scenario = load_scenario("scenarios/baseline.toml")
    assert network_kinds(scenario) == [
        "barabasi_albert",
        "watts_strogatz",
        "erdos_renyi",
        "stochastic_block",
        "complete",
    ]


@pytest.mark.parametrize("path", sorted(Path("scenarios").glob("*.toml")), ids=str)
def test_labels_are_short_and_unique(path):
    labels = [s.label for s in settings(load_scenario(path))]
    assert len(set(labels)) == len(labels)
    assert max(len(label) for label in labels) <= 32, max(labels, key=len)


def _moved(value: float, field: str) -> float:
    """Another value of a campaign control's field, well within its range."""
    return {
        "intensity": 0.2 if value > 0.5 else 1.0,
        "discount": min(0.6, 2 * value + 0.1),
        "price": 0.7 * value,
        "multiplier": value + 3,
        "bonus_points": 3 * value,
    }[field]


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda path: path.stem)
def test_every_kind_of_campaign_control_moves_the_model(path):
    """The sliders of double points, a service disruption and a sample seeding set an
    intensity their actions never read: a run was the same whatever the slider said."""
    from ecosim.model import run

    small = {"population.size": 1000}
    scenario = load_scenario(path, small)
    first_of_each_type = {}
    for setting in settings(scenario):
        if setting.path.startswith("campaign."):
            _, number, field = setting.path.split(".")
            action = scenario.campaign[int(number)]
            first_of_each_type.setdefault(
                action.type, (setting.path, _moved(getattr(action, field), field))
            )
    base = run(scenario)
    for setting_path, value in first_of_each_type.values():
        moved = run(load_scenario(path, {**small, setting_path: value}))
        assert not moved.equals(base), f"{setting_path} = {value} changed nothing"


def test_changes_lists_what_differs_from_the_scenario():
    base = load_scenario("scenarios/baseline.toml")
    used = LiveModel(base, customers=500, network="watts_strogatz", friends=6).scenario
    assert changes(base, base) == []
    assert changes(base, used) == [
        "customers 500 (was 10,000)",
        "a small-world friendship network, 6 close neighbours each, 10% of ties to distant "
        "people (was a scale-free friendship network, each newcomer befriending 4 people)",
    ]


def test_the_engaged_control_offers_the_definitions_and_the_scenarios_own():
    base = load_scenario("scenarios/baseline.toml")
    spec = model_params(base)["engaged"]
    assert spec["value"] == "purchases" and "scenario" not in spec["values"]  # no repeat
    assert all(len(spec["labels"][value]) <= 32 for value in spec["values"])  # select width
    own = load_scenario("scenarios/baseline.toml", {"engagement.min_stage": "curation"})
    spec = model_params(own)["engaged"]
    assert spec["value"] == "scenario" and spec["values"][-1] == "scenario"
    used = LiveModel(base, customers=300, engaged="reviews").scenario
    assert changes(base, used) == [
        "customers 300 (was 10,000)",
        "engaged: a customer who writes a review in 90 days (was buys at least twice in 90 days)",
    ]
    assert changes(own, LiveModel(own, customers=300, engaged="scenario").scenario) == [
        "customers 300 (was 10,000)"
    ]


@pytest.mark.parametrize(
    "kind", ["barabasi_albert", "watts_strogatz", "erdos_renyi", "stochastic_block", "complete"]
)
def test_the_running_network_is_said_in_plain_words_with_its_numbers(kind):
    """'Running with' said 'network watts_strogatz k=6 p=0.1 (was barabasi_albert m=4)':
    jargon to a marketing class."""
    base = load_scenario("scenarios/baseline.toml")
    used = LiveModel(base, customers=500, network=kind, friends=6).scenario
    said = network_words(used.network)
    assert "_" not in said and "=" not in said, said
    numbers = {
        "barabasi_albert": "each newcomer befriending 3 people",
        "watts_strogatz": "6 close neighbours each, 10% of ties to distant people",
        "erdos_renyi": "6 friends each on average",
        "stochastic_block": "on average 4.8 friends inside and 1.2 outside",
        "complete": "everyone hears everyone",
    }
    assert numbers[kind] in said
    if kind != "barabasi_albert":
        assert changes(base, used)[-1] == f"{said} (was {network_words(base.network)})"
    one = load_scenario("scenarios/baseline.toml", {"network.m": 1})
    assert changes(base, one) == [
        "a scale-free friendship network, each newcomer befriending 1 person (was each "
        "newcomer befriending 4 people)"
    ]


def test_changes_name_edge_lists_by_their_files(tmp_path):
    """Two uploads read 'network edge_list (was edge_list)'."""
    for name in ("ring.csv", "club.csv"):
        (tmp_path / name).write_text("0,1\n1,2\n")
    base = load_scenario("scenarios/baseline.toml")
    ring, club = (
        load_scenario(
            "scenarios/baseline.toml",
            {"network": {"kind": "edge_list", "path": str(tmp_path / name)}, "population.size": 3},
        )
        for name in ("ring.csv", "club.csv")
    )
    assert changes(ring, club)[-1] == (
        "the friendship network in club.csv (was the friendship network in ring.csv)"
    )
    assert (
        "the friendship network in ring.csv (was a scale-free friendship network, each "
        "newcomer befriending 4 people)"
    ) in changes(base, ring)


@pytest.mark.parametrize("edit", ["removed", "retyped"])
def test_changes_with_an_edited_plan_leave_its_actions_settings_out(edit):
    """Action 0 removed, or action 5 (a sale) made an advertising action: the settings of
    single actions, read by position, no longer name the actions run."""
    base = load_scenario("scenarios/baseline.toml")
    data = base.model_dump()
    if edit == "removed":
        del data["campaign"][0]
    else:
        sale = data["campaign"][5]
        data["campaign"][5] = {
            "type": "advertising",
            "brand": sale["brand"],
            "channel": "tv",
            "start": sale["start"],
            "end": sale["end"],
        }
    data["brands"][0]["price"] = 140
    used = Scenario.model_validate(data)
    assert changes(base, used, plan_edited=True) == ["tokoku price Rp 140 thousand (was Rp 150)"]
    assert "tokoku price Rp 140 thousand (was Rp 150)" in changes(base, used), (
        "read by position, no error"
    )


def test_a_campaign_control_moved_is_no_edited_plan():
    """The sidebar's control of one action changes the plan's numbers, not the plan."""
    base = load_scenario("scenarios/baseline.toml")
    used = LiveModel(base, **{"campaign.0.intensity": 0.5}).scenario
    label = next(s.label for s in settings(base) if s.path == "campaign.0.intensity")
    assert changes(base, used) == [f"{label} 0.5 (was 0.6)"]
    assert same_plan(base.campaign, used.campaign)
    assert not same_plan(base.campaign, base.campaign[1:])


def test_campaign_controls_do_not_wait_for_a_reset_that_runs_an_edited_plan():
    import ipyvuetify as v
    import solara

    from ecosim.ui.parameters_panel import ParametersPanel

    params = model_params(load_scenario("scenarios/baseline.toml"))
    values = {**initial_values(params), "campaign.0.intensity": 0.5, "days": 90}
    label = params["campaign.0.intensity"]["label"]
    assert pending(params, values, campaign=False) == ["days 90"]
    assert len(pending(params, values)) == 2 and label in pending(params, values)[1]

    def shown(plan_edited):
        _box, rc = solara.render(
            ParametersPanel(params, values, lambda *_: None, None, plan_edited),
            handle_error=False,
        )
        texts = [str(w.children) for w in rc.find(v.Html).widgets]
        rc.close()
        return [t for t in texts if "Waiting for Reset" in t or "do not apply" in t]

    waiting, unused = shown(plan_edited=True)
    assert "days 90" in waiting and label not in waiting
    assert "Reset runs the plan edited in the Campaign tab" in unused
    (waiting,) = shown(plan_edited=False)
    assert label in waiting and "days 90" in waiting


def test_a_switch_for_a_yes_no_field_and_a_select_for_a_choice():
    from typing import Literal

    from pydantic import BaseModel

    class Loyalty(BaseModel):  # the shape a future scenario section could take
        enabled: bool = True
        tiers: Literal["none", "silver_gold", "silver_gold_platinum"] = "silver_gold"

    class Section(BaseModel):
        loyalty: Loyalty = Loyalty()

    switch = control(Section(), Setting("loyalty.enabled", "loyalty programme"))
    assert switch == {"type": "Checkbox", "label": "loyalty programme", "value": True, "unit": ""}
    select = control(Section(), Setting("loyalty.tiers", "tiers"))
    assert select["type"] == "Select" and select["values"][-1] == "silver_gold_platinum"


def _reachable(control: dict) -> st.SearchStrategy:
    """The values a control can be set to on the page."""
    if control["type"] == "Select":
        return st.sampled_from(control["values"])
    if control["type"] == "InputInt":
        return st.integers(0, 2**63 - 1)
    steps = round((control["max"] - control["min"]) / control["step"])
    return st.integers(0, steps).map(lambda i: control["min"] + i * control["step"])


CONTROLS = {path.stem: model_params(load_scenario(path)) for path in SCENARIOS}
"""Every shipped scenario's controls, as the page builds them."""


@hypothesis.settings(max_examples=40, deadline=None)
@given(data=st.data(), name=st.sampled_from(sorted(CONTROLS)))
def test_any_combination_of_controls_runs_or_says_why(data, name):
    params = CONTROLS[name]
    movable = sorted(k for k in params if k not in ("scenario", "customers"))
    moved = data.draw(st.lists(st.sampled_from(movable), unique=True, max_size=8), label="moved")
    edits = {keyword: data.draw(_reachable(params[keyword]), label=keyword) for keyword in moved}
    small = {**params["customers"], "max": max(params["customers"]["min"], 1_000)}
    edits["customers"] = data.draw(_reachable(small), label="customers")
    model = LiveModel(**reset_keywords(params, edits, None))
    days = min(2, model.scenario.days)  # Step stops at the horizon (a 1-day run: one step)
    for _ in range(days):
        model.step()
    assert model.steps == days and len(model.timeseries()) == days + 1
    hypothesis.event("refused, with a message" if model.problem else "ran with the settings")
    if model.problem:
        assert model.scenario == params["scenario"], "a refused setting runs the file as written"
    else:
        assert model.scenario.population.size == edits["customers"]
