"""Experiments: strategies compared over market conditions, with replications, in batch.

An experiment file (TOML) names a base scenario, the strategies to compare (each a set of
scenario overrides), the market conditions to vary, the replications, the horizon, the
outcomes of interest, the baseline strategy and a seed. :func:`load_experiment` validates
it like a scenario: every problem is reported with the file, the field path and what was
expected. :func:`run_experiment` runs every (strategy, condition, replication) on Dask
(or in-process) and writes each run as soon as it finishes
(:class:`ecosim.store.ResultStore`); rerunning it skips the runs already on disk.
:func:`run_sensitivity` runs a Morris or Sobol design over the same parameters.

Replication ``r`` of every strategy under every condition uses the same seed (common
random numbers), so strategies are compared in pairs; the seeds are spawned from the
experiment's seed with :class:`numpy.random.SeedSequence`, so a run's result does not
depend on the number of workers or on the order in which runs finish.

Examples
--------
>>> from ecosim.experiment import load_experiment, plan_runs
>>> experiment = load_experiment("experiments/strategy_comparison.toml")
>>> runs = plan_runs(experiment)
>>> runs[0].run_id
'current_plan-c000-r00'
>>> len({run.seed for run in runs}) == experiment.replications
True
"""

from __future__ import annotations

import itertools
import logging
import os
import re
import signal
import threading
import time
import tomllib
import traceback
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import dask
import numpy as np
import pandas as pd
import tomli_w
from dask.distributed import Client, LocalCluster, as_completed
from pydantic import (
    AfterValidator,
    Field,
    ValidationError,
    model_validator,
)
from SALib.sample import latin
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample
from tqdm.auto import tqdm

from ecosim import __version__
from ecosim.analysis import morris_indices, sobol_indices
from ecosim.errors import InputError
from ecosim.metrics import columns, summarize
from ecosim.model import EcosystemModel, resolve_scenario
from ecosim.scenario import Scenario, ScenarioError, apply_overrides, load_scenario
from ecosim.scenario.fields import Spec
from ecosim.store import ResultStore, write_text
from ecosim.value import VALUE_KEYS

__all__ = [
    "BatchResult",
    "Conditions",
    "Experiment",
    "ExperimentError",
    "Parameter",
    "Record",
    "Run",
    "Sensitivity",
    "SensitivityDesign",
    "SensitivityResult",
    "Strategy",
    "condition_table",
    "describe_failures",
    "load_experiment",
    "outcome_names",
    "plan_runs",
    "read_record",
    "replication_seeds",
    "run_experiment",
    "run_sensitivity",
    "sensitivity_design",
    "simulate",
    "strategy_overrides",
    "summary_row",
]

NAME_PATTERN = r"^[a-z][a-z0-9_]*$"
FIELD_PATH_PATTERN = r"^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$"
IDENTIFIERS = ("run_id", "strategy", "condition", "replication", "seed")
"""Columns that identify a run in ``results.parquet``, before its outcomes."""
DUMMY = "dummy"
"""Name of the sensitivity analysis's dummy parameter, which the model never reads."""

Name = Annotated[str, Field(pattern=NAME_PATTERN, max_length=40)]


def _scalar(value: Any) -> Any:
    if not isinstance(value, bool | int | float | str):
        raise ValueError(f"expected a number, a string or a boolean (got {_short(value)})")
    return value


Scalar = Annotated[Any, AfterValidator(_scalar)]


class ExperimentError(InputError):
    """An experiment that cannot be used, with every problem named by its field path.

    Parameters
    ----------
    source : str
        Where the experiment came from (its file, or a results folder).
    problems : list of (str, str)
        Pairs of field path (``strategies.mass.set``) and what was wrong.
    """


# ---------------------------------------------------------------- schema


