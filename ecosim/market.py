"""The market both engines simulate: actors, their state and the day's measurement.

:class:`Market` holds what every model of a scenario shares -- the customers (numpy
arrays), the social network (CSR arrays), the brands, media and influencers as Mesa
agents, the day's flows and the daily outcomes -- and runs a day as: brands decide, the
engine's phases, data collection. Its two engines are
:class:`~ecosim.model.EcosystemModel` (every mechanism of the ecosystem, Maslowska et al.
2016) and :class:`~ecosim.diffusion_model.DiffusionModel` (a classic diffusion rule, for
docking); ``EcosystemModel(scenario)`` builds the one the scenario's ``diffusion.rule``
asks for.

The module also holds what builds a model's parts from a scenario
(:func:`resolve_scenario`, :func:`build_network`) and what runs one
(:func:`run`, :func:`carry_to_horizon`).
"""

from __future__ import annotations

import numbers
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import mesa
import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from ecosim import network as graphs
from ecosim.agents import Brand, Customer, Influencer, Media
from ecosim.errors import InputError, without_input_warnings
from ecosim.memory import check_memory
from ecosim.metrics import FLOWS, columns, measure, reporters, split_column, summarize
from ecosim.population import Population
from ecosim.processes import reviews
from ecosim.processes.sampling import Draws
from ecosim.scenario import (
    BarabasiAlbert,
    Complete,
    EdgeList,
    ErdosRenyi,
    Scenario,
    ScenarioError,
    StochasticBlock,
    WattsStrogatz,
    apply_overrides,
    check_overrides,
    load_scenario,
    validate_scenario,
)
from ecosim.scenario.loading import overlapping
from ecosim.value import value_totals

__all__ = [
    "MAX_COMBINATIONS",
    "Market",
    "build_network",
    "carry_to_horizon",
    "check_edge_list",
    "first_invalid",
    "resize_problems",
    "resolve_scenario",
    "run",
]

_COUNTS = (
    "consumed",
    "aware_by_content",
    "aware_by_wom",
    "wom_heard",
    "forgot",
    "omnichannel",
    "needs",
    "stage_ups",
    "stage_downs",
    "members_joined",
    "members_renewed",
    "members_left",
    "promoted",
    "demoted",
    "self_served",
    "notices",
    "seeded",
    "crisis_responses",
)


