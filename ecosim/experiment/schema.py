"""Experiment files: the schema, its validation and the strategies' overrides.

An experiment file (TOML) names a base scenario, the strategies to compare (each a set of
scenario overrides), the market conditions to vary, the replications, the horizon, the
outcomes of interest, the baseline strategy and a seed. :func:`load_experiment` validates
it like a scenario: every problem is reported with the file, the field path and what was
expected.

Examples
--------
>>> from ecosim.experiment import load_experiment
>>> experiment = load_experiment("experiments/strategy_comparison.toml")
>>> experiment.baseline
'current_plan'
"""

from __future__ import annotations

import difflib
import itertools
import math
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
from pydantic import AfterValidator, ConfigDict, Field, ValidationError, model_validator

from ecosim.errors import (
    InputError,
    InputWarning,
    as_path,
    shortened,
    without_input_warnings,
)
from ecosim.market import check_edge_list, resize_problems
from ecosim.metrics import columns, split_column, summarize
from ecosim.model import MAX_COMBINATIONS, first_invalid, resolve_scenario
from ecosim.scenario import (
    Scenario,
    ScenarioError,
    apply_overrides,
    check_overrides,
    load_scenario,
)
from ecosim.scenario.fields import FieldPath, Spec, expected, field_path_problem
from ecosim.scenario.files import read_toml_file
from ecosim.scenario.loading import (
    blame_overrides,
    field_path,
    field_value,
    inside,
    other_kind,
    overlapping,
    referenced_file,
    validation_problems,
)
from ecosim.scenario.network import EdgeList
from ecosim.value import VALUE_KEYS

__all__ = [
    "DUMMY",
    "IDENTIFIERS",
    "TABLE_COLUMNS",
    "Conditions",
    "Experiment",
    "ExperimentError",
    "Factor",
    "Parameter",
    "Posterior",
    "Sensitivity",
    "SensitivityParameter",
    "Strategy",
    "load_experiment",
    "outcome_names",
    "scenario_changes",
    "sensitivity_problems",
    "strategy_outcomes",
    "strategy_overrides",
    "strategy_warnings",
    "summary_row",
    "unknown_outcome",
    "validate_experiment",
    "varied_settings",
]

NAME_PATTERN = r"^[a-z][a-z0-9_]*$"
IDENTIFIERS = ("run_id", "strategy", "condition", "replication", "seed")
"""Columns that identify a run in ``results.parquet``, before its outcomes."""
DUMMY = "dummy"
"""Name of the sensitivity analysis's dummy parameter, which the model never reads."""
TABLE_COLUMNS = frozenset(
    {
        *("above_noise", "acceleration", "attempts", "baseline", "baseline_spend", "brand"),
        "ci_high",
        "confidence",
        *("ci_low", "d_z", "days_earlier", "difference", "equal_cost", "error", "expansion"),
        *("extra_profit", "extra_spend", "extra_spend_share", "first", "gain", "lead", "mean"),
        *("measure", "method", "n", "outcome", "p_value", "profit_ci_high", "profit_ci_low"),
        *("profit_per_extra_spend", "sd", "share_equal", "share_positive", "significant"),
        *("spend", "std"),
        *("step", "t", "value", "var_paired", "var_unpaired", "variance_ratio"),
        "variance_reduction",
    }
)
"""Columns that the statistics tables of :func:`ecosim.report.compare` and the failed runs'
table set beside the conditions' columns: a condition or sensitivity parameter named so
would be mistaken for one of them."""

MAX_RUNS = 10_000_000
"""The most runs an experiment, a sensitivity design or any count that multiplies into them
may hold: ten million runs are months of a core at a second a run, so a larger number is a
slip (a zero too many), and planning it alone would exhaust the machine's memory."""

Name = Annotated[str, Field(pattern=NAME_PATTERN, max_length=40)]


def _scalar(value: Any) -> Any:
    if not isinstance(value, bool | int | float | str):
        raise ValueError(f"expected a number, a string or a boolean (got a {type(value).__name__})")
    return value


Scalar = Annotated[Any, AfterValidator(_scalar)]


def _ordered(bounds: tuple[float, float]) -> tuple[float, float]:
    if not bounds[0] < bounds[1]:
        raise ValueError(f"low ({bounds[0]}) must be < high ({bounds[1]})")
    return bounds


Range = Annotated[tuple[float, float], AfterValidator(_ordered)]


def _power_of_two(value: int) -> int:
    if value & (value - 1):
        raise ValueError(f"must be a power of two (got {value})")
    return value


def _even(value: int) -> int:
    if value % 2:
        raise ValueError(
            f"Morris needs an even number of grid levels (got {value}): its step of "
            "levels / (2 (levels - 1)) of the range then reaches every level equally often "
            "(Morris 1991); with an odd number the sample is biased"
        )
    return value


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
    and append its own) or extend it. ``scenario`` names a scenario file (a path relative
    to the experiment file) to run instead of the base scenario: :func:`load_experiment`
    writes where it differs from the base scenario's file into ``set``
    (:func:`scenario_changes`), before the strategy's own ``set``, and takes the file's
    description if the strategy has none.
    """

    description: str = ""
    scenario: str | None = None
    set: dict[str, Any] = Field(default_factory=dict)
    append: dict[str, list[dict[str, Any]]] = Field(default_factory=dict)

    def problems(self) -> list[str]:
        """Return ``set`` and ``append`` keys that are not dotted field paths, as problems."""
        return [
            f"{kind}: {problem}"
            for kind, keys in (("set", self.set), ("append", self.append))
            for key in keys
            if (problem := field_path_problem(key)) is not None
        ]


class Factor(Spec):
    """A scenario field (``path``) that an experiment varies, named ``name`` in tables.

    ``integer`` rounds sampled values for integer fields.
    """

    path: FieldPath
    name: str | None = Field(default=None, pattern=r"^[A-Za-z][A-Za-z0-9_.]*$")
    range: Range | None = None
    integer: bool = False

    @model_validator(mode="after")
    def _whole_range(self) -> Factor:
        if self.integer and self.range is not None and any(x != int(x) for x in self.range):
            low, high = self.range
            raise ValueError(
                f"range: an integer parameter needs whole numbers for low and high "
                f"(got [{low:g}, {high:g}])"
            )
        return self

    @property
    def label(self) -> str:
        """The parameter's column name in results: ``name``, or else ``path``."""
        return self.name or self.path

    def value(self, x: float) -> float | int:
        """Return the scenario value for a point ``x`` of the range (rounded if integer).

        An integer parameter's value is rounded and kept within the range, since a random
        design draws it from :meth:`drawn_range`.
        """
        if not self.integer:
            return float(x)
        low, high = self.range if self.range is not None else (-math.inf, math.inf)
        return int(min(max(round(x), low), high))

    def drawn_range(self) -> list[float]:
        """Return the range a random design (Latin hypercube, Sobol) draws from.

        An integer parameter's range is widened by half a unit on each side, so that
        rounding gives each whole number of ``[low, high]`` the same chance (within the
        range, its two ends would get half of it).

        Examples
        --------
        >>> Factor(path="network.m", range=(1, 3), integer=True).drawn_range()
        [0.5, 3.5]
        """
        low, high = self.range
        return [low - 0.5, high + 0.5] if self.integer else [low, high]

    def extremes(self) -> list[Scalar]:
        """Return the values to check against the scenario schema when loading."""
        return [self.value(x) for x in self.range]