class Strategy(Spec):
    """A way to run the business: scenario overrides applied to the base scenario.

    ``set`` gives field values by dotted path, quoted in TOML (``"brands.0.budget" =
    300_000``; a table or list value replaces the whole field). ``append`` adds items to
    list fields after ``set`` (``[[strategies.NAME.append.campaign]]`` adds a campaign
    action), so a strategy can replace the campaign plan (``set = { campaign = [] }``
    and append its own) or extend it.
    """

    description: str = ""
    set: dict[str, Any] = Field(default_factory=dict)
    append: dict[str, list[dict[str, Any]]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _paths(self) -> Strategy:
        problems = [
            f'{kind}: {key!r} is not a dotted field path (expected e.g. "brands.0.price")'
            for kind, keys in (("set", self.set), ("append", self.append))
            for key in keys
            if not re.match(FIELD_PATH_PATTERN, key)
        ]
        if problems:
            raise ValueError("\n".join(problems))
        return self

    def paths(self) -> list[str]:
        """Return the field paths this strategy changes."""
        return [*self.set, *self.append]


class Parameter(Spec):
    """A market condition: a scenario field varied across the experiment.

    Give either ``values`` (a list, for a factorial design) or ``range`` (``[low,
    high]``: a factorial design takes ``levels`` evenly spaced values; Latin hypercube,
    Morris and Sobol designs sample it). ``integer`` rounds sampled values for integer
    fields. ``name`` labels the condition in tables (default: ``path``).
    """

    path: str = Field(pattern=FIELD_PATH_PATTERN)
    name: str | None = Field(default=None, pattern=r"^[A-Za-z][A-Za-z0-9_.]*$")
    values: list[Scalar] | None = Field(default=None, min_length=1)
    range: tuple[float, float] | None = None
    levels: int | None = Field(default=None, ge=2)
    integer: bool = False

    @model_validator(mode="after")
    def _one_kind(self) -> Parameter:
        if (self.values is None) == (self.range is None):
            raise ValueError("give either values (a list) or range ([low, high])")
        if self.range is not None and not self.range[0] < self.range[1]:
            raise ValueError(f"range: low ({self.range[0]}) must be < high ({self.range[1]})")
        if self.levels is not None and self.values is not None:
            raise ValueError("levels: applies to a range, not to a list of values")
        return self

    @property
    def label(self) -> str:
        """The parameter's column name in results: ``name``, or else ``path``."""
        return self.name or self.path

    def value(self, x: float) -> float | int:
        """Return the scenario value for a point ``x`` of the range (rounded if integer)."""
        return round(x) if self.integer else float(x)

    def grid(self) -> list[Scalar]:
        """Return the values of a factorial design: ``values``, or ``levels`` over ``range``."""
        if self.values is not None:
            return list(self.values)
        low, high = self.range
        return [self.value(x) for x in np.linspace(low, high, self.levels)]

    def extremes(self) -> list[Scalar]:
        """Return the values to check against the scenario schema when loading."""
        return self.grid() if self.values is not None else [self.value(x) for x in self.range]


class Conditions(Spec):
    """The market conditions: parameters and the design that combines their values.

    ``factorial`` runs every combination of the parameters' values; ``latin_hypercube``
    draws ``points`` conditions from the parameters' ranges (McKay, Beckman & Conover
    1979), seeded by the experiment's seed.
    """

    design: Literal["factorial", "latin_hypercube"] = "factorial"
    points: int | None = Field(default=None, ge=2)
    parameters: list[Parameter] = Field(min_length=1)

    @model_validator(mode="after")
    def _design(self) -> Conditions:
        problems = []
        labels = [p.label for p in self.parameters]
        for i, parameter in enumerate(self.parameters):
            where = f"parameters[{i}]"
            if labels.count(parameter.label) > 1:
                problems.append(f"{where}.name: {parameter.label!r} names two parameters")
            if parameter.label in (*IDENTIFIERS, DUMMY):
                problems.append(f"{where}.name: {parameter.label!r} is reserved; give a name")
            if self.design == "factorial" and parameter.range and parameter.levels is None:
                problems.append(f"{where}.levels: a range in a factorial design needs levels")
            if self.design == "latin_hypercube" and parameter.range is None:
                problems.append(f"{where}.values: a latin_hypercube design needs a range")
        if self.design == "latin_hypercube" and self.points is None:
            problems.append("points: a latin_hypercube design needs the number of points")
        if self.design == "factorial" and self.points is not None:
            problems.append("points: applies to a latin_hypercube design, not a factorial one")
        if problems:
            raise ValueError("\n".join(problems))
        return self


class Sensitivity(Spec):
    """Settings of ``ecosim sensitivity`` over the conditions' parameters (their ranges).

    Morris screening (Morris 1991; Campolongo, Cariboni & Saltelli 2007) uses
    ``trajectories`` trajectories on a grid of ``levels`` levels; Sobol indices (Sobol'
    2001; Saltelli et al. 2010) use ``samples`` base samples (a power of two). Each
    design point is run ``replications`` times and the outcomes averaged.
    """

    strategy: str | None = None
    outcomes: list[str] | None = Field(default=None, min_length=1)
    replications: int | None = Field(default=None, ge=1)
    trajectories: int = Field(default=10, ge=2)
    levels: int = Field(default=4, ge=2)
    samples: int = Field(default=64, ge=2)

    @model_validator(mode="after")
    def _power_of_two(self) -> Sensitivity:
        if self.samples & (self.samples - 1):
            raise ValueError(f"samples: must be a power of two (got {self.samples})")
        return self


class Experiment(Spec):
    """Strategies × market conditions × replications on one base scenario.

    Attributes
    ----------
    scenario : Scenario
        The base scenario, with ``customers`` and ``days`` applied.
    scenario_file : str, optional
        The scenario's path as written in the experiment file (set by
        :func:`load_experiment`).
    strategies : dict of str to Strategy
        In file order; ``baseline`` names one of them.
    conditions : Conditions, optional
        Without conditions every strategy runs on the base scenario alone.
    outcomes : list of str
        Names from the run summary (:func:`outcome_names`).
    """

    name: Name
    description: str = ""
    scenario: Scenario
    scenario_file: str | None = None
    seed: int = Field(ge=0)
    replications: int = Field(ge=2, le=100_000)
    days: int | None = Field(default=None, ge=1)
    customers: int | None = Field(default=None, ge=2)
    baseline: str
    outcomes: list[str] = Field(min_length=1)
    strategies: dict[Name, Strategy] = Field(min_length=1)
    conditions: Conditions | None = None
    sensitivity: Sensitivity = Field(default_factory=Sensitivity)

    @model_validator(mode="after")
    def _references(self) -> Experiment:
        problems = []
        strategies = list(self.strategies)
        known = outcome_names(self.scenario)
        if self.baseline not in strategies:
            problems.append(f"baseline: unknown strategy {self.baseline!r} {_expected(strategies)}")
        problems += _unknown(self.outcomes, known, "outcomes", "outcome")
        if self.sensitivity.strategy is not None and self.sensitivity.strategy not in strategies:
            problems.append(
                f"sensitivity.strategy: unknown strategy {self.sensitivity.strategy!r} "
                f"{_expected(strategies)}"
            )
        problems += _unknown(
            self.sensitivity.outcomes or [], known, "sensitivity.outcomes", "outcome"
        )
        for i, parameter in enumerate(self.conditions.parameters if self.conditions else []):
            where = f"conditions.parameters[{i}]"
            if parameter.label in known:
                problems.append(f"{where}.name: {parameter.label!r} is an outcome; give a name")
            for name, strategy in self.strategies.items():
                clash = [p for p in strategy.paths() if _overlap(p, parameter.path)]
                if clash:
                    problems.append(
                        f"{where}.path: {parameter.path!r} overlaps {clash[0]!r}, which "
                        f"strategy {name!r} sets (a condition must not change a strategy's field)"
                    )
        if problems:
            raise ValueError("\n".join(problems))
        return self

    @property
    def parameters(self) -> list[Parameter]:
        """The condition parameters (none without conditions)."""
        return list(self.conditions.parameters) if self.conditions else []


def _unknown(names: list[str], known: list[str], where: str, kind: str) -> list[str]:
    return [
        f"{where}[{i}]: unknown {kind} {name!r} {_expected(known)}"
        for i, name in enumerate(names)
        if name not in known
    ]


def _expected(names: list[str]) -> str:
    return f"(expected one of: {', '.join(names)})" if names else "(none is defined)"


def _overlap(a: str, b: str) -> bool:
    first, second = a.split("."), b.split(".")
    shorter = min(len(first), len(second))
    return first[:shorter] == second[:shorter]


# ---------------------------------------------------------------- outcomes


def summary_row(summary: dict[str, Any]) -> dict[str, float | None]:
    """Flatten a run's summary into one results row.

    Parameters
    ----------
    summary : dict
        :meth:`ecosim.EcosystemModel.summary` of the run.

    Returns
    -------
    dict
        The summary's keys (``final_*``, ``total_*``, ``roi``, ``net_sentiment``,
        customer value...), then the same per brand as ``<key>__<brand>`` when there are
        several.
    """
    row = {key: value for key, value in summary.items() if key != "brands"}
    for brand, values in summary.get("brands", {}).items():
        row.update({f"{key}__{brand}": value for key, value in values.items()})
    return row


def outcome_names(scenario: Scenario) -> list[str]:
    """Return the outcome names a run of ``scenario`` reports (see :func:`summary_row`).

    Examples
    --------
    >>> from ecosim import load_scenario
    >>> names = outcome_names(load_scenario("scenarios/baseline.toml"))
    >>> "total_revenue" in names and "final_adopted_share" in names and "roi" in names
    True
    """
    zeros = pd.DataFrame(0.0, index=[0], columns=columns(scenario))
    summary = summarize(zeros, scenario)
    values = dict.fromkeys(VALUE_KEYS, 0.0)
    for part in summary.get("brands", {"": summary}).values():
        part.update(values)
    return list(summary_row(summary))


# ---------------------------------------------------------------- loading


def load_experiment(path: str | Path, overrides: dict[str, Any] | None = None) -> Experiment:
    """Read and validate an experiment TOML file.

    The base scenario (``scenario``, a path relative to the experiment file) is loaded
    with ``customers`` and ``days`` applied, and every strategy and every condition
    value is checked by loading the scenario with it.

    Parameters
    ----------
    path : str or Path
        The experiment file.
    overrides : dict, optional
        Experiment fields by dotted path, set in the file's contents before they are
        validated (as :func:`ecosim.scenario.load_scenario` does for a scenario); a table
        replaces the whole field and None clears an optional one. For instance
        ``{"replications": 3, "customers": 2000, "conditions": None}`` runs the strategies
        three times each on the base scenario alone, with 2,000 customers.

    Returns
    -------
    Experiment

    Raises
    ------
    ExperimentError
        If the file is missing or not valid TOML, or any field is invalid; the message
        names the file, each field path and what was expected.
    """
    path = Path(path)
    source = str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ExperimentError(source, [("", "file not found")]) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ExperimentError(source, [("", f"cannot be read ({error})")]) from None
    except tomllib.TOMLDecodeError as error:
        raise ExperimentError(source, [("", f"invalid TOML: {error}")]) from None
    try:
        data = apply_overrides(data, overrides or {}, source=source)
    except ScenarioError as error:
        raise ExperimentError(error.source, error.problems) from None
    if isinstance(data.get("scenario"), str):
        data["scenario_file"] = data["scenario"]
        try:
            data["scenario"] = load_scenario(path.parent / data["scenario"])
        except ScenarioError as error:
            raise ExperimentError(source, _nested("scenario", error)) from None
    experiment = _validate(data, source)
    try:
        scenario = resolve_scenario(
            experiment.scenario, customers=experiment.customers, days=experiment.days
        )
    except ScenarioError as error:
        raise ExperimentError(source, _nested("customers/days", error)) from None
    experiment = experiment.model_copy(update={"scenario": scenario})
    problems = _check_overrides(experiment)
    if problems:
        raise ExperimentError(source, problems)
    return experiment


def _validate(data: dict[str, Any], source: str) -> Experiment:
    try:
        return Experiment.model_validate(data)
    except ValidationError as error:
        raise ExperimentError(source, _problems(error)) from None


def _nested(where: str, error: ScenarioError) -> list[tuple[str, str]]:
    return [
        (where, f"{error.source}: {path}: {message}" if path else f"{error.source}: {message}")
        for path, message in error.problems
    ]


def _check_overrides(experiment: Experiment) -> list[tuple[str, str]]:
    """Load the scenario with each strategy, and with each condition's extreme values."""
    problems = []
    base = experiment.scenario
    for name, strategy in experiment.strategies.items():
        try:
            resolve_scenario(base, overrides=strategy_overrides(base, strategy))
        except ScenarioError as error:
            problems += [
                (f"strategies.{name}", f"{path}: {message}" if path else message)
                for path, message in error.problems
            ]
    if problems:
        return problems
    baseline = strategy_overrides(base, experiment.strategies[experiment.baseline])
    for i, parameter in enumerate(experiment.parameters):
        for value in parameter.extremes():
            try:
                resolve_scenario(base, overrides={**baseline, parameter.path: value})
            except ScenarioError as error:
                problems += [
                    (f"conditions.parameters[{i}]", f"value {value!r}: {path}: {message}")
                    for path, message in error.problems
                ]
    return problems


def _problems(error: ValidationError) -> list[tuple[str, str]]:
    problems = []
    for item in error.errors(include_url=False):
        path = _field_path(item["loc"])
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = "unknown field"
        elif item["type"] == "missing":
            message = "required field is missing"
        elif "input" in item and item["type"] not in ("value_error", "assertion_error"):
            message = f"{message} (got {_short(item['input'])})"
        for line in message.split("\n"):
            head, sep, rest = line.partition(": ")
            if sep and re.fullmatch(r"[a-z_]+(\[\d+\])?(\.[a-z0-9_]+(\[\d+\])?)*", head):
                joined = f"{path}.{head}" if path else head
                problems.append((joined.replace(".[", "["), rest))
            else:
                problems.append((path, line))
    return problems


def _field_path(loc: tuple) -> str:
    parts = []
    for key in loc:
        if isinstance(key, int):
            parts.append(f"[{key}]")
        elif key == "[key]":
            continue
        else:
            text = key if re.fullmatch(r"[A-Za-z0-9_]+", key) else f'"{key}"'
            parts.append(f".{text}" if parts else text)
    return "".join(parts)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


# ---------------------------------------------------------------- strategies and design


def strategy_overrides(scenario: Scenario, strategy: Strategy) -> dict[str, Any]:
    """Return a strategy's changes as overrides by dotted path (``append`` resolved).

    Parameters
    ----------
    scenario : Scenario
        The base scenario (the lists that ``append`` extends).
    strategy : Strategy

    Returns
    -------
    dict
        ``set``, then each appended list as a whole new value of its field.

    Raises
    ------
    ScenarioError
        If a ``set`` path cannot be followed, or an ``append`` path is not a list.
    """
    overrides = dict(strategy.set)
    if strategy.append:
        data = apply_overrides(scenario.model_dump(exclude_none=True), overrides, source="set")
        problems = []
        for path, items in strategy.append.items():
            current = _lookup(data, path)
            if isinstance(current, list):
                overrides[path] = [*current, *items]
            else:
                problems.append((f"append.{path}", f"is {_kind(current)}, not a list"))
        if problems:
            raise ScenarioError("append", problems)
    return overrides


def _lookup(data: Any, path: str) -> Any:
    """Follow a dotted path (list items by position or by name); None where it ends."""
    node = data
    for part in path.split("."):
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list):
            matches = [
                item
                for i, item in enumerate(node)
                if part == str(i) or (isinstance(item, dict) and item.get("name") == part)
            ]
            node = matches[0] if matches else None
        else:
            return None
    return node


