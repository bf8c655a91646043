"""Optimisation: how to spend a budget, searched with Optuna and selected with a guarantee.

- :mod:`~ecosim.optimize.schema`: optimisation files (:func:`load_optimisation`);
- :mod:`~ecosim.optimize.space`: decisions as scenario overrides, and in words;
- :mod:`~ecosim.optimize.posterior`: market parameters drawn from a calibration;
- :mod:`~ecosim.optimize.search`: the Optuna study (TPE, NSGA-II), resumable;
- :mod:`~ecosim.optimize.selection`: ranking and selection (Kim & Nelson 2001);
- :mod:`~ecosim.optimize.run`: :func:`optimise`, the search and the selection stage on
  the shared runner;
- :mod:`~ecosim.optimize.report`: the chosen plan, its comparison with the current plan,
  figures and importances.

Reading an optimisation file imports neither Optuna nor Dask; :func:`optimise` and
:func:`write_report` import them on first use.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from ecosim.optimize.schema import Optimisation, OptimisationError, load_optimisation

if TYPE_CHECKING:
    from ecosim.optimize.report import write_report
    from ecosim.optimize.run import Outcome, optimise

__all__ = [
    "Optimisation",
    "OptimisationError",
    "Outcome",
    "load_optimisation",
    "optimise",
    "write_report",
]

_LAZY = {"Outcome": "run", "optimise": "run", "write_report": "report"}


def __getattr__(name: str) -> Any:
    """Import the search, the selection and the report (Optuna, Dask) on first use."""
    if name in _LAZY:
        return getattr(import_module(f"ecosim.optimize.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
