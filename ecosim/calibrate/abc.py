"""ABC-SMC with pyabc: the search, on Dask or in this process, resumable generation by generation.

pyabc (Klinger, Rickert & Hasenauer 2018; Schälte et al. 2022) runs sequential Monte
Carlo approximate Bayesian computation with an adaptive weighted Euclidean distance
(Prangle 2017), an adaptive population size (Klinger & Hasenauer 2017) and a normal
perturbation kernel in units of each parameter's spread (:mod:`ecosim.calibrate.kernel`). Each
generation is stored in the output folder's SQLite database (``abc.db``) as soon as it is
complete: a search that is interrupted (Ctrl-C, ``kill -9``, a lost worker) resumes from
its last complete generation when run again, and goes on as the uninterrupted search would
have (:mod:`ecosim.calibrate.resume`).

Reproducibility: a particle's simulations are seeded by a hash of the calibration's seed
and its parameter values (:func:`ecosim.calibrate.simulation.particle_seeds`), so a
particle's statistics never depend on the worker that computed it. The proposals are
drawn by pyabc from numpy's global random state, which the samplers of
:mod:`ecosim.calibrate.sampling` seed for each evaluation from the calibration's seed, the
generation and the evaluation's index, and a generation keeps its evaluations in index
order: in this process or on a Dask cluster of any size, a calibration is reproduced
exactly.
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager, nullcontext
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyabc
from pyabc.distance.scale import (
    median_absolute_deviation,
    median_absolute_deviation_to_observation,
)
from pyabc.random_variables import RVBase, RVDecorator
from sqlalchemy.exc import SQLAlchemyError

from ecosim.calibrate.kernel import ScaledNormalTransition
from ecosim.calibrate.posterior import (
    RECORD,
    SETTINGS,
    scenario_fingerprint,
    scenario_fingerprints,
    short_hash,
)
from ecosim.calibrate.resume import (
    SIMULATIONS,
    ResumableDistance,
    ResumablePopulationSize,
    keep_generation,
    resume,
)
from ecosim.calibrate.sampling import SeededDaskSampler, SeededSampler
from ecosim.calibrate.schema import Calibration, CalibrationError
from ecosim.calibrate.simulation import ParticleModel, statistic_weights, statistics
from ecosim.errors import stop_if_signalled
from ecosim.network import edge_list_digest
from ecosim.store import (
    dotted,
    kept_unreadable,
    read_toml,
    sqlite_address,
    writable_database,
    write_text,
)

__all__ = [
    "DATABASE",
    "OUTPUT_SETTINGS",
    "RECORD",
    "BoundedPrior",
    "Generation",
    "Search",
    "changed_outputs",
    "claim",
    "cluster",
    "continued",
    "fingerprint",
    "finished",
    "mark_finished",
    "posterior",
    "priors",
    "reopen",
    "search",
    "settings",
    "stored_generations",
    "unmoved",
]

REDRAWN = "redrawn_after"
"""The record's list of the generation counts after which a search resumed without its kept
simulations."""
DATABASE = "abc.db"
"""pyabc's SQLite history, in the output folder."""
NOT_SETTINGS = {"scenario", "file", "observed", "description"}
"""Fields of a calibration that are not its settings (the scenario and data are
fingerprinted apart; the description does not change a search)."""
OUTPUT_SETTINGS = ("abc.draws", "abc.ppc_draws")
"""Settings of what is written from a search's posterior, not of the search: a folder holding
the same search with others is resumed, or its outputs written again from its history."""
RUN_SETTINGS = ("abc.batch_size",)
"""Settings of how a search runs, not of what it finds (its particles are the same whatever
the batch size): a folder is resumed with another."""
LONGER = "abc.generations"
"""The setting a folder's search may be continued with, to more generations (not fewer)."""


