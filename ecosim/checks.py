"""Argument checks shared by the public functions: clear errors naming the argument."""

from __future__ import annotations

import math
import numbers

import numpy as np

__all__ = ["check_integer", "check_real", "check_rng"]


def check_integer(name: str, value: object, low: int, high: int) -> int:
    """Return ``value`` as an int if it is an integer in ``[low, high]``, else raise.

    Raises
    ------
    ValueError
        ``"<name> must be an integer in [low, high], got <value>"``.

    Examples
    --------
    >>> check_integer("k", 3, 1, 5)
    3
    """
    if (
        isinstance(value, bool | np.bool_)
        or not isinstance(value, numbers.Integral)
        or not low <= value <= high
    ):
        raise ValueError(f"{name} must be an integer in [{low}, {high}], got {value!r}")
    return int(value)


def check_real(name: str, value: object, low: float, high: float, what: str = "a number") -> float:
    """Return ``value`` as a float if it is a number in ``[low, high]``, else raise.

    Raises
    ------
    ValueError
        ``"<name> must be <what> in [low, high], got <value>"`` (NaN and infinities are
        rejected, whatever the bounds).

    Examples
    --------
    >>> check_real("p", 0.25, 0.0, 1.0)
    0.25
    >>> check_real("rate", float("inf"), 0.0, float("inf"))
    Traceback (most recent call last):
    ValueError: rate must be a number in [0.0, inf], got inf
    """
    if (
        isinstance(value, bool | np.bool_)
        or not isinstance(value, numbers.Real)
        or not math.isfinite(value)
        or not low <= value <= high
    ):
        raise ValueError(f"{name} must be {what} in [{low}, {high}], got {value!r}")
    return float(value)


def check_rng(rng: object) -> None:
    """Raise ``TypeError`` unless ``rng`` is a ``numpy.random.Generator``."""
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            "rng must be a numpy.random.Generator (e.g. np.random.default_rng(seed)), "
            f"got {type(rng).__name__}"
        )
