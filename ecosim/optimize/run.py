"""``ecosim optimize``: the search, then the selection stage, on the shared runner.

:func:`optimise` evaluates plans with Optuna (:mod:`~ecosim.optimize.search`) on the
cluster ``ecosim batch`` uses (:func:`ecosim.experiment.runner.open_runner`), each
evaluation's replications on seeds common to every plan; then re-runs the best plans and
the current one, on new common seeds, and selects one with the procedure of Kim &
Nelson (2001) (:mod:`~ecosim.optimize.selection`). Everything is kept in the output
folder — the study in SQLite, the selection stage's runs in ``selection.parquet`` — so
an interrupted run continues where it stopped.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import optuna
import pandas as pd
from optuna.trial import FixedTrial, TrialState

from ecosim.errors import InputError
from ecosim.experiment.plan import run_seed
from ecosim.experiment.runner import Job, Runner, check_runner_arguments, open_runner
from ecosim.network import edge_list_digest
from ecosim.optimize.posterior import read_posterior
from ecosim.optimize.schema import Optimisation, OptimisationError
from ecosim.optimize.search import DATABASE, open_study, readable_study, run_search, statistic
from ecosim.optimize.selection import Sampler, Selected, UndefinedEverywhere, select_best
from ecosim.optimize.space import suggest
from ecosim.store import (
    dotted,
    held_folder,
    kept_unreadable,
    refuse_foreign_files,
    sqlite_address,
    write_parquet,
    write_text,
)

__all__ = [
    "CURRENT",
    "Candidate",
    "Outcome",
    "SearchFailed",
    "SelectionFailed",
    "failures",
    "optimise",
    "stream_seeds",
]

CURRENT = "current_plan"
"""Name of the current plan (the base scenario) among the candidates."""
FINGERPRINT = "optimisation.sha256"
RECORD = "optimisation.json"
"""The optimisation a folder holds, as fingerprinted: what a refusal compares."""
SELECTION = "selection.parquet"
SEARCH_RUNS = "search_runs.jsonl"
"""The search's finished runs, one JSON line each, so that a batch of plans an interruption
cut short re-uses them when its plans are evaluated again."""
OUTPUTS = (
    DATABASE,
    SEARCH_RUNS,
    SELECTION,
    "plan.toml",
    "report.md",
    "tables/trials.csv",
    "tables/importances.csv",
    "tables/selection.csv",
    "tables/comparison.csv",
    "figures/convergence.png",
    "figures/pareto.png",
)
"""Every file an optimisation writes into its folder besides its record: a folder without
the record that holds one of them is refused rather than written over."""
KEPT = (
    "total_profit",
    "total_revenue",
    "total_gross_margin",
    "total_marketing_cost",
    "total_service_cost",
    "total_programme_cost",
    "total_clv",
    "final_engaged_share",
    "final_adopted_share",
)
"""Outcomes whose means every evaluation keeps (with the objectives')."""


@dataclass(frozen=True)
class Candidate:
    """A plan in the selection stage: the current plan, or a trial of the search."""

    name: str
    params: dict[str, Any]
    overrides: dict[str, Any]
    trial: int | None = None

    @property
    def plan(self) -> str:
        """What the plan sets, as text: its runs are told apart by it, not by its name."""
        return json.dumps(self.overrides, sort_keys=True, default=str)


@dataclass(frozen=True)
class Outcome:
    """What :func:`optimise` found.

    Attributes
    ----------
    folder : Path
    study : optuna.Study
    candidates : list of Candidate
        The plans of the selection stage, the current plan first.
    selected : Selected
        The selection stage (indices into ``candidates``).
    runs : pandas.DataFrame
        The selection stage's runs: ``candidate``, ``replication`` and the outcomes, of
        the replications the chosen plan ran (``selection.parquet`` may hold more, from an
        earlier run with a larger ``max_replications``: a report is the one a new folder
        would give).
    evaluated_now : int
        Search evaluations done by this call.
    """

    folder: Path
    study: optuna.Study
    candidates: list[Candidate]
    selected: Selected
    runs: pd.DataFrame
    evaluated_now: int

    @property
    def chosen(self) -> Candidate:
        """The plan selected."""
        return self.candidates[self.selected.best]


class SearchFailed(RuntimeError):
    """Every evaluation of the search failed: there is no plan to select, and none is chosen.

    Parameters
    ----------
    failures : list of (str, str)
        Each failed evaluation (``trial_3``) and its error (:func:`failures`).
    """

    def __init__(self, failures: list[tuple[str, str]]):
        self.failures = failures
        super().__init__(f"all {len(failures)} evaluations of the search failed")


class SelectionFailed(RuntimeError):
    """A run of the selection stage failed: no plan is chosen; the finished runs are kept.

    Parameters
    ----------
    plans : list of str
        The plans whose runs were under way (``trial_3``, ``current_plan``).
    error : str
        The run's error, as ``"<type>: <message>"``.
    what : str
        What went wrong, before the plans.
    """

    def __init__(
        self, plans: list[str], error: str, what: str = "a run of the selection stage failed"
    ):
        self.plans = plans
        self.error = error
        super().__init__(f"{what} ({', '.join(plans)}): {error}")


def failures(study: optuna.Study) -> list[tuple[str, str]]:
    """Return each evaluation of the search that failed, as (``trial_<number>``, its error).

    A trial a killed run left unfinished is not one: it is evaluated again.
    """
    return [
        (f"trial_{t.number}", t.user_attrs["error"])
        for t in study.get_trials(deepcopy=False)
        if "error" in t.user_attrs
    ]


def stream_seeds(seed: int, stream: int, count: int) -> list[int]:
    """Return ``count`` run seeds of one stream (0: the search, 1: the selection stage).

    Replication ``r`` of every plan in a stream uses seed ``r`` (common random numbers);
    the streams are independent, so the selection stage does not re-use the seeds on
    which the search ranked the plans (which would favour the luckiest).

    Examples
    --------
    >>> stream_seeds(7, 0, 3) == stream_seeds(7, 0, 5)[:3]
    True
    >>> set(stream_seeds(7, 0, 3)) & set(stream_seeds(7, 1, 3))
    set()
    """
    children = np.random.SeedSequence([seed, stream]).spawn(count)
    return [run_seed(child) for child in children]


def optimise(
    optimisation: Optimisation,
    out: str | Path,
    workers: int | None = None,
    scheduler: str | None = None,
    serial: bool = False,
    *,
    dashboard: bool = False,
    on_batch: Callable[[int, int], None] | None = None,
) -> Outcome:
    """Search for the best plan and select it with a stated probability of correct selection.

    Parameters
    ----------
    optimisation : Optimisation
    out : str or Path
        The output folder; rerunning into it continues the same optimisation, also with
        more evaluations or other selection settings (another optimisation is refused).
    workers, scheduler, serial, dashboard
        As in :func:`ecosim.experiment.run_experiment`.
    on_batch : callable, optional
        Called as ``on_batch(done, planned)`` after each batch of the search.

    Returns
    -------
    Outcome

    Raises
    ------
    OptimisationError
        If ``out`` holds another optimisation.
    StoreError
        If another process is writing ``out``.
    InputError
        If an argument cannot be used, before anything is written
        (:func:`ecosim.experiment.runner.check_runner_arguments`, and ``on_batch`` that is
        not callable), or ``out`` holds ``?`` or ``%`` (:func:`ecosim.store.sqlite_address`).
    SearchFailed
        If every evaluation of the search failed (the selection stage is not run).
    SelectionFailed
        If a run of the selection stage failed (its finished runs are kept).
    """
    folder = check_runner_arguments(
        optimisation,
        Optimisation,
        "ecosim.optimize.load_optimisation",
        out,
        workers,
        scheduler,
        serial,
        dashboard,
    )
    if on_batch is not None and not callable(on_batch):
        raise InputError(
            "on_batch: expected a function, called as on_batch(done, planned) after each batch "
            f"of the search, or None, got {type(on_batch).__name__}"
        )
    sqlite_address(folder / DATABASE)  # refused before anything is written
    with held_folder(folder, "optimisation"):
        return _optimise(optimisation, folder, workers, scheduler, serial, dashboard, on_batch)


def _optimise(
    optimisation: Optimisation,
    folder: Path,
    workers: int | None,
    scheduler: str | None,
    serial: bool,
    dashboard: bool,
    on_batch: Callable[[int, int], None] | None,
) -> Outcome:
    _claim(folder, optimisation)
    with open_runner(workers, scheduler, serial, dashboard) as runner, readable_study(folder):
        study = open_study(optimisation, folder)
        search = _Evaluator(
            optimisation,
            runner,
            stream=0,
            count=optimisation.search.replications,
            log=folder / SEARCH_RUNS,
            fingerprint=(folder / FINGERPRINT).read_text().strip(),
        )
        evaluated_now = run_search(study, optimisation, search.evaluate, on_batch)
        if not study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)):
            raise SearchFailed(failures(study))
        candidates = _candidates(study, optimisation)
        selection = _SelectionRuns(optimisation, runner, candidates, folder)
        rule = optimisation.selection
        objective = optimisation.selected_objective
        try:
            selected = select_best(
                selection.sample(objective.outcome),
                len(candidates),
                rule.indifference,
                rule.confidence,
                rule.first_stage,
                rule.step,
                rule.max_replications,
                maximize=objective.direction == "maximize",
            )
        except UndefinedEverywhere:
            raise SelectionFailed(
                [c.name for c in candidates],
                f"{objective.outcome} is undefined (NaN) in a replication of each of them (see "
                f"{SELECTION} for each run's value); choose an objective every plan defines",
                "no plan of the selection stage can be compared",
            ) from None
        chosen = int(selected.counts[selected.best])
        selection.sample(objective.outcome)(sorted({0, selected.best}), 0, chosen)
    used = selection.runs[selection.runs["replication"] < chosen].reset_index(drop=True)
    return Outcome(folder, study, candidates, selected, used, evaluated_now)