class BoundedPrior(RVDecorator):
    """A prior held to its bounds: no draw and no density outside ``[low, high]``.

    scipy puts a distribution's ends at ``loc + scale * a``, which rounding can move a
    little past the bounds (a normal with mean 0.09 and sd 0.7 truncated to ``[0, 1]``
    starts at -1.4e-17): a draw or a proposal there would reach the scenario outside its
    field (a negative probability). The density is therefore 0 outside ``[low, high]``,
    and a draw outside them, or where the density is not finite and positive (a beta's
    bound), is drawn again: such draws have probability 0 in exact arithmetic, and the
    limits of :class:`~ecosim.calibrate.schema.Parameter` keep them rare in floating
    point.

    Parameters
    ----------
    component : pyabc.random_variables.RVBase
        The prior as scipy computes it.
    low, high : float
        The bounds.
    """

    TRIES = 10_000
    """Draws before giving up (as pyabc's ``LowerBoundDecorator``): a prior the limits
    admit needs one, seldom two."""

    def __init__(self, component: RVBase, low: float, high: float):
        super().__init__(component)
        self.low = low
        self.high = high

    def copy(self) -> BoundedPrior:
        """Return a copy (pyabc copies priors)."""
        return self.__class__(self.component.copy(), self.low, self.high)

    def decorator_repr(self) -> str:
        """Name the bounds in pyabc's representation of the prior."""
        return f"Bounded: {self.low} <= X <= {self.high}"

    def rvs(self, *args: Any, **kwargs: Any) -> float:
        """Draw until a value lies within the bounds with a finite, positive density.

        Raises
        ------
        ValueError
            If none of :attr:`TRIES` draws does (a prior outside the limits).
        """
        for _ in range(self.TRIES):
            x = self.component.rvs(*args, **kwargs)
            if self.low <= x <= self.high and 0 < self.component.pdf(x) < np.inf:
                return x
        raise ValueError(f"{self!r}: no draw within the bounds in {self.TRIES} tries")

    def pdf(self, x: float, *args: Any, **kwargs: Any) -> float:
        """Return the density at ``x``: scipy's within the bounds, 0 outside them."""
        return self.component.pdf(x, *args, **kwargs) if self.low <= x <= self.high else 0.0


def priors(calibration: Calibration) -> pyabc.Distribution:
    """Return the parameters' priors for pyabc, by label, each a :class:`BoundedPrior`."""
    return pyabc.Distribution(
        {
            p.label: BoundedPrior(pyabc.RV(p.scipy_name, *p.scipy_arguments), p.low, p.high)
            for p in calibration.parameters
        }
    )


@dataclass(frozen=True)
class Generation:
    """One generation of the search, as stored in the history.

    Attributes
    ----------
    t : int
    epsilon : float
    particles : int
        Accepted particles (the population size).
    simulations : int
        Particles simulated to accept them.
    seconds : float
        Wall time of the generation (0 for generations done before this call).
    """

    t: int
    epsilon: float
    particles: int
    simulations: int
    seconds: float

    @property
    def acceptance(self) -> float:
        """Accepted over simulated particles."""
        return self.particles / self.simulations if self.simulations else float("nan")

    def describe(self) -> str:
        """Return the progress line: generation, epsilon, acceptance rate and time."""
        return (
            f"generation {self.t}: epsilon {self.epsilon:.4g}, acceptance "
            f"{self.acceptance:.1%} ({self.particles} of {self.simulations} simulations), "
            f"{self.seconds:.1f} s"
        )


@dataclass(frozen=True)
class Search:
    """What :func:`search` did.

    Attributes
    ----------
    history : pyabc.History
    generations : list of Generation
        Every generation in the history, in order (those run by this call with their
        wall time, the others with 0 seconds).
    resumed : int
        Generations already complete before this call.
    ran : int
        Generations run by this call.
    seconds : float
    redrawn : list of int
        The generations after which this call or an earlier one resumed the search without
        their kept simulations (:func:`ecosim.calibrate.resume.resume`): the
        generations after them are other draws than an uninterrupted search's.
    """

    history: pyabc.History
    generations: list[Generation]
    resumed: int
    ran: int
    seconds: float
    redrawn: list[int] = field(default_factory=list)


