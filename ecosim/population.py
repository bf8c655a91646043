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

__all__ = ["STAGES", "TRAITS", "Population", "draw", "segment_sizes"]

STAGES = ("none", "consumption", "curation", "creation", "collaboration")
"""Evans's (2010) engagement stages; index 0 is a customer not (yet) engaged."""

TRAITS = ("ad_receptiveness", "talkativeness", "price_sensitivity", "need_cycle")
"""Per-customer traits drawn from the segment distributions."""

_BOUNDS = {
    "ad_receptiveness": (0.0, 1.0),
    "talkativeness": (0.0, 1.0),
    "price_sensitivity": (0.0, 1.0),
    "need_cycle": (1.0, np.inf),
}


@dataclass(eq=False)
class Population:
    """The customers' traits and their state with respect to each brand.

    Attributes
    ----------
    segment : ndarray of int16, shape (n,)
        Index of the customer's segment in the scenario.
    ad_receptiveness, talkativeness, price_sensitivity : ndarray of float64, shape (n,)
        Traits in [0, 1].
    need_cycle : ndarray of float64, shape (n,)
        Mean days between category needs (>= 1).
    next_need : ndarray of int32, shape (n,)
        The day on which the customer next needs to buy in the category.
    aware : ndarray of bool, shape (n, n_brands)
        Knows the brand.
    experience : ndarray of float64, shape (n, n_brands)
        Valence of the brand experience, -1 (very negative) .. 1 (very positive).
    fit : ndarray of float64, shape (n, n_brands)
        How well the brand's product suits the customer's taste, added to the valence of
        using it; drawn once from a normal with mean 0 and sd ``fit_sd``.
    stage : ndarray of int8, shape (n, n_brands)
        Engagement stage, an index into :data:`STAGES`.
    purchases : ndarray of int32, shape (n, n_brands)
        Number of purchases so far (frequency).
    spend : ndarray of float64, shape (n, n_brands)
        Money spent so far (monetary value).
    last_purchase : ndarray of int32, shape (n, n_brands)
        Day of the last purchase, -1 if never (recency).
    reached : ndarray of bool, shape (n, n_brands)
        Reached directly by one of the brand's actions at least once.
    exposure : ndarray of float64, shape (n, n_brands)
        Today's effective exposure weight (reset every day).
    engaged_today : ndarray of bool, shape (n, n_brands)
        Consumed the brand's content or bought it today (reset every day).
    """

    segment: np.ndarray
    ad_receptiveness: np.ndarray
    talkativeness: np.ndarray
    price_sensitivity: np.ndarray
    need_cycle: np.ndarray
    next_need: np.ndarray
    aware: np.ndarray
    experience: np.ndarray
    fit: np.ndarray
    stage: np.ndarray
    purchases: np.ndarray
    spend: np.ndarray
    last_purchase: np.ndarray
    reached: np.ndarray
    exposure: np.ndarray
    engaged_today: np.ndarray

    @property
    def n(self) -> int:
        """Number of customers."""
        return len(self.segment)

    @property
    def n_brands(self) -> int:
        """Number of brands."""
        return self.aware.shape[1]

    @classmethod
    def from_scenario(cls, scenario: Scenario, rng: np.random.Generator) -> Population:
        """Draw a population for a scenario.

        Segments get sizes proportional to their shares (largest remainder) and are
        assigned to customers in random order; each trait is drawn from its segment's
        distribution; each brand starts known to a random ``initial_awareness`` share.

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
        segments = scenario.population.segments
        sizes = segment_sizes([s.share for s in segments], n)
        segment = rng.permutation(np.repeat(np.arange(len(segments), dtype=np.int16), sizes))
        traits = {}
        for trait in TRAITS:
            values = np.empty(n)
            for index, spec in enumerate(segments):
                members = segment == index
                low, high = _BOUNDS[trait]
                values[members] = draw(getattr(spec, trait), int(sizes[index]), rng, low, high)
            traits[trait] = values
        next_need = rng.geometric(1.0 / traits["need_cycle"]).astype(np.int32)
        initial = np.array([b.initial_awareness for b in scenario.brands])
        shape = (n, n_brands)
        return cls(
            segment=segment,
            next_need=next_need,
            aware=rng.random(shape) < initial,
            experience=np.zeros(shape),
            fit=rng.normal(0.0, scenario.dynamics.fit_sd, shape),
            stage=np.zeros(shape, dtype=np.int8),
            purchases=np.zeros(shape, dtype=np.int32),
            spend=np.zeros(shape),
            last_purchase=np.full(shape, -1, dtype=np.int32),
            reached=np.zeros(shape, dtype=bool),
            exposure=np.zeros(shape),
            engaged_today=np.zeros(shape, dtype=bool),
            **traits,
        )

    def new_day(self) -> None:
        """Clear today's exposures and engagement marks."""
        self.exposure.fill(0.0)
        self.engaged_today.fill(False)


def segment_sizes(shares: list[float], n: int) -> np.ndarray:
    """Split ``n`` customers by ``shares`` with the largest-remainder method.

    Parameters
    ----------
    shares : list of float
        Shares summing to 1.
    n : int
        Population size.

    Returns
    -------
    ndarray of int64
        Sizes summing exactly to ``n``.

    Examples
    --------
    >>> segment_sizes([0.5, 0.3, 0.2], 7).tolist()
    [4, 2, 1]
    """
    exact = np.asarray(shares, dtype=float) * n
    sizes = np.floor(exact).astype(np.int64)
    remainder = n - sizes.sum()
    order = np.argsort(-(exact - sizes), kind="stable")
    sizes[order[:remainder]] += 1
    return sizes


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
