"""How the reports write numbers, intervals, shares and a strategy's changes."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = [
    "cell",
    "code_value",
    "distinct_numbers",
    "format_number",
    "inline",
    "interval",
    "p_value",
    "profit_per_rp",
    "share",
]


def format_number(x: Any) -> str:
    """Write a number as the reports do: from 1,000 whole with separators, else 4 digits.

    Never in exponent form: a reader of a table of money and shares does not read
    ``6.157e-05``.

    Examples
    --------
    >>> format_number(1148630.5), format_number(-0.0123456), format_number(638.64)
    ('1,148,630', '-0.01235', '638.6')
    >>> format_number(6.157e-05), format_number(150.0), format_number(0.0)
    ('0.00006157', '150', '0')
    """
    if isinstance(x, str):
        return x
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    if isinstance(x, float) and math.isinf(x):
        return "∞" if x > 0 else "−∞"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    return np.format_float_positional(x, precision=4, unique=False, fractional=False, trim="-")


def distinct_numbers(values: list[float], digits: int = 4) -> list[str]:
    """Write numbers with the fewest significant digits (``digits`` or more) that tell them apart.

    Without an exponent from 1e-4 to 1e15, with thousands separators: a narrow credible
    interval of a market size reads ``[17,000.001, 17,000.009]``, not ``[1.7e+04, 1.7e+04]``.

    Examples
    --------
    >>> distinct_numbers([17000.0012, 17000.0049, 17000.0091])
    ['17,000.001', '17,000.005', '17,000.009']
    >>> distinct_numbers([0.017, 0.0170001]), distinct_numbers([2.5e-7, 1e20])
    (['0.017', '0.0170001'], ['2.5e-07', '1e+20'])
    >>> distinct_numbers([0.1 + 0.2, 0.3, float("nan")])  # equal but for float rounding
    ['0.3', '0.3', 'nan']
    """
    most = max(digits, 15)  # float64 holds 15 to 17 significant digits
    distinct = len({_significant(x, most) for x in values})
    for wanted in range(digits, most):
        texts = [_significant(x, wanted) for x in values]
        if len(set(texts)) == distinct:
            return texts
    return [_significant(x, most) for x in values]


def _significant(x: float, digits: int) -> str:
    if x == 0 or not math.isfinite(x):
        return f"{x:g}"
    magnitude = math.floor(math.log10(abs(x)))
    if -4 <= magnitude < 15:
        text = f"{x:,.{max(digits - 1 - magnitude, 0)}f}"
        return text.rstrip("0").rstrip(".") if "." in text else text
    return f"{x:.{digits}g}"


def interval(low: float, high: float) -> str:
    """Write a confidence interval: ``[low, high]`` in :func:`format_number`'s digits."""
    return f"[{format_number(low)}, {format_number(high)}]"


def p_value(p: float) -> str:
    """Write a p value to three decimals, ``< 0.001`` below that, ``–`` when undefined."""
    return "–" if math.isnan(p) else ("< 0.001" if p < 0.001 else f"{p:.3f}")


def profit_per_rp(extra_spend: float, per_extra_spend: float) -> str:
    """Write what a Rp of a spend difference does to profit, the way the strategy went.

    ``per_extra_spend`` is the extra profit divided by the extra spend. A strategy that
    spends more is given it per extra Rp; one that spends less, per Rp saved, with its sign
    turned. Either way above 0 the strategy earns more for its money (profit already
    subtracts the spend): its extra spend pays for more than its cost, or its saving
    raises profit.

    Examples
    --------
    >>> profit_per_rp(50.0, 0.7)
    '0.7 per extra Rp'
    >>> profit_per_rp(-42.7, 11.9)  # saved 42.7 Rp and lost 509 Rp of profit
    '-11.9 per Rp saved'
    """
    if extra_spend < 0:
        return f"{format_number(-per_extra_spend)} per Rp saved"
    return f"{format_number(per_extra_spend)} per extra Rp"


def share(x: float) -> str:
    """Write a share as a whole percentage, ``–`` when undefined."""
    return "–" if math.isnan(x) else f"{x:.0%}"


def cell(text: str) -> str:
    r"""Write text for one cell of a Markdown table: on one line, its ``|`` escaped.

    Examples
    --------
    >>> cell("ads | posts\non two lines")
    'ads \\| posts on two lines'
    """
    return " ".join(text.split()).replace("|", "\\|")


def code_value(v: Any, limit: int = 120) -> str:
    """Show a value of a strategy's change as code; a table inline, cut after ``limit``.

    Examples
    --------
    >>> code_value({"points": {"goal": 1500, "tiers": []}})
    '`{points = {goal = 1500, tiers = []}}`'
    """
    text = inline(v)
    return f"`{text if len(text) <= limit else text[: limit - 1] + '…'}`"


def inline(v: Any) -> str:
    """Write a value as inline TOML-like text: tables in braces, lists in brackets."""
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k} = {inline(x)}" for k, x in v.items()) + "}"
    if isinstance(v, list):
        return "[" + ", ".join(inline(x) for x in v) + "]"
    return repr(v)
