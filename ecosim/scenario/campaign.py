"""Scenario schema: the brand actions of the campaign calendar.

Every action belongs to a brand and runs from day ``start`` to day ``end`` inclusive
(days count from 1) for the customers of ``segment`` (or ``all``). ``cost`` is its fixed
cost, charged on its first day; actions that reach customers add variable costs.
``cultural_relevance`` marks a culturally timed action (Ramadan, Lebaran, Harbolnas):
its messages get more attention (see ``docs/model.md``). Each type reads only some of these
shared fields (:attr:`_Action.reads`: a price change is the brand's list price for everyone,
a promotion sends no message to pay attention to); a value other than the default in a field
its type does not read is refused, since it would change nothing.
"""

from __future__ import annotations

import typing
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field, model_validator

from ecosim.scenario.diffusion import SeedingOptions
from ecosim.scenario.fields import (
    MAX_DAYS,
    Day,
    Name,
    NonNegative,
    Probability,
    ScenarioTable,
    field_problem,
)

__all__ = [
    "ACTION_TYPES",
    "PRICES",
    "SHARED_FIELDS",
    "Action",
    "Advertising",
    "Community",
    "DoublePoints",
    "Gamification",
    "InfluencerActivation",
    "Personalisation",
    "PersonalisedReward",
    "PriceChange",
    "ProductLaunch",
    "Promotion",
    "Seeding",
    "ServiceDisruption",
    "SocialPost",
    "Winback",
    "horizon_problem",
    "started_after",
]


SHARED_FIELDS = {"segment": "all", "intensity": 1.0, "cultural_relevance": 0.0}
"""The fields every action has that only some types read, with their defaults."""


class _Action(ScenarioTable):
    brand: Name
    start: Day
    end: Day
    segment: Name | Literal["all"] = "all"
    intensity: Probability = 1.0
    cost: NonNegative = 0.0
    cultural_relevance: Probability = 0.0

    reads: ClassVar[tuple[str, ...]] = tuple(SHARED_FIELDS)
    """The :data:`SHARED_FIELDS` the type reads."""

    @model_validator(mode="after")
    def _ordered(self) -> _Action:
        if self.end < self.start:
            raise ValueError(f"end ({self.end}) must be >= start ({self.start})")
        return self

    @model_validator(mode="after")
    def _shared_fields_read(self) -> _Action:
        for name, default in SHARED_FIELDS.items():
            if name not in self.read_here() and getattr(self, name) != default:
                article = "an" if self.type[0] in "aeiou" else "a"
                kind = (
                    "a sample seeding"
                    if self.type == "seeding"
                    else f"{article} {self.type} action"
                )
                raise field_problem(
                    name,
                    f"{getattr(self, name)!r} would change nothing: {kind} does not read "
                    f"{name} (read by {_readers(name)}); leave it out",
                )
        return self

    def read_here(self) -> tuple[str, ...]:
        """Return the :data:`SHARED_FIELDS` this action reads (its type's :attr:`reads`)."""
        return self.reads

    def runs_on(self, day: int) -> bool:
        """Whether the action is running on ``day``."""
        return self.start <= day <= self.end


class Advertising(_Action):
    """Paid advertising on a media channel.

    Each day it reaches a customer of the segment with probability ``reach x min(intensity
    x the brand's budget-shift scale, 1) x the segment's use of the channel``; each
    exposure costs the channel's ``cost_per_exposure``.
    """

    type: Literal["advertising"]
    channel: Name


class SocialPost(_Action):
    """Content for the brand's followers on a social channel ("organic": not a bought audience).

    It reaches the brand's followers (customers at consumption or above) as advertising
    reaches its audience, and each exposure costs the channel's ``cost_per_exposure``
    like an advertisement's (nothing on a channel without one); those who see it may
    share it with their contacts, who may share it again: ``appeal`` makes content more
    shareable (culturally relevant content more so).
    """

    type: Literal["social_post"]
    channel: Name
    appeal: NonNegative = 1.0


class Promotion(_Action):
    """A price promotion: ``discount`` off the list price for the segment."""

    type: Literal["promotion"]
    discount: Probability

    reads = ("segment",)


