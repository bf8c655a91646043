"""The customer engagement ecosystem as a Mesa model.

One step is one day. Its phases follow Maslowska, Malthouse & Collinger (2016):
brand actions reach customers through media and influencers, shape their experience and
brand consumption, spread as dialogue on the social network, drive shopping, and move
customers along Evans's (2010) engagement stages; phase 7 records the outcomes.

Examples
--------
>>> from ecosim import EcosystemModel
>>> model = EcosystemModel("scenarios/baseline.toml", rng=1, customers=500)
>>> model.step()
>>> model.steps
1
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import mesa
import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from ecosim import network as graphs
from ecosim.agents import Brand, Customer, Influencer, Media
from ecosim.metrics import FLOWS, measure, reporters
from ecosim.population import Population
from ecosim.processes.brand_actions import discount_table
from ecosim.processes.dialogue import speak, word_of_mouth
from ecosim.processes.engagement import move_stages
from ecosim.processes.experience import consume_content, forget
from ecosim.processes.shopping import shop
from ecosim.scenario import (
    BarabasiAlbert,
    Complete,
    EdgeList,
    ErdosRenyi,
    Scenario,
    StochasticBlock,
    WattsStrogatz,
    apply_overrides,
    load_scenario,
    validate_scenario,
)

__all__ = ["EcosystemModel", "build_network", "resolve_scenario", "run"]


class EcosystemModel(mesa.Model):
    """Customers, brands, media and influencers interacting on a social network.

    Parameters
    ----------
    scenario : Scenario, str or Path
        A validated scenario or the path of a scenario TOML file.
    rng : int or numpy.random.Generator, optional
        Seed of the run's single random stream (Mesa's ``rng``); the scenario's ``seed``
        when omitted.
    customers : int, optional
        Override the population size.
    days : int, optional
        Override the horizon; the model stops running after this many steps.
    overrides : dict, optional
        Scenario fields by dotted path (see :func:`ecosim.load_scenario`).

    Attributes
    ----------
    scenario : Scenario
    population : Population
        Customer state (numpy arrays).
    network : SocialNetwork
        The social graph (CSR arrays).
    brands, media, influencers : mesa.AgentSet
    flows : dict of str to ndarray
        Today's per-brand flows (exposures, purchases, word of mouth...).
    outcomes : dict of str to float
        The latest day's outcome columns.
    datacollector : mesa.DataCollector
        One row per day; row 0 is the initial state.
    """

    def __init__(
        self,
        scenario: Scenario | str | Path,
        rng: int | np.random.Generator | None = None,
        *,
        customers: int | None = None,
        days: int | None = None,
        overrides: dict[str, Any] | None = None,
    ):
        self.scenario = resolve_scenario(
            scenario, customers=customers, days=days, overrides=overrides
        )
        super().__init__(rng=self.scenario.seed if rng is None else rng)
        self.population = Population.from_scenario(self.scenario, self.rng)
        self.network = build_network(self.scenario, self.population.segment, self.rng)
        segments = self.population.segment
        self.segment_members = [
            np.flatnonzero(segments == s) for s in range(len(self.scenario.population.segments))
        ]
        self._customer_views: list[Customer] = []
        self.brands = Brand.create_agents(
            self,
            len(self.scenario.brands),
            self.scenario.brands,
            list(range(len(self.scenario.brands))),
        )
        self.media = Media.create_agents(self, len(self.scenario.channels), self.scenario.channels)
        n = self.population.n
        audiences = [
            np.sort(self.rng.choice(n, max(1, round(spec.audience_share * n)), replace=False))
            for spec in self.scenario.influencers
        ]
        self.influencers = Influencer.create_agents(
            self, len(audiences), self.scenario.influencers, audiences
        )
        self._price = np.array([b.price for b in self.scenario.brands])
        self._unit_cost = np.array([b.price * (1.0 - b.margin) for b in self.scenario.brands])
        self._quality = np.array([b.quality for b in self.scenario.brands])
        self.flows = self._new_flows()
        self.outcomes = measure(self)
        self.datacollector = mesa.DataCollector(
            model_reporters=reporters(self.scenario.brand_names)
        )
        self.datacollector.collect(self)

    # ------------------------------------------------------------ customers as agents

    @property
    def customers(self) -> mesa.AgentSet:
        """All customers as :class:`~ecosim.agents.Customer` views (created on first use)."""
        if not self._customer_views:
            n = self.population.n
            self._customer_views = list(Customer.create_agents(self, n, np.arange(n)))
        return super().agents_by_type[Customer]

    @property
    def agents(self) -> mesa.AgentSet:
        """All agents, customers included (see :attr:`customers`)."""
        _ = self.customers
        return super().agents

    @property
    def agents_by_type(self) -> dict[type, mesa.AgentSet]:
        """Agents by class, customers included (see :attr:`customers`)."""
        _ = self.customers
        return super().agents_by_type

    def customer(self, row: int) -> Customer:
        """Return the customer at ``row`` (its node in the network)."""
        if not 0 <= row < self.population.n:
            raise IndexError(f"customer {row} does not exist (0..{self.population.n - 1})")
        _ = self.customers
        return self._customer_views[row]

    def run(self, progress: bool = False) -> pd.DataFrame:
        """Step to the end of the horizon and return the daily outcomes.

        Parameters
        ----------
        progress : bool
            Show a progress bar (only on a terminal).

        Returns
        -------
        pandas.DataFrame
            See :meth:`timeseries`.
        """
        remaining = self.scenario.days - self.steps
        for _ in tqdm(
            range(remaining), disable=None if progress else True, unit="day", leave=False
        ):
            self.step()
        return self.timeseries()

    def timeseries(self) -> pd.DataFrame:
        """Return the outcomes collected so far, one row per day (``step`` 0: initial state)."""
        frame = self.datacollector.get_model_vars_dataframe().reset_index(drop=True)
        return frame.astype({"step": "int64"})

    def segment_indices(self, segment: str) -> list[int]:
        """Return the indices of the segments a campaign's ``segment`` field targets."""
        names = [s.name for s in self.scenario.population.segments]
        return list(range(len(names))) if segment == "all" else [names.index(segment)]

    # ------------------------------------------------------------ one day

    def step(self) -> None:
        """Simulate one day: the seven phases in order."""
        day = self.steps
        params, rng, population = self.scenario.dynamics, self.rng, self.population
        population.new_day()
        self.flows = self._new_flows()
        self.brands.do("step")
        self.media.do("step")
        self.influencers.do("step")
        self.flows.update(consume_content(population, params, rng))
        self.flows["forgot"] = forget(population, day, params, rng)
        positive, negative = speak(population, params, rng)
        self.flows.update(word_of_mouth(population, self.network, positive, negative, params, rng))
        self.flows.update(
            shop(population, day, self._price, self._quality, self._discounts(), params, rng)
        )
        self.flows["gross_margin"] = (
            self.flows["revenue"] - self.flows["purchases"] * self._unit_cost
        )
        self.flows["marketing_cost"] = np.array(self.brands.get("spent_today"))
        self.flows.update(move_stages(population, params, rng))
        self.outcomes = measure(self)
        self.datacollector.collect(self)
        self.running = day < self.scenario.days

    def _discounts(self) -> np.ndarray:
        promotions = [
            (brand.index, action)
            for brand in self.brands
            for action in brand.active
            if action.type == "promotion"
        ]
        segments = [s.name for s in self.scenario.population.segments]
        return discount_table(promotions, len(self.scenario.brands), segments)

    def _new_flows(self) -> dict[str, np.ndarray]:
        return {name: np.zeros(len(self.scenario.brands)) for name in FLOWS}