def _claim(folder: Path, optimisation: Optimisation) -> None:
    """Record the optimisation in a new folder, or check the folder holds the same one.

    The evaluation budget and the selection settings may change between runs: raising
    ``search.evaluations`` continues the search, and the selection stage's runs stay valid
    (their seeds do not depend on these settings). The folder keeps a fingerprint of the
    rest and, in :data:`RECORD`, the rest itself, so that a refusal names what differs;
    with a posterior, a digest of the sample's values and weights as well
    (``posterior.sample``), so that a sample rewritten in place is not mixed with the old.
    """
    dump = optimisation.model_dump(
        mode="json", exclude={"folder": True, "search": {"evaluations"}, "selection": True}
    )
    if optimisation.posterior is not None:
        dump["posterior"]["sample"] = read_posterior(optimisation).digest()
    before_edge_lists = _digest(dump)  # as folders written before edge lists were digested
    if network := edge_list_digest(optimisation.scenario.network):
        dump[EDGE_LIST] = network
    digest = _digest(dump)
    path = folder / FINGERPRINT
    if path.exists():
        held = path.read_text().strip()
        if held == before_edge_lists != digest or (
            held != digest
            and (
                _differs_only_in(folder, dump, REPORTED)
                or (_differs_only_in(folder, dump, {EDGE_LIST}) and not _evaluated(folder))
            )
        ):  # written before edge lists were digested, in what is only reported, or nothing
            # evaluated on the old edge list
            write_text(json.dumps(dump, sort_keys=True, indent=1) + "\n", folder / RECORD)
            write_text(digest + "\n", path)
        elif held != digest:
            raise OptimisationError(
                str(folder),
                _differences(folder / RECORD, dump),
                reason="holds another optimisation (or the same file changed since); its "
                "evaluations are not mixed with others: use another --out, or remove the "
                "folder to start again",
            )
        if not (folder / RECORD).exists():
            write_text(json.dumps(dump, sort_keys=True, indent=1) + "\n", folder / RECORD)
        return
    folder.mkdir(parents=True, exist_ok=True)
    refuse_foreign_files(folder, OUTPUTS, FINGERPRINT)
    write_text(json.dumps(dump, sort_keys=True, indent=1) + "\n", folder / RECORD)
    write_text(digest + "\n", path)


