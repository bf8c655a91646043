"""The experiments behind the empirical generalisations: runs of the shipped scenarios.

Each function runs one replication seed of one experiment (both arms of a pair, with common
random numbers, or a single run) and returns what the row's summary in
:mod:`ecosim.validation.empirical` needs: daily purchases and advertising spend, unit sales,
word-of-mouth volume, first purchases, or every purchase with its service incident.
:data:`RUNS` names them for :func:`ecosim.validation.core.replicate`.

Examples
--------
Both arms of one advertising pair, small::

    import numpy as np
    from ecosim.validation.empirical_runs import advertising_pair
    pair = advertising_pair(np.random.SeedSequence(1), customers=500, days=None)
    print(pair["plus"]["purchases"].sum(), pair["minus"]["purchases"].sum())
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ecosim.validation.propositions import negativity_arm
from ecosim.validation.variants import arm, model, scenario_data

__all__ = [
    "FOLLOW_DAYS",
    "RUNS",
    "advertising_pair",
    "ewom_pair",
    "failure_run",
    "negativity_pair",
    "next_purchase",
    "price_pair",
    "wom_pair",
]

SCALE = 0.1
"""Advertising and word-of-mouth volume (and valence) are scaled by 1 ± SCALE."""
MONTH = 30
"""Days in the short-term window, from the first day of the TV burst."""
PRICE_SCALE = 0.05
"""A brand's price is scaled by 1 ± PRICE_SCALE."""


def _record_advertising(m: Any) -> np.ndarray:
    """Record a model's advertising spend per day (media bought plus fixed costs).

    Each channel's delivery of an ``advertising`` action is wrapped to add the money
    the brand paid for it to the day's entry; the fixed cost of an advertising action is
    added on its first day when the brand pays it.
    """
    spend = np.zeros(m.scenario.days + 1)
    for media in m.media:
        deliver = media._deliver

        def counted(brand: Any, action: Any, deliver: Callable = deliver) -> None:
            before = brand.spent_today
            deliver(brand, action)
            if action.type == "advertising":
                spend[m.steps] += brand.spent_today - before

        media._deliver = counted
    for action in m.scenario.campaign:
        if action.type == "advertising" and action.start <= m.scenario.days:
            spend[action.start] += action.cost
    return spend


def _scale_advertising(data: dict, factor: float, window: tuple[int, int] | None = None) -> dict:
    """Scale advertising intensity and fixed cost by ``factor``, within ``window`` only if given.

    With a window (first and last day), an advertising action that runs across it is
    split into its days before, within and after the window, and only the part within is
    scaled; a fixed cost stays with the part holding the action's first day.
    """

    def scaled(action: dict) -> dict:
        return {
            **action,
            "intensity": min(action["intensity"] * factor, 1.0),
            "cost": action["cost"] * factor,
        }

    campaign = []
    for a in data["campaign"]:
        if a["type"] != "advertising":
            campaign.append(a)
        elif window is None:
            campaign.append(scaled(a))
        else:
            first, last = window
            parts = [
                (a["start"], min(a["end"], first - 1), False),
                (max(a["start"], first), min(a["end"], last), True),
                (max(a["start"], last + 1), a["end"], False),
            ]
            for start, end, inside in parts:
                if start > end:
                    continue
                part = {**a, "start": start, "end": end}
                part["cost"] = a["cost"] if start == a["start"] else 0.0
                campaign.append(scaled(part) if inside else part)
    return {**data, "campaign": campaign}


def _burst_start(data: dict) -> int:
    tv = [
        a["start"] for a in data["campaign"] if a["type"] == "advertising" and a["channel"] == "tv"
    ]
    if not tv:
        raise ValueError(f"scenario {data['name']!r} has no TV advertising burst")
    return min(tv)