class SensitivityParameter(Factor):
    """A parameter of a sensitivity analysis: a scenario field sampled over ``range``.

    Independent of the market conditions: a Morris or Sobol design samples ``[low,
    high]`` itself, so it needs neither ``levels`` nor a Latin hypercube's ``points``.
    """

    range: Range


class Parameter(Factor):
    """A market condition: a scenario field varied across the experiment.

    Give either ``values`` (a list, for a factorial design) or ``range`` (``[low,
    high]``: a factorial design takes ``levels`` evenly spaced values; a Latin hypercube
    samples it). ``integer`` rounds sampled values for integer fields. ``name`` labels
    the condition in tables (default: ``path``).
    """

    values: list[Scalar] | None = Field(default=None, min_length=1)
    levels: int | None = Field(default=None, ge=2, le=MAX_RUNS)

    @model_validator(mode="after")
    def _one_kind(self) -> Parameter:
        if (self.values is None) == (self.range is None):
            raise ValueError("give either values (a list) or range ([low, high])")
        if self.levels is not None and self.values is not None:
            raise ValueError("levels applies to a range, not to a list of values")
        if self.integer and self.values is not None:
            fractional = [
                (k, v)
                for k, v in enumerate(self.values)
                if isinstance(v, float) and not v.is_integer()
            ]
            if fractional:
                k, v = fractional[0]
                raise ValueError(
                    f"values[{k}]: an integer parameter takes whole numbers (got {v:g}); "
                    "leave out integer = true for a field that takes fractions"
                )
        return self

    @model_validator(mode="before")
    @classmethod
    def _whole_values(cls, data: Any) -> Any:
        """Read an integer parameter's whole values (300.0) as the whole numbers they are."""
        if not (isinstance(data, dict) and data.get("integer") is True):
            return data
        values = data.get("values")
        if not isinstance(values, list):
            return data
        whole = [int(v) if isinstance(v, float) and v.is_integer() else v for v in values]
        return {**data, "values": whole}

    def grid(self) -> list[Scalar]:
        """Return the values of a factorial design: ``values``, or ``levels`` over ``range``."""
        if self.values is not None:
            return list(self.values)
        low, high = self.range
        return [self.value(x) for x in np.linspace(low, high, self.levels)]

    def extremes(self) -> list[Scalar]:
        """Return the values to check against the scenario schema when loading."""
        return self.grid() if self.values is not None else super().extremes()

    def repeats(self) -> list[str]:
        """Return each value of :meth:`grid` given again, as a problem.

        A repeated value would run the same conditions twice: a value of ``values``
        given again, or ``levels`` over an integer range that round to one whole number.

        Returns
        -------
        list of str
            Problems as ``<field path>: <what is wrong>``, under the parameter.

        Examples
        --------
        >>> Parameter(path="days", values=[5, 10, 5]).repeats()  # doctest: +NORMALIZE_WHITESPACE
        ['values[2]: 5 repeats values[0] (expected each value once; a repeat runs the
        same conditions twice)']
        >>> wide = Parameter(path="network.k", range=(4, 6), levels=4, integer=True)
        >>> wide.repeats()  # doctest: +NORMALIZE_WHITESPACE
        ['levels: 4 levels over [4, 6] round to repeated whole numbers (4, 5, 5, 6);
        expected at most 3 levels']
        """
        if self.values is not None:
            keys = [(isinstance(value, bool), value) for value in self.values]
            return [
                f"values[{k}]: {value!r} repeats values[{keys.index(key)}] (expected each "
                "value once; a repeat runs the same conditions twice)"
                for k, (key, value) in enumerate(zip(keys, self.values, strict=True))
                if key in keys[:k]
            ]
        if self.levels is None:
            return []
        grid = self.grid()
        if len(set(grid)) == len(grid):
            return []
        low, high = self.range
        return [
            f"levels: {self.levels} levels over [{low:g}, {high:g}] round to repeated whole "
            f"numbers ({', '.join(str(x) for x in grid)}); expected at most {len(set(grid))} "
            "levels"
        ]


class Conditions(Spec):
    """The market conditions: parameters and the design that combines their values.

    ``factorial`` runs every combination of the parameters' values; ``latin_hypercube``
    draws ``points`` conditions from the parameters' ranges (McKay, Beckman & Conover
    1979), seeded by the experiment's seed.
    """

    design: Literal["factorial", "latin_hypercube"] = "factorial"
    points: int | None = Field(default=None, ge=2, le=MAX_RUNS)
    parameters: list[Parameter] = Field(min_length=1)

    def count(self) -> int:
        """Return how many conditions the design makes (before checking it)."""
        if self.design == "latin_hypercube":
            return self.points or 1
        return math.prod(
            len(p.grid()) if p.range is None or p.levels else 1 for p in self.parameters
        )

    def problems(self) -> list[str]:
        """Return the problems of the design, each as ``<field path>: <what is wrong>``."""
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
            if self.design == "latin_hypercube" and parameter.levels is not None:
                problems.append(
                    f"{where}.levels: applies to a factorial design; a latin_hypercube design "
                    "samples the range at its points"
                )
            if self.design == "factorial":
                problems += [f"{where}.{problem}" for problem in parameter.repeats()]
        if self.design == "latin_hypercube" and self.points is None:
            problems.append("points: a latin_hypercube design needs the number of points")
        if self.design == "factorial" and self.points is not None:
            problems.append("points: applies to a latin_hypercube design, not a factorial one")
        return problems


class Sensitivity(Spec):
    """Settings of ``ecosim sensitivity``: its parameters, strategy, outcomes and design.

    ``parameters`` are sampled over their own ranges, independently of the market
    conditions (default: the conditions' parameters, which then all need a range).
    Morris screening (Morris 1991; Campolongo, Cariboni & Saltelli 2007) uses
    ``trajectories`` trajectories on a grid of ``levels`` levels; Sobol indices (Sobol'
    2001; Saltelli et al. 2010) use ``samples`` base samples (a power of two). ``levels``
    is even (Morris's step then reaches every level equally often), and a Morris design
    puts every level of an integer parameter on a whole number. Each
    design point is run ``replications`` times and the outcomes averaged.
    """

    parameters: list[SensitivityParameter] | None = Field(default=None, min_length=1)
    strategy: str | None = None
    outcomes: list[str] | None = Field(default=None, min_length=1)
    replications: int | None = Field(default=None, ge=1, le=MAX_RUNS)
    trajectories: int = Field(default=10, ge=2, le=MAX_RUNS)
    levels: Annotated[int, Field(ge=2, le=MAX_RUNS), AfterValidator(_even)] = 4
    samples: Annotated[int, Field(ge=2, le=MAX_RUNS), AfterValidator(_power_of_two)] = 64


