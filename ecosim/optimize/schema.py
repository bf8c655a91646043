"""Optimisation files: the base scenario, the decisions, the objectives and the settings.

An optimisation file (TOML, in ``optimizations/``) names a base scenario and what a
strategist may change in it — scenario fields by dotted path (``[[variables]]``), the
start day of a flight (``[[flights]]``) and how a total budget is shared across actions
or channels (``[[budgets]]``) — the objectives with their directions, the replications
per evaluation, the evaluation budget, a seed, and the settings of the selection stage.
:func:`load_optimisation` validates it like a scenario or an experiment: every problem
is reported with the file, the field path and what was expected.

Examples
--------
>>> from ecosim.optimize import load_optimisation
>>> study = load_optimisation("optimizations/spend_mix.toml")
>>> [objective.label for objective in study.objectives]
['total_profit']
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, ValidationError, field_validator, model_validator

from ecosim.errors import InputError, InputWarning, as_path
from ecosim.experiment.schema import MAX_RUNS, Scalar, outcome_names, unknown_outcome
from ecosim.market import check_edge_list, resize_problems
from ecosim.model import first_invalid, resolve_scenario
from ecosim.scenario import Scenario, ScenarioError, load_scenario
from ecosim.scenario.fields import Day, FieldPath, Name, Spec, expected, repeated_names
from ecosim.scenario.files import read_toml_file
from ecosim.scenario.loading import (
    blame_overrides,
    field_path,
    field_value,
    overlapping,
    validation_problems,
)

__all__ = [
    "BudgetGroup",
    "Flight",
    "Objective",
    "Optimisation",
    "OptimisationError",
    "Posterior",
    "Search",
    "Selection",
    "ShareItem",
    "Variable",
    "load_optimisation",
]

MAX_SEED = 2**32 - 1
"""The largest ``seed``: Optuna's samplers and fANOVA seed NumPy's legacy generator with it."""
INDIFFERENCE = (1e-9, 1e15)
"""The smallest and largest ``selection.indifference``, in the objective's units."""
NOT_DECISIONS = {
    "seed": "is the random seed: the plans share the optimisation's common random numbers",
    "days": "is the horizon the plans are compared over (the file's days)",
    "population.size": "is the simulated market (the file's customers)",
}
"""Scenario fields a plan cannot decide, and why."""


def _open_unit(value: float) -> float:
    if not 0.5 <= value < 1.0:
        raise ValueError(f"must be at least 0.5 and below 1 (got {value})")
    return value


def _seed_range(value: int) -> int:
    if value > MAX_SEED:
        raise ValueError(
            f"must be at most {MAX_SEED} (2**32 - 1), the largest seed the search's samplers "
            f"take (got {value}); a scenario's seed may be larger, an optimisation's may not"
        )
    return value


def _indifference(value: float) -> float:
    low, high = INDIFFERENCE
    if not low <= value <= high:
        raise ValueError(
            f"must be from {low:g} to {high:g}, in the objective's units (got {value}); "
            "the selection stage divides by its square, which must neither vanish nor overflow"
        )
    return value


class OptimisationError(InputError):
    """An optimisation file that cannot be used, with every problem named by its field path.

    Parameters
    ----------
    source : str
        Where the optimisation came from (its file, or a results folder).
    problems : list of (str, str)
        Pairs of field path (``variables[2].high``) and what was wrong.
    """