def resolve_scenario(
    scenario: Scenario | str | Path,
    *,
    customers: int | None = None,
    days: int | None = None,
    overrides: dict[str, Any] | None = None,
) -> Scenario:
    """Load (or re-validate) a scenario with overrides and the common shortcuts applied.

    Parameters
    ----------
    scenario : Scenario, str or Path
    customers, days : int, optional
        Shortcuts for ``population.size`` and ``days``.
    overrides : dict, optional
        Values by dotted field path.

    Returns
    -------
    Scenario
    """
    overrides = dict(overrides or {})
    if customers is not None:
        overrides["population.size"] = customers
    if days is not None:
        overrides["days"] = days
    if isinstance(scenario, Scenario):
        if not overrides:
            return scenario
        data = apply_overrides(scenario.model_dump(), overrides)
        return validate_scenario(data, source=f"scenario {scenario.name!r}")
    return load_scenario(scenario, overrides)


def build_network(
    scenario: Scenario, segment: np.ndarray, rng: np.random.Generator
) -> graphs.SocialNetwork:
    """Build the scenario's social network on ``population.size`` customers.

    For a stochastic block network each segment is one community; the edge probabilities
    give the requested mean degrees within and between communities exactly when the
    segments are of equal size.

    Parameters
    ----------
    scenario : Scenario
    segment : ndarray of int
        Each customer's segment index.
    rng : numpy.random.Generator

    Returns
    -------
    SocialNetwork
    """
    n, spec = scenario.population.size, scenario.network
    if isinstance(spec, BarabasiAlbert):
        return graphs.barabasi_albert(n, spec.m, rng)
    if isinstance(spec, WattsStrogatz):
        return graphs.watts_strogatz(n, spec.k, spec.p, rng)
    if isinstance(spec, ErdosRenyi):
        return graphs.erdos_renyi(n, spec.mean_degree, rng)
    if isinstance(spec, Complete):
        return graphs.complete(n)
    if isinstance(spec, EdgeList):
        return graphs.read_edge_list(spec.path, n)
    if isinstance(spec, StochasticBlock):
        sizes = np.bincount(segment, minlength=len(scenario.population.segments))
        size = n / len(sizes)
        p_in = min(spec.mean_degree_within / max(size - 1, 1), 1.0)
        p_out = min(spec.mean_degree_between / max(n - size, 1), 1.0)
        blocks = graphs.stochastic_block(sizes, p_in, p_out, rng)
        customer = np.argsort(segment, kind="stable")
        source, target = blocks.edges_from(np.arange(n))
        return graphs.SocialNetwork.from_edges(customer[source], customer[target], n)
    raise TypeError(f"unknown network kind {spec!r}")


