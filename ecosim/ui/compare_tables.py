"""The Compare page's results: the summary table, verdicts, daily bands and formatting.

:func:`summary_table` lays out each strategy's mean with its 95% confidence interval and
the paired difference from the baseline, per outcome, from :func:`ecosim.report.compare`;
:func:`verdicts` says in one line per strategy how it changes the money outcomes and
whether surely; :func:`bands_figure` draws the daily series with 95% bands;
:func:`outcome_label`, :func:`strategy_label` and :func:`formatted` write outcomes, strategies
and values as the page shows them (money in Rp thousands, shares in percent). The page itself is
:mod:`ecosim.ui.compare`, which re-exports these names.
"""

from __future__ import annotations

import html
import math
import re

import pandas as pd
from matplotlib.figure import Figure

from ecosim.analysis import daily_column
from ecosim.metrics import MONEY_UNIT, is_money
from ecosim.plots import daily_bands_plot, key_below, percent, suptitle
from ecosim.report import Comparison
from ecosim.ui.style import outcome_name, unsigned_zero

__all__ = [
    "FALLBACK_SERIES",
    "MONEY",
    "NAMES",
    "ROI_MEANING",
    "TABLE_STYLE",
    "bands_figure",
    "daily_series",
    "formatted",
    "money_table_html",
    "no_series_note",
    "outcome_label",
    "outcome_table_html",
    "series_label",
    "strategy_label",
    "summary_table",
    "verdicts",
]

MONEY = ("total_profit", "total_revenue", "total_marketing_cost", "roi")
"""The outcomes of the strategist's table, in its order."""
NAMES = {
    "total_profit": "profit",
    "total_revenue": "revenue",
    "total_marketing_cost": "marketing cost",
    "total_gross_margin": "gross margin",
    "total_clv": "customer lifetime value",
    "roi": "marketing ROI",
    "final_adopted_share": "customers who have bought (share, last day)",
    "net_sentiment": "net sentiment of word of mouth",
}
"""Plain names of outcomes (others are named by :func:`outcome_label`)."""
ROI_MEANING = (
    "marketing ROI: (gross margin − marketing cost) / marketing cost; unlike profit, it "
    "leaves out service and programme costs."
)
"""What the ROI of a run (:func:`ecosim.metrics.summarize`) counts, as the page says it."""
FALLBACK_SERIES = "adopted_share"
"""The daily series the chart shows for an outcome without one (``roi``)."""

_COVER = "rgba(255, 255, 255, 0)"
_SHADE = "rgba(0, 0, 0, 0.25)"
TABLE_STYLE = (
    "font-size: 0.85em; border-collapse: collapse; display: block; max-width: 100%; "
    "overflow-x: auto; background: "
    f"linear-gradient(to right, white 40%, {_COVER}) left / 40px 100% no-repeat local, "
    f"linear-gradient(to left, white 40%, {_COVER}) right / 40px 100% no-repeat local, "
    f"linear-gradient(to right, {_SHADE}, {_COVER}) left / 20px 100% no-repeat scroll, "
    f"linear-gradient(to left, {_SHADE}, {_COVER}) right / 20px 100% no-repeat scroll"
)
"""The style of the page's tables (:func:`money_table_html`, :func:`outcome_table_html`).

A table wider than the page scrolls sideways, and an edge with columns beyond it is shaded
(the shade is covered at an edge the table is scrolled to), so a cell cut at the edge is
seen to go on, whether or not the browser shows a scroll bar."""
_CELL = "padding: 2px 6px; border-bottom: 1px solid #ddd"


def summary_table(comparison: Comparison) -> pd.DataFrame:
    """Each strategy's mean and the paired difference from the baseline, per outcome.

    Parameters
    ----------
    comparison : Comparison
        Of an experiment without market conditions.

    Returns
    -------
    pandas.DataFrame
        ``outcome, strategy, n, mean, ci_low, ci_high`` (the mean with its 95% t interval),
        then ``difference, difference_ci_low, difference_ci_high, p_value`` from the
        baseline, paired by replication (empty for the baseline); by outcome, then
        strategy in the experiment's order.
    """
    summary = comparison.summary[["outcome", "strategy", "n", "mean", "ci_low", "ci_high"]]
    columns = ["outcome", "strategy", "difference", "ci_low", "ci_high", "p_value"]
    differences = comparison.differences.reindex(columns=columns).rename(
        columns={"ci_low": "difference_ci_low", "ci_high": "difference_ci_high"}
    )
    table = summary.merge(differences, on=["outcome", "strategy"], how="left")
    order = {name: i for i, name in enumerate(comparison.experiment.outcomes)}
    return table.sort_values("outcome", key=lambda c: c.map(order), kind="stable").reset_index(
        drop=True
    )


