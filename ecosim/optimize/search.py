"""The search: Optuna's ask-and-tell over a study kept in SQLite, resumable.

The driver (this process) asks the study for a batch of plans, has them evaluated (on
the cluster), and tells the study their objective values: only the driver writes the
database. TPE (Bergstra et al. 2011) searches one objective, NSGA-II (Deb et al. 2002)
several, for a Pareto front. A run killed mid-batch leaves its plans RUNNING for good
(ask-and-tell has no heartbeat): :func:`recover` marks them failed and puts their
parameters back in the queue, so the next batch evaluates them first; finished
evaluations are in the database and are never redone.

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
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import optuna
from optuna.trial import TrialState

from ecosim.optimize.schema import Optimisation
from ecosim.optimize.space import suggest

__all__ = [
    "DATABASE",
    "Evaluation",
    "evaluated",
    "open_study",
    "recover",
    "run_search",
    "statistic",
]

DATABASE = "study.db"
"""The study's SQLite file in the output folder."""

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
    """
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    search = optimisation.search
    directions = [o.direction for o in optimisation.objectives]
    kind = search.sampler
    if kind == "auto":
        kind = "tpe" if len(directions) == 1 else "nsga2"
    storage = f"sqlite:///{(folder / DATABASE).resolve()}"
    seed = _sampler_seed(optimisation.seed, _trials_held(storage, optimisation.name))
    if kind == "tpe":
        sampler = optuna.samplers.TPESampler(
            seed=seed, n_startup_trials=search.startup, multivariate=True, constant_liar=True
        )
    elif kind == "nsga2":
        sampler = optuna.samplers.NSGAIISampler(population_size=search.population, seed=seed)
    else:
        sampler = optuna.samplers.RandomSampler(seed=seed)
    return optuna.create_study(
        study_name=optimisation.name,
        storage=storage,
        load_if_exists=True,
        sampler=sampler,
        directions=directions,
    )


def _trials_held(storage: str, name: str) -> int:
    """Return how many trials the study ``name`` in ``storage`` holds (0: none yet)."""
    try:
        study = optuna.load_study(study_name=name, storage=storage)
    except KeyError:  # no study of this name yet
        return 0
    return len(study.get_trials(deepcopy=False))


def _sampler_seed(seed: int, trials: int) -> int:
    """Return the sampler's seed for a study that holds ``trials`` trials.

    A new study's sampler is seeded by the file's ``seed``. A study continued (after an
    interruption, or with more evaluations) gets a seed of its own from ``seed`` and the
    trials it holds: a sampler seeded as at the start would draw the same random plans
    again, which are then copied rather than evaluated (``repeats``), so that the
    continued search spends its evaluations on plans it already has.

    Examples
    --------
    >>> _sampler_seed(7, 0)
    7
    >>> _sampler_seed(7, 4) != _sampler_seed(7, 6)
    True
    """
    if trials == 0:
        return seed
    return int(np.random.SeedSequence([seed, trials]).generate_state(1)[0])


def recover(study: optuna.Study) -> int:
    """Fail the trials a killed run left RUNNING and queue their parameters again.

    A trial killed before it was given its parameters has nothing to queue.

    Returns
    -------
    int
        How many were queued again.
    """
    stuck = study.get_trials(deepcopy=False, states=(TrialState.RUNNING,))
    queued = 0
    for trial in stuck:
        study.tell(trial.number, state=TrialState.FAIL)
        if trial.params:
            study.enqueue_trial(trial.params, user_attrs={"requeued_from": trial.number})
            queued += 1
    return queued


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
    """
    recover(study)
    planned = optimisation.search.evaluations
    labels = [o.label for o in optimisation.objectives]
    done_before = evaluated(study)
    done = done_before
    known = {
        _key(t.params): t.user_attrs
        for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    }
    while done < planned:
        trials = [study.ask() for _ in range(min(optimisation.search.batch, planned - done))]
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
                known[_key(trial.params)] = trial.user_attrs
            else:
                trial.set_user_attr("error", "an objective is undefined (NaN)")
                study.tell(trial, state=TrialState.FAIL)
        done = evaluated(study)
        if on_batch is not None:
            on_batch(done, planned)
    return done - done_before


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


def _key(params: dict[str, Any]) -> str:
    return json.dumps(params, sort_keys=True)


def statistic(values: np.ndarray, kind: str, quantile: float) -> float:
    """Return the mean or the ``quantile`` of an evaluation's replications (NaN: undefined)."""
    values = np.asarray(values, dtype=float)
    if np.isnan(values).any():
        return math.nan
    return float(values.mean() if kind == "mean" else np.quantile(values, quantile))
