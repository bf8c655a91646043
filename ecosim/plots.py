"""Matplotlib figures of runs and experiments.

Figures are built with :class:`matplotlib.figure.Figure` directly, so no display or
pyplot state is needed (safe in batch workers and the web app).
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator

from ecosim.errors import InputError
from ecosim.metrics import MONEY_UNIT, is_money
from ecosim.population import STAGES

if TYPE_CHECKING:
    from ecosim.scenario import Scenario

__all__ = [
    "daily_bands_plot",
    "dashboard",
    "key_below",
    "loyalty_programmes",
    "outcome_means",
    "paired_differences_plot",
    "percent",
    "plain_tick",
    "sensitivity_plot",
    "settle_ticks",
    "strategy_colours",
    "suptitle",
    "with_unit",
]

TITLE_CHARACTERS_PER_INCH = 9.4
"""Characters of a figure's title per inch of its width (matplotlib's 12-point default font)."""


def suptitle(fig: Figure, text: str) -> None:
    """Give a figure its title, wrapped to the figure's width (it was cut at both ends).

    Examples
    --------
    >>> fig = Figure(figsize=(4.8, 3.4))
    >>> suptitle(fig, "cumulative fee_revenue: mean across replications with 95% band")
    >>> print(fig.get_suptitle())
    cumulative fee_revenue: mean across
    replications with 95% band
    """
    width = max(int(fig.get_figwidth() * TITLE_CHARACTERS_PER_INCH), 20)
    fig.suptitle(textwrap.fill(text, width))


def settle_ticks(fig: Figure) -> None:
    """Fix each axis's ticks where they are drawn, so that the layout makes room for them.

    A constrained layout sizes the axes from their tick labels, but the ticks are chosen
    for the axes' size: an axes made shorter by a title and an axis label can get ticks a
    digit longer (0.025 apart instead of 0.02), whose labels the layout did not measure, and
    the axis label is then cut at the figure's edge. Drawn once, each axis chosen by a
    :class:`~matplotlib.ticker.MaxNLocator` keeps the ticks it drew, and the next draw (the
    saved one) lays out the labels it shows. Other locators (logarithmic, dates, fixed) and
    figures without a layout engine are left as they are.

    Examples
    --------
    >>> fig = Figure(figsize=(4.5, 3.0), layout="constrained")
    >>> ax = fig.subplots()
    >>> _ = ax.fill_between([1, 10], [0.35, 0.35], [0.52, 0.52])
    >>> _ = ax.set(xlabel="period (7 simulated days each)", ylabel="aware_share")
    >>> suptitle(fig, "a calibration: posterior predictive check")
    >>> canvas = FigureCanvasAgg(fig)
    >>> def left_of_label():
    ...     canvas.draw()
    ...     return round(ax.yaxis.label.get_window_extent(canvas.get_renderer()).x0)
    >>> left_of_label()  # pixels: the label's first letters are cut
    -5
    >>> settle_ticks(fig)
    >>> left_of_label()
    4
    """
    if fig.get_layout_engine() is None:
        return
    fig.draw_without_rendering()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            if isinstance(axis.get_major_locator(), MaxNLocator):
                axis.set_major_locator(FixedLocator(axis.get_majorticklocs()))


def key_below(fig: Figure, ax: Axes) -> None:
    """Name the lines of ``ax`` in one legend below the figure's axes, for all its panels.

    Inside the axes a legend covers the lines it names wherever they run; below them it
    covers none, and no panel's title. The entries are spread over as few rows as fit the
    figure's width. It replaces any legend the figure had. The figure must have a
    constrained layout, which makes room for it.

    Examples
    --------
    >>> fig = Figure(figsize=(4.8, 3.4), layout="constrained")
    >>> ax = fig.subplots()
    >>> lines = [ax.plot([0, 1], label=name) for name in ("current plan", "gamification")]
    >>> key_below(fig, ax)
    >>> len(fig.legends), ax.get_legend() is None
    (1, True)
    """
    handles, labels = ax.get_legend_handles_labels()
    for old in list(fig.legends):
        old.remove()
    renderer = FigureCanvasAgg(fig).get_renderer()
    room = fig.get_window_extent(renderer).width
    for rows in range(1, len(handles) + 1):
        key = fig.legend(
            handles,
            labels,
            ncols=-(-len(handles) // rows),
            loc="outside lower center",
            fontsize="small",
            frameon=False,
        )
        if key.get_window_extent(renderer).width <= room or rows == len(handles):
            break
        key.remove()


def plain_tick(value: float, _position: float | None = None) -> str:
    """Write an axis tick without scientific notation (12,000,000, not 1.2 under a 1e7).

    Examples
    --------
    >>> plain_tick(12_000_000.0), plain_tick(0.25), plain_tick(-1500.0), plain_tick(5e-05)
    ('12,000,000', '0.25', '-1,500', '0.00005')
    """
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return np.format_float_positional(value, precision=6, fractional=False, trim="-")


def with_unit(outcome: str) -> str:
    """Name an outcome with its unit when it is money (:data:`ecosim.metrics.MONEY_UNIT`).

    Examples
    --------
    >>> with_unit("total_profit"), with_unit("total_purchases")
    ('total_profit (Rp thousand)', 'total_purchases')
    """
    return f"{outcome} ({MONEY_UNIT})" if is_money(outcome) else outcome


def percent(share: float) -> str:
    """Write a confidence or a test's level as a percentage.

    Examples
    --------
    >>> percent(0.95), percent(0.975), percent(1 - 0.95)
    ('95%', '97.5%', '5%')
    """
    return f"{round(share * 100, 10):g}%"


_STAGE_COLOURS = ("#c6dbef", "#6baed6", "#2171b5", "#08306b")

_MONEY = {
    "revenue": {"color": "tab:blue"},
    "gross_margin": {"color": "tab:green"},
    "marketing_cost": {"color": "tab:red"},
    "service_cost": {"color": "tab:orange"},
    "programme_cost": {"color": "tab:purple"},
    "profit": {"color": "black", "lw": 2},
}
"""The money panel's flows (cumulated) and their styles: profit is margin less the costs."""


