"""Live charts of the outcomes, built from the columns the model reports.

Which charts appear depends only on the columns present: awareness, word of mouth and
sales always; a loyalty chart for columns about tiers; a churn chart for columns about
churned or lapsed customers; and any column can be plotted in the outcome explorer, so a
new mechanism shows up without changing the app.

The charts are matplotlib figures, as with Mesa's matplotlib plot components, but each is
built once per model and only its data replaced after a step, with a fixed layout (no tight
bounding box) and sent as SVG. Building axes and ticks costs more than drawing them: on two
cores this halves the time a step takes to render, which keeps a class's Play smooth.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import solara
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.patheffects import withStroke
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter

from ecosim.metrics import MONEY_UNIT, OUTCOMES, is_money, split_column
from ecosim.plots import plain_tick
from ecosim.ui.calendar import (
    EVENT_FLOWS,
    CalendarMark,
    campaign_marks,
    month_starts,
    strip_layout,
    tick_label,
    year_starts,
)
from ecosim.ui.live_model import LiveModel
from ecosim.ui.refresh import update_counter
from ecosim.ui.style import (
    AWARE_COLOUR,
    BRAND_COLOURS,
    NEGATIVE,
    POSITIVE,
    STAGE_COLOURS,
    STAGE_LABELS,
    STAGE_NAMES,
    Picture,
    data_url,
    outcome_name,
    png_url,
)

__all__ = [
    "CHURN",
    "LOYALTY",
    "CalendarKey",
    "Chart",
    "FunnelChart",
    "FunnelFigure",
    "LineFigure",
    "OutcomeExplorer",
    "Series",
    "calendar_legend",
    "chart_components",
    "charts",
    "describe",
    "draw_calendar",
    "matching",
]

LOYALTY = re.compile(r"tier")
"""Columns about loyalty tiers (e.g. ``tier_gold``, ``loyalty_tier_silver``)."""
CHURN = re.compile(r"churn|lapse")
"""Columns about customers lost (e.g. ``churned``, ``lapsed_share``)."""

FIGURE_SIZE = (6.4, 4.4)
"""Inches of a chart without its calendar strip."""
DPI = 90
DATE_TICKS, DATE_SIZE = 6, 9
"""The most dates on a time axis, and their size in points: a chart drawn smaller (two
columns of charts) still shows them readably, apart from each other."""
KEY_SIZE = 10
"""Points of a legend's names and of the calendar strip's rows: drawn in a column of the page
at 1440 px (455 px for 6.4 inches), "small" (8.3 points) and 7 points were 6 to 8 px tall."""
_ROW = 0.14
"""Inches of one lane of the calendar strip (a row has one, more if its actions overlap)."""
_GAP = 0.06
"""Inches between a chart and its calendar strip."""
_DOTS = (1.0, 1.65)
"""A dotted line's dot and gap, in line widths (matplotlib's own ``:``)."""
_EDGE = 4
"""Pixels kept free between a value axis's labels and the edge of the figure."""
_KEY_GAP = 0.1
"""Inches between the top of a chart's axes and its legend above them, and between the
legend and the title."""
_ROOM = 0.9
"""The most of a value axis that its highest value reaches: the rest, at the top, is kept
for the event marks and keeps a spike clear of the frame."""
_OTHER_COLOURS = ("#7f7f7f", "#bcbd22", "#17becf", "#e377c2", "#8c564b", "#9467bd")


@dataclass(frozen=True)
class Series:
    """One line of a chart: a column, how it is drawn, and whether it is summed over days."""

    column: str
    label: str
    colour: str
    dashed: bool = False
    cumulative: bool = False


@dataclass(frozen=True)
class Chart:
    """A line chart: its title, its left axis and, optionally, lines on a right axis."""

    title: str
    ylabel: str
    lines: tuple[Series, ...]
    right: tuple[Series, ...] = field(default=())
    right_label: str = ""
    whole: bool = False
    """Whether the left axis counts (customers, purchases): its ticks are whole numbers."""


def matching(columns: list[str], pattern: re.Pattern[str]) -> list[str]:
    """Return the plain (all-brand) columns whose name matches ``pattern``.

    Examples
    --------
    >>> matching(["step", "tier_gold", "tier_gold__a", "churned"], LOYALTY)
    ['tier_gold']
    """
    return [c for c in columns if "__" not in c and c != "step" and pattern.search(c)]


