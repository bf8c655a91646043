"""Results folders: each command writes only a folder of its own kind."""

import os
import signal
from pathlib import Path

import pytest
import tomli_w
from optimisation_helpers import write_optimisation

from ecosim import store
from ecosim.calibrate.posterior import RECORD as CALIBRATION_RECORD
from ecosim.cli import RUN_FILES, _signals_as_interrupts, main
from ecosim.errors import InputError, Terminated
from ecosim.optimize.run import FINGERPRINT
from ecosim.store import (
    FOLDER_RECORDS,
    ResultStore,
    StoreError,
    held_folder,
    sqlite_address,
    staged_files,
)

from experiment_helpers import tiny_experiment, write_experiment
from support import SCENARIOS, small_scenario


def test_the_records_are_those_the_commands_write():
    assert FOLDER_RECORDS["batch"][0] == ResultStore.RECORD
    assert FOLDER_RECORDS["calibration"][0] == CALIBRATION_RECORD
    assert FOLDER_RECORDS["optimisation"][0] == FINGERPRINT
    assert FOLDER_RECORDS["run"][0] in RUN_FILES


def test_a_run_and_a_batch_refuse_each_others_folder(tmp_path, capsys):
    """A batch written into a run's folder, or a run into a batch's, mixed their files."""
    scenario = tmp_path / "small.toml"
    scenario.write_text(tomli_w.dumps(small_scenario()))
    experiment = write_experiment(tmp_path / "experiment", tiny_experiment(replications=2))
    ran, batch = tmp_path / "ran", tmp_path / "batch"
    assert main(["run", str(scenario), "--out", str(ran)]) == 0
    assert main(["batch", str(experiment), "--serial", "--out", str(batch)]) == 0
    held = {folder: sorted(p.name for p in folder.iterdir()) for folder in (ran, batch)}
    capsys.readouterr()
    assert main(["batch", str(experiment), "--serial", "--out", str(ran)]) == 2
    assert f"{ran}: holds the data of a run (summary.json)" in capsys.readouterr().err
    assert main(["run", str(scenario), "--out", str(batch)]) == 2
    err = capsys.readouterr().err
    assert f"{batch}: holds the results of a batch or a sensitivity analysis" in err
    assert held == {folder: sorted(p.name for p in folder.iterdir()) for folder in (ran, batch)}


@pytest.mark.parametrize("kind", sorted(FOLDER_RECORDS))
@pytest.mark.parametrize("held", sorted(FOLDER_RECORDS))
def test_a_folder_of_another_kind_is_refused(tmp_path, kind, held):
    record, what = FOLDER_RECORDS[held]
    (tmp_path / record).write_text("")
    if kind == held:
        with held_folder(tmp_path, kind):
            pass
        return
    with (
        pytest.raises(StoreError, match=f"holds {what} \\({record}\\), which"),
        held_folder(tmp_path, kind),
    ):
        pytest.fail("the folder was held")


def test_each_command_refuses_the_folder_of_another(tmp_path, write_calibration, capsys):
    """Before, a calibration written into an optimisation's folder replaced its report."""
    calibration = write_calibration()
    optimisation = write_optimisation(tmp_path / "optimisation")
    experiment = write_experiment(tmp_path / "experiment", tiny_experiment())
    fitted = tmp_path / "fitted"
    assert main(["calibrate", str(calibration), "--serial", "--out", str(fitted)]) == 0
    before = sorted(p.name for p in fitted.iterdir())
    capsys.readouterr()
    for command in (
        ["optimize", str(optimisation), "--serial"],
        ["batch", str(experiment), "--serial"],
    ):
        assert main([*command, "--out", str(fitted)]) == 2
        err = capsys.readouterr().err
        assert f"{fitted}: holds a calibration (calibration.toml)" in err, err
        assert "Traceback" not in err
    assert sorted(p.name for p in fitted.iterdir()) == before


