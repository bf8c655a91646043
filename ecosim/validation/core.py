"""What every validation case shares: result records, seeds, replications, statistics.

A case runs the engine in one configuration, compares what it measures with a known
result, and returns a :class:`CaseResult`: its checks (statistic, tolerance, pass or
fail), the source of the known result, the settings it ran with and a figure.
"""

from __future__ import annotations

import numbers
import signal
import threading
import zlib
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Literal, TypeVar

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from scipy import stats

from ecosim.errors import InputError
from ecosim.model import run
from ecosim.report.text import format_number
from ecosim.scenario import Scenario, apply_overrides, validate_scenario

__all__ = [
    "ROOT_SEED",
    "CaseResult",
    "Check",
    "Mode",
    "check_sizes",
    "confidence_bounds",
    "daily_curves",
    "minimal_scenario",
    "replicate",
    "run_seeded",
    "seeds",
]

Mode = Literal["quick", "full"]
"""``full``: the settings and tolerances of the validation issue, run before a release;
``quick``: fewer replications, customers or days, every case present, run in CI."""

ROOT_SEED = 2011
"""Root of every case's seeds (``numpy.random.SeedSequence([ROOT_SEED, crc32(case)])``)."""

T = TypeVar("T")


@dataclass(frozen=True)
class Check:
    """One comparison of a measured statistic with its tolerance.

    Attributes
    ----------
    statistic : str
        What is measured, e.g. ``max_t |mean F(t) - F_Bass(t)|``.
    value : float
        The measured value.
    relation : {"<=", ">="}
        The value must be at most (``<=``) or at least (``>=``) the limit.
    tolerance : float
        The tolerance (the issue's, in full mode).
    allowance : float
        Monte Carlo allowance added to the tolerance in quick mode (3 standard errors of
        the statistic; 0 in full mode), so that a quick run with few replications is
        judged by what it can resolve. It is always reported beside the tolerance.
    unit : str
        Unit of value and tolerance, for the report (e.g. ``years``).
    """

    statistic: str
    value: float
    relation: Literal["<=", ">="]
    tolerance: float
    allowance: float = 0.0
    unit: str = ""

    @property
    def limit(self) -> float:
        """The tolerance widened by the allowance."""
        sign = 1.0 if self.relation == "<=" else -1.0
        return self.tolerance + sign * self.allowance

    @property
    def passed(self) -> bool:
        """Whether the value is within the limit."""
        if not np.isfinite(self.value):
            return False
        return self.value <= self.limit if self.relation == "<=" else self.value >= self.limit

    def describe(self) -> str:
        """One line: statistic, value, relation and tolerance (with any allowance)."""
        unit = f" {self.unit}" if self.unit else ""
        limit = format_number(self.tolerance)
        if self.allowance:
            sign = "+" if self.relation == "<=" else "-"
            limit = f"{limit} {sign} {format_number(self.allowance)} = {format_number(self.limit)}"
        verdict = "PASS" if self.passed else "FAIL"
        value = format_number(self.value)
        return f"{verdict}: {self.statistic} = {value}{unit} {self.relation} {limit}{unit}"


@dataclass
class CaseResult:
    """The outcome of one validation case.

    Attributes
    ----------
    name : str
        Short identifier (``bass``, ``clv``...), also the figure's file name.
    title : str
    description : str
        What is compared with what, and why (Markdown, for the report).
    checks : list of Check
    source : str
        Where the known result comes from.
    settings : dict
        What was run (population, replications, days, parameters).
    notes : list of str
        How to read the result: definitions, conventions, diagnostics.
    figure : matplotlib.figure.Figure
    seconds : float
        Wall time of the case (set by :func:`ecosim.validation.run_cases`).
    data : dict
        The numbers behind the checks and the figure, for tests and further analysis.
    table : str
        A Markdown table of the case's findings, printed after its checks (may be empty).
    """

    name: str
    title: str
    description: str
    checks: list[Check]
    source: str
    settings: dict[str, Any]
    notes: list[str]
    figure: Figure
    seconds: float = 0.0
    data: dict[str, Any] = field(default_factory=dict)
    table: str = ""

    @property
    def passed(self) -> bool:
        """Whether every check passed."""
        return all(check.passed for check in self.checks)


def seeds(case: str, count: int) -> list[np.random.SeedSequence]:
    """Return the replication seeds of a case: ``count`` children of its own seed sequence.

    A quick run uses the first replications of a full one.

    Examples
    --------
    >>> [s.spawn_key for s in seeds("bass", 2)]
    [(0,), (1,)]
    """
    root = np.random.SeedSequence([ROOT_SEED, zlib.crc32(case.encode())])
    return root.spawn(count)


