"""The Compare page's logic: what to run, and a session's comparison running in the background.

A strategist picks an experiment file (``experiments/*.toml``), two to four of its
strategies, a number of replications and a market small enough to run in about a minute.
The comparison is a *reduced* experiment (:func:`reduced_experiment`): the chosen
strategies, on the base scenario alone (the experiment's market conditions are not varied),
with the chosen replications, customers and days, built by
:func:`ecosim.experiment.load_experiment` with overrides so that it is validated like the
file. Its seed is the experiment's, so replication *r* of every strategy uses the same
seed (common random numbers) as in ``ecosim batch``.

A :class:`CompareSession` per browser session holds the choices, the background run and
its results, so they outlive a switch to another page of the app. The runs go through
:func:`ecosim.experiment.run_experiment`, the runner of ``ecosim batch`` (in-process, one
run after another), into a temporary results folder of the session;
:func:`ecosim.report.compare` reads it. The page itself is :mod:`ecosim.ui.compare`, which
re-exports these names.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import solara

from ecosim.errors import InputError
from ecosim.experiment import (
    Experiment,
    ExperimentError,
    describe_failures,
    load_experiment,
    plan_runs,
    run_experiment,
    strategy_overrides,
)
from ecosim.report import Comparison, compare
from ecosim.scenario import Scenario, apply_overrides
from ecosim.ui.compare_tables import MONEY
from ecosim.ui.scenarios import scenario_files

__all__ = [
    "CUSTOMERS",
    "DAYS",
    "DEFAULT_EXPERIMENT",
    "EDITED_PLAN",
    "MAX_STRATEGIES",
    "MIN_STRATEGIES",
    "REPLICATIONS",
    "CompareSession",
    "Request",
    "Status",
    "choice_problem",
    "comparison_baseline",
    "default_strategies",
    "experiment_folder",
    "idle_strategies",
    "reduced_experiment",
]

MIN_STRATEGIES, MAX_STRATEGIES = 2, 4
REPLICATIONS = (2, 20, 5)
"""Smallest, largest and default number of replications per strategy."""
CUSTOMERS = (100, 10_000, 2_000)
"""Smallest, largest and default number of customers."""
DAYS = (10, 365, 120)
"""Smallest, largest and default number of days."""
DEFAULT_EXPERIMENT = "strategy_comparison"
EDITED_PLAN = "edited_plan"
"""The strategy name of the campaign plan edited in the Campaign tab."""


def experiment_folder() -> Path:
    """Return the folder of experiment files: ``./experiments``, else the project's."""
    local = Path("experiments")
    return (local if local.is_dir() else Path(__file__).parents[2] / local).resolve()


# ---------------------------------------------------------------- what to run


@dataclass(frozen=True)
class Request:
    """What the strategist asked to compare.

    Attributes
    ----------
    experiment : Path
        The experiment file.
    strategies : tuple of str
        Two to four of its strategies.
    replications, customers, days : int
    plan : list of dict, optional
        A campaign plan (edited in the Campaign tab) to run as the strategy
        :data:`EDITED_PLAN` besides the chosen ones.
    """

    experiment: Path
    strategies: tuple[str, ...]
    replications: int
    customers: int
    days: int
    plan: list[dict] | None = None


def choice_problem(strategies: tuple[str, ...] | list[str]) -> str:
    """Say what is wrong with a choice of strategies, or return ``""`` if it can run.

    Examples
    --------
    >>> choice_problem(["a"])
    'Choose at least 2 strategies to compare (1 chosen).'
    >>> choice_problem(["a", "b"])
    ''
    """
    if len(strategies) < MIN_STRATEGIES:
        return f"Choose at least {MIN_STRATEGIES} strategies to compare ({len(strategies)} chosen)."
    if len(strategies) > MAX_STRATEGIES:
        return f"Choose at most {MAX_STRATEGIES} strategies to compare ({len(strategies)} chosen)."
    return ""


def default_strategies(experiment: Experiment) -> tuple[str, ...]:
    """Return the strategies chosen at first: the baseline and the next in the file."""
    others = [name for name in experiment.strategies if name != experiment.baseline]
    return (experiment.baseline, *others[: MIN_STRATEGIES - 1])