def daily_series(comparison: Comparison, outcome: str) -> tuple[str, bool] | None:
    """Return the daily column behind an outcome and whether it is cumulated, if it has one.

    ``final_<x>`` is the daily ``<x>``, ``total_<x>`` its cumulative sum; other outcomes
    (``roi``, ``total_clv``, ``net_sentiment``) have no daily series among the comparison's.
    """
    columns = [key.removeprefix("cumulative_") for key in comparison.bands]
    found = daily_column(outcome, columns)
    return found if found and _band_key(*found) in comparison.bands else None


def _band_key(column: str, cumulative: bool) -> str:
    """Return the key of a daily series in :attr:`ecosim.report.Comparison.bands`."""
    return f"cumulative_{column}" if cumulative else column


def series_label(column: str, cumulative: bool) -> str:
    """Return a daily series' plain name, with its unit.

    Examples
    --------
    >>> series_label("marketing_cost", True), series_label("shares", True)
    ('cumulative marketing cost (Rp thousand)', 'cumulative posts shared')
    >>> series_label(FALLBACK_SERIES, False)
    'customers who have bought (share)'
    """
    if cumulative:
        return "cumulative " + outcome_label(f"total_{column}").replace(" (total)", "")
    return outcome_label(f"final_{column}").replace(", last day)", ")").replace(" (last day)", "")


def no_series_note(outcome: str) -> str:
    """Say that an outcome has no daily series in the comparison, and what the chart shows.

    Examples
    --------
    >>> print(no_series_note("roi"))  # doctest: +NORMALIZE_WHITESPACE
    marketing ROI has no daily series in this comparison; the chart shows customers who have
    bought (share).
    """
    name = NAMES.get(outcome) or outcome_label(outcome)
    shown = series_label(FALLBACK_SERIES, False)
    return f"{name} has no daily series in this comparison; the chart shows {shown}."


def bands_figure(comparison: Comparison, outcome: str) -> tuple[Figure, str]:
    """Draw the daily series behind an outcome per strategy, with 95% bands.

    The series is :func:`daily_series`; an outcome without one shows
    :data:`FALLBACK_SERIES`, the share of customers who have bought (:func:`no_series_note`
    says so). The title and the y axis name the series in plain words
    (:func:`series_label`), the legend names the strategies as the page does
    (:func:`strategy_label`).

    Returns
    -------
    figure : matplotlib.figure.Figure
    series : str
        What the figure shows, e.g. ``cumulative revenue (Rp thousand)``.
    """
    column, cumulative = daily_series(comparison, outcome) or (FALLBACK_SERIES, False)
    strategies = list(comparison.experiment.strategies)
    bands = comparison.bands[_band_key(column, cumulative)]
    confidence = comparison.confidence
    figure = daily_bands_plot(
        bands, column, strategies, cumulative=cumulative, confidence=confidence
    )
    label = series_label(column, cumulative)
    for ax in figure.axes:
        ax.set_ylabel(label)
        for line in ax.get_lines():
            line.set_label(strategy_label(line.get_label()))
    key_below(figure, figure.axes[0])
    suptitle(figure, f"{label}: mean across replications with {percent(confidence)} band")
    return figure, label


def strategy_label(name: str) -> str:
    """Return a strategy's name as the page shows it: its words apart, not joined by ``_``.

    Two names never get the same label: only a name whose words are each joined by one
    ``_`` is written apart, and written back exactly; any other name keeps its ``_``, which
    no label has.

    Examples
    --------
    >>> strategy_label("current_plan"), strategy_label("gamification")
    ('current plan', 'gamification')
    >>> strategy_label("current__plan"), strategy_label("plan_")
    ('current__plan', 'plan_')
    """
    return name.replace("_", " ") if re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)*", name) else name


