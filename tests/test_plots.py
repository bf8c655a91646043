"""Figures of a run: the dashboard's loyalty panel shows what the programme has."""

import pandas as pd
import pytest

import ecosim
from ecosim.errors import InputError
from ecosim.plots import dashboard, outcome_means, sensitivity_plot
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


def test_plots_name_what_they_lack_instead_of_raising_python_errors():
    summary = pd.DataFrame(
        {
            "strategy": ["a", "b"],
            "outcome": ["y", "y"],
            "mean": [1.0, 2.0],
            "ci_low": [0.5, 1.5],
            "ci_high": [1.5, 2.5],
        }
    )
    with pytest.raises(InputError, match="nothing to plot: no outcome"):
        outcome_means(summary, [], ["a", "b"])
    with pytest.raises(InputError, match=r"strategies: expected every strategy .* \(missing b\)"):
        outcome_means(summary, ["y"], ["a"])
    with pytest.raises(InputError, match="method: expected 'morris' or 'sobol'"):
        sensitivity_plot(pd.DataFrame(columns=["outcome", "parameter"]), "sobbol")
