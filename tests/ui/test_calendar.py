from typing import get_args

from matplotlib.colors import is_color_like

from ecosim import load_scenario
from ecosim.scenario.campaign import ACTION_TYPES, Action
from ecosim.ui.calendar import MARKED_TYPES, campaign_marks
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