def describe(column: str) -> str:
    """Say what a column measures, from :data:`ecosim.metrics.OUTCOMES` when it is known.

    Examples
    --------
    >>> describe("wom_negative__modaku")
    'modaku: customers who spoke negatively about the brand today'
    >>> describe("tier_gold")
    'tier gold'
    """
    outcome, brand = split_column(column)
    meaning = OUTCOMES.get(outcome, outcome.replace("_", " "))
    return f"{brand}: {meaning}" if brand else meaning


def charts(brands: list[str], columns: list[str]) -> list[Chart]:
    """List the line charts for a model's brands and columns.

    Parameters
    ----------
    brands : list of str
        Brand names; with several, awareness and purchases get one line per brand.
    columns : list of str
        The columns the model reports.

    Returns
    -------
    list of Chart
        Awareness and adoption, word of mouth, purchases and revenue; then loyalty tiers
        and churn when such columns exist.

    Examples
    --------
    >>> [c.title for c in charts(["a"], ["aware_share", "tier_gold", "churned"])]
    ['Awareness and adoption', 'Word of mouth', 'Purchases and revenue', 'Loyalty tiers', 'Churn']
    >>> [s.column for s in charts(["a", "b"], [])[0].lines]
    ['aware_share__a', 'aware_share__b', 'adopted_share__a', 'adopted_share__b']
    """
    several = len(brands) > 1
    colour = dict(zip(brands, BRAND_COLOURS, strict=False))

    def per_brand(outcome: str, label: str, dashed: bool = False) -> list[Series]:
        if not several:
            return [Series(outcome, label, colour[brands[0]], dashed)]
        return [Series(f"{outcome}__{b}", f"{b} {label}", colour[b], dashed) for b in brands]

    found = [
        Chart(
            "Awareness and adoption",
            "share of customers",
            (*per_brand("aware_share", "aware"), *per_brand("adopted_share", "have bought", True)),
        ),
        Chart(
            "Word of mouth" + (" (all brands)" if several else ""),
            "customers talking today",
            (
                Series("wom_positive", "positive", POSITIVE),
                Series("wom_negative", "negative", NEGATIVE),
            ),
            whole=True,
        ),
        Chart(
            "Purchases and revenue",
            "purchases today",
            tuple(per_brand("purchases", "purchases")),
            right=(Series("revenue", "revenue so far (right)", "#7f7f7f", True, True),),
            right_label="revenue so far (Rp thousand)",
            whole=True,
        ),
    ]
    for title, pattern in (("Loyalty tiers", LOYALTY), ("Churn", CHURN)):
        names = matching(columns, pattern)
        if names:
            lines = tuple(
                Series(c, outcome_name(c), _OTHER_COLOURS[i % len(_OTHER_COLOURS)])
                for i, c in enumerate(names)
            )
            found.append(Chart(title, "customers", lines, whole=True))
    return found


