"""The runners: every run of an experiment, in this process or on Dask, written at once.

:func:`run_experiment` runs every (strategy, condition, replication) on Dask (or
in-process) and writes each run as soon as it finishes
(:class:`ecosim.store.ResultStore`); rerunning it skips the runs already on disk.
:func:`run_sensitivity` runs a Morris or Sobol design the same way and computes the
indices. :func:`open_runner` gives the same cluster (or this process) to a caller that
decides its runs as it goes, such as an optimisation: :meth:`Runner.summaries` runs a
list of :class:`Job` and returns their summaries.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import numbers
import os
import signal
import sys
import threading
import time
import traceback
import warnings
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from multiprocessing import forkserver
from pathlib import Path
from typing import Any, Literal

import dask
import numpy as np
import pandas as pd
from dask.distributed import Client, LocalCluster, WorkerPlugin, as_completed
from distributed.utils import get_mp_context
from tqdm.auto import tqdm

from ecosim.analysis import morris_indices, sobol_indices
from ecosim.errors import InputError, as_path, stop_if_signalled, without_input_warnings
from ecosim.experiment.plan import (
    Run,
    SensitivityDesign,
    plan_runs,
    refused_conditions,
    sensitivity_design,
)
from ecosim.experiment.record import Record, claim, refuse_replanned, refuse_resized
from ecosim.experiment.schema import Experiment, ExperimentError, strategy_warnings, summary_row
from ecosim.market import Market
from ecosim.memory import check_memory
from ecosim.model import EcosystemModel, resolve_scenario
from ecosim.scenario import Scenario
from ecosim.store import ResultStore, output_folder, refuse_foreign_files

__all__ = [
    "BatchResult",
    "Job",
    "Runner",
    "SensitivityResult",
    "adoption_days",
    "dask_client",
    "open_runner",
    "run_experiment",
    "run_sensitivity",
    "simulate",
    "summarise",
]

WORKERS_PER_CORE = 4
"""The most local worker processes a command starts per core: a run is single-threaded and
uses its core in full, so more than one per core only shares the cores and adds memory (a
process each); four leaves room for runs that wait on input or output."""


def check_local_processes(count: int, option: str) -> None:
    """Refuse a count of worker processes that is not a whole number from 1 to the most.

    The most is :data:`WORKERS_PER_CORE` per core of this machine.

    Raises
    ------
    InputError
        Naming ``option`` (``--workers``, ``--jobs``), what was given and what is taken.
    """
    most = WORKERS_PER_CORE * (os.cpu_count() or 1)
    if isinstance(count, bool) or not isinstance(count, numbers.Integral) or count < 1:
        raise InputError(
            option,
            [(f"{count!r:.60}", f"expected a whole number of worker processes from 1 to {most}")],
        )
    if count > most:
        raise InputError(
            option,
            [
                (
                    f"{count:,}",
                    f"more worker processes than {most} ({WORKERS_PER_CORE} per core of this "
                    f"machine; each is a process with its own memory): expected at most {most}",
                )
            ],
        )


CONNECT_TIMEOUT = "10s"
"""How long to wait for a running scheduler (``--scheduler``) to answer."""

WORKER_ENVIRONMENT = {"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}
"""The local cluster's workers keep glibc's own memory trimming. Dask sets
``MALLOC_TRIM_THRESHOLD_=65536`` in its workers, which hands freed memory back to the
system at once: a simulation's daily temporaries then page-fault afresh every day (a
hundred times the page faults of a plain process, a third more CPU time per run;
``benchmarks/RESULTS.md``, "Batch engine overhead")."""

QUIET_CHECKS = {
    "distributed.admin.tick.interval": "1s",
    "distributed.worker.memory.monitor-interval": "1s",
}
"""How often, without the dashboard, the local cluster's processes check their event loop
and their memory (Dask: every 20 ms and every 100 ms). Each check needs the worker's
interpreter lock, which the simulation holds: an idle two-worker cluster spent 39 ms of
CPU a second in this process and 21 ms in each worker (2 % of a worker's core), against
11 ms and 4 ms with these intervals (``benchmarks/RESULTS.md``, "Batch engine overhead").
A blocked event loop is still reported after three seconds (``distributed.admin.tick.limit``)
and a worker's memory still checked every second; a simulation allocates its arrays when it
starts, once :func:`ecosim.memory.check_memory` has found room for them."""


def simulate(
    scenario: Scenario, overrides: dict[str, Any], seed: int
) -> tuple[pd.DataFrame, dict[str, float | None], np.ndarray]:
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
        The daily outcomes, every one of them whatever the engine (so that the runs of
        an experiment have the same columns).
    summary : dict
        :func:`summary_row` of the run.
    adoption : numpy.ndarray of float
        Each customer's day of adoption, the first purchase of any brand (NaN: never),
        in customer order: :func:`adoption_days`.
    """
    model = EcosystemModel(scenario, rng=seed, overrides=overrides, outcomes="all")
    daily = model.run()
    return daily, summary_row(model.summary()), adoption_days(model)


@dataclass(frozen=True)
class Job:
    """One simulation to run: a scenario, changes to it by dotted path, and a seed."""

    scenario: Scenario
    overrides: dict[str, Any]
    seed: int


def summarise(job: Job) -> dict[str, float | None]:
    """Run one job and return its summary (:func:`summary_row`); what a worker calls."""
    model = EcosystemModel(job.scenario, rng=job.seed, overrides=job.overrides, outcomes="all")
    model.run()
    return summary_row(model.summary())


class Runner:
    """Runs lists of jobs in this process or on a Dask cluster (see :func:`open_runner`).

    Parameters
    ----------
    client : dask.distributed.Client, optional
        Without a client, jobs run here, one after another.
    retries : int
        How many times a job that raises is tried again before the error is raised.
    """

    def __init__(self, client: Client | None = None, retries: int = 2):
        self.client = client
        self.retries = retries

    def summaries(
        self,
        jobs: list[Job],
        on_summary: Callable[[int, dict[str, float | None]], None] | None = None,
    ) -> list[dict[str, float | None]]:
        """Run ``jobs`` and return their summaries, in the order of ``jobs``.

        Parameters
        ----------
        jobs : list of Job
        on_summary : callable, optional
            Called as ``on_summary(i, summary)`` with each job's summary as it is had, in
            the order of ``jobs``, so that a caller can keep the runs an interruption would
            otherwise lose.

        Raises
        ------
        Exception
            The error of a job that failed after its retries.
        """
        kept = on_summary or (lambda i, summary: None)
        if self.client is None:
            return [_checked(_kept(i, self._serially(job), kept)) for i, job in enumerate(jobs)]
        _warn_here((job.scenario, job.overrides, None) for job in jobs)
        futures = self.client.map(_summarise_quietly, jobs, pure=False, retries=self.retries)
        try:
            # One at a time: an interrupted gather of all leaves a waiting task per
            # unfinished run, each printing a traceback as the cluster closes.
            return [_checked(_kept(i, future.result(), kept)) for i, future in enumerate(futures)]
        finally:
            for future in futures:
                future.release()

    def _serially(self, job: Job) -> dict[str, float | None]:
        for _ in range(self.retries):
            try:
                return summarise(job)
            except Exception:  # tried again; the last attempt's error is raised
                continue
        return summarise(job)


def _kept(
    i: int,
    summary: dict[str, float | None],
    keep: Callable[[int, dict[str, float | None]], None],
) -> dict[str, float | None]:
    keep(i, summary)
    return summary


def _checked(summary: dict[str, float | None]) -> dict[str, float | None]:
    """Return a job's summary, unless SIGTERM arrived meanwhile (:func:`stop_if_signalled`)."""
    stop_if_signalled()
    return summary


@contextmanager
def open_runner(
    workers: int | None = None,
    scheduler: str | None = None,
    serial: bool = False,
    dashboard: bool = False,
    *,
    retries: int = 2,
) -> Iterator[Runner]:
    """Start (or attach to) the cluster ``ecosim batch`` uses, and yield a :class:`Runner`.

    Parameters
    ----------
    workers, scheduler, serial, dashboard
        As in :func:`run_experiment`.
    retries : int
        As in :class:`Runner`.

    Yields
    ------
    Runner

    Raises
    ------
    InputError
        If the arguments cannot be used (:func:`check_where`, and ``retries`` that is no
        whole number from 0), before any cluster starts.
    """
    check_where(workers, scheduler, serial, dashboard)
    _check_retries(retries)
    if serial:
        yield Runner(None, retries)
        return
    with dask_client(workers, scheduler, dashboard) as client:
        yield Runner(client, retries)


def adoption_days(model: Market) -> np.ndarray:
    """Return each customer's day of first purchase of any brand (NaN: never bought).

    Parameters
    ----------
    model : Market
        A model of either engine, after its run.

    Returns
    -------
    numpy.ndarray of float, shape (customers,)
        Day 0 is the initial state (seeded adopters of a reduced model).
    """
    population = model.population
    bought = population.purchases > 0
    first = np.where(bought, population.first_purchase, np.iinfo(np.int32).max).min(axis=1)
    return np.where(bought.any(axis=1), first, np.nan)


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
    dashboard: bool = False,
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
    dashboard : bool
        Serve Dask's dashboard from the embedded cluster, on http://127.0.0.1:8787 (or
        another free port); without it nothing of the cluster serves HTTP.

    Returns
    -------
    BatchResult

    Raises
    ------
    InputError
        If an argument cannot be used (:func:`check_runner_arguments`), before anything runs.
    ExperimentError
        If ``out`` holds a different experiment, or the scenario refuses a condition's
        values with a strategy (:func:`~ecosim.experiment.plan.refused_conditions`): its
        runs would all fail.
    ecosim.store.StoreError
        If another process is writing ``out``.
    """
    where = _Where(workers, scheduler, serial, dashboard)
    out = _arguments(experiment, out, where, retries, progress, on_run)
    refused = refused_conditions(experiment)
    if refused:
        raise ExperimentError(f"experiment {experiment.name!r}", refused)
    record = Record("batch", None, experiment)
    return _execute(record, plan_runs(experiment), out, where, retries, progress, on_run)


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
        per outcome defined at every design point (empty if none is); None while some
        runs are missing (failed).
    undefined : dict of str to int
        Each outcome undefined in a run (``roi`` without marketing cost, for one) and the
        number of design points where it is: an index needs every point, so these
        outcomes have none.
    constant : dict of str to float
        Each outcome that took one value at every design point, and that value: no
        parameter changed it within its range, and its indices would be 0 over 0, so it
        has none.
    """

    design: SensitivityDesign
    batch: BatchResult
    means: pd.DataFrame
    indices: pd.DataFrame | None
    undefined: dict[str, int] = field(default_factory=dict)
    constant: dict[str, float] = field(default_factory=dict)


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
    dashboard: bool = False,
) -> SensitivityResult:
    """Run a Morris or Sobol design (resumable, like a batch) and compute the indices.

    Parameters
    ----------
    experiment : Experiment
    out : str or Path
        The results folder.
    method : {"morris", "sobol"}
    workers, scheduler, serial, retries, progress, dashboard
        As in :func:`run_experiment`.

    Returns
    -------
    SensitivityResult

    Raises
    ------
    InputError
        If an argument cannot be used (:func:`check_runner_arguments`), before anything runs.
    """
    where = _Where(workers, scheduler, serial, dashboard)
    out = _arguments(experiment, out, where, retries, progress)
    design = sensitivity_design(experiment, method)
    record = Record("sensitivity", method, experiment)
    batch = _execute(record, design.runs, out, where, retries, progress)
    results = ResultStore(out).results()
    names = design.problem["names"]
    means = (
        results.groupby("condition")[[*names, *design.outcomes]].mean().reset_index()
        if len(results)
        else pd.DataFrame()
    )
    indices, undefined, constant = None, {}, {}
    if batch.failed == 0 and len(results) == len(design.runs):
        points = results[design.outcomes].isna().groupby(results["condition"]).any().sum()
        undefined = {outcome: int(n) for outcome, n in points.items() if n}
        constant = {
            outcome: float(means[outcome].iloc[0])
            for outcome in design.outcomes
            if outcome not in undefined and (means[outcome] == means[outcome].iloc[0]).all()
        }
        frames = []
        for outcome in (x for x in design.outcomes if x not in undefined and x not in constant):
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
        indices = (
            pd.concat(frames, ignore_index=True)
            if frames
            else pd.DataFrame(columns=["outcome", "parameter"])
        )
        indices = indices[["outcome", *indices.columns.drop("outcome")]]
    return SensitivityResult(design, batch, means, indices, undefined, constant)


