"""The scenario's calendar: dates of days, and what happened on which day.

Scenarios count days from 1, and day 1 is 1 January (``scenarios/baseline.toml``), so day
315 is 11.11, the marketplace sale day. The time charts mark the campaign calendar (in a
strip under each chart, one labelled row per brand and kind of action: bands for flights of
advertising and posts, ticks for one-day actions such as sale days, also dotted across the
chart; actions of a row that share a day are stacked in lanes of the row, so none hides
another) and the notable events the model counted (a trending story the media ran, a
brand's response to a crisis), so a class sees what caused a jump.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.colors import to_hex, to_rgb

from ecosim.scenario import Scenario

__all__ = [
    "EVENT_FLOWS",
    "MARKED_TYPES",
    "MONTHS",
    "CalendarMark",
    "StripLayout",
    "calendar_rows",
    "campaign_marks",
    "date_label",
    "day_count",
    "day_label",
    "flight_lanes",
    "month_starts",
    "shade",
    "strip_layout",
    "tick_label",
    "todays_events",
    "year_starts",
]

_YEAR_START = dt.date(2025, 1, 1)
"""Day 1 of every scenario (a year without 29 February, as the scenarios' sale days assume)."""

MARKED_TYPES = {
    "advertising": ("#9e9e9e", "ads"),
    "social_post": ("#80cbc4", "posts"),
    "promotion": ("#ffb300", "sale"),
    "price_change": ("#ffb300", "price"),
    "influencer": ("#ab47bc", "influencer"),
    "service_disruption": ("#e53935", "disruption"),
    "product_launch": ("#5c6bc0", "launch"),
    "seeding": ("#5c6bc0", "seeding"),
    "gamification": ("#66bb6a", "game"),
    "personalisation": ("#8d6e63", "personalised offers"),
    "community": ("#29b6f6", "community"),
    "double_points": ("#f48fb1", "double points"),
    "personalised_reward": ("#f48fb1", "rewards"),
    "winback": ("#9e9d24", "win-back"),
}
"""Colour and short name of every action type (:data:`~ecosim.scenario.campaign.ACTION_TYPES`)
on the time charts; actions of one kind (sales and prices, loyalty points) share a colour."""

_BRAND_SHADES = ((None, 0.0), ("darker", -0.45), ("paler", 0.5))
"""The shade of each brand's actions, in the scenario's order of brands and then again
from the first: the word added to the marks' labels and the share of black (below 0) or
white mixed into the colour of the action's type."""

EVENT_FLOWS = {
    "amplified": ("the media ran a trending story", "#6a1b9a"),
    "crisis_responses": ("crisis response", "#c62828"),
}
"""Daily flows that mark a notable event on the days they are not zero."""


@dataclass(frozen=True)
class CalendarMark:
    """One campaign action on the time axis: a band (several days) or a tick (one day).

    Attributes
    ----------
    start, end : int
        The first and last day of the action.
    colour : str
        The colour of the action's type, shaded for the brand.
    label : str
        What the caption under the charts calls it (``"modaku sale (darker)"``).
    brand : str
        The brand that acts.
    row : str
        The label of its row in the calendar strip: the brand and the kind of action
        (``"modaku sale"``), or the kind alone when the marks are of one brand.
    """

    start: int
    end: int
    colour: str
    label: str
    brand: str
    row: str


def _date(day: int) -> tuple[dt.date, int]:
    """Return the calendar date of a simulated day and the year of the run it falls in."""
    date = _YEAR_START + dt.timedelta(days=day - 1)
    return date, date.year - _YEAR_START.year + 1


def date_label(day: int, years: bool = True) -> str:
    """Return the calendar date of a simulated day as ``day.month``.

    After the first year, the year follows, unless ``years`` is False (a time axis's
    ticks, short and in order).

    Examples
    --------
    >>> date_label(1), date_label(315), date_label(346), date_label(366)
    ('1.1', '11.11', '12.12', '1.1, year 2')
    >>> date_label(366, years=False)
    '1.1'
    """
    date, year = _date(day)
    return f"{date.day}.{date.month}" + (f", year {year}" if years and year > 1 else "")


def year_starts(horizon: int) -> list[int]:
    """Return the days that start the second and later years of a run of ``horizon`` days.

    Examples
    --------
    >>> year_starts(365), year_starts(730), year_starts(731)
    ([], [366], [366, 731])
    """
    return [day for day in range(366, horizon + 1) if _date(day)[0].timetuple().tm_yday == 1]


MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
"""The months' names on a time axis (not the machine's locale's)."""


def tick_label(day: int) -> str:
    """Return a time axis's label of a month's first day: its month, or ``year N`` (1.1).

    A later year's first day is named by its year. Dates as day.month ("1.3", "1.11") read
    as decimals under a chart; the axis dates months, so it names them.

    Examples
    --------
    >>> tick_label(1), tick_label(32), tick_label(366), tick_label(397)
    ('Jan', 'Feb', 'year 2', 'Feb')
    """
    date, year = _date(day)
    new_year = year > 1 and (date.day, date.month) == (1, 1)
    return f"year {year}" if new_year else MONTHS[date.month - 1]


def month_starts(horizon: int, most: int = 13) -> list[int]:
    """Return the days that start a month, up to ``horizon``, for ticks on a time axis.

    Every month while there are at most ``most`` of them, else every second, third, fourth,
    sixth or twelfth month (then every second year...): the first day of each year is
    always among them.

    Examples
    --------
    >>> month_starts(100)
    [1, 32, 60, 91]
    >>> [date_label(day) for day in month_starts(730)][:3]
    ['1.1', '1.3', '1.5']
    >>> [date_label(day) for day in month_starts(730, most=7)]
    ['1.1', '1.5', '1.9', '1.1, year 2', '1.5, year 2', '1.9, year 2']
    """
    starts = [d for d in range(1, horizon + 1) if date_label(d, years=False).startswith("1.")]
    steps = (1, 2, 3, 4, 6, *range(12, len(starts) + 12, 12))
    every = next(step for step in steps if -(-len(starts) // step) <= most)
    return starts[::every]


def day_count(days: int) -> str:
    """Return ``days`` as a count of days: ``"1 day"``, ``"365 days"``.

    Examples
    --------
    >>> day_count(1), day_count(365)
    ('1 day', '365 days')
    """
    return f"{days:,} day{'s' * (days != 1)}"


def day_label(day: int, days: int) -> str:
    """Return the header of the main area: the day, its date and the horizon.

    Examples
    --------
    >>> day_label(315, 365)
    'Day 315 · 11.11 (of 365 days)'
    >>> day_label(0, 365)
    'Day 0 · before 1.1 (of 365 days)'
    """
    date = date_label(day) if day >= 1 else "before 1.1"
    return f"Day {day} · {date} (of {day_count(days)})"


def shade(colour: str, amount: float) -> str:
    """Mix black (``amount`` below 0) or white (above 0) into a colour.

    Examples
    --------
    >>> shade("#808080", -0.5), shade("#808080", 0.5), shade("#808080", 0.0)
    ('#404040', '#c0c0c0', '#808080')
    """
    rgb = np.array(to_rgb(colour))
    towards = 1.0 if amount > 0 else 0.0
    return to_hex(rgb + abs(amount) * (towards - rgb))


def campaign_marks(scenario: Scenario, brand: str | None = None) -> list[CalendarMark]:
    """List the scenario's campaign actions, to mark on the time charts, in calendar order.

    With several brands, the second brand's actions are drawn darker and the third's paler
    (their labels say so), and each mark's row names its brand (:func:`calendar_rows`).

    Parameters
    ----------
    scenario : Scenario
    brand : str, optional
        Only this brand's actions (all brands when omitted).

    Examples
    --------
    >>> from ecosim import load_scenario
    >>> marks = campaign_marks(load_scenario("scenarios/baseline.toml"))
    >>> [(m.start, m.label, m.row) for m in marks if m.start == 315]
    [(315, 'tokoku sale', 'sale')]
    """
    several = len(scenario.brands) > 1 or brand is None
    rows_named = len(scenario.brands) > 1 and brand is None
    found = []
    for action in scenario.campaign:
        if brand is not None and action.brand != brand:
            continue
        colour, name = MARKED_TYPES[action.type]
        label = f"{action.brand} {name}" if several else name
        if len(scenario.brands) > 1:
            index = scenario.brand_names.index(action.brand)
            word, amount = _BRAND_SHADES[index % len(_BRAND_SHADES)]
            colour = shade(colour, amount)
            label = f"{label} ({word})" if word else label
        row = f"{action.brand} {name}" if rows_named else name
        found.append(CalendarMark(action.start, action.end, colour, label, action.brand, row))
    return sorted(found, key=lambda m: (m.start, m.end))


def calendar_rows(marks: Sequence[CalendarMark]) -> list[str]:
    """Return the rows of the calendar strip, from top to bottom, by their labels.

    One row per brand and kind of action; a brand's rows are together, in the order the
    brands first act, each brand's kinds in the order they first appear.

    Examples
    --------
    >>> marks = [
    ...     CalendarMark(1, 365, "#9e9e9e", "a ads", "a", "a ads"),
    ...     CalendarMark(30, 60, "#575757", "b ads (darker)", "b", "b ads"),
    ...     CalendarMark(346, 346, "#ffb300", "a sale", "a", "a sale"),
    ...     CalendarMark(346, 346, "#8c6200", "b sale (darker)", "b", "b sale"),
    ... ]
    >>> calendar_rows(marks)
    ['a ads', 'a sale', 'b ads', 'b sale']
    """
    brands = list(dict.fromkeys(mark.brand for mark in marks))
    rows = dict.fromkeys((mark.brand, mark.row) for mark in marks)
    return [row for _, row in sorted(rows, key=lambda pair: brands.index(pair[0]))]


def flight_lanes(spans: Sequence[tuple[int, int]]) -> list[int]:
    """Give each flight a lane, so that flights that share a day are in different lanes.

    The flights go, by their first day (the longer first when two start on one day), to
    the first lane free on that day: the fewest lanes that keep them apart. Days are
    inclusive, so a flight that starts on the day another ends shares that day and takes
    another lane, while one that starts the day after shares the lane.

    Parameters
    ----------
    spans : sequence of (int, int)
        The first and last day of each flight (the same day for a one-day action).

    Returns
    -------
    list of int
        The lane of each flight, in the order of ``spans``, from lane 0.

    Examples
    --------
    >>> flight_lanes([(1, 365), (20, 22), (100, 120), (120, 150)])
    [0, 1, 1, 2]
    >>> flight_lanes([(1, 30), (31, 60), (45, 45)])
    [0, 0, 1]
    """
    order = sorted(range(len(spans)), key=lambda i: (spans[i][0], -spans[i][1]))
    last_days: list[int] = []
    lanes = [0] * len(spans)
    for i in order:
        start, end = spans[i]
        lane = next((n for n, last in enumerate(last_days) if last < start), len(last_days))
        last_days[lane : lane + 1] = [end]  # the lane's last day, or a new lane
        lanes[i] = lane
    return lanes


@dataclass(frozen=True)
class StripLayout:
    """Where the calendar strip draws its marks: rows of one lane, or more if they overlap.

    Attributes
    ----------
    rows : dict of str to range
        The lanes of each row (:func:`calendar_rows`), by its label, counted from the top
        of the strip.
    lanes : tuple of int
        The lane of each mark, in the order of the marks.
    """

    rows: dict[str, range]
    lanes: tuple[int, ...]

    @property
    def height(self) -> int:
        """Return the lanes of the strip."""
        return sum(len(lanes) for lanes in self.rows.values())


def strip_layout(marks: Sequence[CalendarMark]) -> StripLayout:
    """Lay out the calendar strip: each row as deep as its overlapping marks need.

    A row whose marks never share a day is one lane; otherwise its marks are stacked in
    the lanes of :func:`flight_lanes`, the label centred on them.

    Examples
    --------
    >>> marks = [
    ...     CalendarMark(1, 365, "#9e9e9e", "ads", "a", "ads"),
    ...     CalendarMark(288, 315, "#9e9e9e", "ads", "a", "ads"),
    ...     CalendarMark(315, 315, "#ffb300", "sale", "a", "sale"),
    ... ]
    >>> layout = strip_layout(marks)
    >>> layout.rows, layout.lanes, layout.height
    ({'ads': range(0, 2), 'sale': range(2, 3)}, (0, 1, 2), 3)
    """
    rows: dict[str, range] = {}
    lanes = [0] * len(marks)
    top = 0
    for label in calendar_rows(marks):
        members = [i for i, mark in enumerate(marks) if mark.row == label]
        within = flight_lanes([(marks[i].start, marks[i].end) for i in members])
        for i, lane in zip(members, within, strict=True):
            lanes[i] = top + lane
        rows[label] = range(top, top + max(within) + 1)
        top = rows[label].stop
    return StripLayout(rows, tuple(lanes))


def todays_events(flows: dict[str, np.ndarray]) -> list[str]:
    """Return the notable events of a day, from the day's flows (those of :data:`EVENT_FLOWS`).

    Examples
    --------
    >>> todays_events({"amplified": np.array([0, 2]), "crisis_responses": np.array([0, 0])})
    ['the media ran a trending story']
    """
    return [
        label
        for column, (label, _) in EVENT_FLOWS.items()
        if column in flows and np.sum(flows[column]) > 0
    ]
