"""What a finished calibration leaves: posterior, intervals, draws, check, scenario, report."""

import shutil
import tomllib
import warnings
from contextlib import closing
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from ecosim import load_scenario
from ecosim.calibrate import CalibrationError, calibrate, load_calibration
from ecosim.calibrate.outputs import (
    calibrated_scenario,
    credible_intervals,
    posterior_draws,
    summary_cells,
    weighted_quantile,
)
from ecosim.calibrate.report import periods
from ecosim.cli import main
from ecosim.errors import InputWarning


def test_the_folder_holds_every_output(finished):
    _, _, out = finished
    for name in (
        "posterior.parquet",
        "posterior_draws.parquet",
        "posterior_summary.csv",
        "ppc.csv",
        "ppc_simulations.parquet",
        "calibrated.toml",
        "report.md",
        "figures/marginals.png",
        "figures/pairs.png",
        "figures/ppc.png",
        "abc.db",
    ):
        assert (out / name).stat().st_size > 0, name


def test_the_summary_is_the_weighted_posterior(finished):
    _, result, out = finished
    particles = pd.read_parquet(out / "posterior.parquet")
    assert list(particles.columns) == ["p", "q", "weight"]
    assert particles["weight"].sum() == pytest.approx(1.0)
    summary = result.summary.set_index("parameter")
    for label in ("p", "q"):
        mean = np.average(particles[label], weights=particles["weight"])
        assert summary.loc[label, "mean"] == pytest.approx(mean)
        assert (
            summary.loc[label, "q05"] <= summary.loc[label, "median"] <= summary.loc[label, "q95"]
        )
    written = pd.read_csv(out / "posterior_summary.csv")
    assert written["parameter"].tolist() == ["p", "q"]


def test_the_draws_come_from_the_particles(finished):
    calibration, _, out = finished
    particles = pd.read_parquet(out / "posterior.parquet")
    draws = pd.read_parquet(out / "posterior_draws.parquet")
    assert list(draws.columns) == ["draw", "diffusion.p", "diffusion.q"]
    assert len(draws) == calibration.abc.draws
    pairs = set(zip(particles["p"], particles["q"], strict=True))
    assert set(zip(draws["diffusion.p"], draws["diffusion.q"], strict=True)) <= pairs


def test_the_predictive_check_bands_the_observed_periods(finished):
    calibration, _, out = finished
    ppc = pd.read_csv(out / "ppc.csv")
    assert ppc["period"].tolist() == list(range(1, 13))
    assert ppc["observed"].tolist() == calibration.observed["purchases"].tolist()
    assert (ppc["q05"] <= ppc["median"]).all() and (ppc["median"] <= ppc["q95"]).all()
    inside = (ppc["q05"] <= ppc["observed"]) & (ppc["observed"] <= ppc["q95"])
    assert (ppc["inside"] == inside).all()
    simulations = pd.read_parquet(out / "ppc_simulations.parquet")
    assert simulations["draw"].nunique() == calibration.abc.ppc_draws


def test_the_calibrated_scenario_is_at_the_posterior_median(finished):
    _, result, out = finished
    text = (out / "calibrated.toml").read_text()
    assert text.startswith("# tiny_bass calibrated to data.csv by ecosim calibrate")
    scenario = load_scenario(out / "calibrated.toml")
    medians = result.summary.set_index("parameter")["median"]
    assert scenario.diffusion.p == pytest.approx(medians["p"])
    assert scenario.diffusion.q == pytest.approx(medians["q"])
    assert scenario.population.size == 400


def test_the_report_names_method_priors_data_results_and_check(finished):
    _, result, out = finished
    report = (out / "report.md").read_text()
    for heading in ("## Method", "## Data", "## Results", "## Posterior predictive check"):
        assert heading in report
    assert "| p | `diffusion.p` | log-uniform on [0.005, 0.2] |" in report
    median = result.summary.set_index("parameter").loc["q", "median"]
    assert f"{median:.4g}" in report