def dashboard(
    timeseries: pd.DataFrame,
    title: str = "",
    brands: list[str] | None = None,
    programmes: Iterable[str] | None = None,
) -> Figure:
    """Nine panels of a run: the elements of the engagement ecosystem over time.

    Awareness and adoption, the 4C stages, dialogue, purchases, money, customers
    (active and churned), loyalty, service, and engagement as defined by the scenario
    with its three presence components.

    Parameters
    ----------
    timeseries : pandas.DataFrame
        Daily outcomes of one run (:func:`ecosim.run`).
    title : str
        Figure title.
    brands : list of str, optional
        Brand names; with more than one, awareness, purchases and customers are drawn
        per brand, each brand in its own colour.
    programmes : iterable of str, optional
        The loyalty programmes the scenario's brands run (``"points"``, ``"tiers"``,
        ``"membership"``: :func:`loyalty_programmes`), drawn even before anyone joins;
        by default those whose series are not all zero.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import ecosim
    >>> fig = dashboard(ecosim.run("scenarios/baseline.toml", days=5, customers=500))
    >>> len(fig.axes) >= 9
    True
    """
    brands = brands or []
    several = len(brands) > 1
    lines = list(zip([f"__{b}" for b in brands], brands, strict=True)) if several else [("", None)]
    day = timeseries["step"]
    # Fixed margins rather than a constrained layout: the layout engine drew the figure
    # several times over, about half a second of every run's outputs.
    fig = Figure(figsize=(16, 12))
    fig.subplots_adjust(left=0.05, right=0.955, bottom=0.05, top=0.93, wspace=0.28, hspace=0.3)
    fig.suptitle(title)
    ax = fig.subplots(3, 3)

    brand_colour = {suffix: f"C{i}" if several else None for i, (suffix, _) in enumerate(lines)}
    pair = {"timeseries": timeseries, "lines": lines, "colours": brand_colour}
    _brand_pairs(
        ax[0, 0], solid=("aware_share", "aware"), dashed=("adopted_share", "bought"), **pair
    )
    ax[0, 0].set(title="Awareness and adoption", ylabel="share of customers", ylim=(0, 1))
    ax[0, 0].legend(loc="best", fontsize="small")

    shares = [timeseries[f"stage_{stage}"] for stage in STAGES[1:]]
    ax[0, 1].stackplot(day, shares, labels=STAGES[1:], colors=_STAGE_COLOURS)
    ax[0, 1].set(title="Engagement stages (Evans's 4C)", ylabel="share of customers")
    ax[0, 1].legend(loc="best", fontsize="small")

    ax[0, 2].plot(day, timeseries["wom_positive"], color="tab:green", label="positive")
    ax[0, 2].plot(day, timeseries["wom_negative"], color="tab:red", label="negative")
    ax[0, 2].set(title="Dialogue: word of mouth", ylabel="customers talking per day")
    ax[0, 2].legend(loc="upper left", fontsize="small")
    sentiment = ax[0, 2].twinx()
    smooth = timeseries["net_sentiment"].rolling(7, min_periods=1).mean()
    sentiment.plot(day, smooth, color="grey", lw=0.8, alpha=0.8)
    sentiment.set(ylabel="net sentiment (7-day mean)", ylim=(-1.05, 1.05))

    for suffix, label in lines:
        weekly = timeseries["purchases" + suffix].rolling(7, min_periods=1).mean()
        ax[1, 0].plot(day, weekly, color=brand_colour[suffix], label=label)
    ax[1, 0].set(title="Shopping: purchases (7-day mean)", ylabel="purchases per day")

    for name, style in _MONEY.items():
        ax[1, 1].plot(day, np.cumsum(timeseries[name]), label=name.replace("_", " "), **style)
    ax[1, 1].set(title="Money (cumulative)", ylabel=MONEY_UNIT)
    ax[1, 1].legend(loc="best", fontsize="small")

    _brand_pairs(
        ax[1, 2],
        solid=("active_customers", "active"),
        dashed=("churned_customers", "churned"),
        **pair,
    )
    ax[1, 2].set(title="Customers: active and churned", ylabel="customers")
    ax[1, 2].legend(loc="best", fontsize="small")

    _loyalty(ax[2, 0], timeseries, programmes)

    for name, colour in (
        ("incidents", "tab:orange"),
        ("complaints", "tab:red"),
        ("answered", "tab:green"),
    ):
        weekly = timeseries[name].rolling(7, min_periods=1).sum()
        ax[2, 1].plot(day, weekly, color=colour, label=name)
    ax[2, 1].set(title="Service (7-day totals)", ylabel="per week", xlabel="day")
    ax[2, 1].legend(loc="best", fontsize="small")

    ax[2, 2].plot(day, timeseries["engaged_share"], color="black", label="engaged (as defined)")
    for part, colour in (
        ("physical", "tab:blue"),
        ("cognitive", "tab:purple"),
        ("emotional", "tab:pink"),
    ):
        ax[2, 2].plot(
            day, timeseries[f"presence_{part}"], color=colour, lw=1, label=f"{part} presence"
        )
    ax[2, 2].set(
        title="Engagement (Patterson et al. 2006)", ylabel="share / mean", xlabel="day", ylim=(0, 1)
    )
    ax[2, 2].legend(loc="best", fontsize="small")  # where it hides the fewest lines

    if several:
        ax[1, 0].legend(loc="best", fontsize="small")
    return fig


