"""Tests for ecosim.network.edge_list: networks read from CSV edge lists."""

import gzip
import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecosim.network import (
    EdgeListError,
    edge_list,
    edge_list_digest,
    read_edge_list,
)
from ecosim.scenario import EdgeList

from network_helpers import assert_simple_graph, edge_set, rng


def write(tmp_path, text: str, name: str = "edges.csv") -> str:
    path = tmp_path / name
    path.write_bytes(text.encode())
    return str(path)


def test_read_edge_list_with_header_comments_and_blank_lines(tmp_path):
    text = "# exported network\n\nsource,target\n0,1\n  # indented comment\n 2 , 1 \r\n3,3\n1,0\n"
    net = read_edge_list(write(tmp_path, text), n=4)
    assert net.n == 4
    assert edge_set(net) == {(0, 1), (1, 2)}  # the self loop 3-3 and the repeat 1-0 are dropped
    assert not net.weighted


def test_read_edge_list_plain_file_uses_fast_parser(tmp_path):
    text = "source,target\n0,1\n2,1\n# trailing comment\n"
    assert edge_list._parse_plain_csv(text.removeprefix("source,target").encode(), 3) is not None
    assert edge_set(read_edge_list(write(tmp_path, text), n=3)) == {(0, 1), (1, 2)}


@pytest.mark.parametrize(
    ("line", "weighted", "problem"),
    [
        ("5,2 # note", False, "'2 # note' is not a node id"),
        ("5,2,1.5 # strong tie", True, "'1.5 # strong tie' is not a weight"),
    ],
)
def test_a_comment_after_an_edge_says_where_comments_go(tmp_path, line, weighted, problem):
    header = "source,target,weight\n0,1,1\n" if weighted else "source,target\n0,1\n"
    with pytest.raises(EdgeListError) as error:
        read_edge_list(write(tmp_path, header + line + "\n"), n=10)
    assert str(error.value).endswith(
        f"line 3: {problem} (expected {'a positive number' if weighted else 'an integer in [0, 9]'}"
        "; a comment takes a line of its own, starting with #)"
    )


