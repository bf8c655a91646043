"""The search: Optuna's ask-and-tell over a study kept in SQLite, resumable.

The driver (this process) asks the study for a batch of plans, has them evaluated (on
the cluster), and tells the study their objective values: only the driver writes the
database. TPE (Bergstra et al. 2011) searches one objective, NSGA-II (Deb et al. 2002)
several, for a Pareto front. A run killed mid-batch leaves its plans RUNNING for good
(ask-and-tell has no heartbeat): :func:`recover` marks them failed and, if the batch was
wholly proposed, puts their parameters back in the queue, so the next batch evaluates
them first (else the batch is proposed again); finished
evaluations are in the database and are never redone. Batches start at multiples of
``search.batch`` evaluations, each proposed by a sampler seeded from the file's seed and
the number of plans before the first it draws (the batch's start), so a search
interrupted at any moment and continued proposes the plans an uninterrupted one does,
and one continued with more evaluations draws new plans.

References
----------
Akiba, T., Sano, S., Yanase, T., Ohta, T., & Koyama, M. (2019). Optuna: A
next-generation hyperparameter optimization framework. *KDD*, 2623-2631.

Bergstra, J., Bardenet, R., Bengio, Y., & Kégl, B. (2011). Algorithms for
hyper-parameter optimization. *NeurIPS*, 24.

Deb, K., Pratap, A., Agarwal, S., & Meyarivan, T. (2002). A fast and elitist
multiobjective genetic algorithm: NSGA-II. *IEEE Transactions on Evolutionary
Computation*, 6(2), 182-197.
"""

from __future__ import annotations

import json
import math
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import optuna
import sqlalchemy.exc
from optuna.trial import TrialState

from ecosim.errors import InputWarning
from ecosim.metrics import UNDEFINED
from ecosim.optimize.schema import Optimisation, OptimisationError
from ecosim.optimize.space import parameters, suggest
from ecosim.store import kept_unreadable, sqlite_address, writable_database

__all__ = [
    "DATABASE",
    "Evaluation",
    "evaluated",
    "open_study",
    "readable_study",
    "recover",
    "run_search",
    "statistic",
]

DATABASE = "study.db"
"""The study's SQLite file in the output folder."""


@contextmanager
def readable_study(folder: Path) -> Iterator[None]:
    """Name the folder's study as damaged if SQLite cannot read it in the block.

    Raises
    ------
    OptimisationError
        Saying that :data:`DATABASE` cannot be read (damaged, or held by another program
        now), kept as it is.
    OSError
        Saying that :data:`DATABASE` cannot be written (read-only, or its disk full:
        :func:`~ecosim.store.writable_database`).
    """
    try:
        with writable_database(folder / DATABASE):
            yield
    except sqlalchemy.exc.DatabaseError as error:
        why = error.orig if error.orig is not None else error
        if "locked" in str(why) or "busy" in str(why):  # another program holds it
            problem = kept_unreadable(f"{DATABASE} cannot be read now", why)
        else:
            problem = kept_unreadable(
                f"{DATABASE} cannot be read as a study",
                why,
                "restore it from a copy to continue the search, or move it away to start it afresh",
            )
        raise OptimisationError(str(folder), [("", problem)]) from None


GENERATION = ":generation"
"""How the system attribute ends in which a genetic sampler (NSGA-II) keeps a trial's
generation (``NSGAIISampler:generation``)."""

Evaluation = Callable[[list[dict[str, Any]]], list[dict[str, float]]]
"""``evaluate(plans)``: for each plan (scenario overrides), its objective values by label
and any other means to keep (``mean:<outcome>``)."""


def open_study(optimisation: Optimisation, folder: str | Path) -> optuna.Study:
    """Create the study in ``folder/study.db``, or load it to continue.

    Parameters
    ----------
    optimisation : Optimisation
    folder : str or Path

    Returns
    -------
    optuna.Study
        With the optimisation's sampler seeded by its ``seed``; :func:`run_search` seeds
        it again for each batch.
    """
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    with readable_study(folder):
        return optuna.create_study(
            study_name=optimisation.name,
            storage=sqlite_address(folder / DATABASE),
            load_if_exists=True,
            sampler=_sampler(optimisation, optimisation.seed),
            directions=[o.direction for o in optimisation.objectives],
        )


def _sampler(optimisation: Optimisation, seed: int) -> optuna.samplers.BaseSampler:
    """Return the optimisation's sampler (``search.sampler``) seeded by ``seed``."""
    search, kind = optimisation.search, optimisation.sampler
    if kind == "tpe":
        return optuna.samplers.TPESampler(
            seed=seed, n_startup_trials=search.startup, multivariate=True, constant_liar=True
        )
    if kind == "nsga2":
        return optuna.samplers.NSGAIISampler(population_size=search.population, seed=seed)
    return optuna.samplers.RandomSampler(seed=seed)


