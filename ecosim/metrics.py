"""Outcomes of the ecosystem: what is measured each day and what a run adds up to.

Every day (phase 7) :func:`measure` computes the outcome columns once; the model's Mesa
``DataCollector`` reports them through :func:`outcome` reporters, one row per day. With
several brands, each outcome also gets a column ``<outcome>__<brand>``; the plain column
is then the total over brands (customers counted once for shares and counts of
customers, summed for flows).
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

__all__ = [
    "FLOWS",
    "OUTCOMES",
    "columns",
    "engaged",
    "measure",
    "outcome",
    "presence",
    "reporters",
    "summarize",
    "tier_names",
]

STATES = {
    "aware_share": "share of customers aware of the brand",
    "adopted_share": "share of customers who have bought the brand at least once",
    "stage_consumption": "share of customers whose highest stage is consumption",
    "stage_curation": "share of customers whose highest stage is curation",
    "stage_creation": "share of customers whose highest stage is creation",
    "stage_collaboration": "share of customers whose highest stage is collaboration",
    "engaged_share": "share of customers engaged as the scenario defines it",
    "presence_physical": "mean physical presence: exp(-days since last purchase / active window)",
    "presence_cognitive": "mean cognitive presence: exp(-days since last consumption / window)",
    "presence_emotional": "mean emotional presence: positive experience valence",
    "mean_experience": "mean experience valence of the customers aware of the brand",
    "rating": "average review rating (stars, shrunk towards the prior)",
    "active_customers": "customers whose last purchase is within the active window",
    "churned_customers": "customers who have defected and not come back",
    "members": "paid members",
    "points_outstanding": "loyalty points held by customers",
    "pending_complaints": "complaints not yet answered",
    "reached_share": "share of customers ever reached directly by a brand action",
    "affected_share": "share of customers affected only indirectly (dialogue, media stories)",
}
FLOWS = {
    "exposures": "exposures delivered by media, influencers and the brand today",
    "shares": "customers who shared the brand's posts today",
    "wom_positive": "customers who spoke positively about the brand today",
    "wom_negative": "customers who spoke negatively about the brand today",
    "amplified": "customers shown a media story about the brand trending today",
    "reviews": "reviews written today",
    "purchases": "purchases today",
    "units": "units sold today (engaged customers buy more per purchase)",
    "first_purchases": "customers who bought the brand for the first time today",
    "first_purchases_after_wom": (
        "first purchases by customers who heard word of mouth about the brand in the "
        "previous wom_memory_days days"
    ),
    "switches": "purchases from a customer whose previous purchase was another brand",
    "revenue": "money received for products today (after all discounts and rewards)",
    "fee_revenue": "membership fees received today",
    "gross_margin": "revenue less the cost of goods sold, plus membership fees, today",
    "marketing_cost": "money spent on marketing today",
    "service_cost": "cost of answering complaints, proactive notices and self-service today",
    "programme_cost": "running cost of loyalty programmes and AI personalisation today",
    "profit": "gross margin (with fees) less marketing, service and programme costs today",
    "rewards_value": "money value of the loyalty rewards redeemed today",
    "points_earned": "loyalty points earned today",
    "points_redeemed": "loyalty points redeemed today",
    "incidents": "service incidents today",
    "complaints": "complaints made today",
    "public_complaints": "complaints made in public (social media, reviews) today",
    "answered": "complaints answered today",
    "churned": "customers who defected today",
    "won_back": "customers won back today",
}
OUTCOMES = {
    **STATES,
    "net_sentiment": "(positive - negative) / (positive + negative) today",
    **FLOWS,
}
"""Outcome columns reported every day, with their meaning (loyalty tiers add
``tier_<name>``, the customers in each tier)."""


def tier_names(scenario: Scenario) -> list[str]:
    """Names of the loyalty tiers of all brands, in order of first appearance."""
    names: list[str] = []
    for brand in scenario.brands:
        tiers = brand.loyalty.tiers
        for level in tiers.levels if tiers else []:
            if level.name not in names:
                names.append(level.name)
    return names


def columns(scenario: Scenario) -> list[str]:
    """Return the time-series columns of a scenario, in order.

    Examples
    --------
    >>> from ecosim import load_scenario
    >>> columns(load_scenario("scenarios/baseline.toml"))[:3]
    ['step', 'aware_share', 'adopted_share']
    """
    outcomes = [*OUTCOMES, *(f"tier_{name}" for name in tier_names(scenario))]
    names = ["step", *outcomes]
    if len(scenario.brands) > 1:
        names += [f"{name}__{brand}" for brand in scenario.brand_names for name in outcomes]
    return names


def outcome(model: EcosystemModel, name: str) -> float:
    """Read one column of the model's latest measurement (the body of every reporter)."""
    return model.outcomes[name]


