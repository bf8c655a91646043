"""A whole calibration: the search, then every output, into one folder.

Examples
--------
.. code-block:: python

    from ecosim.calibrate import calibrate, load_calibration

    calibration = load_calibration("calibrations/room_air_conditioners_bass.toml")
    result = calibrate(calibration, "results/air_conditioners", serial=True)
    result.summary  # posterior mean, sd, median, 90% credible interval
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ecosim.calibrate.abc import (
    Generation,
    claim,
    cluster,
    finished,
    mark_finished,
    posterior,
    search,
)
from ecosim.calibrate.outputs import (
    calibrated_scenario,
    credible_intervals,
    marginals_figure,
    pairs_figure,
    posterior_draws,
    ppc_figure,
    predictive_check,
)
from ecosim.calibrate.report import write_report_text
from ecosim.calibrate.schema import Calibration
from ecosim.store import held_folder, write_figure, write_parquet, write_text

__all__ = ["CalibrationResult", "calibrate"]

OUTPUTS = (
    "posterior.parquet",
    "posterior_draws.parquet",
    "posterior_summary.csv",
    "ppc.csv",
    "calibrated.toml",
    "report.md",
    "figures/",
)


@dataclass(frozen=True)
class CalibrationResult:
    """What :func:`calibrate` did and found.

    Attributes
    ----------
    directory : Path
    summary : pandas.DataFrame
        Posterior mean, sd, median and 90% credible interval per parameter.
    generations : list of Generation
    resumed : int
        Generations complete before this call.
    ran : int
        Generations run by this call (0 when the folder's calibration was finished).
    seconds : float
    """

    directory: Path
    summary: pd.DataFrame
    generations: list[Generation]
    resumed: int
    ran: int
    seconds: float


def calibrate(
    calibration: Calibration,
    out: str | Path,
    workers: int | None = None,
    scheduler: str | None = None,
    serial: bool = False,
    progress: Callable[[Generation], None] | None = None,
    dashboard: bool = False,
) -> CalibrationResult:
    """Fit a calibration (or resume it) and write its outputs into ``out``.

    A folder whose calibration is finished is not searched again: its summary is read.

    Parameters
    ----------
    calibration : Calibration
    out : str or Path
    workers : int, optional
        Worker processes of the local Dask cluster (default: one per core).
    scheduler : str, optional
        Address of a running Dask scheduler.
    serial : bool
        Simulate in this process (the only mode that reproduces a posterior exactly).
    progress : callable, optional
        Called with each generation as it completes.
    dashboard : bool
        Serve the local Dask cluster's dashboard (as ``ecosim batch --dashboard``).

    Returns
    -------
    CalibrationResult

    Raises
    ------
    StoreError
        If another process is writing ``out``.
    """
    out = Path(out)
    if finished(out):  # read only: a finished folder may be one this process cannot write
        return _read(calibration, out)
    with held_folder(out, "calibration"):
        if finished(out):  # by another process since the check above
            return _read(calibration, out)
        return _calibrate(calibration, out, workers, scheduler, serial, progress, dashboard)


def _read(calibration: Calibration, out: Path) -> CalibrationResult:
    """Return a finished calibration's result, read from its folder."""
    claim(calibration, out)
    return CalibrationResult(out, pd.read_csv(out / "posterior_summary.csv"), [], 0, 0, 0.0)


def _calibrate(
    calibration: Calibration,
    out: Path,
    workers: int | None,
    scheduler: str | None,
    serial: bool,
    progress: Callable[[Generation], None] | None,
    dashboard: bool,
) -> CalibrationResult:
    started = time.perf_counter()
    with cluster(workers, scheduler, serial, dashboard) as client:
        found = search(calibration, out, client, progress)
        particles = posterior(found.history)
        draws = posterior_draws(calibration, particles)
        ppc, simulations = predictive_check(calibration, draws, _mapper(client))
    summary = credible_intervals(calibration, particles)
    where = _where(client is None, workers, scheduler)
    seconds = time.perf_counter() - started
    write_parquet(particles, out / "posterior.parquet")
    write_parquet(draws, out / "posterior_draws.parquet")
    write_text(summary.to_csv(index=False), out / "posterior_summary.csv")
    write_text(ppc.to_csv(index=False), out / "ppc.csv")
    write_parquet(simulations, out / "ppc_simulations.parquet")
    write_figure(marginals_figure(calibration, particles, summary), out / "figures/marginals.png")
    write_figure(pairs_figure(calibration, particles), out / "figures/pairs.png")
    write_figure(ppc_figure(calibration, ppc), out / "figures/ppc.png")
    write_text(calibrated_scenario(calibration, summary), out / "calibrated.toml")
    write_text(
        write_report_text(
            calibration, summary, found.generations, ppc, seconds, where, found.resumed
        ),
        out / "report.md",
    )
    mark_finished(out)
    return CalibrationResult(out, summary, found.generations, found.resumed, found.ran, seconds)


def _mapper(client: Any | None) -> Callable[[Callable[..., Any], list[Any]], list[Any]] | None:
    if client is None:
        return None

    def run(function: Callable[..., Any], arguments: list[Any]) -> list[Any]:
        futures = client.map(function, arguments, pure=False)
        try:
            # One at a time, as ecosim.experiment.Runner.summaries: an interrupted gather
            # of all leaves a waiting task per unfinished run, each printing a traceback.
            return [future.result() for future in futures]
        finally:
            for future in futures:
                future.release()

    return run


def _where(serial: bool, workers: int | None, scheduler: str | None) -> str:
    if serial:
        return "in one process"
    if scheduler:
        return f"on the Dask cluster at {scheduler}"
    return (
        f"on a local Dask cluster of {workers} worker(s)"
        if workers
        else ("on a local Dask cluster, one worker per core")
    )
