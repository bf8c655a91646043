"""The Compare page's logic: what to run, and a session's comparison running in the background.

A strategist picks an experiment file (``experiments/*.toml``), two to four strategies (of
the experiment's, scenario files run as strategies, and the plan edited in the Campaign
tab), a number of replications and a market small enough to run in about a minute. The
comparison is a *reduced* experiment (:func:`reduced_experiment`): the chosen strategies,
on the base scenario alone (the experiment's market conditions are not varied), with the
chosen replications, customers and days, built by :func:`ecosim.experiment.load_experiment`
with overrides so that it is validated like the file. A scenario file's strategy is
``scenario = "<file>"`` as in an experiment file, named after the file
(:func:`file_strategy_names`); :func:`checked_experiment` says, file by file, why the
experiment cannot take one. The seed is the experiment's, so replication *r* of every
strategy uses the same seed (common random numbers) as in ``ecosim batch``.

A :class:`CompareSession` per browser session holds the choices, the background run and
its results, so they outlive a switch to another page of the app. The runs go through
:func:`ecosim.experiment.run_experiment`, the runner of ``ecosim batch`` (in-process, one
run after another), into a temporary results folder of the session;
:func:`ecosim.report.compare` reads it. The page itself is :mod:`ecosim.ui.compare`, which
re-exports these names.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import solara

from ecosim.errors import InputError, without_input_warnings
from ecosim.experiment import (
    Experiment,
    ExperimentError,
    Run,
    describe_failures,
    load_experiment,
    outcome_names,
    plan_runs,
    run_experiment,
    strategy_outcomes,
    strategy_overrides,
)
from ecosim.report import Comparison, compare
from ecosim.scenario import Scenario, apply_overrides
from ecosim.scenario.loading import beyond_horizon_problems
from ecosim.store import ResultStore
from ecosim.ui.compare_tables import MONEY, strategy_label
from ecosim.ui.scenarios import scenario_files
from ecosim.value import VALUE_KEYS

__all__ = [
    "CUSTOMERS",
    "DAYS",
    "DEFAULT_EXPERIMENT",
    "EDITED_PLAN",
    "MAX_STRATEGIES",
    "MIN_STRATEGIES",
    "NAME_LENGTH",
    "REPLICATIONS",
    "CompareSession",
    "Request",
    "Status",
    "brand_notes",
    "checked_experiment",
    "choice_problem",
    "comparison_baseline",
    "default_strategies",
    "experiment_folder",
    "file_strategy_names",
    "horizon_note",
    "idle_strategies",
    "reduced_experiment",
    "scenario_folder",
    "written_name",
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
NAME_LENGTH = 40
"""The longest strategy name an experiment takes (:class:`ecosim.experiment.Experiment`)."""


def experiment_folder() -> Path:
    """Return the folder of experiment files: ``./experiments``, else the project's."""
    local = Path("experiments")
    return (local if local.is_dir() else Path(__file__).parents[2] / local).resolve()