def outcome_label(outcome: str) -> str:
    """Return an outcome's plain name, with its unit.

    A total or a last day's value of a daily outcome is named as the live charts name that
    outcome (:func:`ecosim.ui.style.outcome_name`).

    Examples
    --------
    >>> outcome_label("total_profit"), outcome_label("total_wom_positive")
    ('profit (Rp thousand)', 'word of mouth, positive (total)')
    >>> outcome_label("final_aware_share"), outcome_label("final_active_customers")
    ('aware of the brand (share, last day)', 'active customers (last day)')
    >>> outcome_label("final_mean_experience")
    'mean experience (-1 to +1, last day)'
    >>> outcome_label("cascade_size")
    'cascade size'
    """
    name = NAMES.get(outcome)
    if name is None and outcome.startswith("total_"):
        name = outcome_name(outcome.removeprefix("total_")) + " (total)"
    elif name is None and outcome.startswith("final_"):
        name = outcome_name(outcome.removeprefix("final_"))
        name = name[:-1] + ", last day)" if name.endswith(")") else f"{name} (last day)"
    elif name is None:
        name = outcome_name(outcome)
    return f"{name} ({MONEY_UNIT})" if is_money(outcome) else name


def formatted(x: float | None, outcome: str) -> str:
    """Write a value of an outcome for the page: money in Rp thousands, shares in percent.

    Examples
    --------
    >>> formatted(1234567.8, "total_profit"), formatted(0.4123, "final_adopted_share")
    ('Rp 1,234,568k', '41.2%')
    >>> formatted(0.3149, "roi"), formatted(12345.0, "total_shares"), formatted(None, "roi")
    ('0.31', '12,345', '–')
    >>> formatted(-0.4, "total_marketing_cost"), formatted(-0.0004, "final_adopted_share")
    ('Rp 0k', '0.0%')
    """
    if x is None or math.isnan(x):
        return "–"
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    if is_money(outcome):
        return f"Rp {unsigned_zero(x, 0):,.0f}k"
    if outcome.endswith("share"):
        return f"{unsigned_zero(100 * x, 1):.1f}%"
    if outcome == "roi" or abs(x) < 100:
        return f"{unsigned_zero(x, 2):,.2f}"
    return f"{x:,.0f}"


def _rounds_to_zero(x: float, outcome: str) -> bool:
    """Whether a value of an outcome is written as zero by :func:`formatted`."""
    return formatted(x, outcome) == formatted(0.0, outcome)


def _interval(low: float, high: float, outcome: str) -> str:
    return f"[{formatted(low, outcome)}, {formatted(high, outcome)}]"


def _unbroken(value: str) -> str:
    """Write a value as HTML kept on one line (``Rp`` never apart from its number)."""
    return f"<span style='white-space: nowrap'>{html.escape(value)}</span>"


def _interval_html(low: float, high: float, outcome: str) -> str:
    """Write an interval as HTML that may break after its comma, never inside a value."""
    return f"[{_unbroken(formatted(low, outcome))}, {_unbroken(formatted(high, outcome))}]"


def _significant(row: object) -> bool:
    return row.difference_ci_low > 0 or row.difference_ci_high < 0