def _arguments(
    experiment: Experiment,
    out: str | Path,
    where: _Where,
    retries: int,
    progress: bool | None,
    on_run: Callable[[int, int], None] | None = None,
) -> Path:
    """Refuse an experiment runner's arguments before anything runs; return the folder.

    What :func:`check_runner_arguments` refuses, and ``retries``, ``progress`` or
    ``on_run`` of the wrong kind (``on_run=5`` failed after the first run).
    """
    path = check_runner_arguments(
        experiment,
        Experiment,
        "ecosim.experiment.load_experiment",
        out,
        where.workers,
        where.scheduler,
        where.serial,
        where.dashboard,
    )
    _check_retries(retries)
    if progress is not None and not isinstance(progress, bool):
        raise InputError(
            f"progress: expected True, False or None (by default: on a terminal), got "
            f"{progress!r:.60}"
        )
    if on_run is not None and not callable(on_run):
        raise InputError(
            "on_run: expected a function, called as on_run(done, planned) after each run, or "
            f"None, got {type(on_run).__name__}"
        )
    return path


def check_runner_arguments(
    loaded: object,
    kind: type,
    loader: str,
    out: str | Path,
    workers: int | None,
    scheduler: str | None,
    serial: bool,
    dashboard: bool,
    *,
    files: tuple[str, ...] = (),
    inputs: Callable[[Any], tuple[str | Path | None, ...]] | None = None,
) -> Path:
    """Refuse the input, folder or place to run of a function that runs simulations.

    Checked by :func:`run_experiment`, :func:`run_sensitivity`,
    :func:`ecosim.calibrate.calibrate` and :func:`ecosim.optimize.optimise` before any work
    (no folder is created, no cluster started), each problem named by its argument as the
    command line names its option.

    Parameters
    ----------
    loaded : object
        The function's input, named after ``kind`` (``experiment``, ``calibration``).
    kind : type
        What ``loaded`` must be (:class:`Experiment`, ``Calibration``).
    loader : str
        The function that reads a ``kind`` from its file, for the message.
    out : str or Path
        The results folder.
    workers, scheduler, serial, dashboard
        As in :func:`run_experiment`.
    files : tuple of str
        The files the function writes into ``out``.
    inputs : callable, optional
        Returns the files ``loaded`` reads, none of which may be one of ``files``
        (:func:`ecosim.store.output_folder`).

    Returns
    -------
    Path
        ``out``.

    Raises
    ------
    InputError
        If ``loaded`` is no ``kind``, ``out`` is no path, ``serial`` or ``dashboard`` is
        not True or False, more than one of ``workers``, ``scheduler`` and ``serial`` is
        given, ``workers`` is not a whole number from 1 to
        :data:`WORKERS_PER_CORE` per core, no scheduler answers at ``scheduler`` (asked
        here, before the function writes anything), or ``out`` is (or is in) a file or no
        folder can be created there (:func:`ecosim.store.output_folder`; an existing folder
        is read even if it cannot be written).
    """
    if not isinstance(loaded, kind):
        article = "an" if kind.__name__[0] in "AEIOU" else "a"
        raise InputError(
            f"{kind.__name__.lower()}: expected {article} {kind.__name__} ({loader}(path) reads "
            f"one from its file), got {type(loaded).__name__}"
        )
    path = as_path(out, "out")
    check_where(workers, scheduler, serial, dashboard)
    if scheduler is not None:  # asked now, so that nothing is written before it answers
        with dask_client(None, scheduler):
            pass
    read = () if inputs is None else inputs(loaded)
    output_folder(path, files, name="out", readable=True, inputs=read)
    return path