class PriceChange(_Action):
    """A new list ``price`` while the action runs."""

    type: Literal["price_change"]
    price: float = Field(gt=0.0)

    reads = ()


class ProductLaunch(_Action):
    """A new product.

    Quality becomes ``quality`` from ``start`` on (if given), launch news reaches a share
    ``reach * intensity`` of the segment each day, and the novelty adds ``novelty *
    intensity`` to the brand's purchase utility while the action runs.
    """

    type: Literal["product_launch"]
    quality: Probability | None = None
    novelty: NonNegative = 0.3
    reach: Probability = 0.05


class InfluencerActivation(_Action):
    """Paid posts by an influencer for the brand."""

    type: Literal["influencer"]
    influencer: Name

    reads = ("intensity", "cultural_relevance")


class Gamification(_Action):
    """Gamification: daily missions, spin wheels.

    Each aware customer plays with probability ``participation * intensity``; playing is
    consumption of the brand, adds ``fun`` to the experience and costs ``reward_cost``.
    """

    type: Literal["gamification"]
    reads = ("segment", "intensity")
    participation: Probability = 0.05
    fun: Probability = 0.02
    reward_cost: NonNegative = 0.5


class Personalisation(_Action):
    """AI-personalised offers to past buyers.

    Offers go to those whose next purchase, predicted from the brand's purchase records,
    is due within ``lookahead`` days: their purchase utility rises by ``lift``; each message costs
    ``cost_per_message`` (marketing cost) and the prediction engine ``running_cost`` a day
    while the action runs (an operating cost, ``programme_cost``, outside the budget).
    """

    type: Literal["personalisation"]
    reads = ("segment", "intensity")
    lift: NonNegative = 0.34
    lookahead: int = Field(default=7, ge=0, le=MAX_DAYS)
    cost_per_message: NonNegative = 0.05
    running_cost: NonNegative = 100.0


class Community(_Action):
    """Invitations to co-create (community, product ideas).

    Customers at curation or above are invited with probability ``intensity``; they
    accept, moving one stage up towards collaboration, with probability ``acceptance``
    times their positive experience.
    """

    type: Literal["community"]
    reads = ("segment", "intensity")
    acceptance: Probability = 0.3
    cost_per_invite: NonNegative = 1.0


class DoublePoints(_Action):
    """Points are earned ``multiplier`` times faster (e.g. on Harbolnas 12.12)."""

    type: Literal["double_points"]
    multiplier: float = Field(default=2.0, ge=1.0)

    reads = ()


class PersonalisedReward(_Action):
    """Bonus points for the segment's recent buyers.

    Feeling valued adds ``appreciation`` to their experience. Costs the points' value.
    """

    type: Literal["personalised_reward"]
    reads = ("segment",)
    bonus_points: float = Field(default=100.0, gt=0.0)
    appreciation: Probability = 0.05


class Seeding(SeedingOptions, _Action):
    """A sampling or ambassador programme, started on ``start``.

    The customers chosen by a seeding ``strategy`` (with the options of
    :class:`~ecosim.scenario.diffusion.SeedingOptions`), or listed in ``customers``, get
    the product (``sample``) or become ambassadors who post about it every day of the
    action (``ambassador``).
    """

    type: Literal["seeding"]
    strategy: Name = "random"
    seeds: int | None = Field(default=None, ge=1)
    seed_share: float | None = Field(default=None, gt=0.0, le=1.0)
    customers: list[Annotated[int, Field(ge=0)]] | None = Field(default=None, min_length=1)
    kind: Literal["sample", "ambassador"] = "sample"
    cost_per_seed: NonNegative = 0.0

    reads = ("intensity",)
    """An ambassador programme's intensity (a sample reads none)."""

    def read_here(self) -> tuple[str, ...]:
        """``intensity`` for ambassadors, who post with that probability; nothing for samples."""
        return self.reads if self.kind == "ambassador" else ()

    @model_validator(mode="after")
    def _one_way_to_choose(self) -> Seeding:
        given = [x is not None for x in (self.seeds, self.seed_share, self.customers)]
        if sum(given) != 1:
            raise ValueError("give exactly one of seeds, seed_share or customers")
        return self