EDGE_LIST = "edge_list_sha256"
"""The field of a folder's record that holds the digest of the network's edge list."""

REPORTED = {"description", "scenario.description"}
"""The fields of a folder's record that only a report reads: a rerun may change them."""


def _differs_only_in(folder: Path, dump: dict[str, Any], fields: set[str]) -> bool:
    """Whether the folder's record differs from ``dump`` in some of ``fields`` alone."""
    try:
        held = json.loads((folder / RECORD).read_text())
    except (OSError, ValueError):
        return False
    was, now = dotted(held), dotted(dump)
    return {k: v for k, v in was.items() if k not in fields} == {
        k: v for k, v in now.items() if k not in fields
    }


def _evaluated(folder: Path) -> bool:
    """Whether the folder's study holds a completed evaluation."""
    if not (folder / DATABASE).exists():
        return False
    storage = sqlite_address(folder / DATABASE)
    with readable_study(folder):
        return any(
            study.n_trials
            and optuna.load_study(study_name=study.study_name, storage=storage).get_trials(
                deepcopy=False, states=(TrialState.COMPLETE,)
            )
            for study in optuna.get_all_study_summaries(storage)
        )


def _digest(dump: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(dump, sort_keys=True).encode()).hexdigest()


def _differences(record: Path, dump: dict[str, Any], shown: int = 12) -> list[tuple[str, str]]:
    """Name the fields in which an optimisation differs from the one a folder records.

    Parameters
    ----------
    record : Path
        The folder's :data:`RECORD`; a folder written before it was kept names nothing.
    dump : dict
        The optimisation's fields, as :func:`_claim` fingerprints them.
    shown : int
        Most differences named; the others are counted.

    Returns
    -------
    list of (str, str)
        ``("search.replications", "folder has 4, now 3")``, by dotted name (list items
        by position; ``scenario.*`` are the base scenario's fields).
    """
    try:
        held = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    was, now = dotted(held), dotted(dump)
    names = [name for name in dict.fromkeys([*was, *now]) if was.get(name) != now.get(name)]
    found = [
        (name, f"folder has {_shown(was.get(name))}, now {_shown(now.get(name))}")
        for name in names[:shown]
    ]
    if len(names) > shown:
        found.append(("", f"and {len(names) - shown} more differences"))
    return found


