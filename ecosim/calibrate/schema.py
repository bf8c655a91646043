"""Calibration files: the schema, its validation and the priors.

A calibration file (TOML) names a base scenario, a file of observed data, the scenario
fields to fit (by dotted path, as ``ecosim run --set`` names them) with their priors,
the summary statistics that compare simulated with observed data and their weights, and
the settings of ABC-SMC. :func:`load_calibration` validates it like a scenario: every
problem is reported with the file, the field path and what was expected, as a
:class:`CalibrationError`.

Examples
--------
>>> from ecosim.calibrate import load_calibration
>>> calibration = load_calibration("calibrations/room_air_conditioners_bass.toml")
>>> [p.label for p in calibration.parameters]
['p', 'q', 'market_size']
"""

from __future__ import annotations

import itertools
import math
import warnings
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError, model_validator
from scipy import stats

from ecosim.errors import InputError, InputWarning, as_path, shortened
from ecosim.experiment.schema import unknown_outcome
from ecosim.market import check_edge_list, resize_problems
from ecosim.metrics import OUTCOMES, bounds, columns, split_column
from ecosim.model import MAX_COMBINATIONS, first_invalid, resolve_scenario
from ecosim.scenario import Scenario, ScenarioError, apply_overrides, load_scenario
from ecosim.scenario.fields import FieldPath, Name, Spec
from ecosim.scenario.files import read_toml_file
from ecosim.scenario.loading import blame_overrides, validation_problems

__all__ = [
    "MARKET_SIZE",
    "STATISTIC_KINDS",
    "Calibration",
    "CalibrationError",
    "Data",
    "Parameter",
    "Settings",
    "Statistic",
    "fittable_columns",
    "load_calibration",
]

MARKET_SIZE = "market_size"
"""The parameter that is not a scenario field: how many real customers the simulated
population stands for. Simulated counts and money are multiplied by ``market_size /
population.size`` before they are compared with the data (Bass's m)."""

UNFITTABLE = {
    "days": "is the horizon, which the data sets",
    "seed": "is the random seed, not a property of the market",
    "population.size": f"is the number of simulated customers; fit {MARKET_SIZE} for the "
    "number of real customers they stand for",
}
"""Scenario fields a calibration cannot fit, and why."""

RESERVED_LABELS = {"weight": "names the particles' weights in the posterior's table"}
"""Parameter labels the outputs use for something else, and what."""

STATISTIC_KINDS = ("series", "total", "peak", "peak_period", "final")
"""What a summary statistic takes of a column: every period's value, the sum over the
periods, the largest value, the period of the largest value (1-based), the last value."""

MAX_SEED = 2**32 - 1
"""The largest seed: pyabc's proposals come from numpy's global random state, whose seed
is a 32-bit number (0 to 4,294,967,295)."""

MAX_POPULATION = 100_000
"""The most particles in a generation (and in a Dask job): far more than ABC-SMC needs
(pyabc's examples use hundreds to thousands), few enough that a generation ends."""

BOUND_SIZES = (1e-15, 1e15)
"""The sizes a prior's bounds may have (or be 0): far beyond any market's (10^15
customers, or 10^15 in any currency) and rates', and small enough that the prior's
density and pyabc's covariances of the particles stay finite (on [0, 1e200] pyabc's
covariance overflows)."""

NARROWEST = 1e-9
"""The least width of a prior, relative to its larger bound's size: narrower, its draws
are a few floating-point numbers (a beta on [0.5, 0.5000000000000001] draws only its
bounds, where its density is 0) and its density may not be finite (a log-uniform's on
[3, 3.0000000000000004] is infinite)."""

SD_RATIOS = (1e-6, 1e6)
"""A normal prior's sd relative to the width of its bounds: within these, scipy's
truncated normal draws within its bounds with a finite density. A wider normal is a
uniform (at 10^6 times the width it is flat within 10^-12) whose draws, at 10^15 times,
fall outside the bounds; a narrower one is a single value."""

BETA_SHAPES = (0.5, 1e6)
"""A beta prior's shapes (alpha and beta): from the arcsine beta(0.5, 0.5) to a beta
whose sd is 0.00035 of its width. With shapes below 0.5 a share of the draws that is
no longer negligible falls, in floating point, on a bound itself, where the density is
infinite (about 1 to 2% for beta(0.1, 0.1)); with shapes of 1e308 the density is NaN."""

