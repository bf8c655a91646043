"""Reading a network from a CSV edge list, with errors that name the file and the line.

A well-formed file of plain integers is parsed by a fast vectorised path, block by block;
anything else falls back to a careful parser that names the first bad line.
"""

from __future__ import annotations

import errno
import hashlib
import io
import os
import re
import stat
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.dtypes import StringDType

from ecosim.checks import check_integer
from ecosim.errors import LINK_LOOP, InputError, shortened
from ecosim.network.graph import _MAX_NODES, SocialNetwork

__all__ = ["MAX_EDGE_LIST_BYTES", "EdgeListError", "edge_list_digest", "read_edge_list"]

MAX_EDGE_LIST_BYTES = 50_000_000
"""Default size limit of :func:`read_edge_list`: 50 MB (about 4 million unweighted edges)."""

_DIGITS = "0123456789"
# Edge lists are read and parsed in blocks of about this many bytes, cut after a newline.
_BLOCK_BYTES = 1 << 22
_BOM = b"\xef\xbb\xbf"
_HEADERS = {("source", "target"): False, ("source", "target", "weight"): True}
# The fast edge-list parser `_parse_plain_csv` drops whole-line comments and blank lines that
# follow a newline (`re` does not see a lone carriage return as one), then accepts only these bytes.
_COMMENT_OR_BLANK_LINE = re.compile(rb"^[ \t]*(?:#[^\r\n]*)?\r?(?:\n|\Z)", re.MULTILINE)
_NOT_TEXT = re.compile("[\x00\ufffd]")
_PLAIN_BYTES = np.zeros(256, dtype=bool)
_PLAIN_BYTES[np.frombuffer(b"0123456789,+- \t\r\n", dtype=np.uint8)] = True
_PLAIN_WEIGHTED_BYTES = _PLAIN_BYTES.copy()
_PLAIN_WEIGHTED_BYTES[np.frombuffer(b".eE", dtype=np.uint8)] = True


class EdgeListError(InputError):
    """Raised for a malformed edge-list file.

    The message names the file, the line number and what was expected, e.g.
    ``edges.csv, line 7: 'abc' is not a node id (expected an integer in [0, 999])``.
    """


def read_edge_list(
    path: str | os.PathLike[str],
    n: int,
    *,
    max_bytes: int | None = MAX_EDGE_LIST_BYTES,
    size_field: str = "population.size",
) -> SocialNetwork:
    r"""Read an undirected network, optionally weighted, from a CSV edge list.

    Each line holds two integer node ids ``source,target`` (spaces around them allowed). The
    first non-blank, non-comment line may be the header ``source,target``, or
    ``source,target,weight`` for a weighted network: every line then holds a third value,
    the tie strength, a positive finite number (at most about 3.4e38, stored as float32).
    Blank lines and lines starting with ``#`` are skipped. Self loops are dropped, and so are
    repeated edges (a repeated weighted edge keeps its largest weight); a weight column of
    all 1 gives the unweighted network.

    The file must name every customer: its highest id must be ``n - 1``. A customer without
    contacts can be kept by a self loop (``"9,9"``), which declares the node and is dropped.

    Parameters
    ----------
    path : str or os.PathLike
        The CSV file (UTF-8).
    n : int
        Number of nodes; ids must lie in ``[0, n)`` and the highest must be ``n - 1``.
    max_bytes : int or None, optional
        Refuse a file larger than this many bytes (default :data:`MAX_EDGE_LIST_BYTES`,
        50 MB); ``None`` for no limit.
    size_field : str, optional
        The field that sets `n` (an experiment's ``customers``), named where a message
        says how to make the population fit the file.

    Returns
    -------
    SocialNetwork
        The network.

    Raises
    ------
    EdgeListError
        If the file is missing, is a folder, cannot be read (no permission, a path through
        a file, a name the system refuses), is larger than `max_bytes`, holds no edges (or
        only self loops), is not UTF-8 text (compressed or binary: the line of the first
        such byte is named), has a malformed line, or names fewer than `n` nodes. The
        message names the file and, for a bad line, its 1-based physical line number
        (comments, blank lines and the header count) and what was expected, e.g.
        ``edges.csv, line 7: 'abc' is not a node id (expected an integer in [0, 999])``.
    ValueError
        If `n` or `max_bytes` is out of range.

    Notes
    -----
    The file is streamed in blocks of about 4 MiB cut after a newline, so only the parsed
    ids (and weights) of the whole file are held in memory. Plain blocks (digits, commas,
    signs and white space only; decimal points and exponents too in a weighted file) are
    parsed by the pandas C parser. Any other block, or one that parser rejects, is parsed by
    a vectorised line-by-line parser that locates the first bad line; reading stops at the
    first bad block, so a bad line costs at most the blocks before it.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "edges.csv"
    ...     _ = path.write_text("source,target\n# a comment\n0,1\n1,2\n")
    ...     read_edge_list(path, n=3).n_edges
    2
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "ties.csv"
    ...     _ = path.write_text("source,target,weight\n0,1,3.5\n1,2,0.5\n")
    ...     read_edge_list(path, n=3).strength.tolist()
    [3.5, 4.0, 0.5]
    """
    n = check_integer("n", n, 1, _MAX_NODES)
    if max_bytes is not None:
        max_bytes = check_integer("max_bytes", max_bytes, 1, sys.maxsize)
    with _opened(path) as file:
        size = os.fstat(file.fileno()).st_size
        if max_bytes is not None and size > max_bytes:
            raise EdgeListError(_too_large(path, size, max_bytes))
        source, target, weight = _parse_blocks(_blocks(file, path, max_bytes), path, n, size_field)
    if not source.size:
        raise EdgeListError(f"{path}: no edges")
    if np.all(source == target):
        raise EdgeListError(
            f"{path}: no edges between two customers (only self loops, which are dropped)"
        )
    highest = int(max(source.max(), target.max()))
    if highest < n - 1:
        raise EdgeListError(
            f"{path}: the edge list names {highest + 1} customers (ids 0 to {highest}) but the "
            f"population has {n}, so customers {highest + 1} to {n - 1} would have no contacts; "
            f"set {size_field} = {highest + 1}, or keep customers without contacts with a "
            f"self loop such as '{n - 1},{n - 1}'"
        )
    return SocialNetwork.from_edges(source, target, n, weight)


