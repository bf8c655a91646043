"""Posterior draws for experiments: decisions under calibrated uncertainty.

An experiment with ``[posterior] from = "<folder of ecosim calibrate>"`` runs replication
``r`` of every strategy with posterior draw ``r`` (``posterior_draws.parquet``, equally
weighted): the same draw for every strategy, so that strategies are compared in pairs
over what the data say about the market. Reading the draws needs neither pyabc nor Dask.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from ecosim.calibrate.schema import MARKET_SIZE, CalibrationError

__all__ = ["DRAWS", "draw_paths", "replication_overrides"]

DRAWS = "posterior_draws.parquet"
"""The file of equally weighted posterior draws in a calibration's folder."""


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
