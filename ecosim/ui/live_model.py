"""The model as the web app drives it: settings by field path, a watched customer, safe resets.

The page rebuilds the model on Reset as ``LiveModel(**parameters)``, with one
keyword per control. :class:`LiveModel` accepts the scenario's fields by dotted path as
keywords, so every control generated from the schema maps onto one field. A setting the
schema rejects does not break the page: the model is built from the scenario as written and
:attr:`LiveModel.problem` holds the message for the page to show.
"""

from __future__ import annotations

import copy
import math
import re
import threading
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ecosim.diffusion_model import DiffusionModel
from ecosim.model import EcosystemModel, resolve_scenario
from ecosim.network import EdgeListError, read_edge_list
from ecosim.scenario import EdgeList, Engagement, Scenario, ScenarioError
from ecosim.scenario.loading import scenario_notices
from ecosim.ui.calendar import todays_events
from ecosim.ui.layout import NetworkSample, laid_out

__all__ = [
    "ENGAGED",
    "OWN_DEFINITION",
    "SPENT_SHARE",
    "LiveDiffusionModel",
    "LiveModel",
    "configure",
    "engaged_choice",
    "mean_degree",
    "network_table",
]


SPENT_SHARE = 0.01
"""A brand's budget counts as spent once less than this share of it is left."""
_QUARTER = {"count": 1, "days": 90}
ENGAGED = {
    "purchases": ("buys at least twice in 90 days", {"purchases": {"count": 2, "days": 90}}),
    "referrals": ("recommends the brand in 90 days", {"referrals": _QUARTER}),
    "reviews": ("writes a review in 90 days", {"reviews": _QUARTER}),
    "creation": ("creates content or collaborates", {"min_stage": "creation"}),
    "any": (
        "does any of these",
        {
            "combine": "any",
            "purchases": {"count": 2, "days": 90},
            "referrals": _QUARTER,
            "reviews": _QUARTER,
            "min_stage": "creation",
        },
    ),
}
"""The definitions of "engaged" the app offers, by name: their words on the page and their
``[engagement]`` table. Defining engagement for one's business is the seeds' first
strategic step: purchase frequency for a repeat-purchase business, referrals or reviews for
another (``docs/model.md``, "Engagement as the business defines it")."""
OWN_DEFINITION = "scenario"
"""The name of a scenario's own definition of "engaged", when it is none of :data:`ENGAGED`."""