WEIGHTS = (1e-6, 1e6)
"""The weights a statistic may have. A weight is a relative importance: between these, one
statistic can count a million million times another, which already leaves the other out,
and the distance's squares of weighted differences move by at most 10^12, far from
floating point's limits. Far outside them the distance overflows to infinity (a weight of
1e308) or falls to 0 (1e-200): every simulation is then as near the data as any other, and
the posterior is the prior."""


class CalibrationError(InputError):
    """A calibration (file, data or results folder) that cannot be used.

    Parameters
    ----------
    source : str
        Where it came from (the calibration file, the data file, the results folder).
    problems : list of (str, str)
        Pairs of field path (``parameters[1].high``) or line and what was wrong.
    """


class Parameter(Spec):
    """A scenario field to fit (``path``, dotted as in ``ecosim run --set``) and its prior.

    Priors (all bounded by ``[low, high]``, the support the search may explore):

    - ``uniform``: flat on ``[low, high]``;
    - ``log_uniform``: flat in ``log`` on ``[low, high]`` (``low > 0``): for a scale
      parameter whose order of magnitude is unknown;
    - ``normal``: ``mean`` and ``sd``, truncated to ``[low, high]``;
    - ``beta``: shapes ``alpha`` and ``beta``, stretched onto ``[low, high]``.

    ``integer`` rounds the value for whole-number fields. ``path = "market_size"`` is
    the population the simulated customers stand for (:data:`MARKET_SIZE`).

    Limits that keep the prior's draws within its bounds and its density finite, in
    scipy and in pyabc: each bound 0 or of a size within :data:`BOUND_SIZES` (1e-15 to
    1e15); a width ``high - low`` of at least :data:`NARROWEST` (a billionth) of the
    larger bound's size; a normal's ``sd`` within :data:`SD_RATIOS` (a millionth to a
    million) times the width; a beta's shapes within :data:`BETA_SHAPES` (0.5 to 1e6).
    """

    path: FieldPath
    name: str | None = Field(default=None, pattern=r"^[A-Za-z][A-Za-z0-9_]*$", max_length=40)
    prior: Literal["uniform", "log_uniform", "normal", "beta"]
    low: float
    high: float
    mean: float | None = None
    sd: float | None = Field(default=None, gt=0)
    alpha: float | None = Field(default=None, ge=BETA_SHAPES[0], le=BETA_SHAPES[1])
    beta: float | None = Field(default=None, ge=BETA_SHAPES[0], le=BETA_SHAPES[1])
    integer: bool = False

    @model_validator(mode="after")
    def _prior_fits_its_bounds(self) -> Parameter:
        problems = []
        smallest, largest = BOUND_SIZES
        for name, bound in (("low", self.low), ("high", self.high)):
            if bound and not smallest <= abs(bound) <= largest:
                problems.append(
                    f"{name}: must be 0 or of a size from {smallest:g} to {largest:g}, so that "
                    f"the prior's density stays finite (got {bound})"
                )
        width = self.high - self.low
        if not self.low < self.high:
            problems.append(f"high: must be > low ({self.low}) (got {self.high})")
        elif width < NARROWEST * max(abs(self.low), abs(self.high)):
            problems.append(
                f"high: must exceed low ({self.low}) by at least {NARROWEST:g} times the larger "
                f"bound's size, so that the prior draws more than a few numbers (got {self.high})"
            )
        elif (
            self.prior == "normal"
            and self.sd is not None
            and not SD_RATIOS[0] <= self.sd / width <= SD_RATIOS[1]
        ):
            problems.append(
                f"sd: must be from {SD_RATIOS[0]:g} to {SD_RATIOS[1]:g} times the width of the "
                f"bounds ({width:g}), so that the truncated normal draws within them with a "
                f"finite density (got {self.sd:g})"
            )
        if self.integer and (self.low != int(self.low) or self.high != int(self.high)):
            problems.append(
                f"integer: an integer parameter needs whole numbers for low and high "
                f"(got {self.low:g} and {self.high:g})"
            )
        if self.prior == "log_uniform" and self.low <= 0:
            problems.append(f"low: a log_uniform prior needs low > 0 (got {self.low})")
        elif self.path == MARKET_SIZE and self.low <= 0:
            problems.append(
                f"low: {MARKET_SIZE} is a number of customers, so its prior needs low > 0 "
                f"(got {self.low})"
            )
        shape = {"normal": ("mean", "sd"), "beta": ("alpha", "beta")}.get(self.prior, ())
        for name in ("mean", "sd", "alpha", "beta"):
            given = getattr(self, name) is not None
            if name in shape and not given:
                problems.append(f"{name}: a {self.prior} prior needs it")
            elif name not in shape and given:
                problems.append(f"{name}: a {self.prior} prior does not use it")
        if (
            self.prior == "normal"
            and self.mean is not None
            and not self.low <= self.mean <= self.high
        ):
            problems.append(
                f"mean: the prior's mean {self.mean} is outside its bounds "
                f"[{self.low}, {self.high}]"
            )
        if problems:
            raise ValueError("\n".join(problems))
        return self

    @property
    def label(self) -> str:
        """The parameter's name in tables and in pyabc: ``name``, else ``path``'s last part."""
        return self.name or self.path.rsplit(".", 1)[-1]

    def distribution(self) -> stats.rv_continuous:
        """Return the prior as a frozen :mod:`scipy.stats` distribution.

        Examples
        --------
        >>> Parameter(path="diffusion.q", prior="uniform", low=0.1, high=0.9).distribution().mean()
        np.float64(0.5)
        """
        return getattr(stats, self.scipy_name)(*self.scipy_arguments)

    @property
    def scipy_name(self) -> str:
        """The prior's :mod:`scipy.stats` name (as pyabc's ``RV`` takes it)."""
        return {
            "uniform": "uniform",
            "log_uniform": "loguniform",
            "normal": "truncnorm",
            "beta": "beta",
        }[self.prior]

    @property
    def scipy_arguments(self) -> tuple[float, ...]:
        """The prior's :mod:`scipy.stats` arguments (shape, then loc and scale)."""
        width = self.high - self.low
        if self.prior == "uniform":
            return (self.low, width)
        if self.prior == "log_uniform":
            return (self.low, self.high)
        if self.prior == "normal":
            a, b = ((bound - self.mean) / self.sd for bound in (self.low, self.high))
            return (a, b, self.mean, self.sd)
        return (self.alpha, self.beta, self.low, width)

    def describe(self) -> str:
        """Return the prior in words, e.g. ``uniform on [0, 0.1]``."""
        bounds = f"[{self.low:g}, {self.high:g}]"
        if self.prior == "normal":
            return f"normal(mean {self.mean:g}, sd {self.sd:g}) truncated to {bounds}"
        if self.prior == "beta":
            return f"beta({self.alpha:g}, {self.beta:g}) on {bounds}"
        return f"{self.prior.replace('_', '-')} on {bounds}"

    def value(self, x: float) -> float | int:
        """Return the scenario value for a sampled ``x`` (rounded if ``integer``)."""
        return round(x) if self.integer else float(x)


