"""Scenario schema: the diffusion rule, for reduced models of the ecosystem.

With ``rule = "ecosystem"`` (the default) every mechanism runs. Any other rule switches
off all mechanisms but advertising and word of mouth, which then follow a classic
diffusion model -- the reductions by which the engine is validated against theory
(``docs/validation.md``).
"""

from __future__ import annotations

import inspect
from collections import Counter
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator

from ecosim.scenario.fields import (
    MAX_DAYS,
    Distribution,
    Name,
    NonNegative,
    Probability,
    ScenarioTable,
    Uniform,
    check_unit_trait,
)

__all__ = ["Diffusion", "InitialSeeds", "SeedingOptions"]

# Scenario field -> keyword argument of the seeding strategies that take it.
_OPTIONS = {"cascade_probability": "p", "simulations": "simulations"}


class SeedingOptions(ScenarioTable):
    """Options of the influence-maximisation seeding strategies.

    They belong to ``diffusion.seeds`` and the campaign's ``seeding`` action.
    ``cascade_probability`` is the independent-cascade edge probability the ``greedy`` and
    ``degree_discount`` strategies assume, ``simulations`` the Monte Carlo samples (live-edge
    graphs) behind every spread estimate of ``greedy``. Omitted: the strategies' defaults,
    0.01 and 100 (Kempe, Kleinberg & Tardos 2003; Chen, Wang & Yang 2009). Giving one to a
    strategy that does not use it is an error.
    """

    cascade_probability: Probability | None = None
    simulations: int | None = Field(default=None, ge=1, le=20_000_000)

    @model_validator(mode="after")
    def _options_fit_the_strategy(self) -> SeedingOptions:
        customers = getattr(self, "customers", None)
        if customers is not None:
            return self._listed(customers)
        given = [name for name in _OPTIONS if getattr(self, name) is not None]
        if not given:
            return self
        from ecosim.seeding import STRATEGIES

        strategy = getattr(self, "strategy", "random")
        if strategy not in STRATEGIES:
            return self  # the scenario reports the unknown strategy
        for name in given:
            if _OPTIONS[name] not in inspect.signature(STRATEGIES[strategy]).parameters:
                users = [
                    other
                    for other, function in STRATEGIES.items()
                    if _OPTIONS[name] in inspect.signature(function).parameters
                ]
                raise ValueError(
                    f"{name}: the {strategy} strategy does not use it (used by: {', '.join(users)})"
                )
        return self

    def _listed(self, customers: list[int]) -> SeedingOptions:
        """Refuse a customer listed twice, and a strategy or its options beside the list."""
        twice = [customer for customer, count in Counter(customers).items() if count > 1]
        if twice:
            raise ValueError(
                f"customers: customer {twice[0]} is listed more than once (expected each "
                "seeded customer once)"
            )
        if getattr(self, "strategy", "random") != "random":
            raise ValueError(
                f"strategy: listed customers are seeded as listed, not by the "
                f"{self.strategy} strategy; leave strategy out, or the list"
            )
        given = [name for name in _OPTIONS if getattr(self, name) is not None]
        if given:
            raise ValueError(
                f"{given[0]}: only a seeding strategy uses it, not a list of customers"
            )
        return self

    def strategy_options(self) -> dict[str, Any]:
        """Return the options given, as keyword arguments of the seeding strategy."""
        return {
            keyword: getattr(self, name)
            for name, keyword in _OPTIONS.items()
            if getattr(self, name) is not None
        }

    def option_problems(self, where: str, size: int) -> list[str]:
        """Problems of the options given the number of customers (``greedy``'s memory)."""
        from ecosim.seeding import MAX_GREEDY_LABELS

        if getattr(self, "strategy", None) != "greedy" or getattr(self, "customers", None):
            return []
        simulations = self.simulations or 100
        if size * simulations <= MAX_GREEDY_LABELS:
            return []
        return [
            f"{where}.simulations: greedy seeding of {size} customers with {simulations} "
            f"simulations needs population.size x simulations <= {MAX_GREEDY_LABELS:.0e} "
            f"(expected at most {MAX_GREEDY_LABELS // size} simulations, or the "
            "degree_discount strategy)"
        ]


class InitialSeeds(SeedingOptions):
    """Who has adopted (or, for ``sis``, is aware) at the start.

    Chosen by a seeding ``strategy`` (``count`` customers or a ``share`` of them, with the
    options of :class:`SeedingOptions`) or listed in ``customers``.
    """

    strategy: Name = "random"
    count: int | None = Field(default=None, ge=1)
    share: float | None = Field(default=None, gt=0.0, le=1.0)
    customers: list[Annotated[int, Field(ge=0)]] | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _one_way_to_choose(self) -> InitialSeeds:
        given = [x is not None for x in (self.count, self.share, self.customers)]
        if sum(given) != 1:
            raise ValueError("give exactly one of count, share or customers")
        return self


RULE_PARAMETERS = {
    "bass": ("p", "q"),
    "independent_cascade": ("edge_probability",),
    "linear_threshold": ("thresholds",),
    "sis": ("infection", "recovery"),
}
"""The parameters each classic diffusion rule reads (the others are inert under it)."""


class Diffusion(ScenarioTable):
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

    On a weighted network (an edge list with a ``weight`` column) ties differ in strength
    ``w``: an edge passes the cascade with probability ``1 - (1 - edge_probability)**w``,
    and adopted shares, threshold shares and aware-neighbour counts are sums of ``w``
    (Goldenberg, Libai & Muller 2001; ``docs/model.md``).

    ``stop_after_quiet_days``: the run stops (Mesa's ``running`` becomes False) once this
    many days in a row have changed no one's adoption (awareness, for ``sis``); the days
    after are not simulated, and the series a run returns carries the stop day's state to
    the horizon with every daily flow 0 (:func:`ecosim.model.carry_to_horizon`).
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
    stop_after_quiet_days: int | None = Field(default=None, ge=1, le=MAX_DAYS)

    _unit = field_validator("thresholds")(check_unit_trait)

    @model_validator(mode="after")
    def _parameters_fit_the_rule(self) -> Diffusion:
        unused = [
            f"{name}: {getattr(self, name)} is read only by rule {rule!r}, and the rule is "
            f"{self.rule!r}: leave {name} out, or set rule = {rule!r}"
            for rule, names in RULE_PARAMETERS.items()
            if rule != self.rule
            for name in names
            if getattr(self, name)
            != type(self).model_fields[name].get_default(call_default_factory=True)
        ]
        if unused:
            raise ValueError("\n".join(unused))
        if self.rule == "ecosystem" and self.seeds is not None:
            raise ValueError(
                "initial seeds belong to reduced models; in the full ecosystem use a "
                "seeding action in the campaign"
            )
        if self.rule == "ecosystem" and self.stop_after_quiet_days is not None:
            raise ValueError(
                "stop_after_quiet_days belongs to reduced models (a diffusion rule other than "
                "ecosystem); the full ecosystem always runs to the horizon"
            )
        return self

    @property
    def reduced(self) -> bool:
        """Whether a classic diffusion rule replaces the ecosystem's mechanisms."""
        return self.rule != "ecosystem"