class LineFigure:
    """A line chart kept from step to step: each step only replaces the lines' data.

    Building a matplotlib figure (axes, ticks, legend) costs more than drawing it, so a
    view builds its figure once per model and updates it. The campaign calendar is drawn
    once, in a strip under the chart with one labelled row per brand and kind of action
    (:func:`draw_calendar`), a row deeper where its actions overlap; the figure is taller by
    the strip, so the chart keeps its size. The legend is above the chart, outside the area
    where lines are drawn, so that no line covers it; the figure is taller by it too.
    Notable events are marked along the top as they happen.

    Parameters
    ----------
    chart : Chart
    marks : list of CalendarMark, optional
        The campaign actions to show on the time axis.
    horizon : int, optional
        The scenario's days: the time axis spans them all, with dates.
    """

    def __init__(
        self, chart: Chart, marks: list[CalendarMark] | tuple = (), horizon: int | None = None
    ):
        self.horizon = horizon
        lanes = strip_layout(marks).height
        strip = lanes * _ROW + _GAP if lanes else 0.0
        width, height = FIGURE_SIZE
        tall = height + strip
        self.figure = Figure(figsize=(width, tall), dpi=DPI)
        self.canvas = FigureCanvasAgg(self.figure)
        self._background = None
        self._limits: list[tuple[float, float]] = []
        foot, span = 0.11 * height / tall, 0.8 * height / tall
        box = (0.13, foot + strip / tall, 0.72 if chart.right else 0.84, span)
        ax = self.figure.add_axes(box)
        self.axes = [ax]
        self.strip = None
        if lanes:
            below = (box[0], foot, box[2], (strip - _GAP) / tall)
            self.strip = self.figure.add_axes(below, sharex=ax)
            ax.tick_params(axis="x", labelbottom=False)
        self.series = [*chart.lines, *chart.right]
        self.lines = [_line(ax, series) for series in chart.lines]
        if chart.right:
            other = ax.twinx()
            other.set_ylabel(chart.right_label)
            other.yaxis.set_major_locator(MaxNLocator(5))
            self.axes.append(other)
            self.lines += [_line(other, series) for series in chart.right]
        ax.set_ylabel(chart.ylabel)
        ax.yaxis.set_major_locator(MaxNLocator(5, integer=chart.whole))
        ax.xaxis.set_major_locator(MaxNLocator(6, integer=True))
        lowest = self.strip if self.strip is not None else ax
        lowest.set_xlabel("day")
        if horizon:  # the whole run is on the axis: dates at the start of each month
            _date_ticks(lowest, horizon)
            for axes in (ax, self.strip):
                _year_lines(axes, horizon)
        for other in self.axes:
            other.yaxis.set_major_formatter(FuncFormatter(plain_tick))
        if self.strip is not None:
            draw_calendar(ax, self.strip, marks)
        self.events = {
            label: ax.plot(
                [], [], ls="", marker="v", ms=6, color=colour, transform=ax.get_xaxis_transform()
            )[0]
            for label, colour in EVENT_FLOWS.values()
        }
        self.ends = [
            line.axes.plot([], [], ls="", marker="o", ms=4, color=line.get_color())[0]
            for line in self.lines
        ]  # today's values: in the first days a line spans a pixel or two of the year
        _key_above(ax, self.lines, [series.label for series in self.series], chart.title)
        self._widest = ax.get_position()

    def update(
        self, timeseries: pd.DataFrame, events: dict[str, list[int]] | None = None
    ) -> Figure:
        """Show the daily outcomes and the notable events so far; return the figure.

        With a ``horizon`` the time axis spans the whole run from the start (the campaign
        calendar ahead is visible) and the value axes only grow, so the frame of the chart
        rarely changes from one day to the next. The highest value stays under the top
        tenth of its axis, where the event marks are (:data:`_ROOM`).
        """
        for label, days in (events or {}).items():
            if label in self.events:
                self.events[label].set_data(days, np.full(len(days), 0.97))
        day = timeseries["step"]
        for series, line, end in zip(self.series, self.lines, self.ends, strict=True):
            values = timeseries[series.column]
            values = values.cumsum() if series.cumulative else values
            line.set_data(day, values)
            end.set_data(day.iloc[-1:], values.iloc[-1:])
        for ax in self.axes:
            ys = [line.get_ydata() for line in self.lines if line.axes is ax]
            values = np.concatenate([np.asarray(y, dtype=float) for y in ys]) if ys else []
            low, high = (np.nanmin(values), np.nanmax(values)) if len(values) else (0.0, 1.0)
            ax.set_xlim(0, self.horizon or max(day.iloc[-1], 1))
            bottom = min(0.0, low * 1.1)
            top = high / _ROOM if high > 0 else 1.0
            if self.horizon:  # grow only, by steps
                kept = ax.get_ylim()[1] if self._background is not None else 0.0
                if high <= 0:
                    top = max(kept, 1.0)
                elif high <= kept * _ROOM:
                    top = kept
                else:
                    top *= 1.2
            ax.set_ylim(bottom, top)
        return self.figure

    def picture(self, timeseries: pd.DataFrame, events: dict[str, list[int]] | None = None) -> str:
        """Return the chart of :meth:`update` as a PNG ``data:`` URL, drawn cheaply.

        The frame (axes, ticks, labels, legend, calendar) is drawn once and kept; each day
        only the lines and event marks are drawn over a copy of it. The frame is drawn
        again only when an axis range changes.
        """
        self.update(timeseries, events)
        moving = [*self.lines, *self.ends, *self.events.values()]
        limits = [(*ax.get_xlim(), *ax.get_ylim()) for ax in self.axes]
        if self._background is None or limits != self._limits:
            self._leave_room()
            for artist in moving:
                artist.set_animated(True)
            self.canvas.draw()
            self._background = self.canvas.copy_from_bbox(self.figure.bbox)
            self._limits = limits
        else:
            self.canvas.restore_region(self._background)
        for artist in moving:
            artist.axes.draw_artist(artist)
        return png_url(self.canvas)

    def _leave_room(self) -> None:
        """Narrow the axes so that the value axes' ticks and labels stay inside the figure.

        The axes never grow wider than at first; they narrow as the tick labels lengthen
        (revenue so far passing 1,000,000 on the right axis).
        """
        renderer = self.canvas.get_renderer()
        width = self.figure.bbox.width
        frame = self.axes[0].get_window_extent(renderer)
        labelled = [self.axes[0]] + ([self.strip] if self.strip is not None else [])
        left = frame.x0 - min(a.yaxis.get_tightbbox(renderer).x0 for a in labelled) + _EDGE
        right = self.axes[-1].yaxis.get_tightbbox(renderer).x1 - frame.x1 + _EDGE
        x0 = max(self._widest.x0, left / width)
        x1 = min(self._widest.x1, 1 - right / width)
        for ax in self.axes:
            ax.set_position((x0, self._widest.y0, x1 - x0, self._widest.height))
        if self.strip is not None:
            strip = self.strip.get_position()
            self.strip.set_position((x0, strip.y0, x1 - x0, strip.height))


