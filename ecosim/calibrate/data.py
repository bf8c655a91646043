"""Observed data: reading the CSV file, and simulated days aggregated into its periods.

Examples
--------
>>> import pandas as pd
>>> daily = pd.DataFrame({"step": range(8), "purchases": [0, 1, 2, 3, 4, 5, 6, 7],
...                       "aware_share": [0, .1, .2, .3, .4, .5, .6, .7]})
>>> aggregate(daily, ["purchases", "aware_share"], period_days=2, periods=3)
   period  purchases  aware_share
0       1        3.0          0.2
1       2        7.0          0.4
2       3       11.0          0.6
"""

from __future__ import annotations

import csv
import math
import re
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from ecosim.calibrate.schema import CalibrationError
from ecosim.errors import shortened
from ecosim.metrics import FLOWS, bounds, sentiment, split_column
from ecosim.scenario.fields import MAX_DAYS
from ecosim.scenario.files import undecodable_line

__all__ = ["SENTIMENT_FLOWS", "aggregate", "read_observed"]

LARGEST = 1e100
"""Largest magnitude of an observed value. No count of customers or sum of money comes near
it, and beyond it the calibration's distance, which squares scaled differences, overflows:
every simulation is then as far from the data as any other, and the posterior is the prior."""
SENTIMENT_FLOWS = ("wom_positive", "wom_negative")
"""The daily flows a period's ``net_sentiment`` is computed from."""
SHARE = "is a share"
"""What a fraction is (``aware_share``, ``presence_physical``...): a value given as a
percentage is answered with the fraction to give instead."""
_WHAT = {
    "mean_experience": "is an experience valence, from -1 to 1",
    "rating": "is an average of review stars, 1 to 5",
}


def value_range(column: str) -> tuple[float, float, str]:
    """Return the values an outcome column can take and what it is: ``(low, high, what)``.

    From :func:`ecosim.metrics.bounds` (a brand's column as its outcome's, a loyalty tier's
    a count); ``what`` ends the sentence that begins with the column's name in an error
    message. Shares (and net sentiment, a fraction of either sign) are fractions, not
    percentages, and a value given as a percentage is answered with the fraction to give.

    Examples
    --------
    >>> value_range("aware_share__modaku"), value_range("tier_gold")[2]
    ((0.0, 1.0, 'is a share'), 'cannot be negative')
    """
    low, high = bounds(column)
    what = "cannot be negative" if high == math.inf else SHARE
    return low, high, _WHAT.get(split_column(column)[0], what)


ENCODING = "utf-8-sig"
"""Data files are UTF-8, with or without the byte-order mark that spreadsheets write."""

NUMBER = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")
"""A number in a data file: ASCII digits with an optional sign, decimal point and exponent
(``12``, ``-0.5``, ``1.2e6``); not ``1_000`` nor other scripts' digits (``９６``), which
Python's ``float`` would read."""


