"""What a resumed search needs to go on as the uninterrupted search would have.

pyabc's history keeps each generation's accepted particles. From them alone pyabc cannot
continue a search as it would have gone on: its adaptive distance (Prangle 2017) is refitted
after every generation to the spread of *every* simulation, the rejected ones included; its
adaptive population size starts from the size it chose last, which it holds in memory; and
the bootstrap that chooses the next size draws from this process's random state. Here, for
every generation, the statistics of all its simulations and the random state it started
from are written to the output folder (``abc_simulations/``) before pyabc stores the
generation, so that whenever the search stops, the generation it resumes after has its
file; a search resumed from it draws what the uninterrupted search drew.
"""

from __future__ import annotations

import os
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyabc

from ecosim.calibrate.schema import CalibrationError
from ecosim.errors import InputWarning

__all__ = [
    "SIMULATIONS",
    "Kept",
    "ResumableDistance",
    "ResumablePopulationSize",
    "keep_generation",
    "kept_generation",
    "resume",
]

SIMULATIONS = "abc_simulations"
"""The folder, in the output folder, of the last two generations' simulations."""

_STATE = "__random_state__"
"""The keys, in a generation's file, of the random state the generation started from."""


class Kept:
    """A generation's file: the statistics of all its simulations and its random state.

    Attributes
    ----------
    sample : pyabc.Sample
        One particle per simulation, with its statistics only.
    random_state : tuple
        numpy's global random state before the generation (:func:`numpy.random.get_state`).
    """

    def __init__(self, sample: pyabc.Sample, random_state: tuple) -> None:
        self.sample = sample
        self.random_state = random_state


def _path(folder: Path, t: int) -> Path:
    return folder / SIMULATIONS / f"generation_{t}.npz"


def keep_generation(folder: str | Path, t: int, sample: pyabc.Sample) -> None:
    """Write the statistics of every simulation of generation ``t`` and the random state.

    Called before pyabc stores the generation, with numpy's global random state as it was
    before the generation (the samplers restore it). Written whole (to a temporary file,
    then renamed). Generations before ``t - 1`` are no longer needed and are removed.

    Parameters
    ----------
    folder : str or Path
        The calibration's output folder.
    t : int
        The generation.
    sample : pyabc.Sample
        The generation's sample, rejected particles recorded.
    """
    path = _path(Path(folder), t)
    path.parent.mkdir(exist_ok=True)
    particles = sample.all_particles
    names = list(particles[0].sum_stat) if particles else []
    _, keys, position, has_gauss, cached = np.random.get_state()  # noqa: NPY002
    columns = {name: np.array([p.sum_stat[name] for p in particles]) for name in names}
    columns[f"{_STATE}keys"] = keys
    columns[f"{_STATE}numbers"] = np.array([position, has_gauss, cached], dtype=float)
    partial = path.with_name(f".{path.name}.partial")
    with partial.open("wb") as file:
        np.savez(file, **columns)
        file.flush()
        os.fsync(file.fileno())
    partial.replace(path)
    folder_handle = os.open(path.parent, os.O_RDONLY)
    try:  # the rename on disk before pyabc's commit of the generation
        os.fsync(folder_handle)
    finally:
        os.close(folder_handle)
    for old in path.parent.glob("generation_*.npz"):
        generation = old.stem.removeprefix("generation_")
        if generation.isdigit() and int(generation) < t - 1:
            old.unlink(missing_ok=True)
    for stale in path.parent.glob(".generation_*.npz.partial"):  # a write that was cut short
        stale.unlink(missing_ok=True)


def kept_generation(folder: str | Path, t: int) -> Kept | None:
    """Read what :func:`keep_generation` kept of generation ``t`` (None: nothing kept).

    Raises
    ------
    CalibrationError
        If the file cannot be read.
    """
    path = _path(Path(folder), t)
    if not path.exists():
        return None
    try:
        with np.load(path) as stored:
            columns = {name: stored[name] for name in stored.files}
        keys = columns.pop(f"{_STATE}keys")
        position, has_gauss, cached = columns.pop(f"{_STATE}numbers")
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as error:
        raise CalibrationError(
            str(path),
            [("", f"cannot be read ({error}): delete it to resume from pyabc's history alone")],
        ) from None
    sample = pyabc.Sample(record_rejected=True)
    count = len(next(iter(columns.values()))) if columns else 0
    for i in range(count):
        sum_stat = {name: float(values[i]) for name, values in columns.items()}
        sample.append(
            pyabc.Particle(
                m=0, parameter=pyabc.Parameter(), weight=1.0, sum_stat=sum_stat, distance=np.nan
            )
        )
    return Kept(sample, ("MT19937", keys, int(position), int(has_gauss), float(cached)))