def _date_ticks(ax: Axes, horizon: int) -> None:
    """Mark the start of each month, and date at most :data:`DATE_TICKS` of them.

    The dates are those of :func:`month_starts`, a later year's first day named ``year N``;
    the other months are marked with a short tick without a label.
    """
    ax.set_xticks(month_starts(horizon), minor=True)
    starts = sorted({*month_starts(horizon, most=DATE_TICKS), *year_starts(horizon)})
    ax.set_xticks(starts, [tick_label(day) for day in starts], fontsize=DATE_SIZE)
    for label in ax.get_xticklabels():
        if label.get_text().startswith("year "):
            label.set_fontweight("bold")
    ax.set_xlabel("month")


def _year_lines(ax: Axes | None, horizon: int, labelled: bool = False) -> None:
    """Draw a dashed line where each later year of the run starts, named at its top if asked.

    The line is drawn over a chart's areas (the funnel's stages) and under its lines. A
    name is clipped to the axes: it shows once the time axis reaches its year.
    """
    if ax is None:
        return
    for day in year_starts(horizon):
        ax.axvline(day - 0.5, color="#616161", ls="--", lw=0.8, zorder=1.5, gid="year")
        if labelled:
            ax.text(
                day + 0.01 * horizon,
                0.97,
                tick_label(day),
                transform=ax.get_xaxis_transform(),
                va="top",
                fontsize=8,
                fontweight="bold",
                clip_on=True,
                path_effects=[withStroke(linewidth=3, foreground="white")],
            )


def _key_above(ax: Axes, handles: list[Artist], labels: list[str], title: str = "") -> Legend:
    """Put the axes' legend above them, outside the area where data is drawn.

    The entries are spread evenly over as few rows as fit the axes' width. The figure grows
    at its top by the legend's height (:func:`_grow_top`), so the axes keep their size, and
    ``title``, if given, is the axes' title, above the legend. The figure has an Agg canvas.

    Returns
    -------
    matplotlib.legend.Legend
    """
    figure = ax.figure
    renderer = figure.canvas.get_renderer()
    room = ax.get_window_extent(renderer).width
    for rows in range(1, len(handles) + 1):
        key = ax.legend(
            handles,
            labels,
            ncols=math.ceil(len(handles) / rows),
            loc="lower left",
            fontsize=KEY_SIZE,
            frameon=False,
            borderaxespad=0,
            columnspacing=1.5,
        )
        if key.get_window_extent(renderer).width <= room:
            break
    above = key.get_window_extent(renderer).height / figure.dpi + _KEY_GAP
    _grow_top(figure, above)
    box = ax.get_position()
    gap = _KEY_GAP / figure.get_figheight()
    key.set_bbox_to_anchor((box.x0, box.y1 + gap), transform=figure.transFigure)
    if title:
        ax.set_title(title, pad=(above + _KEY_GAP) * 72)
    return key


