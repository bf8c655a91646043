"""Customer state as numpy arrays: one row per customer, one column per brand.

The population is a structure of arrays. Traits (drawn once from the segments'
distributions) are vectors of length ``n``; the relationship with each brand is an
``(n, n_brands)`` array. Processes update these arrays in place, vectorised over all
customers; :class:`ecosim.agents.Customer` is a view onto one row.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ecosim.scenario import Beta, Constant, Distribution, Gamma, Normal, Scenario, Uniform
from ecosim.scenario.population import segment_sizes

__all__ = [
    "NEVER",
    "STAGES",
    "TRAITS",
    "TRAIT_BOUNDS",
    "Population",
    "draw",
    "push_event",
    "segment_sizes",
]

STAGES = ("none", "consumption", "curation", "creation", "collaboration")
"""Evans's (2010) engagement stages; index 0 is a customer not (yet) engaged."""

TRAITS = ("ad_receptiveness", "talkativeness", "price_sensitivity", "need_cycle")
"""Per-customer traits drawn from the segment distributions."""

TRAIT_BOUNDS = {
    "ad_receptiveness": (0.0, 1.0),
    "talkativeness": (0.0, 1.0),
    "price_sensitivity": (0.0, 1.0),
    "need_cycle": (1.0, np.inf),
}
"""The range of each trait (draws are clipped to it; a customer view refuses values outside)."""


NEVER = np.iinfo(np.int32).min // 2
"""Day stored for an event that has not happened (far in the past, safe to subtract)."""


