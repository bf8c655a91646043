"""Reading ecosim's TOML input files: their encoding, their syntax and their kind.

ecosim reads four kinds of TOML file: a scenario (``ecosim run``), an experiment
(``ecosim batch``, ``compare`` and ``sensitivity``), a calibration (``ecosim calibrate``)
and an optimisation (``ecosim optimize``). A file of one kind given where another is
expected is refused with one sentence that says which kind it is and which command takes
it, rather than with every field it lacks and every field it has too many.
"""

from __future__ import annotations

import errno
import math
import tomllib
from pathlib import Path
from typing import Any, Literal

from ecosim.errors import LINK_LOOP, InputError

__all__ = [
    "KINDS",
    "FileKind",
    "NumberTooLarge",
    "kind_of",
    "loads_toml",
    "read_toml_file",
    "undecodable_line",
]

FileKind = Literal["scenario", "experiment", "calibration", "optimisation"]

KINDS: dict[str, tuple[frozenset[str], str]] = {
    "scenario": (
        frozenset(
            {
                "extends",
                "population",
                "brands",
                "network",
                "channels",
                "influencers",
                "campaign",
                "diffusion",
                "dynamics",
                "engagement",
            }
        ),
        "`ecosim run`",
    ),
    "experiment": (
        frozenset(
            {"strategies", "baseline", "replications", "outcomes", "conditions", "sensitivity"}
        ),
        "`ecosim batch` and `ecosim sensitivity`",
    ),
    "calibration": (
        frozenset({"data", "statistics", "parameters", "abc", "observed"}),
        "`ecosim calibrate`",
    ),
    "optimisation": (
        frozenset({"objectives", "search", "selection", "variables", "budgets", "flights"}),
        "`ecosim optimize`",
    ),
}
"""Each kind of file: the top-level tables and keys only it has, and the commands it is for."""


def read_toml_file(
    path: Path,
    error: type[InputError],
    missing: str = "file not found",
    *,
    kind: FileKind | None = None,
) -> dict[str, Any]:
    """Read a TOML file, or raise ``error`` naming the file and what is wrong with it.

    The file is UTF-8, optionally starting with the byte order mark some editors write.

    Parameters
    ----------
    path : Path
        The file.
    error : type of InputError
        The error to raise (the input's own kind, e.g. ``ScenarioError``).
    missing : str
        What the error says when the file does not exist.
    kind : {"scenario", "experiment", "calibration", "optimisation"}, optional
        The kind of file expected: a file that has none of its own tables and keys but
        those of another kind is refused, with the commands that take it.

    Returns
    -------
    dict
        The file's tables.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
        data = loads_toml(text)
    except NumberTooLarge as problem:
        line = text[: text.find(problem.literal)].count("\n") + 1
        raise error(str(path), [("", f"line {line}: {problem}")]) from None
    except FileNotFoundError:
        raise error(str(path), [("", missing)]) from None
    except UnicodeDecodeError as problem:
        raise error(str(path), [("", _not_utf8(problem))]) from None
    except OSError as problem:
        why = (
            f"{LINK_LOOP}; expected a file"
            if problem.errno == errno.ELOOP
            else f"cannot be read ({problem})"
        )
        raise error(str(path), [("", why)]) from None
    except tomllib.TOMLDecodeError as problem:
        raise error(str(path), [("", f"invalid TOML: {problem}")]) from None
    found = kind_of(data)
    if kind is not None and found is not None and not KINDS[kind][0] & data.keys():
        own = ", ".join(sorted(KINDS[found][0] & data.keys()))
        takes = "take" if " and " in KINDS[found][1] else "takes"
        problem = (
            f"is {_a(found)} file (it has {own}), not {_a(kind)} file; {KINDS[found][1]} {takes} it"
        )
        raise error(str(path), [("", problem)])
    return data


class NumberTooLarge(ValueError):
    """A number in a TOML text beyond the largest float, which would be read as infinite."""

    def __init__(self, literal: str) -> None:
        self.literal = literal
        super().__init__(
            f"the number {literal} is beyond the largest number ecosim can hold (about "
            "1.8e308); write inf for no limit, or a smaller number"
        )


def _finite_float(literal: str) -> float:
    value = float(literal)
    if math.isinf(value) and "inf" not in literal:
        raise NumberTooLarge(literal)
    return value


def loads_toml(text: str) -> dict[str, Any]:
    """Read a TOML text, refusing a number too large to be a float rather than reading inf.

    Parameters
    ----------
    text : str
        The TOML text.

    Returns
    -------
    dict
        Its tables.

    Raises
    ------
    tomllib.TOMLDecodeError
        If the text is not TOML.
    NumberTooLarge
        If a number (such as ``1e400``) is beyond the largest float: read as ``inf`` it
        would silently mean no limit.

    Examples
    --------
    >>> loads_toml("budget = inf")
    {'budget': inf}
    >>> loads_toml("budget = 1e400")
    Traceback (most recent call last):
    ecosim.scenario.files.NumberTooLarge: the number 1e400 is beyond the largest number ...
    """
    return tomllib.loads(text, parse_float=_finite_float)


def kind_of(data: dict[str, Any]) -> str | None:
    """Return the kind of file ``data`` was read from, judged by its top-level keys.

    Parameters
    ----------
    data : dict
        A TOML file's tables.

    Returns
    -------
    str or None
        The kind whose own tables and keys the file has most of; None if it has none
        (a file that only names itself) or as many of two kinds.

    Examples
    --------
    >>> kind_of({"name": "b", "population": {}, "brands": []})
    'scenario'
    >>> kind_of({"name": "e", "strategies": [], "replications": 20})
    'experiment'
    >>> kind_of({"name": "x"}) is None
    True
    """
    counts = {kind: len(keys & data.keys()) for kind, (keys, _) in KINDS.items()}
    most = max(counts.values())
    best = [kind for kind, count in counts.items() if count == most]
    return best[0] if most and len(best) == 1 else None


def _a(kind: str) -> str:
    """Return ``kind`` with its indefinite article (``an experiment``)."""
    return f"{'an' if kind[0] in 'aeiou' else 'a'} {kind}"


def _not_utf8(problem: UnicodeDecodeError) -> str:
    r"""Say where a file is not UTF-8 text, and what to do.

    Examples
    --------
    >>> print(_not_utf8(UnicodeDecodeError("utf-8", b"a = 1\nb = '\xe9'", 11, 12, "invalid")))
    is not UTF-8 text (byte 0xe9 on line 2): save it as UTF-8
    >>> print(_not_utf8(UnicodeDecodeError("utf-8", b"\xff\xfea\x00", 0, 1, "invalid")))
    is UTF-16 text (Windows' 'Unicode'), not UTF-8: save it as UTF-8
    """
    data = bytes(problem.object)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "is UTF-16 text (Windows' 'Unicode'), not UTF-8: save it as UTF-8"
    return (
        f"is not UTF-8 text (byte 0x{data[problem.start]:02x} on line "
        f"{undecodable_line(data)}): save it as UTF-8"
    )


def undecodable_line(data: bytes) -> int:
    r"""Return the number (1-based) of the first line of ``data`` that is not UTF-8 text.

    Its last line's if all of it is.

    Examples
    --------
    >>> undecodable_line(b"a,b\n1,2\n3,\xe9\n")
    3
    """
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as problem:
        return data[: problem.start].count(b"\n") + 1
    return data.count(b"\n") + 1