def test_read_edge_list_message_uses_path_as_given(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "source,target\n0,1\n1,2\n2,3\n# note\n\nabc,4\n")
    with pytest.raises(EdgeListError) as error:
        read_edge_list("edges.csv", n=1000)
    assert str(error.value) == (
        "edges.csv, line 7: 'abc' is not a node id (expected an integer in [0, 999])"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("source,target\n0,1\n1\n", "line 3: 1 column(s) (expected 2: source,target)"),
        (
            "0,1,2\n",
            "line 1: 3 column(s) (expected 2: source,target; a weight column needs the header "
            "source,target,weight)",
        ),
        ("# c\n\n0,1\n2,x\n", "line 4: 'x' is not a node id (expected an integer in [0, 9])"),
        ("0,1\n,1\n", "line 2: '' is not a node id (expected an integer in [0, 9])"),
        ("0,1.0\n", "line 1: '1.0' is not a node id (expected an integer in [0, 9])"),
        ("0,--1\n", "line 1: '--1' is not a node id (expected an integer in [0, 9])"),
        (
            "0,1\n1,10\n",
            "line 2: node id 10 is out of range (expected an integer in [0, 9], as the "
            "population has 10 customers: set population.size to the edge list's number of "
            "customers)",
        ),
        ("-3,1\n", "line 1: node id -3 is negative (expected an integer in [0, 9])"),
        (
            "0,99999999999999999999999\n",
            "line 1: node id 99999999999999999999999 is out of range "
            "(expected an integer in [0, 9], as the population has 10 customers: set "
            "population.size to the edge list's number of customers)",
        ),
        (
            "+0002,0" + "9" * 5000,
            f"line 1: node id {'9' * 20}...{'9' * 10} (5000 chars) is out of range "
            "(expected an integer in [0, 9], as the population has 10 customers: set "
            "population.size to the edge list's number of customers)",
        ),
        ("0,-007\n", "line 1: node id -7 is negative (expected an integer in [0, 9])"),
        (
            "1,2\r\n\r\n3,4\r\n5,y\r\n",
            "line 4: 'y' is not a node id (expected an integer in [0, 9])",
        ),
        ("0,1\n2,x\n3,-4\n", "line 2: 'x' is not a node id (expected an integer in [0, 9])"),
        (
            "7,1\nsource,target\n",
            "line 2: 'source' is not a node id (expected an integer in [0, 9])",
        ),
    ],
)
def test_read_edge_list_errors(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(EdgeListError) as error:
        read_edge_list(path, n=10)
    assert str(error.value) == f"{path}, {message}"


@pytest.mark.parametrize("text", ["", "\n\n", "source,target\n", "# only\n# comments\n"])
def test_read_edge_list_no_edges(tmp_path, text):
    path = write(tmp_path, text)
    with pytest.raises(EdgeListError) as error:
        read_edge_list(path, n=10)
    assert str(error.value) == f"{path}: no edges"


def test_read_edge_list_missing_file(tmp_path):
    path = str(tmp_path / "missing.csv")
    with pytest.raises(EdgeListError) as error:
        read_edge_list(path, n=10)
    assert str(error.value) == f"{path}: file not found"


def test_read_edge_list_error_located_in_large_file(tmp_path):
    edges = rng(14).integers(0, 1000, size=(20_000, 2))
    lines = [f"{a},{b}" for a, b in edges.tolist()]
    lines[12_344] = "17,1000"
    path = write(tmp_path, "source,target\n" + "\n".join(lines) + "\n")
    with pytest.raises(EdgeListError) as error:
        read_edge_list(path, n=1000)
    assert str(error.value) == (
        f"{path}, line 12346: node id 1000 is out of range (expected an integer in [0, 999], "
        "as the population has 1,000 customers: set population.size to the edge list's number "
        "of customers)"
    )


N_FILE = 6
ids = st.integers(-2, N_FILE + 2)
file_rows = st.one_of(st.tuples(ids, ids), st.sampled_from(["", "   ", "# note"]))


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(file_rows, max_size=12), header=st.booleans(), crlf=st.booleans())
def test_read_edge_list_property(tmp_path, rows, header, crlf):
    lines = ["source,target"] * header + [
        row if isinstance(row, str) else f"{row[0]},{row[1]}" for row in rows
    ]
    path = write(tmp_path, ("\r\n" if crlf else "\n").join(lines))
    edges = [row for row in rows if not isinstance(row, str)]
    problems = [
        (number, value)
        for number, row in enumerate(rows, start=1 + header)
        if not isinstance(row, str)
        for value in row
        if not 0 <= value < N_FILE
    ]
    try:
        net = read_edge_list(path, n=N_FILE)
    except EdgeListError as error:
        if not edges:
            assert str(error) == f"{path}: no edges"
        elif not problems and all(a == b for a, b in edges):  # whatever the ids: said first
            assert str(error) == (
                f"{path}: no edges between two customers (only self loops, which are dropped)"
            )
        elif not problems:
            highest = max(max(edge) for edge in edges)
            assert highest < N_FILE - 1
            assert str(error).startswith(f"{path}: the edge list names {highest + 1} customers")
        else:
            number, value = problems[0]
            problem = "negative" if value < 0 else "out of range"
            size = (
                ""
                if value < 0
                else f", as the population has {N_FILE} customers: set population.size to the "
                "edge list's number of customers"
            )
            assert str(error) == (
                f"{path}, line {number}: node id {value} is {problem} "
                f"(expected an integer in [0, {N_FILE - 1}]{size})"
            )
    else:
        assert edges
        assert not problems
        assert max(max(edge) for edge in edges) == N_FILE - 1
        assert_simple_graph(net)
        assert edge_set(net) == {(min(a, b), max(a, b)) for a, b in edges if a != b}


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    content=st.one_of(
        st.binary(max_size=40),
        st.text(alphabet="0123456789,+-# \t\r\nsourcetgx\u00a0\u0663\u2028", max_size=40),
        st.text(alphabet="0123456789,.eE+-# \t\r\nainfx\u00a0", max_size=40).map(
            lambda text: "source,target,weight\n" + text
        ),
    )
)
def test_read_edge_list_never_raises_anything_else(tmp_path, content):
    path = tmp_path / "edges.csv"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    try:
        net = read_edge_list(path, n=5)
    except EdgeListError as error:
        assert str(error).startswith(f"{path}")
    else:
        assert_simple_graph(net)


