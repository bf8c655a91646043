"""Results on disk: every file is written atomically.

A file appears under its final name only once it is complete (written to a temporary
name in the same folder, flushed to disk, then renamed), so an interrupted program never
leaves a truncated result behind.

An experiment's results folder is a :class:`ResultStore`: one Parquet file per finished
run, holding the run's daily series and, in the file's metadata, its row of results, and
beside it each customer's day of first purchase. The run files are the record of what is
finished; ``results.parquet`` is rebuilt from them,
so a program killed at any moment loses at most the runs it had not yet written, and a
rerun finds every finished run again without duplicating any. A run file damaged or
deleted afterwards is done again by the next writer, and refused by a reader (a clear
:class:`~ecosim.errors.StoreError` naming it) rather than left out of its results.
"""

from __future__ import annotations

import fcntl
import io
import json
import math
import os
import shlex
import shutil
import signal
import socket
import sqlite3
import tempfile
import threading
import time
import tomllib
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from matplotlib.figure import Figure

from ecosim.errors import InputError, StoreError

__all__ = [
    "FOLDER_RECORDS",
    "ResultStore",
    "atomic_path",
    "dotted",
    "first_lines",
    "held_folder",
    "is_held",
    "kept_unreadable",
    "output_folder",
    "read_run_row",
    "read_toml",
    "refuse_foreign_files",
    "refuse_other_kinds",
    "staged_files",
    "writable_database",
    "write_figure",
    "write_json",
    "write_parquet",
    "write_run",
    "write_text",
]

RUN_METADATA_KEY = b"ecosim.run"
"""Key of a run file's Parquet metadata that holds its row of results (JSON)."""

DAMAGED_SHOWN = 5
"""How many damaged or missing files the error that refuses a results folder names."""


def sqlite_address(path: Path) -> str:
    """Return the SQLAlchemy address of an SQLite file (a search's history), as given.

    In ``sqlite:///PATH`` a ``?`` starts the options and a ``%`` an escape, so a path
    holding either names another file (``q?x=1/abc.db`` opened ``q``): it is refused.

    Raises
    ------
    InputError
        Naming the folder, if ``path`` holds ``?`` or ``%``.

    Examples
    --------
    >>> sqlite_address(Path("results/fit/abc.db"))
    'sqlite:///results/fit/abc.db'
    """
    if odd := sorted(set("?%") & set(str(path))):
        raise InputError(
            f"{path.parent}: a folder whose path holds {' or '.join(map(repr, odd))} cannot "
            f"keep the search's SQLite history {path.name} (its address would name another "
            "file); choose another folder"
        )
    return f"sqlite:///{path}"


@contextmanager
def writable_database(path: Path) -> Iterator[None]:
    """Raise an :class:`OSError` naming ``path`` if SQLite cannot write it in the block.

    SQLAlchemy's error on a read-only file or a full disk (Optuna raises its own around
    it) became an internal error with the SQL statement; as an ``OSError`` the commands
    stop as they do on any file they cannot write, keeping their finished work.

    Raises
    ------
    OSError
        ``PATH cannot be written (SQLite's reason)``.
    """
    try:
        yield
    except Exception as error:
        for layer in (error, error.__cause__):
            reason = getattr(layer, "orig", None)
            if isinstance(reason, sqlite3.OperationalError) and (
                "readonly" in str(reason) or "disk is full" in str(reason)
            ):
                raise OSError(f"{path} cannot be written ({reason})") from error
        raise