class Market(mesa.Model):
    """Customers, brands, media and influencers on a social network: what every engine steps.

    The actors, their state and the day's measurement, shared by the two engines:
    :class:`~ecosim.model.EcosystemModel` (every mechanism of the ecosystem) and
    :class:`~ecosim.diffusion_model.DiffusionModel` (a classic diffusion rule). An engine
    subclass defines ``_simulate(day)``, the phases of its day.

    Parameters
    ----------
    scenario : Scenario, str or Path
        A validated scenario or the path of a scenario TOML file.
    rng : int or numpy.random.Generator, optional
        Seed of the run's random numbers: Mesa's ``rng`` and, keyed by its first number,
        the customers' daily draws (``draws``); the scenario's ``seed`` when omitted.
    customers : int, optional
        Override the population size.
    days : int, optional
        Override the horizon; the model stops running after this many steps.
    overrides : dict, optional
        Scenario fields by dotted path (see :func:`ecosim.load_scenario`).
    outcomes : list of str or "all", optional
        Measure and collect only these state outcomes and report only these columns
        (see :func:`ecosim.metrics.columns`); ``"all"`` for every outcome. When omitted,
        the engine's ``default_outcomes``: every outcome for the ecosystem, the diffusion
        outcomes for a reduced model. Measuring is a pass or more over every customer
        per outcome (about a tenth of the full model's day, nearly a third of a reduced
        model's with every outcome): runs that need a few outcomes (a calibration's
        statistics) ask for those.

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
        The latest day's outcome columns (and every daily flow).
    column_names : list of str
        The columns collected each day.
    measured : frozenset of str
        The outcomes measured each day.
    datacollector : mesa.DataCollector
        One row per day; row 0 is the initial state.
    draws : Draws
        The customers' common random numbers, keyed by purpose, day and customer
        (:mod:`ecosim.processes.sampling`); ``rng`` draws the population, the network
        and the reduced models' rules.
    """

    default_outcomes: tuple[str, ...] | None = None
    """The outcomes a run measures when it names none (``None``: every outcome)."""

    def __init__(
        self,
        scenario: Scenario | str | Path,
        rng: int | np.random.Generator | None = None,
        *,
        customers: int | None = None,
        days: int | None = None,
        overrides: dict[str, Any] | None = None,
        outcomes: list[str] | str | None = None,
    ):
        resolved = self.__dict__.pop("_resolved", None)  # set by EcosystemModel.__new__
        if resolved is None:
            resolved = resolve_scenario(
                scenario, customers=customers, days=days, overrides=overrides
            )
        self.scenario = resolved
        check_memory(self.scenario)
        check_seed(rng, overrides, "rng")
        if isinstance(rng, numbers.Integral):
            rng = int(rng)  # numpy's integers seed as Python's do
        super().__init__(rng=self.scenario.seed if rng is None else rng)
        specs = self.scenario
        self.draws = Draws(int(self.rng.integers(2**63)))
        self.population = Population.from_scenario(specs, self.rng)
        self.network = build_network(specs, self.population.segment, self.rng)
        n = self.population.n
        self.everyone = np.arange(n)
        self.segment_members = [
            np.flatnonzero(self.population.segment == s) for s in range(len(specs.segment_names))
        ]
        self._customer_views: list[Customer] = []
        self.brands = Brand.create_agents(
            self, len(specs.brands), specs.brands, list(range(len(specs.brands)))
        )
        self.media = Media.create_agents(
            self, len(specs.channels), specs.channels, list(range(len(specs.channels)))
        )
        self.influencers = Influencer.create_agents(
            self, len(specs.influencers), specs.influencers, self._audiences()
        )
        self._unit_cost = np.array([b.price * (1.0 - b.margin) for b in specs.brands])
        chosen = self.default_outcomes if outcomes is None else outcomes
        self.column_names = columns(specs, chosen)
        self.measured = frozenset(split_column(name)[0] for name in self.column_names[1:])
        self.flows = self._new_flows()
        self._start()
        self.outcomes = measure(self)
        self.datacollector = mesa.DataCollector(model_reporters=reporters(self.column_names))
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
        """Return the customer at ``row`` (its node in the network).

        Raises
        ------
        InputError
            If ``row`` is not a whole number.
        IndexError
            If there is no customer ``row``.
        """
        if isinstance(row, bool) or not isinstance(row, numbers.Integral):
            raise InputError(f"row: expected a whole number (got {row!r:.60})")
        if not 0 <= row < self.population.n:
            raise IndexError(f"customer {row} does not exist (0..{self.population.n - 1})")
        _ = self.customers
        return self._customer_views[row]

    # ------------------------------------------------------------ what the actors see

    @property
    def prices(self) -> np.ndarray:
        """Today's list price of each brand."""
        return np.array([brand.price for brand in self.brands])

    @property
    def qualities(self) -> np.ndarray:
        """Today's product quality of each brand."""
        return np.array([brand.quality for brand in self.brands])

    @property
    def ratings(self) -> np.ndarray:
        """Each brand's average review rating, as every aware customer sees it."""
        total = np.array([brand.rating_total for brand in self.brands])
        count = np.array([brand.rating_count for brand in self.brands])
        return reviews.average_rating(total, count, self.scenario.dynamics)

    def brand_index(self, brand: int) -> int:
        """Return ``brand`` if it is the position of one of the scenario's brands.

        Raises
        ------
        InputError
            If it is no whole number, or no brand is at that position.
        """
        last = len(self.scenario.brands) - 1
        if isinstance(brand, bool) or not isinstance(brand, numbers.Integral):
            raise InputError(f"brand: expected a brand's position (0..{last}), got {brand!r:.60}")
        if not 0 <= brand <= last:
            raise InputError(f"brand: {brand} does not exist (0..{last})")
        return int(brand)

    def outcome(self, name: str, brand: int) -> float:
        """Return the latest measured value of an outcome for one brand.

        Parameters
        ----------
        name : str
            An outcome the model measures (``purchases``, ``revenue``, ...).
        brand : int
            The brand's position in the scenario's ``brands``.

        Raises
        ------
        InputError
            For a brand that does not exist or an outcome this model does not measure.
        """
        names, brand = self.scenario.brand_names, self.brand_index(brand)
        column = f"{name}__{names[brand]}" if len(names) > 1 else name
        try:
            return self.outcomes[column]
        except KeyError:
            measured = sorted({split_column(key)[0] for key in self.outcomes} - {"step"})
            raise InputError(
                f"outcome: {name!r} is not measured by this model; it measures "
                + ", ".join(measured)
            ) from None

    def segment_indices(self, segment: str) -> list[int]:
        """Return the indices of the segments a campaign's ``segment`` field targets.

        Raises
        ------
        InputError
            For a segment the scenario does not have.
        """
        names = self.scenario.segment_names
        if segment == "all":
            return list(range(len(names)))
        if segment not in names:
            raise InputError(
                f"segment: {segment!r} is not a segment of this scenario; "
                f"expected 'all' or one of {', '.join(names)}"
            )
        return [names.index(segment)]

    def segment_customers(self, segment: str) -> np.ndarray:
        """Return the customers of a segment (``all``: everyone).

        Raises
        ------
        InputError
            For a segment the scenario does not have.
        """
        if segment == "all":
            return self.everyone
        return self.segment_members[self.segment_indices(segment)[0]]

    def attention_weight(self, action: Any) -> float:
        """Weight of an exposure to ``action``: culturally timed actions draw more attention."""
        return 1.0 + self.scenario.dynamics.cultural_boost * action.cultural_relevance

    # ------------------------------------------------------------ running

    def run(self, progress: bool = False) -> pd.DataFrame:
        """Step to the end of the horizon and return the daily outcomes.

        A reduced model with ``diffusion.stop_after_quiet_days`` stops early once that many
        days in a row changed no one (``running`` becomes False, ``steps`` is the stop day);
        the days after are not simulated, and the returned series carries the stop day's
        state to the horizon with every daily flow 0 (see :func:`carry_to_horizon`).

        Parameters
        ----------
        progress : bool
            Show a progress bar (only on a terminal).

        Returns
        -------
        pandas.DataFrame
            See :meth:`timeseries`; one row per day of the horizon.
        """
        remaining = self.scenario.days - self.steps if self.running else 0
        for _ in tqdm(
            range(remaining), disable=None if progress else True, unit="day", leave=False
        ):
            self.step()
            if not self.running:
                break
        return carry_to_horizon(self.timeseries(), self.scenario.days)

    def summary(self, values: list[pd.DataFrame] | None = None) -> dict[str, Any]:
        """Return the run's summary: :func:`ecosim.metrics.summarize` and customer value.

        The totals of :func:`ecosim.value.value_totals` are added to the outcomes (to each
        brand's, with several brands).

        Parameters
        ----------
        values : list of pandas.DataFrame, optional
            Each brand's :func:`ecosim.value.customer_values` of the run, if already
            computed (they are computed otherwise).
        """
        summary = summarize(self.timeseries(), self.scenario)
        values = value_totals(self, values)
        if len(values) == 1:
            summary.update(next(iter(values.values())))
        else:
            for name, totals in values.items():
                summary["brands"][name].update(totals)
        return summary

    def timeseries(self) -> pd.DataFrame:
        """Return the outcomes collected so far, one row per day (``step`` 0: initial state)."""
        frame = self.datacollector.get_model_vars_dataframe().reset_index(drop=True)
        return frame.astype({"step": "int64"})

    def step(self) -> None:
        """Simulate one day: the brands decide, the engine's phases run, the day is measured.

        Raises
        ------
        InputError
            After the scenario's last day (``days``): the campaign, the budgets and the
            series stop there; a longer run needs a longer ``days``.
        """
        day = self.steps
        if day > self.scenario.days:
            self.steps -= 1  # Mesa's step wrapper counted the day before this call
            raise InputError(
                f"the scenario's {self.scenario.days} days are over (the model is on day "
                f"{self.steps}); for a longer run, build the model with a larger days"
            )
        self.draws.start_day(day)
        self.population.new_day()
        self.flows = self._new_flows()
        self.brands.do("step")
        self._simulate(day)
        self.flows["marketing_cost"] = np.array(self.brands.get("spent_today"))
        self.flows["profit"] = (
            self.flows["gross_margin"]
            - self.flows["marketing_cost"]
            - self.flows["service_cost"]
            - self.flows["programme_cost"]
        )
        self.outcomes = measure(self)
        self.datacollector.collect(self)
        self.running = day < self.scenario.days and not self._settled()

    def _simulate(self, day: int) -> None:
        """Run the engine's phases of ``day`` (after the brands' decisions)."""
        raise NotImplementedError

    def _start(self) -> None:
        """Prepare the engine's own state before day 0 is measured (nothing by default)."""

    def _settled(self) -> bool:
        """Whether the run has come to rest and stops early (never, by default)."""
        return False

    def _add(self, brand: int, **amounts: float) -> None:
        """Add today's amounts to one brand's flows."""
        for name, amount in amounts.items():
            self.flows[name][brand] += amount

    def _active(self, kind: type) -> list[tuple[int, Any]]:
        """Today's active campaign actions of a kind, with their brand's index."""
        return [
            (brand.index, a) for brand in self.brands for a in brand.active if isinstance(a, kind)
        ]

    def _audiences(self) -> list[np.ndarray]:
        """Draw each influencer's followers; a share ``overlap`` comes from earlier audiences."""
        n, rng = self.population.n, self.rng
        audiences, followed = [], np.zeros(n, dtype=bool)
        for spec in self.scenario.influencers:
            size = max(1, round(spec.audience_share * n))
            shared_pool, fresh_pool = np.flatnonzero(followed), np.flatnonzero(~followed)
            shared = min(round(spec.overlap * size), len(shared_pool))
            fresh = min(size - shared, len(fresh_pool))
            shared = size - fresh
            audience = np.concatenate(
                [
                    rng.choice(shared_pool, shared, replace=False),
                    rng.choice(fresh_pool, fresh, replace=False),
                ]
            )
            audiences.append(np.sort(audience))
            followed[audience] = True
        return audiences

    def _new_flows(self) -> dict[str, np.ndarray]:
        return {name: np.zeros(len(self.scenario.brands)) for name in (*FLOWS, *_COUNTS)}


