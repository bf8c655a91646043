"""Customer value: RFM scores, ABC classes, customer lifetime value and engagement profiles.

These read the population at any day of a run: who bought how recently, how often and
for how much (recency, frequency, monetary value), which customers make most of the
revenue (ABC analysis, the seeds' "identify which segments are more engaged"), what
each customer is worth (CLV after Gupta, Lehmann & Stuart 2004), and how the customers
engaged by the scenario's definition differ from the others (:func:`engagement_profile`,
the seeds' "learn why they are engaged").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ecosim import metrics
from ecosim.errors import InputError
from ecosim.population import NEVER, STAGES, TRAITS
from ecosim.processes.retention import churn_hazard
from ecosim.processes.shopping import purchase_intervals

if TYPE_CHECKING:
    from ecosim.market import Market

__all__ = [
    "VALUE_KEYS",
    "abc_classes",
    "customer_values",
    "engagement_profile",
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
    if np.isnan(values).any():
        raise ValueError("values: a missing value (NaN) has no rank; expected numbers")
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
    if np.isnan(spend).any():
        raise ValueError("spend: a missing value (NaN) has no rank; expected numbers")
    if not 0 < a <= b <= 1:
        raise ValueError(f"expected 0 < a <= b <= 1 (got a = {a:g}, b = {b:g})")
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
    ``future_value`` (:func:`lifetime_value`, discounted to day 0), ``clv`` (their sum);
    then what may explain engagement: ``engaged`` (bool, by the scenario's definition,
    :func:`ecosim.metrics.engaged`), ``stage`` (the Evans stage with the brand, a name of
    :data:`ecosim.population.STAGES`), ``experience`` (the valence of the brand experience,
    -1..1), ``friends`` (contacts in the social network, the degree) and the traits
    ``ad_receptiveness``, ``talkativeness``, ``price_sensitivity`` and ``need_cycle``.

    Parameters
    ----------
    model : Market
    brand : int
        The brand's position in the scenario's ``brands``.

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    InputError
        For a brand that does not exist (:meth:`ecosim.market.Market.brand_index`).
    """
    brand = model.brand_index(brand)
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
            "engaged": metrics.engaged(model)[:, brand],
            "stage": np.asarray(STAGES)[population.stage[:, brand]],
            "experience": population.experience[:, brand],
            "friends": model.network.degree,
            **{trait: getattr(population, trait) for trait in TRAITS},
        }
    )


_PROFILED = (*TRAITS, "friends", "experience")
"""The numeric columns :func:`engagement_profile` compares."""
_SHARES = ("segment", "abc")
"""The class columns whose shares :func:`engagement_profile` compares, one row per class."""