def _kind(value: Any) -> str:
    return "missing" if value is None else f"a {type(value).__name__}"


def replication_seeds(seed: int, replications: int) -> list[int]:
    """Return one seed per replication, common to every strategy and condition.

    Seed ``r`` is the first 63 bits of the state of
    ``numpy.random.SeedSequence(seed).spawn(replications)[r]``.

    Parameters
    ----------
    seed : int
        The experiment's seed.
    replications : int

    Returns
    -------
    list of int

    Examples
    --------
    >>> replication_seeds(1, 3) == replication_seeds(1, 5)[:3]
    True
    """
    return [_seed(child) for child in np.random.SeedSequence(seed).spawn(replications)]


def _seed(sequence: np.random.SeedSequence) -> int:
    return int(sequence.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))


def condition_table(experiment: Experiment) -> list[dict[str, Scalar]]:
    """Return the market conditions, one dictionary of parameter values per condition.

    Parameters
    ----------
    experiment : Experiment

    Returns
    -------
    list of dict
        By parameter label. A factorial design lists every combination (the last
        parameter varying fastest); a Latin hypercube draws ``points`` conditions with
        :func:`SALib.sample.latin.sample`, seeded by the experiment's seed. Without
        conditions: one empty condition.
    """
    conditions = experiment.conditions
    if conditions is None:
        return [{}]
    parameters = conditions.parameters
    labels = [p.label for p in parameters]
    if conditions.design == "factorial":
        grids = [p.grid() for p in parameters]
        return [dict(zip(labels, values, strict=True)) for values in itertools.product(*grids)]
    problem = {
        "num_vars": len(parameters),
        "names": labels,
        "bounds": [list(p.range) for p in parameters],
    }
    sample = latin.sample(problem, conditions.points, seed=experiment.seed)
    return [{p.label: p.value(x) for p, x in zip(parameters, row, strict=True)} for row in sample]


