"""Scenario schema: the social network the customers talk on."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator

from ecosim.scenario.fields import Probability, Spec

__all__ = [
    "BarabasiAlbert",
    "Complete",
    "EdgeList",
    "ErdosRenyi",
    "NetworkSpec",
    "StochasticBlock",
    "WattsStrogatz",
]


class BarabasiAlbert(Spec):
    """Scale-free graph by preferential attachment; ``m`` edges per new customer."""

    kind: Literal["barabasi_albert"]
    m: int = Field(default=3, ge=1, le=1000)


class WattsStrogatz(Spec):
    """Small world: ring of ``k`` nearest neighbours, each edge rewired with probability ``p``."""

    kind: Literal["watts_strogatz"]
    k: int = Field(default=10, ge=2, le=1000)
    p: Probability = 0.1

    @field_validator("k")
    @classmethod
    def _even(cls, k: int) -> int:
        if k % 2:
            raise ValueError(f"k must be even (got {k})")
        return k


class ErdosRenyi(Spec):
    """Random graph G(n, p) with p chosen to give ``mean_degree``."""

    kind: Literal["erdos_renyi"]
    mean_degree: float = Field(default=10.0, gt=0.0)


class StochasticBlock(Spec):
    """Communities: one block per segment, denser within than between."""

    kind: Literal["stochastic_block"]
    mean_degree_within: float = Field(default=8.0, ge=0.0)
    mean_degree_between: float = Field(default=2.0, ge=0.0)


class Complete(Spec):
    """Well-mixed population: everyone hears everyone (held implicitly, O(n))."""

    kind: Literal["complete"]


class EdgeList(Spec):
    """A CSV file of ``source,target`` customer ids, relative to the scenario file."""

    kind: Literal["edge_list"]
    path: str


NetworkSpec = Annotated[
    BarabasiAlbert | WattsStrogatz | ErdosRenyi | StochasticBlock | Complete | EdgeList,
    Field(discriminator="kind"),
]
