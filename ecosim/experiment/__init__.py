"""Experiments: strategies compared over market conditions, with replications, in batch.

The package holds three parts, each in its module:

- :mod:`~ecosim.experiment.schema`: experiment files, validated like scenarios
  (:func:`load_experiment`);
- :mod:`~ecosim.experiment.plan`: the runs, the designs and the seeds
  (:func:`plan_runs`, :func:`sensitivity_design`);
- :mod:`~ecosim.experiment.runner`: the serial and Dask runners (:func:`run_experiment`,
  :func:`run_sensitivity`);

and :mod:`~ecosim.experiment.record` reads what a results folder holds. The runner's
names are imported on first use, so that reading an experiment or a record does not
import Dask.

Examples
--------
>>> from ecosim.experiment import load_experiment, plan_runs
>>> experiment = load_experiment("experiments/strategy_comparison.toml")
>>> len(plan_runs(experiment)) == 8 * 2 * 20
True
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from ecosim.experiment.plan import (
    Run,
    SensitivityDesign,
    condition_table,
    plan_runs,
    replication_seeds,
    sensitivity_design,
)
from ecosim.experiment.record import Record, describe_failures, read_record
from ecosim.experiment.schema import (
    DUMMY,
    Conditions,
    Experiment,
    ExperimentError,
    Parameter,
    Sensitivity,
    Strategy,
    load_experiment,
    outcome_names,
    scenario_changes,
    strategy_outcomes,
    strategy_overrides,
    summary_row,
)

if TYPE_CHECKING:
    from ecosim.experiment.runner import (
        BatchResult,
        Job,
        Runner,
        SensitivityResult,
        open_runner,
        run_experiment,
        run_sensitivity,
        simulate,
        summarise,
    )

__all__ = [
    "DUMMY",
    "BatchResult",
    "Conditions",
    "Experiment",
    "ExperimentError",
    "Job",
    "Parameter",
    "Record",
    "Run",
    "Runner",
    "Sensitivity",
    "SensitivityDesign",
    "SensitivityResult",
    "Strategy",
    "condition_table",
    "describe_failures",
    "load_experiment",
    "open_runner",
    "outcome_names",
    "plan_runs",
    "read_record",
    "replication_seeds",
    "run_experiment",
    "run_sensitivity",
    "scenario_changes",
    "sensitivity_design",
    "simulate",
    "strategy_outcomes",
    "strategy_overrides",
    "summarise",
    "summary_row",
]

_RUNNER = (
    "BatchResult",
    "Job",
    "Runner",
    "SensitivityResult",
    "open_runner",
    "run_experiment",
    "run_sensitivity",
    "simulate",
    "summarise",
)


def __getattr__(name: str) -> Any:
    """Import the runner's names (and with them Dask) when they are first used."""
    if name in _RUNNER:
        return getattr(import_module("ecosim.experiment.runner"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