class _Live:
    """What the web app adds to a model: settings by field path, a watched customer, turns.

    See :class:`LiveModel`; :class:`LiveDiffusionModel` is the same for a reduced model.
    Either measures every outcome (the funnel and the ecosystem view read them all).

    Parameters
    ----------
    scenario : Scenario, str or Path
        The scenario the controls change.
    rng : int or numpy.random.Generator, optional
        Seed; the scenario's ``seed`` when omitted.
    customers, days : int, optional
        Population size and horizon.
    network : str, optional
        Network kind (``barabasi_albert``, ``watts_strogatz``...); the scenario's when omitted.
    friends : float, optional
        Mean number of contacts per customer; set through the kind's own parameter (see
        :func:`network_table`).
    engaged : str, optional
        What "engaged" means: a name of :data:`ENGAGED`; the scenario's own definition when
        omitted or :data:`OWN_DEFINITION`.
    **kwargs
        Scenario fields by dotted path, e.g. ``{"brands.tokoku.price": 135}``.

    Attributes
    ----------
    problem : str or None
        Why the settings could not be used (the model then runs the scenario as written).
    notices : list of str
        What reading the scenario run warned of (actions the horizon leaves out or cuts
        short, actions no budget pays, segments with no customer), for the page to show.
    spent : dict of str to int
        The day each brand had spent all but :data:`SPENT_SHARE` of its budget, from then on
        its paid actions stop or reach fewer customers.
    watched : int or None
        The customer whose state is recorded after every step.
    history : list of dict
        The watched customer's state (:meth:`ecosim.agents.Customer.state`) with its
        ``step``, from the step it was picked.
    events : dict of str to list of int
        The days of each notable event (:data:`ecosim.ui.calendar.EVENT_FLOWS`) so far.

    Notes
    -----
    While the app plays, Mesa steps the model in one thread and the views draw it in
    another: a step and :meth:`timeseries` take turns, so a view never reads the outcomes
    of a day half recorded.
    """

    def __init__(
        self,
        scenario: Scenario | str | Path,
        rng: int | np.random.Generator | None = None,
        *,
        customers: int | None = None,
        days: int | None = None,
        network: str | None = None,
        friends: float | None = None,
        engaged: str | None = None,
        **kwargs: Any,
    ):
        configured, problem = configure(
            scenario, customers, days, network, friends, kwargs, engaged=engaged
        )
        super().__init__(configured, rng, outcomes="all")
        self._turn = threading.RLock()
        self.problem = problem
        self.notices = scenario_notices(configured)
        self.spent: dict[str, int] = {}
        self.watched: int | None = None
        self.history: list[dict[str, Any]] = []
        self.events: dict[str, list[int]] = {}
        self._series: tuple[int, pd.DataFrame] | None = None

    @cached_property
    def network_sample(self) -> NetworkSample:
        """The customers the network view draws, laid out on first use.

        Drawn with its own random stream (from the scenario's seed), so looking at the
        network never changes the simulation; shared by the models of every session with
        the same network and seed (:func:`~ecosim.ui.layout.laid_out`).
        """
        return laid_out(self.network, self.scenario.seed)

    def watch(self, row: int | None) -> None:
        """Follow customer ``row`` from now on (``None``: nobody); its history starts today.

        Raises
        ------
        IndexError
            If there is no such customer.
        """
        self.history = []
        self.watched = None if row is None else self.customer(row).row
        if self.watched is not None:
            self._record()

    def step(self) -> None:
        """Simulate one day, then record the day's notable events and the watched customer."""
        with self._turn:
            super().step()
            for label in todays_events(self.flows):
                self.events.setdefault(label, []).append(self.steps)
            for brand in self.brands:  # a budget without limit, or of 0, is never spent
                budget = brand.spec.budget
                if 0 < budget < math.inf and brand.budget_left <= SPENT_SHARE * budget:
                    self.spent.setdefault(brand.spec.name, self.steps)
            if self.watched is not None:
                self._record()

    def timeseries(self) -> pd.DataFrame:
        """Return the outcomes so far, one row per day (never while a day is recorded).

        The frame is built once per day however many views read it.
        """
        with self._turn:
            if self._series is None or self._series[0] != self.steps:
                self._series = (self.steps, super().timeseries())
            return self._series[1]

    def _record(self) -> None:
        self.history.append({"step": self.steps, **self.customer(self.watched).state()})


class LiveModel(_Live, EcosystemModel):
    """An :class:`~ecosim.model.EcosystemModel` for the web app.

    Its parameters and attributes are those of the app's model (see ``_Live``). Settings
    that choose a classic diffusion rule (``diffusion.rule``) give a
    :class:`LiveDiffusionModel` instead, as ``EcosystemModel`` gives a ``DiffusionModel``.
    """

    def __new__(
        cls,
        scenario: Scenario | str | Path | None = None,
        rng: int | np.random.Generator | None = None,
        *,
        customers: int | None = None,
        days: int | None = None,
        network: str | None = None,
        friends: float | None = None,
        engaged: str | None = None,
        **kwargs: Any,
    ) -> _Live:
        """Build the live model of the engine the settings ask for."""
        if cls is LiveModel and scenario is not None:
            configured, _ = configure(
                scenario, customers, days, network, friends, kwargs, engaged=engaged
            )
            if configured.diffusion.reduced:
                model = LiveDiffusionModel.__new__(LiveDiffusionModel)
                model.__init__(
                    scenario,
                    rng,
                    customers=customers,
                    days=days,
                    network=network,
                    friends=friends,
                    engaged=engaged,
                    **kwargs,
                )
                return model
        return super().__new__(cls)


class LiveDiffusionModel(_Live, DiffusionModel):
    """A :class:`~ecosim.diffusion_model.DiffusionModel` for the web app (see ``LiveModel``)."""