def scenario_folder() -> Path:
    """Return the folder of scenario files to offer as strategies: ``./scenarios``, else ours."""
    local = Path("scenarios")
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
        Some of its strategies (two to four strategies in all, with the others).
    replications, customers, days : int
    plan : list of dict, optional
        A campaign plan (edited in the Campaign tab) to run as the strategy
        :data:`EDITED_PLAN` besides the chosen ones.
    scenarios : dict of str to Path
        Scenario files to run as strategies besides the chosen ones, by strategy name
        (:func:`file_strategy_names`), each as ``scenario = "<file>"`` in an experiment file.
    """

    experiment: Path
    strategies: tuple[str, ...]
    replications: int
    customers: int
    days: int
    plan: list[dict] | None = None
    scenarios: dict[str, Path] = field(default_factory=dict)

    @property
    def names(self) -> tuple[str, ...]:
        """The names of all the strategies asked for: the experiment's, the files', the plan's."""
        return (*self.strategies, *self.scenarios, *[EDITED_PLAN] * (self.plan is not None))


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

    The experiment's baseline if it is chosen, else the first chosen strategy of the
    experiment in the file's order, else the first chosen (a scenario file's strategy or
    :data:`EDITED_PLAN`), else the experiment's baseline.

    Examples
    --------
    >>> experiment = load_experiment(experiment_folder() / "strategy_comparison.toml")
    >>> comparison_baseline(experiment, ["gamification", "mass_advertising"])
    'mass_advertising'
    >>> comparison_baseline(experiment, ["two_brands", EDITED_PLAN])
    'two_brands'
    """
    if experiment.baseline in chosen:
        return experiment.baseline
    first = next(iter(chosen), experiment.baseline)
    return next((name for name in experiment.strategies if name in chosen), first)


def file_strategy_names(experiment: Experiment, stems: Iterable[str]) -> dict[str, str]:
    """Name the strategy of each scenario file: after the file, unlike the experiment's.

    A strategy name is lower case letters, digits and ``_``, starting with a letter, at
    most :data:`NAME_LENGTH` characters: the file's stem is written so (other characters
    become ``_``; ``file_`` goes before a stem that does not start with a letter). A name
    the experiment (or :data:`EDITED_PLAN`, or an earlier file) already has gets ``_file``
    (then ``_file2``, ``_file3``...) at its end.

    Parameters
    ----------
    experiment : Experiment
    stems : iterable of str
        The files' stems, in the order they are named (a later file yields).

    Returns
    -------
    dict of str to str
        The strategy name by stem.

    Examples
    --------
    >>> experiment = load_experiment(experiment_folder() / "strategy_comparison.toml")
    >>> file_strategy_names(experiment, ["two_brands", "gamification"])
    {'two_brands': 'two_brands', 'gamification': 'gamification_file'}
    >>> file_strategy_names(experiment, ["Black Friday", "2024-plan"])
    {'Black Friday': 'black_friday', '2024-plan': 'file_2024_plan'}
    """
    taken = {*experiment.strategies, EDITED_PLAN}
    names = {}
    for stem in stems:
        written = written_name(stem)
        name, count = written, 1
        while name in taken:
            suffix = "_file" if count == 1 else f"_file{count}"
            name, count = written[: NAME_LENGTH - len(suffix)] + suffix, count + 1
        taken.add(name)
        names[stem] = name
    return names


def written_name(stem: str) -> str:
    """Return a file's stem written as a strategy name (before any ``_file`` it may need).

    Examples
    --------
    >>> written_name("Black Friday"), written_name("2024-plan"), written_name("gamification")
    ('black_friday', 'file_2024_plan', 'gamification')
    """
    written = re.sub(r"[^a-z0-9_]+", "_", stem.lower()).strip("_")
    if not re.match(r"[a-z]", written):
        written = f"file_{written}".rstrip("_")
    return written[:NAME_LENGTH]


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
    within = [action for action in base.campaign if action.start <= days]
    idle = []
    for name in chosen:
        changed = _strategy_scenario(experiment, name)
        if changed == base or changed.model_copy(update={"campaign": base.campaign}) != base:
            continue
        if [action for action in changed.campaign if action.start <= days] == within:
            idle.append(name)
    return idle


def horizon_note(experiment: Experiment, chosen: Iterable[str], skip: Iterable[str]) -> str | None:
    """Say which chosen strategies' campaign actions the runs' horizon leaves out or cuts short.

    Parameters
    ----------
    experiment : Experiment
        With the comparison's days.
    chosen : iterable of str
        Names of the chosen strategies.
    skip : iterable of str
        Strategies said elsewhere to do nothing within the horizon (:func:`idle_strategies`).

    Returns
    -------
    str or None
        One sentence, or None when every chosen strategy's plan fits the horizon.

    Examples
    --------
    >>> experiment = load_experiment(
    ...     experiment_folder() / "strategy_comparison.toml", {"days": 120}
    ... )
    >>> horizon_note(experiment, ["current_plan"], [])[:81]
    'In 120 days the runs leave out or cut short campaign actions: current plan 4 left'
    """
    days, parts, last, chosen = experiment.scenario.days, [], 0, list(chosen)
    for name in (name for name in chosen if name not in skip):
        scenario = _strategy_scenario(experiment, name)
        beyond, cut = beyond_horizon_problems(scenario)
        if beyond or cut:
            counts = [f"{len(beyond)} left out"] * bool(beyond) + [f"{len(cut)} cut short"] * bool(
                cut
            )
            parts.append(f"{strategy_label(name)} {' and '.join(counts)}")
            last = max(last, *(action.end for action in scenario.campaign))
    if not parts:
        return None
    advice = f"choose {last} days to compare them whole"
    if last > DAYS[1]:
        advice = (
            f"a comparison here runs at most {DAYS[1]} days; ecosim batch --days {last} runs "
            "them whole"
        )
        if EDITED_PLAN in chosen:
            advice += " (the edited plan once downloaded from the Campaign tab: a scenario file)"
    return (
        f"In {days} days the runs leave out or cut short campaign actions: {'; '.join(parts)}. "
        f"The plans run to day {last}: {advice}."
    )


def brand_notes(experiment: Experiment, chosen: Iterable[str]) -> list[str]:
    """Say which chosen strategies run brands the base scenario lacks, and what that means.

    The money outcomes of a run sum all its brands, so a scenario file that adds a
    competitor (``two_brands``) counts the competitor's revenue and costs too.

    Parameters
    ----------
    experiment : Experiment
    chosen : iterable of str
        Names of the chosen strategies.

    Returns
    -------
    list of str
        One line per strategy with brands the base scenario lacks, in the order of ``chosen``,
        each named by :func:`~ecosim.ui.compare_tables.strategy_label`.

    Examples
    --------
    >>> experiment = load_experiment(experiment_folder() / "strategy_comparison.toml")
    >>> brand_notes(experiment, ["current_plan"])
    []
    """
    base = experiment.scenario
    per_brand = [name for name in experiment.outcomes if name in VALUE_KEYS]
    notes = []
    for name in chosen:
        runs = _strategy_scenario(experiment, name).brand_names
        added = ", ".join(brand for brand in runs if brand not in base.brand_names)
        if added:
            value = (
                f" Its customer value ({', '.join(per_brand)}) is measured per brand only, "
                "so it has none here."
                if per_brand and len(runs) > 1
                else ""
            )
            notes.append(
                f"{strategy_label(name)} runs brands the base scenario ({base.name}) lacks: "
                f"{added}. Its profit, revenue, marketing cost and ROI sum all its brands, so "
                f"the revenue and costs of {added} count too.{value}"
            )
    return notes


def _strategy_scenario(experiment: Experiment, name: str) -> Scenario:
    """Return the scenario a strategy of the experiment runs (on its base scenario)."""
    base = experiment.scenario
    overrides = strategy_overrides(base, experiment.strategies[name])
    written = base.model_dump(exclude_defaults=True)
    data = apply_overrides(base.model_dump(exclude_none=True), overrides, name, written)
    return Scenario.model_validate(data)


def reduced_experiment(request: Request) -> Experiment:
    """Build the experiment a comparison runs, validated like an experiment file.

    The chosen strategies only (the experiment's in the file's order, then the scenario
    files', then :data:`EDITED_PLAN`), on the base scenario alone (no market conditions),
    with the requested replications, customers and days. A scenario file's strategy is
    ``scenario = "<file>"``, so the loader writes where the file differs from the base
    scenario's file into its ``set`` as for an experiment file (the experiment's customers
    and days hold), and takes the file's description. The baseline stays the
    experiment's if it is chosen; otherwise it is the first chosen strategy
    (:func:`comparison_baseline`).

    Parameters
    ----------
    request : Request

    Returns
    -------
    Experiment

    Raises
    ------
    ExperimentError
        If the file is not a valid experiment, a strategy is unknown, a scenario file's
        strategy has the name of one of the experiment's, or a strategy (a scenario file)
        does not fit the experiment or the requested market; the problems of a scenario
        file's strategy are those of ``strategies.<its name>``.
    """
    full = load_experiment(request.experiment)
    source = str(request.experiment)
    if request.plan is not None and len(request.names) > MAX_STRATEGIES:
        raise ExperimentError(
            source,
            [("strategies", f"with {EDITED_PLAN}, choose at most {MAX_STRATEGIES - 1} others")],
        )
    known = ", ".join(full.strategies)
    problems = [
        ("strategies", f"unknown strategy {name!r} (expected one of: {known})")
        for name in request.strategies
        if name not in full.strategies
    ]
    problems += [
        (f"strategies.{name}", f"{path.name}: the experiment has a strategy {name!r}")
        for name, path in request.scenarios.items()
        if name in (*full.strategies, EDITED_PLAN)
    ]
    if problems:
        raise ExperimentError(source, problems)
    strategies = {
        name: full.strategies[name].model_dump()
        for name in full.strategies
        if name in request.strategies
    }
    for name, path in request.scenarios.items():
        strategies[name] = {"scenario": str(path.resolve())}
    if request.plan is not None:
        strategies[EDITED_PLAN] = {
            "description": "The campaign plan edited in the Campaign tab.",
            "set": {"campaign": request.plan},
        }
    reported = strategy_outcomes(full)  # of the chosen strategies: another's are undefined
    kept = set(outcome_names(full.scenario)).union(
        *(reported.get(name, ()) for name in request.strategies)
    )
    outcomes = [*MONEY, *(name for name in full.outcomes if name not in MONEY and name in kept)]
    return load_experiment(
        request.experiment,
        overrides={
            "strategies": strategies,
            "baseline": comparison_baseline(full, list(strategies)),
            "outcomes": outcomes,
            "replications": request.replications,
            "customers": request.customers,
            "days": request.days,
            "conditions": None,
            "sensitivity": {},
        },
    )


def checked_experiment(request: Request) -> tuple[Experiment | None, list[str]]:
    """Build the experiment a comparison runs, or say in the page's words why it cannot.

    Parameters
    ----------
    request : Request

    Returns
    -------
    experiment : Experiment or None
        :func:`reduced_experiment`, or None if it cannot be built.
    problems : list of str
        One message per scenario file, and for the edited plan, that the experiment refuses,
        naming it and each reason (``<file>.toml cannot run in <experiment>:`` and a line per
        reason), then the loader's message for any other problem, naming the experiment file
        by its name, not its path on the server; empty if the experiment was built.

    Warnings of the days per run cutting plans short are not given: the page says which
    strategies they cut (:func:`horizon_note`), and the check runs at every move of a
    control (each filled the server's log).
    """
    try:
        with without_input_warnings():
            return reduced_experiment(request), []
    except ExperimentError as error:
        rest, messages = list(error.problems), []
        owners = {name: (path.name, path) for name, path in request.scenarios.items()}
        if request.plan is not None:
            owners[EDITED_PLAN] = (f"{EDITED_PLAN} (the plan edited in the Campaign tab)", None)
        for name, (owner, path) in owners.items():
            mine = [(f, m) for f, m in rest if f.split(".")[:2] == ["strategies", name]]
            rest = [problem for problem in rest if problem not in mine]
            if mine:
                reasons = "".join(f"\n  {_reason(f, m, name, path)}" for f, m in mine)
                messages.append(f"{owner} cannot run in {request.experiment.stem}:{reasons}")
        if rest:
            messages.append(str(ExperimentError(request.experiment.name, rest)))
        return None, messages


def _reason(field: str, message: str, name: str, path: Path | None) -> str:
    """Write a problem of a strategy without the strategy's field and its file's path."""
    where = field.removeprefix(f"strategies.{name}").removeprefix(".scenario").lstrip(".")
    if path is not None:
        message = message.removeprefix(f"{path.resolve()}: ")
    return f"{where}: {message}" if where else message


# ---------------------------------------------------------------- the run


@dataclass(frozen=True, eq=False)
class Status:
    """Where a session's comparison stands.

    Attributes
    ----------
    phase : {"idle", "running", "finished", "cancelled", "failed"}
        ``failed``: nothing to show (an invalid experiment, an error, fewer than two
        strategies with a finished run).
    done, planned : int
        Runs finished or failed, and runs planned.
    comparison : Comparison, optional
        The statistics, once finished.
    message : str
        What went wrong: the error when failed, the failed runs when finished.
    source : str
        The experiment file (its stem) the finished comparison ran.
    request : Request, optional
        What the finished comparison ran.
    """

    phase: Literal["idle", "running", "finished", "cancelled", "failed"] = "idle"
    done: int = 0
    planned: int = 0
    comparison: Comparison | None = None
    message: str = ""
    source: str = ""
    request: Request | None = None


def _all_failed(strategy: str, runs: list[Run], failed: set[str]) -> bool:
    """Return whether every run of a strategy failed (``failed``: their run_ids)."""
    return all(run.run_id in failed for run in runs if run.strategy == strategy)


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
    scenarios : Path, optional
        The folder of scenario files offered as strategies (default:
        :func:`scenario_folder`).
    """

    def __init__(self, experiments: Path | None = None, scenarios: Path | None = None):
        self.experiments = experiments or experiment_folder()
        self.files = scenario_files(self.experiments)
        self.scenarios = scenario_files(scenarios or scenario_folder())
        first = (
            DEFAULT_EXPERIMENT if DEFAULT_EXPERIMENT in self.files else next(iter(self.files), "")
        )
        self.experiment = solara.reactive(first)
        self.strategies: solara.Reactive[tuple[str, ...] | None] = solara.reactive(None)
        # the stems of the scenario files chosen as strategies
        self.scenario_choice: solara.Reactive[tuple[str, ...]] = solara.reactive(())
        self.replications = solara.reactive(REPLICATIONS[2])
        self.customers = solara.reactive(CUSTOMERS[2])
        self.days = solara.reactive(DAYS[2])
        self.outcome: solara.Reactive[str | None] = solara.reactive(None)
        # what the settings ask for now, to tell whether the results shown are of them
        self.request: solara.Reactive[Request | None] = solara.reactive(None)
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
        """Use another experiment file; its default strategies are chosen, and no file.

        Nothing changes while a comparison runs (the page disables the picker then, but a
        pick sent before the browser showed it disabled still arrives).
        """
        if self.running:
            return
        self.experiment.set(name)
        self.strategies.set(None)
        self.scenario_choice.set(())
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
            runs = plan_runs(experiment)
            planned = len(runs)
            self._show(Status("running", 0, planned))
            batch = run_experiment(experiment, out, serial=True, progress=False, on_run=advance)
            failures = describe_failures(out) if batch.failed else ""
            message = f"{batch.failed} of {planned} runs failed:\n{failures}" if failures else ""
            failed = set(ResultStore(out).failures())
            lost = [name for name in experiment.strategies if _all_failed(name, runs, failed)]
            if len(experiment.strategies) - len(lost) < MIN_STRATEGIES:
                lost_names = ", ".join(strategy_label(name) for name in lost)
                nothing = f"No run of {lost_names} finished: there is nothing to compare."
                return Status("failed", planned, planned, message=f"{nothing}\n{message}")
            return Status(
                "finished",
                planned,
                planned,
                compare(out),
                message,
                request.experiment.stem,
                request,
            )
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