def read_observed(
    path: str | Path,
    columns: list[str],
    period_days: int,
    days: int,
    where: str = "data",
    rename: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Read observed data: a ``period`` or ``date`` column and outcome columns.

    Parameters
    ----------
    path : str or Path
        The CSV file.
    columns : list of str
        The outcome columns the calibration's statistics use; each must be in the file.
    period_days : int
        Simulated days per period (dates must be this many days apart).
    days : int
        The scenario's horizon: every period must end on or before it.
    where : str
        Names the field that named the file, in error messages.
    rename : dict, optional
        The file's own column names for outcome columns (``{"sales": "purchases"}``); each
        must be a column of the file.

    Returns
    -------
    pandas.DataFrame
        ``period`` (1, 2, ... in file order), then ``columns`` as floats, each written
        as :data:`NUMBER` describes.

    Raises
    ------
    CalibrationError
        Naming the file, and the line and column where a value is wrong.
    """
    path = Path(path)
    source = str(path)
    try:
        with open(path, encoding=ENCODING, newline="") as file:
            kept = [(number, line) for number, line in enumerate(file, 1) if _holds_data(line)]
    except FileNotFoundError:
        raise CalibrationError(where, [("", f"{source}: file not found")]) from None
    except UnicodeDecodeError:
        raise CalibrationError(
            source,
            [
                (
                    f"line {undecodable_line(path.read_bytes())}",
                    "is not UTF-8 text (expected a CSV file saved as UTF-8: in a spreadsheet, "
                    "save as CSV UTF-8)",
                )
            ],
        ) from None
    except OSError as error:
        raise CalibrationError(where, [("", f"{source}: cannot be read ({error})")]) from None
    if not kept:
        raise CalibrationError(
            source, [("", "is empty (expected a header and one row per period)")]
        )
    rows, problems = _rows(kept)
    if problems:
        raise CalibrationError(source, problems)
    rename = rename or {}
    header = [rename.get(name.strip(), name.strip()) for name in rows[0]]
    lines = [number for number, _ in kept[1:]]
    separator = next((s for s in (";", "\t", "|") if len(rows[0]) == 1 and s in rows[0][0]), None)
    if separator is not None:
        raise CalibrationError(
            source,
            [
                (
                    "header",
                    f"{shortened(rows[0][0].strip())!r} is one column: the values seem "
                    f"separated by {separator!r} (expected commas: save the file as "
                    "comma-separated CSV)",
                )
            ],
        )
    index = [name for name in ("period", "date") if name in header]
    if len(index) != 1:
        problems.append(("header", "expected exactly one of the columns period or date"))
    missing = [c for c in columns if c not in header]
    own = [name.strip() for name in rows[0]]
    problems += [
        (
            "header",
            f"no column {_named(c, rename)!r} (the calibration's statistics use it"
            + (f", renamed to {c} by data.rename" if _named(c, rename) != c else "")
            + f"; its columns: {', '.join(own)})",
        )
        for c in missing
    ]
    problems += _repeated(rows[0], header, ["period", "date", *columns])
    problems += [
        ("header", f"no column {name!r} to rename (data.rename; its columns: {', '.join(own)})")
        for name, outcome in rename.items()
        if name not in own and outcome not in missing  # a missing outcome is named above
    ]
    if len(rows) < 2:
        problems.append(("", "has no data rows"))
    if problems:
        raise CalibrationError(source, problems)
    values: dict[str, list[float]] = {c: [] for c in columns}
    located: list[tuple[int, int, str]] = []
    late: list[tuple[int, int]] = []
    first_date = None
    for number, row in zip(lines, rows[1:], strict=True):
        record = dict(zip(header, (cell.strip() for cell in row), strict=False))
        if len(row) != len(header):
            problems.append((f"line {number}", f"has {len(row)} cells, the header {len(header)}"))
            continue
        period, first_date = _period(record, index[0], period_days, first_date, number, problems)
        if period is not None:
            if period * period_days > days:
                late.append((number, period))
            located.append((number, period, record[index[0]]))
        for column in columns:
            value = _number(record[column])
            if value is None:
                problems.append(
                    (
                        f"line {number}, {_named(column, rename)}",
                        f"{shortened(record[column])!r} is not a number (expected digits 0-9 "
                        "with an optional sign, decimal point and exponent, such as 1200, -0.5 "
                        "or 1.2e6)",
                    )
                )
                continue
            if not math.isfinite(value):
                problems.append(
                    (
                        f"line {number}, {_named(column, rename)}",
                        f"{shortened(record[column])!r} is not finite",
                    )
                )
            elif value == 0 and _nonzero(record[column]):
                problems.append(
                    (
                        f"line {number}, {_named(column, rename)}",
                        f"{shortened(record[column])!r} rounds to 0 (the smallest number that can "
                        "be read is about 5e-324; write 0 if 0 is meant)",
                    )
                )
            elif (wrong := _out_of_range(column, value)) is not None:
                problems.append((f"line {number}, {_named(column, rename)}", wrong))
            values[column].append(value)
    if late:
        problems.insert(0, _after_horizon(late, index[0], period_days, days))
    if not problems:
        problems += _first_break(located, index[0], period_days, first_date)
    if problems:
        counted = f"{len(problems):,} problem{'s' * (len(problems) != 1)}"
        raise CalibrationError(source, _capped(problems), reason=counted)
    return pd.DataFrame({"period": [period for _, period, _ in located], **values})


def _after_horizon(
    late: list[tuple[int, int]], column: str, period_days: int, days: int
) -> tuple[str, str]:
    """Say in one line which periods end after the horizon, and which ``days`` takes them.

    Examples
    --------
    >>> print(*_after_horizon([(15, 14), (16, 15)], "period", 1, 13), sep=": ")
    ... # doctest: +NORMALIZE_WHITESPACE
    line 15, period: 2 periods end after the scenario's horizon of 13 days (lines 15 to 16;
    the last, period 15, on day 15): set days = 15 in the calibration, or leave them out of
    the data
    """
    first, period = late[0][0], max(period for _, period in late)
    end = period * period_days
    where = f"line {first}" if len(late) == 1 else f"lines {first} to {late[-1][0]}"
    count = f"{len(late)} period{'s' * (len(late) > 1)} end{'s' * (len(late) == 1)}"
    them = "them" if len(late) > 1 else "it"
    remedy = (
        f"set days = {end} in the calibration, or leave {them} out of the data"
        if end <= MAX_DAYS
        else f"leave {them} out of the data (a scenario has at most {MAX_DAYS:,} days)"
    )
    return (
        f"line {first}, {column}",
        f"{count} after the scenario's horizon of {days} days ({where}; the last, period "
        f"{period}, on day {end}): {remedy}",
    )


MOST_PROBLEMS = 10
"""The most problems of a data file named one by one; the others are counted."""


def _capped(problems: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Keep the first :data:`MOST_PROBLEMS` problems and count the others."""
    if len(problems) <= MOST_PROBLEMS:
        return problems
    rest = len(problems) - MOST_PROBLEMS
    return [*problems[:MOST_PROBLEMS], ("", f"and {rest:,} more problems of these kinds")]


