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

import shutil
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, NoReturn

import pandas as pd
import pyarrow.parquet as pq

from ecosim.calibrate.abc import (
    DATABASE,
    RECORD,
    Generation,
    changed_outputs,
    claim,
    cluster,
    continued,
    finished,
    mark_finished,
    posterior,
    reopen,
    search,
    stored_generations,
    unmoved,
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
from ecosim.calibrate.report import unmoved_note, write_report_text
from ecosim.calibrate.schema import Calibration, CalibrationError
from ecosim.errors import InputError, InputWarning
from ecosim.experiment.runner import check_runner_arguments
from ecosim.network import edge_list_digest
from ecosim.scenario.network import EdgeList
from ecosim.store import (
    atomic_path,
    held_folder,
    read_toml,
    refuse_foreign_files,
    sqlite_address,
    write_figure,
    write_parquet,
    write_text,
)

__all__ = ["CalibrationResult", "calibrate", "inputs", "outputs"]

SUMMARY = "posterior_summary.csv"
"""The posterior's table, which a rerun of a finished calibration reads."""
COLUMNS = ("parameter", "path", "prior", "mean", "sd", "median", "q05", "q95")
"""The columns of :data:`SUMMARY` (:func:`ecosim.calibrate.outputs.credible_intervals`)."""
FIGURES = ("figures/marginals.png", "figures/pairs.png", "figures/ppc.png")
"""The calibration's figures."""
OUTPUTS = (
    "posterior.parquet",
    "posterior_draws.parquet",
    SUMMARY,
    "ppc.csv",
    "ppc_simulations.parquet",
    "calibrated.toml",
    "report.md",
    *FIGURES,
)
"""Every file a finished calibration's folder holds beside its history and record."""
NETWORK = "calibrated_network.csv"
"""A copy of the scenario's edge list, which ``calibrated.toml`` reads beside it."""


def outputs(calibration: Calibration) -> tuple[str, ...]:
    """Return the files a calibration writes: :data:`OUTPUTS`, and its edge list's copy."""
    return (*OUTPUTS, NETWORK) if isinstance(calibration.scenario.network, EdgeList) else OUTPUTS


def inputs(calibration: Calibration) -> tuple[Path, ...]:
    """Return the files a calibration reads: its file, its scenario, data and edge list."""
    folder = Path(calibration.file).parent
    network = calibration.scenario.network
    return (
        Path(calibration.file),
        folder / calibration.scenario_file,
        folder / calibration.data.path,
        *((Path(network.path),) if isinstance(network, EdgeList) else ()),
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
    If any of its :data:`OUTPUTS` is missing, or is a table that cannot be read (cut short
    or damaged), they are all written again from the search's history, ``abc.db`` (with a
    warning): the draws, summary and check come out as they did. So are they when
    ``abc.draws`` or ``abc.ppc_draws`` changed since they were written (with the new
    counts); ``abc.batch_size`` may change at any time (a search's particles do not depend
    on it). With more ``abc.generations`` than it ran, a finished search is continued (with
    a warning), from its accepted particles; fewer are refused.

    Parameters
    ----------
    calibration : Calibration
    out : str or Path
    workers : int, optional
        Worker processes of the local Dask cluster (default: one per core).
    scheduler : str, optional
        Address of a running Dask scheduler.
    serial : bool
        Simulate in this process, without Dask (the same posterior as on a cluster).
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
    CalibrationError
        If the folder holds another calibration, or is finished but its summary is damaged,
        or its outputs are incomplete and its history is gone (or held by another program).
    InputError
        If an argument cannot be used, before anything runs
        (:func:`ecosim.experiment.runner.check_runner_arguments`, which refuses an output
        that would be written over one of the calibration's files, :func:`inputs`; and
        ``progress`` that is not callable), or the folder's path holds ``?`` or ``%``
        (:func:`ecosim.store.sqlite_address`).
    """
    out = check_runner_arguments(
        calibration,
        Calibration,
        "ecosim.calibrate.load_calibration",
        out,
        workers,
        scheduler,
        serial,
        dashboard,
        files=(RECORD, *OUTPUTS, NETWORK),  # before ``calibration`` is known to be one
        inputs=inputs,
    )
    if progress is not None and not callable(progress):
        raise InputError(
            "progress: expected a function, called with each Generation as it completes, or "
            f"None, got {type(progress).__name__}"
        )
    sqlite_address(out / DATABASE)  # a path its address would misread, before any writing
    # read only first: a folder this process cannot write
    if finished(out) and not _lacking(out, calibration) and not continued(out, calibration):
        return _read(calibration, out)
    fit = partial(_calibrate, calibration, out, workers, scheduler, serial, progress, dashboard)
    with held_folder(out, "calibration"):
        extended = 0
        if finished(out) and (extended := continued(out, calibration)):
            claim(calibration, out)  # another calibration's search is not continued
            warnings.warn(
                f"{out}: its search finished after {extended} generation(s); abc.generations "
                f"= {calibration.abc.generations} continues it (ask for {extended} to read "
                "its results as they are) from its accepted particles alone, as a finished "
                "folder keeps no simulations: its later generations are other draws than "
                "those of a search asked for as many from the start",
                InputWarning,
                stacklevel=2,
            )
            reopen(out)
        if finished(out):  # perhaps by another process since the check above
            if not (lacking := _lacking(out, calibration)):
                return _read(calibration, out)
            claim(calibration, out)  # another calibration's outputs are not written here
            changed = bool(changed_outputs(out, calibration))
            kept = _rewrite(out, lacking, changed)
            rewrite = (
                f"{out}: is finished but {lacking}: every output is written again from the "
                f"{kept} generation(s) of {DATABASE} (the search is not run again)"
            )
            return fit(rewrite, keep_report=not changed)
        refuse_foreign_files(out, outputs(calibration), RECORD)
        return fit(extended=bool(extended))


def _copy_network(network: EdgeList, out: Path) -> None:
    """Copy the edge list into ``out`` as :data:`NETWORK`, if it is the one fitted to.

    Raises
    ------
    CalibrationError
        If the file cannot be read, or is not the network the folder's record digested.
    """
    fitted = read_toml(out / RECORD).get("network")
    with atomic_path(out / NETWORK) as copy:
        try:
            shutil.copyfile(network.path, copy)
        except OSError as error:
            raise CalibrationError(
                network.path, [("", f"cannot be copied beside calibrated.toml ({error})")]
            ) from None
        copied = edge_list_digest(network.model_copy(update={"path": str(copy)})) or ""
        if fitted is not None and copied[:16] != fitted:
            raise CalibrationError(
                network.path,
                [
                    (
                        "",
                        "changed since the search began: it is not the network the folder "
                        "was fitted to; restore it and rerun the same command (the outputs "
                        f"are written from {DATABASE})",
                    )
                ],
            )


def _missing(out: Path, calibration: Calibration) -> list[str]:
    """Return the outputs a finished calibration's folder lacks.

    A ``calibrated.toml`` written before its edge list was copied beside it names the file
    where it was, and is complete without the copy.
    """
    names = outputs(calibration)
    if NETWORK in names and (out / "calibrated.toml").exists():
        try:
            written = read_toml(out / "calibrated.toml").get("network", {}).get("path")
        except (OSError, ValueError, AttributeError):
            written = None  # damaged: the check of the finished folder names it
        if written != NETWORK:
            names = OUTPUTS
    return [name for name in names if not (out / name).exists()]


def _lacking(out: Path, calibration: Calibration) -> str:
    """Say what a finished calibration's folder lacks ("" if nothing).

    Its outputs that are missing, its tables that cannot be read (a parquet file cut
    short or damaged: its footer is gone or wrong), and the output settings they were
    written with that changed since. They are made from the history, so writing them again
    loses nothing.
    """
    missing = _missing(out, calibration)
    damaged = [
        name
        for name in outputs(calibration)
        if name.endswith(".parquet") and name not in missing and not _readable(out / name)
    ]
    changed = changed_outputs(out, calibration)
    said = [f"lacks {', '.join(missing)}"] if missing else []
    said += [f"cannot read {', '.join(damaged)}"] if damaged else []
    return " and ".join([*said, *([f"was written with {', '.join(changed)}"] if changed else [])])


def _readable(table: Path) -> bool:
    """Whether a parquet file's footer can be read (pyarrow's ArrowInvalid is a ValueError)."""
    try:
        pq.read_metadata(table)
    except (OSError, ValueError):
        return False
    return True


def _rewrite(out: Path, lacking: str, changed: bool) -> int:
    """Return the generations a finished folder's outputs are written again from.

    ``changed``: because output settings changed (which may also be set back).

    Raises
    ------
    CalibrationError
        If the history they are written from holds no generation (missing or empty): the
        search would start again, and replace the posterior the folder had; or if it is
        damaged or held by another program (:func:`~ecosim.calibrate.abc.stored_generations`).
    """
    path = out / DATABASE
    kept = stored_generations(path) if path.is_file() else 0  # sqlite3 creates a missing one
    if not kept:
        raise CalibrationError(
            str(out),
            [
                (
                    "",
                    f"is finished, but {lacking}, and its search's history {DATABASE}, "
                    "from which the outputs would be written again, is missing or empty: "
                    "restore the folder from a copy, "
                    + ("or the settings it was written with, " if changed else "")
                    + "or calibrate into a new --out folder (the search starts again there)",
                )
            ],
        )
    return kept


def _read(calibration: Calibration, out: Path) -> CalibrationResult:
    """Return a finished calibration's result, read from its folder.

    Raises
    ------
    CalibrationError
        If the folder holds another calibration, or its summary is not the table of this
        calibration's parameters.
    """
    claim(calibration, out)
    path = out / SUMMARY
    text = dict.fromkeys(COLUMNS[:3], str)  # a parameter may be named NA or None
    try:
        summary = pd.read_csv(path, dtype=text, keep_default_na=False, na_values={})
    except (OSError, ValueError) as error:
        _damaged(out, f"cannot be read ({error})")
    labels = [p.label for p in calibration.parameters]
    if list(summary.columns) != list(COLUMNS):
        _damaged(out, f"has the columns {', '.join(map(str, summary.columns))}")
    if (rows := summary["parameter"].tolist()) != labels:
        _damaged(
            out,
            f"has rows for {', '.join(map(str, rows)) or 'no parameter'}, not for "
            f"{', '.join(labels)}",
        )
    numbers = summary[list(COLUMNS[3:])].apply(pd.to_numeric, errors="coerce")
    if numbers.isna().any(axis=None) or any(kind.kind not in "iuf" for kind in numbers.dtypes):
        _damaged(out, f"has cells in {', '.join(COLUMNS[3:])} that are not numbers")
    return CalibrationResult(out, summary.assign(**numbers.astype(float)), [], 0, 0, 0.0)


def _damaged(out: Path, what: str) -> NoReturn:
    """Refuse a finished folder's damaged summary, saying how to have it written again."""
    raise CalibrationError(
        str(out),
        [
            (
                "",
                f"{SUMMARY} {what}: it is damaged (expected the columns {', '.join(COLUMNS)}, "
                "a row per parameter); delete it and rerun the same command to have the "
                f"outputs written again from {DATABASE}",
            )
        ],
    )