class Statistic(Spec):
    """A summary statistic: what of an observed column is compared, and its weight.

    ``kind`` is one of :data:`STATISTIC_KINDS`. ``weight`` multiplies the adaptive weight
    pyabc gives each of the statistic's values (a ``series`` has one value per period),
    within :data:`WEIGHTS` (1e-6 to 1e6).
    """

    column: str
    kind: Literal["series", "total", "peak", "peak_period", "final"] = "series"
    weight: float = Field(default=1.0, ge=WEIGHTS[0], le=WEIGHTS[1])

    @property
    def label(self) -> str:
        """The statistic's name, e.g. ``total(purchases)``."""
        return f"{self.kind}({self.column})"


class Data(Spec):
    """The observed data: a CSV file and the length of its periods in simulated days.

    The file has a ``period`` column (1, 2, ...) or a ``date`` column (ISO dates,
    ``period_days`` apart; the first date is period 1), and one column per observed
    outcome, named as the model's outcome columns (``purchases``, ``revenue``,
    ``aware_share``...; with several brands also one brand's, ``purchases__modaku``).
    Period ``k`` covers simulated days ``(k - 1) * period_days + 1`` to ``k * period_days``:
    flows (purchases, revenue) are summed over its days, states (shares, counts of
    customers) are read on its last day, and ``net_sentiment`` is the period's (from its
    days' positive and negative word of mouth). ``rename`` maps the file's own column names
    (each one the file has) to outcome columns (``rename = { sales = "purchases" }``).
    """

    path: str
    period_days: int = Field(default=1, ge=1, le=3650)
    rename: dict[str, str] = Field(default_factory=dict)