def output_folder(
    out: Path,
    files: tuple[str, ...] = (),
    *,
    folders: tuple[str, ...] = (),
    name: str = "--out",
    readable: bool = False,
    inputs: tuple[str | Path | None, ...] = (),
) -> Path:
    """Return ``out``, the folder a command writes into, unless it is (or is in) a file.

    Checked before a command starts, so that finished work is not lost to a path that
    cannot be written.

    Parameters
    ----------
    out : Path
    files : tuple of str
        The files the command will write into ``out``, each of which must not be a folder.
    folders : tuple of str
        The folders the command will write into inside ``out``, each of which must not be
        a file.
    name : str
        What gave ``out``, in messages: the option ``--out``, or a function's argument
        ``out``.
    readable : bool
        Accept a folder that exists and cannot be written into (its finished results are
        read); where ``out`` does not exist yet, its nearest parent must let it be created.
    inputs : tuple of path
        The files the command reads (None: none), none of which may be one of ``files``.

    Returns
    -------
    Path
        ``out``.

    Raises
    ------
    InputError
        If ``out``, or the nearest of its parents that exists, is not a folder or cannot
        be written into, or ``out`` or a parent is a link to nothing, or one of ``files``
        is a folder or one of ``inputs``, or one of ``folders`` is a file.
    """
    dangling = next((p for p in (out, *out.parents) if p.is_symlink() and not p.exists()), None)
    if dangling is not None:
        raise InputError(
            f"{name} {out}: {'it' if dangling == out else dangling} is a link to "
            f"{os.readlink(dangling)}, which does not exist (a disk not mounted?); expected a "
            "folder to write into"
        )
    existing = next((path for path in (out, *out.parents) if path.exists()), out)
    which = "is" if existing == out else f"{existing} is"
    if existing.exists() and not existing.is_dir():
        raise InputError(
            f"{name} {out}: {which} a file, not a folder (expected a folder to write into, "
            "or a path that does not exist yet)"
        )
    if not (readable and existing == out):
        try:  # what can be written is known only by writing (permissions, read-only disks)
            handle, probe = tempfile.mkstemp(prefix=".ecosim-", dir=existing)
        except OSError as error:
            raise InputError(
                f"{name} {out}: {which} a folder this process cannot write into (creating a "
                f"file there failed: {error.strerror or error}); choose another {name}"
            ) from None
        os.close(handle)
        os.unlink(probe)
    read = {Path(path).resolve() for path in inputs if path is not None}
    overwritten = [file for file in files if (out / file).resolve() in read]
    if overwritten:
        file = overwritten[0]
        raise InputError(
            f"{name} {out}: would write its {file} over {(out / file).resolve()}, a file this "
            f"command reads; choose another {name} (a folder for the results)"
        )
    taken = [file for file in files if (out / file).is_dir()]
    if taken:
        raise InputError(
            f"{name} {out}: {', '.join(str(out / file) for file in taken)} "
            f"{'is a folder' if len(taken) == 1 else 'are folders'} (expected the files "
            f"{', '.join(files)} or nothing there; choose another {name})"
        )
    taken = [
        folder for folder in folders if (out / folder).exists() and not (out / folder).is_dir()
    ]
    if taken:
        raise InputError(
            f"{name} {out}: {', '.join(str(out / folder) for folder in taken)} "
            f"{'is a file' if len(taken) == 1 else 'are files'} (expected the folders "
            f"{', '.join(folders)} or nothing there; choose another {name})"
        )
    return out


def kept_unreadable(what: str, why: object, then: str = "") -> str:
    """Say that a file of a results folder cannot be read, that it is kept, and what to do.

    A file that holds finished work is never deleted for being unreadable: the user restores
    it, or moves it away.

    Examples
    --------
    >>> kept_unreadable("abc.db is damaged", "malformed", "restore it from a copy to resume")
    'abc.db is damaged (malformed); it is kept as it is: restore it from a copy to resume'
    >>> kept_unreadable("abc.db cannot be read now", "database is locked")
    'abc.db cannot be read now (database is locked); it is kept as it is'
    """
    return f"{what} ({why}); it is kept as it is" + (f": {then}" if then else "")


def refuse_foreign_files(
    out: Path,
    files: tuple[str, ...],
    record: str,
    written: Callable[[Path], bool] = Path.exists,
) -> None:
    """Refuse a folder without the command's record that holds files the command writes.

    Files there that no ecosim command recorded writing (a user's ``report.md``) would be
    written over: a command starting in a folder of its own never finds them.

    Parameters
    ----------
    out : Path
    files : tuple of str
        What the command writes into ``out`` (a folder: if it holds anything).
    record : str
        The file that says an earlier run of the command wrote the folder.
    written : callable
        Whether ``out / record`` is one the command wrote (by default, that it exists;
        a run's ``summary.json``, say, is told apart from a user's by its keys).

    Raises
    ------
    StoreError
        Naming the files found.
    """
    found = [
        name
        for name in files
        if (out / name).is_file() or ((out / name).is_dir() and any((out / name).iterdir()))
    ]
    if not found or written(out / record):
        return
    why = (
        f"its {record} is not one this command wrote"
        if (out / record).exists()
        else f"no {record} (the record of an earlier run of this command)"
    )
    raise StoreError(
        f"{out}: holds {', '.join(found)}, which this command would write over, and {why}: "
        "use an empty or new --out folder"
    )


@contextmanager
def staged_files(out: Path) -> Iterator[Path]:
    """Yield a folder to write a set of files into; on success move them all into ``out``.

    Until the last file is written, ``out`` keeps what it held (a previous run's files),
    so an interrupted command leaves the old set whole rather than a mix of two runs;
    the files are then moved in by renames, in name order (Ctrl-C and SIGTERM wait for the
    last), and the staging folder (in ``out``, hidden, named by the machine and the
    process) is removed, also when the command fails. A staging folder left by a process
    of this machine that no longer runs (killed with SIGKILL, or the machine stopped) is
    removed first.

    Parameters
    ----------
    out : Path
        Created if needed.

    Yields
    ------
    Path
        The staging folder.
    """
    out.mkdir(parents=True, exist_ok=True)
    host = socket.gethostname().replace("-", "_")
    for left in out.glob(f".writing-{host}-*-*"):
        pid = left.name.split("-")[2]
        if pid.isdigit() and not _running(int(pid)):
            shutil.rmtree(left, ignore_errors=True)
    with tempfile.TemporaryDirectory(prefix=f".writing-{host}-{os.getpid()}-", dir=out) as stage:
        yield Path(stage)
        with _interrupts_deferred():
            for path in sorted(Path(stage).iterdir()):
                os.replace(path, out / path.name)