def _check_retries(retries: int) -> None:
    if isinstance(retries, bool) or not isinstance(retries, numbers.Integral) or retries < 0:
        raise InputError(f"retries: expected a whole number from 0 (got {retries!r:.60})")


def check_where(
    workers: int | None,
    scheduler: str | None,
    serial: bool,
    dashboard: bool = False,
    *,
    prefix: str = "",
) -> None:
    """Refuse the arguments that say where simulations run, named as arguments.

    Parameters
    ----------
    workers, scheduler, serial, dashboard
        As in :func:`run_experiment`.
    prefix : str
        Written before each argument's name: ``"--"`` names them as the command line's
        options.

    Raises
    ------
    InputError
        If ``serial`` or ``dashboard`` is not True or False, more than one of ``workers``,
        ``scheduler`` and ``serial`` is given, ``dashboard`` with ``serial`` or
        ``scheduler`` (the dashboard is the local cluster's), ``workers`` is not a whole
        number from 1 to :data:`WORKERS_PER_CORE` per core, or ``scheduler`` is no address.
    """
    for name, value in (("serial", serial), ("dashboard", dashboard)):
        if not isinstance(value, bool):
            raise InputError(f"{name}: expected True or False, got {value!r:.60}")
    given = {"workers": workers is not None, "scheduler": scheduler is not None, "serial": serial}
    if sum(map(bool, given.values())) > 1:
        raise InputError(
            f"{' and '.join(prefix + name for name, on in given.items() if on)}: cannot go "
            "together (expected one of them: workers for a local Dask cluster, scheduler for "
            "a running one, or serial=True for this process, without Dask)"
        )
    if dashboard and (serial or scheduler is not None):
        other = "serial" if serial else "scheduler"
        raise InputError(
            f"{prefix}dashboard and {prefix}{other}: cannot go together (the "
            "dashboard is the local Dask cluster's; "
            + (
                "serial runs start none)"
                if serial
                else "a running scheduler serves its own, at the address its start printed)"
            )
        )
    if workers is not None:
        check_local_processes(workers, f"{prefix}workers")
    if scheduler is not None and not (isinstance(scheduler, str) and scheduler.strip()):
        raise InputError(
            f"{prefix}scheduler: {scheduler!r:.60} is no address (expected one such as tcp://host:8786)"
        )