def engagement_profile(values: pd.DataFrame) -> pd.DataFrame:
    """Compare the engaged customers with the others: the seeds' "learn why they are engaged".

    For each trait (``ad_receptiveness``, ``talkativeness``, ``price_sensitivity``,
    ``need_cycle``), ``friends`` and ``experience``, the mean among engaged customers and
    among the others; for each segment and ABC class, its share of each group (rows
    ``segment=<name>`` and ``abc=<class>``). ``cohens_d`` is the difference divided by the
    pooled standard deviation ``sqrt((ss_engaged + ss_others) / (n - 2))``, ``ss`` a
    group's sum of squared deviations from its mean (Cohen's d); a share's is computed the
    same way on its 0/1 indicator. By convention about 0.2 is a small difference, 0.5 a
    medium and 0.8 a large one (Cohen 1988).

    The profile is descriptive: it shows what goes with engagement in the simulated
    population, not what causes it. If engaged customers have more friends, friends' word
    of mouth may engage them, or customers with many contacts may simply hear of the
    brand first, or both; an experiment that changes one cause (``ecosim batch``) tells
    them apart. When engagement is defined by purchases, the ABC shares largely restate
    the definition: engaged customers buy more, so they are class A.

    Parameters
    ----------
    values : pandas.DataFrame
        One brand's :func:`customer_values` (for ``customers.parquet`` of ``ecosim run``
        with several brands, the rows of one ``brand``): at least ``engaged``, the traits,
        ``friends``, ``experience``, ``segment`` and ``abc``.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``variable``; columns ``engaged`` and ``others`` (means or shares),
        ``difference`` (engaged minus others) and ``cohens_d``, sorted by the absolute
        ``cohens_d``, largest first. Means are NaN when a group is empty; ``cohens_d`` is
        NaN with fewer than three customers, 0 for a column without variation and
        infinite when the two groups differ without variation inside either.

    Raises
    ------
    InputError
        If a column is missing, ``values`` holds several brands, or ``engaged`` holds
        other values than True and False (a missing one included).

    References
    ----------
    J. Cohen, Statistical Power Analysis for the Behavioral Sciences, 2nd ed., Lawrence
    Erlbaum (1988).

    Examples
    --------
    >>> values = pd.DataFrame(
    ...     {
    ...         "engaged": [True, True, True, False, False, False],
    ...         "ad_receptiveness": [0.5, 0.7, 0.4, 0.5, 0.4, 0.4],
    ...         "talkativeness": [0.9, 0.8, 0.7, 0.4, 0.3, 0.2],
    ...         "price_sensitivity": [0.2, 0.4, 0.6, 0.7, 0.4, 0.3],
    ...         "need_cycle": [20.0, 30.0, 40.0, 30.0, 45.0, 60.0],
    ...         "friends": [8, 6, 4, 6, 4, 2],
    ...         "experience": [0.6, 0.4, 0.2, 0.4, 0.0, -0.4],
    ...         "segment": ["a", "a", "b", "a", "b", "b"],
    ...         "abc": ["A", "A", "B", "B", "B", "C"],
    ...     }
    ... )
    >>> engagement_profile(values).round(2).head(6)  # doctest: +NORMALIZE_WHITESPACE
                      engaged  others  difference  cohens_d
    variable
    talkativeness        0.80    0.30        0.50      5.00
    abc=A                0.67    0.00        0.67      1.63
    experience           0.40    0.00        0.40      1.26
    need_cycle          30.00   45.00      -15.00     -1.18
    friends              6.00    4.00        2.00      1.00
    ad_receptiveness     0.53    0.43        0.10      0.87
    """
    missing = [c for c in ("engaged", *_PROFILED, *_SHARES) if c not in values.columns]
    if missing:
        raise InputError(
            f"engagement_profile needs the columns of customer_values; missing: "
            f"{', '.join(missing)}"
        )
    brands = pd.unique(values["brand"]) if "brand" in values.columns else []
    if len(brands) > 1:
        raise InputError(
            f"values holds several brands ({', '.join(map(str, brands))}); pass one "
            f"brand's rows, e.g. values[values['brand'] == {str(brands[0])!r}]"
        )
    engaged = values["engaged"]
    if engaged.dtype != bool:  # a nullable or object column: True and False only
        odd = [v for v in engaged if not isinstance(v, bool | np.bool_)]
        if odd:
            raise InputError(
                f"values: column 'engaged': expected True or False for every customer, "
                f"got {odd[0]!r} ({len(odd)} of {len(engaged)} customers)"
            )
    engaged = engaged.to_numpy(dtype=bool)
    columns = {name: values[name].to_numpy(dtype=float) for name in _PROFILED}
    for name in _SHARES:
        labels = values[name].astype(str).to_numpy()
        for label in sorted(set(labels)):
            columns[f"{name}={label}"] = (labels == label).astype(float)
    x = np.column_stack(list(columns.values()))
    means, squares = [], 0.0
    for group in (x[engaged], x[~engaged]):
        mean = group.mean(axis=0) if len(group) else np.full(x.shape[1], np.nan)
        means.append(mean)
        squares = squares + ((group - mean) ** 2).sum(axis=0)
    difference = means[0] - means[1]
    pooled = np.sqrt(squares / (len(x) - 2)) if len(x) > 2 else np.full(x.shape[1], np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        d = np.where(pooled > 0, difference / pooled, np.sign(difference) * np.inf)
    d = np.where(difference == 0, 0.0, d)
    d[np.isnan(pooled) | np.isnan(difference)] = np.nan
    profile = pd.DataFrame(
        {"engaged": means[0], "others": means[1], "difference": difference, "cohens_d": d},
        index=pd.Index(list(columns), name="variable"),
    )
    return profile.iloc[np.argsort(-np.abs(d), kind="stable")]  # NaN last


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
) -> dict[str, dict[str, float | None]]:
    """Return customer value per brand: total CLV, its realised and future parts, A-class share.

    ``tables``: each brand's :func:`customer_values`, if already computed.

    Returns
    -------
    dict
        Brand name to ``total_clv``, ``total_realised_value``, ``total_future_value``,
        ``mean_clv_per_buyer`` (``None`` when no customer bought: a mean over no buyer is
        undefined, not 0) and ``a_class_customers`` (customers in ABC class A).
    """
    totals = {}
    for b, name in enumerate(model.scenario.brand_names):
        table = customer_values(model, b) if tables is None else tables[b]
        buyers = int((table["frequency"] > 0).sum())
        totals[name] = {
            "total_clv": float(table["clv"].sum()),
            "total_realised_value": float(table["realised_value"].sum()),
            "total_future_value": float(table["future_value"].sum()),
            "mean_clv_per_buyer": float(table["clv"].sum() / buyers) if buyers else None,
            "a_class_customers": int((table["abc"] == "A").sum()),
        }
    return totals