class Variable(Spec):
    """A scenario field the search may set: a range (``low``, ``high``) or ``choices``.

    ``integer`` searches whole numbers; ``log`` searches a positive range on a log scale.
    """

    name: Name
    path: FieldPath
    low: float | None = None
    high: float | None = None
    integer: bool = False
    log: bool = False
    choices: list[Scalar] | None = Field(default=None, min_length=2)

    @model_validator(mode="after")
    def _one_kind(self) -> Variable:
        ranged = self.low is not None and self.high is not None
        if self.choices is not None and (self.low is not None or self.high is not None):
            raise ValueError("give either low and high or choices, not both")
        if self.choices is None and not ranged:
            raise ValueError("give low and high (a range) or choices (a list)")
        repeated = [
            (d, c)
            for i, c in enumerate(self.choices or [])
            for d in self.choices[:i]
            if _same_choice(c, d)
        ]
        if repeated:
            first, again = repeated[0]
            spelled = "" if repr(first) == repr(again) else f", as {first!r} and {again!r}"
            raise ValueError(
                f"choices: {first!r} is given twice{spelled} (give each choice once: the "
                "search would draw a repeated one more often)"
            )
        if ranged and not self.low < self.high:
            raise ValueError(f"low ({self.low}) must be < high ({self.high})")
        if self.log and (self.choices is not None or (ranged and self.low <= 0)):
            raise ValueError("log needs a range with low > 0")
        if self.integer and ranged and not _whole(self):
            raise ValueError("an integer variable needs whole numbers for low and high")
        return self

    def extremes(self) -> list[Any]:
        """Return the values to check against the scenario schema when loading."""
        if self.choices is not None:
            return list(self.choices)
        bounds = [self.low, self.high]
        return [int(x) for x in bounds] if self.integer else bounds


def _same_choice(a: Any, b: Any) -> bool:
    """Whether two choices are the same: equal numbers (20 and 20.0), or equal strings.

    A bool is no number: ``true`` is not 1.

    Examples
    --------
    >>> _same_choice(20, 20.0), _same_choice(True, 1), _same_choice(True, True)
    (True, False, True)
    """
    return isinstance(a, bool) == isinstance(b, bool) and a == b


class Flight(Spec):
    """The timing of a campaign action: its start day, searched in [earliest, latest].

    The action keeps its length: its end moves with its start.
    """

    name: Name
    action: int = Field(ge=0)
    earliest: Day
    latest: Day

    @model_validator(mode="after")
    def _ordered(self) -> Flight:
        if not self.earliest < self.latest:
            raise ValueError(f"earliest ({self.earliest}) must be < latest ({self.latest})")
        return self


class ShareItem(Spec):
    """One use of a budget group's money: a scenario field and what one unit of it costs.

    Given a share ``s`` of the group's ``total``, the field is set to ``s * total /
    unit_cost`` (rounded down for ``integer`` fields): ``unit_cost`` is the money one
    unit of the field costs, e.g. 150 for the number of seeds of a seeding action whose
    seeds cost 150 each, or a flight's cost at full intensity for its ``intensity``.
    ``max`` caps the field (an intensity cannot exceed 1): an item never gets more than
    ``max * unit_cost`` of the total, and what a capped item cannot take goes to the others.
    """

    name: Name
    path: FieldPath
    unit_cost: float = Field(gt=0.0)
    integer: bool = False
    max: float | None = Field(default=None, gt=0.0)

    def value(self, money: float) -> float | int:
        """Return the field's value for ``money`` spent on this item."""
        units = money / self.unit_cost
        return math.floor(units + 1e-9) if self.integer else float(units)


class BudgetGroup(Spec):
    """A total budget shared across actions or channels; the search chooses the shares."""

    name: Name
    total: float = Field(gt=0.0)
    items: list[ShareItem]

    @field_validator("items")
    @classmethod
    def _shared(cls, items: list[ShareItem]) -> list[ShareItem]:
        if len(items) < 2:
            raise ValueError(
                f"a budget shares its total among two or more items (got {len(items)}); to "
                "search one field alone, give it as a [[variables]] entry with low and high"
            )
        return items

    @model_validator(mode="after")
    def _names(self) -> BudgetGroup:
        problems = repeated_names([item.name for item in self.items], "item", "items")
        problems += [
            f"items[{k}].unit_cost: the total {self.total:g} at {item.unit_cost:g} a unit is "
            "more units than a number can hold; give the total and unit_cost in the same money"
            for k, item in enumerate(self.items)
            if not math.isfinite(self.total / item.unit_cost)
        ]
        if sum(self.caps()) < 1.0 - 1e-9:
            problems.append(
                f"total: the items' max values take at most {_percent(sum(self.caps()))} of "
                f"the total {self.total:,.6g}; raise max or lower the total"
            )
        if problems:
            raise ValueError("\n".join(problems))
        return self

    def caps(self) -> list[float]:
        """Return each item's largest share of the total (1 without ``max``)."""
        return [
            1.0 if i.max is None else min(1.0, i.max * i.unit_cost / self.total) for i in self.items
        ]