def _opened(path: str | os.PathLike[str]) -> io.BufferedReader:
    """Open an edge list to read; a path that is no readable regular file is an EdgeListError."""
    try:
        if not stat.S_ISREG(mode := os.stat(path).st_mode) and not stat.S_ISDIR(mode):
            raise EdgeListError(
                f"{path}: is no regular file (a device, a pipe or a socket; expected a CSV "
                "file of edges)"
            )
        return Path(path).open("rb")
    except FileNotFoundError as error:
        raise EdgeListError(f"{path}: file not found") from error
    except IsADirectoryError as error:
        raise EdgeListError(f"{path}: is a folder (expected a CSV file of edges)") from error
    except EdgeListError:
        raise
    except (OSError, ValueError) as error:  # no permission, a name too long, a NUL byte
        if isinstance(error, OSError) and error.errno == errno.ELOOP:
            raise EdgeListError(f"{path}: {LINK_LOOP}; expected a CSV file of edges") from None
        why = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        raise EdgeListError(
            f"{path}: cannot be read ({why}; expected a CSV file of edges)"
        ) from None


def edge_list_digest(network: object) -> str | None:
    """Return a digest of the edge list a network specification reads, or None.

    A results folder records it, so that a run resumed after the file changed is refused
    rather than mixed with runs on the old network (the scenario names only the path).

    Parameters
    ----------
    network : object
        A scenario's ``network`` table; only an ``edge_list`` one has a file.

    Returns
    -------
    str or None
        The SHA-256 of the file's bytes; None for a generated network, or a file that
        cannot be read (reading it for the model says why).
    """
    path = getattr(network, "path", None)
    if getattr(network, "kind", None) != "edge_list" or path is None:
        return None
    digest = hashlib.sha256()
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):  # a pipe would block; reading says why
            return None
        with Path(path).open("rb") as file:
            while block := file.read(_BLOCK_BYTES):
                digest.update(block)
    except (OSError, ValueError):
        return None
    return digest.hexdigest()


def _too_large(path: str | os.PathLike[str], size: int, max_bytes: int) -> str:
    return (
        f"{path}: the file is larger than the limit of {max_bytes:,} bytes "
        f"({size:,} bytes read); raise max_bytes to read it"
    )


def _blocks(
    file: io.BufferedReader, path: str | os.PathLike[str], max_bytes: int | None
) -> Iterator[bytes]:
    """Yield the file in blocks of about ``_BLOCK_BYTES``, each cut after a newline."""
    carry, total = b"", 0
    while data := file.read(_BLOCK_BYTES):
        total += len(data)
        if max_bytes is not None and total > max_bytes:
            raise EdgeListError(_too_large(path, total, max_bytes))
        data = carry + data
        cut = data.rfind(b"\n") + 1
        if cut:
            yield data[:cut]
        carry = data[cut:]
    if carry:
        yield carry


