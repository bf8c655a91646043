"""Scenario schema: the parameters of the daily processes and what "engaged" means.

``docs/model.md`` gives every parameter's formula, default and its source or rationale.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from ecosim.scenario.fields import MAX_DAYS, NonNegative, Probability, ScenarioTable

__all__ = ["Criterion", "Dynamics", "Engagement"]

StageName = Literal["consumption", "curation", "creation", "collaboration"]


def _stage_list(values: list[float]) -> list[Probability]:
    return Field(default=values, min_length=len(values), max_length=len(values))


class Dynamics(ScenarioTable):
    """Parameters of the daily processes."""

    # phases 2-3: exposure, attention, experience, consumption
    attention_rate: NonNegative = 0.7
    influencer_weight: NonNegative = 2.0
    cultural_boost: NonNegative = 0.5
    ad_valence: float = Field(default=0.3, ge=-1.0, le=1.0)
    content_experience_weight: Probability = 0.05
    omnichannel_weight: Probability = 0.05
    forgetting_rate: Probability = 0.01
    ad_salience: NonNegative = 0.3
    ad_salience_half_life: float = Field(default=7.0, gt=0.0)
    share_rate: Probability = 0.3
    share_weight: NonNegative = 0.5
    # phase 4: dialogue
    stage_talk: list[Probability] = _stage_list([0.01, 0.05, 0.15, 0.3, 0.3])
    venting_rate: Probability = 0.13
    wom_awareness_rate: NonNegative = 1.0
    wom_experience_weight: Probability = 0.5
    wom_saturation: float = Field(default=0.03, gt=0.0)
    wom_user_weight: Probability = 0.15
    negativity_bias: float = Field(default=1.5, ge=1.0)
    wom_memory_days: int = Field(default=30, ge=1, le=MAX_DAYS)
    stage_review: list[Probability] = _stage_list([0.01, 0.02, 0.05, 0.3, 0.3])
    rating_prior_mean: float = Field(default=4.0, ge=1.0, le=5.0)
    rating_prior_count: float = Field(default=5.0, gt=0.0)
    # phase 5: shopping
    outside_utility: float = 1.5
    experience_weight: NonNegative = 2.0
    price_weight: NonNegative = 6.0
    promotion_weight: NonNegative = 0.5
    rating_weight: NonNegative = 0.3
    inertia: NonNegative = 0.5
    use_experience_weight: Probability = 0.3
    fit_sd: NonNegative = 0.4
    use_noise: NonNegative = 0.3
    stage_basket: list[Annotated[float, Field(gt=0.0)]] = Field(
        default=[1.0, 1.0, 1.05, 1.1, 1.2], min_length=5, max_length=5
    )
    # phase 6: engagement stages, churn and value
    active_window: int = Field(default=90, ge=1, le=MAX_DAYS)
    stage_up: list[Probability] = _stage_list([0.1, 0.3, 0.5])
    stage_down: Probability = 0.005
    cocreation_rate: Probability = 0.02
    churn_rate: Probability = 0.001
    churn_experience_weight: float = Field(default=2.0, ge=0.0, le=100.0)
    winback_rate: Probability = 0.001
    cognitive_window: int = Field(default=30, ge=1, le=MAX_DAYS)
    clv_discount_rate: NonNegative = 0.1
    clv_period_days: int = Field(default=365, ge=1, le=MAX_DAYS)

    @model_validator(mode="after")
    def _bounded_pull(self) -> Dynamics:
        if self.wom_experience_weight * self.negativity_bias > 1.0:
            raise ValueError(
                "wom_experience_weight * negativity_bias must be <= 1 so that experience "
                "stays within [-1, 1]"
            )
        return self


class Criterion(ScenarioTable):
    """At least ``count`` events in the last ``days`` days."""

    count: int = Field(default=1, ge=1, le=20)
    days: int = Field(default=90, ge=1, le=MAX_DAYS)


class Engagement(ScenarioTable):
    """What "engaged" means for this business: any combination of behaviours.

    A customer is engaged with a brand when ``all`` (or ``any``) of the given criteria
    hold: ``purchases`` (purchase frequency), ``referrals`` (positive word of mouth
    spoken), ``reviews`` (reviews written), ``min_stage`` (content creation and beyond).
    The default, when none is named: at least two purchases in 90 days.
    """

    combine: Literal["all", "any"] = "all"
    purchases: Criterion | None = Field(default_factory=lambda: Criterion(count=2, days=90))
    referrals: Criterion | None = None
    reviews: Criterion | None = None
    min_stage: StageName | None = None

    @model_validator(mode="before")
    @classmethod
    def _named_criteria_only(cls, data: object) -> object:
        """Leave out the default's purchases when the business names its own criteria."""
        if not isinstance(data, dict) or "purchases" in data:
            return data
        if any(data.get(k) is not None for k in ("referrals", "reviews", "min_stage")):
            return {**data, "purchases": None}
        return data

    @model_validator(mode="after")
    def _something(self) -> Engagement:
        if not any((self.purchases, self.referrals, self.reviews, self.min_stage)):
            raise ValueError("define at least one of purchases, referrals, reviews, min_stage")
        return self
