import ast
import importlib
from pathlib import Path

import pydantic
import pytest

from ecosim import errors
from ecosim.errors import (
    EcosimError,
    InputError,
    ResourceError,
    StoreError,
    ValidationCaseError,
)
from ecosim.experiment import ExperimentError
from ecosim.network import EdgeListError
from ecosim.scenario import ScenarioError

from support import ROOT


@pytest.mark.parametrize(
    "kind",
    [InputError, ScenarioError, ExperimentError, EdgeListError, StoreError, ValidationCaseError],
)
def test_every_error_ecosim_raises_is_one_family(kind):
    assert issubclass(kind, EcosimError)


def test_input_errors_are_input_errors_and_keep_their_message_format():
    assert issubclass(EdgeListError, InputError) and issubclass(ScenarioError, InputError)
    error = InputError("plan.toml", [("days", "must be >= 1"), ("", "no brands")])
    assert str(error) == "plan.toml: 2 problems\n  days: must be >= 1\n  no brands"
    assert error.problems == [("days", "must be >= 1"), ("", "no brands")]
    line = EdgeListError("edges.csv, line 3: 'x' is not a node id")
    assert str(line) == "edges.csv, line 3: 'x' is not a node id"
    assert line.problems == [("", "edges.csv, line 3: 'x' is not a node id")]


def test_no_error_shares_a_name_with_pydantic():
    ours = {name for name in errors.__all__}
    assert "ValidationError" not in ours and not hasattr(errors, "ValidationError")
    assert not issubclass(ValidationCaseError, pydantic.ValidationError)


def test_a_run_too_large_is_a_memory_error_too():
    assert issubclass(ResourceError, MemoryError)


def test_the_command_line_catches_one_family():
    """main() names EcosimError, not its members, so a new kind of error is caught too."""
    tree = ast.parse((ROOT / "ecosim" / "cli.py").read_text())
    main = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "main")
    caught = [
        ast.unparse(handler.type)
        for node in ast.walk(main)
        if isinstance(node, ast.Try)
        for handler in node.handlers
    ]
    assert caught[0] == "EcosimError"
    assert not {"InputError", "EdgeListError", "StoreError", "ValidationCaseError"} & set(caught)


def test_a_new_member_of_the_family_is_reported_without_a_traceback(monkeypatch, capsys):
    from ecosim.cli import main

    class Unforeseen(EcosimError):
        pass

    def refuse(args):
        raise Unforeseen("results/x: something the user can fix")

    monkeypatch.setattr("ecosim.cli._compare", refuse)
    assert main(["compare", str(Path("results") / "x")]) == 2
    assert capsys.readouterr().err == "ecosim: error: results/x: something the user can fix\n"


def test_a_stop_says_what_the_folder_keeps_and_gives_the_status(tmp_path, capsys):
    status = errors.report_stop(tmp_path, "terminated", 143, "complete generations")
    assert status == 143
    assert capsys.readouterr().err == (
        f"ecosim: terminated\ncomplete generations are kept in {tmp_path}; rerun the same "
        "command to continue\n"
    )
    missing = tmp_path / "never made"
    assert errors.report_stop(missing, "error: no such folder", 1, "finished runs") == 1
    assert capsys.readouterr().err == (
        f"ecosim: error: no such folder\nnothing was written to {missing}\n"
    )


@pytest.mark.parametrize("overrides", ["", [], [("days", 3)], "days=3", {1: 2}])
@pytest.mark.parametrize(
    ("load", "path"),
    [
        ("ecosim.load_scenario", "scenarios/baseline.toml"),
        ("ecosim.experiment.load_experiment", "experiments/loyalty_designs.toml"),
        ("ecosim.calibrate.load_calibration", "calibrations/room_air_conditioners_bass.toml"),
        ("ecosim.optimize.load_optimisation", "optimizations/spend_mix.toml"),
    ],
    ids=["scenario", "experiment", "calibration", "optimisation"],
)
def test_overrides_that_are_no_dict_are_refused_by_every_loader(load, path, overrides):
    import importlib

    module, _, name = load.rpartition(".")
    with pytest.raises(InputError, match="overrides: expected a dict of values by dotted field"):
        getattr(importlib.import_module(module), name)(ROOT / path, overrides=overrides)


@pytest.mark.parametrize(
    "load",
    [
        "ecosim.scenario:load_scenario",
        "ecosim.experiment:load_experiment",
        "ecosim.calibrate:load_calibration",
        "ecosim.optimize:load_optimisation",
        "ecosim.report:compare",
    ],
)
@pytest.mark.parametrize("value", [None, 5, b"scenarios/baseline.toml"])
def test_a_reader_given_no_path_says_so(load, value):
    """Each raised Python's TypeError from inside pathlib."""
    module, name = load.split(":")
    with pytest.raises(InputError, match=r"expected a path \(a str or pathlib.Path\), got "):
        getattr(importlib.import_module(module), name)(value)