def reporters(scenario: Scenario) -> dict[str, partial]:
    """Model reporters for Mesa's ``DataCollector``, one per column.

    Each is ``functools.partial(outcome, name=column)``: Mesa calls it with the model,
    and, unlike a lambda, it can be pickled to another process.
    """
    return {name: partial(outcome, name=name) for name in columns(scenario)}


def engaged(model: EcosystemModel) -> np.ndarray:
    """Who is engaged with each brand, by the scenario's definition of engagement.

    A criterion "``count`` events in ``days`` days" holds when the ``count``-th most
    recent event happened within the last ``days`` days.

    Returns
    -------
    ndarray of bool, shape (n, n_brands)
    """
    population, day = model.population, model.steps
    definition = model.scenario.engagement
    tests = []
    for criterion, history in (
        (definition.purchases, population.purchase_days),
        (definition.referrals, population.referral_days),
        (definition.reviews, population.review_days),
    ):
        if criterion is not None:
            tests.append(day - history[:, :, 0] < criterion.days)
    if definition.min_stage is not None:
        tests.append(population.stage >= STAGES.index(definition.min_stage))
    combine = np.logical_and if definition.combine == "all" else np.logical_or
    return combine.reduce(tests)


def presence(model: EcosystemModel) -> dict[str, np.ndarray]:
    """Patterson, Yu & de Ruyter's (2006) three components of engagement, per customer.

    Physical: ``exp(-days since the last purchase / active_window)``; cognitive:
    ``exp(-days since the brand's content or product was last consumed /
    cognitive_window)``; emotional: the positive part of the experience valence of aware
    customers.

    Returns
    -------
    dict of str to ndarray, shape (n, n_brands)
    """
    population, day, params = model.population, model.steps, model.scenario.dynamics
    since_purchase = (day - population.last_purchase).astype(np.float32)
    since_consumed = (day - population.last_consumed).astype(np.float32)
    return {
        "physical": np.exp(since_purchase / np.float32(-params.active_window)),
        "cognitive": np.exp(since_consumed / np.float32(-params.cognitive_window)),
        "emotional": np.where(population.aware, np.maximum(population.experience, 0.0), 0.0),
    }