def check_sizes(
    replications: int | None, customers: int | None, days: int | None, jobs: int, mode: str
) -> None:
    """Refuse the sizes of a measurement that are not whole numbers from 1, or an unknown mode.

    Raises
    ------
    InputError
        Naming the first argument that is not (``None`` leaves a size at its default).
    """
    given = {"replications": replications, "customers": customers, "days": days, "jobs": jobs}
    for name, value in given.items():
        if value is None and name != "jobs":
            continue
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
            raise InputError(f"{name}: expected a whole number from 1 (got {value!r:.60})")
    if mode not in ("full", "quick"):
        raise InputError(f"mode: expected 'full' or 'quick' (got {mode!r:.60})")


def replicate(
    task: Callable[..., T],
    seed_list: Sequence[np.random.SeedSequence],
    jobs: int = 1,
    **kwargs: Any,
) -> list[T]:
    """Run ``task(seed, **kwargs)`` for every seed, in ``jobs`` worker processes.

    Each replication draws only from its own seed, so the results (returned in seed
    order) do not depend on ``jobs``.

    Parameters
    ----------
    task : callable
        A module-level function (it is sent to worker processes by name).
    seed_list : sequence of numpy.random.SeedSequence
    jobs : int
        Worker processes; 1 runs in this process.
    **kwargs
        Passed to every call.

    Returns
    -------
    list
    """
    call = partial(task, **kwargs)
    if jobs <= 1 or len(seed_list) <= 1:
        return [call(seed) for seed in seed_list]
    pool = ProcessPoolExecutor(max_workers=min(jobs, len(seed_list)))
    with _ctrl_c_ignored():  # the workers start as the replications are submitted
        futures = [pool.submit(call, seed) for seed in seed_list]
    try:
        return [future.result() for future in futures]
    except BaseException:  # a stop, or a replication's error: end the others at once
        for future in futures:
            future.cancel()
        for process in list(pool._processes.values()):  # Python 3.14: terminate_workers()
            process.terminate()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


@contextmanager
def _ctrl_c_ignored() -> Iterator[None]:
    """Ignore Ctrl-C while worker processes start, so that they ignore it for good.

    A Ctrl-C at a terminal reaches every process of the command: the workers died with
    tracebacks, and the pool could wait for ever on one that had died. This process
    stops, and ends them. Off the main thread, where signals cannot be set, nothing is
    changed.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def minimal_scenario(name: str, customers: int, days: int, **changes: Any) -> Scenario:
    """Build a one-brand scenario without media, influencers or campaign (reduced models).

    Parameters
    ----------
    name : str
    customers, days : int
    **changes
        Scenario fields by dotted path (as in :func:`ecosim.load_scenario`).

    Returns
    -------
    Scenario
    """
    data = {
        "name": name,
        "days": days,
        "population": {"size": customers},
        "network": {"kind": "complete"},
        "brands": [{"name": "brand", "price": 100.0}],
    }
    return validate_scenario(apply_overrides(data, changes), source=f"validation case {name!r}")


def run_seeded(seed: np.random.SeedSequence, scenario: Scenario) -> pd.DataFrame:
    """Run a scenario with a replication seed; return its daily outcomes."""
    return run(scenario, seed=np.random.default_rng(seed))


def daily_column(seed: np.random.SeedSequence, scenario: Scenario, column: str) -> np.ndarray:
    """Run a scenario with a replication seed; return one outcome column, day 0 first."""
    return run_seeded(seed, scenario)[column].to_numpy()


def daily_curves(
    case: str, scenario: Scenario, replications: int, column: str, jobs: int = 1
) -> np.ndarray:
    """Run a case's replications of a scenario; return one outcome per replication and day.

    Parameters
    ----------
    case : str
        The case whose seeds to use (:func:`seeds`).
    scenario : Scenario
    replications : int
    column : str
        An outcome column, e.g. ``adopted_share``.
    jobs : int
        Worker processes.

    Returns
    -------
    ndarray, shape (replications, days + 1)
    """
    runs = replicate(
        daily_column, seeds(case, replications), jobs, scenario=scenario, column=column
    )
    return np.vstack(runs)


def confidence_bounds(values: Sequence[float], confidence: float = 0.95) -> tuple[float, float]:
    """One-sided lower and upper Student-t confidence bounds of a mean.

    Parameters
    ----------
    values : sequence of float
        Independent replications.
    confidence : float

    Returns
    -------
    lower, upper : float
        ``mean -/+ t_{confidence, n-1} * sd / sqrt(n)``.

    Examples
    --------
    >>> lower, upper = confidence_bounds([1.0, 2.0, 3.0])
    >>> round(lower, 3), round(upper, 3)
    (0.314, 3.686)
    """
    x = np.asarray(values, dtype=float)
    half = stats.t.ppf(confidence, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x))
    return float(x.mean() - half), float(x.mean() + half)