def resume(
    folder: str | Path, done: int, seed: int, distance: ResumableDistance, *, said: bool = False
) -> bool:
    """Resume a search after ``done`` generations from the file kept of the last one.

    numpy's global random state is set to the one that generation started from, and the
    distance is given its simulations to fit to. Without the file (removed, a folder from an
    earlier version, or a history restored from an older copy), the state is seeded from the
    calibration's seed and ``done``, with a warning: the distance is then fitted to the
    accepted particles alone, and the generations from ``done`` on are other draws than the
    uninterrupted search's.

    Parameters
    ----------
    folder : str or Path
        The calibration's output folder.
    done : int
        The complete generations the search resumes after.
    seed : int
        The calibration's seed.
    distance : ResumableDistance
        The search's distance.
    said : bool
        Whether the caller has already said that the search goes on from its accepted
        particles alone (a finished search continued): no warning then.

    Returns
    -------
    bool
        Whether the generation's file was found: the search goes on as the uninterrupted
        one.
    """
    kept = kept_generation(folder, done - 1)
    if kept is not None:
        np.random.set_state(kept.random_state)  # noqa: NPY002 (pyabc draws from numpy's global state)
        distance.resumed_from = kept.sample
        return True
    np.random.seed([seed, done])  # noqa: NPY002
    if said:
        return False
    warnings.warn(
        f"{Path(folder) / SIMULATIONS}: holds no file of generation {done - 1}: the search "
        "resumes from the accepted particles alone, and its generations from here on are "
        "other draws than an uninterrupted search's (the same target)",
        InputWarning,
        stacklevel=2,
    )
    return False


class ResumableDistance(pyabc.AdaptivePNormDistance):
    """pyabc's adaptive p-norm distance, refitted on resuming to every kept simulation.

    A resumed search (:func:`resume`) fits its first distance to every simulation of the
    last stored generation, as the uninterrupted search did, when :func:`keep_generation`
    kept them; otherwise to its accepted particles, as pyabc does.

    Parameters
    ----------
    **options
        pyabc's :class:`~pyabc.AdaptivePNormDistance` options.

    Attributes
    ----------
    resumed_from : pyabc.Sample or None
        Every simulation of the generation the search resumes after, set by :func:`resume`.
    """

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.resumed_from: pyabc.Sample | None = None

    def initialize(
        self,
        t: int,
        get_sample: Callable[[], pyabc.Sample],
        x_0: dict,
        total_sims: int,
    ) -> None:
        """Fit the distance of generation ``t``, to :attr:`resumed_from` if it is set."""
        kept = self.resumed_from
        super().initialize(
            t=t,
            get_sample=get_sample if kept is None else lambda: kept,
            x_0=x_0,
            total_sims=total_sims,
        )


class ResumablePopulationSize(pyabc.populationstrategy.AdaptivePopulationSize):
    """pyabc's adaptive population size, starting from the last generation's size.

    pyabc chooses the next generation's size starting from the size it chose last, held in
    memory: a resumed search started from the first generation's. Here it starts from the
    size of the last generation, the particles the kernels were fitted to: the same size in
    an uninterrupted search, and in a resumed one.

    Parameters
    ----------
    *args, **options
        pyabc's :class:`~pyabc.populationstrategy.AdaptivePopulationSize` arguments.
    """

    def update(self, transitions: Any, model_weights: np.ndarray, t: int | None = None) -> None:
        """Choose generation ``t``'s size from the last generation's fitted kernels."""
        self.nr_particles = sum(len(transition.X) for transition in transitions)
        super().update(transitions, model_weights, t)