# Lines in the fast parser's alphabet, mostly valid, so that both parsers often succeed.
number = st.sampled_from(["0", "1", "2", "3", "4", "+2", "-0", "03", "-1", "5", "", "1 2", "--1"])
padding = st.sampled_from(["", "", " ", "\t"])
token = st.builds(lambda before, text, after: before + text + after, padding, number, padding)
plain_line = st.one_of(
    st.tuples(token, token).map(",".join),
    st.sampled_from(["", " ", "# c", " # c", "#", "0", "1,2,3", "1,2#x", "source,target"]),
)
line_end = st.sampled_from(["\n", "\n", "\r\n", "\r"])
plain_file = st.lists(st.tuples(plain_line, line_end), max_size=6).map(
    lambda lines: "".join(line + end for line, end in lines)
)


@settings(max_examples=300, deadline=None)
@given(text=plain_file)
def test_fast_parser_agrees_with_line_parser(text):
    # whenever the pandas fast path accepts a file, the line parser (which defines the format
    # and locates errors) must accept it too, with the same edges
    raw = text.encode()
    fast = edge_list._parse_plain_csv(raw, 5)
    if fast is not None:
        source, target, weight = edge_list._parse_csv(raw, "edges.csv", 5)
        assert np.array_equal(fast[0], source)
        assert np.array_equal(fast[1], target)
        assert fast[2] is None and weight is None


weight_text = st.sampled_from(
    ["1", "0.5", "2.25", "1e3", "1E-3", "+3", "0", "-1", ".5", "5.", "1e", "e3", "1.2.3", "", "7 8"]
)
weighted_id = st.one_of(token, st.sampled_from(["2.0", "1e0", "3.", " 1E0 "]))
weighted_line = st.one_of(
    st.tuples(weighted_id, weighted_id, weight_text).map(",".join),
    st.sampled_from(["", "# c", "0,1", "0,1,2,3", "1,2,3e400", "1,2,1e-60"]),
)
weighted_file = st.lists(st.tuples(weighted_line, line_end), max_size=6).map(
    lambda lines: "".join(line + end for line, end in lines)
)


@settings(max_examples=300, deadline=None)
@given(text=weighted_file)
def test_fast_parser_agrees_with_line_parser_on_weights(text):
    raw = text.encode()
    fast = edge_list._parse_plain_csv(raw, 5, weighted=True)
    if fast is not None:
        source, target, weight = edge_list._parse_csv(raw, "edges.csv", 5, weighted=True)
        assert np.array_equal(fast[0], source)
        assert np.array_equal(fast[1], target)
        assert np.array_equal(fast[2], weight)


def test_read_weighted_edge_list(tmp_path):
    text = "# ties\nsource , target , weight\r\n0,1,2.5\n1,2,1e-1\n2,1,0.5\n3,0,+4\n"
    net = read_edge_list(write(tmp_path, text), n=4)
    assert net.weighted
    assert net.strength.tolist() == pytest.approx([6.5, 3.0, 0.5, 4.0])


def test_a_weighted_header_after_a_block_of_comments(tmp_path, monkeypatch):
    monkeypatch.setattr(edge_list, "_BLOCK_BYTES", 64)
    comments = "".join(f"# comment line {i}\n" for i in range(20))
    path = write(tmp_path, comments + "source,target,weight\n0,1,2\n1,2,0.5\n")
    assert read_edge_list(path, n=3).strength.tolist() == [2.0, 2.5, 0.5]


def test_a_weight_column_of_ones_reads_as_unweighted(tmp_path):
    net = read_edge_list(write(tmp_path, "source,target,weight\n0,1,1\n1,2,1.0\n"), n=3)
    assert not net.weighted and net.n_edges == 2


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("1,2,0", "weight 0 is not positive (expected a positive number)"),
        ("1,2,-1.5", "weight -1.5 is not positive (expected a positive number)"),
        ("1,2,abc", "'abc' is not a weight (expected a positive number)"),
        ("1,2,", "'' is not a weight (expected a positive number)"),
        ("1,2,inf", "weight inf is out of range [1.18e-38, 3.4e+38] (expected a positive number)"),
        (
            "1,2,1e-50",
            "weight 1e-50 is out of range [1.18e-38, 3.4e+38] (expected a positive number)",
        ),
        ("1,2", "2 column(s) (expected 3: source,target,weight)"),
        ("1,x,2", "'x' is not a node id (expected an integer in [0, 2])"),
    ],
)
def test_read_weighted_edge_list_errors(tmp_path, line, message):
    path = write(tmp_path, f"source,target,weight\n0,1,2\n{line}\n")
    with pytest.raises(EdgeListError) as error:
        read_edge_list(path, n=3)
    assert str(error.value) == f"{path}, line 3: {message}"