def _shown(value: Any) -> str:
    return "none" if value is None else repr(value)


class _Evaluator:
    """Runs plans on common seeds (and posterior draws) and summarises their replications.

    With ``log``, a JSON-lines file, each finished run is appended to it as it finishes,
    and a run found there is not run again (a line cut short by a kill is ignored); runs are
    found by ``fingerprint`` too, so that none made on another network is re-used.
    """

    def __init__(
        self,
        optimisation: Optimisation,
        runner: Runner,
        stream: int,
        count: int,
        log: Path | None = None,
        fingerprint: str = "",
    ):
        self.optimisation = optimisation
        self.runner = runner
        self.seeds = stream_seeds(optimisation.seed, stream, count)
        if optimisation.posterior is not None:
            sample = read_posterior(optimisation)
            self.markets = sample.draws(optimisation.seed, count, stream)
        else:
            self.markets = [{}] * count
        self.log = log
        self.fingerprint = fingerprint
        self.known = _read_runs(log) if log is not None else {}

    def jobs(self, overrides: dict[str, Any], replications: range) -> list[Job]:
        base = self.optimisation.scenario
        return [Job(base, {**self.markets[r], **overrides}, self.seeds[r]) for r in replications]

    def evaluate(self, plans: list[dict[str, Any]]) -> list[dict[str, float]]:
        count = self.optimisation.search.replications
        jobs = [job for plan in plans for job in self.jobs(plan, range(count))]
        keys = [_run_key(job, self.fingerprint) for job in jobs]
        todo = [i for i, key in enumerate(keys) if key not in self.known]
        self.runner.summaries(
            [jobs[i] for i in todo], lambda k, run: self._keep(keys[todo[k]], run)
        )
        summaries = [self.known[key] for key in keys]
        results = []
        for p in range(len(plans)):
            runs = pd.DataFrame(summaries[p * count : (p + 1) * count])
            result = {
                o.label: statistic(runs[o.outcome], o.statistic, o.quantile)
                for o in self.optimisation.objectives
            }
            for name in KEPT:
                if name in runs.columns:
                    result[f"mean:{name}"] = statistic(runs[name], "mean", 0.0)
            results.append(result)
        return results

    def _keep(self, key: str, summary: dict[str, float | None]) -> None:
        self.known[key] = summary
        if self.log is not None:
            with self.log.open("a", encoding="utf-8") as log:
                log.write(json.dumps({"run": key, "summary": summary}) + "\n")
                log.flush()
                os.fsync(log.fileno())