class Settings(Spec):
    """ABC-SMC's settings (pyabc; Klinger, Rickert & Hasenauer 2018).

    ``population_size`` particles in the first generation; the population size then
    adapts (bounded by ``max_population_size``). Each particle's statistics are the mean
    of ``replications`` simulations. The search stops after ``generations`` generations
    or once epsilon falls to ``min_epsilon``. ``batch_size`` simulations go to a Dask
    worker at a time (a batch of one leaves cheap simulations waiting on the
    scheduler). ``draws`` equally weighted samples are drawn from the posterior for
    experiments, ``ppc_draws`` of them are simulated for the posterior predictive check.

    Every size is bounded, so that a search ends: ``population_size``,
    ``max_population_size`` and ``batch_size`` at :data:`MAX_POPULATION` particles,
    ``replications`` at 1,000, ``generations`` at 100, ``draws`` (and so ``ppc_draws``)
    at 1,000,000.
    """

    population_size: int = Field(default=200, ge=10, le=MAX_POPULATION)
    max_population_size: int | None = Field(default=None, ge=10, le=MAX_POPULATION)
    replications: int = Field(default=1, ge=1, le=1000)
    generations: int = Field(default=8, ge=1, le=100)
    min_epsilon: float = Field(default=0.0, ge=0)
    batch_size: int = Field(default=8, ge=1, le=MAX_POPULATION)
    draws: int = Field(default=1000, ge=10, le=1_000_000)
    ppc_draws: int = Field(default=100, ge=10)

    @model_validator(mode="after")
    def _sizes(self) -> Settings:
        if self.max_population_size is not None and self.max_population_size < self.population_size:
            raise ValueError(
                f"max_population_size: must be >= population_size ({self.population_size})"
            )
        if self.ppc_draws > self.draws:
            raise ValueError(f"ppc_draws: must be <= draws ({self.draws})")
        return self


