"""The run plan: strategies × conditions × replications, designs and seeds.

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
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from SALib.sample import latin
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample

from ecosim.errors import without_input_warnings
from ecosim.experiment.schema import (
    DUMMY,
    MAX_RUNS,
    Experiment,
    ExperimentError,
    Factor,
    Scalar,
    sensitivity_problems,
    strategy_overrides,
    varied_settings,
)
from ecosim.model import MAX_COMBINATIONS, first_invalid
from ecosim.scenario import Scenario

__all__ = [
    "Run",
    "SensitivityDesign",
    "condition_table",
    "plan_runs",
    "replication_seeds",
    "run_id",
    "run_ids",
    "run_seed",
    "sensitivity_design",
]


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
    return [run_seed(child) for child in np.random.SeedSequence(seed).spawn(replications)]


def run_seed(sequence: np.random.SeedSequence) -> int:
    """Return a run's seed from a seed sequence: its first 63 bits (a non-negative int64).

    Examples
    --------
    >>> run_seed(np.random.SeedSequence(1)) == run_seed(np.random.SeedSequence(1))
    True
    """
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
        "bounds": [p.drawn_range() for p in parameters],
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


def plan_runs(experiment: Experiment, *, posterior: bool = True) -> list[Run]:
    """Return every run of the experiment: strategies × conditions × replications.

    Runs are ordered by replication, then condition, then strategy, so that an
    interrupted batch leaves complete pairs of strategies behind. With ``[posterior]``,
    replication ``r`` of every strategy also sets the fields of posterior draw ``r``.

    Parameters
    ----------
    experiment : Experiment
    posterior : bool
        ``False``: leave out the posterior's fields, without reading its folder (for what
        they never set: a run's identification, horizon and population).

    Returns
    -------
    list of Run
    """
    conditions = condition_table(experiment)
    seeds = replication_seeds(experiment.seed, experiment.replications)
    draws = [{}] * experiment.replications
    if experiment.posterior is not None and posterior:
        from ecosim.calibrate.posterior import replication_overrides

        draws = replication_overrides(experiment.posterior.source, experiment.replications)
    paths = {p.label: p.path for p in experiment.parameters}
    strategies = {
        name: strategy_overrides(experiment.scenario, strategy)
        for name, strategy in experiment.strategies.items()
    }
    return [
        Run(
            run_id=run_id(name, c, r, len(conditions), experiment.replications),
            strategy=name,
            condition=c,
            values=values,
            replication=r,
            seed=seeds[r],
            overrides={
                **overrides,
                **draws[r],
                **{paths[label]: v for label, v in values.items()},
            },
        )
        for r in range(experiment.replications)
        for c, values in enumerate(conditions)
        for name, overrides in strategies.items()
    ]


def run_id(
    strategy: str, condition: int, replication: int, conditions: int, replications: int
) -> str:
    """Return the id of a batch's run: ``<strategy>-c<condition>-r<replication>``.

    The numbers are zero-padded to the widths the experiment's counts need (at least 3
    and 2 digits), so that ids sort in order.

    Examples
    --------
    >>> run_id("promo", 1, 7, conditions=2, replications=20)
    'promo-c001-r07'
    """
    c_width = max(3, len(str(conditions - 1)))
    r_width = max(2, len(str(replications - 1)))
    return f"{strategy}-c{condition:0{c_width}d}-r{replication:0{r_width}d}"


def run_ids(experiment: Experiment) -> set[str]:
    """Return the ids of every run of a batch, without reading a posterior it draws from."""
    conditions = len(condition_table(experiment))
    return {
        run_id(name, c, r, conditions, experiment.replications)
        for name in experiment.strategies
        for c in range(conditions)
        for r in range(experiment.replications)
    }


@dataclass(frozen=True)
class SensitivityDesign:
    """A Morris or Sobol design over the experiment's sensitivity parameters.

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
        One row per design point, one column per problem variable, as SALib drew it (a
        Sobol design draws an integer parameter half a unit beyond its range; its runs
        use the rounded value, in each run's ``values``).
    runs : list of Run
    """

    method: Literal["morris", "sobol"]
    strategy: str
    outcomes: list[str]
    replications: int
    problem: dict[str, Any]
    sample: np.ndarray
    runs: list[Run]


METHODS = ("morris", "sobol")
"""The methods of a sensitivity analysis."""


def sensitivity_design(
    experiment: Experiment, method: Literal["morris", "sobol"]
) -> SensitivityDesign:
    """Build the Morris or Sobol design of the experiment's ``[sensitivity]`` settings.

    The parameters are ``[[sensitivity.parameters]]``, or else the conditions' parameters
    (which must then all have a range). A dummy parameter is added to the
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
        If the method is neither of :data:`METHODS`, there are no parameters, a condition
        parameter used has values instead of a range, the experiment draws its market from
        a posterior, a parameter changes a field of the strategy analysed or takes values
        the scenario refuses with it (:func:`~ecosim.experiment.schema.sensitivity_problems`),
        a Morris design's grid puts levels of an integer parameter between
        whole numbers, or the scenario refuses the values of a design point, which every
        run there would fail on (the first few such points are named).
    """
    settings = experiment.sensitivity
    source = f"experiment {experiment.name!r}"
    if method not in METHODS:
        raise ExperimentError(
            source, [("method", f"expected one of {', '.join(METHODS)} (got {method!r:.60})")]
        )
    if experiment.posterior is not None:
        raise ExperimentError(
            source,
            [
                (
                    "posterior",
                    "a sensitivity analysis varies its parameters on the base scenario and "
                    "draws no market from a posterior; remove [posterior] for ecosim "
                    "sensitivity (ecosim batch runs the strategies over the posterior)",
                )
            ],
        )
    if not experiment.sensitivity_parameters:
        raise ExperimentError(
            source,
            [
                (
                    "sensitivity.parameters",
                    "none given: add [[sensitivity.parameters]] tables, each with a path "
                    "and a range [low, high]",
                )
            ],
        )
    problems = [
        (
            f"conditions.parameters[{i}]",
            "sensitivity analysis needs a range [low, high]: give [[sensitivity.parameters]] "
            "with ranges (the conditions' parameters are used only when there are none)",
        )
        for i, p in enumerate(experiment.sensitivity_parameters)
        if p.range is None
    ]
    if problems or (problems := sensitivity_problems(experiment)):
        raise ExperimentError(source, problems)
    parameters = experiment.sensitivity_parameters
    where = "sensitivity" if settings.parameters else "conditions"
    if method == "morris":
        problems = [
            (f"{where}.parameters[{i}].range", problem)
            for i, p in enumerate(parameters)
            if (problem := _off_grid(p, settings.levels))
        ]
        if problems:
            raise ExperimentError(source, problems)
    replications = settings.replications or experiment.replications
    factors = len(parameters) + 1
    if method == "morris":
        size, field = settings.trajectories * (factors + 1), "sensitivity.trajectories"
    else:
        size, field = settings.samples * (factors + 2), "sensitivity.samples"
    if size * replications > MAX_RUNS:
        raise ExperimentError(
            source,
            [
                (
                    field,
                    f"the {method} design has {size:,} points x {replications:,} replications "
                    f"= {size * replications:,} runs, more than an analysis may hold "
                    f"({MAX_RUNS:,})",
                )
            ],
        )
    problem = {
        "num_vars": factors,
        "names": [*(p.label for p in parameters), DUMMY],
        "bounds": [*(list(p.range) for p in parameters), [0.0, 1.0]],
    }
    if method == "morris":
        sample = morris_sample.sample(
            problem, settings.trajectories, num_levels=settings.levels, seed=experiment.seed
        )
    else:
        drawn = {**problem, "bounds": [*(p.drawn_range() for p in parameters), [0.0, 1.0]]}
        sample = sobol_sample.sample(
            drawn, settings.samples, calc_second_order=False, seed=experiment.seed
        )
    strategy = settings.strategy or experiment.baseline
    overrides = strategy_overrides(experiment.scenario, experiment.strategies[strategy])
    points = [tuple(p.value(x) for p, x in zip(parameters, row, strict=False)) for row in sample]
    problems = _refused_points(experiment.scenario, strategy, overrides, points, parameters)
    if problems:
        raise ExperimentError(source, [(f"{where}.parameters", problem) for problem in problems])
    roots = np.random.SeedSequence(experiment.seed).spawn(len(sample))
    p_width = max(4, len(str(len(sample) - 1)))
    r_width = max(2, len(str(replications - 1)))
    labels, paths = [p.label for p in parameters], [p.path for p in parameters]
    runs = []
    for point, (row, root, chosen) in enumerate(zip(sample, roots, points, strict=True)):
        values = dict(zip(labels, chosen, strict=True))
        applied = {**overrides, **dict(zip(paths, chosen, strict=True))}
        for r, child in enumerate(root.spawn(replications)):
            runs.append(
                Run(
                    run_id=f"{strategy}-p{point:0{p_width}d}-r{r:0{r_width}d}",
                    strategy=strategy,
                    condition=point,
                    values={**values, DUMMY: float(row[-1])},
                    replication=r,
                    seed=run_seed(child),
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


def refused_conditions(experiment: Experiment) -> list[tuple[str, str]]:
    """Return the problems of the first conditions a strategy's runs could not build.

    The file's reading checks the parameters' ends and their corners; a factorial grid
    with ``levels`` or a Latin hypercube draws values between them, which a rule of the
    scenario may refuse (an even ``network.k``), and every run of such a condition would
    fail at run time. Each strategy is built with the conditions as :func:`_refused_points`
    builds a sensitivity design's points, at most
    :data:`~ecosim.model.MAX_COMBINATIONS` conditions in all.

    Parameters
    ----------
    experiment : Experiment

    Returns
    -------
    list of (str, str)
        ``("conditions.parameters", problem)`` for the first conditions refused;
        ``("conditions.points", problem)`` for a Latin hypercube that draws a condition
        twice (integer parameters over short ranges); ``("customers", problem)`` or
        ``("days", problem)`` where a condition varies the field the experiment sets
        (:func:`~ecosim.experiment.schema.varied_settings`).
    """
    if experiment.conditions is None:
        return []
    parameters = experiment.parameters
    varied = varied_settings(experiment, parameters, "conditions.parameters")
    if varied:
        return varied
    points = [tuple(c[p.label] for p in parameters) for c in condition_table(experiment)]
    distinct = len(set(points))
    if distinct < len(points):  # whole numbers drawn from short ranges
        wholes = {p.label: int(p.range[1] - p.range[0]) + 1 for p in parameters if p.integer}
        fewest = min(wholes, key=wholes.__getitem__)
        return [
            (
                "conditions.points",
                f"the Latin hypercube's {len(points)} conditions hold only {distinct} different "
                "ones, which would run the same runs again as other conditions: set points to "
                f"at most {wholes[fewest]} (the whole numbers in {fewest}'s range), widen the "
                "integer parameters' ranges, or use the factorial design",
            )
        ]
    most = max(MAX_COMBINATIONS // len(experiment.strategies), 1)
    for name, strategy in experiment.strategies.items():
        overrides = strategy_overrides(experiment.scenario, strategy)
        refused = _refused_points(
            experiment.scenario, name, overrides, points, parameters, "condition", most
        )
        if refused:
            return [("conditions.parameters", problem) for problem in refused]
    return []


MOST_REFUSED = 3
"""The most design points a refused sensitivity design names: the first few say what is
wrong, where a Sobol design may draw thousands that the scenario refuses."""

MOST_VALUES = 4096
"""The most values of an integer parameter whose first point is built before the runs: a
rule that binds whole numbers (evenness) shows in the first values of a wide range (a
population size of 1,000 to 100,000 would otherwise build nearly every point)."""

MOST_LISTED = 6
"""The most values a message lists before "..." (a Morris grid may have a million levels)."""


def _refused_points(
    scenario: Scenario,
    strategy: str,
    overrides: dict[str, Any],
    points: list[tuple[Scalar, ...]],
    parameters: list[Factor],
    what: str = "design point",
    most: int | None = None,
) -> list[str]:
    """Return the problems of the first design points whose scenario a run could not build.

    The file's reading checks the ends of the ranges and their corners; a design draws
    the values between them, which a rule of the scenario may refuse where the ends pass
    (a Watts-Strogatz ``network.k`` must be even), and every run of such a point would
    fail. Each distinct point is built as its runs build it, with the strategy's overrides
    (:func:`~ecosim.model.first_invalid`): the first
    :data:`~ecosim.model.MAX_COMBINATIONS` distinct points, which is every point of a
    design that has no more, and in a larger design also the first point at each value
    of each integer parameter (a rule that the ends pass but a value between them breaks
    binds whole numbers, as evenness does; the rules of decimal fields, bounds and
    orderings, hold between the corners where they hold at them).

    Parameters
    ----------
    scenario : Scenario
        The experiment's base scenario.
    strategy : str
        The strategy the design runs, named in the problems.
    overrides : dict
        Its overrides (:func:`~ecosim.experiment.schema.strategy_overrides`).
    points : list of tuple
        Each design point's values of the parameters, in their order.
    parameters : list of Factor
    what : str
        What a point is called in the problems (``condition`` in a batch).
    most : int, optional
        The most distinct points built, beside the first point at each of an integer
        parameter's first :data:`MOST_VALUES` values (:data:`~ecosim.model.MAX_COMBINATIONS`
        by default).

    Returns
    -------
    list of str
        The scenario's problems at the first :data:`MOST_REFUSED` points it refuses, each
        naming the point and its values.
    """
    paths = [p.path for p in parameters]
    first: dict[tuple[Scalar, ...], int] = {}
    for point, chosen in enumerate(points):
        first.setdefault(chosen, point)
    most = most or MAX_COMBINATIONS
    checked = set(list(first.values())[:most])
    for i, parameter in enumerate(parameters):
        if parameter.integer:
            at: dict[Scalar, int] = {}
            for chosen, point in first.items():
                at.setdefault(chosen[i], point)
            checked.update(list(at.values())[:MOST_VALUES])
    ordered = sorted(checked)
    problems: list[str] = []
    with without_input_warnings():  # the runs give them
        for _ in range(MOST_REFUSED):
            found = first_invalid(
                scenario,
                ({**overrides, **dict(zip(paths, points[p], strict=True))} for p in ordered),
            )
            if found is None:
                break
            position, _, refused = found
            point, ordered = ordered[position], ordered[position + 1 :]
            drawn = ", ".join(
                f"{path} = {value!r}" for path, value in zip(paths, points[point], strict=True)
            )
            problems += [
                f"{what} {point} sets {drawn} (with strategy {strategy!r}), which the "
                f"scenario refuses: {path}: {message}"
                for path, message in refused
            ]
    return problems


def _off_grid(parameter: Factor, levels: int) -> str | None:
    """Say why a Morris grid of ``levels`` levels puts an integer parameter off whole numbers.

    Morris's elementary effects divide each change of an outcome by the design's step;
    a run rounds an integer parameter's value, so the step it ran is the design's only
    when every level of the grid is a whole number: ``high - low`` a multiple of
    ``levels - 1``. The message lists the first :data:`MOST_LISTED` levels and fitting
    numbers of levels.
    """
    low, high = (int(x) for x in parameter.range)
    span, steps = high - low, levels - 1
    if not parameter.integer or span % steps == 0:
        return None
    grid = _listed(format(low + span * k / steps, ".10g") for k in range(levels))
    fits = _listed(str(n) for n in range(2, span + 2, 2) if span % (n - 1) == 0)
    wider = low + max(span // steps, 1) * steps
    return (
        f"[{low}, {high}] puts the {levels:,} levels of the Morris grid between whole numbers "
        f"({grid}), so the runs would not step as the design does; expected high - low a "
        f"multiple of levels - 1 = {steps:,}: sensitivity.levels = {fits} for this range, or "
        f"a range such as [{low}, {wider}]"
    )


def _listed(texts: Iterator[str]) -> str:
    """Join the first :data:`MOST_LISTED` of ``texts``, and "..." if there are more."""
    shown = list(itertools.islice(texts, MOST_LISTED + 1))
    return ", ".join(shown[:MOST_LISTED] + ["..."] * (len(shown) > MOST_LISTED))
