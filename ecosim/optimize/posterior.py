"""Optimising under calibrated uncertainty: market parameters drawn from a posterior.

``ecosim calibrate`` writes a posterior sample, ``posterior.parquet``: one column per
fitted parameter, named by its label, and a ``weight`` column; the folder's
``calibration.toml`` says which scenario field each label fits. Read, each column is
named by its dotted scenario path (``dynamics.wom_awareness_rate``), whole-number fields
are rounded, and ``market_size`` (not a scenario field) is left out. A sample written
by other means has its columns named by path already. With
``[posterior] from = "DIR"`` an optimisation draws one row per replication, with
probability proportional to its weight, and sets those parameters in every run of that
replication: replication ``r`` of every candidate plan meets the same market (common
random numbers extend to the parameters), and an evaluation's mean is the expected
outcome over the posterior, not at one point estimate.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ecosim.calibrate.posterior import fitted_parameters
from ecosim.calibrate.schema import MARKET_SIZE, Parameter
from ecosim.errors import InputError
from ecosim.experiment.schema import FIELD_PATH_PATTERN
from ecosim.model import resolve_scenario
from ecosim.scenario import ScenarioError

if TYPE_CHECKING:
    from ecosim.optimize.schema import Optimisation

__all__ = ["FILE", "PosteriorSample", "read_posterior"]

FILE = "posterior.parquet"
"""The posterior sample's file in a calibration's output folder."""


@dataclass(frozen=True)
class PosteriorSample:
    """A weighted sample of market parameters.

    Attributes
    ----------
    values : pandas.DataFrame
        One row per particle, one column per dotted scenario path.
    weights : numpy.ndarray
        Normalised to sum to 1.
    """

    values: pd.DataFrame
    weights: np.ndarray

    def draws(self, seed: int, count: int, stream: int = 0) -> list[dict[str, Any]]:
        """Draw ``count`` parameter sets (with replacement, by weight), reproducibly.

        Parameters
        ----------
        seed : int
            The same seed gives the same draws: every candidate plan meets the same markets.
        count : int
        stream : int
            Independent draws for the search (0) and the selection stage (1).

        Returns
        -------
        list of dict
            Overrides by dotted path, one per replication.
        """
        rng = np.random.default_rng(np.random.SeedSequence([seed, 0x9057, stream]))
        rows = rng.choice(len(self.weights), size=count, p=self.weights)
        records = self.values.iloc[rows].to_dict("records")
        return [{k: _plain(v) for k, v in record.items()} for record in records]

    def digest(self) -> str:
        """Return a hash of the sample: its columns, values and weights, in order."""
        content = hashlib.sha256(json.dumps(list(self.values.columns)).encode())
        content.update(pd.util.hash_pandas_object(self.values, index=False).to_numpy().tobytes())
        content.update(self.weights.tobytes())
        return content.hexdigest()[:16]


def read_posterior(optimisation: Optimisation) -> PosteriorSample:
    """Read and check the posterior sample an optimisation names.

    Parameters
    ----------
    optimisation : Optimisation
        With a ``posterior``.

    Returns
    -------
    PosteriorSample

    Raises
    ------
    InputError
        If the file is missing or unreadable, has no valid ``weight`` column, a missing
        value (NaN), a column that is not a dotted scenario path, a path a decision also
        sets, or values the scenario refuses (each column's smallest and largest value
        are checked).
    """
    folder = Path(optimisation.folder) / optimisation.posterior.source
    path = folder / FILE
    source = str(path)
    try:
        frame = pd.read_parquet(path)
    except FileNotFoundError:
        raise InputError(
            source, [("", "file not found (expected a calibration's output)")]
        ) from None
    except (OSError, ValueError) as error:
        raise InputError(source, [("", f"cannot be read as Parquet ({error})")]) from None
    problems = [
        (
            str(column),
            f"no value (NaN) in {len(rows)} row(s), the first row {rows[0] + 1} "
            "(counting from 1): every particle needs a value of every parameter",
        )
        for column in frame.columns
        if column != "weight" and len(rows := np.flatnonzero(frame[column].isna().to_numpy()))
    ]
    if problems:
        raise InputError(source, problems)
    fitted = fitted_parameters(folder)
    if fitted is not None:
        frame = _by_path(frame, fitted)
    if "weight" not in frame.columns:
        problems.append(("weight", "column is missing"))
    else:
        weights = pd.to_numeric(frame["weight"], errors="coerce").to_numpy(dtype=float)
        if not np.isfinite(weights).all() or (weights < 0).any() or weights.sum() <= 0:
            problems.append(("weight", "must be finite numbers >= 0 with a positive sum"))
    parameters = [c for c in frame.columns if c != "weight"]
    if not parameters:
        problems.append(("", "no parameter column (expected dotted scenario paths)"))
    if len(frame) == 0:
        problems.append(("", "no rows"))
    for column in parameters:
        if not re.match(FIELD_PATH_PATTERN, str(column)):
            problems.append((str(column), "is not a dotted scenario path"))
        elif (deciding := optimisation.deciding(column)) is not None:
            problems.append((column, f"is also a decision ({deciding})"))
    if problems:
        raise InputError(source, problems)
    values = frame[parameters]
    for extreme in ("min", "max"):
        record = {column: _plain(getattr(values[column], extreme)()) for column in values}
        try:
            resolve_scenario(optimisation.scenario, overrides=record)
        except ScenarioError as error:
            raise InputError(
                source, [(f"{extreme} {p}" if p else extreme, m) for p, m in error.problems]
            ) from None
    return PosteriorSample(values.reset_index(drop=True), weights / weights.sum())


def _by_path(frame: pd.DataFrame, fitted: list[Parameter]) -> pd.DataFrame:
    """Name a calibration's particles by the scenario fields they fit, without the market size.

    Parameters
    ----------
    frame : pandas.DataFrame
        ``posterior.parquet``: a column per parameter label and ``weight``.
    fitted : list of Parameter
        The calibration's parameters (:func:`ecosim.calibrate.posterior.fitted_parameters`).

    Returns
    -------
    pandas.DataFrame
        A column per dotted scenario path (whole-number fields rounded) and ``weight``;
        any other column as it was.
    """
    by_label = {p.label: p for p in fitted if p.label in frame.columns}
    columns = {}
    for column in frame.columns:
        parameter = by_label.get(column)
        if parameter is None:
            columns[column] = frame[column]
        elif parameter.path != MARKET_SIZE:
            columns[parameter.path] = frame[column].map(parameter.value)
    return pd.DataFrame(columns)


def _plain(value: Any) -> Any:
    """Return a numpy scalar as the Python number the scenario schema reads strictly."""
    return value.item() if isinstance(value, np.generic) else value