@contextmanager
def _interrupts_deferred() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM until the block ends, then deliver them to their handlers.

    Only the main thread receives signals in Python; elsewhere the block runs as it is.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    signals = (signal.SIGINT, signal.SIGTERM)
    handlers = {number: signal.getsignal(number) for number in signals}
    for number in signals:
        signal.signal(number, lambda number, frame: received.append(number))
    try:
        yield
    finally:
        for number, handler in handlers.items():
            signal.signal(number, signal.SIG_DFL if handler is None else handler)
        for number in received:
            signal.raise_signal(number)


FOLDER_RECORDS = {
    "run": ("summary.json", "the data of a run"),
    "batch": ("experiment.toml", "the results of a batch or a sensitivity analysis"),
    "calibration": ("calibration.toml", "a calibration"),
    "optimisation": ("optimisation.sha256", "an optimisation"),
}
"""Each kind of results folder: the record its command writes (a run's summary: its
last), and what it holds."""


def refuse_other_kinds(directory: Path, kind: str) -> None:
    """Refuse a folder holding another kind's results, which this command's would mix with.

    Parameters
    ----------
    directory : Path
    kind : str
        The kind of folder this command writes, a key of :data:`FOLDER_RECORDS`, or
        ``"report"`` for a comparison's report written elsewhere than its batch's folder,
        which refuses every kind.

    Raises
    ------
    StoreError
        Naming the other kind's record.
    """
    writes = "a comparison's report" if kind == "report" else FOLDER_RECORDS[kind][1]
    for other, (record, what) in FOLDER_RECORDS.items():
        if other != kind and (directory / record).exists():
            raise StoreError(
                f"{directory}: holds {what} ({record}), which {writes} "
                "would overwrite or mix with: use another --out"
            )


@contextmanager
def held_folder(directory: Path, kind: str) -> Iterator[io.TextIOWrapper]:
    """Hold a results folder for this process's writing; refuse it if another holds it.

    The lock is an advisory ``flock`` on ``directory/.lock``; the system releases it when
    the process ends, however it ends, so a killed writer never leaves it held. Yields
    the lock file, open: once ``directory/.lock`` is no longer that file, the folder was
    removed, moved or made anew while this process held it.

    Parameters
    ----------
    directory : Path
    kind : str
        The kind of folder this process writes, a key of :data:`FOLDER_RECORDS`: a
        folder holding another kind's record is refused (one command's report and
        figures would overwrite the other's).

    Raises
    ------
    StoreError
        If another process holds the folder, or it holds another kind of results.
    """
    if directory.is_dir():  # before a lock file is left in another command's folder
        refuse_other_kinds(directory, kind)
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / ".lock", "a") as lock:  # "a": an existing lock file is left as it is
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StoreError(
                f"{directory}: another ecosim process is writing this folder"
            ) from None
        refuse_other_kinds(directory, kind)
        try:
            yield lock
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def is_held(directory: Path) -> bool:
    """Whether another process holds ``directory`` for writing (:func:`held_folder`).

    Parameters
    ----------
    directory : Path

    Returns
    -------
    bool
        False for a folder no process holds, or one without a lock file.
    """
    try:
        with open(directory / ".lock") as lock:  # read only: no lock file is left behind
            fcntl.flock(lock, fcntl.LOCK_SH | fcntl.LOCK_NB)
            fcntl.flock(lock, fcntl.LOCK_UN)
    except BlockingIOError:
        return True
    except OSError:
        return False
    return False


def _same_file(path: Path, opened: io.TextIOWrapper) -> bool:
    """Whether ``path`` is still the file ``opened`` (not removed, moved or replaced)."""
    try:
        here = os.stat(path)
    except FileNotFoundError:
        return False
    held = os.fstat(opened.fileno())
    return (here.st_dev, here.st_ino) == (held.st_dev, held.st_ino)


