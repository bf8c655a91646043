"""Outcomes of the ecosystem: what is measured each day and what a run adds up to.

Every day (phase 7) :func:`measure` computes the outcome columns once; the model's Mesa
``DataCollector`` reports them through :func:`outcome` reporters, one row per day. With
several brands, each outcome also gets a column ``<outcome>__<brand>``; the plain column
is then the total over brands (customers counted once for shares and counts of
customers, summed for flows).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cached_property, partial, reduce
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ecosim.errors import InputError
from ecosim.population import STAGES

if TYPE_CHECKING:
    from ecosim.market import Market
    from ecosim.scenario import Scenario

__all__ = [
    "COUNTS",
    "FLOWS",
    "MONEY",
    "MONEY_UNIT",
    "OUTCOMES",
    "PRESENCE",
    "UNDEFINED",
    "bounds",
    "columns",
    "engaged",
    "is_money",
    "measure",
    "outcome",
    "presence",
    "reporters",
    "sentiment",
    "split_column",
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
    "mean_experience": "mean experience valence of the aware customers (undefined while none is)",
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
    "abandoned_checkouts": (
        "customers who chose the brand and gave up in its purchase process today "
        "(checkout_friction)"
    ),
    "revenue": "money received for products today (after all discounts and rewards)",
    "fee_revenue": "membership fees received today",
    "gross_margin": "revenue less the cost of goods sold, plus membership fees, today",
    "marketing_cost": "money spent on marketing today",
    "service_cost": (
        "cost of priority delivery, answering complaints, proactive notices and self-service today"
    ),
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
COUNTS = frozenset(
    {
        *(name for name in FLOWS if name not in ("gross_margin", "profit")),
        "active_customers",
        "churned_customers",
        "members",
        "points_outstanding",
        "pending_complaints",
    }
)
"""Outcomes that count customers, events or money spent or received: never negative (a
price, a discount's remainder and a reward taken off at most the price are not), unlike
margin and profit, which costs can make negative."""
_BOUNDS = {
    **{
        n: (0.0, 1.0)
        for n in STATES
        if n.endswith("_share") or n.startswith(("stage_", "presence_"))
    },
    "net_sentiment": (-1.0, 1.0),
    "mean_experience": (-1.0, 1.0),
    "rating": (1.0, 5.0),
    **dict.fromkeys(COUNTS, (0.0, np.inf)),
    "share_of_wallet": (0.0, 1.0),
    "cascade_size": (0.0, np.inf),
    "a_class_customers": (0.0, np.inf),
}


UNDEFINED = (
    "roi where a run has no marketing cost, net_sentiment where no one spoke, "
    "mean_clv_per_buyer where no customer bought, a mean where no customer is counted"
)
"""Where a run's outcomes are undefined (missing, not 0), as messages say it."""
MONEY_UNIT = "Rp thousand"
"""The unit of every amount of money: a scenario's prices, costs, fees and budgets, and the
outcomes of :data:`MONEY`."""
MONEY = frozenset(
    {
        *("revenue", "fee_revenue", "gross_margin", "profit", "rewards_value"),
        *("marketing_cost", "service_cost", "programme_cost"),
        *("total_clv", "total_realised_value", "total_future_value", "mean_clv_per_buyer"),
    }
)
"""Outcomes that are amounts of money (in :data:`MONEY_UNIT`): daily flows, whose totals
and last days' values are money too, and a run's customer value."""


def is_money(name: str) -> bool:
    """Whether an outcome is an amount of money, in :data:`MONEY_UNIT`.

    Examples
    --------
    >>> is_money("total_profit"), is_money("revenue__modaku"), is_money("mean_clv_per_buyer")
    (True, True, True)
    >>> is_money("total_purchases"), is_money("roi"), is_money("final_aware_share")
    (False, False, False)
    """
    return _daily(split_column(name)[0]) in MONEY


def _daily(outcome: str) -> str:
    """Return the daily outcome of a run's ``final_`` or ``total_`` outcome, else the name."""
    for prefix in ("final_", "total_"):
        rest = outcome.removeprefix(prefix)
        if rest != outcome and (rest in OUTCOMES or rest.startswith("tier_")):
            return rest
    return outcome


def bounds(name: str) -> tuple[float, float]:
    """Return the lowest and the highest value an outcome can take.

    Parameters
    ----------
    name : str
        A daily column (``aware_share``, ``purchases__modaku``, ``tier_gold``) or an
        outcome of a run's summary (``final_aware_share``, ``total_purchases``,
        ``cascade_size``, ``share_of_wallet__modaku``; see :func:`summarize`).

    Returns
    -------
    tuple of float
        ``(low, high)``: 0 and 1 for shares and presences, -1 and 1 for net sentiment and
        experience valence, 1 and 5 for the rating (review stars), 0 and infinity for
        counts and revenue; minus and plus infinity for margin, profit, ROI and names that
        are not outcomes.

    Examples
    --------
    >>> bounds("final_aware_share"), bounds("total_revenue__modaku"), bounds("total_profit")
    ((0.0, 1.0), (0.0, inf), (-inf, inf))
    """
    outcome = _daily(split_column(name)[0])
    if outcome.startswith("tier_"):
        return 0.0, np.inf
    return _BOUNDS.get(outcome, (-np.inf, np.inf))


def tier_names(scenario: Scenario) -> list[str]:
    """Names of the loyalty tiers of all brands, in order of first appearance."""
    names: list[str] = []
    for brand in scenario.brands:
        tiers = brand.loyalty.tiers
        for level in tiers.levels if tiers else []:
            if level.name not in names:
                names.append(level.name)
    return names


def columns(scenario: Scenario, outcomes: Iterable[str] | str | None = None) -> list[str]:
    """Return the time-series columns of a scenario, in order.

    Parameters
    ----------
    scenario : Scenario
    outcomes : iterable of str or "all", optional
        Report only these outcomes (names of :data:`OUTCOMES` or ``tier_<name>``), in
        the order of :data:`OUTCOMES`; all of them when omitted or ``"all"``.

    Returns
    -------
    list of str
        ``step``, the outcomes, then with several brands ``<outcome>__<brand>`` for each.

    Raises
    ------
    InputError
        If an outcome is not one of the scenario's.

    Examples
    --------
    >>> from ecosim import load_scenario
    >>> columns(load_scenario("scenarios/baseline.toml"))[:3]
    ['step', 'aware_share', 'adopted_share']
    >>> columns(load_scenario("scenarios/baseline.toml"), ["purchases", "aware_share"])
    ['step', 'aware_share', 'purchases']
    """
    known = [*OUTCOMES, *(f"tier_{name}" for name in tier_names(scenario))]
    if isinstance(outcomes, str):
        if outcomes != "all":
            raise InputError("outcomes", [(outcomes, 'expected a list of outcome names or "all"')])
        outcomes = None
    if outcomes is not None:
        names = list(outcomes) if isinstance(outcomes, Iterable) else [outcomes]
        wrong = [name for name in names if not isinstance(name, str)]
        if wrong:
            expected = 'expected a list of outcome names or "all"'
            raise InputError("outcomes", [(repr(wrong[0]), expected)])
        chosen = set(names)
        unknown = sorted(chosen.difference(known))
        if unknown:
            raise InputError(
                "outcomes",
                [
                    (name, f"not an outcome of this scenario (known: {', '.join(known)})")
                    for name in unknown
                ],
            )
        known = [name for name in known if name in chosen]
    names = ["step", *known]
    if len(scenario.brands) > 1:
        names += [f"{name}__{brand}" for brand in scenario.brand_names for name in known]
    return names


def split_column(column: str) -> tuple[str, str]:
    """Return a column's outcome and brand (``""`` for a total over brands).

    Examples
    --------
    >>> split_column("purchases__modaku"), split_column("aware_share")
    (('purchases', 'modaku'), ('aware_share', ''))
    """
    outcome, _, brand = column.partition("__")
    return outcome, brand


def outcome(model: Market, name: str) -> float:
    """Read one column of the model's latest measurement (the body of every reporter)."""
    return model.outcomes[name]


def reporters(column_names: list[str]) -> dict[str, partial]:
    """Model reporters for Mesa's ``DataCollector``, one per column (see :func:`columns`).

    Each is ``functools.partial(outcome, name=column)``: Mesa calls it with the model,
    and, unlike a lambda, it can be pickled to another process.
    """
    return {name: partial(outcome, name=name) for name in column_names}


def engaged(model: Market) -> np.ndarray:
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
            tests.append(history[:, :, 0] > day - criterion.days)  # within the last days
    if definition.min_stage is not None:
        tests.append(population.stage >= STAGES.index(definition.min_stage))
    combine = np.logical_and if definition.combine == "all" else np.logical_or
    return reduce(combine, tests)


def presence(model: Market, components: Iterable[str] | None = None) -> dict[str, np.ndarray]:
    """Patterson, Yu & de Ruyter's (2006) three components of engagement, per customer.

    Physical: ``exp(-days since the last purchase / active_window)``; cognitive:
    ``exp(-days since the brand's content or product was last consumed /
    cognitive_window)``; emotional: the positive part of the experience valence of aware
    customers.

    Parameters
    ----------
    model : Market
    components : iterable of str, optional
        Which of :data:`PRESENCE` to compute; all three when omitted.

    Returns
    -------
    dict of str to ndarray, shape (n, n_brands)
    """
    return {component: PRESENCE[component](model) for component in components or PRESENCE}


def _physical(model: Market) -> np.ndarray:
    days = model.steps - model.population.last_purchase
    return _decay(days, model.scenario.dynamics.active_window)


def _cognitive(model: Market) -> np.ndarray:
    days = model.steps - model.population.last_consumed
    return _decay(days, model.scenario.dynamics.cognitive_window)


def _emotional(model: Market) -> np.ndarray:
    # times the mask: the values of np.where(aware, ..., 0.0), which is several times
    # slower on a large population with a scattered mask
    values = np.maximum(model.population.experience, 0.0)
    values *= model.population.aware
    return values


PRESENCE: dict[str, Callable[[Market], np.ndarray]] = {
    "physical": _physical,
    "cognitive": _cognitive,
    "emotional": _emotional,
}
"""The components of presence, each computed over every customer and brand."""


def _decay(days: np.ndarray, window: float) -> np.ndarray:
    """``exp(-days / window)`` in float32, computed in one new array."""
    values = days.astype(np.float32)
    np.divide(values, np.float32(-window), out=values)
    return np.exp(values, out=values)


class _Today:
    """The day's per-customer quantities several outcomes share, each computed at most once."""

    def __init__(self, model: Market):
        self.model = model
        self.population = model.population
        self.day = model.steps
        self.n = model.population.n
        self._presence: dict[str, np.ndarray] = {}

    @cached_property
    def recent(self) -> np.ndarray:
        window = self.model.scenario.dynamics.active_window
        return self.population.last_purchase > self.day - window

    @cached_property
    def engaged(self) -> np.ndarray:
        return engaged(self.model)

    def presence(self, component: str) -> np.ndarray:
        """One component of presence, computed the first time it is asked for."""
        if component not in self._presence:
            self._presence.update(presence(self.model, [component]))
        return self._presence[component]

    @cached_property
    def indirect(self) -> np.ndarray:
        return self.population.affected & ~self.population.reached

    @cached_property
    def member(self) -> np.ndarray:
        return self.population.member_until >= self.day

    @cached_property
    def adopted(self) -> np.ndarray:
        return self.population.purchases > 0

    @cached_property
    def highest(self) -> np.ndarray:
        return _across(self.population.stage, np.max)

    @cached_property
    def reached(self) -> np.ndarray:
        return _across(self.population.reached, np.any)

    @cached_property
    def ratings(self) -> np.ndarray:
        return self.model.ratings


def _share(today: _Today, customers: np.ndarray) -> float:
    return np.count_nonzero(customers) / today.n


_TOTAL_STATES: dict[str, Callable[[_Today], Any]] = {
    "aware_share": lambda t: _share(t, _across(t.population.aware, np.any)),
    "adopted_share": lambda t: _share(t, _across(t.adopted, np.any)),
    **{f"stage_{s}": (lambda t, i=i: _share(t, t.highest == i)) for i, s in enumerate(STAGES) if i},
    "engaged_share": lambda t: _share(t, _across(t.engaged, np.any)),
    **{f"presence_{k}": (lambda t, k=k: _across(t.presence(k), np.max).mean()) for k in PRESENCE},
    "mean_experience": lambda t: _masked_mean(
        t.population.experience.ravel(), t.population.aware.ravel()
    ),
    "rating": lambda t: float(np.average(t.ratings)),
    "active_customers": lambda t: np.count_nonzero(_across(t.recent, np.any)),
    "churned_customers": lambda t: np.count_nonzero(_across(t.population.churned, np.any)),
    "members": lambda t: np.count_nonzero(_across(t.member, np.any)),
    "reached_share": lambda t: _share(t, t.reached),
    "affected_share": lambda t: _share(t, _across(t.indirect, np.any) & ~t.reached),
}
"""Each state outcome over all brands (a customer counted once)."""

_BRAND_STATES: dict[str, Callable[[_Today], np.ndarray]] = {
    "aware_share": lambda t: t.population.aware.mean(axis=0),
    "adopted_share": lambda t: t.adopted.mean(axis=0),
    **{
        f"stage_{s}": (lambda t, i=i: (t.population.stage == i).mean(axis=0))
        for i, s in enumerate(STAGES)
        if i
    },
    "engaged_share": lambda t: t.engaged.mean(axis=0),
    **{f"presence_{k}": (lambda t, k=k: t.presence(k).mean(axis=0)) for k in PRESENCE},
    "mean_experience": lambda t: _masked_mean(t.population.experience, t.population.aware),
    "active_customers": lambda t: t.recent.sum(axis=0),
    "churned_customers": lambda t: t.population.churned.sum(axis=0),
    "members": lambda t: t.member.sum(axis=0),
    "reached_share": lambda t: t.population.reached.mean(axis=0),
    "affected_share": lambda t: t.indirect.mean(axis=0),
}
"""Each state outcome per brand (with several brands)."""

_BRAND_STOCKS: dict[str, Callable[[_Today], np.ndarray]] = {
    "rating": lambda t: t.ratings,
    "points_outstanding": lambda t: t.population.points.sum(axis=0),
    "pending_complaints": lambda t: np.array([len(b.complaints) for b in t.model.brands]),
}
"""Per-brand stocks whose total is their sum (the rating's is its average)."""


def measure(model: Market) -> dict[str, float]:
    """Compute the model's outcome columns for its current state and today's flows.

    Every daily flow (and so ``net_sentiment``) is always measured; a state outcome only
    if it is one of the model's ``measured`` outcomes (all of them unless the model was
    asked for fewer). The states of single customers are computed once, and per brand
    only when there are several brands (with one, the total is the brand's column).

    Parameters
    ----------
    model : Market

    Returns
    -------
    dict of str to float
        The model's ``column_names`` in order, then the flows it does not report.
    """
    flows, scenario = model.flows, model.scenario
    wanted = model.measured
    several = len(model.brands) > 1
    today = _Today(model)
    per_brand = {name: np.asarray(flows[name], dtype=float) for name in FLOWS}
    per_brand["net_sentiment"] = sentiment(per_brand["wom_positive"], per_brand["wom_negative"])
    per_brand.update(
        {name: formula(today) for name, formula in _BRAND_STOCKS.items() if name in wanted}
    )
    for name in tier_names(scenario):
        if f"tier_{name}" in wanted:
            per_brand[f"tier_{name}"] = np.array(
                [
                    _tier_count(model.population.tier[:, b], brand.spec, name)
                    for b, brand in enumerate(model.brands)
                ]
            )
    if several:
        per_brand.update(
            {name: formula(today) for name, formula in _BRAND_STATES.items() if name in wanted}
        )
    total = {name: formula(today) for name, formula in _TOTAL_STATES.items() if name in wanted}
    for name in per_brand:
        total.setdefault(name, per_brand[name].sum())
    total["net_sentiment"] = sentiment(total["wom_positive"], total["wom_negative"])
    result = {"step": today.day, **{name: float(value) for name, value in total.items()}}
    if several:
        for b, brand in enumerate(scenario.brand_names):
            result.update(
                {f"{name}__{brand}": float(values[b]) for name, values in per_brand.items()}
            )
    reported = {name: result[name] for name in model.column_names}
    return {**reported, **{name: value for name, value in result.items() if name not in reported}}


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
    counts = np.count_nonzero(mask, axis=0) if mask.ndim > 1 else np.count_nonzero(mask)
    sums = (values * mask).sum(axis=0)  # the sums of np.where(mask, values, 0.0), faster
    return np.divide(sums, counts, out=np.full(np.shape(sums), np.nan), where=counts > 0)


def sentiment(positive: Any, negative: Any) -> np.ndarray:
    """Return net sentiment, ``(positive - negative) / (positive + negative)``, 0 where none spoke.

    Examples
    --------
    >>> sentiment(np.array([3.0, 0.0]), np.array([1.0, 0.0]))
    array([0.5, 0. ])
    """
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
        flows summed over the run, ``net_sentiment`` over the run (``None`` when no one
        spoke: undefined, not neutral), ``roi``: (total gross
        margin - total marketing cost) / total marketing cost (``None`` without marketing
        cost), ``cascade_size`` (customers who have adopted, i.e. bought), and, with
        several brands, ``share_of_wallet`` (the brand's share of the
        brands' purchases); per brand under ``brands``. Of a run that reported only
        some outcomes, what its columns give.
    """
    brands = scenario.brand_names
    tiers = [f"tier_{name}" for name in tier_names(scenario)]
    n = scenario.population.size
    result = _summary(timeseries, "", tiers, n)
    if len(brands) > 1:
        result["brands"] = {brand: _summary(timeseries, f"__{brand}", tiers, n) for brand in brands}
        for brand in brands:
            if "total_purchases" in result:
                purchases = result["brands"][brand]["total_purchases"]
                share = purchases / max(result["total_purchases"], 1)
                result["brands"][brand]["share_of_wallet"] = share
    return result


def _summary(timeseries: pd.DataFrame, suffix: str, tiers: list[str], n: int) -> dict[str, Any]:
    last = timeseries.iloc[-1]
    result: dict[str, Any] = {}
    for name in [*STATES, *tiers]:
        if name + suffix in timeseries:
            value = last[name + suffix]
            result[f"final_{name}"] = None if pd.isna(value) else float(value)
    for name in FLOWS:
        if name + suffix in timeseries:
            result[f"total_{name}"] = float(timeseries[name + suffix].sum())
    if {"total_wom_positive", "total_wom_negative"} <= result.keys():
        positive, negative = result["total_wom_positive"], result["total_wom_negative"]
        spoken = positive + negative > 0  # undefined, not neutral, when no one spoke
        net = sentiment(np.float64(positive), np.float64(negative))
        result["net_sentiment"] = float(net) if spoken else None
    if "final_adopted_share" in result:
        result["cascade_size"] = round(result["final_adopted_share"] * n)
    if {"total_gross_margin", "total_marketing_cost"} <= result.keys():
        cost = result["total_marketing_cost"]
        result["roi"] = (result["total_gross_margin"] - cost) / cost if cost > 0 else None
    return result