def _run_key(job: Job, fingerprint: str) -> str:
    """Name a run by what decides it: the optimisation, the run's changes and its seed.

    The optimisation is its folder's fingerprint, which digests the scenario and its edge
    list: a run made on another network is another run.
    """
    decided = json.dumps(
        {"optimisation": fingerprint, "overrides": job.overrides, "seed": job.seed},
        sort_keys=True,
        default=repr,
    )
    return hashlib.sha256(decided.encode()).hexdigest()


def _read_runs(path: Path) -> dict[str, dict[str, float | None]]:
    """Read the runs kept in ``path`` (none if it is missing); a line cut short is skipped.

    A line cut short by a kill is ended, so that the next run appended starts a line.
    """
    if not path.exists():
        return {}
    text = path.read_text(encoding="utf-8")
    if text and not text.endswith("\n"):
        with path.open("a", encoding="utf-8") as log:
            log.write("\n")
    runs = {}
    for line in text.splitlines():
        try:
            kept = json.loads(line)
            runs[kept["run"]] = kept["summary"]
        except (ValueError, KeyError, TypeError):
            continue
    return runs


def _candidates(study: optuna.Study, optimisation: Optimisation) -> list[Candidate]:
    """Return the current plan and the best ``selection.top`` distinct plans of the search."""
    objective = optimisation.selected_objective
    if len(optimisation.objectives) == 1:
        pool = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    else:
        pool = study.best_trials
    sign = -1.0 if objective.direction == "maximize" else 1.0
    ranked = sorted(pool, key=lambda t: (sign * t.user_attrs[objective.label], t.number))
    candidates = [Candidate(CURRENT, {}, {})]
    seen: set[str] = set()
    for trial in ranked:
        key = json.dumps(trial.params, sort_keys=True)
        if key in seen:
            continue
        seen.add(key)
        overrides = suggest(FixedTrial(trial.params), optimisation)
        candidates.append(Candidate(f"trial_{trial.number}", trial.params, overrides, trial.number))
        if len(candidates) > optimisation.selection.top:
            break
    return candidates


def _kept_runs(path: Path) -> pd.DataFrame:
    """Read the selection stage's runs kept in ``path`` (none if it does not exist yet).

    Raises
    ------
    OptimisationError
        If the file is damaged: it is kept as it is, and named.
    """
    if not path.exists():
        return pd.DataFrame()
    try:
        runs = pd.read_parquet(path)
    except (OSError, ValueError) as error:  # pyarrow's ArrowInvalid is a ValueError
        why = str(error).split(". ")[0]
    else:
        missing = [name for name in ("candidate", "replication") if name not in runs.columns]
        if not missing or not len(runs):
            return runs
        why = f"no column {', '.join(missing)}"
    then = "restore it from a copy, or move it away to run the selection again"
    raise OptimisationError(
        str(path.parent), [("", kept_unreadable(f"{path.name} is damaged", why, then))]
    )


