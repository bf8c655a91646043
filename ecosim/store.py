"""Results on disk: every file is written atomically.

A file appears under its final name only once it is complete (written to a temporary
name in the same folder, flushed to disk, then renamed), so an interrupted program never
leaves a truncated result behind.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

__all__ = ["atomic_path", "write_figure", "write_json", "write_parquet"]


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces ``path`` atomically.

    Parameters
    ----------
    path : str or Path
        The final file. Its folder is created if needed.

    Yields
    ------
    Path
        A hidden temporary file beside ``path``; removed if the block raises.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        yield temporary
        with open(temporary, "rb+") as written:
            os.fsync(written.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def write_parquet(frame: pd.DataFrame, path: str | Path) -> None:
    """Write a DataFrame as Parquet (without its index), atomically."""
    with atomic_path(path) as temporary:
        frame.to_parquet(temporary, index=False)


def write_json(data: Any, path: str | Path) -> None:
    """Write JSON (indented, keys in insertion order), atomically."""
    with atomic_path(path) as temporary:
        temporary.write_text(json.dumps(data, indent=2, allow_nan=False) + "\n", encoding="utf-8")


def write_figure(figure: Figure, path: str | Path, dpi: int = 110) -> None:
    """Save a matplotlib figure (format from the file suffix), atomically."""
    path = Path(path)
    with atomic_path(path) as temporary:
        figure.savefig(temporary, dpi=dpi, format=path.suffix.lstrip("."))
