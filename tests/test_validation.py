"""The validation suite: every docking case passes in quick mode, and its machinery works."""

import os
import shutil
import signal
import time
from pathlib import Path

import numpy as np
import psutil
import pytest

from ecosim.cli import main
from ecosim.validation import CASES, Check, ValidationCaseError, run_cases
from ecosim.validation import docking as docking_module
from ecosim.validation.core import daily_column, minimal_scenario, replicate, seeds
from ecosim.validation.docking import max_t_permutation_test
from ecosim.validation.theory import bass_cdf, bass_peak_time, bass_recursion, logistic

from support import start_command

DOCKING = ["bass", "limits", "sis", "clv", "dock_bass", "dock_cascade"]


@pytest.mark.parametrize("name", [name for name in DOCKING if name != "clv"])
def test_quick_docking_case_passes(name):
    (result,) = run_cases([name], "quick")
    assert result.checks and result.figure.axes
    assert result.passed, "\n".join(check.describe() for check in result.checks)


def test_every_case_is_in_the_registry_once():
    propositions = {"dose_response", "indirect_effect", "negativity"}
    others = {"empirical", "mechanisms", "calibration"}
    assert set(DOCKING) | propositions | others == set(CASES)


# ------------------------------------------------------------------ theory


def test_bass_closed_form_solves_the_bass_equation():
    p, q = 0.03 / 365, 0.38 / 365
    t = np.linspace(0, 7300, 2001)
    f = bass_cdf(t, p, q)
    slope = np.gradient(f, t)[1:-1]
    assert np.allclose(slope, ((p + q * f) * (1 - f))[1:-1], rtol=1e-5, atol=0)
    assert f[0] == 0 and np.isclose(
        bass_cdf(np.array([bass_peak_time(p, q)]), p, q)[0], 0.5 - p / (2 * q)
    )


def test_bass_limits_and_the_discrete_recursion():
    t = np.arange(1000)
    assert np.allclose(bass_cdf(t, 0.002, 1e-12), 1 - np.exp(-0.002 * t))
    coarse = np.abs(bass_recursion(999, 0.0, 0.01, 0.05) - logistic(t, 0.01, 0.05)).max()
    fine = np.abs(bass_recursion(999, 0.0, 0.001, 0.05) - logistic(t, 0.001, 0.05)).max()
    assert 1e-3 < coarse < 3e-3 and fine < coarse / 10, "the step bias shrinks with the rate"
    daily = bass_recursion(7300, 0.03 / 365, 0.38 / 365)
    assert np.abs(daily - bass_cdf(np.arange(7301), 0.03 / 365, 0.38 / 365)).max() < 3e-4


# ------------------------------------------------------------------ machinery


def test_check_widens_the_tolerance_by_the_allowance_only():
    strict = Check("x", 0.007, "<=", 0.005)
    quick = Check("x", 0.007, "<=", 0.005, allowance=0.003)
    bound = Check("y", 0.01, ">=", 0.02, allowance=0.015)
    assert not strict.passed and quick.passed and bound.passed
    assert "0.005 + 0.003 = 0.008" in quick.describe()
    assert not Check("z", float("nan"), "<=", 1.0).passed
    small = Check("gap", 6.157e-05, "<=", 1e-4, unit="years").describe()  # was 6.157e-05
    assert small == "PASS: gap = 0.00006157 years <= 0.0001 years"
    assert Check("m", 20_000.0, ">=", 14_310.2).describe() == "PASS: m = 20,000 >= 14,310"


def test_quick_replications_are_the_first_of_the_full_ones():
    full, quick = seeds("bass", 30), seeds("bass", 3)
    assert [s.generate_state(2).tolist() for s in quick] == [
        s.generate_state(2).tolist() for s in full[:3]
    ]
    assert seeds("bass", 1)[0].generate_state(1) != seeds("sis", 1)[0].generate_state(1)


def test_results_do_not_depend_on_the_number_of_workers():
    scenario = minimal_scenario("tiny", 300, 20, **{"diffusion.rule": "bass", "diffusion.p": 0.05})
    one = replicate(daily_column, seeds("tiny", 2), 1, scenario=scenario, column="adopted_share")
    two = replicate(daily_column, seeds("tiny", 2), 2, scenario=scenario, column="adopted_share")
    assert all(np.array_equal(a, b) for a, b in zip(one, two, strict=True))


def test_max_t_permutation_test_rejects_a_shift_and_not_noise():
    rng = np.random.default_rng(5)
    a = rng.normal(size=(40, 12)).cumsum(axis=1)
    b = rng.normal(size=(40, 12)).cumsum(axis=1)
    p_same, t, critical = max_t_permutation_test(a, b, 999, rng)
    p_shift, _, _ = max_t_permutation_test(a + 1.5, b, 999, rng)
    assert p_same > 0.05 and p_shift <= 0.002
    assert t.shape == (12,) and critical > 1.96, "the maximum over days needs a larger |t|"