@dataclass(frozen=True)
class _Where:
    """Where the runs go: this process, a local cluster (and its dashboard), or a scheduler."""

    workers: int | None
    scheduler: str | None
    serial: bool
    dashboard: bool


def _execute(
    record: Record,
    runs: list[Run],
    out: str | Path,
    where: _Where,
    retries: int,
    progress: bool | None,
    on_run: Callable[[int, int], None] | None = None,
) -> BatchResult:
    started = time.perf_counter()
    if not where.scheduler and any("population.size" not in run.overrides for run in runs):
        check_memory(record.experiment.scenario)
    store = ResultStore(out)
    written = (ResultStore.RESULTS, ResultStore.FAILED, store.runs.name)
    refuse_foreign_files(store.directory, written, ResultStore.RECORD)  # a user's own files
    with store.writing():
        claim(store, record)
        store.refuse_foreign({run.run_id for run in runs}, record.experiment.name)
        done = store.rows()
        refuse_replanned(store, runs, done)
        refuse_resized(store, runs, done, record.experiment.scenario)
        todo = [run for run in runs if run.run_id not in done]
        tally = _Tally(
            store, len(runs), len(runs) - len(todo), record.experiment.name, progress, on_run
        )
        with tally:
            if todo and where.serial:
                _run_serially(record.experiment.scenario, todo, retries, tally)
            elif todo:
                with dask_client(where.workers, where.scheduler, where.dashboard) as client:
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

    def success(
        self, run: Run, daily: pd.DataFrame, summary: dict[str, Any], adoption: np.ndarray
    ) -> None:
        self.store.add_run(run.run_id, daily, {**run.identification(), **summary}, adoption)
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
                with strategy_warnings(run.strategy, scenario):
                    daily, summary, adoption = simulate(scenario, run.overrides, run.seed)
            except Exception as error:
                if attempt > retries:
                    tally.failure(run, attempt, error)
            else:
                tally.success(run, daily, summary, adoption)
                break
        stop_if_signalled()


