"""The campaign plan edited in the page: checked by the schema, saved as TOML, run on Reset."""

import tomllib

import ipyvuetify as v
import pytest
import solara

from ecosim import load_scenario
from ecosim.scenario import ScenarioError, validate_scenario
from ecosim.scenario.campaign import ACTION_TYPES
from ecosim.ui.app import reset_keywords
from ecosim.ui.campaign_editor import (
    CampaignEditor,
    blank_action,
    downloaded,
    form_numbers,
    retyped,
    scenario_toml,
    with_campaign,
)
from ecosim.ui.controls import model_params
from ecosim.ui.live_model import LiveModel
from ecosim.ui.scenarios import with_edge_list

BASELINE = load_scenario("scenarios/baseline.toml")


def plan() -> list[dict]:
    return [a.model_dump(exclude_none=True) for a in BASELINE.campaign]


def test_a_plan_the_schema_rejects_is_refused_with_the_fields_named():
    actions = plan()
    actions[0]["end"] = 0
    with pytest.raises(ScenarioError, match=r"campaign\[0\]\.end: Input should be greater"):
        with_campaign(BASELINE, actions)
    with pytest.raises(ScenarioError, match="radio"):
        with_campaign(BASELINE, [*plan(), {**blank_action(BASELINE), "channel": "radio"}])


def test_an_action_after_the_last_day_is_refused_as_when_the_file_is_read():
    """Else the plan ran, but its download would not load (ecosim run refuses it)."""
    late = {**blank_action(BASELINE), "start": 400, "end": 500}
    with pytest.raises(ScenarioError, match=r"campaign\[9\]\.start: starts on day 400, after"):
        with_campaign(BASELINE, [*plan(), late])


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ({"start": "abc"}, "start (day): expected a whole number (got 'abc')"),
        ({"end": "12.5"}, "end (day): expected a whole number (got '12.5')"),
        ({"intensity": "nan"}, "intensity (0 to 1): expected a finite number (got 'nan')"),
        ({"cost": "-inf"}, "fixed cost (Rp thousand): expected a finite number (got '-inf')"),
        ({"intensity": ""}, "intensity (0 to 1): empty (expected a finite number)"),
        ({"cost": "  "}, "fixed cost (Rp thousand): empty (expected a finite number)"),
        ({"start": None}, "start (day): empty (expected a whole number)"),
    ],
)
def test_what_is_typed_in_a_number_field_is_read_or_refused_naming_it(typed, message):
    """Not the field's old value kept silently (text), nor a NaN that redrew the page forever,
    nor the default for a cleared field (a free, full-strength action)."""
    with pytest.raises(ValueError) as caught:
        form_numbers({**blank_action(BASELINE), **typed})
    assert str(caught.value) == message


def test_the_download_holds_the_settings_the_model_runs_with_the_edited_plan():
    """Was: the scenario as written (price 150, 10,000 customers) while the sidebar said the
    model ran at price 180 with 100 customers."""
    actions = [*plan()[:3], {**blank_action(BASELINE), "start": 100, "end": 110}]
    edited = with_campaign(BASELINE, actions)
    running = LiveModel(BASELINE, customers=100, **{"brands.tokoku.price": 180}).scenario
    scenario, note = downloaded(running, edited)
    saved = validate_scenario(tomllib.loads(scenario_toml(scenario)))
    assert (saved.population.size, saved.brands[0].price) == (100, 180)
    assert saved.campaign == edited.campaign
    assert note == "The download holds the settings the model runs with, and this plan."
    short = LiveModel(BASELINE, days=90).scenario  # the plan's day-100 action does not fit
    scenario, note = downloaded(short, edited)
    assert scenario == edited and note.startswith("This plan does not fit the settings")
    assert "after the last day (90)" in note


def test_an_edited_plan_runs_on_reset_and_downloads_as_a_scenario():
    actions = [*plan()[:3], {**blank_action(BASELINE), "start": 100, "end": 110}]
    edited = with_campaign(BASELINE, actions)
    assert len(edited.campaign) == 4 and edited.campaign[3].start == 100
    saved = validate_scenario(tomllib.loads(scenario_toml(edited)))
    assert saved == edited
    params = model_params(BASELINE)
    keywords = reset_keywords(params, {"customers": 300}, edited)
    assert not any(k.startswith("campaign.") for k in keywords)  # the plan's own intensities
    model = LiveModel(**keywords)
    assert model.problem is None and model.scenario.campaign == edited.campaign
    assert model.population.n == 300