def check_seed(seed: Any, overrides: dict[str, Any] | None, name: str) -> None:
    """Refuse a seed that is none, or one given beside ``overrides["seed"]``.

    Parameters
    ----------
    seed : object
        A whole number from 0, a ``numpy.random.Generator`` or None.
    overrides : dict, optional
        The run's scenario overrides, if any (only their keys are read).
    name : str
        The argument's name in the caller's signature (``rng``, ``seed``).

    Raises
    ------
    InputError
        Naming ``name``.
    """
    if seed is None:
        return
    if not _is_rng(seed):
        raise InputError(
            f"{name}: expected a seed (a whole number from 0) or a numpy.random.Generator "
            f"(got {seed!r:.60})"
        )
    if any(overlapping(key, "seed") for key in overrides or {}):
        raise InputError(
            f"{name}: the seed is also set by overrides['seed']; a run takes one seed: give it once"
        )


def _is_rng(rng: Any) -> bool:
    """Whether ``rng`` is a random generator or a seed (a whole number from 0, not a bool)."""
    if isinstance(rng, np.random.Generator):
        return True
    return isinstance(rng, numbers.Integral) and not isinstance(rng, bool) and rng >= 0


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

    Raises
    ------
    InputError
        If ``scenario`` is no scenario or path, an override is not a dotted field path, or
        ``customers`` or ``days`` sets a field that ``overrides`` sets too.
    ScenarioError
        If the scenario with these changes is not valid.
    """
    if not isinstance(scenario, Scenario | str | os.PathLike):
        raise InputError(
            "scenario: expected a Scenario or the path of a scenario TOML file "
            f"(got {type(scenario).__name__})"
        )
    if overrides is not None:
        check_overrides(overrides)
    overrides = dict(overrides or {})
    for name, value, path in (("customers", customers, "population.size"), ("days", days, "days")):
        if value is None:
            continue
        given = [key for key in overrides if overlapping(key, path)]
        if given:
            raise InputError(
                f"{name}: {path} is also set by overrides[{given[0]!r}]; a field takes one "
                f"value: give it once"
            )
        overrides[path] = value
    if isinstance(scenario, Scenario):  # validated again: model_copy(update=...) does not
        written = scenario.model_dump(exclude_defaults=True)
        data = apply_overrides(scenario.model_dump(), overrides, written=written)
        source = f"scenario {scenario.name!r}"
        if overrides:
            return validate_scenario(data, source=source)
        with without_input_warnings():  # given when it was read
            return validate_scenario(data, source=source)
    return load_scenario(scenario, overrides)


def resize_problems(
    error: ScenarioError, customers: int | None, days: int | None
) -> list[tuple[str, str]]:
    """Return a scenario's problems with ``customers`` and ``days`` as those of the one to blame.

    An experiment, a calibration or an optimisation sets the scenario's size and horizon
    with its ``customers`` and ``days`` (:func:`resolve_scenario`); the scenario was valid
    before, so each problem is one of them: the one given, or when both are, ``days`` for
    the horizon and the campaign, ``customers`` for the rest.

    Examples
    --------
    >>> error = ScenarioError(
    ...     "scenario 'x'", [("network.k", "needs more customers"), ("campaign[2].end", "too late")]
    ... )
    >>> resize_problems(error, customers=2, days=30)  # doctest: +NORMALIZE_WHITESPACE
    [('customers', "scenario 'x': network.k: needs more customers"),
     ('days', "scenario 'x': campaign[2].end: too late")]
    """
    blamed = []
    for (path, _), (_, message) in zip(error.problems, error.under(""), strict=True):
        timed = re.split(r"[.\[]", path)[0] in ("days", "campaign")
        if customers is None and days is None:
            field = "scenario"
        elif customers is None or (days is not None and timed):
            field = "days"
        else:
            field = "customers"
        blamed.append((field, message))
    return blamed


MAX_COMBINATIONS = 4096
"""The most combinations of values a file's reading checks together with
:func:`first_invalid` (2^12 corners of 12 fields; about a second at 0.3 ms a scenario)."""


def first_invalid(
    scenario: Scenario, combinations: Iterable[dict[str, Any]]
) -> tuple[int, dict[str, Any], list[tuple[str, str]]] | None:
    """Return the first set of overrides that makes ``scenario`` invalid, and its problems.

    What a file combines (a calibration's priors, an experiment's conditions with each
    strategy, posterior draws) is checked this way when it is read, at the values where
    the scenario's rules binding several fields are tightest (their extremes).

    Parameters
    ----------
    scenario : Scenario
    combinations : iterable of dict
        Overrides by dotted path, tried in order (lazily: the first invalid one ends it).

    Returns
    -------
    (int, dict, list of (str, str)) or None
        The position of the first invalid combination, the combination and the
        scenario's problems with it; None if every one is valid.

    Examples
    --------
    >>> from ecosim import load_scenario
    >>> base = load_scenario("scenarios/baseline.toml")
    >>> position, values, problems = first_invalid(
    ...     base, [{"days": 30}, {"days": 0}, {"days": -1}])
    >>> position, values, problems[0][0]
    (1, {'days': 0}, 'days')
    """
    for position, overrides in enumerate(combinations):
        try:
            resolve_scenario(scenario, overrides=overrides)
        except ScenarioError as error:
            return position, overrides, error.problems
    return None


def check_edge_list(scenario: Scenario, field: str = "customers") -> list[tuple[str, str]]:
    """Return the problem of a scenario whose edge list does not name its customers.

    Read when an experiment, a calibration or an optimisation is loaded, so that a number
    of customers that does not fit the network is refused there, naming ``field``, rather
    than failing every run.

    Parameters
    ----------
    scenario : Scenario
    field : str
        The field that set the number of customers, named in the problem.

    Returns
    -------
    list of (str, str)
        Empty if the network is no edge list, or names ``population.size`` customers, or
        its file is not there (yet: each run reads it, and says so).
    """
    if not isinstance(scenario.network, EdgeList) or not Path(scenario.network.path).is_file():
        return []
    try:
        graphs.read_edge_list(
            scenario.network.path, scenario.population.size, max_bytes=None, size_field=field
        )
    except graphs.EdgeListError as error:
        size = scenario.population.size
        return [(field, f"{size:,} customers do not fit the scenario's network: {error}")]
    return []


def build_network(
    scenario: Scenario, segment: np.ndarray, rng: np.random.Generator
) -> graphs.SocialNetwork:
    """Build the scenario's social network on ``population.size`` customers.

    For a stochastic block network each segment is one community; the edge probabilities
    give the requested mean degrees within and between communities exactly when the
    segments are of equal size. An edge list is read whatever its size (the scenario's own
    file, unlike an upload) and must name every customer.

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
        try:
            return graphs.read_edge_list(spec.path, n, max_bytes=None)
        except graphs.EdgeListError as error:
            raise graphs.EdgeListError(f"network.path: {error}") from None
    if isinstance(spec, StochasticBlock):
        counts = np.bincount(segment, minlength=len(scenario.population.segments))
        sizes = counts[counts > 0]  # a segment without customers is no block
        size = n / len(sizes)
        p_in = min(spec.mean_degree_within / max(size - 1, 1), 1.0)
        p_out = min(spec.mean_degree_between / max(n - size, 1), 1.0)
        blocks = graphs.stochastic_block(sizes, p_in, p_out, rng)
        customer = np.argsort(segment, kind="stable")
        source, target = blocks.edges_from(np.arange(n))
        return graphs.SocialNetwork.from_edges(customer[source], customer[target], n)
    raise TypeError(f"unknown network kind {spec!r}")