def _sampler_seed(seed: int, start: int) -> int:
    """Return the sampler's seed for plans drawn after ``start`` plans were proposed.

    The first batch's is the file's ``seed``; each later one's comes from ``seed`` and
    ``start``: the batch's start, or, for the rest of a batch begun in an earlier run
    (a search that stopped at a budget not a multiple of ``search.batch``, continued with
    more evaluations), the evaluations done and queued. The sampler's random state is thus
    a function of where the search is, not of the process that runs it: a search stopped
    and continued proposes the plans an uninterrupted one does, and one continued with
    more evaluations does not draw plans it drew before (they would be copied as
    ``repeats``, spending evaluations on plans it has).

    Examples
    --------
    >>> _sampler_seed(7, 0)
    7
    >>> _sampler_seed(7, 4) != _sampler_seed(7, 6)
    True
    """
    if start == 0:
        return seed
    return int(np.random.SeedSequence([seed, start]).generate_state(1)[0])


def recover(study: optuna.Study, optimisation: Optimisation) -> int:
    """Fail the trials a stopped run left RUNNING; queue their plans again if all were proposed.

    A run stopped while its batch was evaluated or recorded leaves plans that were all
    proposed: they are queued, so that the next batch evaluates them first. A queued plan
    keeps the generation NSGA-II gave it (the system attribute ``<sampler>:generation``):
    a queued trial is never sampled, so the sampler would not give it one, and the next
    batch would be bred from an earlier generation's parents than in an uninterrupted run.
    A run stopped while the batch was being proposed leaves some without all their
    parameters: none is queued, and the batch is proposed again, the same plans (its
    sampler's seed depends on where the search is only, :func:`_sampler_seed`).

    Returns
    -------
    int
        How many were queued again.
    """
    stuck = study.get_trials(deepcopy=False, states=(TrialState.RUNNING,))
    proposed = all(set(trial.params) == set(parameters(optimisation)) for trial in stuck)
    for trial in stuck:
        study.tell(trial.number, state=TrialState.FAIL)
        if proposed:
            kept = {k: v for k, v in trial.system_attrs.items() if k.endswith(GENERATION)}
            study.add_trial(
                optuna.trial.create_trial(
                    state=TrialState.WAITING,
                    system_attrs={"fixed_params": trial.params, **kept},
                    user_attrs={"requeued_from": trial.number},
                )
            )
    return len(stuck) if proposed else 0


def evaluated(study: optuna.Study) -> int:
    """Count the evaluations done: complete trials, and those that failed with an error."""
    trials = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE, TrialState.FAIL))
    return sum(t.state == TrialState.COMPLETE or "error" in t.user_attrs for t in trials)


def run_search(
    study: optuna.Study,
    optimisation: Optimisation,
    evaluate: Evaluation,
    on_batch: Callable[[int, int], None] | None = None,
) -> int:
    """Evaluate plans until the study holds ``search.evaluations`` evaluations.

    Batches of ``search.batch`` plans start at multiples of ``search.batch`` evaluations
    (a batch a stop, or a smaller budget, cut short is completed first), each proposed by
    a sampler seeded from the file's seed and the number of plans before the first it
    draws (:func:`_sampler_seed`): the batch's start, or the evaluations done and queued
    when the batch was begun by an earlier run. A stopped and continued search thus
    proposes the plans an uninterrupted one does, and the rest of a batch a smaller budget
    cut short is drawn afresh, not the batch's first plans again.

    Parameters
    ----------
    study : optuna.Study
        From :func:`open_study`; RUNNING trials are recovered first.
    optimisation : Optimisation
    evaluate : callable
        See :data:`Evaluation`; a plan whose evaluation raises fails (its trial records
        the error) and the search goes on (:func:`_evaluated_plans`). A plan already
        evaluated (NSGA-II proposes some again) is not run again: under common random
        numbers its runs would be the same, so its values are copied (user attribute
        ``repeats``); it still counts as an evaluation.
    on_batch : callable, optional
        Called as ``on_batch(done, planned)`` after each batch.

    Returns
    -------
    int
        Evaluations done by this call.

    Warns
    -----
    InputWarning
        If the study holds more evaluations than ``search.evaluations``: none is run, and
        the plans are selected among all of them (a search is not shortened; its
        evaluations are kept).
    """
    recover(study, optimisation)
    planned, batch = optimisation.search.evaluations, optimisation.search.batch
    labels = [o.label for o in optimisation.objectives]
    done_before = evaluated(study)
    done = done_before
    if done > planned:
        warnings.warn(
            f"search.evaluations: {planned}, but the folder's search has done {done}: none "
            f"is run, and the plan is chosen among all {done} (a search is not shortened; "
            "for a smaller one, use another --out)",
            InputWarning,
            stacklevel=2,
        )
    known = {
        _key(t.params): _values(t.user_attrs)
        for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    }
    while done < planned:
        start = done - done % batch
        queued = len(study.get_trials(deepcopy=False, states=(TrialState.WAITING,)))
        drawn = _sampler_seed(optimisation.seed, done + queued)  # start, in a whole batch
        study.sampler = _sampler(optimisation, drawn)
        trials = [study.ask() for _ in range(min(start + batch, planned) - done)]
        plans = [suggest(trial, optimisation) for trial in trials]
        fresh = [i for i, trial in enumerate(trials) if _key(trial.params) not in known]
        results, errors = _evaluated_plans(evaluate, {i: plans[i] for i in fresh})
        for i, trial in enumerate(trials):
            if i in errors:
                trial.set_user_attr("error", errors[i])
                study.tell(trial, state=TrialState.FAIL)
                continue
            result = results.get(i) or {**known[_key(trial.params)], "repeats": True}
            values = [result[label] for label in labels]
            for key, value in result.items():
                trial.set_user_attr(key, value)
            if all(math.isfinite(v) for v in values):
                study.tell(trial, values)
                known[_key(trial.params)] = _values(trial.user_attrs)
            else:
                trial.set_user_attr("error", _undefined(optimisation, values))
                study.tell(trial, state=TrialState.FAIL)
        done = evaluated(study)
        if on_batch is not None:
            on_batch(done, planned)
    return done - done_before