def advertising_pair(
    seed: np.random.SeedSequence, customers: int | None, days: int | None
) -> dict[str, Any]:
    """Run the baseline with advertising scaled by 1 + SCALE and 1 - SCALE (one seed).

    Returns
    -------
    dict
        Per arm: daily ``purchases`` and advertising ``spend``. ``plus`` and ``minus``
        scale every advertising action all year; ``month_plus`` and ``month_minus`` only
        the advertising of the 30 days from the start of the TV burst. ``burst``: the
        first day of the TV burst.
    """
    data = scenario_data("baseline", customers, days)
    burst = _burst_start(data)
    month = (burst, burst + MONTH - 1)
    result: dict[str, Any] = {"burst": burst}
    arms = (
        ("plus", 1.0 + SCALE, None),
        ("minus", 1.0 - SCALE, None),
        ("month_plus", 1.0 + SCALE, month),
        ("month_minus", 1.0 - SCALE, month),
    )
    for name, factor, window in arms:
        m = model(arm(_scale_advertising(data, factor, window)), seed, ["purchases"])
        spend = _record_advertising(m)
        daily = m.run()
        result[name] = {"purchases": daily["purchases"].to_numpy(), "spend": spend}
    return result


def price_pair(
    seed: np.random.SeedSequence, customers: int | None, days: int | None
) -> dict[str, float]:
    """Run two_brands with the incumbent's price scaled by 1 ± PRICE_SCALE; its unit sales."""
    data = scenario_data("two_brands", customers, days)
    price = data["brands"][0]["price"]
    result = {}
    for name, factor in (("plus", 1.0 + PRICE_SCALE), ("minus", 1.0 - PRICE_SCALE)):
        scenario = arm(data, {"brands.0.price": price * factor})
        brand = scenario.brand_names[0]
        result[name] = float(
            model(scenario, seed, ["purchases"]).run()[f"purchases__{brand}"].sum()
        )
    return result


VOLUME = ("wom_positive", "wom_negative")
"""The speakers of a day, positive and negative: word-of-mouth volume."""


def ewom_pair(
    seed: np.random.SeedSequence, customers: int | None, days: int | None
) -> dict[str, Any]:
    """Run the baseline with word-of-mouth volume, then valence, scaled by 1 ± SCALE.

    Returns
    -------
    dict
        Per arm (``volume_plus``, ``volume_minus``, ``valence_plus``, ``valence_minus``):
        unit ``sales`` and word-of-mouth ``volume`` (speakers) over the run, and the
        ``weight`` of heard talk on experience.
    """
    data = scenario_data("baseline", customers, days)
    dynamics = data["dynamics"]
    result = {}
    for sign, factor in (("plus", 1.0 + SCALE), ("minus", 1.0 - SCALE)):
        volume = {
            "dynamics.stage_talk": [min(x * factor, 1.0) for x in dynamics["stage_talk"]],
            "dynamics.venting_rate": min(dynamics["venting_rate"] * factor, 1.0),
        }
        valence = {"dynamics.wom_experience_weight": dynamics["wom_experience_weight"] * factor}
        for kind, overrides in (("volume", volume), ("valence", valence)):
            scenario = arm(data, overrides)
            daily = model(scenario, seed, ["purchases", *VOLUME]).run()
            result[f"{kind}_{sign}"] = {
                "sales": float(daily["purchases"].sum()),
                "volume": float(daily[list(VOLUME)].to_numpy().sum()),
                "weight": scenario.dynamics.wom_experience_weight,
            }
    return result


WOM_SHARE = ("revenue", "first_purchases", "first_purchases_after_wom")
"""What the word-of-mouth share row reads of each arm's run."""
WOM_OFF = {"dynamics.wom_awareness_rate": 0.0, "dynamics.wom_experience_weight": 0.0}
"""Word of mouth switched off: nobody learns of a brand or changes their mind by talk."""


def wom_pair(
    seed: np.random.SeedSequence, customers: int | None, days: int | None
) -> dict[str, dict[str, float]]:
    """Run the baseline with word of mouth on and off (one seed).

    Returns
    -------
    dict
        Per arm (``on``, ``off``): total ``revenue``, ``first_purchases`` and
        ``first_purchases_after_wom``; ``curve``: the first purchases per day (days 1 to
        the end) with word of mouth on, for the Bass fit.
    """
    data = scenario_data("baseline", customers, days)
    result: dict[str, Any] = {}
    for name, overrides in (("on", {}), ("off", WOM_OFF)):
        daily = model(arm(data, overrides), seed, list(WOM_SHARE)).run()
        result[name] = {column: float(daily[column].sum()) for column in WOM_SHARE}
        if name == "on":
            result["curve"] = daily["first_purchases"].to_numpy()[1:]
    return result