def _grow_top(figure: Figure, inches: float) -> None:
    """Make a figure taller by ``inches`` at its top, its axes keeping their size and place."""
    width, height = figure.get_size_inches()
    scale = height / (height + inches)
    boxes = [(ax, ax.get_position().bounds) for ax in figure.axes]
    for ax, (x, y, w, h) in boxes:
        ax.set_position((x, y * scale, w, h * scale))
    figure.set_size_inches(width, height + inches)


def draw_calendar(ax: Axes, strip: Axes, marks: list[CalendarMark] | tuple) -> None:
    """Draw the campaign calendar in a strip under a time chart.

    The strip has one row per brand and kind of action (:func:`strip_layout`), labelled
    at its left: a band per flight, a tick per one-day action (a sale day, an influencer
    post). Actions of a row that share a day are stacked in lanes of the row, so a burst
    inside a longer flight shows under it; flights one after the other in a lane are kept
    apart by a white seam. Over the chart, a one-day action is a dotted line and a flight
    of a month or less is lightly shaded. Several one-day actions on one day share the
    dotted line, their dots alternating in colour, so none hides another.

    Parameters
    ----------
    ax : Axes
        The chart.
    strip : Axes
        The axes under the chart for the rows, sharing its time axis.
    marks : list of CalendarMark
    """
    layout = strip_layout(marks)
    _draw_rows(strip, layout.rows)
    days: dict[int, list[str]] = {}
    for mark, lane in zip(marks, layout.lanes, strict=True):
        if mark.start == mark.end:
            days.setdefault(mark.start, []).append(mark.colour)
            _draw_tick(strip, mark, lane)
            continue
        days_on = mark.end - mark.start + 1
        strip.add_patch(
            Rectangle((mark.start - 0.5, lane + 0.2), days_on, 0.6, color=mark.colour, lw=0)
        )
        if mark.end - mark.start <= 31:
            ax.axvspan(mark.start - 0.5, mark.end + 0.5, color=mark.colour, alpha=0.08, lw=0)
    _draw_seams(strip, marks, layout.lanes)
    for day, colours in days.items():
        shown = list(dict.fromkeys(colours))
        period = len(shown) * sum(_DOTS)
        for turn, colour in enumerate(shown):
            dots = (turn * sum(_DOTS), (_DOTS[0], period - _DOTS[0]))
            ax.axvline(day, color=colour, ls=dots, lw=1.2, zorder=0)


def _draw_rows(strip: Axes, rows: dict[str, range]) -> None:
    """Label the rows of the calendar strip, each centred on its lanes, with lines between."""
    strip.set_ylim(max((lanes.stop for lanes in rows.values()), default=1), 0)  # top first
    strip.set_yticks(
        [(lanes.start + lanes.stop) / 2 for lanes in rows.values()],
        list(rows),
        fontsize=KEY_SIZE,
    )
    strip.tick_params(axis="y", length=0, pad=3)
    for spine in strip.spines.values():
        spine.set_color("#bdbdbd")
    for lanes in list(rows.values())[1:]:
        strip.axhline(lanes.start, color="#e0e0e0", lw=0.6)


def _draw_tick(strip: Axes, mark: CalendarMark, lane: int) -> None:
    """Draw a one-day action as a tick across its lane, haloed in white apart from the bands."""
    strip.plot(
        [mark.start, mark.start],
        [lane + 0.1, lane + 0.9],
        color=mark.colour,
        lw=2,
        solid_capstyle="butt",
        path_effects=[withStroke(linewidth=3.5, foreground="white")],
    )


def _draw_seams(strip: Axes, marks: list[CalendarMark] | tuple, lanes: tuple[int, ...]) -> None:
    """Draw a white line between two flights of a lane, one starting the day after the other."""
    ends = {
        (lane, mark.end) for mark, lane in zip(marks, lanes, strict=True) if mark.start < mark.end
    }
    for mark, lane in zip(marks, lanes, strict=True):
        if mark.start < mark.end and (lane, mark.start - 1) in ends:
            strip.plot([mark.start - 0.5] * 2, [lane + 0.2, lane + 0.8], color="white", lw=1.5)


