"""The campaign plan edited in the page: checked by the schema, saved as TOML, run on Reset."""

import tomllib

import pytest

from ecosim import load_scenario
from ecosim.scenario import ScenarioError, validate_scenario
from ecosim.ui.app import reset_keywords
from ecosim.ui.campaign_editor import blank_action, scenario_toml, with_campaign
from ecosim.ui.controls import model_params
from ecosim.ui.live_model import LiveModel

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