def _undefined(optimisation: Optimisation, values: list[float]) -> str:
    """Say which objectives a plan's runs left undefined, and why an outcome may be.

    Examples
    --------
    >>> from types import SimpleNamespace as Objective
    >>> roi = Objective(label="mean:roi", outcome="roi")
    >>> _undefined(Objective(objectives=[roi]), [float("nan")])  # doctest: +NORMALIZE_WHITESPACE
    'objective mean:roi is undefined (NaN): roi has no value in the runs of this plan
    (undefined: roi where a run has no marketing cost, net_sentiment where no one spoke,
    mean_clv_per_buyer where no customer bought, a mean where no customer is counted)'
    """
    missing = [
        o
        for o, value in zip(optimisation.objectives, values, strict=True)
        if not math.isfinite(value)
    ]
    names = ", ".join(o.label for o in missing)
    outcomes = ", ".join(dict.fromkeys(o.outcome for o in missing))
    return (
        f"objective {names} is undefined (NaN): {outcomes} has no value in the runs of this "
        f"plan (undefined: {UNDEFINED})"
    )


def _evaluated_plans(
    evaluate: Evaluation, plans: dict[int, dict[str, Any]]
) -> tuple[dict[int, dict[str, float]], dict[int, str]]:
    """Evaluate a batch of plans by index; return their results and the errors of those failing.

    The batch is evaluated at once; if that fails, each plan alone, so that a plan's error
    is its own and the others are evaluated. An error of the machine (``OSError``: a lost
    cluster, a full disk; ``MemoryError``) is no plan's: it stops the search, whose
    unfinished plans a rerun evaluates again (:func:`recover`).
    """
    if not plans:
        return {}, {}
    try:
        return dict(zip(plans, evaluate(list(plans.values())), strict=True)), {}
    except (OSError, MemoryError):
        raise
    except Exception as error:
        if len(plans) == 1:
            return {}, {i: f"{type(error).__name__}: {error}" for i in plans}
    results, errors = {}, {}
    for i, plan in plans.items():
        found, failed = _evaluated_plans(evaluate, {i: plan})
        results.update(found)
        errors.update(failed)
    return results, errors


def _values(attrs: dict[str, Any]) -> dict[str, Any]:
    """Return an evaluation's values among its trial's user attributes, for a repeat to copy.

    Not what is said of the trial itself (``requeued_from``, ``repeats``): a repeat of a
    plan queued again after a stop replaced no trial.
    """
    return {k: v for k, v in attrs.items() if k not in ("requeued_from", "repeats")}


def _key(params: dict[str, Any]) -> str:
    return json.dumps(params, sort_keys=True)


def statistic(values: np.ndarray, kind: str, quantile: float) -> float:
    """Return the mean or the ``quantile`` of an evaluation's replications (NaN: undefined)."""
    values = np.asarray(values, dtype=float)
    if np.isnan(values).any():
        return math.nan
    return float(values.mean() if kind == "mean" else np.quantile(values, quantile))