def configure(
    scenario: Scenario | str | Path,
    customers: int | None,
    days: int | None,
    network: str | None,
    friends: float | None,
    settings: dict[str, Any],
    engaged: str | None = None,
) -> tuple[Scenario, str | None]:
    """Apply the app's settings to a scenario; on a problem, keep the scenario as written.

    Parameters
    ----------
    scenario : Scenario, str or Path
    customers, days : int or None
    network : str or None
        Network kind.
    friends : float or None
        Mean number of contacts (see :func:`network_table`).
    settings : dict
        Scenario fields by dotted path.
    engaged : str, optional
        A name of :data:`ENGAGED` (or :data:`OWN_DEFINITION`): what "engaged" means.

    Returns
    -------
    configured : Scenario
    problem : str or None
        Why the settings could not be used.
    """
    base = resolve_scenario(scenario)
    overrides = dict(settings)
    seed = overrides.get("seed")
    if isinstance(seed, str) and re.fullmatch(r"[0-9]+", seed.strip()):  # typed into a text box
        overrides["seed"] = int(seed)
    if network is not None or friends is not None:
        overrides["network"] = network_table(base, network or base.network.kind, friends)
    if engaged not in (None, OWN_DEFINITION, *ENGAGED):
        names = ", ".join([*ENGAGED, OWN_DEFINITION])
        return base, f"engaged: expected one of {names} (got {engaged!r})"
    if engaged in ENGAGED:
        overrides["engagement"] = copy.deepcopy(ENGAGED[engaged][1])
    try:
        configured = resolve_scenario(base, customers=customers, days=days, overrides=overrides)
        if isinstance(configured.network, EdgeList):  # checked before any model is built
            size = configured.population.size
            if isinstance(base.network, EdgeList) and size != base.population.size:
                return base, (
                    f"{Path(base.network.path).name} connects {base.population.size:,} "
                    f"customers, so the population stays at {base.population.size:,} with "
                    f"this network: set customers to {base.population.size:,} (not "
                    f"{size:,}), or pick another network"
                )
            read_edge_list(configured.network.path, size)
    except (ScenarioError, EdgeListError) as error:
        return base, str(error)
    return configured, None


def mean_degree(scenario: Scenario) -> float | None:
    """Return the mean number of contacts the scenario's network is set up to give.

    Returns
    -------
    float or None
        ``None`` for networks whose degree is not a parameter (complete, edge list).
    """
    spec = scenario.network
    if spec.kind == "barabasi_albert":
        return 2.0 * spec.m
    if spec.kind == "watts_strogatz":
        return float(spec.k)
    if spec.kind == "erdos_renyi":
        return spec.mean_degree
    if spec.kind == "stochastic_block":
        return spec.mean_degree_within + spec.mean_degree_between
    return None


def network_table(scenario: Scenario, kind: str, friends: float | None) -> dict[str, Any]:
    """Return the ``network`` table for ``kind`` with about ``friends`` contacts each.

    The scenario's other network fields are kept when the kind is unchanged. Each kind
    reaches the mean degree through its own parameter: ``m = friends / 2`` preferential
    attachments, a ring of ``k = friends`` (even) neighbours, ``mean_degree`` itself, or,
    for communities, the scenario's split between contacts within and between segments
    (4:1 when the scenario has no communities).

    Examples
    --------
    >>> from ecosim import load_scenario
    >>> scenario = load_scenario("scenarios/baseline.toml")
    >>> network_table(scenario, "watts_strogatz", 10)
    {'kind': 'watts_strogatz', 'k': 10}
    >>> network_table(scenario, "barabasi_albert", None)
    {'kind': 'barabasi_albert', 'm': 4}
    """
    spec = scenario.network
    table = spec.model_dump() if spec.kind == kind else {"kind": kind}
    if friends is None:
        return table
    if kind == "barabasi_albert":
        table["m"] = max(1, round(friends / 2))
    elif kind == "watts_strogatz":
        table["k"] = max(2, 2 * round(friends / 2))
    elif kind == "erdos_renyi":
        table["mean_degree"] = float(friends)
    elif kind == "stochastic_block":
        total = mean_degree(scenario) if spec.kind == kind else None
        within = spec.mean_degree_within / total if total else 0.8
        table["mean_degree_within"] = friends * within
        table["mean_degree_between"] = friends * (1.0 - within)
    return table


def engaged_choice(scenario: Scenario) -> str:
    """Return the name in :data:`ENGAGED` of the scenario's definition of "engaged".

    :data:`OWN_DEFINITION` when it is none of them.

    Examples
    --------
    >>> from ecosim import load_scenario
    >>> engaged_choice(load_scenario("scenarios/baseline.toml"))
    'purchases'
    >>> stage = {"engagement.min_stage": "curation"}  # and two purchases in 90 days
    >>> engaged_choice(load_scenario("scenarios/baseline.toml", stage))
    'scenario'
    """
    for name, (_, table) in ENGAGED.items():
        if Engagement.model_validate(table) == scenario.engagement:
            return name
    return OWN_DEFINITION