def _run_on_dask(
    client: Client, scenario: Scenario, runs: list[Run], retries: int, tally: _Tally
) -> None:
    attempts: dict[Any, tuple[Run, int]] = {}
    _warn_here((scenario, run.overrides, run.strategy) for run in runs)

    def submit(run: Run, attempt: int) -> Any:
        future = client.submit(_simulate_quietly, scenario, run.overrides, run.seed, pure=False)
        attempts[future] = (run, attempt)
        return future

    queue = as_completed([submit(run, 1) for run in runs])
    for future in queue:
        run, attempt = attempts.pop(future)
        try:
            daily, summary, adoption = future.result()
        except Exception as error:
            if attempt > retries:
                tally.failure(run, attempt, error)
            else:
                queue.add(submit(run, attempt + 1))
        else:
            tally.success(run, daily, summary, adoption)
        future.release()
        stop_if_signalled()


def _warn_here(scenarios: Iterable[tuple[Scenario, dict[str, Any], str | None]]) -> None:
    """Give in this process the warnings about the input that runs on workers would give.

    Each (base scenario, overrides, strategy) is validated once, so that its
    :class:`~ecosim.errors.InputWarning` (a campaign action cut short by the horizon) is
    shown here, where repeated ones are left out, rather than by each worker for each run
    (:func:`_simulate_quietly`); it names the strategy
    (:func:`~ecosim.experiment.schema.strategy_warnings`). A scenario
    that cannot be used is left to its run, which fails with the error and is recorded as
    failed.
    """
    seen: set[tuple[int, str]] = set()
    for scenario, overrides, strategy in scenarios:
        key = (id(scenario), repr(overrides))
        if key not in seen:
            seen.add(key)
            with suppress(InputError), strategy_warnings(strategy, scenario):
                resolve_scenario(scenario, overrides=overrides)