@dataclass(frozen=True)
class Run:
    """One simulation of an experiment.

    Attributes
    ----------
    run_id : str
        ``<strategy>-c<condition>-r<replication>`` (``-p<point>`` in a sensitivity
        design): a stable name, also the run's file name.
    strategy : str
    condition : int
        Index of the condition (design point).
    values : dict
        The condition's parameter values, by label (recorded with the results).
    replication : int
    seed : int
    overrides : dict
        Scenario fields by dotted path: the strategy's, then the condition's.
    """

    run_id: str
    strategy: str
    condition: int
    values: dict[str, Scalar]
    replication: int
    seed: int
    overrides: dict[str, Any] = field(repr=False)

    def identification(self) -> dict[str, Any]:
        """Return the columns that identify the run in the results."""
        return {
            "run_id": self.run_id,
            "strategy": self.strategy,
            "condition": self.condition,
            **self.values,
            "replication": self.replication,
            "seed": self.seed,
        }


def plan_runs(experiment: Experiment) -> list[Run]:
    """Return every run of the experiment: strategies × conditions × replications.

    Runs are ordered by replication, then condition, then strategy, so that an
    interrupted batch leaves complete pairs of strategies behind.

    Parameters
    ----------
    experiment : Experiment

    Returns
    -------
    list of Run
    """
    conditions = condition_table(experiment)
    seeds = replication_seeds(experiment.seed, experiment.replications)
    paths = {p.label: p.path for p in experiment.parameters}
    strategies = {
        name: strategy_overrides(experiment.scenario, strategy)
        for name, strategy in experiment.strategies.items()
    }
    c_width = max(3, len(str(len(conditions) - 1)))
    r_width = max(2, len(str(experiment.replications - 1)))
    return [
        Run(
            run_id=f"{name}-c{c:0{c_width}d}-r{r:0{r_width}d}",
            strategy=name,
            condition=c,
            values=values,
            replication=r,
            seed=seeds[r],
            overrides={**overrides, **{paths[label]: v for label, v in values.items()}},
        )
        for r in range(experiment.replications)
        for c, values in enumerate(conditions)
        for name, overrides in strategies.items()
    ]