# ---------------------------------------------------------------- experiments


def _brand_pairs(
    ax: Axes,
    timeseries: pd.DataFrame,
    lines: list[tuple[str, str | None]],
    colours: dict[str, str | None],
    solid: tuple[str, str],
    dashed: tuple[str, str],
) -> None:
    """Draw two series (column, word) per brand: one solid, one dashed, in the brand's colour."""
    for suffix, label in lines:
        name = f"{label}: " if label else ""
        for (column, word), style in ((solid, "-"), (dashed, "--")):
            ax.plot(
                timeseries["step"],
                timeseries[column + suffix],
                ls=style,
                color=colours[suffix],
                label=f"{name}{word}",
            )


def loyalty_programmes(scenario: Scenario) -> set[str]:
    """Return the loyalty programmes the scenario's brands run: points, tiers, membership.

    Examples
    --------
    >>> from ecosim import load_scenario
    >>> sorted(loyalty_programmes(load_scenario("scenarios/points_vs_tiers.toml")))
    ['points', 'tiers']
    """
    return {
        kind
        for brand in scenario.brands
        for kind in ("points", "tiers", "membership")
        if getattr(brand.loyalty, kind) is not None
    }


def _loyalty(ax: Axes, timeseries: pd.DataFrame, programmes: Iterable[str] | None) -> None:
    """Members and tiers in customers, points outstanding on their own axis."""
    day = timeseries["step"]
    tiers = [c for c in timeseries.columns if c.startswith("tier_") and "__" not in c]
    if programmes is None:
        held = {
            "points": ["points_earned", "points_outstanding"],
            "tiers": tiers,
            "membership": ["members"],
        }
        programmes = {kind for kind, columns in held.items() if timeseries[columns].any().any()}
    programmes = set(programmes)
    if not programmes:
        ax.text(0.5, 0.5, "no loyalty programme", ha="center", transform=ax.transAxes)
        ax.set_xlim(day.iloc[0], day.iloc[-1])
    columns = (["members"] if "membership" in programmes else []) + (
        tiers if "tiers" in programmes else []
    )
    for column in columns:
        ax.plot(day, timeseries[column], label=column.removeprefix("tier_"))
    ax.set(title="Loyalty programme", ylabel="customers", xlabel="day")
    if columns:
        ax.legend(loc="upper left", fontsize="small")
    if "points" in programmes:
        # Beside customers, the points go on a second axis named by its legend alone (a
        # label there would run into the next panel's).
        points = ax.twinx() if columns else ax
        points.plot(
            day, timeseries["points_outstanding"], color="grey", ls="--", label="points outstanding"
        )
        if not columns:
            points.plot(day, timeseries["points_earned"].cumsum(), label="earned (cumulative)")
            points.plot(day, timeseries["points_redeemed"].cumsum(), label="redeemed (cumulative)")
            points.set(ylabel="points")
        points.legend(loc="upper right" if columns else "upper left", fontsize="small")


