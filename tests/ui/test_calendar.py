from typing import get_args

from matplotlib.colors import is_color_like

from ecosim import load_scenario
from ecosim.scenario.campaign import ACTION_TYPES, Action
from ecosim.ui.calendar import MARKED_TYPES, campaign_marks, shade
from ecosim.ui.charts import calendar_legend


def test_every_action_type_of_the_schema_has_a_colour_and_a_name():
    union = get_args(Action)[0]
    schema = {get_args(kind.model_fields["type"].annotation)[0] for kind in get_args(union)}
    assert schema == set(ACTION_TYPES) == set(MARKED_TYPES)
    for colour, name in MARKED_TYPES.values():
        assert is_color_like(colour) and name
    names = [name for _, name in MARKED_TYPES.values()]
    assert len(set(names)) == len(names)


def test_the_game_of_the_gamification_scenario_is_on_the_calendar():
    scenario = load_scenario("scenarios/gamification.toml")
    marks = campaign_marks(scenario)
    assert len(marks) == len(scenario.campaign)
    game = next(m for m in marks if m.label == "tokoku game")
    assert (game.start, game.end) == (15, 365)
    assert game.colour == MARKED_TYPES["gamification"][0]
    assert "tokoku game (1)" in calendar_legend(marks)


def test_each_brands_actions_are_shaded_apart_on_the_calendar():
    scenario = load_scenario("scenarios/two_brands.toml")
    marks = campaign_marks(scenario)
    ads = {m.label: m.colour for m in marks if m.label.endswith(("ads", "ads (darker)"))}
    assert ads == {"tokoku ads": "#9e9e9e", "modaku ads (darker)": shade("#9e9e9e", -0.45)}
    kinds = {(a.brand, MARKED_TYPES[a.type][0]) for a in scenario.campaign if a.start != a.end}
    rows = {m.colour for m in marks if m.start != m.end}  # one row of the strip per colour
    assert len(rows) == len(kinds)
    assert "modaku sale (darker) (4)" in calendar_legend(marks)
    assert campaign_marks(scenario, "tokoku") == [m for m in marks if m.label.startswith("tokoku")]
    colours = {name: colour for colour, name in MARKED_TYPES.values()}
    for mark in campaign_marks(load_scenario("scenarios/baseline.toml")):  # one brand: as typed
        assert mark.colour == colours[mark.label.removeprefix("tokoku ")]