FOLLOW_DAYS = 120
"""Days within which the service-failure row looks for a purchase's next purchase."""


def failure_run(
    seed: np.random.SeedSequence, customers: int | None, days: int | None
) -> dict[str, Any]:
    """Run the baseline once and record every purchase of its brand, failed or not.

    Returns
    -------
    dict
        ``customer``, ``day`` and ``failed`` (a service incident came with it) of each
        purchase, in order of day; ``days``: the horizon.
    """
    m = model(arm(scenario_data("baseline", customers, days)), seed, ["purchases"])
    population = m.population
    customer, day, failed = [], [], []
    for _ in range(m.scenario.days):
        m.step()
        buyers = np.flatnonzero(population.last_purchase[:, 0] == m.steps)
        customer.append(buyers)
        day.append(np.full(len(buyers), m.steps))
        failed.append(population.last_incident[buyers, 0] == m.steps)
    return {
        "customer": np.concatenate(customer),
        "day": np.concatenate(day),
        "failed": np.concatenate(failed),
        "days": m.scenario.days,
    }


def next_purchase(run: dict[str, Any]) -> dict[str, float]:
    """Days to the next purchase after failed purchases and after the others.

    Parameters
    ----------
    run : dict
        A :func:`failure_run`.

    Returns
    -------
    dict
        Over the purchases made at least :data:`FOLLOW_DAYS` before the end, for ``failed``
        and ``served`` ones: the share bought again within :data:`FOLLOW_DAYS`
        (``again_*``), the mean days to that next purchase (``gap_*``) and the purchases
        followed (``n_*``); NaN where there are none (a horizon of ``FOLLOW_DAYS`` or
        less follows none).

    Examples
    --------
    >>> run = {"customer": np.array([0, 0, 1, 1, 2]), "day": np.array([1, 11, 1, 31, 1]),
    ...        "failed": np.array([False, False, True, False, True]), "days": 200}
    >>> result = next_purchase(run)
    >>> result["gap_failed"], result["gap_served"], result["again_failed"]
    (30.0, 10.0, 0.5)
    """
    order = np.lexsort((run["day"], run["customer"]))
    customer, day, failed = (run[key][order] for key in ("customer", "day", "failed"))
    same = customer[1:] == customer[:-1]
    gap = np.append(np.where(same, day[1:] - day[:-1], FOLLOW_DAYS + 1), FOLLOW_DAYS + 1)
    followed = day <= run["days"] - FOLLOW_DAYS
    again = gap <= FOLLOW_DAYS
    result = {}
    for name, kind in (("failed", failed), ("served", ~failed)):
        mine = followed & kind
        result[f"n_{name}"] = float(mine.sum())
        result[f"again_{name}"] = _mean(again[mine])
        result[f"gap_{name}"] = _mean(gap[mine & again])
    return result


def _mean(values: np.ndarray) -> float:
    """Return the mean, or NaN (without a warning) when there are no values."""
    return float(values.mean()) if len(values) else float("nan")


ALL_AWARE = {"brands.0.initial_awareness": 1.0}
"""Every customer knows the brand in the negativity row."""


LIKED = 0.3
"""The experience every customer starts with in the negativity row: an established brand."""


def negativity_pair(seed: np.random.SeedSequence, customers: int, days: int) -> dict[str, Any]:
    """Run the negativity proposition's arms in a market that knows and likes the brand."""
    return negativity_arm(seed, customers, days, changes=ALL_AWARE, liked=LIKED)


RUNS: dict[str, Callable[..., Any]] = {
    "advertising": advertising_pair,
    "price": price_pair,
    "ewom": ewom_pair,
    "wom": wom_pair,
    "negativity": negativity_pair,
    "failure": failure_run,
}
"""The experiments (paired arms, or one run); a row's replication i uses seed i of
``empirical_<run>``."""