def _percent(share: float) -> str:
    """Return a share below 1 as a percentage to three significant digits, never 100%.

    Examples
    --------
    >>> _percent(0.3), _percent(0.000611), _percent(0.99999)
    ('30%', '0.0611%', '99.999%')
    """
    digits = 3
    while float(f"{share * 100:.{digits}g}") >= 100 and digits < 17:
        digits += 1
    return f"{share * 100:.{digits}g}%"


class Objective(Spec):
    """An outcome of the run summary to maximise or minimise, over an evaluation's runs.

    ``statistic = "mean"`` is the expected value; ``"quantile"`` the ``quantile``-th
    quantile of the replications (0.1: the 10th percentile, a downside risk).
    """

    outcome: str
    direction: Literal["maximize", "minimize"]
    statistic: Literal["mean", "quantile"] = "mean"
    quantile: float = Field(default=0.1, gt=0.0, lt=1.0)

    @property
    def label(self) -> str:
        """The objective's name in tables: the outcome, with ``_p<percent>`` for a quantile."""
        if self.statistic == "mean":
            return self.outcome
        return f"{self.outcome}_p{round(self.quantile * 100):02d}"


class Search(Spec):
    """The search: how many evaluations, of how many runs, asked how many at a time.

    ``sampler = "auto"`` uses TPE for one objective and NSGA-II for several.
    """

    evaluations: int = Field(ge=1, le=100_000)
    replications: int = Field(ge=2, le=10_000)
    batch: int = Field(default=4, ge=1)
    sampler: Literal["auto", "tpe", "nsga2", "random"] = "auto"
    startup: int = Field(default=10, ge=1)
    population: int = Field(default=20, ge=2)

    @model_validator(mode="after")
    def _batch_runs(self) -> Search:
        if self.batch * self.replications > MAX_RUNS:
            raise ValueError(
                f"batch ({self.batch:,}) plans of replications ({self.replications:,}) runs "
                f"make {self.batch * self.replications:,} runs at a time, more than "
                f"{MAX_RUNS:,}: a batch's runs are held in memory; ask for fewer plans at a "
                "time"
            )
        return self


class Selection(Spec):
    """The selection stage: re-run the best candidates and pick one with a guarantee.

    The ``top`` candidates of the search on ``objective`` (default: the first
    objective, which must be a mean), and the current plan, are run again on new common
    seeds with the fully sequential procedure of Kim & Nelson (2001): the plan picked is
    within ``indifference`` (in the objective's units) of the best with probability at
    least ``confidence``. ``first_stage`` replications first, then ``step`` more at a time
    up to ``max_replications`` each.

    ``indifference`` is δ, from 1e-9 to 1e15 (:data:`INDIFFERENCE`): the procedure's
    boundaries and its bound on replications, ``h^2 S^2 / δ^2``, divide by ``δ^2``, which a
    δ below about 1e-162 makes 0 and one above 1e154 infinite in floating point; within
    these bounds ``h^2 S^2 / δ^2`` stays finite for variances ``S^2`` of the plans'
    differences up to about 1e260. ``max_replications`` is at most 100,000, as an
    experiment's replications, and the ``top`` plans and the current one together at most
    10,000,000 runs (:data:`~ecosim.experiment.schema.MAX_RUNS`): every plan's runs are held
    in memory.
    """

    objective: str | None = None
    top: int = Field(default=5, ge=1)
    confidence: Annotated[float, AfterValidator(_open_unit)] = 0.95
    indifference: Annotated[float, AfterValidator(_indifference)]
    first_stage: int = Field(default=10, ge=3)
    step: int = Field(default=2, ge=1)
    max_replications: int = Field(default=200, ge=3, le=100_000)

    @model_validator(mode="after")
    def _bounds(self) -> Selection:
        if self.max_replications < self.first_stage:
            raise ValueError(
                f"max_replications ({self.max_replications}) must be >= first_stage "
                f"({self.first_stage})"
            )
        if (self.top + 1) * self.max_replications > MAX_RUNS:
            raise ValueError(
                f"top ({self.top:,}) plans and the current one, at up to max_replications "
                f"({self.max_replications:,}) runs each, make up to "
                f"{(self.top + 1) * self.max_replications:,} runs, more than {MAX_RUNS:,}: every "
                "plan's runs are held in memory; choose fewer plans or replications"
            )
        return self