@dataclass(frozen=True)
class SensitivityDesign:
    """A Morris or Sobol design over the experiment's condition parameters.

    Attributes
    ----------
    method : {"morris", "sobol"}
    strategy : str
        The strategy every design point runs.
    outcomes : list of str
    replications : int
        Runs per design point (their outcomes are averaged).
    problem : dict
        The SALib problem: the parameters' labels and ranges, then the dummy parameter
        (range [0, 1]), which no run reads.
    sample : numpy.ndarray
        One row per design point, one column per problem variable.
    runs : list of Run
    """

    method: Literal["morris", "sobol"]
    strategy: str
    outcomes: list[str]
    replications: int
    problem: dict[str, Any]
    sample: np.ndarray
    runs: list[Run]


def sensitivity_design(
    experiment: Experiment, method: Literal["morris", "sobol"]
) -> SensitivityDesign:
    """Build the Morris or Sobol design of the experiment's ``[sensitivity]`` settings.

    Every condition parameter must have a range. A dummy parameter is added to the
    problem; the model never reads it, so its index is the noise floor of the analysis.
    Design points get independent seeds (SeedSequence(seed).spawn(points)[i].spawn(
    replications)[r]), not common random numbers: with common random numbers two points
    that differ only in the dummy would be identical runs, and the dummy's index would be
    exactly zero instead of measuring the noise.

    Parameters
    ----------
    experiment : Experiment
    method : {"morris", "sobol"}

    Returns
    -------
    SensitivityDesign

    Raises
    ------
    ExperimentError
        If there are no conditions, or a parameter has values instead of a range.
    """
    settings = experiment.sensitivity
    source = f"experiment {experiment.name!r}"
    if not experiment.parameters:
        raise ExperimentError(source, [("conditions", "sensitivity analysis needs parameters")])
    problems = [
        (f"conditions.parameters[{i}]", "sensitivity analysis needs a range [low, high]")
        for i, p in enumerate(experiment.parameters)
        if p.range is None
    ]
    if problems:
        raise ExperimentError(source, problems)
    parameters = experiment.parameters
    problem = {
        "num_vars": len(parameters) + 1,
        "names": [*(p.label for p in parameters), DUMMY],
        "bounds": [*(list(p.range) for p in parameters), [0.0, 1.0]],
    }
    if method == "morris":
        sample = morris_sample.sample(
            problem, settings.trajectories, num_levels=settings.levels, seed=experiment.seed
        )
    else:
        sample = sobol_sample.sample(
            problem, settings.samples, calc_second_order=False, seed=experiment.seed
        )
    strategy = settings.strategy or experiment.baseline
    replications = settings.replications or experiment.replications
    overrides = strategy_overrides(experiment.scenario, experiment.strategies[strategy])
    roots = np.random.SeedSequence(experiment.seed).spawn(len(sample))
    p_width = max(4, len(str(len(sample) - 1)))
    r_width = max(2, len(str(replications - 1)))
    runs = []
    for point, (row, root) in enumerate(zip(sample, roots, strict=True)):
        values = {p.label: p.value(x) for p, x in zip(parameters, row, strict=False)}
        applied = {**overrides, **{p.path: values[p.label] for p in parameters}}
        for r, child in enumerate(root.spawn(replications)):
            runs.append(
                Run(
                    run_id=f"{strategy}-p{point:0{p_width}d}-r{r:0{r_width}d}",
                    strategy=strategy,
                    condition=point,
                    values={**values, DUMMY: float(row[-1])},
                    replication=r,
                    seed=_seed(child),
                    overrides=applied,
                )
            )
    return SensitivityDesign(
        method=method,
        strategy=strategy,
        outcomes=list(settings.outcomes or experiment.outcomes),
        replications=replications,
        problem=problem,
        sample=sample,
        runs=runs,
    )


