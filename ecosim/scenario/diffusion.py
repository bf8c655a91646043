"""Scenario schema: the diffusion rule, for reduced models of the ecosystem.

With ``rule = "ecosystem"`` (the default) every mechanism runs. Any other rule switches
off all mechanisms but advertising and word of mouth, which then follow a classic
diffusion model -- the reductions by which the engine is validated against theory
(``docs/validation.md``).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from ecosim.scenario.fields import (
    Distribution,
    Name,
    NonNegative,
    Probability,
    Spec,
    Uniform,
    check_unit_trait,
)

__all__ = ["Diffusion", "InitialSeeds"]


class InitialSeeds(Spec):
    """Who has adopted (or, for ``sis``, is aware) at the start.

    Chosen by a seeding ``strategy`` (``count`` customers or a ``share`` of them) or
    listed in ``customers``.
    """

    strategy: Name = "random"
    count: int | None = Field(default=None, ge=1)
    share: Probability | None = None
    customers: list[Annotated[int, Field(ge=0)]] | None = None

    @model_validator(mode="after")
    def _one_way_to_choose(self) -> InitialSeeds:
        given = [x is not None for x in (self.count, self.share, self.customers)]
        if sum(given) != 1:
            raise ValueError("give exactly one of count, share or customers")
        return self


class Diffusion(Spec):
    """The diffusion rule and its parameters (per day).

    ``bass``: daily adoption hazard ``p + q * (adopted share of the neighbours)`` (on a
    complete graph, of everyone; Bass 1969). ``independent_cascade``: each newly adopted
    customer gets one chance to convince each neighbour, with ``edge_probability``
    (Goldenberg, Libai & Muller 2001; Kempe, Kleinberg & Tardos 2003).
    ``linear_threshold``: a customer adopts once the adopted share of their neighbours
    (weights ``1 / degree``) reaches their threshold, drawn from ``thresholds`` (Granovetter
    1978). ``sis``: awareness with forgetting -- an unaware customer becomes aware with
    probability ``1 - (1 - infection)**(aware neighbours)``, an aware one forgets with
    probability ``recovery`` (Pastor-Satorras & Vespignani 2001). In every rule a
    customer who notices a brand's advertising adopts (becomes aware, for ``sis``).
    """

    rule: Literal["ecosystem", "bass", "independent_cascade", "linear_threshold", "sis"] = (
        "ecosystem"
    )
    p: Probability = 0.0
    q: NonNegative = 0.0
    edge_probability: Probability = 0.05
    thresholds: Distribution = Field(
        default_factory=lambda: Uniform(dist="uniform", low=0.0, high=1.0)
    )
    infection: Probability = 0.05
    recovery: Probability = 0.1
    seeds: InitialSeeds | None = None

    _unit = field_validator("thresholds")(check_unit_trait)

    @model_validator(mode="after")
    def _seeds_need_a_rule(self) -> Diffusion:
        if self.rule == "ecosystem" and self.seeds is not None:
            raise ValueError(
                "initial seeds belong to reduced models; in the full ecosystem use a "
                "seeding action in the campaign"
            )
        return self

    @property
    def reduced(self) -> bool:
        """Whether a classic diffusion rule replaces the ecosystem's mechanisms."""
        return self.rule != "ecosystem"