class ServiceDisruption(_Action):
    """An operational failure (a courier strike, a warehouse outage, a payment outage).

    While it lasts, every kind of service incident happens ``multiplier`` times as often
    (at most on every purchase). Not a marketing action: it costs nothing, but how the
    brand handles the complaints it raises is what a service crisis is about.
    """

    type: Literal["service_disruption"]
    multiplier: float = Field(default=5.0, ge=1.0)

    reads = ()


class Winback(_Action):
    """A win-back campaign to churned customers.

    Each day each contacted customer is won back with probability ``response *
    intensity`` at a neutral experience of the brand, more after a good one and less
    after a bad one (:func:`ecosim.processes.retention.winback_response`); each contact
    costs ``cost_per_contact``.
    """

    type: Literal["winback"]
    reads = ("segment", "intensity")
    response: Probability = 0.015
    cost_per_contact: NonNegative = 0.2


Action = Annotated[
    Advertising
    | SocialPost
    | Promotion
    | PriceChange
    | ProductLaunch
    | InfluencerActivation
    | Gamification
    | Personalisation
    | Community
    | DoublePoints
    | PersonalisedReward
    | Seeding
    | ServiceDisruption
    | Winback,
    Field(discriminator="type"),
]
"""One action of the campaign calendar, by its ``type``."""


def _readers(name: str) -> str:
    """Name the action types that read the shared field ``name``, for a message."""
    kinds = [
        "ambassador seeding"
        if kind is Seeding
        else typing.get_args(kind.model_fields["type"].annotation)[0]
        for kind in typing.get_args(typing.get_args(Action)[0])
        if name in kind.reads
    ]
    return ", ".join(kinds[:-1]) + f" and {kinds[-1]}" if len(kinds) > 1 else kinds[0]


ACTION_TYPES = (
    "advertising",
    "social_post",
    "promotion",
    "price_change",
    "product_launch",
    "influencer",
    "gamification",
    "personalisation",
    "community",
    "double_points",
    "personalised_reward",
    "seeding",
    "service_disruption",
    "winback",
)


PRICES = {
    "cost_per_contact": "a contact",
    "cost_per_invite": "an invite",
    "cost_per_message": "a message",
    "cost_per_seed": "a seed",
    "reward_cost": "a reward",
}
"""An action's own prices, paid from its brand's budget as it runs, and what each pays for
(besides a channel's price of an exposure and an influencer's fee)."""


def started_after(actions: list[dict[str, Any]], days: int) -> tuple[list[int], str]:
    """Return the campaign actions (as written) that start after the last day, and in words.

    Such an action runs on no day, and a scenario that holds one does not load: a scenario
    written from runs on a shortened horizon (an optimised plan, a calibrated scenario)
    leaves them out, and says which.

    Examples
    --------
    >>> actions = [{"type": "advertising", "start": 1}, {"type": "price_change", "start": 90}]
    >>> started_after(actions, 60)
    ([1], 'campaign[1] (price change from day 90)')
    """
    found = [a for a, action in enumerate(actions) if action["start"] > days]
    words = ", ".join(
        f"campaign[{a}] ({actions[a]['type'].replace('_', ' ')} from day {actions[a]['start']})"
        for a in found
    )
    return found, words


def horizon_problem(action: _Action, days: int) -> tuple[Literal["beyond", "cut"], str] | None:
    """Say whether an action lies beyond a horizon of ``days`` days or is cut short by it.

    Returns
    -------
    tuple of (str, str) or None
        ``("beyond", message)`` if the action starts after the last day, ``("cut",
        message)`` if it ends after it, None if it runs within the horizon.

    Examples
    --------
    >>> action = Promotion(type="promotion", brand="shop", start=300, end=320, discount=0.1)
    >>> horizon_problem(action, 365) is None
    True
    >>> horizon_problem(action, 310)[0]
    'cut'
    >>> print(horizon_problem(action, 90)[1])
    starts on day 300, after the last day (90): it would never run (expected start <= 90)
    """
    if action.start > days:
        return (
            "beyond",
            f"starts on day {action.start}, after the last day ({days}): it would never run "
            f"(expected start <= {days})",
        )
    if action.end > days:
        return (
            "cut",
            f"ends on day {action.end}, after the last day ({days}): it runs "
            f"{days - action.start + 1} of its {action.end - action.start + 1} days",
        )
    return None