def run(
    scenario: Scenario | str | Path,
    *,
    days: int | None = None,
    seed: int | np.random.Generator | None = None,
    customers: int | None = None,
    overrides: dict[str, Any] | None = None,
    progress: bool = False,
) -> pd.DataFrame:
    """Run a scenario and return its daily outcomes.

    Parameters
    ----------
    scenario : Scenario, str or Path
        A validated scenario or the path of a scenario TOML file.
    days : int, optional
        Horizon; the scenario's ``days`` when omitted.
    seed : int or numpy.random.Generator, optional
        Random seed; the scenario's ``seed`` when omitted.
    customers : int, optional
        Population size; the scenario's when omitted.
    overrides : dict, optional
        Scenario fields by dotted path.
    progress : bool
        Show a progress bar (on a terminal).

    Returns
    -------
    pandas.DataFrame
        One row per day (``step`` 0 is the initial state), the columns of
        :func:`ecosim.metrics.columns`.

    Examples
    --------
    >>> import ecosim
    >>> df = ecosim.run("scenarios/baseline.toml", days=10, customers=1000, seed=3)
    >>> len(df), int(df["step"].iloc[-1])
    (11, 10)
    """
    model = EcosystemModel(scenario, rng=seed, customers=customers, days=days, overrides=overrides)
    return model.run(progress=progress)