class Posterior(Spec):
    """Calibrated uncertainty: replication ``r`` runs with posterior draw ``r``.

    ``from`` is the output folder of ``ecosim calibrate`` (relative to the experiment
    file; :func:`load_experiment` makes it absolute). Every strategy's replication ``r``
    gets the same draw, so that strategies are compared in pairs over what the data say.
    """

    model_config = ConfigDict(validate_by_name=True, serialize_by_alias=True)

    source: str = Field(alias="from")


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
    overrides : dict
        The changes :func:`load_experiment` made to the file by dotted path (the command
        line's ``--replications``, ``--customers``, ``--days`` and ``--set``), recorded
        with the results.
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
    strategies: dict[str, Strategy] = Field(min_length=1)
    conditions: Conditions | None = None
    sensitivity: Sensitivity = Field(default_factory=Sensitivity)
    posterior: Posterior | None = None
    overrides: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _references(self) -> Experiment:
        problems = []
        strategies = list(self.strategies)
        for name, strategy in self.strategies.items():
            where = f"strategies.{name}"
            if not re.match(NAME_PATTERN, name) or len(name) > 40:
                problems.append(
                    f"{where}: the name must be lower case letters, digits and _, starting "
                    "with a letter, at most 40 characters"
                )
            problems += [f"{where}.{problem}" for problem in strategy.problems()]
        if self.conditions is not None:
            problems += [f"conditions.{problem}" for problem in self.conditions.problems()]
        conditions = self.conditions.count() if self.conditions else 1
        runs = len(self.strategies) * conditions * self.replications
        if runs > MAX_RUNS:
            problems.append(
                f"replications: {len(self.strategies)} strategies x {conditions:,} conditions x "
                f"{self.replications:,} replications make {runs:,} runs, more than an "
                f"experiment may hold ({MAX_RUNS:,})"
            )
        reported = strategy_outcomes(self)
        known = list(
            dict.fromkeys(itertools.chain(outcome_names(self.scenario), *reported.values()))
        )
        if self.baseline not in strategies:
            problems.append(f"baseline: unknown strategy {self.baseline!r} {expected(strategies)}")
        problems += _unknown(self.outcomes, known, "outcomes")
        problems += _repeated(self.outcomes, "outcomes")
        if self.sensitivity.strategy is not None and self.sensitivity.strategy not in strategies:
            problems.append(
                f"sensitivity.strategy: unknown strategy {self.sensitivity.strategy!r} "
                f"{expected(strategies)}"
            )
        analysed = reported.get(self.sensitivity.strategy or self.baseline, known)
        problems += _unknown(self.sensitivity.outcomes or [], analysed, "sensitivity.outcomes")
        problems += _repeated(self.sensitivity.outcomes or [], "sensitivity.outcomes")
        scenario = self.scenario.model_dump()
        reserved = TABLE_COLUMNS.union(columns(self.scenario))
        for i, parameter in enumerate(self.conditions.parameters if self.conditions else []):
            where = f"conditions.parameters[{i}]"
            if parameter.label in known:
                problems.append(f"{where}.name: {parameter.label!r} is an outcome; give a name")
            elif parameter.label in reserved:
                problems.append(f"{where}.name: {_reserved(parameter.label)}")
            problems += [
                f"{path}: {problem}"
                for path, problem in _clashes(
                    where, parameter.path, self.strategies, "a condition", scenario
                )
            ]
        problems += _shared_fields(self.parameters, "conditions.parameters", scenario)
        problems += _seed_parameters(self.parameters, "conditions.parameters")
        sensitive = self.sensitivity.parameters or []
        problems += _shared_fields(sensitive, "sensitivity.parameters", scenario)
        problems += _seed_parameters(sensitive, "sensitivity.parameters")
        labels = [p.label for p in sensitive]
        for i, parameter in enumerate(sensitive):
            where = f"sensitivity.parameters[{i}]"
            if labels.count(parameter.label) > 1:
                problems.append(f"{where}.name: {parameter.label!r} names two parameters")
            if parameter.label in (*IDENTIFIERS, DUMMY, *known):
                problems.append(f"{where}.name: {parameter.label!r} is reserved; give a name")
            elif parameter.label in reserved:
                problems.append(f"{where}.name: {_reserved(parameter.label)}")
        if problems:
            raise ValueError("\n".join(problems))
        return self

    @property
    def parameters(self) -> list[Parameter]:
        """The condition parameters (none without conditions)."""
        return list(self.conditions.parameters) if self.conditions else []

    @property
    def sensitivity_parameters(self) -> list[Factor]:
        """The parameters of ``ecosim sensitivity``: its own, or else the conditions'."""
        return list(self.sensitivity.parameters or self.parameters)


def _clashes(
    where: str,
    path: str,
    strategies: dict[str, Strategy],
    what: str,
    scenario: dict[str, Any],
) -> list[tuple[str, str]]:
    """Name each strategy that changes ``path``'s field, or a field inside it or around it.

    A strategy changes the fields of its ``set`` and the items its ``append`` adds; the
    items already in a list it appends to are left as they are. Paths are compared with
    list items by position in ``scenario`` (the base scenario's fields, with the appended
    items), so ``brands.shop.price`` and ``brands.0.price`` are one field.
    """
    problems = []
    for name, strategy in strategies.items():
        data, changed = scenario, dict.fromkeys(strategy.set, "sets")
        for appended, items in strategy.append.items():
            current = field_value(scenario, appended)
            if not isinstance(current, list):
                continue  # the strategy is refused with its own problem (strategy_overrides)
            data = apply_overrides(data, {appended: [*current, *items]}, source="append")
            added = range(len(current), len(current) + len(items))
            changed.update({f"{appended}.{k}": "appends" for k in added})
        field = field_path(data, path)
        clash = [p for p in changed if overlapping(field_path(data, p), field)]
        if clash:
            problems.append(
                (
                    f"{where}.path",
                    f"{path!r} overlaps {clash[0]!r}, which strategy {name!r} "
                    f"{changed[clash[0]]} ({what} must not change a strategy's field)",
                )
            )
    return problems


def _shared_fields(parameters: list[Factor], where: str, scenario: dict[str, Any]) -> list[str]:
    """Name each parameter whose field a parameter before it also sets, or contains.

    One run gives a field one value, so two parameters of one field would label their
    results with values of which only one applied. Paths are compared with list items by
    position, so ``brands.shop.price`` and ``brands.0.price`` are the same field when
    brand 0 is named ``shop``. A condition parameter and a sensitivity parameter may share
    a field: a sensitivity analysis runs on the base scenario, without the conditions.

    Parameters
    ----------
    parameters : list of Factor
        The condition parameters, or the sensitivity parameters.
    where : str
        Their field path in the file (``conditions.parameters``).
    scenario : dict
        The base scenario's fields.

    Returns
    -------
    list of str
        One problem per clashing parameter, naming the parameter before it.

    Examples
    --------
    >>> wom = Parameter(name="wom", path="dynamics.wom_awareness_rate", values=[0.5])
    >>> again = Parameter(name="wom2", path="dynamics.wom_awareness_rate", values=[2.0])
    >>> _shared_fields([wom, again], "conditions.parameters", {})  # doctest: +NORMALIZE_WHITESPACE
    ["conditions.parameters[1].path: 'dynamics.wom_awareness_rate' (parameter 'wom2') is
    also set by conditions.parameters[0] (parameter 'wom'); a field takes one value: remove
    one of the two parameters"]
    """
    positional = [field_path(scenario, parameter.path) for parameter in parameters]
    problems = []
    for i, parameter in enumerate(parameters):
        for j, other in enumerate(parameters[:i]):
            if not overlapping(positional[i], positional[j]):
                continue
            this = f"{where}[{i}].path: {parameter.path!r}{_named(parameter)}"
            there = f"{where}[{j}]{_named(other)}"
            if positional[i] == positional[j]:
                spelled = "" if parameter.path == other.path else f" (as {other.path!r})"
                clash = f"is also set by {there}{spelled}"
            else:
                clash = f"overlaps {other.path!r}, set by {there}"
            problems.append(
                f"{this} {clash}; a field takes one value: remove one of the two parameters"
            )
            break
    return problems


def _seed_parameters(parameters: list[Factor], where: str) -> list[str]:
    """Name each parameter of the scenario's ``seed``, which no run reads.

    A run's random numbers come from the seed the experiment gives it (its replication's,
    or its design point's), which is why no strategy may set it (:data:`SHARED_FIELDS`);
    a parameter of the scenario's seed would change nothing: a condition that only repeats
    the runs, or a second dummy in a sensitivity analysis, reported as a parameter.

    Examples
    --------
    >>> seed = Parameter(name="s", path="seed", values=[1, 2])
    >>> _seed_parameters([seed], "conditions.parameters")  # doctest: +NORMALIZE_WHITESPACE
    ["conditions.parameters[0].path: 'seed' cannot be varied: the experiment gives every run
    its seed, so no run reads the scenario's and the parameter would change nothing (more
    replications measure the runs' noise)"]
    """
    return [
        f"{where}[{i}].path: 'seed' cannot be varied: the experiment gives every run its seed, "
        "so no run reads the scenario's and the parameter would change nothing (more "
        "replications measure the runs' noise)"
        for i, parameter in enumerate(parameters)
        if parameter.path == "seed"
    ]


def _named(parameter: Factor) -> str:
    return f" (parameter {parameter.name!r})" if parameter.name else ""


def strategy_outcomes(experiment: Experiment) -> dict[str, list[str]]:
    """Return the outcomes each strategy's runs report, by strategy.

    A strategy may add what the base scenario lacks (loyalty tiers, a brand), and with it
    outcomes; a strategy whose scenario cannot be built is left out (loading the file says
    why).

    Parameters
    ----------
    experiment : Experiment

    Returns
    -------
    dict of str to list of str
        :func:`outcome_names` of each strategy's scenario.
    """
    reported = {}
    for name, strategy in experiment.strategies.items():
        with suppress(InputError), without_input_warnings():
            overrides = strategy_overrides(experiment.scenario, strategy)
            scenario = resolve_scenario(experiment.scenario, overrides=overrides)
            reported[name] = outcome_names(scenario)
    return reported


def _unknown(names: list[str], known: list[str], where: str) -> list[str]:
    return [
        f"{where}[{i}]: {unknown_outcome(name, known)}"
        for i, name in enumerate(names)
        if name not in known
    ]


def unknown_outcome(name: str, known: list[str]) -> str:
    """Say that ``name`` is no outcome, and which outcomes a run reports, the nearest first.

    A name too long to repeat is shortened (:func:`~ecosim.errors.shortened`). The
    outcomes of one brand (``<outcome>__<brand>``) are listed once for all brands, and
    outcomes that share a first word (``final_``, ``total_``) are listed under it.

    Parameters
    ----------
    name : str
        The unknown outcome asked for.
    known : list of str
        The outcomes of the scenario's runs (:func:`outcome_names`).

    Returns
    -------
    str
        ``unknown outcome NAME (...)``, for an error message.

    Examples
    --------
    >>> known = ["total_revenue", "total_profit", "total_clv__a", "total_clv__b", "roi__a"]
    >>> print(unknown_outcome("total_clv", known))  # doctest: +NORMALIZE_WHITESPACE
    unknown outcome 'total_clv' (did you mean total_clv__a or total_clv__b? expected one of:
    total_revenue, total_profit; or for one brand (a, b), <outcome>__<brand> of: total_clv, roi)
    >>> print(unknown_outcome("profit", known))  # doctest: +ELLIPSIS
    unknown outcome 'profit' (did you mean total_profit? expected one of: ...)
    >>> print(unknown_outcome("total_clv__rival", known))  # doctest: +NORMALIZE_WHITESPACE
    unknown outcome 'total_clv__rival': the runs have no brand 'rival' (expected
    total_clv__a, total_clv__b)
    """
    outcome, brand = split_column(name)
    same = [n for n in known if split_column(n)[0] == outcome and split_column(n)[1]]
    if brand and same:
        return (
            f"unknown outcome {shortened(repr(name))}: the runs have no brand "
            f"{shortened(repr(brand))} (expected {', '.join(same)})"
        )
    whole = [n for n in known if not split_column(n)[1]]
    words = re.compile(rf"(^|_){re.escape(name)}(_|$)")
    named = [n for n in whole if words.search(n)]  # a word of their names, if few have it
    close = (
        [n for n in known if n.startswith(f"{name}__")]
        or (named if len(named) <= 3 else [])
        or difflib.get_close_matches(name, known, n=1, cutoff=0.75)
    )
    hint = f"did you mean {' or '.join(close)}? " if close else ""
    brands = list(dict.fromkeys(b for n in known if (b := split_column(n)[1])))
    listed = f"expected one of: {_by_first_word(whole)}"
    if brands:
        per_brand = list(dict.fromkeys(split_column(n)[0] for n in known if split_column(n)[1]))
        listed += (
            f"; or for one brand ({', '.join(brands)}), <outcome>__<brand> of: "
            f"{_by_first_word(per_brand)}"
        )
    return f"unknown outcome {shortened(repr(name))} ({hint}{listed})"


def _by_first_word(names: list[str]) -> str:
    """List names, those of a first word that five or more share after it, once.

    >>> _by_first_word([f"final_{n}" for n in "abcde"] + ["total_units", "roi"])
    'final_ followed by a, b, c, d, e; total_units, roi'
    """
    first = [n.split("_", 1)[0] + "_" if "_" in n else n for n in names]
    shared = {word for word in first if word.endswith("_") and first.count(word) >= 5}
    groups = [
        f"{word} followed by "
        + ", ".join(n.removeprefix(word) for n, w in zip(names, first, strict=True) if w == word)
        for word in dict.fromkeys(w for w in first if w in shared)
    ]
    alone = [n for n, w in zip(names, first, strict=True) if w not in shared]
    return "; ".join([*groups, *([", ".join(alone)] if alone else [])])


def _repeated(names: list[str], where: str) -> list[str]:
    """Name each repeat of an outcome in a list of outcomes.

    Examples
    --------
    >>> _repeated(["roi", "total_revenue", "roi"], "outcomes")
    ["outcomes[2]: 'roi' is given twice (expected each outcome once)"]
    """
    return [
        f"{where}[{i}]: {name!r} is given twice (expected each outcome once)"
        for i, name in enumerate(names)
        if name in names[:i]
    ]


def _reserved(label: str) -> str:
    kind = "a column of the statistics tables" if label in TABLE_COLUMNS else "a daily outcome"
    return f"{label!r} is {kind}, which a parameter's column would be mistaken for; give a name"


# ---------------------------------------------------------------- outcomes


def summary_row(summary: dict[str, Any]) -> dict[str, float]:
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
        several. An outcome the run leaves undefined (``None``) is NaN, so that a column of
        runs is numbers whichever runs left it undefined.
    """
    row = {key: value for key, value in summary.items() if key != "brands"}
    for brand, values in summary.get("brands", {}).items():
        row.update({f"{key}__{brand}": value for key, value in values.items()})
    return {key: math.nan if value is None else value for key, value in row.items()}


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


def _edge_list_problems(scenario: Scenario) -> list[tuple[str, str]]:
    """Say whether a strategy's own edge list is missing or does not fit its customers."""
    network = scenario.network
    if not isinstance(network, EdgeList):
        return []
    if not Path(network.path).is_file():
        return [("network.path", f"{network.path}: file not found")]
    return [("network.path", message) for _, message in check_edge_list(scenario)]


def _resolve_edge_lists(data: dict[str, Any], path: Path) -> None:
    """Resolve the edge lists strategies and conditions name, relative to the experiment file.

    As a scenario file's ``network.path`` is relative to that file, a path a strategy's
    ``set`` or a condition's ``values`` give is relative to the experiment file (not to
    the folder a command runs in), as its ``scenario`` is.
    """

    def resolved(field: str, name: Any) -> Any:
        if not isinstance(name, str):
            return name  # refused as it is, by the schema
        try:
            return str(referenced_file(path, field, name, allow_outside=True))
        except ScenarioError as error:
            raise ExperimentError(str(path), error.problems) from None

    strategies = data.get("strategies")
    for label, strategy in strategies.items() if isinstance(strategies, dict) else ():
        changes = strategy.get("set") if isinstance(strategy, dict) else None
        if not isinstance(changes, dict):
            continue
        where = f"strategies.{label}.set"
        if "network.path" in changes:
            changes["network.path"] = resolved(f"{where}.network.path", changes["network.path"])
        network = changes.get("network")
        if isinstance(network, dict) and "path" in network:
            changes["network"] = {
                **network,
                "path": resolved(f"{where}.network.path", network["path"]),
            }
    conditions = data.get("conditions")
    parameters = conditions.get("parameters") if isinstance(conditions, dict) else None
    for i, parameter in enumerate(parameters if isinstance(parameters, list) else ()):
        if not isinstance(parameter, dict):
            continue
        values = parameter.get("values")
        if parameter.get("path") == "network.path" and isinstance(values, list):
            field = f"conditions.parameters[{i}].values"
            parameter["values"] = [resolved(field, value) for value in values]
            missing = [
                v for v in parameter["values"] if isinstance(v, str) and not Path(v).is_file()
            ]
            if missing:
                raise ExperimentError(
                    str(path), [(field, f"{name}: file not found") for name in missing]
                )


def load_experiment(
    path: str | Path, overrides: dict[str, Any] | None = None, *, overrides_from: str | None = None
) -> Experiment:
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
        three times each on the base scenario alone, with 2,000 customers. Paths under
        ``scenario.`` change the base scenario (``{"scenario.brands.0.price": 90}``), as
        :func:`ecosim.scenario.load_scenario`'s overrides. Recorded in the experiment's
        ``overrides``.
    overrides_from : str, optional
        Where ``overrides`` came from (``"the command line"``): a problem in a field they
        set is then named as theirs, not the file's (see
        :func:`ecosim.scenario.loading.blame_overrides`).

    Returns
    -------
    Experiment

    Raises
    ------
    ExperimentError
        If the file is missing or not valid TOML, or any field is invalid; the message
        names the file, each field path and what was expected.
    """
    path = as_path(path, "path")
    source = str(path)
    data = read_toml_file(path, ExperimentError, kind="experiment")
    if "overrides" in data:
        raise ExperimentError(
            source, [("overrides", "is recorded by ecosim, not set in the file; remove it")]
        )
    overrides = dict(check_overrides({} if overrides is None else overrides))
    in_scenario = {p: v for p, v in overrides.items() if p.startswith("scenario.")}
    _resolve_edge_lists(data, path)  # the file's own: --set gives paths from where it runs
    in_file = data
    try:
        data = apply_overrides(
            data, {p: v for p, v in overrides.items() if p not in in_scenario}, source=source
        )
        if not isinstance(data.get("scenario"), str):
            data = apply_overrides(data, in_scenario, source=source)
    except ScenarioError as error:
        raise ExperimentError(error.source, error.problems) from None
    _refuse_new_strategies(in_file, data, overrides, source)
    posterior = data.get("posterior")
    if isinstance(posterior, dict) and isinstance(posterior.get("from"), str):
        data["posterior"] = {**posterior, "from": str((path.parent / posterior["from"]).resolve())}
    if isinstance(data.get("scenario"), str):
        data["scenario_file"] = data["scenario"]
        changes = {p.removeprefix("scenario."): v for p, v in in_scenario.items()}
        try:
            data["scenario"] = load_scenario(
                path.parent / data["scenario"], changes, overrides_from=overrides_from
            )
        except ScenarioError as error:
            raise ExperimentError(source, error.under("scenario")) from None
    data["overrides"] = overrides

    def validated(data: dict[str, Any]) -> Experiment:
        try:
            return validate_experiment(data, source)
        except ExperimentError as error:
            if overrides_from is None:
                raise
            problems = blame_overrides(error.problems, in_file, overrides, overrides_from)
            raise ExperimentError(source, problems) from None

    files = _with_strategy_files(data)
    # a strategy's file may add outcomes (its tiers, its brand): checked once it is read
    experiment = validated(_without_outcomes(data) if files else data)
    if files:
        reference = experiment.scenario
        if in_scenario and experiment.scenario_file is not None:
            reference = load_scenario(path.parent / experiment.scenario_file)
        data["strategies"] = _strategy_files(experiment, reference, path.parent, source)
        data["scenario"] = experiment.scenario
        experiment = validated(data)
    try:
        scenario = resolve_scenario(
            experiment.scenario, customers=experiment.customers, days=experiment.days
        )
    except ScenarioError as error:
        raise ExperimentError(
            source, resize_problems(error, experiment.customers, experiment.days)
        ) from None
    unfit = check_edge_list(scenario) if experiment.customers is not None else []
    if unfit and overrides_from is not None:
        unfit = blame_overrides(unfit, in_file, overrides, overrides_from)
    if unfit:
        raise ExperimentError(source, unfit)
    experiment = experiment.model_copy(update={"scenario": scenario})
    problems = [
        *_unread_overrides(experiment, in_scenario),
        *_check_overrides(experiment),
        *_check_posterior(experiment),
    ]
    if problems and overrides_from is not None:
        problems = blame_overrides(problems, in_file, overrides, overrides_from)
    if problems:
        raise ExperimentError(source, problems)
    return experiment


def _with_strategy_files(data: dict[str, Any]) -> bool:
    """Whether a strategy of an experiment's data is given by a scenario file."""
    strategies = data.get("strategies")
    return isinstance(strategies, dict) and any(
        isinstance(strategy, dict) and strategy.get("scenario") is not None
        for strategy in strategies.values()
    )