def test_weighted_quantiles_and_intervals_of_known_weights(write_calibration):
    calibration = load_calibration(write_calibration())
    particles = pd.DataFrame(
        {"p": [0.01, 0.02, 0.03, 0.04], "q": [0.1, 0.2, 0.3, 0.4], "weight": [0.1, 0.2, 0.3, 0.4]}
    )
    summary = credible_intervals(calibration, particles).set_index("parameter")
    assert summary.loc["q", "mean"] == pytest.approx(0.3)
    assert summary.loc["q", "sd"] == pytest.approx(0.1)
    x, w = np.array([1.0, 2.0, 3.0]), np.array([0.2, 0.6, 0.2])
    assert weighted_quantile(x, w, 0.5) == 2.0


def test_draws_follow_the_weights(write_calibration):
    calibration = load_calibration(write_calibration(("draws = 40", "draws = 4000")))
    particles = pd.DataFrame({"p": [0.01, 0.05], "q": [0.2, 0.6], "weight": [0.8, 0.2]})
    draws = posterior_draws(calibration, particles)
    share = (draws["diffusion.p"] == 0.01).mean()
    assert abs(share - 0.8) < 4 * np.sqrt(0.8 * 0.2 / 4000)
    pd.testing.assert_frame_equal(draws, posterior_draws(calibration, particles))


