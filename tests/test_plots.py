"""Figures of a run: the dashboard's loyalty panel shows what the programme has."""

import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

import ecosim
from ecosim.errors import InputError
from ecosim.plots import (
    daily_bands_plot,
    dashboard,
    loyalty_programmes,
    outcome_means,
    sensitivity_plot,
)
from ecosim.scenario import validate_scenario

from support import SCENARIOS, small_scenario


def loyalty_panel(timeseries, **keywords):
    figure = dashboard(timeseries, **keywords)
    return next(ax for ax in figure.axes if ax.get_title() == "Loyalty programme")


def lines_of(*axes) -> dict[str, object]:
    return {line.get_label(): line for ax in axes for line in ax.get_lines()}


def test_a_points_card_alone_is_drawn_as_points():
    timeseries = ecosim.run(SCENARIOS / "baseline.toml", days=60, customers=1000)
    panel = loyalty_panel(timeseries)
    drawn = {label: line.get_ydata() for label, line in lines_of(panel).items()}
    earned, redeemed = drawn["earned (cumulative)"], drawn["redeemed (cumulative)"]
    assert panel.get_ylabel() == "points" and earned[-1] > 0
    assert abs(earned[-1] - redeemed[-1] - drawn["points outstanding"][-1]) <= 1e-6 * earned[-1]


def test_every_programme_of_the_scenario_is_drawn_even_before_anyone_joins():
    """Tiers hid the points card beside them, and a short run said "no loyalty programme"."""
    scenario = ecosim.load_scenario(SCENARIOS / "points_vs_tiers.toml")
    timeseries = ecosim.run(scenario, days=3, customers=200)
    figure = dashboard(timeseries, programmes=loyalty_programmes(scenario))
    panel = next(ax for ax in figure.axes if ax.get_title() == "Loyalty programme")
    twin = next(ax for ax in figure.axes if ax is not panel and ax.bbox.bounds == panel.bbox.bounds)
    assert set(lines_of(panel)) == {"silver", "gold", "platinum"}
    assert set(lines_of(twin)) == {"points outstanding"}
    assert not panel.texts


def test_each_brand_keeps_one_colour_in_every_panel():
    scenario = ecosim.load_scenario(SCENARIOS / "two_brands.toml")
    timeseries = ecosim.run(scenario, days=10, customers=300)
    drawn = lines_of(*dashboard(timeseries, brands=scenario.brand_names).axes)
    for brand in scenario.brand_names:
        labels = [f"{brand}: aware", f"{brand}: bought", brand, f"{brand}: active"]
        assert len({drawn[label].get_color() for label in labels}) == 1, brand
    assert drawn["tokoku"].get_color() != drawn["modaku"].get_color()


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


@pytest.mark.parametrize("panels", [1, 2])
def test_the_daily_bands_legend_covers_no_line_no_title_and_fits(panels):
    """The legend sat inside the first panel, over its lines (and, above it, its title)."""
    names = ["current_plan", "gamification", "double_points_week"]
    bands = pd.DataFrame(
        [
            {"strategy": name, "step": day, "mean": day * (i + 1), "condition": panel}
            for panel in range(panels)
            for i, name in enumerate(names)
            for day in range(30)
        ]
    ).assign(ci_low=lambda f: f["mean"] - 1, ci_high=lambda f: f["mean"] + 1)
    fig = daily_bands_plot(bands, "revenue", names, panel="condition" if panels > 1 else None)
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    (key,) = fig.legends
    assert [text.get_text() for text in key.get_texts()] == names
    box = key.get_window_extent(renderer)
    assert box.x0 >= 0 and box.x1 <= fig.bbox.width and box.y0 >= 0, (box, fig.bbox)
    for ax in fig.axes:
        assert ax.get_legend() is None
        assert not box.overlaps(ax.get_tightbbox(renderer)), ax.get_title()
    (heading,) = [text for text in fig.texts if text.get_text() == fig.get_suptitle()]
    assert not box.overlaps(heading.get_window_extent(renderer))


def test_money_in_the_experiment_figures_is_named_and_written_in_full():
    """Profit read "1e6" above the axis, with no unit anywhere in the figure."""
    bands = pd.DataFrame(
        {"strategy": "a", "step": range(5), "mean": [0.0, 1e6, 2e6, 3e6, 4e6]}
    ).assign(ci_low=lambda f: f["mean"] - 1e5, ci_high=lambda f: f["mean"] + 1e5)
    summary = pd.DataFrame(
        {"strategy": ["a"], "outcome": ["total_profit"], "mean": [2.5e6]}
    ).assign(ci_low=2.4e6, ci_high=2.6e6)
    daily = daily_bands_plot(bands, "profit", ["a"], cumulative=True)
    means = outcome_means(summary, ["total_profit"], ["a"])
    assert daily.get_suptitle().startswith("cumulative profit (Rp thousand)")
    assert means.axes[0].get_title() == "total_profit (Rp thousand)"
    for figure in (daily, means):
        FigureCanvasAgg(figure).draw()
        ax = figure.axes[0]
        assert ax.yaxis.get_offset_text().get_text() == ""
        assert any("," in tick.get_text() for tick in ax.get_yticklabels())
    assert len(means.legends) == 1 and means.axes[0].get_legend() is None


def test_a_one_panel_figures_title_fits_in_the_figure():
    """The report's daily band of one panel cut its title at both ends."""
    bands = pd.DataFrame(
        {
            "strategy": ["no_programme"] * 3 + ["paid_membership"] * 3,
            "step": [0, 1, 2] * 2,
            "mean": [0.0, 0.0, 0.0, 0.0, 10.0, 20.0],
            "ci_low": [0.0, 0.0, 0.0, 0.0, 8.0, 17.0],
            "ci_high": [0.0, 0.0, 0.0, 0.0, 12.0, 23.0],
        }
    )
    fig = daily_bands_plot(
        bands, "fee_revenue", ["no_programme", "paid_membership"], cumulative=True
    )
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    (heading,) = [text for text in fig.texts if text.get_text() == fig.get_suptitle()]
    box = heading.get_window_extent(renderer)
    assert box.x0 >= 0 and box.x1 <= fig.bbox.width, (box, fig.bbox.width)
    assert "fee_revenue" in fig.get_suptitle()
    days = fig.axes[0].get_xticks()
    assert all(float(day).is_integer() for day in days), f"days ticked {days} (was 0.5, 1.5)"


def test_a_written_figures_axis_labels_are_not_cut_at_its_edge(tmp_path):
    """A calibration's predictive check cut its first panel's label ("aware_share__tokoku"):
    the layout measured ticks 0.02 apart, then drew ticks 0.025 apart, a digit longer."""
    import numpy as np
    import PIL.Image
    from matplotlib.figure import Figure

    from ecosim.plots import suptitle
    from ecosim.store import write_figure

    figure = Figure(figsize=(13.5, 3.0), layout="constrained")
    for ax in figure.subplots(1, 3):
        ax.fill_between([1, 10], [0.354, 0.354], [0.519, 0.519], alpha=0.3)
        ax.set(xlabel="period (7 simulated days each)", ylabel="aware_share__tokoku")
    suptitle(figure, "challenger: posterior predictive check")
    write_figure(figure, tmp_path / "ppc.png")
    grey = np.asarray(PIL.Image.open(tmp_path / "ppc.png").convert("L"))
    assert grey[:, :2].min() == 255, "the first label reaches the figure's left edge"
    assert grey[:, -2:].min() == 255 and grey[:2].min() == 255 and grey[-2:].min() == 255