def measure(model: EcosystemModel) -> dict[str, float]:
    """Compute every outcome column for the model's current state and today's flows.

    The states of single customers are computed once: per brand only when there are
    several brands (with one, the total is the brand's column).

    Parameters
    ----------
    model : EcosystemModel

    Returns
    -------
    dict of str to float
    """
    population, flows, day = model.population, model.flows, model.steps
    scenario = model.scenario
    several = len(model.brands) > 1
    recent = day - population.last_purchase < scenario.dynamics.active_window
    is_engaged = engaged(model)
    parts = presence(model)
    indirect = population.affected & ~population.reached
    member = population.member_until >= day
    adopted = population.purchases > 0
    ratings = model.ratings
    per_brand = {
        "rating": ratings,
        "points_outstanding": population.points.sum(axis=0),
        "pending_complaints": np.array([len(b.complaints) for b in model.brands]),
        **{name: np.asarray(flows[name], dtype=float) for name in FLOWS},
    }
    per_brand["net_sentiment"] = _sentiment(per_brand["wom_positive"], per_brand["wom_negative"])
    for name in tier_names(scenario):
        per_brand[f"tier_{name}"] = np.array(
            [
                _tier_count(population.tier[:, b], brand.spec, name)
                for b, brand in enumerate(model.brands)
            ]
        )
    if several:
        per_brand.update(
            {
                "aware_share": population.aware.mean(axis=0),
                "adopted_share": adopted.mean(axis=0),
                **{
                    f"stage_{s}": (population.stage == i).mean(axis=0)
                    for i, s in enumerate(STAGES)
                    if i
                },
                "engaged_share": is_engaged.mean(axis=0),
                **{f"presence_{k}": v.mean(axis=0) for k, v in parts.items()},
                "mean_experience": _masked_mean(population.experience, population.aware),
                "active_customers": recent.sum(axis=0),
                "churned_customers": population.churned.sum(axis=0),
                "members": member.sum(axis=0),
                "reached_share": population.reached.mean(axis=0),
                "affected_share": indirect.mean(axis=0),
            }
        )
    n = population.n
    highest = _across(population.stage, np.max)
    reached = _across(population.reached, np.any)
    total = {
        "aware_share": np.count_nonzero(_across(population.aware, np.any)) / n,
        "adopted_share": np.count_nonzero(_across(adopted, np.any)) / n,
        **{f"stage_{s}": np.count_nonzero(highest == i) / n for i, s in enumerate(STAGES) if i},
        "engaged_share": np.count_nonzero(_across(is_engaged, np.any)) / n,
        **{f"presence_{k}": _across(v, np.max).mean() for k, v in parts.items()},
        "mean_experience": _masked_mean(population.experience.ravel(), population.aware.ravel()),
        "rating": float(np.average(ratings)),
        "active_customers": np.count_nonzero(_across(recent, np.any)),
        "churned_customers": np.count_nonzero(_across(population.churned, np.any)),
        "members": np.count_nonzero(_across(member, np.any)),
        "reached_share": np.count_nonzero(reached) / n,
        "affected_share": np.count_nonzero(_across(indirect, np.any) & ~reached) / n,
    }
    for name in per_brand:
        total.setdefault(name, per_brand[name].sum())
    total["net_sentiment"] = _sentiment(total["wom_positive"], total["wom_negative"])
    result = {"step": day, **{name: float(value) for name, value in total.items()}}
    if several:
        for b, brand in enumerate(scenario.brand_names):
            result.update(
                {f"{name}__{brand}": float(values[b]) for name, values in per_brand.items()}
            )
    return {name: result[name] for name in model.column_names}


def _across(values: np.ndarray, reduce: Any) -> np.ndarray:
    """Reduce ``(n, n_brands)`` values over the brands (``np.any``, ``np.max``).

    With one brand, its column itself (a view): the same values without a pass.
    """
    if values.shape[1] == 1:
        return values[:, 0]
    return reduce(values, axis=1)


def _tier_count(tier: np.ndarray, brand: Any, name: str) -> int:
    tiers = brand.loyalty.tiers
    names = [level.name for level in tiers.levels] if tiers else []
    return int((tier == names.index(name) + 1).sum()) if name in names else 0


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
        flows summed over the run, ``net_sentiment`` over the run, ``roi``: (total gross
        margin - total marketing cost) / total marketing cost (``None`` without marketing
        cost), ``cascade_size`` (customers who have adopted, i.e. bought), and, with
        several brands, ``share_of_wallet`` (the brand's share of the
        brands' purchases); per brand under ``brands``.
    """
    brands = scenario.brand_names
    tiers = [f"tier_{name}" for name in tier_names(scenario)]
    n = scenario.population.size
    result = _summary(timeseries, "", tiers, n)
    if len(brands) > 1:
        result["brands"] = {brand: _summary(timeseries, f"__{brand}", tiers, n) for brand in brands}
        for brand in brands:
            share = result["brands"][brand]["total_purchases"] / max(result["total_purchases"], 1)
            result["brands"][brand]["share_of_wallet"] = share
    return result


def _summary(timeseries: pd.DataFrame, suffix: str, tiers: list[str], n: int) -> dict[str, Any]:
    last = timeseries.iloc[-1]
    result: dict[str, Any] = {}
    for name in [*STATES, *tiers]:
        value = last[name + suffix]
        result[f"final_{name}"] = None if pd.isna(value) else float(value)
    for name in FLOWS:
        result[f"total_{name}"] = float(timeseries[name + suffix].sum())
    positive, negative = result["total_wom_positive"], result["total_wom_negative"]
    result["net_sentiment"] = float(_sentiment(np.float64(positive), np.float64(negative)))
    result["cascade_size"] = round(result["final_adopted_share"] * n)
    cost = result["total_marketing_cost"]
    result["roi"] = (result["total_gross_margin"] - cost) / cost if cost > 0 else None
    return result
