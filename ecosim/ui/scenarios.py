"""Which scenarios the app offers, and scenarios with an uploaded network."""

from __future__ import annotations

import os
import re
from pathlib import Path

from ecosim.network import read_edge_list
from ecosim.scenario import Scenario, validate_scenario
from ecosim.ui.controls import max_customers

__all__ = [
    "SCENARIO_VARIABLE",
    "UPLOAD_LIMIT_VARIABLE",
    "UploadError",
    "check_upload_size",
    "first_scenario",
    "max_upload_bytes",
    "network_size",
    "scenario_files",
    "with_edge_list",
]

SCENARIO_VARIABLE = "ECOSIM_UI_SCENARIO"
"""Environment variable naming the scenario file the app opens with (set by ``ecosim ui``)."""
UPLOAD_LIMIT_VARIABLE = "ECOSIM_UI_MAX_UPLOAD_MB"
"""Environment variable setting the largest edge list accepted, in megabytes (default 50)."""


def first_scenario() -> Path:
    """Return the scenario file to open with: ``$ECOSIM_UI_SCENARIO``, else the baseline."""
    if os.environ.get(SCENARIO_VARIABLE):
        return Path(os.environ[SCENARIO_VARIABLE]).resolve()
    local = Path("scenarios") / "baseline.toml"
    return (local if local.is_file() else Path(__file__).parents[2] / local).resolve()


def scenario_files(folder: Path) -> dict[str, Path]:
    """Return the scenario files of a folder by name (file stem), sorted.

    Examples
    --------
    >>> files = scenario_files(Path("scenarios"))
    >>> files["baseline"].name, "two_brands" in files
    ('baseline.toml', True)
    """
    return {path.stem: path for path in sorted(folder.glob("*.toml"))}


class UploadError(ValueError):
    """An uploaded file the app refuses (too large, or too many customers); the message says why."""


def max_upload_bytes() -> int:
    """Return the largest upload accepted: ``$ECOSIM_UI_MAX_UPLOAD_MB`` megabytes, else 50."""
    return int(float(os.environ.get(UPLOAD_LIMIT_VARIABLE, "50")) * 1_000_000)


def check_upload_size(name: str, size: int, limit: int | None = None) -> None:
    """Refuse an upload larger than the limit, before reading it.

    Raises
    ------
    UploadError
        If ``size`` bytes is over ``limit`` (:func:`max_upload_bytes` when omitted).

    Examples
    --------
    >>> check_upload_size("big.csv", 60_000_000, 50_000_000)
    Traceback (most recent call last):
    ...
    ecosim.ui.scenarios.UploadError: big.csv: 60.0 MB is over the upload limit of 50.0 MB ...
    """
    limit = max_upload_bytes() if limit is None else limit
    if size > limit:
        raise UploadError(
            f"{name}: {size / 1e6:.1f} MB is over the upload limit of {limit / 1e6:.1f} MB "
            f"(set {UPLOAD_LIMIT_VARIABLE} to change it)"
        )


_EDGE = re.compile(rb"^[ \t]*\+?(\d+)[ \t]*,[ \t]*\+?(\d+)[ \t]*(?:,|\r?$)", re.MULTILINE)
"""The two node ids of an edge line (comments, the header and a weight left out)."""


def network_size(content: bytes) -> int:
    r"""Return the number of customers an edge list names: its largest id plus one (0 if none).

    Only the two ids at the start of an edge line count (not a weight, a comment or the
    header); lines that are no edge are left to :func:`~ecosim.network.read_edge_list`,
    which names them.

    Examples
    --------
    >>> network_size(b"# 2024-05-01\nsource,target,weight\n0,1,50\n33,2,7.5\n")
    34
    """
    text = content.removeprefix(b"\xef\xbb\xbf").replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    ids = [int(i) for pair in _EDGE.findall(text) for i in pair]
    return max(ids) + 1 if ids else 0


def with_edge_list(
    scenario: Scenario, path: Path, content: bytes, limit: int | None = None
) -> tuple[Scenario, str]:
    """Return the scenario with its network read from an uploaded edge list, and a note.

    The file is saved to ``path``. A network of another size than the population sets the
    population to the network's size (its largest customer id plus one); the note says so.
    A network larger than the customers control allows
    (:func:`ecosim.ui.controls.max_customers`) is refused before it is saved or read.

    Parameters
    ----------
    scenario : Scenario
    path : Path
        Where to save the upload (its name names the file in messages).
    content : bytes
        The file's content.
    limit : int, optional
        Largest upload in bytes (:func:`max_upload_bytes` when omitted).

    Returns
    -------
    scenario : Scenario
    note : str
        What changed besides the network ("" if nothing).

    Raises
    ------
    UploadError
        If the upload is over the size limit, or names more customers than the customers
        control allows (both checked before it is saved or read).
    EdgeListError
        If the file is not an edge list (the message names the line and what was expected).
    ScenarioError
        If the scenario with this network is not valid.
    """
    check_upload_size(path.name, len(content), limit)
    size = scenario.population.size
    found = network_size(content)
    most = max_customers(scenario)
    if found > most:
        raise UploadError(
            f"{path.name}: its largest customer id is {found - 1:,}, so the population would "
            f"be {found:,} customers, over the limit of {most:,} customers (ids 0 to "
            f"{most - 1:,})"
        )
    path.write_bytes(content)
    read_edge_list(path, found if found >= 2 else size)
    data = scenario.model_dump()
    data["network"] = {"kind": "edge_list", "path": str(path)}
    note = ""
    if found >= 2 and found != size:
        data["population"]["size"] = found
        note = (
            f"{path.name} connects {found:,} customers (ids 0 to {found - 1:,}), so the "
            f"population is now {found:,} (was {size:,})."
        )
    edited = validate_scenario(data, source=f"{scenario.name} with {path.name}")
    return edited, note