def test_docking_without_the_reference_implementation_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setattr(docking_module, "REFERENCE", tmp_path / "missing.py")
    docking_module.load_reference.cache_clear()
    try:
        with pytest.raises(ValidationCaseError, match="source checkout"):
            run_cases(["dock_bass"], "quick")
        assert main(["validate", "--quick", "--case", "dock_cascade", "--out", str(tmp_path)]) == 2
    finally:
        docking_module.load_reference.cache_clear()


# ------------------------------------------------------------------ command line


def test_validate_writes_the_report_and_its_figures(tmp_path, capsys):
    """Also the quick run of the lifetime value case: exit status 0 means it passed."""
    assert main(["validate", "--quick", "--case", "clv", "--out", str(tmp_path)]) == 0
    report = (tmp_path / "validation.md").read_text(encoding="utf-8")
    assert "quick mode" in report and "1 of 1 cases pass" in report
    assert "Gupta, Lehmann & Stuart (2004)" in report and "(validation/clv.png)" in report
    assert (tmp_path / "validation" / "clv.png").stat().st_size > 10_000
    assert "clv: PASS" in capsys.readouterr().out


def test_a_quick_or_partial_validation_leaves_the_release_report_alone(
    tmp_path, capsys, monkeypatch
):
    """It wrote docs/validation.md by default, over the full report, beside the figures of
    the cases it left out."""
    monkeypatch.chdir(tmp_path)
    release = tmp_path / "docs" / "validation.md"
    release.parent.mkdir()
    release.write_text("the full report")
    out = tmp_path / "results" / "validation"
    (out / "validation").mkdir(parents=True)
    earlier = "# Validation\n\n<!-- Written by `ecosim validate --quick`: ... -->\n"
    (out / "validation.md").write_text(earlier)  # an earlier report
    (out / "validation" / "bass.png").write_bytes(b"an earlier figure")
    assert main(["validate", "--quick", "--case", "clv"]) == 0
    assert capsys.readouterr().out.endswith(
        f"1 of 1 cases pass; wrote {Path('results', 'validation', 'validation.md')} (replacing "
        "a previous report)\n"
    )
    assert release.read_text() == "the full report"
    assert sorted(path.name for path in (out / "validation").iterdir()) == ["clv.png"]
    shutil.rmtree(tmp_path / "results")
    (tmp_path / "results").write_text("a file")  # refused before any case runs
    assert main(["validate", "--quick", "--case", "clv"]) == 2
    output = capsys.readouterr()
    assert "--out results/validation: results is a file" in output.err and not output.out


@pytest.mark.parametrize(
    "argv",
    [
        ["validate", "--case", "nonsense"],
        ["validate", "--jobs", "0"],
        ["validate", "--quick", "--full"],
    ],
)
def test_validate_rejects_bad_arguments(argv, capsys):
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    assert "ecosim validate: error:" in capsys.readouterr().err


def test_validate_refuses_a_file_as_the_report_folder(tmp_path, capsys):
    target = tmp_path / "taken"
    target.write_text("x")
    assert main(["validate", "--quick", "--case", "clv", "--out", str(target)]) == 2
    assert "not a folder" in capsys.readouterr().err


def test_ctrl_c_stops_a_validation_in_worker_processes_quietly(tmp_path):
    """Ctrl-C reached the workers too: they died with tracebacks, and the command could
    wait for ever on a pool whose worker had died."""
    cases = ["--case", "bass", "--case", "sis", "--jobs", "2", "--out", str(tmp_path / "out")]
    process = start_command("validate", "--quick", *cases)
    command, deadline = psutil.Process(process.pid), time.monotonic() + 120
    while time.monotonic() < deadline and len(command.children(recursive=True)) < 3:
        time.sleep(0.01)  # two workers and multiprocessing's resource tracker
    assert process.poll() is None, "the validation is running"
    time.sleep(0.5)
    children = command.children(recursive=True)
    os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
    _, err = process.communicate(timeout=120)
    assert (process.returncode, err) == (130, "ecosim: interrupted\n")
    _, alive = psutil.wait_procs(children, timeout=30)
    assert all(child.status() == psutil.STATUS_ZOMBIE for child in alive), "workers stopped"


@pytest.mark.parametrize("mine", ["validation.md", "validation/bass.png"])
def test_validate_refuses_a_folder_holding_a_report_it_did_not_write(tmp_path, capsys, mine):
    """A user's validation.md was written over ("replacing a previous report"), and a
    figure of theirs in validation/ deleted."""
    (tmp_path / "validation").mkdir()
    (tmp_path / mine).write_text("# my notes")
    assert main(["validate", "--quick", "--case", "clv", "--out", str(tmp_path)]) == 2
    assert "which this command would write over" in capsys.readouterr().err
    assert (tmp_path / mine).read_text() == "# my notes"