def _parse_blocks(
    blocks: Iterable[bytes], path: str | os.PathLike[str], n: int, size_field: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Parse the blocks of an edge list in order; raise at the first bad line."""
    line, weighted = 1, None
    sources, targets, weights = [], [], []
    for block in blocks:
        if weighted is None:
            block, weighted = _take_header(block.removeprefix(_BOM) if line == 1 else block)
        source, target, weight = _parse_block(block, path, n, bool(weighted), line, size_field)
        sources.append(source)
        targets.append(target)
        if weighted:
            weights.append(weight)
        line += block.count(b"\n") + block.count(b"\r") - block.count(b"\r\n")
    empty = np.zeros(0, dtype=np.int64)
    source = np.concatenate(sources) if sources else empty
    target = np.concatenate(targets) if targets else empty
    weight = np.concatenate(weights) if weighted and weights else None
    return source, target, weight


def _take_header(block: bytes) -> tuple[bytes, bool | None]:
    """Blank out a header on the first line with content; say whether it asks for weights.

    Returns the block (line numbers unchanged) and True (``source,target,weight``), False
    (``source,target`` or no header), or None if the block has no line with content.
    """
    offset = 0
    for raw_line in block.splitlines(keepends=True):
        text = raw_line.decode("utf-8", errors="replace").strip()
        if text and not text.startswith("#"):
            fields = tuple(part.strip() for part in text.split(","))
            if fields not in _HEADERS:
                return block, False
            body = raw_line.rstrip(b"\r\n")
            end = offset + len(body)
            return block[:offset] + block[end:], _HEADERS[fields]
        offset += len(raw_line)
    return block, None


def _parse_block(
    raw: bytes,
    path: str | os.PathLike[str],
    n: int,
    weighted: bool,
    first_line: int,
    size_field: str,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Parse one block of lines (header removed): the fast parser, else the line parser."""
    edges = _parse_plain_csv(raw, n, weighted)
    return (
        edges if edges is not None else _parse_csv(raw, path, n, weighted, first_line, size_field)
    )


def _parse_plain_csv(
    raw: bytes, n: int, weighted: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None] | None:
    """Parse a plain block with pandas; None if that fails or any value is out of range."""
    if b"#" in raw:
        raw = _COMMENT_OR_BLANK_LINE.sub(b"", raw)
    plain = _PLAIN_WEIGHTED_BYTES if weighted else _PLAIN_BYTES
    if not plain[np.frombuffer(raw, dtype=np.uint8)].all():
        return None
    if weighted and _decimal_in_node_ids(raw):
        return None
    if not raw.strip():
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0) if weighted else None
    dtype = {0: np.int64, 1: np.int64, 2: np.float64} if weighted else np.int64
    try:
        with np.errstate(invalid="ignore", over="ignore"):  # a failed cast is rejected below
            table = pd.read_csv(io.BytesIO(raw), header=None, dtype=dtype)
    except (ValueError, OverflowError):
        return None
    if table.shape[1] != 2 + weighted:
        return None
    source, target = table[0].to_numpy(), table[1].to_numpy()
    if np.any((source < 0) | (source >= n) | (target < 0) | (target >= n)):
        return None
    if not weighted:
        return source, target, None
    weight = table[2].to_numpy()
    return (source, target, weight) if _valid_weights(weight).all() else None


def _decimal_in_node_ids(raw: bytes) -> bool:
    """Whether a decimal point or exponent appears before a line's second comma.

    pandas reads ``2.0`` or ``1e0`` in an int64 column as 2 or 1; node ids must be written
    as integers, so such a block is left to the line parser, which names the line.
    """
    byte = np.frombuffer(raw, dtype=np.uint8)
    commas = np.cumsum(byte == ord(","))
    line_end = np.flatnonzero((byte == ord("\n")) | (byte == ord("\r")))
    line_start = np.zeros(byte.size, dtype=np.int64)
    line_start[line_end[line_end + 1 < byte.size] + 1] = line_end[line_end + 1 < byte.size] + 1
    line_start = np.maximum.accumulate(line_start)
    field = commas - commas[line_start] + (byte[line_start] == ord(","))
    decimal = (byte == ord(".")) | (byte == ord("e")) | (byte == ord("E"))
    return bool(np.any(decimal & (field < 2)))


