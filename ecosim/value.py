"""Customer value: RFM scores, ABC classes and customer lifetime value.

These read the population at any day of a run: who bought how recently, how often and
for how much (recency, frequency, monetary value), which customers make most of the
revenue (ABC analysis, the seeds' "identify which segments are more engaged"), and what
each customer is worth (CLV after Gupta, Lehmann & Stuart 2004).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ecosim.population import NEVER
from ecosim.processes.retention import churn_hazard
from ecosim.processes.shopping import purchase_intervals

if TYPE_CHECKING:
    from ecosim.market import Market

__all__ = [
    "VALUE_KEYS",
    "abc_classes",
    "customer_values",
    "lifetime_value",
    "quintile_scores",
    "value_totals",
]


def lifetime_value(margin: np.ndarray, retention: np.ndarray, discount: float) -> np.ndarray:
    """Return the expected lifetime value with constant margin and retention.

    ``CLV = sum_{t>=1} m r**t / (1 + d)**t = m r / (1 + d - r)``: a customer retained
    with probability ``r`` each period brings margin ``m`` per period, discounted at
    rate ``d`` per period (Gupta, Lehmann & Stuart 2004, eq. 2 with constant margin and
    retention). The expected lifetime is ``1 / (1 - r)`` periods.

    Parameters
    ----------
    margin : ndarray
        Margin per period.
    retention : ndarray
        Retention probability per period, in [0, 1).
    discount : float
        Discount rate per period.

    Returns
    -------
    ndarray

    References
    ----------
    S. Gupta, D. R. Lehmann and J. A. Stuart, "Valuing customers", Journal of Marketing
    Research 41 (2004) 7-18.

    Examples
    --------
    >>> lifetime_value(np.array([100.0]), np.array([0.8]), 0.1).round(2).tolist()
    [266.67]
    """
    margin, retention = np.asarray(margin, dtype=float), np.asarray(retention, dtype=float)
    return margin * retention / (1.0 + discount - retention)


def quintile_scores(values: np.ndarray, higher_is_better: bool = True) -> np.ndarray:
    """Score values 1 (worst fifth) to 5 (best fifth) by rank, ties sharing a score.

    Examples
    --------
    >>> quintile_scores(np.array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])).tolist()
    [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    """
    values = np.asarray(values, dtype=float)
    if len(values) == 0:
        return np.empty(0, dtype=np.int8)
    ranks = pd.Series(values if higher_is_better else -values).rank(method="average", pct=True)
    return np.ceil(ranks.to_numpy() * 5).clip(1, 5).astype(np.int8)


def abc_classes(spend: np.ndarray, a: float = 0.8, b: float = 0.95) -> np.ndarray:
    """ABC analysis: rank customers by spend; A make the first ``a`` of revenue, B up to ``b``.

    Customers without spend are class C.

    Examples
    --------
    >>> abc_classes(np.array([50.0, 30.0, 10.0, 6.0, 4.0, 0.0])).tolist()
    ['A', 'A', 'B', 'B', 'C', 'C']
    """
    spend = np.asarray(spend, dtype=float)
    order = np.argsort(-spend, kind="stable")
    total = spend.sum()
    before = np.cumsum(spend[order]) - spend[order]
    share_before = before / total if total > 0 else np.ones_like(before)
    classes = np.where(share_before < a, "A", np.where(share_before < b, "B", "C"))
    classes[spend[order] <= 0] = "C"
    result = np.empty(len(spend), dtype="<U1")
    result[order] = classes
    return result


def customer_values(model: Market, brand: int = 0) -> pd.DataFrame:
    """One row per customer: RFM, ABC class and lifetime value for a brand, today.

    Columns: ``customer``, ``segment``, ``recency`` (days since the last purchase; NaN
    if never), ``frequency``, ``monetary``, ``r_score``, ``f_score``, ``m_score``
    (quintiles among buyers; 0 for non-buyers), ``rfm`` (the three digits, e.g. 545),
    ``abc``,
    ``margin_per_period`` (gross margin per CLV period since the first purchase),
    ``retention`` (per period, from the churn hazard at the customer's experience and their
    average recency over a purchase cycle, half their mean interval between purchases;
    0 if churned),
    ``realised_value`` (margin earned so far, discounted to day 0),
    ``future_value`` (:func:`lifetime_value`, discounted to day 0), ``clv`` (their sum).

    Parameters
    ----------
    model : Market
    brand : int
        Brand index.

    Returns
    -------
    pandas.DataFrame
    """
    population, day = model.population, model.steps
    params, spec = model.scenario.dynamics, model.scenario.brands[brand]
    bought = population.purchases[:, brand] > 0
    last = population.last_purchase[:, brand]
    recency = np.where(bought, day - last, np.nan)
    frequency = population.purchases[:, brand]
    monetary = population.spend[:, brand]
    scores = {}
    for name, values, better in (
        ("r_score", recency, False),
        ("f_score", frequency, True),
        ("m_score", monetary, True),
    ):
        score = np.zeros(population.n, dtype=np.int8)
        score[bought] = quintile_scores(values[bought], better)
        scores[name] = score
    first = population.first_purchase[:, brand]
    observed = (day - np.where(first == NEVER, day, first)) / params.clv_period_days
    margin = monetary - population.units[:, brand] * spec.price * (1.0 - spec.margin)
    per_period = np.where(bought, margin / np.maximum(observed, 1.0), 0.0)
    cycle = np.nan_to_num(purchase_intervals(population, brand), nan=0.0)
    hazard = churn_hazard(population.experience[:, brand], cycle / 2.0, params)
    kept = (1.0 - hazard) ** params.clv_period_days
    retention = np.where(population.churned[:, brand] | ~bought, 0.0, kept)
    today = (1.0 + params.clv_discount_rate) ** (-day / params.clv_period_days)
    future = lifetime_value(per_period, retention, params.clv_discount_rate) * today
    rfm = 100 * scores["r_score"].astype(int) + 10 * scores["f_score"] + scores["m_score"]
    return pd.DataFrame(
        {
            "customer": np.arange(population.n),
            "segment": np.asarray(model.scenario.segment_names)[population.segment],
            "recency": recency,
            "frequency": frequency,
            "monetary": monetary,
            **scores,
            "rfm": rfm,
            "abc": abc_classes(monetary),
            "margin_per_period": per_period,
            "retention": retention,
            "realised_value": population.value[:, brand],
            "future_value": future,
            "clv": population.value[:, brand] + future,
        }
    )


VALUE_KEYS = (
    "total_clv",
    "total_realised_value",
    "total_future_value",
    "mean_clv_per_buyer",
    "a_class_customers",
)
"""The customer-value totals a run's summary reports (see :func:`value_totals`)."""


def value_totals(
    model: Market, tables: list[pd.DataFrame] | None = None
) -> dict[str, dict[str, float]]:
    """Return customer value per brand: total CLV, its realised and future parts, A-class share.

    ``tables``: each brand's :func:`customer_values`, if already computed.

    Returns
    -------
    dict
        Brand name to ``total_clv``, ``total_realised_value``, ``total_future_value``,
        ``mean_clv_per_buyer`` and ``a_class_customers`` (customers in ABC class A).
    """
    totals = {}
    for b, name in enumerate(model.scenario.brand_names):
        table = customer_values(model, b) if tables is None else tables[b]
        buyers = max(int((table["frequency"] > 0).sum()), 1)
        totals[name] = {
            "total_clv": float(table["clv"].sum()),
            "total_realised_value": float(table["realised_value"].sum()),
            "total_future_value": float(table["future_value"].sum()),
            "mean_clv_per_buyer": float(table["clv"].sum() / buyers),
            "a_class_customers": int((table["abc"] == "A").sum()),
        }
    return totals