def comparison_baseline(experiment: Experiment, chosen: tuple[str, ...] | list[str]) -> str:
    """Return the strategy the chosen ones are compared with.

    The experiment's baseline if it is chosen, else the first chosen strategy in the
    file's order (the experiment's baseline when none is chosen).
    """
    if experiment.baseline in chosen:
        return experiment.baseline
    return next((name for name in experiment.strategies if name in chosen), experiment.baseline)


def idle_strategies(experiment: Experiment, chosen: tuple[str, ...], days: int) -> list[str]:
    """Return the chosen strategies that change nothing within a horizon of ``days`` days.

    Such a strategy changes only the campaign, and every action it adds or changes starts
    after the last day (``influencer_seeding`` starts on day 20: in 10-day runs it is the
    base scenario's plan). A strategy that changes nothing at all is not listed.

    Parameters
    ----------
    experiment : Experiment
    chosen : tuple of str
        Names of the chosen strategies.
    days : int
        The horizon of the runs.

    Returns
    -------
    list of str
        In the order of ``chosen``.
    """
    base = experiment.scenario
    data = base.model_dump(exclude_none=True)
    within = [action for action in base.campaign if action.start <= days]
    idle = []
    for name in chosen:
        overrides = strategy_overrides(base, experiment.strategies[name])
        changed = Scenario.model_validate(apply_overrides(data, overrides, source=name))
        if changed == base or changed.model_copy(update={"campaign": base.campaign}) != base:
            continue
        if [action for action in changed.campaign if action.start <= days] == within:
            idle.append(name)
    return idle


def reduced_experiment(request: Request) -> Experiment:
    """Build the experiment a comparison runs, validated like an experiment file.

    The chosen strategies only, on the base scenario alone (no market conditions), with
    the requested replications, customers and days. The baseline stays the experiment's
    if it is chosen; otherwise it is the first chosen strategy (:func:`comparison_baseline`).

    Parameters
    ----------
    request : Request

    Returns
    -------
    Experiment

    Raises
    ------
    ExperimentError
        If the file is not a valid experiment, a strategy is unknown, or the strategies
        do not fit the requested market.
    """
    full = load_experiment(request.experiment)
    if request.plan is not None and len(request.strategies) + 1 > MAX_STRATEGIES:
        raise ExperimentError(
            str(request.experiment),
            [("strategies", f"with {EDITED_PLAN}, choose at most {MAX_STRATEGIES - 1} others")],
        )
    unknown = [name for name in request.strategies if name not in full.strategies]
    if unknown:
        known = ", ".join(full.strategies)
        problems = [
            ("strategies", f"unknown strategy {name!r} (expected one of: {known})")
            for name in unknown
        ]
        raise ExperimentError(str(request.experiment), problems)
    chosen = [name for name in full.strategies if name in request.strategies]
    strategies = {name: full.strategies[name].model_dump() for name in chosen}
    if request.plan is not None:
        strategies[EDITED_PLAN] = {
            "description": "The campaign plan edited in the Campaign tab.",
            "set": {"campaign": request.plan},
        }
    outcomes = [*MONEY, *(name for name in full.outcomes if name not in MONEY)]
    return load_experiment(
        request.experiment,
        overrides={
            "strategies": strategies,
            "baseline": comparison_baseline(full, chosen or [EDITED_PLAN]),
            "outcomes": outcomes,
            "replications": request.replications,
            "customers": request.customers,
            "days": request.days,
            "conditions": None,
            "sensitivity": {},
        },
    )


# ---------------------------------------------------------------- the run


@dataclass(frozen=True, eq=False)
class Status:
    """Where a session's comparison stands.

    Attributes
    ----------
    phase : {"idle", "running", "finished", "cancelled", "failed"}
        ``failed``: nothing to show (an invalid experiment, an error, no finished run).
    done, planned : int
        Runs finished or failed, and runs planned.
    comparison : Comparison, optional
        The statistics, once finished.
    message : str
        What went wrong: the error when failed, the failed runs when finished.
    """

    phase: Literal["idle", "running", "finished", "cancelled", "failed"] = "idle"
    done: int = 0
    planned: int = 0
    comparison: Comparison | None = None
    message: str = ""