def calendar_legend(marks: list[CalendarMark]) -> str:
    """Say what the marks on the time axis mean, for the caption under the charts.

    Examples
    --------
    >>> from ecosim.ui.calendar import CalendarMark
    >>> calendar_legend([CalendarMark(315, 315, "#ffb300", "sale", "a", "sale")]).split(". ")[0]
    'Campaign calendar along the time axis: sale (1)'
    >>> calendar_legend([]).split(" ▼")[0]
    'No campaign actions to mark.'
    """
    counts: dict[str, int] = {}
    for mark in marks:
        counts[mark.label] = counts.get(mark.label, 0) + 1
    listed = ", ".join(f"{label} ({n})" for label, n in counts.items())
    events = ", ".join(label for label, _ in EVENT_FLOWS.values())
    rows = (
        "In the strip under each chart, one labelled row per brand and kind of action: a band "
        "per flight, a tick per one-day action (also a dotted line across the chart, its dots "
        "alternating in colour when several act on one day); actions of a row that overlap "
        "are stacked in lanes of the row. "
    )
    calendar = (
        f"Campaign calendar along the time axis: {listed}. {rows}"
        if marks
        else "No campaign actions to mark. "
    )
    return f"{calendar}▼ marks along the top: {events}."


def _line(ax: Axes, series: Series) -> Line2D:
    (line,) = ax.plot([], [], color=series.colour, ls="--" if series.dashed else "-")
    line.set_label(series.label)
    return line


def chart_components(model: LiveModel) -> list[tuple[Callable, int]]:
    """List the model's charts as ``(component, tab)`` pairs (all on the Model tab).

    Parameters
    ----------
    model : LiveModel

    Returns
    -------
    list of tuple
        The 4C funnel, then the line charts of :func:`charts`, all on page 0.
    """
    found = charts(model.scenario.brand_names, list(model.outcomes))
    return [(FunnelChart, 0), *((_line_chart(chart), 0) for chart in found), (CalendarKey, 0)]


@solara.component
def CalendarKey(model: LiveModel) -> None:
    """Say what the campaign calendar's marks on the time charts mean."""
    solara.Text(
        calendar_legend(campaign_marks(model.scenario)),
        style={"font-size": "0.85em", "color": "#444"},
    )


def _line_chart(chart: Chart) -> Callable:
    """Make a view of one chart (redrawn after every step)."""

    @solara.component
    def LineChart(model: LiveModel) -> None:
        update_counter.get()
        figure = solara.use_memo(
            lambda: LineFigure(chart, campaign_marks(model.scenario), model.scenario.days),
            [model],
        )
        src = solara.use_memo(
            lambda: figure.picture(model.timeseries(), model.events),
            [figure, model.steps],
        )
        Picture(src, f"{chart.title} on day {model.steps}")

    return LineChart