@pytest.mark.parametrize("number", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupt_while_the_files_move_in_waits_for_the_last(tmp_path, monkeypatch, number):
    """Ctrl-C between two renames left one new file beside the old run's others."""
    out = tmp_path / "out"
    out.mkdir()
    for name in ("a.txt", "b.txt", "c.txt"):
        (out / name).write_text("old")
    replace = os.replace

    def interrupted(source, target):
        replace(source, target)
        signal.raise_signal(number)  # after the first file, as a user would

    monkeypatch.setattr(store.os, "replace", interrupted)
    stop = KeyboardInterrupt if number == signal.SIGINT else Terminated
    ignored = signal.signal(signal.SIGINT, signal.default_int_handler)  # as in a command
    try:
        with pytest.raises(stop), _signals_as_interrupts(True), staged_files(out) as stage:
            for name in ("a.txt", "b.txt", "c.txt"):
                (stage / name).write_text("new")
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler, "put back"
    finally:
        signal.signal(signal.SIGINT, ignored)  # pytest-xdist's workers ignore Ctrl-C
        Terminated.received.clear()  # else the next run in this worker stops at once
    assert [(out / name).read_text() for name in ("a.txt", "b.txt", "c.txt")] == ["new"] * 3


@pytest.mark.parametrize("name", ["q?x=1", "pc%41"])
def test_a_search_history_whose_path_an_sqlite_address_would_misread_is_refused(
    tmp_path, name, monkeypatch
):
    """The history of 'q?x=1/abc.db' was opened as a file 'q' in the working folder, and
    'pc%41/abc.db' as 'pcA/abc.db'; a working folder so named is no concern of a relative
    address."""
    with pytest.raises(InputError, match=r"holds '[?%]' cannot keep the search's SQLite history"):
        sqlite_address(tmp_path / name / "abc.db")
    assert sqlite_address(tmp_path / "run#2" / "abc.db") == f"sqlite:///{tmp_path}/run#2/abc.db"
    (tmp_path / name).mkdir()
    monkeypatch.chdir(tmp_path / name)
    assert sqlite_address(Path("results/fit/abc.db")) == "sqlite:///results/fit/abc.db"


@pytest.mark.parametrize(
    ("command", "written"),
    [
        ("batch", "experiment.toml"),
        ("sensitivity", "experiment.toml"),
        ("calibrate", "calibration.toml"),
        ("calibrate", "calibrated.toml"),
        ("calibrate", "ppc.csv"),
    ],
    ids=["batch", "sensitivity", "calibrate-file", "calibrate-scenario", "calibrate-data"],
)
def test_a_folder_whose_outputs_would_replace_an_input_is_refused(
    tmp_path, write_calibration, capsys, command, written
):
    """A batch into the folder of its experiment.toml read that file as the folder's record
    ("holds a different experiment ... name (folder: 'tiny', now: absent)") after creating
    runs/; a calibration's outputs would have replaced its data or scenario of that name."""
    if command == "calibrate":
        path = write_calibration()
        folder = path.parent
        renamed = {"calibration.toml": path.name, "calibrated.toml": "tiny_bass.toml"}
        renamed["ppc.csv"] = "data.csv"
        (folder / renamed[written]).rename(folder / written)
        if written == "calibration.toml":
            path = folder / written
        else:
            path.write_text(path.read_text().replace(renamed[written], written))
        arguments = [command, str(path)]
    else:
        path = write_experiment(tmp_path / "experiment", tiny_experiment())
        folder = path.parent
        arguments = [command, str(path)] + (
            ["--method", "morris"] if command == "sensitivity" else []
        )
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    assert main([*arguments, "--serial", "--out", str(folder)]) == 2
    err = capsys.readouterr().err
    assert f"--out {folder}: would write its {written} over {folder / written}, a file this " in err
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


def test_a_run_into_the_folder_of_its_scenario_named_like_an_output_is_refused(tmp_path, capsys):
    """A scenario file named timeseries.parquet was overwritten by the run's data."""
    path = tmp_path / "timeseries.parquet"
    path.write_text((SCENARIOS / "baseline.toml").read_text())
    before = path.read_bytes()
    assert (
        main(["run", str(path), "--days", "3", "--customers", "100", "--out", str(tmp_path)]) == 2
    )
    err = capsys.readouterr().err
    assert f"would write its timeseries.parquet over {path}, a file this command reads" in err
    assert path.read_bytes() == before


def test_a_batch_into_the_folder_of_its_experiment_file_is_refused_by_the_api_too(tmp_path):
    """run_experiment read the experiment file as the folder's record: 'holds a different
    experiment (None None; differs in: name (folder: 'tiny', now: absent); ...)', and left
    an empty runs/ behind."""
    from ecosim.experiment import ExperimentError, load_experiment, run_experiment

    path = write_experiment(tmp_path, tiny_experiment())
    text = path.read_text()
    with pytest.raises(ExperimentError, match=r"experiment.toml is not the record ecosim writes"):
        run_experiment(load_experiment(path), tmp_path, serial=True)
    assert not (tmp_path / "runs").exists()
    assert path.read_text() == text


def test_a_calibration_into_a_folder_whose_outputs_would_replace_its_files_is_refused_by_the_api(
    write_calibration,
):
    """calibrate() read a calibration file named calibration.toml as the folder's record."""
    from ecosim.calibrate import calibrate, load_calibration

    path = write_calibration()
    record = path.rename(path.with_name("calibration.toml"))
    before = {p.name: p.read_bytes() for p in path.parent.iterdir()}
    with pytest.raises(InputError, match=r"^out .*: would write its calibration.toml over "):
        calibrate(load_calibration(record), path.parent, serial=True)
    assert {p.name: p.read_bytes() for p in path.parent.iterdir()} == before


@pytest.mark.parametrize("below", ["", "sub"])
def test_an_out_through_a_link_to_nothing_is_refused_before_the_run(tmp_path, capsys, below):
    """The run went ahead and failed at the end with '[Errno 17] File exists: ...'."""
    link = tmp_path / "results"
    link.symlink_to(tmp_path / "unmounted" / "disk")
    out = link / below if below else link
    assert main(["run", str(SCENARIOS / "baseline.toml"), "--days", "2", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"is a link to {tmp_path / 'unmounted' / 'disk'}, which does not exist" in err


def test_the_default_folder_of_another_file_of_the_same_name_is_refused(
    tmp_path, capsys, monkeypatch
):
    """A file that extends the baseline and names nothing ran into results/baseline and
    replaced the baseline's own run."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "base.toml").write_text((SCENARIOS / "baseline.toml").read_text())
    (tmp_path / "cheaper.toml").write_text(
        'extends = "base.toml"\n[[brands]]\nname = "tokoku"\nprice = 120\n'
    )
    small = ["--days", "2", "--customers", "100"]
    assert main(["run", "base.toml", *small]) == 0
    before = (tmp_path / "results" / "baseline" / "summary.json").read_bytes()
    assert main(["run", "cheaper.toml", *small]) == 2
    err = capsys.readouterr().err
    assert "holds the run of base.toml, another scenario named 'baseline'" in err
    assert (tmp_path / "results" / "baseline" / "summary.json").read_bytes() == before
    assert main(["run", "base.toml", *small]) == 0, "the same file replaces its own run"
    assert main(["run", "cheaper.toml", *small, "--out", "results/cheaper"]) == 0


def test_a_calibration_or_optimisation_does_not_write_over_files_it_did_not_write(tmp_path, capsys):
    """Sent into a folder of one's own (a typo in --out), they wrote their report.md over
    the one there."""
    from calibration_helpers import write as write_calibration
    from optimisation_helpers import write_optimisation

    out = tmp_path / "mine"
    out.mkdir()
    (out / "report.md").write_text("my notes\n")
    (tmp_path / "calibration").mkdir()
    calibration = write_calibration(tmp_path / "calibration")
    optimisation = write_optimisation(tmp_path / "optimisation")
    for command, path, record in [
        ("calibrate", calibration, "calibration.toml"),
        ("optimize", optimisation, "optimisation.sha256"),
    ]:
        assert main([command, str(path), "--serial", "--out", str(out)]) == 2
        assert capsys.readouterr().err == (
            f"ecosim: error: {out}: holds report.md, which this command would write over, and "
            f"no {record} (the record of an earlier run of this command): use an empty or new "
            "--out folder\n"
        )
    assert (out / "report.md").read_text() == "my notes\n"