def _simulate_quietly(
    scenario: Scenario, overrides: dict[str, Any], seed: int
) -> tuple[pd.DataFrame, dict[str, float | None], np.ndarray]:
    """Call :func:`simulate` on a worker, without the input warnings given already.

    See :func:`_warn_here`.
    """
    with without_input_warnings():
        return simulate(scenario, overrides, seed)


def _summarise_quietly(job: Job) -> dict[str, float | None]:
    """Call :func:`summarise` on a worker, without the input warnings given already."""
    with without_input_warnings():
        return summarise(job)


@contextmanager
def dask_client(
    workers: int | None,
    scheduler: str | None,
    dashboard: bool = False,
    imports: Iterable[str] = (),
) -> Iterator[Client]:
    """Connect to ``scheduler``, or start a quiet local cluster of single-threaded processes.

    The local cluster's workers ignore Ctrl-C, so that only this process is interrupted, at
    any moment, and it stops them in order (:func:`_forked_workers`); an interrupt while the
    cluster starts stops it once it is up (:func:`_interrupts_after`); the workers' logs are
    silenced as it stops (:func:`_quiet_while_stopping`). Without ``dashboard``
    nothing of it serves HTTP: Dask always starts a web server in the scheduler and in each
    worker (status pages, logs, call stacks, metrics), so their routes are emptied and the
    servers stopped as soon as the cluster is up (and in every worker that starts later),
    leaving only the cluster's own connections, on 127.0.0.1. The workers' statistical
    profiler is off too: it samples the running task's stack every 10 ms for the dashboard,
    and slows the simulations (``benchmarks/batch_vs_mesa.py``). So are the frequent health
    checks that feed the dashboard (:data:`QUIET_CHECKS`). With ``dashboard`` the scheduler
    serves Dask's dashboard on http://127.0.0.1:8787 (another free port if that one is
    taken), and its address is printed on standard error. Each worker freezes its garbage
    collector's objects once ecosim is imported (:class:`_WorkerSetup`), so that the cluster
    stops in a tenth of the time. The workers start with ecosim imported, and the modules
    named in ``imports`` (those the command's tasks need besides), by the fork server.

    Raises
    ------
    InputError
        If no scheduler answers at ``scheduler``, or ``workers`` is more than
        :data:`WORKERS_PER_CORE` per core of this machine.
    """
    if not scheduler and workers is not None:
        check_local_processes(workers, "workers")
    if scheduler:
        try:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT)
        except (OSError, ValueError, TypeError) as error:
            raise InputError(
                "--scheduler",
                [(scheduler, f"no Dask scheduler answers at this address ({error})")],
            ) from None
        with client:
            yield client
        return
    quiet = {
        "distributed.worker.profile.enabled": False,
        "distributed.scheduler.http.routes": [],
        "distributed.worker.http.routes": [],
        **QUIET_CHECKS,
    }
    with (
        dask.config.set(WORKER_ENVIRONMENT),
        dask.config.set(_forked_workers(imports)),
        ExitStack() as stack,
    ):
        stack.callback(_logging_back, logging.root.manager.disable)  # last, once all is closed
        with _interrupts_after(), warnings.catch_warnings():
            warnings.filterwarnings(
                "ignore", message="Port .* is already in use", category=UserWarning
            )
            with dask.config.set({} if dashboard else quiet):
                cluster = LocalCluster(
                    n_workers=workers or os.cpu_count() or 1,
                    threads_per_worker=1,
                    processes=True,
                    host="127.0.0.1",
                    dashboard_address="127.0.0.1:8787" if dashboard else None,
                    silence_logs=logging.ERROR,
                )
            stack.enter_context(cluster)
            client = stack.enter_context(Client(cluster))
            stack.callback(_quiet_while_stopping, client)
            if dashboard:  # on another port if 8787 was taken: say which
                print(f"ecosim: Dask's dashboard: {client.dashboard_link}", file=sys.stderr)
            else:
                client.run_on_scheduler(_stop_http)
            client.register_plugin(_WorkerSetup(stop_http=not dashboard), name="ecosim-worker")
        yield client


