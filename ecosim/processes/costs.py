"""Running costs of loyalty programmes and AI personalisation (``programme_cost``).

Programmes cost money to run whether or not anyone buys: a loyalty platform, its
statements and messages per enrolled customer, a personalisation engine's licence. These
are operating costs, not media spend: they are not paid from the marketing budget (so
they never cut a campaign short), but ``profit`` subtracts them (``docs/model.md``,
"Programme costs").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

from ecosim.population import Population
from ecosim.scenario import Action, Loyalty, Personalisation

__all__ = ["enrolled", "programme_cost"]


def enrolled(population: Population, brand: int, day: int) -> int:
    """Count the customers enrolled in a brand's loyalty programme today.

    A customer is enrolled who holds points, has a status tier or is a paid member.

    Parameters
    ----------
    population : Population
    brand : int
        The brand's column.
    day : int

    Returns
    -------
    int
    """
    holding = (
        (population.points[:, brand] > 0)
        | (population.tier[:, brand] > 0)
        | (population.member_until[:, brand] >= day)
    )
    return int(np.count_nonzero(holding))


def programme_cost(loyalty: Loyalty, members: Callable[[], int], active: Iterable[Action]) -> float:
    """Return a brand's running cost of its programmes for one day.

    ``loyalty.running_cost + loyalty.cost_per_member * members()`` when the brand has a
    loyalty programme (points, tiers or a paid membership), plus the ``running_cost``
    of each personalisation action running today.

    Parameters
    ----------
    loyalty : Loyalty
    members : callable
        Returns the customers enrolled today (:func:`enrolled`); called only when the
        brand has a programme.
    active : iterable of actions
        The brand's actions running today.

    Returns
    -------
    float

    Examples
    --------
    >>> from ecosim.scenario import Points
    >>> programme_cost(Loyalty(points=Points()), lambda: 1000, [])
    110.0
    >>> programme_cost(Loyalty(), lambda: 1000, [])
    0.0
    """
    parts = (loyalty.points, loyalty.tiers, loyalty.membership)
    cost = 0.0
    if any(part is not None for part in parts):
        cost = loyalty.running_cost + loyalty.cost_per_member * members()
    return float(cost + sum(a.running_cost for a in active if isinstance(a, Personalisation)))
