"""Scenario schema: the customers and the segments they belong to."""

from __future__ import annotations

import numpy as np
from pydantic import Field, field_validator, model_validator

from ecosim.scenario.fields import (
    Beta,
    Distribution,
    Gamma,
    Name,
    Probability,
    ScenarioTable,
    check_positive_trait,
    check_unit_trait,
    repeated_names,
)

__all__ = ["Population", "Segment", "segment_sizes"]


class Segment(ScenarioTable):
    """A group of customers who share trait distributions and channel habits.

    Traits are drawn per customer. ``channel_preferences`` gives, per media channel, the
    probability that a customer of the segment uses it (channels not listed: 0.5).
    """

    name: Name
    share: float = Field(gt=0.0, le=1.0)
    ad_receptiveness: Distribution = Field(
        default_factory=lambda: Beta(dist="beta", mean=0.3, sd=0.1)
    )
    talkativeness: Distribution = Field(default_factory=lambda: Beta(dist="beta", mean=0.2, sd=0.1))
    price_sensitivity: Distribution = Field(
        default_factory=lambda: Beta(dist="beta", mean=0.5, sd=0.15)
    )
    need_cycle: Distribution = Field(
        default_factory=lambda: Gamma(dist="gamma", mean=30.0, sd=15.0)
    )
    channel_preferences: dict[Name, Probability] = Field(default_factory=dict)

    _unit = field_validator("ad_receptiveness", "talkativeness", "price_sensitivity")(
        check_unit_trait
    )
    _positive = field_validator("need_cycle")(check_positive_trait)


MAX_SEGMENTS = 32_767
"""The most segments: a customer's segment is held as a 16-bit integer."""


class Population(ScenarioTable):
    """The customers: how many, the segments they belong to, and the price they expect.

    ``reference_price`` is the price customers expect to pay in the category, their
    internal reference price: a brand's price is judged against it (Winer 1986;
    Kalyanaram & Winer 1995). Without it, customers take the mean list price of the
    scenario's brands, so a brand's list price matters only against its competitors'; a
    market with one brand then needs it for its list price to move its sales.
    """

    size: int = Field(ge=2, le=50_000_000)
    reference_price: float | None = Field(default=None, gt=0.0)
    segments: list[Segment] = Field(
        default_factory=lambda: [Segment(name="everyone", share=1.0)],
        min_length=1,
        max_length=MAX_SEGMENTS,
    )

    @model_validator(mode="after")
    def _shares(self) -> Population:
        problems = repeated_names([s.name for s in self.segments], "segment", "segments")
        if "all" in (s.name for s in self.segments):
            problems.append(
                "segments: segment name 'all' is reserved: a campaign action's segment = "
                '"all" reaches every customer; give the segment another name'
            )
        total = sum(s.share for s in self.segments)
        if abs(total - 1.0) > 1e-6:
            problems.append(f"segments: segment shares must sum to 1 (they sum to {total:.6g})")
        if problems:
            raise ValueError("\n".join(problems))
        return self

    def sizes(self) -> np.ndarray:
        """Return each segment's number of customers (:func:`segment_sizes`)."""
        return segment_sizes([s.share for s in self.segments], self.size)


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
