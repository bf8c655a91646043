"""Calibration: a scenario fitted to a firm's observed outcomes, with posterior uncertainty.

The package holds, each in its module:

- :mod:`~ecosim.calibrate.schema`: calibration files, validated like scenarios
  (:func:`load_calibration`);
- :mod:`~ecosim.calibrate.data`: the observed data and the simulated days aggregated
  into its periods;
- :mod:`~ecosim.calibrate.simulation`: one particle's simulations and statistics;
- :mod:`~ecosim.calibrate.abc`: the ABC-SMC search (pyabc), on Dask or in this process,
  resumable, with its perturbation kernel in :mod:`~ecosim.calibrate.kernel`;
- :mod:`~ecosim.calibrate.outputs` and :mod:`~ecosim.calibrate.report`: posterior samples,
  tables, figures, the posterior predictive check, ``calibrated.toml`` and ``report.md``;
- :mod:`~ecosim.calibrate.fit`: all of it into one folder (:func:`calibrate`);
- :mod:`~ecosim.calibrate.posterior`: posterior draws for experiments.

pyabc (and with it scikit-learn) is imported on first use of the search, so that reading
a calibration or its draws stays fast.

Examples
--------
>>> from ecosim.calibrate import load_calibration
>>> calibration = load_calibration("calibrations/room_air_conditioners_bass.toml")
>>> calibration.observed.shape[0]
13
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from ecosim.calibrate.posterior import replication_overrides
from ecosim.calibrate.schema import Calibration, CalibrationError, load_calibration

if TYPE_CHECKING:
    from ecosim.calibrate.fit import CalibrationResult, calibrate

__all__ = [
    "Calibration",
    "CalibrationError",
    "CalibrationResult",
    "calibrate",
    "load_calibration",
    "replication_overrides",
]


def __getattr__(name: str) -> Any:
    """Import the search (and with it pyabc) when it is first used."""
    if name in ("CalibrationResult", "calibrate"):
        return getattr(import_module("ecosim.calibrate.fit"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