def test_an_edge_list_naming_fewer_customers_than_the_population_is_refused(tmp_path):
    # regression: customers 34 .. 9999 were silently left without contacts
    lines = [f"{i},{(i + 1) % 34}" for i in range(34)]
    path = write(tmp_path, "source,target\n" + "\n".join(lines) + "\n")
    with pytest.raises(EdgeListError) as error:
        read_edge_list(path, n=10_000)
    assert str(error.value) == (
        f"{path}: the edge list names 34 customers (ids 0 to 33) but the population has 10000, "
        "so customers 34 to 9999 would have no contacts; set population.size = 34, or keep "
        "customers without contacts with a self loop such as '9999,9999'"
    )
    assert read_edge_list(path, n=34).n_edges == 34
    declared = write(tmp_path, "\n".join([*lines, "39,39"]) + "\n", "declared.csv")
    net = read_edge_list(declared, n=40)
    assert net.n_edges == 34 and net.degree[34:].sum() == 0


def test_an_edge_list_naming_more_customers_than_the_population_is_refused(tmp_path):
    path = write(tmp_path, "0,1\n1,34\n")
    with pytest.raises(EdgeListError) as error:
        read_edge_list(path, n=34)
    assert str(error.value) == (
        f"{path}, line 2: node id 34 is out of range (expected an integer in [0, 33], as the "
        "population has 34 customers: set population.size to the edge list's number of "
        "customers)"
    )


def test_a_folder_is_not_an_edge_list(tmp_path):
    with pytest.raises(EdgeListError) as error:
        read_edge_list(tmp_path, n=3)
    assert str(error.value) == f"{tmp_path}: is a folder (expected a CSV file of edges)"


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("edges.csv/x", "cannot be read (Not a directory; expected a CSV file of edges)"),
        ("loop", "is a loop of symbolic links (a link that leads back to itself); expected a CSV"),
    ],
)
def test_a_path_that_cannot_be_read_names_the_file_and_why(tmp_path, name, why):
    write(tmp_path, "0,1\n1,2\n")
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    with pytest.raises(EdgeListError) as error:
        read_edge_list(tmp_path / name, n=3)
    assert str(error.value).startswith(f"{tmp_path / name}: {why}")


@pytest.mark.parametrize(
    ("content", "line"),
    [
        (gzip.compress(b"source,target\n0,1\n1,2\n"), 1),
        ("source,target\n0,1\n".encode("utf-16"), 1),
        (b"source,target\n0,1\r\n1,2\x00\n", 3),
        (b"# caf\xe9 is a comment\n0,1\n1,2\xe9\n", 3),
    ],
    ids=["gzip", "utf-16", "NUL", "latin-1"],
)
def test_a_file_that_is_no_utf8_text_is_named_so_at_its_line(tmp_path, content, line):
    path = tmp_path / "edges.csv"
    path.write_bytes(content)
    with pytest.raises(EdgeListError) as error:
        read_edge_list(path, n=3)
    assert str(error.value) == (
        f"{path}, line {line}: bytes that are not UTF-8 text (expected a plain CSV file in "
        "UTF-8, not a compressed or binary one)"
    )


def test_a_file_of_self_loops_alone_has_no_edges(tmp_path):
    path = write(tmp_path, "0,0\n1,1\n2,2\n")
    with pytest.raises(EdgeListError, match="no edges between two customers"):
        read_edge_list(path, n=3)


def test_a_pipe_or_a_device_is_refused_unread(tmp_path):
    os.mkfifo(tmp_path / "pipe.csv")  # opening it to read would wait for a writer
    for path in (tmp_path / "pipe.csv", Path("/dev/zero")):
        with pytest.raises(EdgeListError) as error:
            read_edge_list(path, n=3)
        assert str(error.value) == (
            f"{path}: is no regular file (a device, a pipe or a socket; expected a CSV file "
            "of edges)"
        )
        assert edge_list_digest(EdgeList(kind="edge_list", path=str(path))) is None


