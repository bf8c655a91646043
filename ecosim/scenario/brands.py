"""Scenario schema: brands (offer, loyalty programme, service, reactions), media, influencers."""

from __future__ import annotations

import math
from typing import Annotated, Literal

from pydantic import Field, model_validator

from ecosim.scenario.fields import (
    MAX_DAYS,
    Budget,
    Name,
    NonNegative,
    Probability,
    ScenarioTable,
    repeated_names,
)

__all__ = [
    "Brand",
    "BudgetShift",
    "Channel",
    "CrisisResponse",
    "Incident",
    "Influencer",
    "Loyalty",
    "Membership",
    "Points",
    "Rule",
    "Service",
    "Tier",
    "Tiers",
]


# ---------------------------------------------------------------- loyalty programme


class Points(ScenarioTable):
    """A points card: earn per money spent, redeem a reward at a goal.

    Progress towards the goal lifts the purchase utility by up to ``goal_gradient``
    (Kivetz, Urminsky & Zheng 2006); reaching the goal redeems ``goal`` points for a
    reward worth ``reward_value``, given as a discount on that purchase, and progress
    starts again from the remainder.
    """

    earn_rate: float = Field(default=1.0, gt=0.0)
    goal: float = Field(default=1000.0, gt=0.0)
    reward_value: NonNegative = 15.0
    goal_gradient: NonNegative = 0.3


class Tier(ScenarioTable):
    """A status tier: reached with ``threshold`` spend in a review period.

    Its members get ``discount`` off the price and a utility lift ``utility``. With
    ``priority`` above 0 their orders are fulfilled first (priority dispatch, stock
    reserved for them): that share of the incidents the brand sees coming (the
    ``notifiable`` ones: late deliveries, stock-outs) does not happen to them, at
    ``priority_cost`` a purchase (:func:`ecosim.processes.loyalty.priority`).
    """

    name: Name
    threshold: float = Field(gt=0.0)
    discount: Probability = 0.0
    utility: float = Field(default=0.0, ge=0.0)
    priority: Probability = 0.0
    priority_cost: NonNegative = 10.0


class Tiers(ScenarioTable):
    """Status tiers reviewed every ``review_days`` on the spend of the period.

    A promotion raises the experience by ``promotion_boost``; a demotion lowers it by
    ``loss_aversion * promotion_boost``: demotion hurts more than promotion helps
    (Wagner, Hennig-Thurau & Rudolph 2009). Within a period, progress towards the next
    tier's threshold lifts the purchase utility by up to ``goal_gradient``: customers
    spend to reach or keep a status (Drèze & Nunes 2009, 2011).
    """

    levels: list[Tier] = Field(min_length=1)
    review_days: int = Field(default=180, ge=1, le=MAX_DAYS)
    goal_gradient: NonNegative = 0.3
    promotion_boost: Probability = 0.1
    loss_aversion: float = Field(default=2.0, ge=1.0)

    @model_validator(mode="after")
    def _ascending(self) -> Tiers:
        thresholds = [level.threshold for level in self.levels]
        problems = repeated_names([level.name for level in self.levels], "tier", "levels")
        if thresholds != sorted(set(thresholds)):
            listed = ", ".join(f"{level.name} {level.threshold:g}" for level in self.levels)
            problems.append(
                f"levels: tier thresholds must increase strictly in the order the levels are "
                f"listed (got {listed}; a file that extends another lists its new levels "
                "after the inherited ones)"
            )
        if problems:
            raise ValueError("\n".join(problems))
        return self


