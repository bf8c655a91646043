"""Broken inputs of every class end in one clear message, never a traceback.

Hypothesis writes scenario and experiment files (and ``--set`` values) that are broken in
one way: a non-finite number, a value of the wrong type, a number out of range, an
unknown field, a campaign action beyond the horizon, a bad ``extends``. The command line
must exit with status 2 and print one ``ecosim: error:`` message that names the file and
the field path, without a traceback and without writing results.
"""

from __future__ import annotations

import contextlib
import io
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import tomli_w
from hypothesis import given
from hypothesis import strategies as st

from ecosim.cli import main

from support import ROOT, small_scenario

# Numeric fields of the small scenario: (dotted path, whole number?, lowest, highest)
NUMBERS = [
    ("days", True, 1, 36_500),
    ("seed", True, 0, None),
    ("population.size", True, 2, 50_000_000),
    ("population.segments.0.share", False, 0.0, 1.0),
    ("network.k", True, 2, 1000),
    ("network.p", False, 0.0, 1.0),
    ("brands.0.price", False, 0.0, None),
    ("brands.0.margin", False, 0.0, 1.0),
    ("brands.0.quality", False, 0.0, 1.0),
    ("channels.0.reach", False, 0.0, 1.0),
    ("channels.0.cost_per_exposure", False, 0.0, None),
    ("influencers.0.fee", False, 0.0, None),
    ("influencers.0.audience_share", False, 0.0, 1.0),
    ("campaign.0.intensity", False, 0.0, 1.0),
    ("campaign.1.discount", False, 0.0, 1.0),
    ("dynamics.inertia", False, 0.0, None),
    ("dynamics.churn_rate", False, 0.0, 1.0),
]
TEXTS = ["name", "brands.0.name", "campaign.0.channel", "network.kind", "campaign.1.type"]
TABLES = [
    "",
    "population",
    "population.segments.0",
    "network",
    "brands.0",
    "brands.0.loyalty",
    "channels.0",
    "influencers.0",
    "campaign.0",
    "campaign.1",
    "dynamics",
]
EXPERIMENT_NUMBERS = [("replications", 2, 100_000), ("seed", 0, None), ("days", 1, None)]

text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=8)
unknown_key = st.from_regex(r"zz[a-z_]{0,10}", fullmatch=True)
non_finite = st.sampled_from([float("inf"), float("-inf"), float("nan")])


def shown(dotted: str) -> str:
    """``brands.0.price`` as error messages show it: ``brands[0].price``."""
    parts = []
    for part in dotted.split("."):
        parts.append(f"[{part}]" if part.isdigit() else f".{part}" if parts else part)
    return "".join(parts)


def put(data: dict, dotted: str, value: Any) -> dict:
    node = data
    *head, last = dotted.split(".")
    for part in head:
        node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return data


def run_command(args: list[str]) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        status = main(args)
    return status, err.getvalue()


def assert_one_clear_error(
    write: Callable[[Path], tuple[Path, list[str]]],
    expected: list[str | tuple[str, ...]],
    command: str = "run",
) -> None:
    """Run the command on what ``write`` writes; expect each piece (or one of a tuple)."""
    with tempfile.TemporaryDirectory() as folder:
        where = Path(folder)
        path, extra = write(where)
        out = where / "results"
        status, err = run_command([command, str(path), *extra, "--out", str(out)])
        assert status == 2, err
        assert err.startswith(f"ecosim: error: {path}"), err
        assert err.count("ecosim: error:") == 1 and "Traceback" not in err, err
        for piece in expected:
            assert any(one in err for one in (piece if isinstance(piece, tuple) else [piece]))
        assert not out.exists(), "nothing is written"


def scenario_file(data: dict, name: str = "broken.toml") -> Callable[[Path], tuple[Path, list]]:
    def write(folder: Path) -> tuple[Path, list]:
        path = folder / name
        path.write_text(tomli_w.dumps(data))
        return path, []

    return write


def out_of_range(whole: bool, low: float | None, high: float | None) -> st.SearchStrategy:
    kind = st.integers if whole else st.floats
    options = []
    if low is not None:
        below = low - 1 if whole or low > 0 else -1e-3
        options.append(kind(min_value=-(10**9), max_value=below) if whole else kind(-1e9, below))
    if high is not None:
        options.append(
            kind(min_value=high + 1, max_value=10**12) if whole else kind(high + 1e-3, 1e12)
        )
    return st.one_of(options)


# ---------------------------------------------------------------- scenario files


@given(field=st.sampled_from(NUMBERS), value=non_finite)
def test_non_finite_number(field, value):
    path, whole, _, _ = field
    message = ("valid integer", "finite number") if whole else "finite number"
    assert_one_clear_error(
        scenario_file(put(small_scenario(), path, value)), [f"{shown(path)}: ", message]
    )


@given(
    field=st.sampled_from(NUMBERS),
    value=st.one_of(st.booleans(), text, st.lists(st.integers(), max_size=2)),
)
def test_number_of_the_wrong_type(field, value):
    path = field[0]
    assert_one_clear_error(
        scenario_file(put(small_scenario(), path, value)), [f"{shown(path)}: Input should be"]
    )


