"""Posterior draws for experiments: decisions under calibrated uncertainty.

An experiment with ``[posterior] from = "<folder of ecosim calibrate>"`` runs replication
``r`` of every strategy with posterior draw ``r`` (``posterior_draws.parquet``, equally
weighted): the same draw for every strategy, so that strategies are compared in pairs
over what the data say about the market. Reading the draws needs neither pyabc nor Dask.
"""

from __future__ import annotations

import hashlib
import os
import tomllib
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import ValidationError

from ecosim.calibrate.schema import MARKET_SIZE, CalibrationError, Parameter
from ecosim.network import edge_list_digest
from ecosim.scenario import Scenario
from ecosim.scenario.loading import validation_problems
from ecosim.scenario.network import EdgeList
from ecosim.store import read_toml

__all__ = [
    "DRAWS",
    "RECORD",
    "SETTINGS",
    "draw_paths",
    "fitted_parameters",
    "replication_overrides",
]

DRAWS = "posterior_draws.parquet"
"""The file of equally weighted posterior draws in a calibration's folder."""
RECORD = "calibration.toml"
"""The calibration a folder holds (its settings, fingerprints of its settings, scenario
and data), and whether its search is finished."""
SETTINGS = "settings_values"
"""The table of :data:`RECORD` that holds the settings by dotted name (``abc.generations``)."""


def named_beside(file: str | Path, name: str | Path) -> str:
    """Name a file named in the calibration ``file`` (relative to it) as the command did.

    As a command line run where ``file`` was named would find it.

    Examples
    --------
    >>> named_beside("calibrations/fit.toml", "../data/sales.csv")
    'data/sales.csv'
    """
    return os.path.normpath(Path(file).parent / name)


def short_hash(text: str) -> str:
    """Return the short hash a calibration's record keeps of its settings, scenario and data.

    Examples
    --------
    >>> short_hash("")
    'e3b0c44298fc1c14'
    """
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def scenario_fingerprint(scenario: Scenario) -> str:
    """Return the fingerprint of the scenario a calibration fits, as its record keeps it.

    An edge list's path is left out: the record keeps the digest of the file's contents
    (``network``), so a folder moved or copied with its files still matches its scenario.
    """
    dumped = scenario.model_dump()
    if isinstance(scenario.network, EdgeList):
        dumped["network"] = {k: v for k, v in dumped["network"].items() if k != "path"}
    return short_hash(repr(dumped))


def scenario_fingerprints(scenario: Scenario) -> tuple[str, str]:
    """Return :func:`scenario_fingerprint`, and the form records kept before (whole)."""
    return scenario_fingerprint(scenario), short_hash(repr(scenario.model_dump()))


def fitted_to(scenario: Scenario, fingerprint: object, network: object) -> bool:
    """Whether a calibration's record names this scenario: its fingerprint and edge list.

    Parameters
    ----------
    scenario : Scenario
    fingerprint : object
        The record's ``scenario`` (:func:`scenario_fingerprint`, or the form kept before,
        which held an edge list's path).
    network : object
        The record's ``network``: the first 16 hex digits of the edge list's digest, or
        None. A path-free fingerprint matches an edge list only with its digest.

    Returns
    -------
    bool
    """
    now, before = scenario_fingerprints(scenario)
    digest = edge_list_digest(scenario.network)
    if fingerprint == before:  # the path was in it
        return network is None or network == (digest or "")[:16]
    return fingerprint == now and network == (digest[:16] if digest else None)


def _draws(folder: str | Path) -> pd.DataFrame:
    path = Path(folder) / DRAWS
    try:
        return pd.read_parquet(path)
    except FileNotFoundError:
        raise CalibrationError(
            str(folder),
            [("", f"no {DRAWS}: is this the --out folder of a finished ecosim calibrate?")],
        ) from None
    except (OSError, ValueError) as error:
        raise CalibrationError(str(path), [("", f"cannot be read ({error})")]) from None


def draw_paths(folder: str | Path) -> list[str]:
    """Return the scenario fields the draws set (every fitted parameter but the market size)."""
    return [c for c in _draws(folder).columns if c not in ("draw", MARKET_SIZE)]


def replication_overrides(folder: str | Path, replications: int) -> list[dict[str, Any]]:
    """Return the scenario overrides of each replication: draw ``r`` for replication ``r``.

    Parameters
    ----------
    folder : str or Path
        The output folder of ``ecosim calibrate``.
    replications : int

    Returns
    -------
    list of dict
        One dictionary of values by field path per replication.

    Raises
    ------
    CalibrationError
        If the folder holds no draws, or fewer than ``replications``.
    """
    draws = _draws(folder)
    if len(draws) < replications:
        raise CalibrationError(
            str(folder),
            [
                (
                    "",
                    f"holds {len(draws)} posterior draws, fewer than the {replications} "
                    "replications (expected at least one draw per replication; raise the "
                    "calibration's abc.draws)",
                )
            ],
        )
    paths = [c for c in draws.columns if c not in ("draw", MARKET_SIZE)]
    return [
        {path: value.item() if hasattr(value, "item") else value for path, value in row.items()}
        for row in draws[paths].head(replications).to_dict("records")
    ]


def fitted_parameters(folder: str | Path) -> list[Parameter] | None:
    """Return the parameters a calibration folder fitted, as its record names them.

    ``posterior.parquet`` names its columns by parameter label (``p``, ``advertising``);
    the record says which scenario field each label fits (``diffusion.p``,
    ``campaign.0.intensity``) and whether it is a whole number.

    Parameters
    ----------
    folder : str or Path
        The output folder of ``ecosim calibrate``.

    Returns
    -------
    list of Parameter or None
        In the calibration file's order; None when the folder holds no record of its
        settings (a posterior sample written by other means).

    Raises
    ------
    CalibrationError
        If the record cannot be read or its parameters are not valid.
    """
    path = Path(folder) / RECORD
    if not path.exists():
        return None
    try:
        values = read_toml(path).get(SETTINGS)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise CalibrationError(str(path), [("", f"cannot be read ({error})")]) from None
    if not isinstance(values, dict):
        return None
    fields: dict[int, dict[str, Any]] = {}
    for name, value in values.items():
        parts = name.split(".")
        if len(parts) == 3 and parts[0] == "parameters" and parts[1].isdecimal():
            fields.setdefault(int(parts[1]), {})[parts[2]] = value
    parameters = []
    for i in sorted(fields):
        try:
            parameters.append(Parameter.model_validate(fields[i]))
        except ValidationError as error:
            where = f"{SETTINGS}: parameters.{i}"
            raise CalibrationError(
                str(path),
                [
                    (f"{where}.{field}" if field else where, what)
                    for field, what in validation_problems(error, fields[i])
                ],
            ) from None
    return parameters
