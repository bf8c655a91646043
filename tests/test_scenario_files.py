"""Reading input files: a file of one kind given where another is expected."""

from __future__ import annotations

import itertools
import math

import pytest

from ecosim.calibrate.schema import load_calibration
from ecosim.errors import InputError
from ecosim.experiment.schema import load_experiment
from ecosim.optimize.schema import load_optimisation
from ecosim.scenario import load_scenario
from ecosim.scenario.files import kind_of, loads_toml, read_toml_file

from support import ROOT

EXAMPLES = {
    "scenario": (ROOT / "scenarios" / "baseline.toml", load_scenario, "`ecosim run`"),
    "experiment": (
        ROOT / "experiments" / "strategy_comparison.toml",
        load_experiment,
        "`ecosim batch` and `ecosim sensitivity` take it",
    ),
    "calibration": (
        ROOT / "calibrations" / "room_air_conditioners_bass.toml",
        load_calibration,
        "`ecosim calibrate` takes it",
    ),
    "optimisation": (
        ROOT / "optimizations" / "spend_mix.toml",
        load_optimisation,
        "`ecosim optimize` takes it",
    ),
}


@pytest.mark.parametrize(("given", "expected"), list(itertools.permutations(EXAMPLES, 2)))
def test_a_file_of_another_kind_is_named_with_the_command_that_takes_it(given, expected):
    """Was: every field the expected kind lacks and every one the given file has too many."""
    path, _, command = EXAMPLES[given]
    load = EXAMPLES[expected][1]
    with pytest.raises(InputError) as caught:
        load(path)
    [(field, problem)] = caught.value.problems
    assert caught.value.source == str(path)
    assert field == ""
    assert problem.startswith(f"is a{'n' if given[0] in 'aeo' else ''} {given} file (it has ")
    assert f"not a{'n' if expected[0] in 'aeo' else ''} {expected} file" in problem
    assert command in problem


@pytest.mark.parametrize("kind", list(EXAMPLES))
def test_each_example_is_of_its_own_kind(kind):
    assert kind_of(read_toml_file(EXAMPLES[kind][0], InputError)) == kind


def test_a_file_of_its_own_kind_with_stray_tables_gets_its_problems(tmp_path):
    """An experiment with a scenario's tables is still an experiment: its own problems."""
    (tmp_path / "s.toml").write_bytes(EXAMPLES["scenario"][0].read_bytes())
    path = tmp_path / "experiment.toml"
    path.write_text(
        'name = "e"\nscenario = "s.toml"\nreplications = 2\n'
        "[population]\nsize = 10\n[[brands]]\nname = 'b'\n"
    )
    with pytest.raises(InputError) as caught:
        load_experiment(path)
    fields = [field for field, _ in caught.value.problems]
    assert "population" in fields and "strategies" in fields


def test_a_scenario_that_extends_an_experiment_is_refused_at_the_file_extended(tmp_path):
    (tmp_path / "plan.toml").write_text('name = "p"\nreplications = 2\nstrategies = []\n')
    (tmp_path / "scenario.toml").write_text('extends = "plan.toml"\nname = "s"\n')
    with pytest.raises(InputError) as caught:
        load_scenario(tmp_path / "scenario.toml")
    [(_, problem)] = caught.value.problems
    assert "is an experiment file (it has replications, strategies)" in problem


def test_a_loop_of_symbolic_links_is_named_as_one_for_a_file_and_for_its_extends(tmp_path):
    (tmp_path / "a.toml").symlink_to(tmp_path / "b.toml")
    (tmp_path / "b.toml").symlink_to(tmp_path / "a.toml")
    (tmp_path / "c.toml").write_text('extends = "a.toml"\nname = "c"\n')
    loop = "is a loop of symbolic links (a link that leads back to itself)"
    with pytest.raises(InputError) as error:
        load_scenario(tmp_path / "a.toml")
    assert str(error.value) == f"{tmp_path / 'a.toml'}: 1 problem\n  {loop}; expected a file"
    with pytest.raises(InputError) as error:
        load_scenario(tmp_path / "c.toml")
    assert str(error.value).endswith(f"\n  extends: 'a.toml' {loop}; expected a file")


def test_a_number_beyond_the_largest_float_is_refused_at_its_line_not_read_as_no_limit(
    tmp_path,
):
    """Was: ``budget = 1e400`` read as inf, a brand's budget silently without limit."""
    path = tmp_path / "s.toml"
    path.write_text(
        'extends = "base.toml"\n# a huge budget\n[[brands]]\nname = "a"\nbudget = 1e400\n'
    )
    with pytest.raises(InputError) as caught:
        load_scenario(path)
    [(field, problem)] = caught.value.problems
    assert (caught.value.source, field) == (str(path), "")
    assert problem.startswith("line 5: the number 1e400 is beyond the largest number")
    assert "write inf for no limit" in problem


def test_inf_written_as_such_is_still_read():
    assert loads_toml("budget = inf\nprice = 1.5e300") == {"budget": math.inf, "price": 1.5e300}