def _without_outcomes(data: dict[str, Any]) -> dict[str, Any]:
    """Return an experiment's data asking only for an outcome every run reports."""
    kept = {**data, "outcomes": ["total_revenue"]} if "outcomes" in data else dict(data)
    if isinstance(data.get("sensitivity"), dict):
        kept["sensitivity"] = {k: v for k, v in data["sensitivity"].items() if k != "outcomes"}
    return kept


def validate_experiment(data: dict[str, Any], source: str = "<dict>") -> Experiment:
    """Validate an experiment given as a dictionary (its scenario already a Scenario or a table).

    Parameters
    ----------
    data : dict
        The experiment's fields.
    source : str
        Named in error messages.

    Returns
    -------
    Experiment

    Raises
    ------
    ExperimentError
        With one line per problem: field path and what was expected.
    """
    try:
        return Experiment.model_validate(data)
    except ValidationError as error:
        raise ExperimentError(source, validation_problems(error, data)) from None


@contextmanager
def strategy_warnings(strategy: str | None, base: Scenario) -> Iterator[None]:
    """Name ``strategy`` in the input warnings given in the block that are its own.

    A warning about the input names the base scenario (``scenario 'baseline': days: the
    horizon ... leaves out campaign[9]``). A warning that the base scenario itself does not
    give is about the strategy's changes, so the strategy is named first (``strategy
    'loud': scenario 'baseline': ...``); one the base scenario gives too is left as it is,
    so that it is shown once, not once per strategy. Other warnings pass unchanged.

    Parameters
    ----------
    strategy : str or None
        None for a simulation that belongs to no strategy (a plan of a search): nothing
        is changed.
    base : Scenario
        The base scenario the strategy changes.
    """
    if strategy is None:
        yield
        return
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", InputWarning)
        yield
    given = [w for w in caught if issubclass(w.category, InputWarning)]
    shared = _base_warnings(base) if given else set()
    for warning in caught:
        if issubclass(warning.category, InputWarning):
            text = str(warning.message)
            named = text if text in shared else f"strategy {strategy!r}: {text}"
            warnings.warn(named, InputWarning, stacklevel=3)
        else:
            warnings.warn_explicit(
                warning.message, warning.category, warning.filename, warning.lineno
            )