@given(
    field=st.sampled_from([f for f in NUMBERS if f[1]]),
    value=st.floats(-1e6, 1e6).filter(lambda x: x != int(x)),
)
def test_whole_number_given_a_fraction(field, value):
    path = field[0]
    assert_one_clear_error(
        scenario_file(put(small_scenario(), path, value)),
        [f"{shown(path)}: Input should be a valid integer"],
    )


@given(path=st.sampled_from(TEXTS), value=st.one_of(st.booleans(), st.integers(), st.floats()))
def test_text_of_the_wrong_type(path, value):
    expected = (
        shown(path) if not path.endswith(("kind", "type")) else shown(path).rpartition(".")[0]
    )
    assert_one_clear_error(scenario_file(put(small_scenario(), path, value)), [expected])


@given(data=st.data(), field=st.sampled_from([f for f in NUMBERS if f[0] != "seed"]))
def test_number_out_of_range(data, field):
    path, whole, low, high = field
    value = data.draw(out_of_range(whole, low, high))
    assert_one_clear_error(scenario_file(put(small_scenario(), path, value)), [shown(path)])


@given(table=st.sampled_from(TABLES), key=unknown_key, value=st.one_of(st.integers(), text))
def test_unknown_field(table, key, value):
    dotted = f"{table}.{key}" if table else key
    assert_one_clear_error(
        scenario_file(put(small_scenario(), dotted, value)), [f"{shown(dotted)}: unknown field"]
    )


@given(action=st.integers(0, 1), late=st.integers(1, 1000), length=st.integers(0, 100))
def test_campaign_beyond_the_horizon(action, late, length):
    data = small_scenario()
    data["campaign"][action].update(start=data["days"] + late, end=data["days"] + late + length)
    assert_one_clear_error(
        scenario_file(data), [f"campaign[{action}].start: starts on day", "would never run"]
    )


@given(
    problem=st.sampled_from(["missing", "outside", "cycle", "invalid", "not_text", "broken"]),
    name=st.from_regex(r"[a-z]{1,8}", fullmatch=True),
    value=st.one_of(st.integers(), st.booleans(), st.lists(st.integers(), max_size=2)),
)
def test_bad_extends(problem, name, value):
    def write(folder: Path) -> tuple[Path, list]:
        (folder / "mine").mkdir()
        child = folder / "mine" / "child.toml"
        target = f"{name}.toml"
        if problem == "outside":
            (folder / target).write_text(tomli_w.dumps(small_scenario()))
            target = f"../{target}"
        elif problem == "cycle":
            (folder / "mine" / target).write_text('extends = "child.toml"\n')
        elif problem == "invalid":
            (folder / "mine" / target).write_text("days = = 3\n")
        elif problem == "broken":
            (folder / "mine" / target).write_text('extends = "gone.toml"\n')
        extends = value if problem == "not_text" else target
        child.write_text(tomli_w.dumps({"extends": extends, "name": "child"}))
        return child, []

    assert_one_clear_error(write, ["1 problem\n  extends: "])


# ---------------------------------------------------------------- overrides and experiments


@given(
    field=st.sampled_from(NUMBERS),
    value=st.sampled_from(["inf", "nan", "-inf", "true", '"12"', "[1, 2]", "{ a = 1 }"]),
)
def test_broken_set_value(field, value):
    path = field[0]

    def write(folder: Path) -> tuple[Path, list]:
        scenario, _ = scenario_file(small_scenario(), "ok.toml")(folder)
        return scenario, ["--set", f"{path}={value}"]

    assert_one_clear_error(write, [shown(path)])


@given(
    field=st.sampled_from(EXPERIMENT_NUMBERS),
    value=st.one_of(non_finite, st.booleans(), text, st.floats(0.5, 99.5).filter(lambda x: x % 1)),
)
def test_broken_experiment_file(field, value):
    path = field[0]

    def write(folder: Path) -> tuple[Path, list]:
        (folder / "small.toml").write_text(tomli_w.dumps(small_scenario()))
        experiment = {
            "name": "broken",
            "scenario": "small.toml",
            "seed": 1,
            "replications": 2,
            "baseline": "plain",
            "outcomes": ["total_revenue"],
            "strategies": {"plain": {}},
        }
        experiment[path] = value
        file = folder / "experiment.toml"
        file.write_text(tomli_w.dumps(experiment))
        return file, ["--serial"]

    assert_one_clear_error(write, [f"{path}: "], command="batch")


@given(key=unknown_key)
def test_unknown_experiment_field(key):
    text = (ROOT / "experiments" / "seeding_strategies.toml").read_text()
    text = text.replace("../scenarios/", f"{ROOT / 'scenarios'}/")

    def write(folder: Path) -> tuple[Path, list]:
        file = folder / "experiment.toml"
        file.write_text(f"{key} = 1\n{text}")
        return file, ["--serial"]

    assert_one_clear_error(write, [f"{key}: unknown field"], command="batch")