# ---------------------------------------------------------------- one run


def simulate(
    scenario: Scenario, overrides: dict[str, Any], seed: int
) -> tuple[pd.DataFrame, dict[str, float | None]]:
    """Run one simulation; the function every worker calls.

    Parameters
    ----------
    scenario : Scenario
        The base scenario.
    overrides : dict
        Scenario fields by dotted path.
    seed : int
        The run's seed (Mesa's ``rng``).

    Returns
    -------
    daily : pandas.DataFrame
        The daily outcomes.
    summary : dict
        :func:`summary_row` of the run.
    """
    model = EcosystemModel(scenario, rng=seed, overrides=overrides)
    daily = model.run()
    return daily, summary_row(model.summary())


# ---------------------------------------------------------------- records


@dataclass(frozen=True)
class Record:
    """What a results folder holds, as read from its ``experiment.toml``.

    Attributes
    ----------
    kind : {"batch", "sensitivity"}
    method : str or None
        ``"morris"`` or ``"sobol"`` for a sensitivity analysis.
    experiment : Experiment
    """

    kind: Literal["batch", "sensitivity"]
    method: Literal["morris", "sobol"] | None
    experiment: Experiment


def _record_data(record: Record) -> dict[str, Any]:
    data: dict[str, Any] = {"kind": record.kind}
    if record.method:
        data["method"] = record.method
    data["experiment"] = record.experiment.model_dump(mode="python", exclude_none=True)
    return tomllib.loads(tomli_w.dumps(data))


def read_record(directory: str | Path) -> Record:
    """Read the resolved experiment of a results folder (its ``experiment.toml``).

    Parameters
    ----------
    directory : str or Path

    Returns
    -------
    Record

    Raises
    ------
    ExperimentError
        If the folder has no readable ``experiment.toml``.
    """
    path = Path(directory) / ResultStore.RECORD
    source = str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ExperimentError(
            source, [("", "not found: is this the --out folder of ecosim batch?")]
        ) from None
    except tomllib.TOMLDecodeError as error:
        raise ExperimentError(source, [("", f"invalid TOML: {error}")]) from None
    kind = data.get("kind")
    if kind not in ("batch", "sensitivity"):
        raise ExperimentError(source, [("kind", f"expected batch or sensitivity (got {kind!r})")])
    return Record(kind, data.get("method"), _validate(data.get("experiment", {}), source))


def _claim(store: ResultStore, record: Record) -> None:
    """Write the record into a new folder, or check that the folder holds the same one."""
    data = _record_data(record)
    held = store.record()
    if held is None:
        if store.rows():
            raise ExperimentError(
                str(store.directory), [("", "holds runs but no experiment.toml; use another --out")]
            )
        header = f"# The resolved experiment, written by ecosim {__version__}.\n"
        write_text(header + tomli_w.dumps(data), store.directory / ResultStore.RECORD)
        return
    differences = _differences(held, data)
    if differences:
        listed = ", ".join(differences[:5]) + (", ..." if len(differences) > 5 else "")
        raise ExperimentError(
            str(store.directory),
            [
                (
                    "",
                    f"holds a different experiment ({held.get('kind')} "
                    f"{held.get('experiment', {}).get('name')!r}; differs in: {listed}); "
                    "use another --out, or remove the folder to start again",
                )
            ],
        )


