"""Outcomes of the ecosystem: what is measured each day and what a run adds up to.

Every day (phase 7) :func:`measure` computes the outcome columns once; the model's Mesa
``DataCollector`` reports them through :func:`outcome` reporters, one row per day. With
several brands, each per-brand outcome also gets a column ``<outcome>__<brand>``; the
plain column is then the total over brands (customers counted once).
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ecosim.population import STAGES

if TYPE_CHECKING:
    from ecosim.model import EcosystemModel
    from ecosim.scenario import Scenario

__all__ = ["FLOWS", "OUTCOMES", "columns", "measure", "outcome", "reporters", "summarize"]

OUTCOMES = {
    "aware_share": "share of customers aware of the brand",
    "adopted_share": "share of customers who have bought the brand at least once",
    "stage_consumption": "share of customers whose highest stage is consumption",
    "stage_curation": "share of customers whose highest stage is curation",
    "stage_creation": "share of customers whose highest stage is creation",
    "stage_collaboration": "share of customers whose highest stage is collaboration",
    "wom_positive": "customers who spoke positively about the brand today",
    "wom_negative": "customers who spoke negatively about the brand today",
    "net_sentiment": "(positive - negative) / (positive + negative) word of mouth today",
    "exposures": "exposures delivered by media and influencers today",
    "mean_experience": "mean experience valence of the customers aware of the brand",
    "purchases": "purchases today",
    "revenue": "money received today (after discounts)",
    "gross_margin": "revenue less the cost of the goods sold today",
    "marketing_cost": "money spent on marketing today",
    "active_customers": "customers whose last purchase is within the active window",
}
"""Outcome columns reported every day, with their meaning."""

FLOWS = (
    "wom_positive",
    "wom_negative",
    "exposures",
    "purchases",
    "revenue",
    "gross_margin",
    "marketing_cost",
)
"""Outcomes that are flows of the day (summed over a run); the others are states."""


def columns(brand_names: list[str]) -> list[str]:
    """Return the time-series columns for a scenario with these brands, in order.

    Examples
    --------
    >>> columns(["a"])[:3]
    ['step', 'aware_share', 'adopted_share']
    >>> columns(["a", "b"])[-1]
    'active_customers__b'
    """
    names = ["step", *OUTCOMES]
    if len(brand_names) > 1:
        names += [f"{outcome}__{brand}" for brand in brand_names for outcome in OUTCOMES]
    return names


def outcome(model: EcosystemModel, name: str) -> float:
    """Read one column of the model's latest measurement (the body of every reporter)."""
    return model.outcomes[name]


def reporters(brand_names: list[str]) -> dict[str, partial]:
    """Model reporters for Mesa's ``DataCollector``, one per column.

    Each is ``functools.partial(outcome, name=column)``: Mesa calls it with the model,
    and, unlike a lambda, it can be pickled to another process.
    """
    return {name: partial(outcome, name=name) for name in columns(brand_names)}


def measure(model: EcosystemModel) -> dict[str, float]:
    """Compute every outcome column for the model's current state and today's flows.

    Parameters
    ----------
    model : EcosystemModel

    Returns
    -------
    dict of str to float
    """
    population, flows = model.population, model.flows
    brands = model.scenario.brand_names
    day = model.steps
    recent = (population.last_purchase >= 0) & (
        day - population.last_purchase < model.scenario.dynamics.active_window
    )
    adopted = population.purchases > 0
    per_brand = {
        "aware_share": population.aware.mean(axis=0),
        "adopted_share": adopted.mean(axis=0),
        "active_customers": recent.sum(axis=0).astype(float),
        "mean_experience": _masked_mean(population.experience, population.aware),
    }
    for s, stage in enumerate(STAGES[1:], start=1):
        per_brand[f"stage_{stage}"] = (population.stage == s).mean(axis=0)
    for name in FLOWS:
        per_brand[name] = np.asarray(flows[name], dtype=float)
    per_brand["net_sentiment"] = _sentiment(per_brand["wom_positive"], per_brand["wom_negative"])
    highest = population.stage.max(axis=1)
    total = {
        "aware_share": population.aware.any(axis=1).mean(),
        "adopted_share": adopted.any(axis=1).mean(),
        "active_customers": float(recent.any(axis=1).sum()),
        "mean_experience": float(
            _masked_mean(population.experience.ravel(), population.aware.ravel())
        ),
        **{f"stage_{stage}": (highest == s).mean() for s, stage in enumerate(STAGES) if s},
        **{name: per_brand[name].sum() for name in FLOWS},
    }
    total["net_sentiment"] = float(_sentiment(total["wom_positive"], total["wom_negative"]))
    result = {"step": day, **{name: float(total[name]) for name in OUTCOMES}}
    if len(brands) > 1:
        for b, brand in enumerate(brands):
            result.update({f"{name}__{brand}": float(per_brand[name][b]) for name in OUTCOMES})
    return result


def _masked_mean(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    counts = mask.sum(axis=0)
    sums = np.where(mask, values, 0.0).sum(axis=0)
    return np.divide(sums, counts, out=np.full(np.shape(sums), np.nan), where=counts > 0)


def _sentiment(positive: np.ndarray, negative: np.ndarray) -> np.ndarray:
    spoken = positive + negative
    return np.divide(positive - negative, spoken, out=np.zeros(np.shape(spoken)), where=spoken > 0)


def summarize(timeseries: pd.DataFrame, scenario: Scenario) -> dict[str, Any]:
    """Return the final and total outcomes of a run.

    Parameters
    ----------
    timeseries : pandas.DataFrame
        The run's daily outcomes (from :func:`ecosim.run`).
    scenario : Scenario
        The scenario that was run.

    Returns
    -------
    dict
        ``final_<outcome>`` for state outcomes on the last day, ``total_<outcome>`` for
        flows summed over the run, and ``roi``: (total gross margin - total marketing
        cost) / total marketing cost (``None`` without marketing cost). With several
        brands, the same per brand under ``brands``.
    """
    brands = scenario.brand_names
    result = _summary(timeseries, "")
    if len(brands) > 1:
        result["brands"] = {brand: _summary(timeseries, f"__{brand}") for brand in brands}
    return result


def _summary(timeseries: pd.DataFrame, suffix: str) -> dict[str, Any]:
    last = timeseries.iloc[-1]
    result: dict[str, Any] = {}
    for name in OUTCOMES:
        column = timeseries[name + suffix]
        if name in FLOWS:
            result[f"total_{name}"] = float(column.sum())
        elif name != "net_sentiment":
            result[f"final_{name}"] = (
                None if pd.isna(last[name + suffix]) else float(last[name + suffix])
            )
    positive, negative = result["total_wom_positive"], result["total_wom_negative"]
    result["net_sentiment"] = float(_sentiment(np.float64(positive), np.float64(negative)))
    cost = result["total_marketing_cost"]
    result["roi"] = (result["total_gross_margin"] - cost) / cost if cost > 0 else None
    return result