def _number(text: str) -> float | None:
    """Read a cell written as :data:`NUMBER` (or ``inf`` or ``nan``, refused as not finite).

    Examples
    --------
    >>> _number("-1.5e3"), _number("inf"), _number("1_000"), _number("９６")
    (-1500.0, inf, None, None)
    """
    try:
        value = float(text)
    except ValueError:
        return None
    return value if NUMBER.fullmatch(text) or not math.isfinite(value) else None


def _nonzero(text: str) -> bool:
    """Whether a :data:`NUMBER`'s digits (before any exponent) are not all zeros.

    Examples
    --------
    >>> _nonzero("1e-400"), _nonzero("-0.000e5"), _nonzero("0")
    (True, False, False)
    """
    return any(digit in "123456789" for digit in NUMBER.fullmatch(text)[1])


def _repeated(names: list[str], header: list[str], used: list[str]) -> list[tuple[str, str]]:
    """Name each used column that two or more of the file's columns give (one must be chosen).

    Parameters
    ----------
    names : list of str
        The header as written in the file.
    header : list of str
        The header with ``rename`` applied.
    used : list of str
        The columns read: the index columns and the statistics' columns.

    Returns
    -------
    list of (str, str)
        One problem per repeated column.
    """
    problems = []
    for column in dict.fromkeys(used):
        given = [name.strip() for name, read in zip(names, header, strict=True) if read == column]
        if len(given) < 2:
            continue
        if len(set(given)) == 1:
            what = f"column {column!r} appears {len(given)} times"
        else:
            what = f"columns {', '.join(map(repr, given))} are all read as {column!r} (data.rename)"
        problems.append(("header", f"{what}; expected one column per outcome"))
    return problems


def _out_of_range(column: str, value: float) -> str | None:
    """Say why an observed value cannot be one of the outcome's values, if it cannot.

    Examples
    --------
    >>> _out_of_range("aware_share", 45.0)
    '45 is outside [0, 1] (aware_share is a share: give 0.45 for 45%)'
    >>> _out_of_range("purchases", -3.0) is None, _out_of_range("profit", -3.0) is None
    (False, True)
    >>> _out_of_range("rating", 85.0)
    '85 is outside [1, 5] (rating is an average of review stars, 1 to 5)'
    >>> _out_of_range("aware_share__modaku", 45.0)  # one brand's, as the total's
    '45 is outside [0, 1] (aware_share__modaku is a share: give 0.45 for 45%)'
    >>> _out_of_range("tier_gold__modaku", -2.0)
    '-2 is negative (expected 0 or more: tier_gold__modaku cannot be negative)'
    >>> _out_of_range("profit", 1e300)
    '1e+300 is too large (expected at most 1e+100 in magnitude)'
    """
    if abs(value) > LARGEST:
        return f"{value:g} is too large (expected at most {LARGEST:g} in magnitude)"
    low, high, what = value_range(column)
    if low <= value <= high:
        return None
    if high == math.inf:
        return f"{value:g} is negative (expected 0 or more: {column} {what})"
    percent = what == SHARE and low <= value / 100 <= high
    hint = f": give {value / 100:g} for {value:g}%" if percent else ""
    return f"{value:g} is outside [{low:g}, {high:g}] ({column} {what}{hint})"


def _named(column: str, rename: dict[str, str]) -> str:
    """Return the file's name of an outcome column."""
    return next((name for name, outcome in rename.items() if outcome == column), column)


def _rows(lines: list[tuple[int, str]]) -> tuple[list[list[str]], list[tuple[str, str]]]:
    r"""Split each line of a data file into its cells, one row per line.

    A cell in quotes must close on its own line, before the next comma: an unclosed quote
    would otherwise swallow the lines after it, and text after a closing quote be joined
    to the cell without a word.

    Parameters
    ----------
    lines : list of (int, str)
        The lines read (neither blank nor a comment), with their 1-based numbers.

    Returns
    -------
    rows : list of list of str
        The cells of each line.
    problems : list of (str, str)
        ``("line 7", what is wrong)`` for each line that is not one CSV row.

    Examples
    --------
    >>> rows, problems = _rows([(1, "period,sales\n"), (2, '1,"3\n'), (3, '2,"4"5\n')])
    >>> rows
    [['period', 'sales']]
    >>> [line for line, _ in problems]
    ['line 2', 'line 3']
    """
    rows, problems = [], []
    for number, line in lines:
        try:
            rows.append(next(csv.reader([line], strict=True)))
        except csv.Error as error:
            what = "is not closed on this line" if "end of data" in str(error) else "is malformed"
            problems.append(
                (
                    f"line {number}",
                    f"a cell in quotes {what} ({error}); expected each row on one line, "
                    "a quoted cell ending with a quote before the next comma",
                )
            )
    return rows, problems