def test_a_download_after_an_upload_names_the_edge_list_to_keep_beside_it(tmp_path):
    """The page's copy of an upload lives in a temporary folder: named there, the
    download loaded nowhere else (a path outside the scenario's folder)."""
    ring = "\n".join(f"{i},{(i + 1) % 500}" for i in range(500)).encode()
    (tmp_path / "page").mkdir()
    uploaded, _ = with_edge_list(BASELINE, tmp_path / "page" / "ring.csv", ring)
    saved = tmp_path / "mine"
    saved.mkdir()
    (saved / "ring.csv").write_bytes(ring)
    (saved / "plan.toml").write_text(scenario_toml(uploaded, edge_list="ring.csv"))
    loaded = load_scenario(saved / "plan.toml")
    assert loaded.network.path == str(saved / "ring.csv")
    assert loaded.model_copy(update={"network": uploaded.network}) == uploaded


REQUIRED = {"promotion": "discount", "price_change": "price", "seeding": "seed_share"}
"""The fields an action of these types needs beyond the form's (in its other fields)."""


@pytest.mark.parametrize("kind", ACTION_TYPES)
def test_an_action_given_another_type_is_one_of_that_type(kind):
    """The form kept the channel of an advertisement turned into a promotion (which has
    none), and every save was refused for a field the page no longer showed."""
    action, extra = retyped(blank_action(BASELINE), kind, "discount = 0.3\nprice = 2.0", BASELINE)
    assert action["type"] == kind
    assert ("channel" in action) == (kind in ("advertising", "social_post"))
    assert action.get("influencer") == ("rina_style" if kind == "influencer" else None)
    others = tomllib.loads(extra)
    if kind in REQUIRED:
        others.setdefault(REQUIRED[kind], 0.01)
    edited = with_campaign(BASELINE, [*plan(), {**action, **others}])
    assert edited.campaign[-1].type == kind


def test_the_form_saves_an_advertisement_turned_into_another_type():
    """Through the page's form: the channel select goes, the action saves as the new type."""
    plans = []
    running = LiveModel(scenario=BASELINE, customers=300)
    _box, rc = solara.render(
        CampaignEditor(BASELINE, None, plans.append, running), handle_error=False
    )
    assert rc.find(v.Select, label="channel").widgets
    kinds = rc.find(v.Select, label="type").widget.items  # named as in the table
    assert {"text": "social post", "value": "social_post"} in kinds
    rc.find(v.Select, label="type").widget.v_model = "gamification"
    assert not rc.find(v.Select, label="channel").widgets
    rc.find(v.Btn, children=["Save action"]).widget.click()
    assert not rc.find(v.Alert, type="error").widgets
    assert [p.campaign[0].type for p in plans] == ["gamification"]
    rc.close()


def test_an_edited_intensity_is_not_said_to_run_before_reset():
    """same_plan overlooks intensity, discount and price (the sidebar's controls tune them in
    the scenario's plan): an edited plan differing only there was said to be running."""
    edited = BASELINE.campaign[0].model_copy(update={"intensity": 0.1})
    edits = with_campaign(BASELINE, [edited.model_dump(exclude_none=True), *plan()[1:]])
    running = LiveModel(scenario=BASELINE, customers=300)
    _box, rc = solara.render(CampaignEditor(BASELINE, edits, lambda _: None, running))
    said = [str(w.children[0]) for w in rc.find(v.Html).widgets if w.children]
    assert any("Press Reset (sidebar) to run this plan." in text for text in said), said
    assert not any("The model running uses this plan." in text for text in said)
    rc.close()
    ran = LiveModel(**reset_keywords(model_params(BASELINE), {"customers": 300}, edits))
    _box, rc = solara.render(CampaignEditor(BASELINE, edits, lambda _: None, ran))
    said = [str(w.children[0]) for w in rc.find(v.Html).widgets if w.children]
    assert any("The model running uses this plan." in text for text in said), said
    rc.close()


def test_an_action_the_horizon_cuts_short_is_said_so_in_the_page():
    """Saved, it ran 78 of its 113 days, and only the server's log said so; back to the
    scenario's plan, the messages of the plan dropped go."""
    plans = []

    @solara.component
    def Editor():  # holds the plan, as the page does
        plan, set_plan = solara.use_state(None)
        plans.append(plan)
        CampaignEditor(BASELINE, plan, set_plan, LiveModel(scenario=BASELINE, customers=300))

    _box, rc = solara.render(Editor())
    field = rc.find(v.TextField, label="end (day)").widget
    field.v_model = "400"
    field.fire_event("keyup.enter")
    rc.find(v.Btn, children=["Save action"]).widget.click()
    assert plans[-1].campaign[0].end == 400
    said = ["".join(map(str, w.children)) for w in rc.find(v.Alert).widgets]
    assert said[0] == "Action 0 saved. It applies on Reset."
    assert said[1] == (
        "campaign[0].end: ends on day 400, after the last day (365): it runs 78 of its 113 days"
    )
    rc.find(v.Btn, children=["Back to the scenario's plan"]).widget.click()
    assert plans[-1] is None
    assert not rc.find(v.Alert).widgets, "the dropped action was said to run"
    rc.close()