def _differences(a: Any, b: Any, path: str = "") -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        return [
            found
            for key in dict.fromkeys([*a, *b])
            for found in _differences(a.get(key), b.get(key), f"{path}.{key}" if path else key)
        ]
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [
            found
            for i, (x, y) in enumerate(zip(a, b, strict=True))
            for found in _differences(x, y, f"{path}[{i}]")
        ]
    return [] if a == b else [path]


# ---------------------------------------------------------------- running


@dataclass(frozen=True)
class BatchResult:
    """What one call of :func:`run_experiment` did.

    Attributes
    ----------
    directory : Path
    planned : int
        Runs in the experiment.
    skipped : int
        Runs already finished on disk before this call.
    finished : int
        Runs finished by this call.
    failed : int
        Runs that failed after their retries (listed in ``failed.parquet``).
    seconds : float
        Wall time of this call.
    """

    directory: Path
    planned: int
    skipped: int
    finished: int
    failed: int
    seconds: float


def run_experiment(
    experiment: Experiment,
    out: str | Path,
    workers: int | None = None,
    scheduler: str | None = None,
    serial: bool = False,
    *,
    retries: int = 2,
    progress: bool | None = None,
    on_run: Callable[[int, int], None] | None = None,
) -> BatchResult:
    """Run every run of an experiment that is not yet on disk, and write each at once.

    Parameters
    ----------
    experiment : Experiment
    out : str or Path
        The results folder (see :class:`ecosim.store.ResultStore`). If it already holds
        this experiment, finished runs are skipped; if it holds another, nothing is run.
    workers : int, optional
        Worker processes of the embedded Dask ``LocalCluster`` (default: one per core).
    scheduler : str, optional
        Address of a running Dask scheduler to use instead.
    serial : bool
        Run in this process, one run after another, without Dask.
    retries : int
        How many times a run that raises is tried again before it is recorded as failed.
    progress : bool, optional
        Show a progress bar; by default only on a terminal.
    on_run : callable, optional
        Called as ``on_run(done, planned)`` after each run that finished or failed (after
        its retries) and was written, in this process: ``done`` counts the runs on disk
        with those that failed, so it grows by one each call and ends at ``planned``, the
        runs of the experiment. For a progress display of one's own; an exception it
        raises stops the batch there (the runs written so far are kept, and a rerun
        continues), which is how a caller cancels a batch.

    Returns
    -------
    BatchResult

    Raises
    ------
    ExperimentError
        If ``out`` holds a different experiment.
    ecosim.store.StoreError
        If another process is writing ``out``.
    """
    record = Record("batch", None, experiment)
    return _execute(
        record,
        plan_runs(experiment),
        out,
        workers,
        scheduler,
        serial,
        retries,
        progress,
        on_run,
    )


@dataclass(frozen=True)
class SensitivityResult:
    """A sensitivity analysis: its design, its runs and the indices.

    Attributes
    ----------
    design : SensitivityDesign
    batch : BatchResult
    means : pandas.DataFrame
        One row per design point: the parameters' values and each outcome averaged over
        the replications.
    indices : pandas.DataFrame or None
        :func:`ecosim.analysis.morris_indices` or :func:`ecosim.analysis.sobol_indices`
        per outcome; None while some runs are missing (failed).
    """

    design: SensitivityDesign
    batch: BatchResult
    means: pd.DataFrame
    indices: pd.DataFrame | None


def run_sensitivity(
    experiment: Experiment,
    out: str | Path,
    method: Literal["morris", "sobol"],
    workers: int | None = None,
    scheduler: str | None = None,
    serial: bool = False,
    *,
    retries: int = 2,
    progress: bool | None = None,
) -> SensitivityResult:
    """Run a Morris or Sobol design (resumable, like a batch) and compute the indices.

    Parameters
    ----------
    experiment : Experiment
    out : str or Path
        The results folder.
    method : {"morris", "sobol"}
    workers, scheduler, serial, retries, progress
        As in :func:`run_experiment`.

    Returns
    -------
    SensitivityResult
    """
    design = sensitivity_design(experiment, method)
    record = Record("sensitivity", method, experiment)
    batch = _execute(record, design.runs, out, workers, scheduler, serial, retries, progress)
    results = ResultStore(out).results()
    names = design.problem["names"]
    means = (
        results.groupby("condition")[[*names, *design.outcomes]].mean().reset_index()
        if len(results)
        else pd.DataFrame()
    )
    indices = None
    if batch.failed == 0 and len(results) == len(design.runs):
        frames = []
        for outcome in design.outcomes:
            y = means[outcome].to_numpy(dtype=float)
            if method == "morris":
                table = morris_indices(
                    design.problem,
                    design.sample,
                    y,
                    levels=experiment.sensitivity.levels,
                    seed=experiment.seed,
                )
            else:
                table = sobol_indices(design.problem, y, seed=experiment.seed)
            frames.append(table.assign(outcome=outcome))
        indices = pd.concat(frames, ignore_index=True)
        indices = indices[["outcome", *indices.columns.drop("outcome")]]
    return SensitivityResult(design, batch, means, indices)