class Posterior(Spec):
    """Market parameters drawn per replication from a calibration's posterior sample.

    ``from`` is a folder (relative to the optimisation file) holding
    ``posterior.parquet``: one column per dotted scenario path and a ``weight`` column.
    """

    source: str = Field(alias="from")


class Optimisation(Spec):
    """A search for the best plan over decisions, and a selection stage.

    Attributes
    ----------
    scenario : Scenario
        The base scenario (the current plan), with ``customers`` and ``days`` applied.
    scenario_file : str, optional
        The scenario's path as written in the file.
    folder : str
        The folder of the optimisation file (``posterior.from`` is relative to it).
    seed : int
        From 0 to 2**32 - 1 (:data:`MAX_SEED`), the seeds Optuna's samplers take; a
        scenario's seed may be larger.
    """

    name: Name
    description: str = ""
    scenario: Scenario
    scenario_file: str | None = None
    folder: str = "."
    seed: Annotated[int, Field(ge=0), AfterValidator(_seed_range)]
    days: int | None = Field(default=None, ge=1)
    customers: int | None = Field(default=None, ge=2)
    variables: list[Variable] = Field(default_factory=list)
    flights: list[Flight] = Field(default_factory=list)
    budgets: list[BudgetGroup] = Field(default_factory=list)
    objectives: list[Objective] = Field(min_length=1)
    search: Search
    selection: Selection
    posterior: Posterior | None = None

    @property
    def sampler(self) -> Literal["tpe", "nsga2", "random"]:
        """The search's sampler, ``"auto"`` resolved: TPE for one objective, else NSGA-II."""
        if self.search.sampler != "auto":
            return self.search.sampler
        return "tpe" if len(self.objectives) == 1 else "nsga2"

    @model_validator(mode="after")
    def _references(self) -> Optimisation:
        problems = []
        if not (self.variables or self.flights or self.budgets):
            problems.append("variables: nothing to decide (give variables, flights or budgets)")
        decisions = {"variables": self.variables, "flights": self.flights, "budgets": self.budgets}
        named = [(d.name, f"{key}[{i}]") for key, ds in decisions.items() for i, d in enumerate(ds)]
        problems += repeated_names([n for n, _ in named], "decision", [p for _, p in named])
        for i, objective in enumerate(self.objectives):
            firsts = [j for j, o in enumerate(self.objectives[:i]) if o.label == objective.label]
            if firsts:
                problems.append(
                    f"objectives[{i}]: objective {objective.label!r} is asked twice (first by "
                    f"objectives[{firsts[0]}])"
                )
        known = outcome_names(self.scenario)
        for i, objective in enumerate(self.objectives):
            if objective.outcome not in known:
                problems.append(
                    f"objectives[{i}].outcome: {unknown_outcome(objective.outcome, known)}"
                )
        labels = [o.label for o in self.objectives]
        chosen = self.selection.objective or labels[0]
        if chosen not in labels:
            problems.append(
                f"selection.objective: {chosen!r} is not an objective {expected(labels)}"
            )
        elif self.objectives[labels.index(chosen)].statistic != "mean":
            problems.append(
                f"selection.objective: {chosen!r} is a quantile; ranking and selection "
                "compares means (choose an objective with statistic = 'mean')"
            )
        problems += _clashes(self.decisions(), self.scenario.model_dump())
        problems += [
            f"{where}: {path!r} {NOT_DECISIONS[path]} (expected a field a plan sets: a budget, "
            "a price, a reward, ...)"
            for path, where in self.decisions()
            if path in NOT_DECISIONS
        ]
        if problems:
            raise ValueError("\n".join(problems))
        return self

    @property
    def selected_objective(self) -> Objective:
        """The objective of the selection stage."""
        labels = [o.label for o in self.objectives]
        return self.objectives[labels.index(self.selection.objective or labels[0])]

    def decisions(self) -> list[tuple[str, str]]:
        """Return every scenario path a decision sets, with the field that sets it, in order.

        A path set by two decisions is listed twice (the file is then refused).
        """
        paths = [(v.path, f"variables[{i}].path") for i, v in enumerate(self.variables)]
        for i, flight in enumerate(self.flights):
            for end in ("start", "end"):
                paths.append((f"campaign.{flight.action}.{end}", f"flights[{i}].action"))
        for g, group in enumerate(self.budgets):
            for i, item in enumerate(group.items):
                paths.append((item.path, f"budgets[{g}].items[{i}].path"))
        return paths

    def deciding(self, path: str) -> str | None:
        """Return the field of a decision that sets ``path``, or a field around or in it.

        List items are compared by position, so ``brands.shop.margin`` is decided by a
        variable of ``brands.0.margin`` when brand 0 is named ``shop``; None if no
        decision touches ``path``.
        """
        scenario = self.scenario.model_dump()
        target = field_path(scenario, path)
        for decided, where in self.decisions():
            if overlapping(field_path(scenario, decided), target):
                return where
        return None