class Calibration(Spec):
    """A scenario fitted to observed data by ABC-SMC.

    Attributes
    ----------
    scenario : Scenario
        The base scenario, with ``customers`` and ``days`` applied.
    scenario_file : str
        The scenario's path as written in the calibration file.
    file : str
        The calibration file (set by :func:`load_calibration`).
    seed : int
        Seeds the search, the posterior draws and the predictive check: 0 to
        :data:`MAX_SEED`, the seeds numpy's global random state takes.
    observed : pandas.DataFrame
        The observed data, one row per period (``period``, then the columns), set by
        :func:`load_calibration`.
    """

    name: Name
    description: str = ""
    scenario: Scenario
    scenario_file: str
    file: str
    seed: int = Field(ge=0, le=MAX_SEED)
    customers: int | None = Field(default=None, ge=2)
    days: int | None = Field(default=None, ge=1)
    data: Data
    parameters: list[Parameter] = Field(min_length=1)
    statistics: list[Statistic] = Field(min_length=1)
    abc: Settings = Field(default_factory=Settings)
    observed: Annotated[Any, Field(exclude=True, repr=False)] = None

    @model_validator(mode="after")
    def _references(self) -> Calibration:
        problems = []
        labels = [p.label for p in self.parameters]
        for i, parameter in enumerate(self.parameters):
            if labels.count(parameter.label) > 1:
                problems.append(
                    f"parameters[{i}].name: {parameter.label!r} names two parameters; give a name"
                )
            if parameter.label in RESERVED_LABELS:
                problems.append(
                    f"parameters[{i}].name: {parameter.label!r} "
                    f"{RESERVED_LABELS[parameter.label]}; give the parameter another name"
                )
            paths = [p.path for p in self.parameters]
            if paths.count(parameter.path) > 1:
                problems.append(f"parameters[{i}].path: {parameter.path!r} is fitted twice")
            if parameter.path in UNFITTABLE:
                problems.append(
                    f"parameters[{i}].path: {parameter.path!r} {UNFITTABLE[parameter.path]} "
                    "(expected a field of the market: a rate, a share, a price, ...)"
                )
        seen, fittable = [], fittable_columns(self.scenario)
        for i, statistic in enumerate(self.statistics):
            if statistic.column not in fittable:
                problems.append(
                    f"statistics[{i}].column: {_unfittable(statistic.column, self.scenario)}"
                )
            if statistic.label in seen:
                problems.append(f"statistics[{i}]: {statistic.label} is given twice")
            seen.append(statistic.label)
        market = [i for i, p in enumerate(self.parameters) if p.path == MARKET_SIZE]
        known = all(s.column in fittable for s in self.statistics)
        if market and known and not any(_scaled(s) for s in self.statistics):
            problems.append(
                f"parameters[{market[0]}].path: {MARKET_SIZE} scales counts and money, but no "
                f"statistic depends on it ({', '.join(s.label for s in self.statistics)}: "
                "shares, averages and the period of a peak are the same at any scale): the "
                "data cannot inform it (add a statistic of a count, such as purchases, or fit "
                "no market_size)"
            )
        brands = self.scenario.brand_names
        per_brand = f"; or for one brand ({', '.join(brands)}), <outcome>__<brand>"
        for name, column in self.data.rename.items():
            if column in fittable or column in ("period", "date"):
                continue
            outcome, brand = split_column(column)
            problems.append(
                f"data.rename.{name}: {_unfittable(column, self.scenario)}"
                if brand and outcome in _outcomes(self.scenario)
                else f"data.rename.{name}: {shortened(repr(column))} is not an outcome column "
                f"(expected period, date or one of: {', '.join(OUTCOMES)}"
                f"{per_brand * (len(brands) > 1)})"
            )
        if problems:
            raise ValueError("\n".join(problems))
        return self

    @property
    def columns(self) -> list[str]:
        """The observed columns the statistics use, in order of first use."""
        return list(dict.fromkeys(s.column for s in self.statistics))

    @property
    def scenario_parameters(self) -> list[Parameter]:
        """The parameters that are scenario fields (all but :data:`MARKET_SIZE`)."""
        return [p for p in self.parameters if p.path != MARKET_SIZE]

    def overrides(self, values: dict[str, float]) -> dict[str, Any]:
        """Return the scenario overrides for parameter values given by label."""
        return {p.path: p.value(values[p.label]) for p in self.scenario_parameters}

    def scale(self, values: dict[str, float]) -> float:
        """Return the factor from simulated to observed counts (1 without a market size)."""
        market = [p for p in self.parameters if p.path == MARKET_SIZE]
        if not market:
            return 1.0
        return float(values[market[0].label]) / self.scenario.population.size


# ---------------------------------------------------------------- loading


def load_calibration(
    path: str | Path, overrides: dict[str, Any] | None = None, *, overrides_from: str | None = None
) -> Calibration:
    """Read and validate a calibration file and its observed data.

    The scenario and the data file are paths relative to the calibration file. Every
    parameter's bounds are checked by loading the scenario with them, and the data
    by :func:`ecosim.calibrate.data.read_observed`.

    Parameters
    ----------
    path : str or Path
    overrides : dict, optional
        Fields of the file by dotted path, set before it is validated (``ecosim calibrate
        --set``), e.g. ``{"abc.generations": 3, "parameters.0.high": 0.1}``.
    overrides_from : str, optional
        Where ``overrides`` came from (``"the command line"``): a problem in a field they
        set is then named as theirs (:func:`ecosim.scenario.loading.blame_overrides`).

    Returns
    -------
    Calibration

    Raises
    ------
    CalibrationError
        If the file is missing or not valid TOML, any field is invalid, a parameter's path
        is not a scenario field, or the data cannot be used; the message names the file,
        each field path (or line of the data) and what was expected.
    """
    path = as_path(path, "path")
    source = str(path)
    written = read_toml_file(path, CalibrationError, kind="calibration")
    try:
        data = apply_overrides(written, {} if overrides is None else overrides, source=source)
    except ScenarioError as error:
        raise CalibrationError(error.source, error.problems) from None
    try:
        return _validated(path, data, source)
    except CalibrationError as error:
        if overrides_from is None or not overrides or error.source != source:
            raise
        problems = blame_overrides(error.problems, written, overrides, overrides_from)
        raise CalibrationError(source, problems) from None


