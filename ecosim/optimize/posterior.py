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

A calibration's particles lie within its priors' bounds, which ``calibration.toml``
records: a value outside them is refused (the file is damaged or another's). A posterior
fitted to another scenario than the optimisation's (neither it nor a file it extends)
gives an :class:`~ecosim.errors.InputWarning`: its fields are set by path all the same.
"""

from __future__ import annotations

import hashlib
import json
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ecosim.calibrate.posterior import (
    RECORD,
    SETTINGS,
    fitted_parameters,
    fitted_to,
    named_beside,
)
from ecosim.calibrate.schema import MARKET_SIZE, Parameter
from ecosim.errors import InputError, InputWarning, without_input_warnings
from ecosim.model import resolve_scenario
from ecosim.scenario import Scenario, ScenarioError, load_scenario
from ecosim.scenario.fields import FIELD_PATH_PATTERN
from ecosim.scenario.loading import read_toml as read_scenario_file
from ecosim.store import read_toml

if TYPE_CHECKING:
    from ecosim.optimize.schema import Optimisation

__all__ = ["FILE", "PosteriorSample", "read_posterior"]

FILE = "posterior.parquet"
"""The posterior sample's file in a calibration's output folder."""
CALIBRATED = "calibrated.toml"
"""The scenario at the posterior medians, in a calibration's output folder."""


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
        value (NaN), a value outside its prior's bounds (as the folder's ``calibration.toml``
        records them), a column that is not a dotted scenario path, a path a decision also
        sets, or values the scenario refuses (each column's smallest and largest value
        are checked).

    Warns
    -----
    InputWarning
        If the calibration was fitted to another scenario than the optimisation's.
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
        problems = _outside_bounds(frame, fitted)
        if problems:
            raise InputError(source, problems)
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
    for extreme, values_at in (("min", "lowest"), ("max", "highest")):
        record = {column: _plain(getattr(values[column], extreme)()) for column in values}
        at = f"with the columns' {values_at} values"
        try:
            resolve_scenario(optimisation.scenario, overrides=record)
        except ScenarioError as error:
            raise InputError(
                source, [(f"{p} ({at})" if p else at, m) for p, m in error.problems]
            ) from None
    if fitted is not None and (fitted_to := _fitted_elsewhere(optimisation, folder)):
        shown = optimisation.scenario_file or f"scenario {optimisation.scenario.name!r}"
        warnings.warn(
            f"{folder}: fitted to {fitted_to}, which the optimisation's scenario {shown} "
            f"neither is nor extends: the posterior's fields ({', '.join(parameters)}) are "
            f"set by path in {shown}; check that they mean there what they meant in the "
            "calibration",
            InputWarning,
            stacklevel=2,
        )
    return PosteriorSample(values.reset_index(drop=True), weights / weights.sum())


def _outside_bounds(frame: pd.DataFrame, fitted: list[Parameter]) -> list[tuple[str, str]]:
    """Name each parameter's column holding values outside its prior's bounds.

    A calibration's particles lie within its priors' bounds: a value outside them is a
    damaged file (a flipped bit), or particles from another calibration than the record's.

    Parameters
    ----------
    frame : pandas.DataFrame
        ``posterior.parquet``: a column per parameter label and ``weight``.
    fitted : list of Parameter
        The calibration's parameters (:func:`ecosim.calibrate.posterior.fitted_parameters`).

    Returns
    -------
    list of (str, str)
        One problem per column, named by its label (columns that are not numbers are left
        to the scenario's check).
    """
    problems = []
    for parameter in fitted:
        column = frame.get(parameter.label)
        if column is None or not pd.api.types.is_numeric_dtype(column):
            continue
        rows = np.flatnonzero(~column.between(parameter.low, parameter.high).to_numpy())
        if len(rows):
            problems.append(
                (
                    parameter.label,
                    f"{len(rows)} value(s) outside the prior's bounds [{parameter.low}, "
                    f"{parameter.high}] of {parameter.path} that {RECORD} records, the first "
                    f"{float(column.iloc[rows[0]])} in row {rows[0] + 1} (counting from 1): "
                    "a calibration's particles lie within them (the file is damaged, or not "
                    "this calibration's)",
                )
            )
    return problems


def _fitted_elsewhere(optimisation: Optimisation, folder: Path) -> str | None:
    """Name the scenario a calibration was fitted to, if the optimisation's is another.

    The optimisation's scenario file, and each file it extends, is the calibration's if
    it is the folder's :data:`CALIBRATED`, or if, with the calibration's ``customers``
    and ``days``, its fingerprint is the one :data:`RECORD` holds (as
    :func:`ecosim.calibrate.abc.fingerprint` takes it), and so is its edge list's digest.

    Parameters
    ----------
    optimisation : Optimisation
    folder : Path
        The calibration's output folder, whose record names its parameters.

    Returns
    -------
    str or None
        The calibration's scenario file and calibration file as the record names them; None
        when the optimisation's scenario is the calibration's, or the record holds no
        fingerprint to compare with.
    """
    record = read_toml(folder / RECORD)
    fingerprint, settings = record.get("scenario"), record.get(SETTINGS)
    if not isinstance(fingerprint, str) or not isinstance(settings, dict):
        return None
    calibrated = (folder / CALIBRATED).resolve()
    for candidate in _lineage(optimisation):
        if candidate == calibrated:
            return None
        try:
            with without_input_warnings():  # given when the optimisation was read
                scenario = resolve_scenario(
                    load_scenario(candidate, allow_outside_paths=True)
                    if isinstance(candidate, Path)
                    else candidate,
                    customers=settings.get("customers"),
                    days=settings.get("days"),
                )
        except InputError:  # a file it extends that is no scenario on its own
            continue
        if fitted_to(scenario, fingerprint, record.get("network")):
            return None
    file = str(record.get("file", ""))
    return f"{named_beside(file, str(settings.get('scenario')))} (calibration {file})"


def _lineage(optimisation: Optimisation) -> list[Scenario | Path]:
    """Return the optimisation's scenario file and the files it extends, nearest first.

    An optimisation made in Python, without a file, has its scenario alone.
    """
    if optimisation.scenario_file is None:
        return [optimisation.scenario]
    path = Path(optimisation.folder) / optimisation.scenario_file
    extended: list[Path] = []
    read_scenario_file(path, allow_outside_paths=True, extended=extended)
    return [path.resolve(), *extended]


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