def _clashes(decisions: list[tuple[str, str]], scenario: dict[str, Any]) -> list[str]:
    """Name each decision whose field another decision before it also sets, or contains.

    Paths are compared with list items by position, so ``brands.shop.price`` and
    ``brands.0.price`` are the same field when brand 0 is named ``shop``.

    Parameters
    ----------
    decisions : list of (str, str)
        :meth:`Optimisation.decisions`.
    scenario : dict
        The base scenario's fields.

    Returns
    -------
    list of str
        One problem per clashing decision, naming the other decision's field.
    """
    positional = [field_path(scenario, path) for path, _ in decisions]
    problems: dict[str, str] = {}
    for i, (path, where) in enumerate(decisions):
        for j, (other, there) in enumerate(decisions[:i]):
            if there == where or where in problems or not overlapping(positional[i], positional[j]):
                continue
            if positional[i] != positional[j]:
                problems[where] = f"{where}: {path!r} overlaps {other!r}, set by {there}"
            else:
                spelled = "" if path == other else f" (as {other!r})"
                problems[where] = (
                    f"{where}: {path!r} is also set by {there}{spelled}; a field takes one "
                    "value: remove one of the two decisions"
                )
    return list(problems.values())


# ---------------------------------------------------------------- loading


def load_optimisation(
    path: str | Path, overrides: dict[str, Any] | None = None, *, overrides_from: str | None = None
) -> Optimisation:
    """Read and validate an optimisation TOML file.

    The base scenario (``scenario``, relative to the file) is loaded with ``customers``
    and ``days`` applied; every decision is checked by loading the scenario with its
    extreme values (a budget group with all its money on each item in turn), and a
    posterior sample, if named, is read and checked.

    Parameters
    ----------
    path : str or Path
    overrides : dict, optional
        Fields by dotted path, set before validation (``{"search.evaluations": 8}``).
    overrides_from : str, optional
        Where ``overrides`` came from (``"the command line"``): a problem in a field they
        set is then named as theirs (:func:`ecosim.scenario.loading.blame_overrides`).

    Returns
    -------
    Optimisation

    Raises
    ------
    OptimisationError
        If the file is missing or not valid TOML, or any field is invalid; the message
        names the file, each field path and what was expected.
    """
    path = as_path(path, "path")
    source = str(path)
    data = read_toml_file(path, OptimisationError, kind="optimisation")
    from ecosim.scenario import apply_overrides, check_overrides

    if not check_overrides({} if overrides is None else overrides):
        return _validated(path, data, source)

    try:
        changed = apply_overrides(data, overrides, source=source)
    except ScenarioError as error:
        raise OptimisationError(error.source, error.problems) from None
    try:
        return _validated(path, changed, source)
    except OptimisationError as error:
        if overrides_from is None or error.source != source:
            raise
        problems = blame_overrides(error.problems, data, overrides, overrides_from)
        raise OptimisationError(source, problems) from None