def _execute(
    record: Record,
    runs: list[Run],
    out: str | Path,
    workers: int | None,
    scheduler: str | None,
    serial: bool,
    retries: int,
    progress: bool | None,
    on_run: Callable[[int, int], None] | None = None,
) -> BatchResult:
    started = time.perf_counter()
    store = ResultStore(out)
    with store.writing():
        _claim(store, record)
        done = store.rows()
        todo = [run for run in runs if run.run_id not in done]
        tally = _Tally(
            store, len(runs), len(runs) - len(todo), record.experiment.name, progress, on_run
        )
        with tally:
            if todo and serial:
                _run_serially(record.experiment.scenario, todo, retries, tally)
            elif todo:
                with _dask_client(workers, scheduler) as client:
                    _run_on_dask(client, record.experiment.scenario, todo, retries, tally)
        return BatchResult(
            directory=store.directory,
            planned=len(runs),
            skipped=len(runs) - len(todo),
            finished=tally.finished,
            failed=len(store.failures()),
            seconds=time.perf_counter() - started,
        )


class _Tally:
    """Writes each outcome to the store and keeps the progress bar (and ``on_run``) up to date."""

    def __init__(
        self,
        store: ResultStore,
        total: int,
        done: int,
        name: str,
        progress: bool | None,
        on_run: Callable[[int, int], None] | None = None,
    ):
        self.store = store
        self.total = total
        self.done = done
        self.finished = 0
        self.failed = 0
        self.on_run = on_run
        self.bar = tqdm(
            total=total,
            initial=done,
            desc=name,
            unit="run",
            disable=None if progress is None else not progress,
            dynamic_ncols=True,
        )

    def __enter__(self) -> _Tally:
        return self

    def __exit__(self, *exc: object) -> None:
        self.bar.close()

    def success(self, run: Run, daily: pd.DataFrame, summary: dict[str, Any]) -> None:
        self.store.add_run(run.run_id, daily, {**run.identification(), **summary})
        self.finished += 1
        self._advance()

    def failure(self, run: Run, attempts: int, error: BaseException) -> None:
        self.store.add_failure(
            run.run_id,
            {
                **run.identification(),
                "attempts": attempts,
                "error": f"{type(error).__name__}: {error}",
                "traceback": "".join(traceback.format_exception(error)),
            },
        )
        self.failed += 1
        self._advance()

    def _advance(self) -> None:
        self.done += 1
        self.bar.set_postfix(failed=self.failed, refresh=False)
        self.bar.update(1)
        if self.on_run is not None:
            self.on_run(self.done, self.total)


def _run_serially(scenario: Scenario, runs: list[Run], retries: int, tally: _Tally) -> None:
    for run in runs:
        for attempt in range(1, retries + 2):
            try:
                daily, summary = simulate(scenario, run.overrides, run.seed)
            except Exception as error:
                if attempt > retries:
                    tally.failure(run, attempt, error)
            else:
                tally.success(run, daily, summary)
                break


def _run_on_dask(
    client: Client, scenario: Scenario, runs: list[Run], retries: int, tally: _Tally
) -> None:
    attempts: dict[Any, tuple[Run, int]] = {}

    def submit(run: Run, attempt: int) -> Any:
        future = client.submit(simulate, scenario, run.overrides, run.seed, pure=False)
        attempts[future] = (run, attempt)
        return future

    queue = as_completed([submit(run, 1) for run in runs])
    for future in queue:
        run, attempt = attempts.pop(future)
        try:
            daily, summary = future.result()
        except Exception as error:
            if attempt > retries:
                tally.failure(run, attempt, error)
            else:
                queue.add(submit(run, attempt + 1))
        else:
            tally.success(run, daily, summary)
        future.release()


@contextmanager
def _dask_client(workers: int | None, scheduler: str | None) -> Iterator[Client]:
    """Connect to ``scheduler``, or start a quiet local cluster of single-threaded processes.

    The local cluster's processes are started with Ctrl-C ignored, so that only this
    process is interrupted and it stops them in order. Their statistical profiler is off:
    it samples the running task's stack every 10 ms for a dashboard the embedded cluster
    does not serve, and slows the simulations (``benchmarks/batch_vs_mesa.py``).
    """
    if scheduler:
        with Client(scheduler) as client:
            yield client
        return
    with (
        _ignoring_interrupts(),
        warnings.catch_warnings(),
        dask.config.set({"distributed.worker.profile.enabled": False}),
    ):
        warnings.filterwarnings("ignore", message="Port .* is already in use", category=UserWarning)
        cluster = LocalCluster(
            n_workers=workers or os.cpu_count() or 1,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
    with cluster, Client(cluster) as client:
        yield client


@contextmanager
def _ignoring_interrupts() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def describe_failures(directory: str | Path) -> str:
    """Return one line per failed run of a results folder: run_id, attempts and error."""
    failures = ResultStore(directory).failures()
    return "\n".join(
        f"  {run_id} ({row['attempts']} attempts): {row['error']}"
        for run_id, row in failures.items()
    )
