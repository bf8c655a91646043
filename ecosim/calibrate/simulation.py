"""One particle's simulations: parameters in, summary statistics out.

A particle's seeds are a function of the calibration's seed and the particle's values
(:func:`particle_seeds`), not of the random state of the process that runs it: the same
parameters always give the same statistics, on any worker.

Examples
--------
>>> from ecosim.calibrate import load_calibration
>>> calibration = load_calibration("calibrations/room_air_conditioners_bass.toml")
>>> particle_seeds(calibration.seed, {"p": 0.01, "q": 0.4}, 2) == particle_seeds(
...     calibration.seed, {"q": 0.4, "p": 0.01}, 2)
True
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping

import numpy as np
import pandas as pd

from ecosim.calibrate.data import SENTIMENT_FLOWS, aggregate
from ecosim.calibrate.schema import Calibration, CalibrationError, Statistic, is_share
from ecosim.errors import stop_if_signalled, without_input_warnings
from ecosim.experiment.plan import run_seed
from ecosim.metrics import OUTCOMES, split_column
from ecosim.model import EcosystemModel
from ecosim.scenario import ScenarioError

__all__ = [
    "ParticleModel",
    "particle_seeds",
    "simulated_periods",
    "statistic_weights",
    "statistics",
]


HASHED_DIGITS = 9
"""Significant digits of a particle's values in the hash of its seeds (:func:`particle_seeds`)."""


def particle_seeds(seed: int, values: Mapping[str, float], replications: int) -> list[int]:
    """Return the seeds of a particle's replications: a hash of the seed and its values.

    The values are hashed rounded to :data:`HASHED_DIGITS` significant digits (``-0.0`` as
    ``0.0``). A particle's last digit depends on the machine (numpy picks its code for
    ``exp`` and ``log`` by the processor, and pyabc draws and perturbs particles with them),
    and a hash of every digit gave a particle one ulp apart other seeds, and so a whole
    search other particles, from one processor to another. Values that round to the same
    digits share their seeds; a value within an ulp of a rounding boundary (about one in
    10^7) can still round either way.

    Parameters
    ----------
    seed : int
        The calibration's seed.
    values : mapping of str to float
        The particle's parameter values by label (order does not matter).
    replications : int

    Returns
    -------
    list of int
        ``SeedSequence([seed, crc32(labels and values)]).spawn(replications)``, each
        child's first 63 bits.
    """
    text = ";".join(
        f"{label}={float(values[label]) + 0.0:.{HASHED_DIGITS}g}" for label in sorted(values)
    )
    root = np.random.SeedSequence([seed, zlib.crc32(text.encode())])
    return [run_seed(child) for child in root.spawn(replications)]


def simulated_periods(
    calibration: Calibration, values: Mapping[str, float], seed: int
) -> pd.DataFrame:
    """Run the scenario once with a particle's values; return its periods, scaled.

    Counts and money are multiplied by :meth:`Calibration.scale` (shares are not). Only
    the outcomes the statistics use are measured (and the flows a period's net sentiment
    is computed from). The scenario's input warnings (a campaign action cut short by the
    horizon) are not given again: reading the file gave them, with the parameters at
    their bounds (:func:`ecosim.calibrate.schema.load_calibration`), as ``ecosim batch``
    gives a run's once, not in every worker.

    Raises
    ------
    CalibrationError
        If the values together make an invalid scenario, or a statistic's outcome is
        undefined in a period (``mean_experience`` on a day no customer is aware):
        naming the calibration file, the values and the periods.
    """
    outcomes = {split_column(column)[0] for column in calibration.columns}
    if "net_sentiment" in outcomes:
        outcomes.update(SENTIMENT_FLOWS)
    shown = ", ".join(f"{label} = {value:g}" for label, value in values.items())
    try:
        with without_input_warnings():  # given as the file was read
            model = EcosystemModel(
                calibration.scenario,
                rng=seed,
                overrides=calibration.overrides(values),
                outcomes=sorted(outcomes),
            )
    except ScenarioError as error:
        raise CalibrationError(
            calibration.file,
            [
                ("parameters", f"{shown} make an invalid scenario: {where}: {message}")
                for where, message in error.problems
            ],
        ) from None
    daily = model.run()
    periods = aggregate(
        daily, calibration.columns, calibration.data.period_days, len(calibration.observed)
    )
    undefined = {
        column: periods["period"][periods[column].isna()].tolist() for column in calibration.columns
    }
    problems = [
        (
            "statistics",
            f"{column} is undefined in period(s) {', '.join(map(str, found))} of a simulation "
            f"with {shown} (it averages over customers, and there were none: "
            f"{OUTCOMES[split_column(column)[0]]}); fit an outcome defined in every period, "
            "or bounds under which it is",
        )
        for column, found in undefined.items()
        if found
    ]
    if problems:
        raise CalibrationError(calibration.file, problems)
    scale = calibration.scale(values)
    for column in calibration.columns:
        if not is_share(column):
            periods[column] *= scale
    return periods


def statistics(periods: pd.DataFrame, chosen: list[Statistic]) -> dict[str, float]:
    """Return the summary statistics of a table of periods, by name.

    A ``series`` statistic gives one value per period, ``<column>[<period>]``; the others
    one value, named by :attr:`Statistic.label`.

    Examples
    --------
    >>> import pandas as pd
    >>> periods = pd.DataFrame({"period": [1, 2, 3], "purchases": [1.0, 5.0, 2.0]})
    >>> statistics(periods, [Statistic(column="purchases", kind="peak_period"),
    ...                      Statistic(column="purchases", kind="total")])
    {'peak_period(purchases)': 2.0, 'total(purchases)': 8.0}
    """
    result: dict[str, float] = {}
    for statistic in chosen:
        values = periods[statistic.column].to_numpy(dtype=float)
        if statistic.kind == "series":
            result.update({f"{statistic.column}[{k}]": float(v) for k, v in enumerate(values, 1)})
        elif statistic.kind == "total":
            result[statistic.label] = float(values.sum())
        elif statistic.kind == "peak":
            result[statistic.label] = float(values.max())
        elif statistic.kind == "peak_period":
            result[statistic.label] = float(np.argmax(values) + 1)
        else:
            result[statistic.label] = float(values[-1])
    return result


def statistic_weights(calibration: Calibration) -> dict[str, float]:
    """Return each statistic value's weight by name (a series' weight for every period)."""
    weights: dict[str, float] = {}
    for statistic in calibration.statistics:
        names = statistics(calibration.observed, [statistic])
        weights.update(dict.fromkeys(names, statistic.weight))
    return weights


class ParticleModel:
    """The model pyabc calls: a particle's values -> the mean statistics of its replications.

    Parameters
    ----------
    calibration : Calibration
    """

    def __init__(self, calibration: Calibration):
        self.calibration = calibration

    def __call__(self, values: Mapping[str, float]) -> dict[str, float]:
        """Simulate the particle ``replications`` times; return the mean of each statistic.

        A search in this process stops at the next particle once SIGTERM has arrived, even
        if the exception the signal raised was lost (:func:`~ecosim.errors.stop_if_signalled`).
        """
        stop_if_signalled()
        c = self.calibration
        values = {p.label: float(values[p.label]) for p in c.parameters}
        runs = [
            statistics(simulated_periods(c, values, seed), c.statistics)
            for seed in particle_seeds(c.seed, values, c.abc.replications)
        ]
        return {name: float(np.mean([run[name] for run in runs])) for name in runs[0]}