def _validated(path: Path, data: dict[str, Any], source: str) -> Optimisation:
    """Validate an optimisation file's contents (after ``--set``) and read its posterior."""
    from ecosim.optimize.posterior import read_posterior

    for reserved in ("scenario_file", "folder"):  # in the file, or set by --set
        if reserved in data:
            raise OptimisationError(source, [(reserved, "is set by ecosim; remove it")])
    data["folder"] = str(path.parent)
    if isinstance(data.get("scenario"), str):
        data["scenario_file"] = data["scenario"]
        try:
            data["scenario"] = load_scenario(path.parent / data["scenario"])
        except ScenarioError as error:
            raise OptimisationError(source, error.under("scenario")) from None
    try:
        optimisation = Optimisation.model_validate(data)
    except ValidationError as error:
        raise OptimisationError(source, validation_problems(error, data)) from None
    try:
        scenario = resolve_scenario(
            optimisation.scenario, customers=optimisation.customers, days=optimisation.days
        )
    except ScenarioError as error:
        raise OptimisationError(
            source, resize_problems(error, optimisation.customers, optimisation.days)
        ) from None
    unfit = check_edge_list(scenario) if optimisation.customers is not None else []
    if unfit:
        raise OptimisationError(source, unfit)
    optimisation = optimisation.model_copy(update={"scenario": scenario})
    problems = _check_decisions(optimisation)
    if optimisation.posterior is not None and not problems:
        try:
            read_posterior(optimisation)
        except InputError as error:
            problems += error.under("posterior.from")
    if problems:
        raise OptimisationError(source, problems)
    _warn_unused_settings(optimisation, source)
    _warn_other_budgets(optimisation, source)
    return optimisation


_SAMPLER_SETTINGS = {"startup": "tpe", "population": "nsga2"}
"""The search's settings that one sampler alone uses."""


def _warn_unused_settings(optimisation: Optimisation, source: str) -> None:
    """Warn of a setting given that the search does not use.

    A quantile given to a mean objective, or a sampler's setting given for a search that
    another sampler runs. Warnings, not errors: ``--set objectives.0.statistic=mean`` or
    ``--set search.sampler=random`` on a file written otherwise should run (``--set``
    cannot remove a field), and say what of the file is not used.
    """
    for i, objective in enumerate(optimisation.objectives):
        if objective.statistic == "mean" and "quantile" in objective.model_fields_set:
            warnings.warn(
                f"{source}: objectives[{i}].quantile: not used by a mean objective; the "
                "search optimises the mean (set statistic = 'quantile' for a quantile of "
                "the replications)",
                InputWarning,
                stacklevel=2,
            )
    sampler = optimisation.sampler
    for name, user in _SAMPLER_SETTINGS.items():
        if name in optimisation.search.model_fields_set and sampler != user:
            warnings.warn(
                f"{source}: search.{name}: not used by the {sampler} sampler (only by "
                f"{user}); the search runs without it",
                InputWarning,
                stacklevel=2,
            )


def _warn_other_budgets(optimisation: Optimisation, source: str) -> None:
    """Warn of a budget group whose total is not what the current plan spends on its items.

    Every plan the search makes spends the total: against a current plan that spends
    another amount on the same items, a plan gains or loses by the money as much as by its
    shares, and "at equal cost" holds of the plans the search compares, not of the current
    plan.
    """
    from ecosim.optimize.space import current_shares  # space builds on this module

    for g, group in enumerate(optimisation.budgets):
        spent = sum(current_shares(optimisation, group).values()) * group.total
        if abs(spent - group.total) > 0.01 * group.total:
            warnings.warn(
                f"{source}: budgets[{g}].total: {group.total:,.6g}, but the current plan spends "
                f"{spent:,.6g} on its items ({_percent(spent / group.total)} of it): every plan "
                "of the search spends the total, so its difference from the current plan is "
                "partly the money, not the shares (set total to what is spent now to compare "
                "at equal cost)",
                InputWarning,
                stacklevel=2,
            )