def test_a_very_long_id_is_named_shortened(tmp_path):
    path = write(tmp_path, "0,1\n1," + "9" * 400 + "\n")
    with pytest.raises(EdgeListError) as error:
        read_edge_list(path, n=3)
    assert str(error.value) == (
        f"{path}, line 2: node id 99999999999999999999...9999999999 (400 chars) is out of "
        "range (expected an integer in [0, 2], as the population has 3 customers: set "
        "population.size to the edge list's number of customers)"
    )


def test_read_edge_list_size_limit(tmp_path):
    path = write(tmp_path, "0,1\n1,2\n")  # 8 bytes
    assert read_edge_list(path, n=3, max_bytes=8).n_edges == 2
    with pytest.raises(EdgeListError) as error:
        read_edge_list(path, n=3, max_bytes=7)
    assert str(error.value) == (
        f"{path}: the file is larger than the limit of 7 bytes (8 bytes read); "
        "raise max_bytes to read it"
    )
    assert read_edge_list(path, n=3, max_bytes=None).n_edges == 2
    assert edge_list.MAX_EDGE_LIST_BYTES == 50_000_000
    with pytest.raises(ValueError, match="max_bytes must be an integer"):
        read_edge_list(path, n=3, max_bytes=0)


def large_edge_list(tmp_path, bad_line: int | None = None, weighted: bool = False) -> str:
    edges = rng(21).integers(0, 500, size=(30_000, 2))
    edges[0] = (0, 499)
    weights = rng(22).random(len(edges)) + 0.1
    lines = [
        f"{a},{b},{w:.4f}" if weighted else f"{a}, {b}"
        for (a, b), w in zip(edges.tolist(), weights.tolist(), strict=True)
    ]
    if bad_line is not None:
        lines[bad_line - 3] = "17,500,1" if weighted else "17,500"
    header = "source,target,weight" if weighted else "source,target"
    name = f"edges-{bad_line}-{weighted}.csv"
    return write(tmp_path, f"# exported\n{header}\n" + "\r\n".join(lines) + "\n", name)


@pytest.mark.parametrize("weighted", [False, True])
def test_blocks_give_the_same_network_and_line_numbers_as_one_read(tmp_path, monkeypatch, weighted):
    path = large_edge_list(tmp_path, weighted=weighted)
    whole = read_edge_list(path, n=500)
    bad = large_edge_list(tmp_path, bad_line=23_456, weighted=weighted)
    monkeypatch.setattr(edge_list, "_BLOCK_BYTES", 4096)
    blocks = read_edge_list(path, n=500)
    assert np.array_equal(blocks.indices, whole.indices)
    assert np.array_equal(blocks.indptr, whole.indptr)
    if weighted:
        assert np.array_equal(blocks.weights, whole.weights)
    with pytest.raises(EdgeListError, match=r", line 23456: node id 500 is out of range"):
        read_edge_list(bad, n=500)


def test_a_bad_last_line_costs_one_slow_block(tmp_path, monkeypatch):
    # reading stops at the first bad block; only that block goes through the line parser
    path = large_edge_list(tmp_path, bad_line=30_002)
    monkeypatch.setattr(edge_list, "_BLOCK_BYTES", 4096)
    slow = []
    parse = edge_list._parse_csv
    monkeypatch.setattr(
        edge_list, "_parse_csv", lambda raw, *rest: slow.append(raw) or parse(raw, *rest)
    )
    with pytest.raises(EdgeListError, match=r", line 30002: node id 500 is out of range"):
        read_edge_list(path, n=500)
    assert len(slow) == 1 and len(slow[0]) <= 2 * 4096


# -------------------------------------------------------------- the scenario's network


def test_a_file_of_self_loops_is_said_to_have_no_edges_whatever_its_ids(tmp_path):
    """'0,0' was answered with a population size to set, which the web page cannot."""
    path = write(tmp_path, "0,0\n")
    with pytest.raises(EdgeListError, match=r"no edges between two customers \(only self loops"):
        read_edge_list(path, n=100)