def carry_to_horizon(daily: pd.DataFrame, days: int) -> pd.DataFrame:
    """Extend the daily series of a run that stopped early to the days ``0 .. days``.

    The added days repeat the last simulated day's states (shares, counts, stocks) and
    have every daily flow -- and the day's ``net_sentiment`` -- equal to 0: a cascade that
    stopped because nothing changed stays where it is. Time-dependent states (presence,
    active customers, engagement) are carried too, not decayed. A series that reaches
    the horizon is returned as it is.

    Parameters
    ----------
    daily : pandas.DataFrame
        The simulated days, ``step`` 0 first.
    days : int
        The horizon.

    Returns
    -------
    pandas.DataFrame
        One row per day ``0 .. days``.
    """
    last = int(daily["step"].iloc[-1])
    if last >= days:
        return daily
    rest = daily.iloc[[-1] * (days - last)].reset_index(drop=True)
    rest["step"] = np.arange(last + 1, days + 1, dtype=np.int64)
    per_day = {*FLOWS, "net_sentiment"}
    rest[[c for c in daily.columns if split_column(c)[0] in per_day]] = 0.0
    return pd.concat([daily, rest], ignore_index=True)


def run(
    scenario: Scenario | str | Path,
    *,
    days: int | None = None,
    seed: int | np.random.Generator | None = None,
    customers: int | None = None,
    overrides: dict[str, Any] | None = None,
    outcomes: list[str] | str | None = None,
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
    outcomes : list of str or "all", optional
        Only these outcomes, or ``"all"``; the engine's default when omitted (see
        :class:`Market`).
    progress : bool
        Show a progress bar (on a terminal).

    Returns
    -------
    pandas.DataFrame
        One row per day (``step`` 0 is the initial state), the columns of
        :func:`ecosim.metrics.columns` (of ``outcomes``, if given).

    Examples
    --------
    >>> import ecosim
    >>> df = ecosim.run("scenarios/baseline.toml", days=10, customers=1000, seed=3)
    >>> len(df), int(df["step"].iloc[-1])
    (11, 10)
    """
    from ecosim.model import EcosystemModel

    check_seed(seed, overrides, "seed")
    model = EcosystemModel(
        scenario,
        rng=seed,
        customers=customers,
        days=days,
        overrides=overrides,
        outcomes=outcomes,
    )
    return model.run(progress=progress)