class Membership(ScenarioTable):
    """A paid membership: a fee per term for a discount and a larger utility lift.

    Customers weigh the fee against what the membership saves them: ``b``, the purchases in a
    term whose discount repays the fee at the brand's list price. At the end of each term a
    member renews with probability ``1 / (1 + exp(-(renewal_intercept + renewal_usage *
    (purchases_in_term - b) + renewal_experience * experience)))`` or leaves: renewal is a
    churn point. A buyer joins at a purchase with probability ``join_probability`` times
    their positive experience times the same probability, with the purchases they expect in
    a term in place of those made. Members shop more often: free shipping and the fee
    already paid bring ``frequency_lift`` more purchase occasions (Lewis, Singh & Fay 2006
    on shipping fees and purchase incidence).
    """

    fee: NonNegative = 40.0
    frequency_lift: NonNegative = 0.25
    term_days: int = Field(default=90, ge=1, le=MAX_DAYS)
    discount: Probability = 0.05
    utility: float = Field(default=0.4, ge=0.0)
    join_probability: Probability = 0.05
    renewal_intercept: float = 1.0
    renewal_usage: NonNegative = 0.4
    renewal_experience: float = 2.0

    @model_validator(mode="after")
    def _discount_for_a_fee(self) -> Membership:
        if self.fee > 0 and self.discount == 0:
            raise ValueError(
                "discount: a membership with a fee needs a discount (free shipping, member "
                "prices) for customers to weigh the fee against; with 0 nobody would join"
            )
        return self


class Loyalty(ScenarioTable):
    """A brand's loyalty programme; any combination of points, tiers and membership.

    A programme costs ``running_cost`` a day (its platform and operation) and
    ``cost_per_member`` a day for each enrolled customer (one who holds points, a tier or
    a paid membership: statements, messages, customer data), whether or not anyone buys;
    without points, tiers or membership it costs nothing
    (:func:`ecosim.processes.costs.programme_cost`).
    """

    points: Points | None = None
    tiers: Tiers | None = None
    membership: Membership | None = None
    running_cost: NonNegative = 100.0
    cost_per_member: NonNegative = 0.01


# ---------------------------------------------------------------- service


class Incident(ScenarioTable):
    """A kind of service failure: its rate per purchase and how badly it is felt."""

    name: Name
    rate: Probability
    severity: Probability
    notifiable: bool = True


def _default_incidents() -> list[Incident]:
    return [
        Incident(name="late_delivery", rate=0.06, severity=0.3, notifiable=True),
        Incident(name="stock_out", rate=0.02, severity=0.4, notifiable=True),
        Incident(name="defect", rate=0.01, severity=0.7, notifiable=False),
    ]


class Service(ScenarioTable):
    """How a brand's service fails and recovers.

    Incidents happen per purchase. A share ``complaint_rate`` of those affected
    complain, ``public_share`` of them in public (social media, reviews). The brand
    answers after a geometric wait with mean ``response_days`` (public complaints are
    answered at all only with probability ``answer_public``); a share ``self_service``
    is resolved at once. An answer restores ``response_quality * 2**(-wait /
    recovery_halflife)`` of the experience lost. Proactive notices (``proactive_notice``,
    for notifiable incidents) soften the hit by ``notice_softening``. An unanswered public
    complaint is posted again each day with probability ``repost_rate``. Once more than
    ``patience`` days have passed since a complaint, the customer gives up: that day's
    answers still come, then every complaint still open, private or public, is dropped
    unanswered (an answer comes at most ``patience + 1`` days after the complaint).

    Service costs money: each answer costs ``answer_cost`` at the standard level (2-day
    answers of quality 0.6), more for faster and better answers (see
    :func:`ecosim.processes.service.answer_cost`); each proactive notice costs
    ``notice_cost``; self-service costs ``self_service_cost`` a day at full coverage.
    """

    incidents: list[Incident] = Field(default_factory=_default_incidents)
    complaint_rate: Probability = 0.4
    public_share: Probability = 0.25
    response_days: NonNegative = 2.0
    response_quality: Probability = 0.6
    answer_public: Probability = 0.7
    recovery_halflife: float = Field(default=2.0, gt=0.0)
    proactive_notice: Probability = 0.0
    notice_softening: Probability = 0.5
    self_service: Probability = 0.0
    self_service_quality: Probability = 0.6
    repost_rate: Probability = 0.2
    patience: int = Field(default=14, ge=0, le=MAX_DAYS)
    answer_cost: NonNegative = 10.0
    notice_cost: NonNegative = 0.05
    self_service_cost: NonNegative = 100.0

    @model_validator(mode="after")
    def _named_once(self) -> Service:
        problems = repeated_names(
            [incident.name for incident in self.incidents], "incident", "incidents"
        )
        if problems:
            raise ValueError("\n".join(problems))
        return self