def _parse_csv(
    raw: bytes,
    path: str | os.PathLike[str],
    n: int,
    weighted: bool = False,
    first_line: int = 1,
    size_field: str = "population.size",
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Parse a block line by line with numpy string functions; raise at the first bad line."""
    text = raw.decode("utf-8", errors="replace").replace("\r\n", "\n").replace("\r", "\n")
    lines = np.array(text.split("\n"), dtype=StringDType())
    rows = np.strings.strip(lines)
    index = np.flatnonzero((rows != "") & ~np.strings.startswith(rows, "#"))
    if _NOT_TEXT.search(text):  # a NUL, or what decoding made of non-UTF-8 bytes
        for number in np.flatnonzero(~np.strings.startswith(rows, "#")):
            if _NOT_TEXT.search(str(lines[number])):
                raise EdgeListError(
                    f"{path}, line {number + first_line}: bytes that are not UTF-8 text "
                    "(expected a plain CSV file in UTF-8, not a compressed or binary one)"
                )
    rows, line = rows[index], index + first_line
    columns = np.strings.count(rows, ",") + 1
    comma = np.array(",", dtype=StringDType())
    first, _, rest = np.strings.partition(rows, comma)
    if weighted:
        second, _, third = np.strings.partition(rest, comma)
        source, target, token = np.strings.strip(first), np.strings.strip(second), third
    else:
        source, target = np.strings.strip(first), np.strings.strip(rest)
    source_id, source_ok = _parse_node_ids(source, n)
    target_id, target_ok = _parse_node_ids(target, n)
    expected_columns = 3 if weighted else 2
    bad = (columns != expected_columns) | ~source_ok | ~target_ok
    weight = None
    if weighted:
        token = np.strings.strip(token)
        weight = np.asarray(pd.to_numeric(token.astype(object), errors="coerce"), dtype=float)
        weight_ok = _valid_weights(weight)
        bad |= ~weight_ok
    if bad.any():
        i = int(np.argmax(bad))
        if columns[i] != expected_columns:
            what = f"{columns[i]} column(s)"
            expected = "3: source,target,weight" if weighted else "2: source,target"
            if columns[i] == 3 and not weighted:
                expected += "; a weight column needs the header source,target,weight"
        elif not (source_ok[i] and target_ok[i]):
            node = str(source[i]) if not source_ok[i] else str(target[i])
            what, expected = _node_id_problem(node, n), f"an integer in [0, {n - 1}]"
            if what.endswith("out of range"):
                expected += (
                    f", as the population has {n:,} customers: set {size_field} to the "
                    "edge list's number of customers"
                )
        else:
            what, expected = _weight_problem(str(token[i]), weight[i]), "a positive number"
        if "#" in str(rows[i]):
            expected += "; a comment takes a line of its own, starting with #"
        raise EdgeListError(f"{path}, line {line[i]}: {what} (expected {expected})")
    return source_id, target_id, weight


def _valid_weights(weight: np.ndarray) -> np.ndarray:
    """Whether each weight is a positive finite number that float32 holds as such."""
    finfo = np.finfo(np.float32)
    with np.errstate(invalid="ignore"):
        return (weight >= finfo.smallest_normal) & (weight <= finfo.max)


def _weight_problem(token: str, value: float) -> str:
    """Describe why `token` (which `_valid_weights` rejected) is not a tie strength."""
    if np.isnan(value):
        return f"{shortened(token)!r} is not a weight"
    if value <= 0:
        return f"weight {shortened(token)} is not positive"
    finfo = np.finfo(np.float32)
    return (
        f"weight {shortened(token)} is out of range [{finfo.smallest_normal:.3g}, {finfo.max:.3g}]"
    )


def _parse_node_ids(token: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Values of node-id tokens (0 where invalid) and whether each is a valid id in [0, n)."""
    negative = np.strings.startswith(token, "-")
    unsigned = np.strings.slice(
        token, (negative | np.strings.startswith(token, "+")).astype(int), None
    )
    syntax_ok = (unsigned != "") & (np.strings.lstrip(unsigned, _DIGITS) == "")
    unsigned[~syntax_ok] = "0"
    # float64 holds every id below 2**31 exactly; longer digit strings parse to large values or inf.
    magnitude = unsigned.astype(np.float64)
    ok = syntax_ok & (magnitude < n) & ~(negative & (magnitude > 0))
    return np.where(ok, magnitude, 0).astype(np.int64), ok


def _node_id_problem(token: str, n: int) -> str:
    """Describe why `token` (which `_parse_node_ids` rejected) is not a node id in [0, n)."""
    unsigned = token.lstrip("+-")
    if len(token) - len(unsigned) > 1 or not unsigned or unsigned.strip(_DIGITS):
        return f"{shortened(token)!r} is not a node id"
    if token.startswith("-"):
        return f"node id -{shortened(unsigned.lstrip('0'))} is negative"
    return f"node id {shortened(unsigned.lstrip('0'))} is out of range"