def _stop_http(dask_scheduler: Any) -> None:
    dask_scheduler.http_server.stop()


class _WorkerSetup(WorkerPlugin):
    """Prepares each worker of the local cluster as it starts (see :func:`dask_client`).

    Unpickling this plugin imports ecosim in the worker; its objects then live as long
    as the worker, so they are moved out of the garbage collector's reach
    (:func:`gc.freeze`), and a worker's interpreter no longer collects them one by one
    when it exits: stopping a two-worker cluster takes 0.6 s otherwise, 4 % of a batch of
    32 runs on two cores (``benchmarks/batch_overhead.py``). A run's own cost is unchanged
    (the collector does next to nothing during a run).
    """

    def __init__(self, stop_http: bool) -> None:
        self.stop_http = stop_http

    def setup(self, worker: Any) -> None:
        """Stop the worker's HTTP server if asked, keep input errors out of its log, freeze."""
        if self.stop_http:
            worker.http_server.stop()
        logging.getLogger("distributed.worker").addFilter(_not_an_input_error)
        gc.freeze()


def _not_an_input_error(record: logging.LogRecord) -> bool:
    """Whether a worker's log record is anything but a task failing with an ecosim input error.

    A task of ``ecosim calibrate`` raises :class:`~ecosim.errors.InputError` when its values
    cannot be simulated (an outcome undefined in a period); the command reports it,
    naming the file and values, and stops. Dask's worker would also log it as "Compute
    Failed" with the exception's repr and a traceback. Other failures are logged as before.
    """
    if not (isinstance(record.msg, str) and record.msg.startswith("Compute Failed")):
        return True
    names = tuple(f"{kind.__name__}(" for kind in _subclasses(InputError))
    return not any(isinstance(arg, str) and arg.startswith(names) for arg in record.args or ())