def _calibrate(
    calibration: Calibration,
    out: Path,
    workers: int | None,
    scheduler: str | None,
    serial: bool,
    progress: Callable[[Generation], None] | None,
    dashboard: bool,
    rewrite: str = "",
    keep_report: bool = True,
    extended: bool = False,
) -> CalibrationResult:
    """Search (or resume), then write the outputs; with ``rewrite``, of a finished search.

    ``extended``: a finished search is continued with more generations (its warning said
    so, and that it goes on from its accepted particles alone).

    ``rewrite`` is the warning given once its history turns out to hold the whole search. A
    finished search's ``report.md`` is kept if it is there and ``keep_report``: it says where
    and how long the search ran, which its history does not record (but also the counts of
    draws, which a change of them makes wrong). A rewrite leaves the folder unfinished
    until every output is written: a stop in between has them all written on the next call.
    """
    started = time.perf_counter()
    with cluster(workers, scheduler, serial, dashboard) as client:
        found = search(
            calibration, out, client, progress, finished=bool(rewrite), extended=extended
        )
        if rewrite:  # unfinished until every output is written (its history found whole)
            reopen(out)
        if rewrite:
            warnings.warn(rewrite, InputWarning, stacklevel=3)
        flat = unmoved(found.history)
        if flat:
            warnings.warn(f"{calibration.name}: {unmoved_note(flat)}", InputWarning, stacklevel=3)
        particles = posterior(found.history)
        draws = posterior_draws(calibration, particles)
        ppc, simulations = predictive_check(calibration, draws, _mapper(client))
    summary = credible_intervals(calibration, particles)
    where = _where(client is None, workers, scheduler)
    seconds = time.perf_counter() - started
    write_parquet(particles, out / "posterior.parquet")
    write_parquet(draws, out / "posterior_draws.parquet")
    write_text(summary.to_csv(index=False), out / SUMMARY)
    write_text(ppc.to_csv(index=False), out / "ppc.csv")
    write_parquet(simulations, out / "ppc_simulations.parquet")
    write_figure(marginals_figure(calibration, particles, summary), out / "figures/marginals.png")
    write_figure(pairs_figure(calibration, particles), out / "figures/pairs.png")
    write_figure(ppc_figure(calibration, ppc), out / "figures/ppc.png")
    network = calibration.scenario.network
    if isinstance(network, EdgeList):  # calibrated.toml runs as written, wherever it goes
        _copy_network(network, out)
    write_text(
        calibrated_scenario(
            calibration, summary, NETWORK if isinstance(network, EdgeList) else None
        ),
        out / "calibrated.toml",
    )
    if not (rewrite and keep_report and (out / "report.md").exists()):
        write_text(
            write_report_text(
                calibration,
                summary,
                found.generations,
                ppc,
                seconds,
                where,
                found.resumed,
                rewritten=bool(rewrite),
                redrawn=found.redrawn,
                unmoved=flat,
            ),
            out / "report.md",
        )
    mark_finished(out, calibration)
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