def _holds_data(line: str) -> bool:
    """Whether a line of a data file is read: neither blank nor a comment."""
    return bool(line.strip()) and not line.startswith("#")


def _period(
    record: dict[str, str],
    kind: str,
    period_days: int,
    first: date | None,
    line: int,
    problems: list[tuple[str, str]],
) -> tuple[int | None, date | None]:
    text = record[kind]
    if kind == "period":
        number = text.lstrip("0") if text.isascii() and text.isdigit() else ""
        if not number:
            problems.append(
                (f"line {line}, period", f"{shortened(text)!r} is not a period number >= 1")
            )
            return None, first
        if len(number) > len(str(MAX_DAYS)):  # int() refuses thousands of digits; none fits
            problems.append(
                (
                    f"line {line}, period",
                    f"{shortened(text)!r} is after the longest horizon a scenario may have "
                    f"({MAX_DAYS:,} days): leave it out of the data",
                )
            )
            return None, first
        return int(number), first
    try:
        day = date.fromisoformat(text)
    except ValueError:
        problems.append(
            (f"line {line}, date", f"{shortened(text)!r} is not a date (expected YYYY-MM-DD)")
        )
        return None, first
    first = first or day
    offset = (day - first).days
    if offset % period_days:
        problems.append(
            (
                f"line {line}, date",
                f"{text} is {offset} days after the first date, not a multiple of "
                f"period_days ({period_days})",
            )
        )
        return None, first
    return offset // period_days + 1, first


def _first_break(
    located: list[tuple[int, int, str]], kind: str, period_days: int, first: date | None
) -> list[tuple[str, str]]:
    """Name the line where the periods stop being consecutive from 1, if any.

    Parameters
    ----------
    located : list of (int, int, str)
        Each data row's line number, period and ``kind`` cell, in file order.
    kind : {"period", "date"}
        The file's index column.
    period_days : int
        Days between consecutive dates.
    first : date, optional
        The first date (period 1) of a file indexed by date.

    Returns
    -------
    list of (str, str)
        No problem, or one: ``("line 7, period", "period 6 expected after period 5,
        found 8")``; dates are given with their periods.
    """
    previous: tuple[int, str] | None = None
    for line, period, text in located:
        expected = previous[0] + 1 if previous else 1
        if period != expected:
            if kind == "period":
                wanted = f"period {expected}"
                after = f"after period {previous[0]}" if previous else "first"
                found = str(period)
            else:
                due = first + timedelta(days=(expected - 1) * period_days)
                wanted = f"{due} (period {expected})"
                after = f"after {previous[1]} (period {previous[0]})"
                found = f"{text} ({f'period {period}' if period >= 1 else 'before the first date'})"
            return [(f"line {line}, {kind}", f"{wanted} expected {after}, found {found}")]
        previous = (period, text)
    return []


def aggregate(
    daily: pd.DataFrame, columns: list[str], period_days: int, periods: int
) -> pd.DataFrame:
    """Aggregate a run's daily outcomes into the observed periods.

    Parameters
    ----------
    daily : pandas.DataFrame
        One row per day, ``step`` 0 the initial state.
    columns : list of str
    period_days : int
    periods : int
        How many periods (from day 1).

    Returns
    -------
    pandas.DataFrame
        ``period``, then one column per outcome: flows summed over the period's days,
        states read on its last day, and ``net_sentiment`` the period's: from its sums of
        ``wom_positive`` and ``wom_negative`` (which ``daily`` then holds); a brand's
        column (``net_sentiment__modaku``) from that brand's.
    """
    days = daily.set_index("step").loc[1 : periods * period_days]

    def by_period(column: str) -> np.ndarray:
        return days[column].to_numpy(dtype=float).reshape(periods, period_days)

    result = {"period": np.arange(1, periods + 1)}
    for column in columns:
        outcome, brand = split_column(column)
        if outcome == "net_sentiment":
            suffix = f"__{brand}" if brand else ""
            positive, negative = (
                by_period(f"{flow}{suffix}").sum(axis=1) for flow in SENTIMENT_FLOWS
            )
            result[column] = sentiment(positive, negative)
        elif outcome in FLOWS:
            result[column] = by_period(column).sum(axis=1)
        else:
            result[column] = by_period(column)[:, -1]
    return pd.DataFrame(result)
