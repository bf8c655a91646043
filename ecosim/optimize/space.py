"""The decision space: from a search trial's parameters to scenario overrides, and back to words.

Each decision is one or more Optuna parameters: a variable is one parameter named after
it; a flight is its start day; a budget group of ``k`` items is ``k`` weights in
[0, 1] named ``<group>.<item>``, whose normalised values are the items' shares of the
group's total. :func:`suggest` asks a trial (or a :class:`optuna.trial.FixedTrial` of
stored parameters) for them and returns the scenario overrides of the plan.
"""

from __future__ import annotations

from typing import Any, Protocol

from ecosim.optimize.schema import BudgetGroup, Optimisation, flight_overrides
from ecosim.scenario.loading import field_value

__all__ = ["capped", "changes", "current_shares", "parameters", "shares", "suggest"]


class Suggester(Protocol):
    """What :func:`suggest` needs of an Optuna trial."""

    def suggest_float(self, name: str, low: float, high: float, *, log: bool = False) -> float:
        """Suggest a float."""

    def suggest_int(self, name: str, low: int, high: int, *, log: bool = False) -> int:
        """Suggest an integer."""

    def suggest_categorical(self, name: str, choices: list[Any]) -> Any:
        """Suggest one of ``choices``."""


def parameters(optimisation: Optimisation) -> list[str]:
    """Return the names of the Optuna parameters :func:`suggest` asks for, in its order."""
    return [
        *(v.name for v in optimisation.variables),
        *(flight.name for flight in optimisation.flights),
        *(_weight(group, item) for group in optimisation.budgets for item in group.items),
    ]


def _weight(group: BudgetGroup, item: Any) -> str:
    """Return the name of the Optuna parameter of an item's weight in a budget group."""
    return f"{group.name}.{item.name}"


def suggest(trial: Suggester, optimisation: Optimisation) -> dict[str, Any]:
    """Ask ``trial`` for every decision and return the plan as scenario overrides.

    Parameters
    ----------
    trial : optuna.Trial or optuna.trial.FixedTrial
    optimisation : Optimisation

    Returns
    -------
    dict
        Values by dotted scenario path.
    """
    overrides: dict[str, Any] = {}
    for v in optimisation.variables:
        if v.choices is not None:
            overrides[v.path] = trial.suggest_categorical(v.name, list(v.choices))
        elif v.integer:
            overrides[v.path] = trial.suggest_int(v.name, int(v.low), int(v.high), log=v.log)
        else:
            overrides[v.path] = trial.suggest_float(v.name, v.low, v.high, log=v.log)
    campaign = optimisation.scenario.campaign
    for flight in optimisation.flights:
        action = campaign[flight.action]
        start = trial.suggest_int(flight.name, flight.earliest, flight.latest)
        overrides.update(flight_overrides(flight, action.end - action.start, start))
    for group in optimisation.budgets:
        weights = [trial.suggest_float(_weight(group, i), 0.0, 1.0) for i in group.items]
        for item, share in zip(
            group.items, capped(_normalised(weights), group.caps()), strict=True
        ):
            overrides[item.path] = item.value(share * group.total)
    return overrides


def shares(params: dict[str, Any], group: BudgetGroup) -> dict[str, float]:
    """Return each item's share of a budget group in a trial's parameters."""
    weights = [params[_weight(group, item)] for item in group.items]
    values = capped(_normalised(weights), group.caps())
    return dict(zip((i.name for i in group.items), values, strict=True))


def capped(shares: list[float], caps: list[float]) -> list[float]:
    """Cap shares and give what the capped items cannot take to the others, in proportion.

    Parameters
    ----------
    shares : list of float
        Adding up to 1.
    caps : list of float
        Each share's largest value; they add up to at least 1.

    Returns
    -------
    list of float
        Adding up to 1, each within its cap.

    Examples
    --------
    >>> [round(x, 3) for x in capped([0.7, 0.2, 0.1], [0.4, 1.0, 1.0])]
    [0.4, 0.4, 0.2]
    """
    result = list(shares)
    fixed = [False] * len(result)
    for _ in range(len(result)):
        over = [i for i, x in enumerate(result) if not fixed[i] and x > caps[i] + 1e-12]
        if not over:
            break
        for i in over:
            result[i], fixed[i] = caps[i], True
        left = 1.0 - sum(x for i, x in enumerate(result) if fixed[i])
        free = [i for i in range(len(result)) if not fixed[i]]
        weight = sum(result[i] for i in free)
        for i in free:
            result[i] = left * result[i] / weight if weight > 0 else left / len(free)
    return result


def current_shares(optimisation: Optimisation, group: BudgetGroup) -> dict[str, float]:
    """Return each item's share of the group's total in the current plan (the base scenario).

    The field's current value times its unit cost over the group's total; the shares
    need not add up to 1 (the current plan may spend more or less than the total).
    """
    data = optimisation.scenario.model_dump()
    return {
        item.name: float(field_value(data, item.path) or 0.0) * item.unit_cost / group.total
        for item in group.items
    }


def changes(optimisation: Optimisation, params: dict[str, Any]) -> list[str]:
    """Say in words what a plan does differently from the current one.

    Parameters
    ----------
    optimisation : Optimisation
    params : dict
        The plan's search parameters.

    Returns
    -------
    list of str
        One sentence per decision that differs from the current plan.
    """
    data = optimisation.scenario.model_dump()
    sentences = []
    for v in optimisation.variables:
        old, new = field_value(data, v.path), params[v.name]
        if old != new:
            sentences.append(f"sets {v.name} (`{v.path}`) to {_fmt(new)} instead of {_fmt(old)}")
    for flight in optimisation.flights:
        action = optimisation.scenario.campaign[flight.action]
        start = params[flight.name]
        if start != action.start:
            shift = start - action.start
            when = f"{abs(shift)} days {'later' if shift > 0 else 'earlier'}"
            sentences.append(
                f"moves {flight.name} (the {action.type} action {flight.action}) {when}: "
                f"days {start}-{start + action.end - action.start} instead of "
                f"{action.start}-{action.end}"
            )
    for group in optimisation.budgets:
        now, then = shares(params, group), current_shares(optimisation, group)
        gains = {k: now[k] - then[k] for k in now}
        losers = [k for k in gains if gains[k] < -0.005]
        winners = [k for k in gains if gains[k] > 0.005]
        if not (losers or winners):
            continue
        parts = [
            f"{_pct(now[k])} to {k} (now {_pct(then[k])})"
            for k in sorted(now, key=lambda k: -abs(gains[k]))
        ]
        moved = sum(-gains[k] for k in losers)
        sentences.append(
            f"shares the {group.name} budget of {_fmt(group.total)}: {', '.join(parts)}"
            + (
                f"; moves {_pct(moved)} of it from {' and '.join(losers)} to "
                f"{' and '.join(winners)}"
                if losers and winners
                else ""
            )
        )
    return sentences


def _normalised(weights: list[float]) -> list[float]:
    total = sum(weights)
    if total <= 0:
        return [1.0 / len(weights)] * len(weights)
    return [w / total for w in weights]


def _pct(x: float) -> str:
    return f"{x:.0%}"


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.4g}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return repr(value)
