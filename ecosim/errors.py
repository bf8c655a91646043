"""The one error family of ecosim: every error it raises on purpose is an :class:`EcosimError`.

- :class:`InputError`: input that cannot be used (a scenario, an override, an edge list,
  an experiment, a command-line value), every problem named by its field path or line;
- :class:`StoreError`: a results folder that cannot be used (held by another process,
  or a file that is not a run file);
- :class:`ValidationCaseError`: a validation run (``ecosim validate``) that cannot start;
- :class:`ResourceError`: a run that would need more memory than the machine has.

Apart from the family, :class:`Terminated` is SIGTERM, which the command line turns into
an interruption like Ctrl-C (:func:`stop_reason` says how it reports either).

The command line catches the family and prints the message alone, without a traceback.
:class:`InputWarning` is for input that can be used but probably does not say what was
meant (a campaign action cut short by the horizon).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = [
    "INTERRUPT_RECEIVED",
    "LINK_LOOP",
    "EcosimError",
    "InputError",
    "InputWarning",
    "ResourceError",
    "StoreError",
    "Terminated",
    "ValidationCaseError",
    "as_path",
    "plain_number",
    "report_stop",
    "shortened",
    "stop_if_signalled",
    "stop_reason",
    "without_input_warnings",
]

LINK_LOOP = "is a loop of symbolic links (a link that leads back to itself)"
"""What is said of a path that names no file but a loop of symbolic links."""


class EcosimError(Exception):
    """Base of every error ecosim raises on purpose; its message is meant for the user."""


class InputError(EcosimError, ValueError):
    """Input that cannot be used, with every problem named by its field path.

    The message reads ``<source>: <n> problem(s)`` (or ``<source>: <reason>``) followed by
    one line per problem, ``<path>: <what was wrong and what was expected>``; the command
    line prints it as it is, without a traceback.

    Parameters
    ----------
    source : str
        Where the input came from (a file name, ``--set``, a results folder); without
        ``problems``, the whole message (as in ``edges.csv, line 7: ...``).
    problems : list of (str, str), optional
        Pairs of field path (``campaign[2].channel``) and what was wrong.
    reason : str, optional
        One sentence on what the problems have in common; it replaces the count in the
        first line (as in ``out: holds another optimisation ...`` over the fields that
        differ).

    Examples
    --------
    >>> print(InputError("plan.toml", [("days", "must be >= 1"), ("", "no brands")]))
    plan.toml: 2 problems
      days: must be >= 1
      no brands
    >>> print(InputError("edges.csv, line 3: 'x' is not a node id"))
    edges.csv, line 3: 'x' is not a node id
    >>> print(InputError("out", [("seed", "folder has 7, now 8")], reason="holds another run"))
    out: holds another run
      seed: folder has 7, now 8
    """

    def __init__(
        self,
        source: str,
        problems: list[tuple[str, str]] | None = None,
        *,
        reason: str | None = None,
    ):
        self.source = source
        self.problems = list(problems) if problems is not None else [("", source)]
        if problems is None:
            super().__init__(source)
            return
        lines = [f"  {path}: {message}" if path else f"  {message}" for path, message in problems]
        noun = "problem" if len(problems) == 1 else "problems"
        heading = reason if reason is not None else f"{len(problems)} {noun}"
        super().__init__("\n".join([f"{source}: {heading}", *lines]))

    def under(self, field: str) -> list[tuple[str, str]]:
        """Return these problems as problems of ``field`` of an enclosing input.

        For an input that names another one (a scenario file in an experiment, a
        posterior folder): each problem becomes ``(field, "<source>: <path>: <what>")``.

        Examples
        --------
        >>> InputError("base.toml", [("days", "must be >= 1")]).under("scenario")
        [('scenario', 'base.toml: days: must be >= 1')]
        """
        return [
            (field, f"{self.source}: {path}: {message}" if path else f"{self.source}: {message}")
            for path, message in self.problems
        ]


class StoreError(EcosimError, ValueError):
    """A results folder that cannot be used (held by another process, or not a run file)."""


class ValidationCaseError(EcosimError, RuntimeError):
    """A validation run cannot start (for example, the reference implementation is missing)."""


class ResourceError(EcosimError, MemoryError):
    """A run that needs more memory than is available, refused before it allocates it."""


class InputWarning(UserWarning):
    """Input that can be used but probably does not say what was meant.

    For example a campaign action cut short by the horizon. The message names the file
    and the field path, like an :class:`InputError`'s; the command line prints it as
    ``ecosim: warning: <message>``.
    """


def as_path(value: object, name: str) -> Path:
    """Return ``value`` as a path, or refuse what is no path.

    Raises
    ------
    InputError
        If ``value`` is neither a ``str`` nor an ``os.PathLike`` (``pathlib.Path``).

    Examples
    --------
    >>> as_path("scenarios/baseline.toml", "path")
    PosixPath('scenarios/baseline.toml')
    >>> as_path(None, "path")
    Traceback (most recent call last):
    ...
    ecosim.errors.InputError: path: expected a path (a str or pathlib.Path), got NoneType
    """
    if not isinstance(value, str | os.PathLike):
        raise InputError(
            f"{name}: expected a path (a str or pathlib.Path), got {type(value).__name__}"
        )
    return Path(value)


def plain_number(amount: float) -> str:
    """Write a number as a reader does: grouped digits, never in exponent form.

    Examples
    --------
    >>> plain_number(1e12), plain_number(150.0), plain_number(1_500_000.5), plain_number(0.015)
    ('1,000,000,000,000', '150', '1,500,000.5', '0.015')
    """
    return f"{amount:,.6f}".rstrip("0").rstrip(".")


def shortened(text: str, most: int = 40) -> str:
    """Return ``text`` for a message, its middle left out when it is longer than ``most``.

    Examples
    --------
    >>> shortened("9" * 400)
    '99999999999999999999...9999999999 (400 chars)'
    """
    return text if len(text) <= most else f"{text[:20]}...{text[-10:]} ({len(text)} chars)"


@contextmanager
def without_input_warnings() -> Iterator[None]:
    """Leave out :class:`InputWarning` in the block: for runs whose input was warned about.

    A batch, a calibration or an optimisation gives the input's warnings once, as its files
    are read; its runs (on workers, or one after another) would repeat them.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InputWarning)
        yield


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread by the command line: a command stops as after Ctrl-C.

    So that ``kill PID`` (or a job scheduler's stop) ends a batch, a calibration or an
    optimisation in order: the runs written are kept, ``results.parquet`` is brought up to
    date, the local cluster is closed, and the message says so without a traceback.
    :attr:`status` is the exit status, 128 + the signal's number, as a shell reports a
    process the signal ended; :attr:`received` is set when the signal arrived, since a
    library may turn this exception into a plain ``KeyboardInterrupt`` on its way up
    (Dask does, from a calibration's sampler).
    """

    status = 128 + signal.SIGTERM
    received = threading.Event()

    def __init__(self) -> None:
        super().__init__("terminated")


INTERRUPT_RECEIVED = threading.Event()
"""Set by the command line's Ctrl-C handler before it raises ``KeyboardInterrupt``, whose
exception may be lost as SIGTERM's may (:func:`stop_if_signalled`)."""


def stop_if_signalled() -> None:
    """Raise :class:`Terminated` or ``KeyboardInterrupt`` for a signal whose exception was lost.

    SIGTERM gives :class:`Terminated`, Ctrl-C ``KeyboardInterrupt``. The handler raises
    where the main thread happens to be; raised inside a callback that Python calls itself
    (a garbage collector's callback of Dask, a finaliser), the exception is printed and
    dropped, and the command would go on. Loops over runs call this after each run, so
    that the signal stops them all the same.
    """
    if Terminated.received.is_set():
        raise Terminated
    if INTERRUPT_RECEIVED.is_set():
        raise KeyboardInterrupt


def stop_reason(stop: KeyboardInterrupt) -> tuple[str, int]:
    """Return how the command line reports a stop, and its exit status.

    Parameters
    ----------
    stop : KeyboardInterrupt
        Ctrl-C, or :class:`Terminated` (SIGTERM).

    Returns
    -------
    (str, int)
        ``("interrupted", 130)``, or ``("terminated", 143)`` after SIGTERM.
    """
    if isinstance(stop, Terminated) or Terminated.received.is_set():
        return "terminated", Terminated.status
    return "interrupted", 130


def report_stop(out: Path, why: str, status: int, kept: str) -> int:
    """Say why a resumable command stopped and what it kept; return its exit status.

    Parameters
    ----------
    out : Path
        The command's folder.
    why : str
        ``interrupted``, ``terminated`` (:func:`stop_reason`) or the error.
    status : int
    kept : str
        What the folder keeps, e.g. ``finished runs``.

    Returns
    -------
    int
        ``status``.
    """
    if out.is_dir():
        then = f"{kept} are kept in {out}; rerun the same command to continue"
    else:
        then = f"nothing was written to {out}"
    print(f"ecosim: {why}\n{then}", file=sys.stderr)
    return status
