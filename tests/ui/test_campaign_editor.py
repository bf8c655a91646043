"""The campaign plan edited in the page: checked by the schema, saved as TOML, run on Reset."""

import tomllib

import pytest

from ecosim import load_scenario
from ecosim.scenario import ScenarioError, validate_scenario
from ecosim.ui.app import reset_keywords
from ecosim.ui.campaign_editor import blank_action, form_numbers, scenario_toml, with_campaign
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