class FunnelFigure:
    """Evans's 4C funnel, kept from step to step.

    On the left, the share of customers at each stage over time, stacked with the deepest
    engagement at the bottom, its legend above it; on the right, today's funnel: the
    customers aware of the brand, then those at each stage or deeper, each named by what its
    customers do (:data:`~ecosim.ui.style.STAGE_LABELS`).

    Parameters
    ----------
    suffix : str
        ``""`` for all brands, ``"__<brand>"`` for one.
    title : str
    horizon : int, optional
        The scenario's days: over a year, a dashed line marks where each later year starts.
    """

    _LEVELS = ("Aware of the brand", *STAGE_LABELS.values())
    """The funnel's levels as labelled, widest first."""

    def __init__(self, suffix: str, title: str, horizon: int | None = None):
        self.suffix = suffix
        self.figure = Figure(figsize=FIGURE_SIZE)
        FigureCanvasAgg(self.figure)  # to measure the legend (_key_above)
        self.figure.suptitle(title)
        self.over_time = self.figure.add_axes((0.11, 0.11, 0.47, 0.78))
        self.over_time.set(xlabel="day", ylabel="share of customers")
        self.over_time.yaxis.set_major_locator(MaxNLocator(5))
        self.over_time.yaxis.set_major_formatter(PercentFormatter(1.0))
        self.over_time.xaxis.set_major_locator(MaxNLocator(6, steps=[1, 2, 5, 10], integer=True))
        _year_lines(self.over_time, horizon or 0, labelled=True)
        self.colours = [*STAGE_COLOURS[::-1], AWARE_COLOUR]
        names = ["Aware, not engaged", *(name.capitalize() for name in STAGE_NAMES)]
        swatches = [Patch(color=c) for c in self.colours]
        self.today = self.figure.add_axes((0.62, 0.11, 0.37, 0.78))
        rows = np.arange(len(self._LEVELS))[::-1]
        colours = [AWARE_COLOUR, *STAGE_COLOURS]
        self.bars = self.today.barh(rows - 0.2, np.zeros(len(rows)), height=0.45, color=colours)
        self.labels = [
            self.today.text(0, row + 0.25, "", ha="center", va="center", fontsize=9.5)
            for row in rows
        ]
        self.today.set(xlim=(-0.5, 0.5), ylim=(-0.6, len(rows) - 0.4), xticks=[], yticks=[])
        self.today.set_frame_on(False)
        _key_above(self.over_time, swatches[::-1], names)

    def update(self, timeseries: pd.DataFrame) -> Figure:
        """Show the daily outcomes so far; return the figure."""
        day = timeseries["step"].to_numpy()
        stages = np.array([timeseries[f"stage_{s}{self.suffix}"].to_numpy() for s in STAGE_NAMES])
        aware = timeseries[f"aware_share{self.suffix}"].to_numpy()
        for old in list(self.over_time.collections):
            old.remove()
        layers = [*stages[::-1], np.clip(aware - stages.sum(axis=0), 0.0, 1.0)]
        self.over_time.stackplot(day, layers, colors=self.colours)
        self.over_time.set_xlim(day[0], max(day[-1], 1))
        self.over_time.set_ylim(0, max(aware.max(), 0.01) * 1.05)
        levels = np.array([aware[-1], *np.cumsum(stages[::-1, -1])[::-1]])
        for bar, label, name, level in zip(
            self.bars, self.labels, self._LEVELS, levels, strict=True
        ):
            bar.set_x(-level / 2)
            bar.set_width(level)
            label.set_text(f"{name}: {level:.0%}")
        self.today.set_title(f"Day {int(day[-1])}: at each stage or deeper", fontsize=9)
        return self.figure


@solara.component
def FunnelChart(model: LiveModel) -> None:
    """Show Evans's 4C engagement funnel, for all brands or one."""
    update_counter.get()
    brands = model.scenario.brand_names
    choice, set_choice = solara.use_state("all brands")
    options = ["all brands", *brands] if len(brands) > 1 else []
    suffix = f"__{choice}" if options and choice in brands else ""
    title = "Engagement funnel (Evans's 4C)" + (f": {choice}" if options else "")
    figure = solara.use_memo(
        lambda: FunnelFigure(suffix, title, model.scenario.days), [model, suffix]
    )
    src = solara.use_memo(
        lambda: data_url(figure.update(model.timeseries())), [figure, model.steps]
    )
    with solara.Column(gap="0px"):
        if options:
            solara.ToggleButtonsSingle(choice, values=options, on_value=set_choice, dense=True)
        Picture(src, f"4C engagement funnel on day {model.steps}")


@solara.component
def OutcomeExplorer(model: LiveModel) -> None:
    """Plot any outcome column over time, chosen by its plain name from those the model reports.

    The chart's title is the outcome's short name (:func:`outcome_name`); what it measures
    (:func:`describe`) is written under the picker, where it wraps to the page's width.
    """
    update_counter.get()
    names = {c: outcome_name(c) for c in model.outcomes if c != "step"}
    columns = {name: c for c, name in names.items()}
    default = "mean_experience" if "mean_experience" in names else next(iter(names))
    column, set_column = solara.use_state(default)
    chosen = column if column in names else default
    name = names[chosen]
    unit = MONEY_UNIT if is_money(chosen) else ""
    chart = Chart(name, unit, (Series(chosen, name, BRAND_COLOURS[0]),))
    figure = solara.use_memo(
        lambda: LineFigure(chart, campaign_marks(model.scenario), model.scenario.days),
        [model, chosen],
    )
    src = solara.use_memo(
        lambda: figure.picture(model.timeseries(), model.events),
        [figure, model.steps],
    )
    with solara.Column(gap="0px"):
        solara.Select(
            "outcome", values=list(columns), value=name, on_value=lambda n: set_column(columns[n])
        )
        solara.Text(describe(chosen), style={"font-size": "0.85em", "color": "#444"})
        Picture(src, f"{name} on day {model.steps}")