@dataclass(eq=False)
class Population:
    """The customers' traits and their state with respect to each brand.

    Per customer, shape ``(n,)``:

    segment : int16
        Index of the customer's segment in the scenario.
    ad_receptiveness, talkativeness, price_sensitivity : float64
        Traits in [0, 1].
    need_cycle : float64
        Mean days between category needs (>= 1).
    next_need : int32
        The day of the customer's next category need.
    last_brand : int16
        The brand bought last (-1: none yet), for inertia and switching.

    Per customer and brand, shape ``(n, n_brands)``:

    aware : bool
        Knows the brand.
    experience : float64
        Valence of the brand experience, -1 (very negative) .. 1 (very positive).
    fit : float64
        How well the product suits the customer's taste (added to the valence of using
        it; drawn once, normal with mean 0 and sd ``fit_sd``).
    stage : int8
        Engagement stage, an index into :data:`STAGES`.
    purchases, spend, units : int32, float64, float64
        Frequency, monetary value and units bought (engaged customers buy more than one
        unit per purchase).
    first_purchase, last_purchase : int32
        Days of the first and the last purchase (:data:`NEVER` if none).
    reached : bool
        Reached directly by one of the brand's actions at least once.
    affected : bool
        Changed (made aware, or experience moved) by other customers' talk or by media
        amplifying it, at least once: the brand's indirect reach.
    churned : bool
        Has defected: does not consider the brand until won back.
    last_consumed : int32
        Day the customer last consumed the brand's content or product.
    last_noticed : int32
        Day the customer last attended to the brand's content (ads, posts, influencers,
        shares): the reminder that makes the brand salient when shopping.
    points, tier, period_spend : float64, int8, float64
        Loyalty points balance; status tier (0: none, i: the i-th level); spend in the
        current tier review period.
    member_until, term_purchases : int32
        Last day of the paid membership term (:data:`NEVER` for non-members); purchases
        in the current term.
    value : float64
        Gross margin earned from the customer, discounted to day 0 (realised value).
    last_channel, last_touch : int8, int32
        Channel of the last advertising exposure (-1: none) and its day (attribution).
    offer_until, offer_lift : int32, float64
        Last day of a personalised offer (:data:`NEVER`: none) and its utility lift.
    heard_wom : int32
        Last day the customer heard word of mouth about the brand (:data:`NEVER`: never).
    last_incident : int32
        Day of the customer's last service incident with the brand (:data:`NEVER`: none);
        equal to ``last_purchase`` when the last purchase failed.

    Event histories, shape ``(n, n_brands, k)`` with ``k`` the count the engagement
    definition needs (0 if unused): ``purchase_days``, ``referral_days``,
    ``review_days`` hold the days of the last ``k`` events, most recent last.

    Today's marks (reset every day): ``exposure`` (float64, effective exposure weight),
    ``engaged_today`` (bool: consumed content or bought), ``channels_today`` (uint64:
    bit ``c`` set when exposed on channel ``c``).
    """

    segment: np.ndarray
    ad_receptiveness: np.ndarray
    talkativeness: np.ndarray
    price_sensitivity: np.ndarray
    need_cycle: np.ndarray
    next_need: np.ndarray
    last_brand: np.ndarray
    aware: np.ndarray
    experience: np.ndarray
    fit: np.ndarray
    stage: np.ndarray
    purchases: np.ndarray
    spend: np.ndarray
    units: np.ndarray
    first_purchase: np.ndarray
    last_purchase: np.ndarray
    reached: np.ndarray
    affected: np.ndarray
    churned: np.ndarray
    last_consumed: np.ndarray
    last_noticed: np.ndarray
    points: np.ndarray
    tier: np.ndarray
    period_spend: np.ndarray
    member_until: np.ndarray
    term_purchases: np.ndarray
    value: np.ndarray
    last_channel: np.ndarray
    last_touch: np.ndarray
    offer_until: np.ndarray
    offer_lift: np.ndarray
    heard_wom: np.ndarray
    last_incident: np.ndarray
    purchase_days: np.ndarray
    referral_days: np.ndarray
    review_days: np.ndarray
    exposure: np.ndarray
    engaged_today: np.ndarray
    channels_today: np.ndarray

    @property
    def n(self) -> int:
        """Number of customers."""
        return len(self.segment)

    @property
    def n_brands(self) -> int:
        """Number of brands."""
        return self.aware.shape[1]

    @classmethod
    def blank(cls, n: int, n_brands: int, history: tuple[int, int, int] = (0, 0, 0)) -> Population:
        """Create ``n`` customers with neutral traits and no history.

        Parameters
        ----------
        n, n_brands : int
            Customers and brands.
        history : tuple of int
            Lengths of the purchase, referral and review histories.

        Returns
        -------
        Population
            Traits 0.5, need cycle 30 days, next need far away, nobody aware.
        """
        shape = (n, n_brands)

        def full(value: float, dtype: type = np.float64) -> np.ndarray:
            return np.full(shape, value, dtype=dtype)

        def days(k: int) -> np.ndarray:
            return np.full((*shape, k), NEVER, dtype=np.int32)

        return cls(
            segment=np.zeros(n, dtype=np.int16),
            ad_receptiveness=np.full(n, 0.5),
            talkativeness=np.full(n, 0.5),
            price_sensitivity=np.full(n, 0.5),
            need_cycle=np.full(n, 30.0),
            next_need=np.full(n, np.iinfo(np.int32).max, dtype=np.int32),
            last_brand=np.full(n, -1, dtype=np.int16),
            aware=full(False, bool),
            experience=full(0.0),
            fit=full(0.0),
            stage=full(0, np.int8),
            purchases=full(0, np.int32),
            spend=full(0.0),
            units=full(0.0),
            first_purchase=full(NEVER, np.int32),
            last_purchase=full(NEVER, np.int32),
            reached=full(False, bool),
            affected=full(False, bool),
            churned=full(False, bool),
            last_consumed=full(NEVER, np.int32),
            last_noticed=full(NEVER, np.int32),
            points=full(0.0),
            tier=full(0, np.int8),
            period_spend=full(0.0),
            member_until=full(NEVER, np.int32),
            term_purchases=full(0, np.int32),
            value=full(0.0),
            last_channel=full(-1, np.int8),
            last_touch=full(NEVER, np.int32),
            offer_until=full(NEVER, np.int32),
            offer_lift=full(0.0),
            heard_wom=full(NEVER, np.int32),
            last_incident=full(NEVER, np.int32),
            purchase_days=days(history[0]),
            referral_days=days(history[1]),
            review_days=days(history[2]),
            exposure=full(0.0),
            engaged_today=full(False, bool),
            channels_today=full(0, np.uint64),
        )

    @classmethod
    def from_scenario(cls, scenario: Scenario, rng: np.random.Generator) -> Population:
        """Draw a population for a scenario.

        Segments get sizes proportional to their shares (largest remainder) and are
        assigned to customers in random order; each trait is drawn from its segment's
        distribution; each customer's first need comes after a geometric number of days
        with mean ``need_cycle``; each brand starts known to a random
        ``initial_awareness`` share; product fit is drawn per customer and brand.

        Parameters
        ----------
        scenario : Scenario
            The validated scenario.
        rng : numpy.random.Generator
            The model's random stream.

        Returns
        -------
        Population
        """
        n, n_brands = scenario.population.size, len(scenario.brands)
        engagement = scenario.engagement
        history = tuple(
            criterion.count if criterion else 0
            for criterion in (engagement.purchases, engagement.referrals, engagement.reviews)
        )
        population = cls.blank(n, n_brands, history)
        segments = scenario.population.segments
        sizes = scenario.population.sizes()
        population.segment = rng.permutation(
            np.repeat(np.arange(len(segments), dtype=np.int16), sizes)
        )
        for trait in TRAITS:
            values = getattr(population, trait)
            low, high = TRAIT_BOUNDS[trait]
            for index, spec in enumerate(segments):
                members = population.segment == index
                values[members] = draw(getattr(spec, trait), int(sizes[index]), rng, low, high)
        population.next_need = rng.geometric(1.0 / population.need_cycle).astype(np.int32)
        initial = np.array([b.initial_awareness for b in scenario.brands])
        population.aware = rng.random((n, n_brands)) < initial
        population.fit = rng.normal(0.0, scenario.dynamics.fit_sd, (n, n_brands))
        return population

    def new_day(self) -> None:
        """Clear today's marks."""
        self.exposure.fill(0.0)
        self.engaged_today.fill(False)
        self.channels_today.fill(0)