def _validated(path: Path, data: dict[str, Any], source: str) -> Calibration:
    """Validate a calibration file's contents (after ``--set``) and read its data."""
    from ecosim.calibrate.data import read_observed

    for reserved in ("scenario_file", "file", "observed"):
        if reserved in data:
            raise CalibrationError(source, [(reserved, "unknown field")])
    data["file"] = source
    if not isinstance(data.get("scenario"), str):
        expected = "expected the path to a scenario TOML file, relative to the calibration file"
        if "scenario" not in data:
            problem = f"required field is missing ({expected})"
        else:
            given = data["scenario"]
            problem = f"{expected} (got {'a table' if isinstance(given, dict) else repr(given)})"
        raise CalibrationError(source, [("scenario", problem)])
    data["scenario_file"] = data["scenario"]
    try:
        data["scenario"] = load_scenario(path.parent / data["scenario"])
    except ScenarioError as error:
        raise CalibrationError(source, error.under("scenario")) from None
    try:
        calibration = Calibration.model_validate(data)
    except ValidationError as error:
        raise CalibrationError(source, validation_problems(error, data)) from None
    try:
        scenario = resolve_scenario(
            calibration.scenario, customers=calibration.customers, days=calibration.days
        )
    except ScenarioError as error:
        raise CalibrationError(
            source, resize_problems(error, calibration.customers, calibration.days)
        ) from None
    unfit = check_edge_list(scenario) if calibration.customers is not None else []
    if unfit:
        raise CalibrationError(source, unfit)
    calibration = calibration.model_copy(update={"scenario": scenario})
    problems = _check_parameters(calibration)
    if problems:
        raise CalibrationError(source, problems)
    observed = read_observed(
        path.parent / calibration.data.path,
        calibration.columns,
        calibration.data.period_days,
        scenario.days,
        where=f"{source}: data.path",
        rename=calibration.data.rename,
    )
    covered = len(observed) * calibration.data.period_days
    if calibration.days is None and covered < scenario.days:
        warnings.warn(
            f"{source}: days: the data cover {covered} of the scenario's {scenario.days} days, "
            f"and every simulation runs all {scenario.days}: days = {covered} simulates only "
            f"the days fitted, {scenario.days / covered:.3g} times fewer",
            InputWarning,
            stacklevel=3,
        )
    return calibration.model_copy(update={"observed": observed})


def _check_parameters(calibration: Calibration) -> list[tuple[str, str]]:
    """Load the scenario with every parameter at its bounds, alone and together.

    Each path must be a field that takes both bounds; a whole-number field needs ``integer =
    true``. The search draws the parameters together, so every corner of the bounds must
    be a valid scenario as well: every pair's corners (the others at the scenario's values),
    then every combination of lows and highs when there are at most
    :data:`~ecosim.market.MAX_COMBINATIONS` of them. The scenario's rules that bind fields
    together (an end after its start, ``wom_experience_weight * negativity_bias <= 1``, a
    beta's sd below ``sqrt(mean (1 - mean))``) are tightest at the bounds, so a combination
    they refuse has a corner they refuse.
    """
    problems = []
    scenario = calibration.scenario
    data = scenario.model_dump()
    for i, parameter in enumerate(calibration.parameters):
        if parameter.path == MARKET_SIZE:
            continue
        found, value = _value_at(data, parameter.path)
        if not found:
            problems.append(
                (f"parameters[{i}].path", f"{parameter.path!r} is not a field of the scenario")
            )
            continue
        if parameter.integer and isinstance(value, float):
            warnings.warn(
                f"{calibration.file}: parameters[{i}].integer: {parameter.path} takes any "
                f"number (it is {value:g} in the scenario); the search's values are rounded "
                "to whole numbers",
                InputWarning,
                stacklevel=2,
            )
        for bound in (parameter.low, parameter.high):
            found = first_invalid(scenario, [{parameter.path: parameter.value(bound)}])
            if found is None:
                continue
            whole = not parameter.integer and bound == round(bound)
            if whole and first_invalid(scenario, [{parameter.path: round(bound)}]) is None:
                problems.append(
                    (
                        f"parameters[{i}].integer",
                        f"{parameter.path} takes whole numbers: set integer = true (the "
                        "search's values are then rounded)",
                    )
                )
                break
            problems += [
                (f"parameters[{i}]", f"bound {bound:g}: {where}: {message}")
                for where, message in found[2]
            ]
    return problems or _check_corners(calibration)