def strategy_colours(strategies: list[str]) -> dict[str, str]:
    """Return a colour per strategy (matplotlib's default cycle), the same in every figure."""
    return {name: f"C{i % 10}" for i, name in enumerate(strategies)}


def _colours(strategies: list[str], shown: pd.Series) -> dict[str, str]:
    """Return the strategies' colours; refuse a list that lacks a strategy of the data."""
    missing = sorted(set(shown) - set(strategies))
    if missing or not strategies:
        raise InputError(
            "strategies: expected every strategy of the data, in order (missing "
            f"{', '.join(map(str, missing)) or 'all'})"
        )
    return strategy_colours(strategies)


def outcome_means(
    summary: pd.DataFrame,
    outcomes: list[str],
    strategies: list[str],
    group: str | None = None,
    labels: dict | None = None,
    confidence: float = 0.95,
) -> Figure:
    """Each strategy's mean outcome with its confidence interval, one panel per outcome.

    Parameters
    ----------
    summary : pandas.DataFrame
        :func:`ecosim.analysis.describe` output: ``strategy, outcome, mean, ci_low,
        ci_high`` (and ``group``).
    outcomes : list of str
        One panel each.
    strategies : list of str
        In legend order.
    group : str, optional
        A column (the condition) along the x axis; strategies side by side within it.
    labels : dict, optional
        Tick labels of the groups, by value (default: the values).
    confidence : float
        Named in the title.

    Returns
    -------
    matplotlib.figure.Figure
    """
    colours = _colours(strategies, summary["strategy"])
    fig, axes = _panels(len(outcomes), width=4.6, height=3.6)
    groups = list(dict.fromkeys(summary[group])) if group else [None]
    width = 0.8 / len(strategies)
    for ax, outcome in zip(axes, outcomes, strict=False):
        rows = summary[summary["outcome"] == outcome]
        for s, strategy in enumerate(strategies):
            mine = rows[rows["strategy"] == strategy]
            if mine.empty:  # no finished run
                continue
            if group:
                mine = mine.set_index(group).reindex(groups)
            x = np.arange(len(groups)) + (s - (len(strategies) - 1) / 2) * width
            mean = mine["mean"].to_numpy(dtype=float)
            error = np.vstack(
                [
                    mean - mine["ci_low"].to_numpy(dtype=float),
                    mine["ci_high"].to_numpy(dtype=float) - mean,
                ]
            )
            ax.errorbar(
                x, mean, yerr=error, fmt="o", capsize=3, color=colours[strategy], label=strategy
            )
        ax.set_title(with_unit(outcome), fontsize="medium")
        ax.yaxis.set_major_formatter(FuncFormatter(plain_tick))
        ax.set_xticks(np.arange(len(groups)))
        ax.set_xticklabels([(labels or {}).get(g, str(g)) for g in groups] if group else [""])
        if group:
            ax.set_xlabel(group)
    suptitle(fig, f"Mean outcome by strategy, with {percent(confidence)} confidence intervals")
    key_below(fig, axes[0])
    return fig