def _base_warnings(base: Scenario) -> set[str]:
    """Return the input warnings the base scenario gives on its own."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", InputWarning)
        with suppress(ScenarioError):
            resolve_scenario(base, overrides={"days": base.days})  # validated as a strategy is
    return {str(w.message) for w in caught if issubclass(w.category, InputWarning)}


def _unread_overrides(experiment: Experiment, in_scenario: dict[str, Any]) -> list[tuple[str, str]]:
    """Name the base scenario's changes that no run reads, and what to set instead.

    The experiment's ``days`` and ``customers``, where given, replace the scenario's in
    every run, and every run takes its seed from the experiment's: a change of the base
    scenario's would be recorded with the results and apply to no run.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> experiment = SimpleNamespace(days=30, customers=None)
    >>> _unread_overrides(experiment, {"scenario.days": 20, "scenario.population.size": 50})
    [('scenario.days', "the experiment's days (30) replace the scenario's in every run, so \
scenario.days would apply to no run: set days instead (--days on the command line)")]
    """
    problems = [
        (
            path,
            f"the experiment's {name} ({given}) replace the scenario's in every run, so {path} "
            f"would apply to no run: set {name} instead (--{name} on the command line)",
        )
        for path, name, given in (
            ("scenario.days", "days", experiment.days),
            ("scenario.population.size", "customers", experiment.customers),
        )
        if path in in_scenario and given is not None
    ]
    if "scenario.seed" in in_scenario:
        problems.append(
            (
                "scenario.seed",
                "the experiment gives every run its seed (from its own seed), so no run reads "
                "the scenario's: set seed instead (--set seed=N on the command line)",
            )
        )
    return problems


SHARED_FIELDS = {
    "seed": "the experiment gives each replication's seed, the same for every strategy",
    "days": "strategies are compared over one horizon; set days in the experiment",
    "population.size": "strategies are compared on one market; set customers in the experiment",
}
"""Scenario fields every strategy shares, so that no strategy may set them, and why."""


def _check_overrides(experiment: Experiment) -> list[tuple[str, str]]:
    """Load the scenario with each strategy, and with each condition parameter's extremes.

    Each strategy alone; each parameter's extremes alone, with the baseline; then every
    combination of the parameters' extremes (at most
    :data:`~ecosim.market.MAX_COMBINATIONS` of them) with every strategy, since the runs
    combine them: a scenario rule binding two fields (an action's end after its start) is
    tightest at their extremes. A sensitivity analysis's parameters are checked when it
    runs (:func:`sensitivity_problems`).
    """
    problems = [
        (f"strategies.{name}.{kind}.{path}", f"cannot be set: {SHARED_FIELDS[path]}")
        for name, strategy in experiment.strategies.items()
        for kind, paths in (("set", strategy.set), ("append", strategy.append or {}))
        for path in paths
        if path in SHARED_FIELDS
    ]
    if problems:
        return problems
    base = experiment.scenario
    for name, strategy in experiment.strategies.items():
        try:
            with strategy_warnings(name, base):
                resolved = resolve_scenario(base, overrides=strategy_overrides(base, strategy))
        except ScenarioError as error:
            problems += [
                (f"strategies.{name}", f"{path}: {message}" if path else message)
                for path, message in error.problems
            ]
            continue
        if resolved.network != base.network:  # its own edge list: there, and of its size
            problems += [
                (f"strategies.{name}", f"{field}: {message}")
                for field, message in _edge_list_problems(resolved)
            ]
    if problems:
        return problems
    baseline = strategy_overrides(base, experiment.strategies[experiment.baseline])
    problems = _extreme_problems(base, "conditions", experiment.parameters, baseline)
    if problems:
        return problems
    for name in experiment.strategies:
        problems += _refused_combination(experiment, name, "conditions", experiment.parameters)
    return problems


def varied_settings(
    experiment: Experiment, parameters: list[Factor], where: str
) -> list[tuple[str, str]]:
    """Refuse the experiment's ``customers`` or ``days`` where a parameter varies that field.

    Each run takes the parameter's value, so the setting would apply to no run, only to
    what the report says of the design (as ``--customers`` and ``--days`` are refused).
    """
    settings = {"customers": "population.size", "days": "days"}
    return [
        (
            name,
            f"{where}[{i}] gives every run its {parameter.path}, so {name} = "
            f"{getattr(experiment, name)} would apply to no run: remove {name} or the parameter",
        )
        for name, path in settings.items()
        if getattr(experiment, name) is not None
        for i, parameter in enumerate(parameters)
        if inside(path, parameter.path)
    ]


def sensitivity_problems(experiment: Experiment) -> list[tuple[str, str]]:
    """Check a sensitivity analysis's parameters against the strategy it analyses.

    The analysis runs one strategy (``sensitivity.strategy``, else the baseline) with its
    parameters (its own, else the conditions'): none may change a field of that strategy,
    and the scenario must take each parameter's extremes, and every combination of them,
    with it; the experiment's outcomes, when the analysis has none of its own, must be
    outcomes of that strategy's runs. Reading the file does not check this, so that a
    batch, which runs no analysis, is not refused for it (after a strategy is changed on
    the command line).

    Parameters
    ----------
    experiment : Experiment

    Returns
    -------
    list of (str, str)
        Field path and problem; empty if the analysis can run.
    """
    own = experiment.sensitivity.parameters
    where = "sensitivity" if own else "conditions"
    parameters = experiment.sensitivity_parameters
    name = experiment.sensitivity.strategy or experiment.baseline
    chosen = {name: experiment.strategies[name]}
    scenario = experiment.scenario.model_dump()
    problems = varied_settings(experiment, parameters, f"{where}.parameters")
    problems += [
        clash
        for i, parameter in enumerate(parameters if own else [])
        for clash in _clashes(
            f"sensitivity.parameters[{i}]",
            parameter.path,
            chosen,
            "a sensitivity parameter",
            scenario,
        )
    ]
    if problems:
        return problems
    base = experiment.scenario
    overrides = strategy_overrides(base, chosen[name])
    if experiment.sensitivity.outcomes is None:  # the experiment's, of every strategy's runs
        with without_input_warnings():
            reported = outcome_names(resolve_scenario(base, overrides=overrides))
        problems = [
            (
                f"outcomes[{i}]",
                f"{outcome!r} is not an outcome of the strategy the analysis runs ({name}): "
                "give sensitivity.outcomes, the outcomes to analyse",
            )
            for i, outcome in enumerate(experiment.outcomes)
            if outcome not in reported
        ]
        if problems:
            return problems
    return _extreme_problems(base, where, parameters, overrides) or _refused_combination(
        experiment, name, where, parameters
    )


def _extreme_problems(
    base: Scenario, where: str, parameters: list[Factor], overrides: dict[str, Any]
) -> list[tuple[str, str]]:
    """Return the problems of each parameter's extreme values alone, with ``overrides``.

    Without the input warnings: the runs give those of the values they run, each naming
    its strategy (:func:`~ecosim.experiment.runner.run_experiment`).
    """
    problems = []
    for i, parameter in enumerate(parameters):
        for value in parameter.extremes():
            try:
                with without_input_warnings():
                    resolve_scenario(base, overrides={**overrides, parameter.path: value})
            except ScenarioError as error:
                if _takes_whole_numbers(base, overrides, parameter, value):
                    problems.append(
                        (
                            f"{where}.parameters[{i}].integer",
                            f"{parameter.path} takes whole numbers: set integer = true "
                            "(the design's values are then rounded)",
                        )
                    )
                    break
                problems += [
                    (f"{where}.parameters[{i}]", f"value {value!r}: {path}: {message}")
                    for path, message in error.problems
                ]
    return problems


def _refused_combination(
    experiment: Experiment, name: str, where: str, parameters: list[Factor]
) -> list[tuple[str, str]]:
    """Return the problems of the first combination of extremes a strategy makes invalid.

    Without the input warnings, as :func:`_extreme_problems`.
    """
    extremes = [parameter.extremes() for parameter in parameters]
    if not parameters or math.prod(len(values) for values in extremes) > MAX_COMBINATIONS:
        return []
    overrides = strategy_overrides(experiment.scenario, experiment.strategies[name])
    paths = [parameter.path for parameter in parameters]
    with without_input_warnings():
        found = first_invalid(
            experiment.scenario,
            (
                {**overrides, **dict(zip(paths, corner, strict=True))}
                for corner in itertools.product(*extremes)
            ),
        )
    if found is None:
        return []
    _, values, refused = found
    at = ", ".join(f"{path} = {values[path]!r}" for path in paths)
    return [(where, f"strategy {name!r} with {at}: {path}: {message}") for path, message in refused]


def _check_posterior(experiment: Experiment) -> list[tuple[str, str]]:
    """Check that the draws cover the replications and leave the strategies' fields alone."""
    if experiment.posterior is None:
        return []
    from ecosim.calibrate.posterior import draw_paths, replication_overrides

    try:
        draws = replication_overrides(experiment.posterior.source, experiment.replications)
        paths = draw_paths(experiment.posterior.source)
    except InputError as error:
        return error.under("posterior.from")
    problems = []
    scenario = experiment.scenario.model_dump()
    for path in paths:
        problems += [
            f"{where}: {problem}"
            for where, problem in _clashes(
                "posterior.from", path, experiment.strategies, "a posterior draw", scenario
            )
        ]
        problems += [
            f"posterior.from: {path!r} overlaps condition {p.label!r}"
            for p in experiment.parameters
            if overlapping(field_path(scenario, p.path), field_path(scenario, path))
        ]
    return [("", problem) for problem in problems] or _invalid_draws(experiment, draws)


def _invalid_draws(experiment: Experiment, draws: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """Return the problems of the first draw that makes an invalid scenario, per strategy.

    The draws were fitted to the calibration's scenario; the experiment's (or a strategy)
    may lack a field they set, or bind it with another field they change.
    """
    problems = []
    for name, strategy in experiment.strategies.items():
        try:
            overrides = strategy_overrides(experiment.scenario, strategy)
        except ScenarioError:
            continue  # the strategy's own problem, reported by _check_overrides
        found = first_invalid(experiment.scenario, ({**overrides, **draw} for draw in draws))
        if found is not None:
            r, _, refused = found
            problems += [
                (
                    "posterior.from",
                    f"draw {r} (replication {r}) with strategy {name!r}: {path}: {message}",
                )
                for path, message in refused
            ]
    return problems


# ---------------------------------------------------------------- strategies and design


def _takes_whole_numbers(
    base: Scenario, overrides: dict[str, Any], parameter: Factor, value: Any
) -> bool:
    """Whether a parameter without ``integer`` failed on a whole number its field takes."""
    if parameter.integer or not isinstance(value, float) or not value.is_integer():
        return False
    with suppress(ScenarioError):
        resolve_scenario(base, overrides={**overrides, parameter.path: round(value)})
        return True
    return False


def _refuse_new_strategies(
    in_file: dict[str, Any], data: dict[str, Any], overrides: dict[str, Any], source: str
) -> None:
    """Refuse overrides that add a strategy: a misspelt name would run as one more strategy."""
    known = in_file.get("strategies")
    if not isinstance(known, dict) or not isinstance(data.get("strategies"), dict):
        return
    names = ", ".join(known) or "none"
    problems = [
        (
            path,
            f"the file has no strategy {path.split('.')[1]!r} (expected one of: {names}); "
            "a strategy is added in the file, not by an override",
        )
        for path in overrides
        if path.startswith("strategies.") and path.split(".")[1] not in known
    ]
    if problems:
        raise ExperimentError(source, problems)


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
        written = scenario.model_dump(exclude_defaults=True)
        data = apply_overrides(scenario.model_dump(exclude_none=True), overrides, "set", written)
        problems = []
        for path, items in strategy.append.items():
            current = field_value(data, path)
            if isinstance(current, list):
                overrides[path] = [*current, *items]
            else:
                problems.append((f"append.{path}", f"is {_kind(current)}, not a list"))
        if problems:
            raise ScenarioError("append", problems)
        lists = [field_path(data, path) for path in strategy.append]
        overrides = {  # what ``set`` changes inside an appended list, the list holds
            path: value
            for path, value in overrides.items()
            if path in strategy.append
            or not any(inside(field_path(data, path), whole) for whole in lists)
        }
    return overrides


def scenario_changes(base: Scenario, other: Scenario) -> dict[str, Any]:
    """Return the overrides by dotted path that make ``base`` into ``other``.

    Tables and lists of the same length are compared item by item, so the overrides
    name the fields that differ (``"brands.0.price"``); a list of another length, a
    table of another kind (``kind``, ``type`` or ``dist``) and a table that leaves out a
    field are replaced whole. ``name``, ``description`` and ``seed`` are left out (an
    experiment gives the seeds).

    Parameters
    ----------
    base, other : Scenario

    Returns
    -------
    dict
        Values by dotted path, in the scenario's field order.

    Examples
    --------
    >>> from ecosim.scenario import load_scenario
    >>> base = load_scenario("scenarios/baseline.toml")
    >>> other = load_scenario("scenarios/baseline.toml", {"brands.0.price": 135})
    >>> scenario_changes(base, other)
    {'brands.0.price': 135.0}
    """
    a = base.model_dump(mode="python", exclude_none=True)
    b = other.model_dump(mode="python", exclude_none=True)
    changes: dict[str, Any] = {}
    for field in Scenario.model_fields:
        if field not in ("name", "description", "seed"):
            _differences(a.get(field), b.get(field), field, changes)
    return changes


def _differences(a: Any, b: Any, path: str, changes: dict[str, Any]) -> None:
    if a == b:
        return
    if (
        isinstance(a, dict)
        and isinstance(b, dict)
        and set(a) <= set(b)
        and not other_kind(a, b)
        and all(re.match(r"^[A-Za-z0-9_]+$", str(key)) for key in b)
    ):
        for key in b:
            _differences(a.get(key), b[key], f"{path}.{key}", changes)
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _differences(x, y, f"{path}.{i}", changes)
    else:
        changes[path] = b


def _strategy_files(
    experiment: Experiment, reference: Scenario, folder: Path, source: str
) -> dict[str, dict[str, Any]]:
    """Return the strategies as data, each file's changes from ``reference`` in its ``set``.

    A file that differs in the horizon or the number of customers, which strategies must
    share, is a problem unless the experiment sets them (``days``, ``customers``); then
    the experiment's value holds in the file's changes too.
    """
    shared = {
        "days": ("days", experiment.days),
        "population.size": ("customers", experiment.customers),
    }
    base = reference.model_dump()
    strategies, problems = {}, []
    for name, strategy in experiment.strategies.items():
        data = strategy.model_dump(exclude_none=True)
        strategies[name] = data
        if strategy.scenario is None:
            continue
        where = f"strategies.{name}.scenario"
        try:
            other = load_scenario(folder / strategy.scenario)
        except ScenarioError as error:
            problems += error.under(where)
            continue
        changes, theirs = scenario_changes(reference, other), other.model_dump()
        for path, (field, value) in shared.items():
            was, now = field_value(base, path), field_value(theirs, path)
            if value is None and now != was:
                problems.append(
                    (
                        where,
                        f"{strategy.scenario}: {path} is {now}, the base scenario's {was}: "
                        f"strategies are compared on one {field}; set {field} in the experiment",
                    )
                )
            _hold(changes, path, was if value is None else value)
        own = [field_path(theirs, path) for path in strategy.set]
        changes = {  # the strategy's own set comes after the file's, and wins whole
            path: value
            for path, value in changes.items()
            if not any(inside(field_path(theirs, path), whole) for whole in own)
        }
        data["set"] = {**changes, **strategy.set}
        data["description"] = strategy.description or other.description.strip()
    if problems:
        raise ExperimentError(source, problems)
    return strategies


def _hold(changes: dict[str, Any], path: str, value: Any) -> None:
    """Leave ``path`` to the base scenario: drop its change, or set it in a table around it."""
    changes.pop(path, None)
    for key, table in changes.items():
        if path.startswith(f"{key}.") and isinstance(table, dict):
            *parents, last = path.removeprefix(f"{key}.").split(".")
            node = table
            for part in parents:
                node = node[part]
            node[last] = value


def _kind(value: Any) -> str:
    return "missing" if value is None else f"a {type(value).__name__}"