def spread(*, samples: np.ndarray, s0: np.ndarray, **_: Any) -> np.ndarray:
    """Return the scale of each statistic: its spread among a generation's simulations.

    The median absolute deviation of the simulated values (pyABC's default), or, for a
    statistic on which most simulations agree, their median absolute deviation from the
    observed value. pyABC gives a statistic of scale 0 the weight 0: with the first alone,
    simulations that mostly tied (sales of 0 in most periods, the same last share) ignored
    the data they all missed, and a prior far from it matched with epsilon 0. A statistic
    is left out only when most simulations equal the observed value.

    Parameters
    ----------
    samples : ndarray of shape (simulations, statistics)
    s0 : ndarray of shape (statistics,)
        The observed statistics.

    Returns
    -------
    ndarray of shape (statistics,)

    Examples
    --------
    >>> samples = np.array([[0.0, 1.0], [0.0, 2.0], [0.0, 4.0], [1.0, 3.0]])
    >>> spread(samples=samples, s0=np.array([100.0, 2.0]))
    array([100.,   1.])
    """
    scale = median_absolute_deviation(samples=samples)
    tied = np.isclose(scale, 0)
    scale[tied] = median_absolute_deviation_to_observation(samples=samples[:, tied], s0=s0[tied])
    return scale


def search(
    calibration: Calibration,
    out: str | Path,
    client: Any | None = None,
    progress: Callable[[Generation], None] | None = None,
    *,
    finished: bool = False,
    extended: bool = False,
) -> Search:
    """Run (or resume) the ABC-SMC search of a calibration into ``out/abc.db``.

    Parameters
    ----------
    calibration : Calibration
    out : str or Path
        The output folder. If it already holds this calibration, the search continues
        from its last complete generation; if it holds another, nothing is run.
    client : dask.distributed.Client, optional
        Simulate on this cluster (:class:`~ecosim.calibrate.sampling.SeededDaskSampler`);
        without one, in this process, with the same particles.
    progress : callable, optional
        Called with each generation as it completes.
    finished : bool
        The folder's search finished: its history is read, and none is run.
    extended : bool
        A finished search is continued with more generations, from its accepted particles
        alone (a finished folder keeps no simulations; the caller has said so).

    Returns
    -------
    Search

    Raises
    ------
    CalibrationError
        If ``out`` holds a different calibration, or, ``finished``, a history with fewer
        generations than the search ran (restored from an older copy).
    """
    started = time.perf_counter()
    out = Path(out)
    database = sqlite_address(out / DATABASE)
    claim(calibration, out)
    keep = partial(keep_generation, out)
    abc = pyabc.ABCSMC(
        ParticleModel(calibration),
        priors(calibration),
        ResumableDistance(p=2, scale_function=spread, fixed_weights=statistic_weights(calibration)),
        population_size=ResumablePopulationSize(
            calibration.abc.population_size,
            max_population_size=calibration.abc.max_population_size
            or 2 * calibration.abc.population_size,
            min_population_size=max(10, calibration.abc.population_size // 4),
        ),
        transitions=ScaledNormalTransition(),
        sampler=(
            SeededSampler(calibration.seed, keep)
            if client is None
            else SeededDaskSampler(calibration.seed, client, calibration.abc.batch_size, keep)
        ),
    )
    done = _completed(out)
    with _quiet_pyabc(), _random_state(), writable_database(out / DATABASE):
        if done is None:
            np.random.seed(calibration.seed)  # noqa: NPY002 (pyabc draws from numpy's global state)
            history = abc.new(database, statistics(calibration.observed, calibration.statistics))
            done = 0
        else:
            history = abc.load(database, 1)
        remaining = calibration.abc.generations - done
        before = _generations(history)
        ran = []
        if remaining > 0 and not (before and before[-1].epsilon <= calibration.abc.min_epsilon):
            if finished:
                raise CalibrationError(
                    str(out),
                    [
                        (
                            "",
                            f"is finished, but {DATABASE} holds {done} generation(s), fewer "
                            "than its search ran: the outputs cannot be written again from "
                            "it; restore the folder from a copy, or calibrate into a new --out "
                            "folder",
                        )
                    ],
                )
            _record_longer(out, calibration.abc.generations)
            if done and not resume(
                out, done, calibration.seed, abc.distance_function, said=extended
            ):
                _record_redrawn(out, done)
            ran = _run(abc, calibration, remaining, progress)
    return Search(
        history=history,
        generations=[*before, *ran],
        resumed=done,
        ran=len(ran),
        seconds=time.perf_counter() - started,
        redrawn=_record(out / RECORD).get(REDRAWN, []),
    )


def _run(
    abc: pyabc.ABCSMC,
    calibration: Calibration,
    remaining: int,
    progress: Callable[[Generation], None] | None,
) -> list[Generation]:
    """Run generations one by one (pyabc's ``run`` loop, with a progress line each)."""
    t = abc.initialize_components_before_run(
        minimum_epsilon=calibration.abc.min_epsilon,
        max_nr_populations=remaining,
        min_acceptance_rate=0.0,
        max_total_nr_simulations=np.inf,
        max_walltime=None,
        min_eps_diff=0.0,
    )
    ran = []
    while True:
        started = time.perf_counter()
        outcome = abc.run_generation(t=t)
        if not outcome["successful"]:
            raise CalibrationError(
                calibration.file, [("", f"generation {t} could not be sampled (pyabc)")]
            )
        row = abc.history.get_all_populations().set_index("t").loc[t]
        ran.append(
            Generation(
                t,
                float(row["epsilon"]),
                int(row["particles"]),
                int(row["samples"]),
                time.perf_counter() - started,
            )
        )
        if progress is not None:
            progress(ran[-1])
        stop_if_signalled()  # a SIGTERM lost in a callback of the sampler's still stops here
        if abc.check_terminate(t=t, acceptance_rate=outcome["acceptance_rate"]):
            abc.history.done()
            return ran
        t += 1


@contextmanager
def _random_state() -> Iterator[None]:
    """Restore numpy's global random state, which pyabc draws from, when the search ends."""
    state = np.random.get_state()  # noqa: NPY002
    try:
        yield
    finally:
        np.random.set_state(state)  # noqa: NPY002


def _generations(history: pyabc.History) -> list[Generation]:
    table = history.get_all_populations()
    table = table[table["t"] >= 0]
    return [
        Generation(int(row.t), float(row.epsilon), int(row.particles), int(row.samples), 0.0)
        for row in table.itertuples()
    ]


def _completed(out: Path) -> int | None:
    """Complete generations in the folder's history (None: no search started).

    A history without a complete generation (the first start was stopped before its first
    generation finished), or one pyabc cannot open (an empty file, or tables without
    pyabc's version row: stopped while pyabc created them), holds nothing to keep and is
    removed, so that the search starts as an uninterrupted one does; one that holds
    generations pyabc cannot read is kept and refused.
    """
    path = out / DATABASE
    if not path.exists():
        return None
    try:
        history = pyabc.History(sqlite_address(path), _id=1, create=False)
        complete = len(_generations(history))
        if complete:
            return complete
        _remove(path)
        return None
    except (ValueError, AssertionError, SQLAlchemyError, pd.errors.DatabaseError) as error:
        if stored_generations(path):
            raise CalibrationError(
                str(out),
                [("", f"{DATABASE} holds generations pyabc cannot read: {error}")],
            ) from None
        _remove(path)
        return None


def _remove(path: Path) -> None:
    """Remove a history that holds no generation, and its journal."""
    for stale in (path, path.with_name(f"{DATABASE}-journal")):
        stale.unlink(missing_ok=True)


def _fitted(out: Path) -> bool:
    """Whether the folder holds a generation, or a finished calibration."""
    database = out / DATABASE
    return bool(database.exists() and stored_generations(database)) or finished(out)


def stored_generations(path: Path) -> int:
    """Count the generations (t >= 0) a history holds, without pyabc (0: no such table).

    Raises
    ------
    CalibrationError
        If another program holds the file (it cannot be read now), or it is damaged (not a
        database, malformed, a table without its columns): it holds finished work that no
        rerun should delete, so it is kept as it is either way.
    """
    with closing(sqlite3.connect(path, timeout=2)) as db:
        try:
            return db.execute("SELECT COUNT(*) FROM populations WHERE t >= 0").fetchone()[0]
        except sqlite3.DatabaseError as error:
            if "no such table" in str(error):
                return 0
            if error.sqlite_errorname in ("SQLITE_BUSY", "SQLITE_LOCKED"):
                problem = kept_unreadable(f"{DATABASE} cannot be read now", error)
            else:
                problem = kept_unreadable(
                    f"{DATABASE} is damaged",
                    error,
                    "restore it from a copy to resume, or move it away to start the search afresh",
                )
            raise CalibrationError(str(path.parent), [("", problem)]) from None


@contextmanager
def _quiet_pyabc() -> Iterator[None]:
    """Keep pyabc's log to warnings: the progress lines say what a generation did."""
    loggers = [logging.getLogger(name) for name in ("ABC", "Sampler", "Epsilon", "Distance")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


# ---------------------------------------------------------------- the folder's record


def fingerprint(calibration: Calibration) -> dict[str, str]:
    """Hashes of what a search depends on: the settings, the scenario and the data."""
    dumped = calibration.model_dump(exclude=NOT_SETTINGS)
    hashes = {
        "settings": short_hash(repr(dumped)),
        "scenario": scenario_fingerprint(calibration.scenario),
        "data": short_hash(calibration.observed.to_csv(index=False)),
    }
    if digest := edge_list_digest(calibration.scenario.network):
        hashes["network"] = digest[:16]
    return hashes


def settings(calibration: Calibration) -> dict[str, Any]:
    """Return a calibration's settings by dotted name, as the file and ``--set`` name them.

    Parameters
    ----------
    calibration : Calibration

    Returns
    -------
    dict
        ``{"seed": 7, "parameters.0.low": 0.005, "abc.generations": 8, ...}``, without
        the settings left unset.
    """
    dumped = calibration.model_dump(exclude=NOT_SETTINGS)
    dumped["scenario"] = dumped.pop("scenario_file")  # the file's name for it
    return dotted(dumped)


def claim(calibration: Calibration, out: Path) -> None:
    """Record the calibration in a new folder, or check that the folder holds the same one.

    Parameters
    ----------
    calibration : Calibration
    out : Path
        The output folder.

    Raises
    ------
    CalibrationError
        If the folder holds another calibration, naming each setting that differs (with
        the folder's value and this calibration's), and a changed scenario or data.
    """
    import tomli_w

    path = out / RECORD
    mine = {"name": calibration.name, "file": calibration.file, **fingerprint(calibration)}
    if not path.exists():
        if (out / DATABASE).exists():
            raise CalibrationError(
                str(out), [("", f"holds {DATABASE} but no {RECORD}; use another --out")]
            )
        record = {**mine, "finished": False, SETTINGS: settings(calibration)}
        write_text(tomli_w.dumps(record), path)
        return
    held = _record(path)
    if not {"file", "finished"} <= held.keys():
        raise CalibrationError(
            str(out),
            [
                (
                    "",
                    f"its {RECORD} is not the record ecosim writes of a calibration (it has no "
                    "file or finished: the calibration file itself?); write the results into "
                    "a folder of their own",
                )
            ],
        )
    differences = _differences(held, mine, calibration)
    mended = [name for name, _ in differences] == ["network.path"] and "network" in mine
    if mended and not _fitted(out):
        # nothing was fitted to the old file (its simulations failed, say): use the new one
        _update_record(out, network=mine["network"])
        return
    if differences:
        then = "read its results" if held.get("finished") else "resume it"
        raise CalibrationError(
            str(out),
            differences,
            reason=f"holds a different calibration ({held.get('name')!r} from "
            f"{held.get('file')}), which differs as listed below; its generations are not "
            "mixed with another's: use a new --out folder for this one, or restore the "
            f"folder's values to {then} (or remove the folder to start again)",
        )


FILES = {"scenario", "data.path"}
"""Settings that name a file: compared by what the file holds (the scenario's and the data's
fingerprints), not by how its path is written (``--set`` writes it from the working folder)."""


def _differences(
    held: dict[str, Any], mine: dict[str, str], calibration: Calibration
) -> list[tuple[str, str]]:
    """Return what differs between the folder's record and a calibration, by dotted name."""
    was = held.get(SETTINGS)
    if was is None:  # a record written before settings were kept by name
        found = (
            [("settings", "differ from the folder's (its record does not name them)")]
            if held.get("settings") != mine["settings"]
            else []
        )
    else:
        now = settings(calibration)
        found = [
            (name, f"folder has {_shown(was.get(name))}, now {_shown(now.get(name))}")
            for name in dict.fromkeys([*was, *now])
            if was.get(name) != now.get(name)
            and name not in (*FILES, *OUTPUT_SETTINGS, *RUN_SETTINGS)
            and not (name == LONGER and _more(was.get(name), now.get(name)))
        ]
    now, before = scenario_fingerprints(calibration.scenario)
    if held.get("scenario") == now and "network" in mine and "network" not in held:
        found.append(
            (
                "network.path",
                "the folder's record holds no digest of the edge list (it could not be read "
                "when the folder was started), so which network it was fitted to is unknown",
            )
        )
    elif held.get("scenario") not in (now, before):
        found.append(
            (
                "scenario",
                f"{calibration.scenario_file} (with customers and days applied) is not the "
                "scenario the folder was fitted to",
            )
        )
    if "network" in held and held["network"] != mine.get("network"):
        path = getattr(calibration.scenario.network, "path", None)
        found.append(
            (
                "network.path",
                "the folder was fitted to an edge list; "
                + (
                    f"{path} holds another network (or cannot be read)"
                    if path
                    else f"the scenario's network is now {calibration.scenario.network.kind}"
                ),
            )
        )
    if held.get("data") != mine["data"]:
        found.append(
            ("data", f"{calibration.data.path} holds other values than the folder was fitted to")
        )
    return found


def _shown(value: Any) -> str:
    return "none" if value is None else repr(value)


def _record(path: Path) -> dict[str, Any]:
    """Read the folder's record (:data:`RECORD`).

    Raises
    ------
    CalibrationError
        If it is damaged (no TOML, or no UTF-8 text): it is kept as it is, and named.
    """
    try:
        return read_toml(path)
    except ValueError as error:  # tomllib's and UnicodeDecodeError are ValueErrors
        problem = kept_unreadable(
            f"{path.name} is damaged",
            error,
            "restore it from a copy, or move the folder away to start again",
        )
        raise CalibrationError(str(path.parent), [("", problem)]) from None


def finished(out: str | Path) -> bool:
    """Whether the folder's calibration is finished: search and outputs written."""
    path = Path(out) / RECORD
    return path.exists() and bool(_record(path).get("finished"))


def _update_record(out: str | Path, named: dict[str, Any] | None = None, **fields: Any) -> None:
    """Write the folder's record again with ``fields`` set and ``named`` among its settings.

    ``named`` settings go into the record's settings by dotted name (a record written before
    settings were kept by name keeps none).
    """
    import tomli_w

    path = Path(out) / RECORD
    held = _record(path)
    if named and isinstance(held.get(SETTINGS), dict):
        held[SETTINGS] = {**held[SETTINGS], **named}
    write_text(tomli_w.dumps({**held, **fields}), path)


def _record_redrawn(out: Path, done: int) -> None:
    """Record that the search resumed after ``done`` generations without their kept simulations.

    Kept in the folder's record for the report, which a later call may write.
    """
    redrawn = sorted({*_record(out / RECORD).get(REDRAWN, []), done})
    _update_record(out, **{REDRAWN: redrawn})


def mark_finished(out: str | Path, calibration: Calibration) -> None:
    """Record that the folder's search and outputs are complete; remove what resuming needs.

    The record then holds the :data:`OUTPUT_SETTINGS` and :data:`RUN_SETTINGS` the outputs
    were written with, and the generations asked for (:data:`LONGER`). The kept simulations
    go first: a search stopped in between holds all its generations, so the next call reads
    none of them, and a finished folder never keeps them.
    """
    shutil.rmtree(Path(out) / SIMULATIONS, ignore_errors=True)
    now = settings(calibration)
    kept = (*OUTPUT_SETTINGS, *RUN_SETTINGS, LONGER)
    _update_record(out, {name: now[name] for name in kept if name in now}, finished=True)


def _more(was: Any, now: Any) -> bool:
    """Whether ``now`` asks for more generations than ``was`` (both whole numbers)."""
    return isinstance(was, int) and isinstance(now, int) and now > was


def continued(out: str | Path, calibration: Calibration) -> int:
    """Return the generations a finished folder's search ran, if the calibration asks for more.

    0 if it asks for no more than the folder's record, or its search stopped on epsilon
    reaching ``abc.min_epsilon`` (more would run none).

    Raises
    ------
    CalibrationError
        If the record or the history is damaged (:func:`stored_generations`), or the history
        it would continue from is missing or empty.
    """
    was = _record(Path(out) / RECORD).get(SETTINGS)
    asked = was.get(LONGER) if isinstance(was, dict) else None
    if not _more(asked, calibration.abc.generations):
        return 0
    path = Path(out) / DATABASE
    ran = stored_generations(path) if path.is_file() else 0
    if not ran:
        raise CalibrationError(
            str(out),
            [
                (
                    "",
                    f"is finished after {asked} generation(s), but its search's history "
                    f"{DATABASE}, from which it would continue to {calibration.abc.generations}, "
                    f"is missing or empty: restore it from a copy, ask for {asked} generations "
                    "to read the folder's results, or calibrate into a new --out folder",
                )
            ],
        )
    with closing(sqlite3.connect(path, timeout=2)) as db:
        (last,) = db.execute(
            "SELECT epsilon FROM populations WHERE t = (SELECT MAX(t) FROM populations)"
        ).fetchone()
    return ran if ran >= asked and last > calibration.abc.min_epsilon else 0


def _record_longer(out: Path, generations: int) -> None:
    """Record the generations a search runs to, if more than its record's, before it runs.

    Fewer are then refused: a search stopped on its way asked for more than it holds.
    """
    was = _record(out / RECORD).get(SETTINGS)
    if isinstance(was, dict) and _more(was.get(LONGER), generations):
        _update_record(out, {LONGER: generations})


def reopen(out: str | Path) -> None:
    """Record that the folder's search goes on: it is not finished until its outputs are."""
    _update_record(out, finished=False)


def changed_outputs(out: str | Path, calibration: Calibration) -> list[str]:
    """Return the :data:`OUTPUT_SETTINGS` a finished folder's outputs were written without.

    Each as ``"abc.draws 1000 (now 2000)"``; none for a record that does not name its
    settings, or that cannot be read (its check names it).
    """
    try:
        was = read_toml(Path(out) / RECORD).get(SETTINGS)
    except (OSError, ValueError):
        return []
    if not isinstance(was, dict):
        return []
    now = settings(calibration)
    return [
        f"{name} {was[name]} (now {now.get(name)})"
        for name in OUTPUT_SETTINGS
        if name in was and was[name] != now.get(name)
    ]


def posterior(history: pyabc.History) -> pd.DataFrame:
    """Return the last generation's particles: a column per parameter label, then ``weight``."""
    frame, weights = history.get_distribution(m=0, t=history.max_t)
    frame = frame.reset_index(drop=True)
    frame.columns.name = None
    return frame.assign(weight=weights)


def unmoved(history: pyabc.History) -> dict[str, float]:
    """Return the statistics if none moved: each the same in every particle of generation 0.

    Generation 0 draws its particles from the prior. If every statistic came out the same in
    all of them, whatever the parameters, every particle was as near the data as any other:
    the search cannot tell the parameters apart, and its posterior is the prior.

    Returns
    -------
    dict of str to float
        Each statistic's one value, or empty if any statistic took two values.
    """
    _, stats = history.get_weighted_sum_stats(t=0)
    if not stats:
        return {}
    first = stats[0]
    same = all(np.array_equal(np.asarray(s[k]), np.asarray(first[k])) for s in stats for k in first)
    return (
        {label: float(np.asarray(value).ravel()[0]) for label, value in first.items()}
        if same
        else {}
    )


@contextmanager
def cluster(
    workers: int | None, scheduler: str | None, serial: bool, dashboard: bool = False
) -> Iterator[Any | None]:
    """Yield the Dask client ``ecosim batch`` would use (the same cluster), or None for serial."""
    if serial:
        with nullcontext() as nothing:
            yield nothing
        return
    from ecosim.experiment.runner import dask_client

    with dask_client(workers, scheduler, dashboard, ["ecosim.calibrate.sampling"]) as client:
        yield client