def draw(
    dist: Distribution,
    size: int,
    rng: np.random.Generator,
    low: float = -np.inf,
    high: float = np.inf,
) -> np.ndarray:
    """Draw ``size`` values of a trait distribution, clipped to ``[low, high]``.

    Parameters
    ----------
    dist : Constant, Uniform, Beta, Normal or Gamma
        The distribution, as validated by the scenario schema. A beta is given by its
        mean ``m`` and standard deviation ``s``: ``a = m k`` and ``b = (1 - m) k`` with
        ``k = m (1 - m) / s**2 - 1``; a gamma by shape ``(m / s)**2`` and scale ``s**2 / m``.
    size : int
        Number of values.
    rng : numpy.random.Generator
        Random stream.
    low, high : float
        The trait's range; normal draws are clipped to it.

    Returns
    -------
    ndarray of float64

    Examples
    --------
    >>> from ecosim.scenario import Beta
    >>> x = draw(Beta(dist="beta", mean=0.3, sd=0.1), 100_000, np.random.default_rng(1))
    >>> round(float(x.mean()), 2), round(float(x.std()), 2)
    (0.3, 0.1)
    """
    if isinstance(dist, Constant):
        values = np.full(size, dist.value)
    elif isinstance(dist, Uniform):
        values = rng.uniform(dist.low, dist.high, size)
    elif isinstance(dist, Beta):
        k = dist.mean * (1.0 - dist.mean) / dist.sd**2 - 1.0
        values = rng.beta(dist.mean * k, (1.0 - dist.mean) * k, size)
    elif isinstance(dist, Normal):
        values = rng.normal(dist.mean, dist.sd, size)
    elif isinstance(dist, Gamma):
        values = rng.gamma((dist.mean / dist.sd) ** 2, dist.sd**2 / dist.mean, size)
    else:
        raise TypeError(f"unknown distribution {dist!r}")
    return np.clip(values, low, high)


def push_event(days: np.ndarray, rows: np.ndarray, brands: np.ndarray, day: int) -> None:
    """Record an event on ``day`` in the history ``days`` for each (row, brand) pair.

    Parameters
    ----------
    days : ndarray of int32, shape (n, n_brands, k)
        The last ``k`` event days of each customer and brand, most recent last; updated
        in place (the oldest day falls out).
    rows, brands : ndarray of int
        The customers and brands with an event today, each pair at most once.
    day : int
        Today.

    Examples
    --------
    >>> history = np.full((2, 1, 2), NEVER, dtype=np.int32)
    >>> push_event(history, np.array([1]), np.array([0]), 5)
    >>> push_event(history, np.array([1]), np.array([0]), 9)
    >>> history[1, 0].tolist()
    [5, 9]
    """
    if days.shape[2] == 0 or len(rows) == 0:
        return
    days[rows, brands, :-1] = days[rows, brands, 1:]
    days[rows, brands, -1] = day