def test_the_other_fields_leave_out_the_shared_fields_the_type_does_not_read():
    """A promotion's form offered cultural_relevance = 0.0, which any other value refused."""
    from ecosim.ui.campaign_editor import _others

    promotion = {"type": "promotion", "brand": "b", "start": 1, "end": 2, "discount": 0.3}
    assert _others({**promotion, "cultural_relevance": 0.0}) == "discount = 0.3"
    advert = {"type": "advertising", "brand": "b", "channel": "tv", "start": 1, "end": 2}
    assert _others({**advert, "cultural_relevance": 0.5}) == "cultural_relevance = 0.5"


def test_actions_are_checked_against_the_days_reset_runs_not_the_files():
    """With the days control at 730, an action on day 400 was refused as after day 365; at
    300 days, every edit was refused for the actions after day 300 it had not touched."""
    late = {**blank_action(BASELINE), "start": 400, "end": 420}
    assert with_campaign(BASELINE, [*plan(), late], days=730).days == 730
    shorter = with_campaign(BASELINE, [*plan(), {**late, "start": 200, "end": 210}], days=100)
    assert shorter.days == 365, "left out of a 100-day run, said so, and kept in the plan"
    with pytest.raises(ScenarioError, match=r"starts on day 400, after the last day \(365\)"):
        with_campaign(BASELINE, [*plan(), late], days=100)
    keywords = reset_keywords(model_params(BASELINE), {"days": 730}, None)
    assert keywords["days"] == 730, "the page passes the editor the days Reset runs"


def test_the_horizon_note_follows_the_days_control():
    """Said once when the action was saved, it kept the old horizon's numbers after the days
    control moved."""
    days = solara.reactive(365)

    @solara.component
    def Editor():
        plan, set_plan = solara.use_state(None)
        running = LiveModel(scenario=BASELINE, customers=300)
        CampaignEditor(BASELINE, plan, set_plan, running, days=days.value)

    _box, rc = solara.render(Editor())
    field = rc.find(v.TextField, label="end (day)").widget
    field.v_model = "400"
    field.fire_event("keyup.enter")
    rc.find(v.Btn, children=["Save action"]).widget.click()
    said = ["".join(map(str, w.children)) for w in rc.find(v.Alert).widgets]
    assert said[1].endswith("after the last day (365): it runs 78 of its 113 days")
    days.set(300)
    said = ["".join(map(str, w.children)) for w in rc.find(v.Alert).widgets]
    assert said[1].startswith(
        "campaign[0].end: ends on day 400, after the last day (300): it runs 13 of its 113 days"
    )
    assert "campaign[8].start: starts on day 346, after the last day (300)" in said[1]
    rc.close()


def test_a_shorter_days_control_leaves_the_actions_after_it_editable():
    """At 300 days, saving any action was refused for the sales on days 315 and 346."""
    plans = []
    running = LiveModel(scenario=BASELINE, customers=300)
    _box, rc = solara.render(CampaignEditor(BASELINE, None, plans.append, running, days=300))
    field = rc.find(v.TextField, label="intensity (0 to 1)").widget
    field.v_model = "0.5"
    field.fire_event("keyup.enter")
    rc.find(v.Btn, children=["Save action"]).widget.click()
    assert [p.campaign[0].intensity for p in plans] == [0.5] and plans[0].days == 365
    rc.close()


def test_an_action_saved_as_it_was_leaves_the_plan_unedited_and_says_so():
    """Saving an unchanged action said nothing, yet the page called the plan edited and the
    compare page ran it as another strategy."""
    plans = []
    running = LiveModel(scenario=BASELINE, customers=300)
    _box, rc = solara.render(CampaignEditor(BASELINE, None, plans.append, running))
    rc.find(v.Btn, children=["Save action"]).widget.click()
    assert plans == []
    said = ["".join(map(str, w.children)) for w in rc.find(v.Alert).widgets]
    assert said == ["Nothing changed: the action is as it was, and so is the plan."]
    rc.close()


def test_the_table_says_what_each_action_costs_as_it_runs():
    """An influencer's fee for each day was shown nowhere: the table gave its fixed cost of
    Rp 3,000k while the brand spent Rp 4,000k a day on it."""
    scenario = load_scenario("scenarios/two_brands.toml")
    running = LiveModel(scenario=scenario, customers=300)
    _box, rc = solara.render(CampaignEditor(scenario, None, lambda _: None, running))
    (table,) = [w.unsafe_innerHTML for w in rc.find(solara.widgets.HTML, tag="table").widgets]
    assert "<th style" in table and ">costs as it runs</th>" in table
    assert ">fee Rp 4,000k a day</td>" in table
    assert ">Rp 0.25k an exposure</td>" in table
    rc.close()