# ---------------------------------------------------------------- reactions


class CrisisResponse(ScenarioTable):
    """When complaints trend, respond: faster service and an apology campaign.

    Triggers when the share of customers complaining about the brand in public (what
    social listening sees), averaged over the last 7 days, exceeds ``threshold`` *and*
    is at least ``ratio`` times its mean over the (up to) 28 days before, of which it
    needs at least 7: a crisis is a rise of complaints, not their usual level, so the
    background of complaints does not trip the rule. Lasts ``duration`` days; cannot
    trigger again within ``cooldown`` days of the start.
    """

    type: Literal["crisis_response"]
    threshold: Probability = 0.0002
    ratio: float = Field(default=2.0, ge=1.0)
    duration: int = Field(default=14, ge=1, le=MAX_DAYS)
    cooldown: int = Field(default=60, ge=1, le=MAX_DAYS)
    response_days: NonNegative = 0.5
    apology_channel: Name | None = None
    apology_intensity: Probability = 0.5


class BudgetShift(ScenarioTable):
    """Every ``period`` days, shift advertising towards the channel that sells best.

    The intensity of the advertising on the channel with the most purchases per money
    spent (last-touch attribution within 7 days) grows by ``fraction``; on the channel
    with the fewest it shrinks by ``fraction``.
    """

    type: Literal["budget_shift"]
    period: int = Field(default=30, ge=1, le=MAX_DAYS)
    fraction: Probability = 0.2


Rule = Annotated[CrisisResponse | BudgetShift, Field(discriminator="type")]


# ---------------------------------------------------------------- brand


class Brand(ScenarioTable):
    """A brand: its offer, budget, loyalty programme, service level and reactions.

    ``checkout_friction`` is the share of the customers who choose the brand and give up
    in its purchase process (a long checkout, an account to create, an app that is not
    mobile-first), beyond what the market's purchase rates already contain: 0 is a
    purchase process like the average market's (:func:`ecosim.processes.shopping.abandon`).
    """

    name: Name
    price: float = Field(gt=0.0)
    margin: Probability = 0.3
    quality: Probability = 0.7
    budget: Budget = math.inf
    initial_awareness: Probability = 0.0
    omnichannel_consistency: Probability = 0.8
    checkout_friction: Probability = 0.0
    loyalty: Loyalty = Field(default_factory=Loyalty)
    service: Service = Field(default_factory=Service)
    rules: list[Rule] = Field(default_factory=list)


# ---------------------------------------------------------------- other actors


class Channel(ScenarioTable):
    """A media channel that carries the brands' messages and amplifies what trends.

    ``reach`` is the daily chance that a full-intensity action on the channel reaches a
    customer who uses it; each exposure costs ``cost_per_exposure``, an advertisement's
    and a social post's alike (0: an owned channel, free per exposure). A brand trends when
    the share of customers talking about it (or sharing its posts) in one day exceeds
    ``trend_threshold`` and is at least ``trend_ratio`` times its mean over the previous
    28 days: news is what rises, not what is steady. The channel then shows the story to
    a share ``amplification`` of its users, with the valence of the talk (a post goes
    viral, or a complaint becomes news).
    """

    name: Name
    reach: Probability
    cost_per_exposure: NonNegative = 0.0
    amplification: Probability = 0.0
    trend_threshold: Probability = 0.01
    trend_ratio: float = Field(default=2.0, ge=1.0)


class Influencer(ScenarioTable):
    """An influencer whom brands can activate.

    A share ``audience_share`` of the customers follows the influencer; a share
    ``overlap`` of those followers is drawn from the audiences of the influencers listed
    before it. A share ``reach`` of the followers sees a post; ``credibility`` scales the
    weight of what they say; ``fee`` is paid per day of activation.
    """

    name: Name
    audience_share: float = Field(gt=0.0, le=1.0)
    reach: Probability = 0.2
    credibility: Probability = 0.7
    fee: NonNegative = 0.0
    overlap: Probability = 0.0
