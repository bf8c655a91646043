"""Scenario schema: the social network the customers talk on."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator

from ecosim.errors import shortened
from ecosim.scenario.fields import Probability, ScenarioTable
from ecosim.scenario.population import Population

__all__ = [
    "BarabasiAlbert",
    "Complete",
    "EdgeList",
    "ErdosRenyi",
    "NetworkSpec",
    "StochasticBlock",
    "WattsStrogatz",
    "network_problems",
]


class BarabasiAlbert(ScenarioTable):
    """Scale-free graph by preferential attachment; ``m`` edges per new customer."""

    kind: Literal["barabasi_albert"]
    m: int = Field(default=3, ge=1, le=1000)


class WattsStrogatz(ScenarioTable):
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


class ErdosRenyi(ScenarioTable):
    """Random graph G(n, p) with p chosen to give ``mean_degree``."""

    kind: Literal["erdos_renyi"]
    mean_degree: float = Field(default=10.0, gt=0.0)


class StochasticBlock(ScenarioTable):
    """Communities: one block per segment, denser within than between."""

    kind: Literal["stochastic_block"]
    mean_degree_within: float = Field(default=8.0, ge=0.0)
    mean_degree_between: float = Field(default=2.0, ge=0.0)


class Complete(ScenarioTable):
    """Well-mixed population: everyone hears everyone (held implicitly, O(n))."""

    kind: Literal["complete"]


class EdgeList(ScenarioTable):
    """A CSV file of ``source,target`` customer ids, relative to the scenario file.

    With the header ``source,target,weight`` a third column gives each tie's strength.
    The file must name every customer (its highest id is ``population.size - 1``); that
    is checked when the file is read, as the model is built.
    """

    kind: Literal["edge_list"]
    path: str

    @field_validator("path")
    @classmethod
    def _not_a_folder(cls, path: str) -> str:
        if "\x00" in path:
            raise ValueError(f"{shortened(path, 80)!r} cannot be a file name (it holds a NUL)")
        try:
            folder = Path(path).is_dir()
        except OSError as error:  # a name too long
            raise ValueError(
                f"{shortened(path, 80)!r} cannot be a file name ({error.strerror})"
            ) from None
        if folder:
            raise ValueError(f"{path!r} is a folder (expected a CSV file of edges)")
        return path


NetworkSpec = Annotated[
    BarabasiAlbert | WattsStrogatz | ErdosRenyi | StochasticBlock | Complete | EdgeList,
    Field(discriminator="kind"),
]


def network_problems(
    network: BarabasiAlbert | WattsStrogatz | ErdosRenyi | StochasticBlock | Complete | EdgeList,
    population: Population,
) -> list[str]:
    """Problems of network parameters that the population cannot hold, by field path.

    Parameters
    ----------
    network : NetworkSpec
        The scenario's ``network``.
    population : Population
        The scenario's ``population``.

    Returns
    -------
    list of str
        ``"network.<field>: <what was wrong and what was expected>"``, one per problem.

    Examples
    --------
    >>> spec = BarabasiAlbert(kind="barabasi_albert", m=3)
    >>> for part in network_problems(spec, Population(size=3))[0].split(", but "):
    ...     print(part)
    network.m: 3 edges per new customer need more than 3 customers
    population.size is 3 (expected m <= 2)
    """
    size = population.size
    if isinstance(network, BarabasiAlbert) and network.m >= size:
        return [
            f"network.m: {network.m} edges per new customer need more than {network.m} "
            f"customers, but population.size is {size} (expected m <= {size - 1})"
        ]
    if isinstance(network, WattsStrogatz) and network.k >= size:
        return [
            f"network.k: a ring of {network.k} nearest neighbours needs more than {network.k} "
            f"customers, but population.size is {size} (expected k <= {size - 1})"
        ]
    if isinstance(network, ErdosRenyi) and network.mean_degree > size - 1:
        return [
            f"network.mean_degree: {network.mean_degree:g} contacts each need more than "
            f"{network.mean_degree:g} other customers, but population.size is {size} "
            f"(expected mean_degree <= {size - 1})"
        ]
    if isinstance(network, StochasticBlock):
        blocks = len(population.segments)
        block = size / blocks
        problems = []
        if network.mean_degree_within > block - 1:
            problems.append(
                f"network.mean_degree_within: {network.mean_degree_within:g} contacts within "
                f"a community, but each of the {blocks} segments (communities) of "
                f"{size} customers holds about {block:g} "
                f"(expected mean_degree_within <= {max(block - 1, 0):g})"
            )
        if network.mean_degree_between > size - block:
            problems.append(
                f"network.mean_degree_between: {network.mean_degree_between:g} contacts in "
                f"other communities, but the other segments hold about {size - block:g} "
                f"customers (expected mean_degree_between <= {size - block:g}"
                + ("; a single segment has no other community)" if blocks == 1 else ")")
            )
        return problems
    return []