def current_runs(runs: pd.DataFrame, candidates: list[Candidate]) -> pd.DataFrame:
    """Drop the kept selection runs of a plan that a candidate's name now names no longer.

    A trial's number names another plan once the study it came from is gone (moved away
    to start the search afresh): its runs are of the old plan, and are run again for the
    new one. Runs written before plans were recorded (no ``plan``) are kept.

    Parameters
    ----------
    runs : pandas.DataFrame
        The runs kept in ``selection.parquet``.
    candidates : list of Candidate

    Returns
    -------
    pandas.DataFrame
    """
    if not len(runs) or "plan" not in runs.columns:
        return runs
    plans = runs["candidate"].map({c.name: c.plan for c in candidates})
    kept = plans.isna() | runs["plan"].isna() | (plans == runs["plan"])
    return runs[kept].reset_index(drop=True)


class _SelectionRuns:
    """The selection stage's runs, kept in ``selection.parquet`` so a rerun re-uses them.

    Runs are handed to the runner a few at a time (as many as it runs at once) and saved
    after each few: an interruption loses only the runs it cut short.
    """

    def __init__(
        self,
        optimisation: Optimisation,
        runner: Runner,
        candidates: list[Candidate],
        folder: Path,
    ):
        count = optimisation.selection.max_replications
        self.evaluator = _Evaluator(optimisation, runner, stream=1, count=count)
        self.candidates = candidates
        self.path = folder / SELECTION
        self.runs = current_runs(_kept_runs(self.path), candidates)
        self.done: set[tuple[str, int]] = set()
        if len(self.runs):
            self.done = set(zip(self.runs["candidate"], self.runs["replication"], strict=True))
        self.chunk = _slots(runner)

    def sample(self, outcome: str) -> Sampler:
        """Return a :data:`~ecosim.optimize.selection.Sampler` of ``outcome``."""

        def draw(systems: list[int], first: int, count: int) -> np.ndarray:
            wanted = [(s, r) for s in systems for r in range(first, first + count)]
            names = [(self.candidates[s].name, r) for s, r in wanted]
            missing = [
                pair for pair, key in zip(wanted, names, strict=True) if key not in self.done
            ]
            self._run(list(dict.fromkeys(missing)))
            table = self.runs.set_index(["candidate", "replication"])[outcome]
            values = [table[key] for key in names]
            return np.asarray(values, dtype=float).reshape(len(systems), count)

        return draw

    def _run(self, missing: list[tuple[int, int]]) -> None:
        for start in range(0, len(missing), self.chunk):
            self._run_and_save(missing[start : start + self.chunk])

    def _run_and_save(self, missing: list[tuple[int, int]]) -> None:
        jobs = [
            self.evaluator.jobs(self.candidates[s].overrides, range(r, r + 1))[0]
            for s, r in missing
        ]
        try:
            summaries = self.evaluator.runner.summaries(jobs)
        except OSError:  # a lost cluster, a full disk: not the plans' failure
            raise
        except Exception as error:
            plans = list(dict.fromkeys(self.candidates[s].name for s, _ in missing))
            raise SelectionFailed(plans, f"{type(error).__name__}: {error}") from error
        rows = pd.DataFrame(summaries)
        rows.insert(0, "plan", [self.candidates[s].plan for s, _ in missing])
        rows.insert(0, "replication", [r for _, r in missing])
        rows.insert(0, "candidate", [self.candidates[s].name for s, _ in missing])
        self.runs = pd.concat([self.runs, rows], ignore_index=True) if len(self.runs) else rows
        self.done |= set(zip(rows["candidate"], rows["replication"], strict=True))
        write_parquet(self.runs, self.path)


def _slots(runner: Runner) -> int:
    """Return how many runs the runner runs at once (its workers' threads; 1 in this process)."""
    if runner.client is None:
        return 1
    return max(1, sum(runner.client.nthreads().values()))