def paired_differences_plot(
    differences: pd.DataFrame,
    outcomes: list[str],
    strategies: list[str],
    group: str | None = None,
    labels: dict | None = None,
    confidence: float = 0.95,
) -> Figure:
    """Forest plot: each strategy's paired difference from the baseline with its interval.

    Parameters
    ----------
    differences : pandas.DataFrame
        :func:`ecosim.analysis.paired_differences` output.
    outcomes : list of str
        One panel each.
    strategies : list of str
        All strategies, in order (for their colours).
    group : str, optional
        A column (the condition): one line per strategy and group.
    labels : dict, optional
        Names of the groups, by value (default: ``<group> <value>``).
    confidence : float
        The intervals' confidence (named in the title).

    Returns
    -------
    matplotlib.figure.Figure
    """
    colours = _colours(strategies, differences["strategy"])
    lines = max(1, len(differences) // max(1, len(outcomes)))
    fig, axes = _panels(len(outcomes), width=4.6, height=1.2 + 0.35 * lines)
    for ax, outcome in zip(axes, outcomes, strict=False):
        rows = differences[differences["outcome"] == outcome].reset_index(drop=True)
        y = np.arange(len(rows))[::-1]
        for i, row in rows.iterrows():
            error = [[row["difference"] - row["ci_low"]], [row["ci_high"] - row["difference"]]]
            ax.errorbar(
                row["difference"],
                y[i],
                xerr=error,
                fmt="o",
                mfc=colours[row["strategy"]] if row["significant"] else "white",
                color=colours[row["strategy"]],
                capsize=3,
            )
        names = [
            f"{row['strategy']} ({(labels or {}).get(row[group], f'{group} {row[group]}')})"
            if group
            else row["strategy"]
            for _, row in rows.iterrows()
        ]
        ax.set_yticks(y)
        ax.set_yticklabels(names, fontsize="small")
        ax.axvline(0.0, color="grey", lw=0.8, ls="--")
        ax.xaxis.set_major_formatter(FuncFormatter(plain_tick))
        ax.set_title(with_unit(outcome), fontsize="medium")
    baseline = differences["baseline"].iloc[0] if len(differences) else ""
    suptitle(
        fig,
        f"Paired difference from {baseline} ({percent(confidence)} CI; "
        "open marker: not significant)",
    )
    return fig


def daily_bands_plot(
    bands: pd.DataFrame,
    column: str,
    strategies: list[str],
    panel: str | None = None,
    labels: dict | None = None,
    cumulative: bool = False,
    confidence: float = 0.95,
) -> Figure:
    """Mean daily series per strategy with its confidence band.

    Parameters
    ----------
    bands : pandas.DataFrame
        :func:`ecosim.analysis.daily_bands` output (``strategy, step, mean, ci_low,
        ci_high`` and ``panel``).
    column : str
        The daily outcome, named in the title.
    strategies : list of str
    panel : str, optional
        A column (the condition): one panel per value, on a common y axis.
    labels : dict, optional
        Panel titles, by value (default: ``<panel> <value>``).
    cumulative : bool
        Whether the series was cumulated (named in the title).
    confidence : float
        The bands' confidence (named in the title).

    Returns
    -------
    matplotlib.figure.Figure
    """
    colours = _colours(strategies, bands["strategy"])
    keys = list(dict.fromkeys(bands[panel])) if panel else [None]
    fig, axes = _panels(len(keys), width=4.8, height=3.4, sharey=True)
    for ax, key in zip(axes, keys, strict=False):
        rows = bands if key is None else bands[bands[panel] == key]
        for strategy in strategies:
            line = rows[rows["strategy"] == strategy]
            ax.plot(line["step"], line["mean"], color=colours[strategy], lw=1.2, label=strategy)
            ax.fill_between(
                line["step"],
                line["ci_low"],
                line["ci_high"],
                color=colours[strategy],
                alpha=0.25,
                lw=0,
            )
        ax.set_xlabel("day")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # days, not 2.5
        ax.yaxis.set_major_formatter(FuncFormatter(plain_tick))
        if key is not None:
            ax.set_title((labels or {}).get(key, f"{panel} {key}"), fontsize="medium")
    what = ("cumulative " if cumulative else "") + with_unit(column)
    suptitle(fig, f"{what}: mean across replications with {percent(confidence)} band")
    key_below(fig, axes[0])
    return fig


def sensitivity_plot(indices: pd.DataFrame, method: str, dummy: str = "dummy") -> Figure:
    """Sensitivity indices per parameter, one panel per outcome; the dummy is the floor.

    Parameters
    ----------
    indices : pandas.DataFrame
        :func:`ecosim.analysis.morris_indices` (``mu_star``, ``mu_star_conf``,
        ``sigma``) or :func:`ecosim.analysis.sobol_indices` (``S1``, ``ST`` and their
        ``_conf``) with an ``outcome`` column.
    method : {"morris", "sobol"}
    dummy : str
        The dummy parameter: a dashed line marks its index plus its interval.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if method not in ("morris", "sobol"):
        raise InputError(f"method: expected 'morris' or 'sobol' (got {method!r:.40})")
    if method == "morris":
        bars = (("mu_star", "mu_star_conf", "μ*"), ("sigma", None, "σ"))
        floor_index, floor_conf = "mu_star", "mu_star_conf"
    else:
        bars = (("S1", "S1_conf", "S1"), ("ST", "ST_conf", "ST"))
        floor_index, floor_conf = "ST", "ST_conf"
    outcomes = list(dict.fromkeys(indices["outcome"]))
    fig, axes = _panels(
        len(outcomes), width=5.0, height=1.4 + 0.45 * indices["parameter"].nunique()
    )
    for ax, outcome in zip(axes, outcomes, strict=False):
        rows = indices[indices["outcome"] == outcome].reset_index(drop=True)
        y = np.arange(len(rows))[::-1]
        for b, (name, conf, label) in enumerate(bars):
            error = rows[conf].to_numpy(dtype=float) if conf else None
            ax.barh(
                y + (0.2 - 0.4 * b),
                rows[name],
                height=0.4,
                xerr=error,
                capsize=2,
                label=label,
                color=f"C{b}",
            )
        floor = rows[rows["parameter"] == dummy]
        if len(floor):
            ax.axvline(
                float(floor[floor_index].iloc[0] + floor[floor_conf].iloc[0]),
                color="grey",
                ls="--",
                lw=0.8,
                label="noise floor (dummy)",
            )
        ax.set_yticks(y)
        ax.set_yticklabels(rows["parameter"], fontsize="small")
        ax.set_title(outcome, fontsize="medium")
    axes[0].legend(fontsize="small")
    suptitle(
        fig,
        "Morris screening: μ* (95% CI) and σ" if method == "morris" else "Sobol indices (95% CI)",
    )
    return fig


def _panels(
    n: int, width: float, height: float, columns: int = 3, sharey: bool = False
) -> tuple[Figure, list]:
    if n < 1:
        raise InputError("nothing to plot: no outcome (or panel) in the data given")
    columns = min(columns, n)
    rows = -(-n // columns)
    fig = Figure(figsize=(width * columns, height * rows), layout="constrained")
    axes = fig.subplots(rows, columns, squeeze=False, sharey=sharey).ravel().tolist()
    for ax in axes[n:]:
        ax.set_visible(False)
    return fig, axes[:n]