class _Cancelled(Exception):
    """Raised from the progress hook to stop a batch the strategist cancelled."""


class CompareSession:
    """One browser session's Compare page: the choices, the run in the background, results.

    The choices and the status are reactive values, so the page redraws when the run
    advances; they live as long as the session, not only while the page is shown. Each
    run writes into its own folder under a temporary folder of the session, removed by
    :meth:`close`.

    Parameters
    ----------
    experiments : Path, optional
        The folder of experiment files (default: :func:`experiment_folder`).
    """

    def __init__(self, experiments: Path | None = None):
        self.experiments = experiments or experiment_folder()
        self.files = scenario_files(self.experiments)
        first = (
            DEFAULT_EXPERIMENT if DEFAULT_EXPERIMENT in self.files else next(iter(self.files), "")
        )
        self.experiment = solara.reactive(first)
        self.strategies: solara.Reactive[tuple[str, ...] | None] = solara.reactive(None)
        self.replications = solara.reactive(REPLICATIONS[2])
        self.customers = solara.reactive(CUSTOMERS[2])
        self.days = solara.reactive(DAYS[2])
        self.outcome: solara.Reactive[str | None] = solara.reactive(None)
        self.status = solara.reactive(Status())
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._folder: Path | None = None
        self._closed = False

    @property
    def running(self) -> bool:
        """Whether a comparison is running."""
        return self.status.value.phase == "running"

    def pick(self, name: str) -> None:
        """Use another experiment file; its default strategies are chosen."""
        self.experiment.set(name)
        self.strategies.set(None)
        self.outcome.set(None)

    def start(self, request: Request) -> None:
        """Run a comparison in a background thread (nothing happens while one runs).

        The results of the previous comparison are removed from disk (the page keeps
        showing them until the new one has finished).
        """
        if self.running:
            return
        self.wait()  # the thread of the previous comparison may still be ending
        with self._lock:
            if self._closed:
                return
            if self._folder is None:
                self._folder = Path(tempfile.mkdtemp(prefix="ecosim-compare-"))
            for previous in self._folder.iterdir():
                shutil.rmtree(previous, ignore_errors=True)
            out = Path(tempfile.mkdtemp(prefix="run-", dir=self._folder))
            self._stop = threading.Event()
            thread = threading.Thread(
                target=self._work, args=(request, out, self._stop), daemon=True
            )
            self._thread = thread
        self.status.set(Status("running"))
        thread.start()

    def cancel(self) -> None:
        """Stop the running comparison after the run under way."""
        self._stop.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the running comparison to end; return whether none is running."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        return self._thread is None

    def close(self) -> None:
        """Stop any run and remove the session's results (at the end of the session)."""
        with self._lock:
            self._closed = True
            self._stop.set()
            if self._thread is None:
                self._remove()

    def _work(self, request: Request, out: Path, stop: threading.Event) -> None:
        """Run the comparison, show how it ended, then let the next one start."""
        try:
            self._show(self._compare(request, out, stop))  # not under the lock: it redraws
        finally:
            with self._lock:
                self._thread = None
                if self._closed:
                    self._remove()

    def _compare(self, request: Request, out: Path, stop: threading.Event) -> Status:
        def advance(done: int, planned: int) -> None:
            if stop.is_set():
                raise _Cancelled
            self._show(Status("running", done, planned))

        try:
            experiment = reduced_experiment(request)
            planned = len(plan_runs(experiment))
            self._show(Status("running", 0, planned))
            batch = run_experiment(experiment, out, serial=True, progress=False, on_run=advance)
            failures = describe_failures(out) if batch.failed else ""
            message = f"{batch.failed} of {planned} runs failed:\n{failures}" if failures else ""
            return Status("finished", planned, planned, compare(out), message)
        except _Cancelled:
            return Status("cancelled", self.status.value.done, self.status.value.planned)
        except InputError as error:
            return Status("failed", message=str(error))
        except Exception as error:  # the page reports any error instead of dying with it
            return Status("failed", message=f"{type(error).__name__}: {error}")

    def _show(self, status: Status) -> None:
        if not self._closed:
            self.status.set(status)

    def _remove(self) -> None:
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None