def _running(pid: int) -> bool:
    """Whether a process ``pid`` runs on this machine."""
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):  # OverflowError: no process has such an id
        return False
    except PermissionError:
        return True
    return True


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
    """Write JSON (indented, keys in insertion order), atomically.

    JSON has no infinite numbers: an infinite float is written as the string ``"inf"``
    or ``"-inf"``, as a scenario file spells it (an unlimited ``budget``), and NaN as null.
    """
    with atomic_path(path) as temporary:
        text = json.dumps(_standard_json(data), indent=2, allow_nan=False)
        temporary.write_text(text + "\n", encoding="utf-8")


def _standard_json(value: Any) -> Any:
    """Return ``value`` with its non-finite floats spelt as standard JSON allows."""
    if isinstance(value, dict):
        return {key: _standard_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_standard_json(item) for item in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None if math.isnan(value) else ("inf" if value > 0 else "-inf")
    return value


def write_figure(figure: Figure, path: str | Path, dpi: int = 110) -> None:
    """Save a matplotlib figure (format from the file suffix), atomically.

    Its ticks are settled first (:func:`ecosim.plots.settle_ticks`): no axis label is cut.
    """
    from ecosim.plots import settle_ticks  # matplotlib: loaded when a figure exists

    path = Path(path)
    settle_ticks(figure)
    with atomic_path(path) as temporary:
        figure.savefig(temporary, dpi=dpi, format=path.suffix.lstrip("."))


def write_text(text: str, path: str | Path) -> None:
    """Write a UTF-8 text file, atomically."""
    with atomic_path(path) as temporary:
        temporary.write_text(text, encoding="utf-8")


def first_lines(path: Path, count: int = 1) -> list[str]:
    """Return a text file's first ``count`` lines without their ends; none if unreadable.

    What tells a report a command wrote from a user's file of the same name.
    """
    try:
        with path.open(encoding="utf-8", errors="replace") as text:
            return [line.rstrip("\r\n") for line, _ in zip(text, range(count), strict=False)]
    except OSError:
        return []


def read_toml(path: str | Path) -> dict[str, Any]:
    """Read a TOML file."""
    return tomllib.loads(Path(path).read_text(encoding="utf-8"))


def dotted(value: Any, name: str = "") -> dict[str, Any]:
    """Flatten tables and lists into ``{dotted name: value}``, as a folder's record compares them.

    List items are named by position; None values are left out.

    Examples
    --------
    >>> dotted({"abc": {"generations": 8}, "parameters": [{"low": 0.1, "prior": None}]})
    {'abc.generations': 8, 'parameters.0.low': 0.1}
    """
    if isinstance(value, dict | list):
        items = value.items() if isinstance(value, dict) else enumerate(value)
        return {
            path: leaf
            for key, item in items
            for path, leaf in dotted(item, f"{name}.{key}" if name else str(key)).items()
        }
    return {} if value is None else {name: value}


def write_run(daily: pd.DataFrame, row: dict[str, Any], path: str | Path) -> None:
    """Write one run's daily series with its row of results in the file's metadata.

    Parameters
    ----------
    daily : pandas.DataFrame
        The run's daily outcomes.
    row : dict
        Its results (JSON-serialisable scalars; NaN is stored as null).
    path : str or Path
        The Parquet file, written atomically.
    """
    table = pa.Table.from_pandas(daily, preserve_index=False)
    metadata = {**(table.schema.metadata or {}), RUN_METADATA_KEY: _json(row).encode()}
    with atomic_path(path) as temporary:
        pq.write_table(table.replace_schema_metadata(metadata), temporary)


def read_run_row(path: str | Path) -> dict[str, Any]:
    """Return the row of results stored in a run file's metadata (see :func:`write_run`).

    An outcome the run left undefined, NaN in the row and ``null`` in the file, is NaN
    again: a column of runs read back is numbers, as it was written.
    """
    metadata = pq.read_schema(path).metadata or {}
    if RUN_METADATA_KEY not in metadata:
        raise StoreError(f"{path}: not a run file (no {RUN_METADATA_KEY.decode()} metadata)")
    row = json.loads(metadata[RUN_METADATA_KEY])
    return {key: math.nan if value is None else value for key, value in row.items()}


def _why_unreadable(error: Exception, path: Path) -> str:
    """Say in a few words why ``path`` could not be read as a run file (or a results table)."""
    text = str(error.args[0] if isinstance(error, KeyError) and error.args else error)
    text = text.removeprefix(f"{path}: ").strip()
    first = text.split(". ")[0].rstrip(".") if text else type(error).__name__
    if isinstance(error, StoreError):
        return first
    return f"cannot be read ({first})"


def _json(row: dict[str, Any]) -> str:
    clean = {k: None if isinstance(v, float) and math.isnan(v) else v for k, v in row.items()}
    return json.dumps(clean, allow_nan=True)


class ResultStore:
    """The results folder of one experiment, written run by run and safe to resume.

    Layout::

        DIR/experiment.toml          the resolved experiment, written before the first run
        DIR/runs/<run_id>.parquet    a finished run: its daily series, and its row of
                                     results in the file's Parquet metadata
        DIR/runs/adoption/<run_id>.parquet
                                     the run's ``first_purchase`` day of every customer
                                     (in customer order; null: never bought), written
                                     before the run file, so that the run file still
                                     marks a finished run
        DIR/results.parquet          one row per finished run, ordered by run_id; rebuilt
                                     from runs/ and rewritten atomically after the first
                                     run, then at most every RESULTS_EVERY seconds, and
                                     when the writer stops
        DIR/failed.parquet           one row per run that failed after its retries, with
                                     the error (absent when no run failed)
        DIR/.lock                    held (flock) by the process writing the folder

    Parameters
    ----------
    directory : str or Path
        The folder; created when it is opened for writing.
    """

    RESULTS = "results.parquet"
    FAILED = "failed.parquet"
    RECORD = FOLDER_RECORDS["batch"][0]
    RESULTS_EVERY = 10.0
    """Seconds between two rewrites of ``results.parquet`` while runs finish: rewriting it
    after every run costs time in proportion to the runs already finished (50 ms at 10,000
    runs), and the run files, not this table, are the record of what is finished."""

    def __init__(self, directory: str | Path):
        self.directory = Path(directory)
        self.runs = self.directory / "runs"
        self._rows: dict[str, dict[str, Any]] | None = None
        self._failures: dict[str, dict[str, Any]] = {}
        self._results_written: float | None = None
        self._results_behind = False
        self._added = False
        self._held = False
        self._lock: io.TextIOWrapper | None = None
        self.repaired = False

    @contextmanager
    def writing(self) -> Iterator[ResultStore]:
        """Hold the folder for writing: lock it, and clear what an interrupted writer left.

        The lock (``DIR/.lock``, an advisory ``flock``) keeps a second process from
        writing the same folder; the system releases it when this process ends, however
        it ends. Temporary files left by a killed writer are removed; finished runs and
        earlier failures are read back, and ``results.parquet`` is rebuilt from ``runs/``
        if it does not hold exactly their rows (a writer killed before it wrote the rows
        of its last runs, or a run file damaged or deleted since; ``repaired`` tells
        whether it is). The table is brought up to date with the first run written, and
        when the block ends, however it ends; except when the block raises before it
        writes a run (a batch refused for holding another experiment, a Ctrl-C while the
        cluster starts): then the table is left as it was, so that it still lists a run
        whose file is gone and a reader still refuses the folder (:meth:`damaged`), and a
        ``runs/`` folder it created is removed.

        Yields
        ------
        ResultStore

        Raises
        ------
        StoreError
            If another process holds the folder.
        """
        with held_folder(self.directory, "batch") as self._lock:
            created = not self.runs.exists()
            self.runs.mkdir(exist_ok=True)
            temporary = (self.directory, self.runs, self.adoption_folder)
            for stale in (p for folder in temporary for p in folder.glob(".*.tmp")):
                stale.unlink(missing_ok=True)
            self._rows = self.rows()
            try:
                self._failures = self.failures()
            except StoreError:  # its runs are not finished, so they run again and it is rewritten
                (self.directory / self.FAILED).unlink()
                self._failures = {}
            self.repaired = self._results_disagree()
            self._results_behind = self.repaired
            self._added = False
            stopped, self._held = True, True
            try:
                yield self
                stopped = False
            finally:
                self._held = False
                if self._results_behind and (self._added or not stopped):
                    self._write_results()
                if stopped and created and not self._added:
                    with suppress(OSError):  # a batch refused before its first run leaves none
                        self.runs.rmdir()  # (refused if it holds anything, or is gone)

    def record(self) -> dict[str, Any] | None:
        """Return the resolved experiment written in the folder, or None.

        Raises
        ------
        StoreError
            If the record cannot be read (damaged): what the folder's runs are runs of is
            then unknown.
        """
        path = self.directory / self.RECORD
        if not path.exists():
            return None
        try:
            return read_toml(path)
        except (OSError, ValueError) as error:  # tomllib's and UnicodeDecodeError are ValueErrors
            raise StoreError(
                f"{path}: cannot be read ({error}), so what this folder's runs are runs of is "
                "unknown; use another --out (or remove the folder to start again)"
            ) from None

    @property
    def adoption_folder(self) -> Path:
        """The folder of the runs' adoption days (``runs/adoption``)."""
        return self.runs / "adoption"

    def run_path(self, run_id: str) -> Path:
        """Return the file of run ``run_id``."""
        return self.runs / f"{run_id}.parquet"

    def adoption_path(self, run_id: str) -> Path:
        """Return the file of the adoption days of run ``run_id``."""
        return self.adoption_folder / f"{run_id}.parquet"

    def run_size(self, run_id: str) -> tuple[int, int | None]:
        """Return how many days run ``run_id`` simulated, and for how many customers.

        Read from the files' footers: the daily series has a row per day from day 0, the
        adoption days a row per customer (``None`` without them: a folder of an earlier
        version of ecosim).
        """
        days = pq.read_metadata(self.run_path(run_id)).num_rows - 1
        adoption = self.adoption_path(run_id)
        return days, pq.read_metadata(adoption).num_rows if adoption.exists() else None

    def adoption(self, run_id: str) -> np.ndarray | None:
        """Return each customer's day of first purchase in run ``run_id`` (NaN: never).

        Returns
        -------
        numpy.ndarray of float or None
            In customer order; None when the folder holds no adoption days for the run
            (written by an earlier version of ecosim).

        Raises
        ------
        StoreError
            If the file cannot be read or lacks the ``first_purchase`` column.
        """
        path = self.adoption_path(run_id)
        if not path.exists():
            return None
        try:
            days = pd.read_parquet(path, columns=["first_purchase"])["first_purchase"]
        except (OSError, ValueError, KeyError, pa.ArrowException) as error:
            raise StoreError(
                f"{path}: not a file of adoption days (a first_purchase column): {error}"
            ) from None
        return days.astype("float64").to_numpy()

    def refuse_foreign(self, planned: set[str], experiment: str) -> None:
        """Refuse run files that are no run of the folder's experiment.

        Parameters
        ----------
        planned : set of str
            The run ids of the experiment.
        experiment : str
            Its name, for the message.

        Raises
        ------
        StoreError
            Naming the first five such files (a folder holds one experiment's runs; a run
            of another would be counted among its results).
        """
        files = self.runs.glob("*.parquet") if self.runs.exists() else []
        foreign = sorted(path.name for path in files if path.stem not in planned)
        if foreign:
            more = f" and {len(foreign) - 5} more" if len(foreign) > 5 else ""
            raise StoreError(
                f"{self.runs}: {len(foreign)} run file(s) are no run of this folder's "
                f"experiment {experiment!r} ({', '.join(foreign[:5])}{more}): a results "
                "folder holds one experiment's runs; move them out of it"
            )

    def rows(self) -> dict[str, dict[str, Any]]:
        """Return the rows of results of the finished runs, by run_id, read from runs/.

        A run file that cannot be read is not counted as finished, so that a writer does
        its run again; :meth:`results` refuses a folder with such a file instead.
        """
        return self._read_rows()[0]

    def damaged(self) -> list[tuple[Path, str]]:
        """Return the files of finished runs that are missing or cannot be read, and why.

        A run file is damaged when it cannot be read as a run file (truncated, emptied,
        overwritten), and missing when ``results.parquet`` lists its run but the file is
        gone; a run's adoption days are damaged when their file cannot be read;
        ``results.parquet`` itself is damaged when it cannot be read, as it is the list of
        finished runs that reveals a missing file. A folder whose writer was
        stopped before it finished every run is not damaged: the runs it has not done
        are not listed anywhere yet.

        Returns
        -------
        list of (Path, str)
            Each damaged or missing file and what is wrong with it, ``results.parquet``
            first, then the run files by run_id; empty when every file can be used.
        """
        return self._read_finished()[1]

    def _read_rows(self) -> tuple[dict[str, dict[str, Any]], list[tuple[Path, str]]]:
        """Return the rows of the readable run files, and the unreadable ones with why.

        A run whose adoption days are in a file that cannot be read is unreadable too
        (that file is named): its run file alone would not let a rerun write them again.
        """
        rows: dict[str, dict[str, Any]] = {}
        unreadable: list[tuple[Path, str]] = []
        for path in sorted(self.runs.glob("*.parquet")) if self.runs.exists() else []:
            try:
                row = read_run_row(path)
                if row.get("run_id") != path.stem:
                    raise StoreError(f"holds the run {row.get('run_id')!r} (renamed or copied?)")
                rows[path.stem] = row
            except (OSError, ValueError, pa.ArrowException) as error:
                unreadable.append((path, _why_unreadable(error, path)))
        for path in sorted(self.adoption_folder.glob("*.parquet")) if rows else []:
            if path.stem in rows:
                try:
                    if "first_purchase" not in pq.read_schema(path).names:
                        raise StoreError("no first_purchase column")
                except (OSError, ValueError, pa.ArrowException) as error:
                    del rows[path.stem]
                    unreadable.append((path, _why_unreadable(error, path)))
        return rows, unreadable

    def _read_finished(self) -> tuple[dict[str, dict[str, Any]], list[tuple[Path, str]]]:
        """Return the rows of the finished runs and the damaged or missing files (:meth:`damaged`).

        ``results.parquet`` is read before the run files: the writer adds a run's row only
        after its file, so every run the table lists had its file when the files are read.
        """
        table = self.directory / self.RESULTS
        damaged: list[tuple[Path, str]] = []
        listed: set[str] = set()
        if table.exists():
            try:
                with pq.ParquetFile(table) as held:
                    listed = set(held.read(columns=["run_id"]).column("run_id").to_pylist())
            except (OSError, ValueError, KeyError, pa.ArrowException) as error:
                damaged.append((table, _why_unreadable(error, table)))
        rows, unreadable = self._read_rows()
        present = {*rows, *(path.stem for path, _ in unreadable)}
        missing = [
            (self.run_path(run_id), "missing (results.parquet lists its run as finished)")
            for run_id in listed - present
        ]
        damaged += sorted([*unreadable, *missing], key=lambda entry: entry[0].name)
        return rows, damaged

    def _command(self) -> str:
        """Return the command that writes this folder (for messages)."""
        record: dict[str, Any] = {}
        with suppress(OSError, ValueError):
            record = self.record() or {}
        if record.get("kind") == "sensitivity":
            return f"ecosim sensitivity --method {record.get('method', 'morris')}"
        return "ecosim batch"

    def _damaged_error(self, damaged: list[tuple[Path, str]]) -> StoreError:
        """Return the error that refuses a folder with damaged or missing files, and what to do."""
        command = self._command()
        table = self.directory / self.RESULTS
        runs = sum(path != table for path, _ in damaged)
        repairs = [f"redoes {'the run' if runs == 1 else 'these runs'}"] if runs else []
        if len(damaged) > runs:
            repairs.append(f"rebuilds {self.RESULTS}")
        files = "file" if len(damaged) == 1 else "files"
        shown = [f"  {path}: {why}" for path, why in damaged[:DAMAGED_SHOWN]]
        if len(damaged) > DAMAGED_SHOWN:
            shown.append(f"  and {len(damaged) - DAMAGED_SHOWN} more")
        return StoreError(
            f"{self.directory}: {len(damaged)} {files} of finished runs "
            f"{'is' if len(damaged) == 1 else 'are'} missing or cannot be read, so "
            "the results in this folder are incomplete:\n"
            + "\n".join(shown)
            + f"\nrerun the same {command} command into this folder (the same experiment "
            f"file and options, --out {shlex.quote(str(self.directory))}): it "
            f"{' and '.join(repairs)}, keeping "
            "the finished runs; then run this command again"
        )

    def failures(self) -> dict[str, dict[str, Any]]:
        """Return the failed runs recorded in ``failed.parquet``, by run_id."""
        path = self.directory / self.FAILED
        if not path.exists():
            return {}
        try:
            frame = pd.read_parquet(path)
            if "run_id" not in frame.columns:
                raise StoreError("no run_id column")
        except (OSError, ValueError, pa.ArrowException) as error:
            raise StoreError(
                f"{path}: {_why_unreadable(error, path)}; rerun the same {self._command()} "
                "command into this folder: it runs the failed runs again and rewrites it"
            ) from None
        return {row["run_id"]: row for row in frame.to_dict("records")}

    def _check_held(self) -> None:
        """Refuse to write into a folder removed while this process was writing it."""
        if self._held and not _same_file(self.directory / ".lock", self._lock):
            self._results_behind = False  # nothing to bring up to date in a removed folder
            raise StoreError(
                f"{self.directory}: the folder (or its .lock file) was removed or moved while "
                "this process was writing it; stopped, as what it held may be gone (rerun the "
                "command to continue what is left, or to start again)"
            )

    def add_run(
        self,
        run_id: str,
        daily: pd.DataFrame,
        row: dict[str, Any],
        adoption: np.ndarray | None = None,
    ) -> None:
        """Write a finished run, then its row into ``results.parquet``.

        The table is rewritten after the first run, then at most every
        :attr:`RESULTS_EVERY` seconds and when :meth:`writing` ends. A failure recorded
        for the same run earlier is removed.

        Parameters
        ----------
        run_id : str
        daily : pandas.DataFrame
            The run's daily series.
        row : dict
            Its row of results.
        adoption : numpy.ndarray, optional
            Each customer's day of first purchase (NaN: never), written to
            :meth:`adoption_path` before the run file.
        """
        self._check_held()
        if adoption is not None:
            column = pd.array(np.asarray(adoption, dtype=float), dtype="Int32")
            write_parquet(pd.DataFrame({"first_purchase": column}), self.adoption_path(run_id))
        write_run(daily, row, self.run_path(run_id))
        if self._rows is None:
            self._rows = self.rows()
        self._rows[run_id] = row
        self._results_behind = True
        self._added = True
        written = self._results_written
        if written is None or time.monotonic() - written >= self.RESULTS_EVERY:
            self._write_results()
        if self._failures.pop(run_id, None) is not None:
            self._write_failures()

    def add_failure(self, run_id: str, row: dict[str, Any]) -> None:
        """Record a run that failed (its identification, attempts and error)."""
        self._check_held()
        self._failures[run_id] = row
        self._write_failures()

    def results(self) -> pd.DataFrame:
        """Return the rows of the finished runs as a DataFrame, ordered by run_id.

        Read from the run files, unless this store is writing the folder (then the runs
        it holds: a damaged run file is not counted, and its run is done again).

        Returns
        -------
        pandas.DataFrame

        Raises
        ------
        StoreError
            When read from the files, if a file of a finished run is missing or cannot be
            read (:meth:`damaged`): the message names the files (the first
            ``DAMAGED_SHOWN``, then how many more) and says to rerun the command that
            wrote the folder, which redoes their runs.
        """
        if self._rows is None:
            rows, damaged = self._read_finished()
            if damaged:
                raise self._damaged_error(damaged)
        else:
            rows = self._rows
        return pd.DataFrame([rows[run_id] for run_id in sorted(rows)])

    def daily(
        self, run_ids: list[str] | None = None, alike: dict[str, Any] | None = None
    ) -> pd.DataFrame:
        """Return the daily series of finished runs, stacked, with a ``run_id`` column.

        Parameters
        ----------
        run_ids : list of str, optional
            The runs to read; all finished runs when omitted.
        alike : dict, optional
            A key per run id, equal for runs that measure the same series (a strategy
            under a condition, whose runs differ only in their seed): a run lacking a
            column that another run of its key has is refused.

        Returns
        -------
        pandas.DataFrame

        Raises
        ------
        StoreError
            If a run's file is missing or its series cannot be read, naming the file and
            saying to rerun the command that wrote the folder; or if it lacks a column its
            ``alike`` runs have, saying to delete it and rerun.
        """
        ids = sorted(self.rows()) if run_ids is None else run_ids
        frames = []
        for run_id in ids:
            path = self.run_path(run_id)
            if not path.exists():
                raise self._damaged_error([(path, "missing")])
            try:
                frames.append(pd.read_parquet(path).assign(run_id=run_id))
            except (OSError, ValueError, pa.ArrowException) as error:
                raise self._damaged_error([(path, _why_unreadable(error, path))]) from None
        if alike is not None:
            self._refuse_lacking(ids, frames, alike)
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    def _refuse_lacking(
        self, ids: list[str], frames: list[pd.DataFrame], alike: dict[str, Any]
    ) -> None:
        """Refuse runs lacking a daily column that a run of the same ``alike`` key has."""
        columns: dict[Any, set[str]] = {}
        for run_id, frame in zip(ids, frames, strict=True):
            columns.setdefault(alike[run_id], set()).update(frame.columns)
        lacking = [
            (self.run_path(run_id), f"lacks the daily column(s) {', '.join(sorted(missing))}")
            for run_id, frame in zip(ids, frames, strict=True)
            if (missing := columns[alike[run_id]] - set(frame.columns))
        ]
        if lacking:
            shown = [f"  {path}: {why}" for path, why in lacking[:DAMAGED_SHOWN]]
            if len(lacking) > DAMAGED_SHOWN:
                shown.append(f"  and {len(lacking) - DAMAGED_SHOWN} more")
            raise StoreError(
                f"{self.directory}: {len(lacking)} run file(s) lack daily series that runs "
                "of their strategy and condition have, so the results in this folder are "
                "incomplete:\n"
                + "\n".join(shown)
                + f"\ndelete them and rerun the same {self._command()} command into this "
                f"folder (--out {shlex.quote(str(self.directory))}): it redoes their runs, "
                "keeping the others"
            )

    def _results_disagree(self) -> bool:
        """Return whether ``results.parquet`` does not hold exactly the rows of the run files."""
        path = self.directory / self.RESULTS
        expected = self.results()
        try:
            held = pd.read_parquet(path) if path.exists() else None
        except (OSError, ValueError, pa.ArrowException):
            held = None
        agree = (held is None and expected.empty and not path.exists()) or (
            held is not None and held.equals(expected)
        )
        return not agree

    def _write_results(self) -> None:
        """Write ``results.parquet`` from the runs held (removed when there is none)."""
        path = self.directory / self.RESULTS
        results = self.results()
        if results.empty:
            path.unlink(missing_ok=True)
        else:
            write_parquet(results, path)
        self._results_written = time.monotonic()
        self._results_behind = False

    def _write_failures(self) -> None:
        path = self.directory / self.FAILED
        if self._failures:
            rows = [self._failures[run_id] for run_id in sorted(self._failures)]
            write_parquet(pd.DataFrame(rows), path)
        else:
            path.unlink(missing_ok=True)