def test_rereading_a_finished_calibration_says_so_and_writes_nothing(finished, capsys):
    calibration, _, out = finished
    stamps = {path: path.stat().st_mtime_ns for path in out.rglob("*") if path.is_file()}
    assert main(["calibrate", calibration.file, "--serial", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "already finished" in printed and "wrote" not in printed
    assert "its outputs are posterior.parquet, posterior_draws.parquet" in printed
    assert {path: path.stat().st_mtime_ns for path in out.rglob("*") if path.is_file()} == stamps


@pytest.fixture
def finished_copy(finished, tmp_path):
    """A copy of the finished calibration's folder, to damage: (calibration, folder)."""
    calibration, _, out = finished
    return calibration, shutil.copytree(out, tmp_path / "out")


def test_a_finished_folder_without_its_summary_writes_its_outputs_again_from_the_history(
    finished, finished_copy
):
    """A rerun stopped with "[Errno 2] No such file or directory: ...posterior_summary.csv"."""
    _, _, out = finished
    calibration, copy = finished_copy
    (copy / "posterior_summary.csv").unlink()
    (copy / "report.md").unlink()
    with pytest.warns(InputWarning, match="lacks posterior_summary.csv, report.md: every output"):
        result = calibrate(calibration, copy, serial=True)
    assert (result.ran, result.resumed) == (0, 2)
    for name in ("posterior_summary.csv", "ppc.csv"):
        assert (copy / name).read_text() == (out / name).read_text(), name
    for name in ("posterior.parquet", "posterior_draws.parquet"):
        pd.testing.assert_frame_equal(pd.read_parquet(copy / name), pd.read_parquet(out / name))
    report = (copy / "report.md").read_text()
    assert "## Results" in report and "(where is not recorded in its history)" in report
    assert (
        "These outputs were written again from `abc.db` after the search had finished (" in report
    )
    assert "resumed it after" not in report, "no search was resumed: the rewrite says so"


def test_changed_draws_write_the_outputs_again_and_a_batch_size_changes_nothing(
    finished, finished_copy, capsys
):
    """abc.draws, abc.ppc_draws and abc.batch_size were refused as "a different calibration":
    a finished search had to be run again in a new folder to draw more from its posterior."""
    _, _, out = finished
    calibration, copy = finished_copy
    command = ["calibrate", calibration.file, "--serial", "--out", str(copy)]
    more = ["--set", "abc.draws=50", "--set", "abc.ppc_draws=20"]
    stamp = (copy / "abc.db").stat().st_mtime_ns
    assert main([*command, *more]) == 0
    assert (
        f"ecosim: warning: {copy}: is finished but was written with abc.draws 40 (now 50), "
        "abc.ppc_draws 10 (now 20): every output is written again from the 2 generation(s) of "
        "abc.db (the search is not run again)"
    ) in capsys.readouterr().err
    assert (copy / "abc.db").stat().st_mtime_ns == stamp
    pd.testing.assert_frame_equal(
        pd.read_parquet(copy / "posterior.parquet"), pd.read_parquet(out / "posterior.parquet")
    )
    assert len(pd.read_parquet(copy / "posterior_draws.parquet")) == 50
    assert pd.read_parquet(copy / "ppc_simulations.parquet")["draw"].nunique() == 20
    assert "20 draws from the posterior were each simulated once" in (
        (copy / "report.md").read_text()
    )
    record = tomllib.loads((copy / "calibration.toml").read_text())["settings_values"]
    assert (record["abc.draws"], record["abc.ppc_draws"]) == (50, 20)

    stamps = [path.stat().st_mtime_ns for path in sorted(copy.iterdir()) if path.is_file()]
    assert main([*command, *more, "--set", "abc.batch_size=2"]) == 0
    printed = capsys.readouterr()
    assert "already finished" in printed.out and printed.err == ""
    assert stamps == [path.stat().st_mtime_ns for path in sorted(copy.iterdir()) if path.is_file()]

    assert main(command) == 0  # back to the file's counts: the first outputs again
    assert "was written with abc.draws 50 (now 40)" in capsys.readouterr().err
    for name in ("posterior_draws.parquet", "ppc_simulations.parquet"):
        pd.testing.assert_frame_equal(pd.read_parquet(copy / name), pd.read_parquet(out / name))
    assert (copy / "ppc.csv").read_text() == (out / "ppc.csv").read_text()


def test_outputs_for_new_counts_stopped_half_written_are_not_read_as_finished(
    finished, finished_copy, monkeypatch
):
    """Stopped before the folder was marked finished, then run with the first counts, the
    outputs of the new ones (50 draws) were read as the folder's (of 40)."""
    from ecosim.calibrate import fit

    class Stopped(Exception):
        pass

    _, _, out = finished
    calibration, copy = finished_copy
    more = load_calibration(calibration.file, {"abc.draws": 50})
    monkeypatch.setattr(fit, "mark_finished", lambda *_: (_ for _ in ()).throw(Stopped()))
    with pytest.raises(Stopped), warnings.catch_warnings():
        warnings.simplefilter("ignore", InputWarning)
        calibrate(more, copy, serial=True)
    monkeypatch.undo()
    assert len(pd.read_parquet(copy / "posterior_draws.parquet")) == 50
    calibrate(calibration, copy, serial=True)
    for name in ("posterior_draws.parquet", "ppc_simulations.parquet"):
        pd.testing.assert_frame_equal(pd.read_parquet(copy / name), pd.read_parquet(out / name))


def test_more_generations_continue_a_finished_search_and_fewer_are_refused(
    finished, finished_copy, capsys
):
    """abc.generations = 3 on a folder that ran 2 was refused as another calibration: more
    generations meant a new folder, and the search again from its first generation."""
    import sqlite3

    def epsilons(folder):
        with closing(sqlite3.connect(folder / "abc.db")) as db:
            query = "SELECT t, epsilon FROM populations WHERE t >= 0 ORDER BY t"
            return db.execute(query).fetchall()

    _, _, out = finished
    calibration, copy = finished_copy
    command = ["calibrate", calibration.file, "--serial", "--out", str(copy)]
    assert main([*command, "--set", "abc.generations=3"]) == 0
    printed = capsys.readouterr()
    assert (
        f"ecosim: warning: {copy}: its search finished after 2 generation(s); abc.generations "
        "= 3 continues it (ask for 2 to read its results as they are) from its accepted "
        "particles alone, as a finished folder keeps no simulations"
    ) in printed.err
    assert "holds no file of generation" not in printed.err, "said once, not as if damaged"
    assert "resumed after 2 complete generation(s)\ngeneration 2: epsilon " in printed.out
    ran = epsilons(copy)
    assert [t for t, _ in ran] == [0, 1, 2] and ran[:2] == epsilons(out)
    record = tomllib.loads((copy / "calibration.toml").read_text())
    assert record["finished"] and record["settings_values"]["abc.generations"] == 3
    report = (copy / "report.md").read_text()
    assert "It was resumed after 2 complete generations without the simulations" in report
    assert not pd.read_parquet(copy / "posterior.parquet").equals(
        pd.read_parquet(out / "posterior.parquet")
    )

    assert main([*command, "--set", "abc.generations=3"]) == 0
    assert "already finished" in capsys.readouterr().out
    assert main(command) == 2
    assert "  abc.generations: folder has 3, now 2" in capsys.readouterr().err
    assert epsilons(copy) == ran


def test_a_continuation_stopped_on_its_way_refuses_fewer_generations(finished_copy):
    """Stopped at generation 3 of 4, then asked for 2 (as its warning advised to read the
    folder), it wrote generation 3's posterior under a record of 2, and asked for 4 again
    read it as finished."""
    from ecosim.calibrate import fit

    class Stopped(Exception):
        pass

    calibration, copy = finished_copy
    longer = load_calibration(calibration.file, {"abc.generations": 4})
    with pytest.MonkeyPatch.context() as patched, warnings.catch_warnings():
        warnings.simplefilter("ignore", InputWarning)
        patched.setattr(fit, "mark_finished", lambda *_: (_ for _ in ()).throw(Stopped()))
        three = load_calibration(calibration.file, {"abc.generations": 3})
        with pytest.raises(Stopped):  # one generation on, outputs written, not marked
            calibrate(three, copy, serial=True)
    with pytest.raises(CalibrationError, match=r"abc\.generations: folder has 3, now 2"):
        calibrate(calibration, copy, serial=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InputWarning)
        result = calibrate(longer, copy, serial=True)
    assert (result.resumed, result.ran) == (3, 1)


def test_more_generations_without_the_history_to_continue_from_are_refused(finished_copy):
    calibration, copy = finished_copy
    (copy / "abc.db").unlink()
    longer = load_calibration(calibration.file, {"abc.generations": 3})
    with pytest.raises(CalibrationError, match="is missing or empty: restore it from a copy"):
        calibrate(longer, copy, serial=True)
    calibrate(calibration, copy, serial=True)  # its results, read as they are


def test_new_counts_on_a_history_older_than_the_search_leave_the_folder_finished(finished_copy):
    """The folder was reopened before its history was found short: the next run searched."""
    import sqlite3

    calibration, copy = finished_copy
    with closing(sqlite3.connect(copy / "abc.db")) as db, db:
        db.execute("DELETE FROM populations WHERE t = (SELECT MAX(t) FROM populations)")
    more = load_calibration(calibration.file, {"abc.draws": 50})
    for _ in range(2):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", InputWarning)
            with pytest.raises(CalibrationError, match="fewer than its search ran"):
                calibrate(more, copy, serial=True)
    assert tomllib.loads((copy / "calibration.toml").read_text())["finished"]


@pytest.mark.parametrize("lost", ["figures/pairs.png", "ppc_simulations.parquet"])
def test_a_lost_figure_or_simulation_table_is_written_again(finished_copy, lost):
    """Only the figures' folder was looked for, and the check's simulations not at all."""
    calibration, copy = finished_copy
    (copy / lost).unlink()
    with pytest.warns(InputWarning, match=f"lacks {lost}: every output is written again"):
        calibrate(calibration, copy, serial=True)
    assert (copy / lost).exists()


def test_a_table_cut_short_is_written_again(finished, finished_copy, capsys):
    """A truncated posterior.parquet went unnoticed: "its outputs are ..." named it."""
    _, _, out = finished
    calibration, copy = finished_copy
    for name in ("posterior.parquet", "ppc_simulations.parquet"):
        table = copy / name
        table.write_bytes(table.read_bytes()[: table.stat().st_size // 2])
    (copy / "ppc.csv").unlink()
    assert main(["calibrate", calibration.file, "--serial", "--out", str(copy)]) == 0
    assert (
        f"ecosim: warning: {copy}: is finished but lacks ppc.csv and cannot read "
        "posterior.parquet, ppc_simulations.parquet: every output is written again from the 2 "
        "generation(s) of abc.db (the search is not run again)"
    ) in capsys.readouterr().err
    for name in ("posterior.parquet", "ppc_simulations.parquet"):
        pd.testing.assert_frame_equal(pd.read_parquet(copy / name), pd.read_parquet(out / name))


def test_a_rewrite_from_a_history_older_than_the_search_is_refused(finished_copy):
    """A history restored from an older copy had the 'rewrite' run the search further, under
    a warning that said it would not (and the refusal first came after that warning)."""
    import sqlite3

    calibration, copy = finished_copy
    (copy / "ppc.csv").unlink()
    with sqlite3.connect(copy / "abc.db") as db:
        last = db.execute("SELECT MAX(t) FROM populations").fetchone()[0]
        db.execute("DELETE FROM populations WHERE t = ?", (last,))
    with warnings.catch_warnings():
        warnings.simplefilter("error", InputWarning)  # no "written again" before the refusal
        with pytest.raises(CalibrationError, match="fewer than its"):
            calibrate(calibration, copy, serial=True)
    assert not (copy / "ppc.csv").exists()


def test_a_history_another_program_holds_is_not_called_damaged(finished_copy):
    """A locked history was reported as missing, empty or damaged, advising a restore."""
    import sqlite3

    calibration, copy = finished_copy
    (copy / "ppc.csv").unlink()
    with closing(sqlite3.connect(copy / "abc.db")) as holder:
        holder.execute("BEGIN EXCLUSIVE")
        with pytest.raises(CalibrationError, match=r"abc\.db cannot be read now \(database is"):
            calibrate(calibration, copy, serial=True)
    assert not (copy / "ppc.csv").exists()


def test_a_rewrite_keeps_the_report_of_the_search_in_a_folder_named_with_a_hash(finished, tmp_path):
    """The history was opened by a URI in which '#' ends the path: 'run#2/abc.db' opened
    'run', creating it; and a rewrite replaced the report's true timing with its own."""
    calibration, _, out = finished
    copy = shutil.copytree(out, tmp_path / "run#2")
    report = (copy / "report.md").read_text()
    (copy / "ppc.csv").unlink()
    with pytest.warns(InputWarning, match="lacks ppc.csv"):
        calibrate(calibration, copy, serial=True)
    assert (copy / "ppc.csv").read_text() == (out / "ppc.csv").read_text()
    assert (copy / "report.md").read_text() == report
    assert sorted(path.name for path in tmp_path.iterdir()) == ["run#2"]


def test_a_parameter_named_like_a_missing_value_is_read_back(write_calibration, tmp_path):
    """pandas read a parameter named NA as a missing value: the finished folder was taken
    for a damaged one, whose rewrite was refused again."""
    path = write_calibration(('path = "diffusion.q"', 'path = "diffusion.q"\nname = "NA"'))
    calibration = load_calibration(path)
    first = calibrate(calibration, tmp_path / "out", serial=True)
    again = calibrate(calibration, tmp_path / "out", serial=True)
    assert again.summary["parameter"].tolist() == ["p", "NA"]
    pd.testing.assert_frame_equal(again.summary, first.summary, check_dtype=False)


def test_a_serial_rerun_writes_missing_outputs_again_in_this_process(
    finished_copy, monkeypatch, capsys
):
    """The command dropped --serial (and --workers, --scheduler) for a finished folder: the
    outputs' predictive check started a local Dask cluster all the same."""
    from ecosim.calibrate import fit

    cluster = fit.cluster

    def no_cluster(workers, scheduler, serial, dashboard):
        assert serial, "a Dask cluster was started"
        return cluster(workers, scheduler, serial, dashboard)

    calibration, copy = finished_copy
    (copy / "ppc.csv").unlink()
    monkeypatch.setattr(fit, "cluster", no_cluster)
    assert main(["calibrate", calibration.file, "--serial", "--out", str(copy)]) == 0
    printed = capsys.readouterr()
    assert "lacks ppc.csv: every output is written again" in printed.err
    assert "already finished" in printed.out and (copy / "ppc.csv").exists()


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ("garbage\n", "has the columns garbage"),
        ("", "cannot be read (No columns to parse from file)"),
        (
            "parameter,path,prior,mean,sd,median,q05,q95\n",
            "has rows for no parameter, not for p, q",
        ),
        (
            "parameter,path,prior,mean,sd,median,q05,q95\np,diffusion.p,uniform,x,1,1,1,1\n"
            "q,diffusion.q,uniform,1,1,1,1\n",
            "has cells in mean, sd, median, q05, q95 that are not numbers",
        ),
        (
            "parameter,path,prior,mean,sd,median,q05,q95\np,diffusion.p,uniform,True,1,1,1,1\n"
            "q,diffusion.q,uniform,False,1,1,1,1\n",
            "has cells in mean, sd, median, q05, q95 that are not numbers",
        ),
    ],
    ids=["garbage", "empty", "header only", "cut short", "booleans"],
)
def test_a_finished_folder_s_damaged_summary_is_refused_saying_how_to_rewrite_it(
    finished_copy, capsys, text, what
):
    """A rerun printed an empty table and exited 0, or stopped with a traceback."""
    calibration, copy = finished_copy
    (copy / "posterior_summary.csv").write_text(text)
    assert main(["calibrate", calibration.file, "--serial", "--out", str(copy)]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"ecosim: error: {copy}: 1 problem\n  posterior_summary.csv {what}: it is damaged "
        "(expected the columns parameter, path, prior, mean, sd, median, q05, q95, a row per "
        "parameter); delete it and rerun the same command to have the outputs written again "
        "from abc.db\n"
    )
    assert (copy / "posterior_summary.csv").read_text() == text


def test_a_finished_folder_without_its_summary_or_history_is_refused_and_left_as_it_is(
    finished_copy,
):
    """Without abc.db, a rewrite would have started the search again over the posterior."""
    calibration, copy = finished_copy
    (copy / "posterior_summary.csv").unlink()
    (copy / "abc.db").write_bytes(b"")
    stamps = {path: path.stat().st_mtime_ns for path in copy.rglob("*") if path.is_file()}
    with pytest.raises(CalibrationError) as raised:
        calibrate(calibration, copy, serial=True)
    assert str(raised.value) == (
        f"{copy}: 1 problem\n  is finished, but lacks posterior_summary.csv, and its search's "
        "history abc.db, from which the outputs would be written again, is missing or empty: "
        "restore the folder from a copy, or calibrate into a new --out folder (the search "
        "starts again there)"
    )
    assert {path: path.stat().st_mtime_ns for path in copy.rglob("*") if path.is_file()} == stamps


def test_a_narrow_posterior_is_written_with_the_digits_that_tell_its_ends_apart():
    """It read "1.7e+04 [1.7e+04, 1.7e+04]" in the report, the terminal and calibrated.toml."""
    row = SimpleNamespace(
        **{
            "mean": 17000.005,
            "sd": 0.00288,
            "median": 17000.0049,
            "q05": 17000.0007,
            "q95": 17000.0093,
        }
    )
    assert summary_cells(row) == [
        "17,000.005",
        "0.00288",
        "17,000.0049",
        "17,000.0007",
        "17,000.0093",
    ]
    wide = SimpleNamespace(
        **{"mean": 15350.2, "sd": 3080.4, "median": 14920.0, "q05": 10970.0, "q95": 21080.0}
    )
    assert summary_cells(wide) == ["15,350", "3,080", "14,920", "10,970", "21,080"]
    assert periods(1) == "1 period" and periods(40) == "40 periods"


def test_the_calibrated_scenario_s_header_gives_an_integer_field_the_value_it_sets(
    write_calibration,
):
    """The header said wom_memory_days = 2.4227, the median, where the file sets 2."""
    path = write_calibration(
        (
            'path = "diffusion.q"\nprior = "uniform"\nlow = 0.0\nhigh = 1.0',
            'path = "dynamics.wom_memory_days"\nprior = "uniform"\nlow = 1\nhigh = 10\n'
            "integer = true",
        )
    )
    calibration = load_calibration(path)
    summary = pd.DataFrame(
        {
            "parameter": ["p", "wom_memory_days"],
            "path": ["diffusion.p", "dynamics.wom_memory_days"],
            "median": [0.0312, 2.4227],
            "q05": [0.021, 1.61],
            "q95": [0.044, 3.92],
        }
    )
    text = calibrated_scenario(calibration, summary)
    assert tomllib.loads(text)["dynamics"]["wom_memory_days"] == 2
    assert (
        "#   dynamics.wom_memory_days = 2 (the posterior median 2.4227 rounded; 90% credible "
        "interval 1.61 to 3.92)\n" in text
    )
    assert "#   diffusion.p = 0.0312 (90% credible interval 0.021 to 0.044)\n" in text
