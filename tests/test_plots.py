"""Figures of a run: the dashboard's loyalty panel shows what the programme has."""

import ecosim
from ecosim.plots import dashboard
from ecosim.scenario import validate_scenario

from support import SCENARIOS, small_scenario


def loyalty_panel(timeseries):
    return next(ax for ax in dashboard(timeseries).axes if ax.get_title() == "Loyalty programme")


def test_a_points_card_alone_is_drawn_as_points():
    timeseries = ecosim.run(SCENARIOS / "baseline.toml", days=60, customers=1000)
    panel = loyalty_panel(timeseries)
    earned, redeemed, outstanding = (line.get_ydata() for line in panel.get_lines())
    assert panel.get_ylabel() == "points" and earned[-1] > 0
    assert abs(earned[-1] - redeemed[-1] - outstanding[-1]) <= 1e-6 * earned[-1]


def test_no_programme_says_so():
    panel = loyalty_panel(ecosim.run(validate_scenario(small_scenario())))
    assert not panel.get_lines()
    assert [text.get_text() for text in panel.texts] == ["no loyalty programme"]