def _check_decisions(optimisation: Optimisation) -> list[tuple[str, str]]:
    """Load the scenario with each decision's extreme values; return the problems."""
    base = optimisation.scenario
    trials: list[tuple[str, dict[str, Any]]] = []
    problems = []
    for i, variable in enumerate(optimisation.variables):
        if _needs_integer(base, variable):
            problems.append(
                (
                    f"variables[{i}].integer",
                    f"{variable.path} takes whole numbers: set integer = true"
                    + ("" if _whole(variable) else ", with whole numbers for low and high")
                    + " (the search then draws whole numbers)",
                )
            )
            continue
        trials += [(f"variables[{i}]", {variable.path: v}) for v in variable.extremes()]
    for i, flight in enumerate(optimisation.flights):
        where = f"flights[{i}]"
        if flight.action >= len(base.campaign):
            problems.append(
                (
                    f"{where}.action",
                    f"no campaign action {flight.action} (the campaign has "
                    f"{len(base.campaign)} actions, numbered from 0)",
                )
            )
            continue
        action = base.campaign[flight.action]
        length = action.end - action.start
        starts = [flight.earliest, flight.latest]
        if flight.latest + length > base.days:
            problems.append(
                (
                    f"{where}.latest",
                    f"a start on day {flight.latest} would end the {length + 1}-day action on "
                    f"day {flight.latest + length}, after the last day ({base.days})",
                )
            )
            starts.pop()  # said above; loading it would only warn of the same
        for start in starts:
            trials.append((where, flight_overrides(flight, length, start)))
    for g, group in enumerate(optimisation.budgets):
        for i, item in enumerate(group.items):
            where = f"budgets[{g}].items[{i}]"
            most = group.total * group.caps()[i]
            values = [item.value(m) for m in (0.0, most)]
            if not item.integer and _takes_only_whole(base, item.path, values):
                problems.append(
                    (
                        f"{where}.integer",
                        f"{item.path} takes whole numbers: set integer = true (the item "
                        "then buys whole units, and what is left over stays unspent)",
                    )
                )
                continue
            trials += [(where, {item.path: value}) for value in values]
    said: set[tuple[str, str, str]] = set()
    for where, overrides in trials:
        try:
            resolve_scenario(base, overrides=overrides)
        except ScenarioError as error:
            value = ", ".join(f"{k} = {v!r}" for k, v in overrides.items())
            for path, message in error.problems:
                if (where, path, message) in said:  # not the value's: an unknown path
                    continue
                said.add((where, path, message))
                problems.append(
                    (where, f"{value}: {path}: {message}" if path else f"{value}: {message}")
                )
    return problems


FRACTION = 1e-3
"""What :func:`_whole_only` adds to a whole number to see whether a field takes fractions."""


def _needs_integer(base: Scenario, variable: Variable) -> bool:
    """Whether the scenario refuses a bound of a range and takes it as a whole number."""
    if variable.choices is not None or variable.integer:
        return False
    bounds = [(variable.low, math.floor(variable.low)), (variable.high, math.ceil(variable.high))]
    return any(_whole_only(base, variable.path, bound, whole) for bound, whole in bounds)


def _takes_only_whole(base: Scenario, path: str, values: list[float]) -> bool:
    """Whether the field at ``path`` holds a whole number, or takes ``values`` only rounded."""
    current = field_value(base.model_dump(), path)
    if isinstance(current, int) and not isinstance(current, bool):
        return True
    return any(_whole_only(base, path, value, math.floor(value)) for value in values)


def _whole_only(base: Scenario, path: str, value: float, whole: int) -> bool:
    """Whether the scenario refuses ``value`` at ``path`` for not being whole.

    It takes ``whole`` but neither ``value`` nor ``whole`` moved by :data:`FRACTION`
    either way: a bound of 1e-20 on an intensity is refused as too small, not for its
    fraction (0 and 0.001 are taken), and a margin of 1.25 for being above 1 (0.999 is
    taken); the scenario's message then says so.
    """

    def valid(number: float) -> bool:
        return first_invalid(base, [{path: number}]) is None

    fractions = (whole - FRACTION, whole + FRACTION)
    return not valid(value) and valid(whole) and not any(map(valid, fractions))


def _whole(variable: Variable) -> bool:
    return variable.low == int(variable.low) and variable.high == int(variable.high)


def flight_overrides(flight: Flight, length: int, start: int) -> dict[str, int]:
    """Return the overrides that start ``flight``'s action on ``start``, keeping its length."""
    prefix = f"campaign.{flight.action}"
    return {f"{prefix}.start": start, f"{prefix}.end": start + length}