def verdicts(table: pd.DataFrame, baseline: str, outcomes: tuple[str, ...] = MONEY) -> list[str]:
    """Say, per strategy, how it changes each outcome from the baseline, and whether surely.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`summary_table`.
    baseline : str
    outcomes : tuple of str
        The outcomes to speak of (those in the table).

    Returns
    -------
    list of str
        One line per strategy other than the baseline, named by :func:`strategy_label`, e.g.
        ``mass advertising raises marketing ROI by 0.31 [0.30, 0.33] — significant``;
        ``... hardly changes marketing cost: Rp 0k [Rp -2k, Rp 1k] — not significant``
        where the difference is written as zero (:func:`formatted`), neither a rise nor a
        cut; or ``... leaves profit as it is in every paired run`` where the strategy
        changed nothing.
    """
    lines = []
    for strategy in table["strategy"].drop_duplicates():
        if strategy == baseline:
            continue
        parts = []
        for outcome in outcomes:
            rows = table[(table["strategy"] == strategy) & (table["outcome"] == outcome)]
            if rows.empty or math.isnan(rows["difference"].iloc[0]):
                continue
            row = next(rows.itertuples())
            name = NAMES.get(outcome, outcome)
            if row.difference == row.difference_ci_low == row.difference_ci_high == 0:
                parts.append(f"leaves {name} as it is in every paired run")
                continue
            verdict = "significant" if _significant(row) else "not significant"
            if _rounds_to_zero(row.difference, outcome):
                interval = _interval(row.difference_ci_low, row.difference_ci_high, outcome)
                size = formatted(row.difference, outcome)
                parts.append(f"hardly changes {name}: {size} {interval} — {verdict}")
                continue
            rises = row.difference >= 0
            verb = "raises" if rises else "lowers"
            size = formatted(abs(row.difference), outcome)
            low, high = (
                (row.difference_ci_low, row.difference_ci_high)
                if rises
                else (-row.difference_ci_high, -row.difference_ci_low)
            )
            parts.append(f"{verb} {name} by {size} {_interval(low, high, outcome)} — {verdict}")
        if parts:
            lines.append(f"{strategy_label(strategy)} " + "; ".join(parts))
    return lines


def money_table_html(table: pd.DataFrame, outcomes: tuple[str, ...]) -> str:
    """Write the money table's rows as HTML: per strategy, each outcome's mean and interval.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`summary_table`.
    outcomes : tuple of str
        The outcomes of the columns, in their order.

    Returns
    -------
    str
        ``<tr>`` rows, the header first, for a ``<table>`` styled :data:`TABLE_STYLE`; the
        strategies are named by :func:`strategy_label`.
    """
    header = ["strategy", *(outcome_label(o) for o in outcomes)]
    cells = ["".join(f"<th style='{_CELL}; text-align:left'>{html.escape(h)}</th>" for h in header)]
    for strategy in table["strategy"].drop_duplicates():
        values = [strategy_label(strategy)]
        for outcome in outcomes:
            rows = table[(table["strategy"] == strategy) & (table["outcome"] == outcome)]
            if rows.empty:
                values.append("–")
                continue
            row = next(rows.itertuples())
            values.append(
                f"{formatted(row.mean, outcome)} {_interval(row.ci_low, row.ci_high, outcome)}"
            )
        cells.append(  # a value and its interval never broken across lines
            "".join(
                f"<td style='{_CELL}; white-space: nowrap'>{html.escape(v)}</td>" for v in values
            )
        )
    return "".join(f"<tr>{line}</tr>" for line in cells)


def outcome_table_html(rows: pd.DataFrame, baseline: str, outcome: str) -> str:
    """Write one outcome's rows as HTML: mean, interval, difference from the baseline.

    Parameters
    ----------
    rows : pandas.DataFrame
        The rows of :func:`summary_table` for ``outcome``.
    baseline : str
        The strategy the differences are from (it has none itself).
    outcome : str

    Returns
    -------
    str
        ``<tr>`` rows, the header first, for a ``<table>`` styled :data:`TABLE_STYLE`; the
        strategies are named by :func:`strategy_label`. A cell may wrap between values (after
        an interval's comma), never inside one.
    """
    header = ("strategy", "mean", "95% CI", f"difference from {strategy_label(baseline)}", "95% CI")
    cells = ["".join(f"<th style='{_CELL}; text-align:left'>{html.escape(h)}</th>" for h in header)]
    for row in rows.itertuples():
        if row.strategy == baseline or math.isnan(row.difference):
            difference = (html.escape("—"), "")
        else:
            mark = "" if _significant(row) else " (n.s.)"
            difference = (
                _unbroken(formatted(row.difference, outcome)) + mark,
                _interval_html(row.difference_ci_low, row.difference_ci_high, outcome),
            )
        values = (
            html.escape(strategy_label(row.strategy)),
            _unbroken(formatted(row.mean, outcome)),
            _interval_html(row.ci_low, row.ci_high, outcome),
            *difference,
        )
        cells.append("".join(f"<td style='{_CELL}'>{v}</td>" for v in values))
    return "".join(f"<tr>{line}</tr>" for line in cells)