def _subclasses(kind: type) -> list[type]:
    """Return ``kind`` and every class derived from it, however indirectly."""
    return [kind, *(sub for child in kind.__subclasses__() for sub in _subclasses(child))]


def _quiet_while_stopping(client: Client) -> None:
    """Silence the workers' logs, and this process's, before the local cluster stops.

    The scheduler closes once it has told the workers to; a worker whose heartbeat was on
    its way then logs "Failed to communicate with scheduler" with a traceback, which is
    not an error of the batch. The scheduler, in this process, logs the connections it
    finds closed while runs were still going out (after Ctrl-C) as critical errors with
    their tracebacks. Whatever either had to say was said while they worked; this
    process's logging is given back once the cluster is closed (:func:`_logging_back`).
    """
    with suppress(Exception):
        client.run(logging.disable, logging.ERROR)
    logging.disable(logging.CRITICAL)


def _logging_back(level: int) -> None:
    """Give this process's logging back as it was before the cluster stopped."""
    logging.disable(level)


@contextmanager
def _interrupts_after() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM while the block runs, then act on them as usual.

    The local cluster starts in a few seconds of Dask's own threads and processes; an
    interrupt in the middle would leave a cluster half started, which Dask then fails
    to close (tracebacks at exit). Held until the cluster is up, the interrupt then
    stops it in order. A second one acts at once, so that a start that hangs can still
    be stopped. Outside the main thread signals are not this thread's to handle.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held: list[int] = []

    def restore() -> None:
        for sig, handler in previous.items():
            signal.signal(sig, handler)

    def hold(sig: int, _frame: Any) -> None:
        if held:
            held.clear()
            restore()
            signal.raise_signal(sig)
        else:
            held.append(sig)

    previous = {sig: signal.signal(sig, hold) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        restore()
        for sig in held:
            signal.raise_signal(sig)


FORK_SERVER_IMPORTS = ("distributed", "ecosim.experiment.runner")
"""What the fork server imports before it forks any worker (:func:`_forked_workers`): a
worker starts with ecosim and its libraries imported (2.6 s of CPU in each worker of every
cluster otherwise)."""


def _forked_workers(imports: Iterable[str] = ()) -> dict[str, str]:
    """Have the local cluster's workers forked by a server that ignores Ctrl-C.

    A Ctrl-C at a terminal reaches every process of the command, the workers too; only
    this process should stop, and stop them in order. The workers are therefore forked
    by multiprocessing's fork server, started here with Ctrl-C ignored (its children
    inherit that) and with the workers' environment (Dask's ``pre-spawn-environ``); this
    process keeps its own Ctrl-C throughout, even while the cluster starts, but for the
    hundredth of a second in which the fork server starts (once per process). Returns the
    Dask setting that selects the fork server, or nothing where there is none (Windows)
    or where signals cannot be set (not the main thread): there, as in Dask, workers are
    spawned. The fork server imports :data:`FORK_SERVER_IMPORTS` and ``imports`` once,
    when it starts, so its workers do not (later clusters of the process share the server,
    and the imports of the first). It imports them from this process's search path, not
    from its own working directory: an ecosim there (another checkout) is not this one. A
    module that fails to import there with anything but an ImportError stops the server,
    and the cluster does not start.
    """
    if (
        "forkserver" not in multiprocessing.get_all_start_methods()
        or threading.current_thread() is not threading.main_thread()
    ):
        return {}
    setting = {"distributed.worker.multiprocessing-method": "forkserver"}
    with dask.config.set(setting):
        get_mp_context().set_forkserver_preload([*FORK_SERVER_IMPORTS, *imports])
    environment = dask.config.get("distributed.nanny.pre-spawn-environ")
    saved = dict(os.environ)
    os.environ.update({k: str(v) for k, v in environment.items() if v is not None})
    os.environ["PYTHONSAFEPATH"] = "1"  # no working directory first on its search path
    os.environ["PYTHONPATH"] = os.pathsep.join(os.path.abspath(path) for path in sys.path)
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        forkserver.ensure_running()
    finally:
        signal.signal(signal.SIGINT, previous)
        os.environ.clear()
        os.environ.update(saved)
    return setting