def _check_corners(calibration: Calibration) -> list[tuple[str, str]]:
    """Return the problems of the first corner of the bounds the scenario refuses (or none)."""
    fitted = calibration.scenario_parameters
    groups = [list(pair) for pair in itertools.combinations(fitted, 2)]
    if len(fitted) > 2 and 2 ** len(fitted) <= MAX_COMBINATIONS:
        groups.append(fitted)
    corners = (
        {p.path: p.value(x) for p, x in zip(group, corner, strict=True)}
        for group in groups
        for corner in itertools.product(*[(p.low, p.high) for p in group])
    )
    found = first_invalid(calibration.scenario, corners)
    if found is None:
        return []
    _, values, refused = found
    at = ", ".join(f"{path} = {value:g}" for path, value in values.items())
    return [
        (
            "parameters",
            f"the bounds together give an invalid scenario at {at}: {where}: {message} (the "
            "search draws the parameters together: narrow the bounds so that every "
            "combination is a valid scenario)",
        )
        for where, message in refused
    ]


def _value_at(data: Any, path: str) -> tuple[bool, Any]:
    """Whether a dotted path (list items by position or by name) leads to a value, and it."""
    node = data
    for part in path.split("."):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list):
            found = [
                item
                for i, item in enumerate(node)
                if part == str(i) or (isinstance(item, dict) and item.get("name") == part)
            ]
            if not found:
                return False, None
            node = found[0]
        else:
            return False, None
    return True, node


def fittable_columns(scenario: Scenario) -> list[str]:
    """Return the outcome columns a calibration of ``scenario`` can fit.

    Every outcome of :data:`ecosim.metrics.OUTCOMES` (over all brands), the customers in
    each loyalty tier (``tier_gold``), and, with several brands, each brand's own
    (``<outcome>__<brand>``), as a run's daily series names them: a firm's sales in a
    market with competitors are ``purchases__<its brand>``.

    Examples
    --------
    >>> fittable = fittable_columns(load_scenario("scenarios/two_brands.toml"))
    >>> "purchases" in fittable, "purchases__tokoku" in fittable, "purchases__other" in fittable
    (True, True, False)
    >>> "purchases__tokoku" in fittable_columns(load_scenario("scenarios/baseline.toml"))
    False
    """
    return columns(scenario)[1:]  # the daily series but its step


def _outcomes(scenario: Scenario) -> list[str]:
    """Every outcome of a run of ``scenario`` over all brands, its loyalty tiers' included."""
    return [name for name in fittable_columns(scenario) if not split_column(name)[1]]


def _unfittable(column: str, scenario: Scenario) -> str:
    """Say that a statistic's column is no outcome a calibration of ``scenario`` can fit."""
    outcome, brand = split_column(column)
    brands = scenario.brand_names
    if brand and outcome in _outcomes(scenario) and len(brands) == 1:
        return (
            f"{shortened(repr(column))}: the scenario has one brand, {brands[0]}, whose "
            f"outcomes are the columns without a brand (expected {outcome!r})"
        )
    if brand and outcome in _outcomes(scenario):
        return (
            f"{shortened(repr(column))}: the scenario has no brand {shortened(repr(brand))} "
            f"(expected {outcome}__<brand> for one of: {', '.join(brands)})"
        )
    return unknown_outcome(column, fittable_columns(scenario))


def _scaled(statistic: Statistic) -> bool:
    """Whether a statistic changes with the market size: a count's, except its peak's period."""
    return not is_share(statistic.column) and statistic.kind != "peak_period"


def is_share(column: str) -> bool:
    """Whether an outcome column is a share or an average (not scaled by the market size).

    Such an outcome's values have a highest (:func:`ecosim.metrics.bounds`); a count's do not.

    Examples
    --------
    >>> is_share("aware_share"), is_share("rating"), is_share("purchases")
    (True, True, False)
    """
    return math.isfinite(bounds(column)[1])
