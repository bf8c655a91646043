"""The search: resumable after kill -9, not redone once finished, reproducible where it can be."""

import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from calibration_helpers import write

from ecosim.calibrate import calibrate, fit, load_calibration
from ecosim.calibrate.abc import DATABASE, claim, mark_finished
from ecosim.calibrate.posterior import short_hash
from ecosim.calibrate.resume import SIMULATIONS
from ecosim.calibrate.schema import MAX_SEED, CalibrationError
from ecosim.calibrate.simulation import ParticleModel, particle_seeds
from ecosim.cli import main
from ecosim.errors import InputError, Terminated
from ecosim.experiment import load_experiment
from ecosim.scenario import load_scenario
from ecosim.store import held_folder

from experiment_helpers import write_experiment

ROOT = Path(__file__).resolve().parents[2]


def generations(folder: Path) -> pd.DataFrame:
    """The complete generations in a folder's pyabc history (t >= 0), as stored.

    Opened read-only: a plain connect creates an empty database where there is none yet,
    and a calibration refuses a folder that holds one without its record.
    """
    with sqlite3.connect(f"file:{folder / DATABASE}?mode=ro", uri=True, timeout=30) as db:
        return pd.read_sql_query(
            "SELECT t, epsilon, nr_samples, population_end_time FROM populations "
            "WHERE t >= 0 ORDER BY t",
            db,
        )


def complete(folder: Path) -> int:
    try:
        return len(generations(folder))
    except (sqlite3.Error, pd.errors.DatabaseError):
        return 0


def record_random_states(monkeypatch, into: dict[int, str]) -> None:
    """Record the random state the population size of each generation is drawn from (in
    this calibration it reaches its maximum whatever the draws)."""
    import hashlib

    import numpy as np

    from ecosim.calibrate.resume import ResumablePopulationSize

    original = ResumablePopulationSize.update

    def update(self, transitions, model_weights, t=None):
        state = np.random.get_state()  # noqa: NPY002
        into[t] = hashlib.sha256(state[1].tobytes() + repr(state[2:]).encode()).hexdigest()
        return original(self, transitions, model_weights, t)

    monkeypatch.setattr(ResumablePopulationSize, "update", update)


FIVE_GENERATIONS = ("generations = 2", "generations = 5")
"""The tiny calibration's change that gives a search long enough to stop in the middle."""


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    """The five-generation tiny calibration searched once without a stop, in this process.

    Returns its folder, its result and the random state each generation's population size
    was drawn from.
    """
    folder = tmp_path_factory.mktemp("uninterrupted")
    calibration = load_calibration(write(folder, FIVE_GENERATIONS))
    drawn = {}
    with pytest.MonkeyPatch.context() as patched:
        record_random_states(patched, drawn)
        result = calibrate(calibration, folder / "out", serial=True)
    return folder / "out", result, drawn


def test_a_search_killed_between_generations_resumes_and_is_not_redone(
    uninterrupted, write_calibration, capsys
):
    """It resumes after its complete generations, gives the uninterrupted search's
    generations and posterior, and is not run again once finished."""
    path = write_calibration(FIVE_GENERATIONS)
    out = path.parent / "out"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "ecosim.cli", "calibrate", str(path), "--serial"]
    process = subprocess.Popen(
        [*command, "--out", str(out)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 240
    while complete(out) < 2 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    process.send_signal(signal.SIGKILL)
    _, err = process.communicate()
    assert process.returncode == -signal.SIGKILL, f"killed before it finished: {err.decode()}"
    before = generations(out)
    done = len(before)
    assert 2 <= done < 5

    assert main(["calibrate", str(path), "--serial", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    after = generations(out)
    assert after["t"].tolist() == [0, 1, 2, 3, 4]
    pd.testing.assert_frame_equal(
        after.head(done), before
    )  # complete generations kept as they were
    assert f"resumed after {done} complete generation(s)\ngeneration {done}:" in printed
    ran = [line for line in printed.splitlines() if line.startswith("generation ")]
    assert [line.split(":")[0] for line in ran] == [f"generation {t}" for t in range(done, 5)]
    assert (out / "report.md").exists() and (out / "calibrated.toml").exists()
    assert (  # it credited the whole search to the call that resumed it
        f"simulated) in one process for the last {5 - done} of them (the first {done} in an "
        "earlier call, where is not recorded)"
    ) in (out / "report.md").read_text()

    whole, _, _ = uninterrupted
    pd.testing.assert_frame_equal(
        generations(whole).drop(columns="population_end_time"),
        after.drop(columns="population_end_time"),
    )
    pd.testing.assert_frame_equal(
        pd.read_parquet(whole / "posterior.parquet"), pd.read_parquet(out / "posterior.parquet")
    )

    stamp = (out / DATABASE).stat().st_mtime_ns
    assert main(["calibrate", str(path), "--serial", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "already finished" in printed and "generation " not in printed
    assert (out / DATABASE).stat().st_mtime_ns == stamp
    pd.testing.assert_frame_equal(generations(out), after)


def test_a_folder_of_another_calibration_is_refused_naming_what_differs(write_calibration, capsys):
    path = write_calibration()
    out = path.parent / "out"
    assert main(["calibrate", str(path), "--serial", "--out", str(out)]) == 0
    capsys.readouterr()
    stamp = (out / DATABASE).stat().st_mtime_ns
    path.write_text(path.read_text().replace("seed = 7", "seed = 8"))
    data = path.parent / "data.csv"
    data.write_text(data.read_text().replace("12,11", "12,12"))
    command = ["calibrate", str(path), "--serial", "--out", str(out), "--set", "abc.draws=50"]
    command += ["--set", "abc.replications=2"]  # abc.draws alone would be written again
    assert main([*command, "--set", "parameters.1.high=0.9"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"ecosim: error: {out}: holds a different calibration ")
    assert "use a new --out folder for this one, or restore the folder's values to read" in err
    assert err.splitlines()[1:] == [
        "  seed: folder has 7, now 8",
        "  parameters.1.high: folder has 1.0, now 0.9",
        "  abc.replications: folder has 1, now 2",
        "  data: data.csv holds other values than the folder was fitted to",
    ]
    assert (out / DATABASE).stat().st_mtime_ns == stamp

    record = out / "calibration.toml"
    record.write_text(record.read_text().replace("finished = true", "finished = false"))
    assert main(command) == 2
    assert "restore the folder's values to resume it" in capsys.readouterr().err

    record.write_text(record.read_text().split("[settings_values]")[0])
    assert main(command) == 2
    err = capsys.readouterr().err
    assert "  settings: differ from the folder's (its record does not name them)\n" in err
    assert (out / DATABASE).stat().st_mtime_ns == stamp


def test_a_folder_another_process_is_calibrating_into_is_refused(write_calibration, capsys):
    path = write_calibration()
    out = path.parent / "out"
    with held_folder(out, "calibration"):
        assert main(["calibrate", str(path), "--serial", "--out", str(out)]) == 2
    assert f"{out}: another ecosim process is writing this folder" in capsys.readouterr().err
    assert not (out / DATABASE).exists()
    assert main(["calibrate", str(path), "--serial", "--out", str(out)]) == 0


def test_an_edge_list_changed_since_the_folder_was_fitted_is_refused(write_calibration):
    path = write_calibration()
    scenario = path.parent / "tiny_bass.toml"
    scenario.write_text(
        scenario.read_text().replace('kind = "complete"', 'kind = "edge_list"\npath = "edges.csv"')
    )
    ring = "".join(f"{i},{(i + 1) % 400}\n" for i in range(400))
    (path.parent / "edges.csv").write_text(ring)
    out = path.parent / "out"
    out.mkdir()
    claim(load_calibration(path), out)
    claim(load_calibration(path), out)  # the same network
    (path.parent / "edges.csv").write_text(ring + "0,100\n")
    claim(load_calibration(path), out)  # nothing fitted yet (its simulations failed, say)
    mark_finished(out, load_calibration(path))
    claim(load_calibration(path), out)  # the file it was fitted to
    (path.parent / "edges.csv").write_text(ring + "0,200\n")
    with pytest.raises(CalibrationError) as refused:
        claim(load_calibration(path), out)
    assert refused.value.problems[0] == (
        "network.path",
        f"the folder was fitted to an edge list; {path.parent / 'edges.csv'} holds another "
        "network (or cannot be read)",
    )
    generated = scenario.read_text().replace(
        'kind = "edge_list"\npath = "edges.csv"', 'kind = "complete"'
    )
    scenario.write_text(generated)
    with pytest.raises(CalibrationError) as refused:
        claim(load_calibration(path), out)
    assert (
        "network.path",
        "the folder was fitted to an edge list; the scenario's network is now complete",
    ) in refused.value.problems
    scenario.write_text(
        generated.replace('kind = "complete"', 'kind = "edge_list"\npath = "edges.csv"')
    )
    record = out / "calibration.toml"  # as written before edge lists were digested
    whole = short_hash(repr(load_calibration(path).scenario.model_dump()))  # the path in it
    text = re.sub(r'network = "\w+"\n', "", record.read_text())
    record.write_text(re.sub(r'scenario = "\w+"', f'scenario = "{whole}"', text))
    claim(load_calibration(path), out)


def test_a_folder_moved_with_its_edge_list_is_the_same_calibration(tmp_path):
    """The scenario's fingerprint held the edge list's absolute path: a project folder
    copied or moved elsewhere could be neither resumed nor read."""
    here = tmp_path / "here"
    here.mkdir()
    path = write(here)
    scenario = here / "tiny_bass.toml"
    scenario.write_text(
        scenario.read_text().replace('kind = "complete"', 'kind = "edge_list"\npath = "edges.csv"')
    )
    (here / "edges.csv").write_text("".join(f"{i},{(i + 1) % 400}\n" for i in range(400)))
    claim(load_calibration(path), here / "out")
    mark_finished(here / "out", load_calibration(path))
    shutil.copytree(here, tmp_path / "there")
    claim(load_calibration(tmp_path / "there" / path.name), tmp_path / "there" / "out")
    record = here / "out" / "calibration.toml"  # as written before: the path in the hash
    old = short_hash(repr(load_calibration(path).scenario.model_dump()))
    record.write_text(re.sub(r'scenario = "\w+"', f'scenario = "{old}"', record.read_text()))
    claim(load_calibration(path), here / "out")


def test_a_calibrated_scenario_on_an_edge_list_runs_as_written_wherever_it_goes(tmp_path, capsys):
    """calibrated.toml named the edge list by its absolute path: ecosim run refused it as
    outside its folder, and a copy of the folder read the original's file."""
    here = tmp_path / "here"
    here.mkdir()
    path = write(here, ("generations = 2", "generations = 1"))
    scenario = here / "tiny_bass.toml"
    scenario.write_text(
        scenario.read_text().replace('kind = "complete"', 'kind = "edge_list"\npath = "edges.csv"')
    )
    ring = "".join(f"{i},{(i + 1) % 400}\n" for i in range(400))
    (here / "edges.csv").write_text(ring)
    assert main(["calibrate", str(path), "--serial", "--out", str(here / "out")]) == 0
    assert "calibrated_network.csv" in capsys.readouterr().out
    shutil.move(here, tmp_path / "there")
    out = tmp_path / "there" / "out"
    assert (out / "calibrated_network.csv").read_text() == ring
    calibrated = out / "calibrated.toml"
    assert load_scenario(calibrated).network.path == str(out / "calibrated_network.csv")
    assert main(["run", str(calibrated), "--days", "2", "--out", str(tmp_path / "run")]) == 0
    again = ["calibrate", str(tmp_path / "there" / path.name), "--serial", "--out", str(out)]
    (out / "calibrated_network.csv").unlink()  # a missing output is written again
    assert main(again) == 0
    assert (out / "calibrated_network.csv").read_text() == ring
    text = calibrated.read_text()  # as written before the copy: the file where it was
    calibrated.write_text(text.replace('"calibrated_network.csv"', f'"{tmp_path / "edges.csv"}"'))
    (out / "calibrated_network.csv").unlink()
    (out / "abc.db").unlink()  # complete without the copy: nothing to write again
    capsys.readouterr()
    assert main(again) == 0
    assert "already finished" in capsys.readouterr().out
    assert not (out / "calibrated_network.csv").exists()


def test_a_record_without_its_edge_list_s_digest_takes_no_other_network(tmp_path):
    """Started while the file could not be read, the record held no digest, and any edge
    list at any path then passed for the one fitted to."""
    path = write(tmp_path)
    scenario = tmp_path / "tiny_bass.toml"
    scenario.write_text(
        scenario.read_text().replace('kind = "complete"', 'kind = "edge_list"\npath = "edges.csv"')
    )
    out = tmp_path / "out"
    claim(load_calibration(path), out)  # edges.csv is not there yet
    assert "network" not in (out / "calibration.toml").read_text()
    ring = "".join(f"{i},{(i + 1) % 400}\n" for i in range(400))
    (tmp_path / "edges.csv").write_text(ring)
    claim(load_calibration(path), out)  # nothing fitted yet: its digest is recorded
    assert "network = " in (out / "calibration.toml").read_text()
    mark_finished(out, load_calibration(path))
    (tmp_path / "edges.csv").write_text(ring + "0,200\n")
    with pytest.raises(CalibrationError, match="holds another network"):
        claim(load_calibration(path), out)
    record = out / "calibration.toml"  # fitted, yet without the digest
    record.write_text(re.sub(r'network = "\w+"\n', "", record.read_text()))
    with pytest.raises(CalibrationError) as refused:
        claim(load_calibration(path), out)
    assert refused.value.problems[0][0] == "network.path"
    assert "holds no digest of the edge list" in refused.value.problems[0][1]


def test_a_serial_calibration_is_reproduced_exactly(finished, tmp_path):
    calibration, first, folder = finished
    second = calibrate(calibration, tmp_path / "second", serial=True)
    pd.testing.assert_frame_equal(
        pd.read_parquet(folder / "posterior.parquet"),
        pd.read_parquet(tmp_path / "second" / "posterior.parquet"),
    )
    pd.testing.assert_frame_equal(first.summary, second.summary)
    assert (folder / "ppc.csv").read_text() == (tmp_path / "second" / "ppc.csv").read_text()


def test_a_calibration_is_the_same_in_this_process_and_on_any_number_of_workers(finished, tmp_path):
    """pyabc's Dask sampler reseeded numpy from the system in every job: another posterior
    on each run, and on each number of workers."""
    import pyabc

    calibration, serial, serial_folder = finished
    for workers in (1, 2):
        dask = calibrate(calibration, tmp_path / f"dask{workers}", workers=workers)
        pd.testing.assert_frame_equal(
            pd.read_parquet(serial_folder / "posterior.parquet"),
            pd.read_parquet(tmp_path / f"dask{workers}" / "posterior.parquet"),
        )
        pd.testing.assert_frame_equal(serial.summary, dask.summary)
        assert [(g.epsilon, g.simulations) for g in serial.generations] == [
            (g.epsilon, g.simulations) for g in dask.generations
        ]
    history = pyabc.History(f"sqlite:///{tmp_path / 'dask2' / DATABASE}", _id=1, create=False)
    particles, _ = history.get_distribution(m=0, t=history.max_t)
    _, stored = history.get_weighted_sum_stats(t=history.max_t)
    model = ParticleModel(calibration)
    for values, statistics in list(zip(particles.to_dict("records"), stored, strict=True))[:5]:
        assert model(values) == pytest.approx(statistics, rel=1e-12)


class Stopped(Exception):
    """Raised by a patched pyabc step: the search stopped there."""


def stop_at(monkeypatch, owner, name, t):
    """Patch ``owner.name`` to raise :class:`Stopped` when called for generation ``t``."""
    original = getattr(owner, name)

    def stopping(self, *args, **kwargs):
        if kwargs.get("t", args[0] if args else None) == t:
            raise Stopped
        return original(self, *args, **kwargs)

    monkeypatch.setattr(owner, name, stopping)
    return original


@pytest.mark.parametrize(
    "where",
    ["after its simulations, before it was stored", "after it was stored, before the next step"],
)
def test_a_search_stopped_and_resumed_is_the_uninterrupted_search(
    uninterrupted, write_calibration, tmp_path, monkeypatch, where
):
    """pyabc refitted a resumed search's adaptive distance to the accepted particles alone
    (the uninterrupted search fits it to every simulation), and chose the next population's
    size from another random state and another starting size: the generations after the
    stop were other draws."""
    import pyabc

    whole_folder, whole, drawn_whole = uninterrupted
    calibration = load_calibration(write_calibration(FIVE_GENERATIONS))
    if where.startswith("after its simulations"):  # generation 2 simulated, not stored
        stop_at(monkeypatch, pyabc.History, "append_population", 2)
    else:  # generation 1 stored, the distance of generation 2 not fitted
        stop_at(monkeypatch, pyabc.ABCSMC, "_prepare_next_iteration", 2)
    with pytest.raises(Stopped):
        calibrate(calibration, tmp_path / "cut", serial=True)
    monkeypatch.undo()
    assert complete(tmp_path / "cut") == 2

    drawn_resumed = {}
    record_random_states(monkeypatch, drawn_resumed)
    resumed = calibrate(calibration, tmp_path / "cut", workers=2)
    assert resumed.resumed == 2
    assert sorted(drawn_resumed) == [2, 3, 4, 5]
    assert drawn_resumed == {t: drawn_whole[t] for t in (2, 3, 4, 5)}
    pd.testing.assert_frame_equal(
        pd.read_parquet(whole_folder / "posterior.parquet"),
        pd.read_parquet(tmp_path / "cut" / "posterior.parquet"),
    )
    assert [(g.epsilon, g.particles, g.simulations) for g in resumed.generations] == [
        (g.epsilon, g.particles, g.simulations) for g in whole.generations
    ]
    assert len({g.particles for g in whole.generations}) > 1, "the population size adapted"
    assert not (tmp_path / "cut" / SIMULATIONS).exists(), "only a resumed search reads it"
    assert "without the simulations kept" not in (tmp_path / "cut" / "report.md").read_text()


def test_a_search_resumed_without_its_kept_generation_says_it_draws_other_generations(
    write_calibration, tmp_path, monkeypatch
):
    import shutil

    import pyabc

    from ecosim.errors import InputWarning

    calibration = load_calibration(write_calibration(("generations = 2", "generations = 3")))
    stop_at(monkeypatch, pyabc.ABCSMC, "_prepare_next_iteration", 2)
    with pytest.raises(Stopped):
        calibrate(calibration, tmp_path / "out", serial=True)
    monkeypatch.undo()
    shutil.rmtree(tmp_path / "out" / SIMULATIONS)
    with pytest.warns(InputWarning, match=r"holds no file of generation 1: the search resumes"):
        assert calibrate(calibration, tmp_path / "out", serial=True).resumed == 2
    report = (tmp_path / "out" / "report.md").read_text()
    assert "It was resumed after 2 complete generations without the simulations kept" in report
    (tmp_path / "out" / "report.md").unlink()  # written again from abc.db: it still says so
    with pytest.warns(InputWarning, match="written again"):
        calibrate(calibration, tmp_path / "out", serial=True)
    assert (
        "resumed after 2 complete generations without"
        in (tmp_path / "out" / "report.md").read_text()
    )


def test_a_search_with_nothing_left_to_run_does_not_read_its_kept_generations(
    write_calibration, tmp_path, monkeypatch
):
    """A damaged file of the last generation stopped a folder whose search had run all its
    generations (stopped while its outputs were written) from writing them."""
    calibration = load_calibration(write_calibration())
    monkeypatch.setattr(fit, "mark_finished", lambda *_: (_ for _ in ()).throw(Stopped()))
    with pytest.raises(Stopped):
        calibrate(calibration, tmp_path / "out", serial=True)
    monkeypatch.undo()
    kept = tmp_path / "out" / SIMULATIONS / "generation_1.npz"
    kept.write_bytes(kept.read_bytes()[:40])
    result = calibrate(calibration, tmp_path / "out", serial=True)
    assert (result.ran, result.resumed) == (0, 2)
    assert not kept.parent.exists()


def test_a_stop_while_the_folder_is_marked_finished_leaves_no_kept_simulations(
    write_calibration, tmp_path, monkeypatch
):
    """The record was marked finished before the kept simulations were removed: a stop in
    between left them in a finished folder, which no later call removed."""
    from ecosim.calibrate import abc

    calibration = load_calibration(write_calibration())

    def stopped_while_marked_finished(out, calibration):
        monkeypatch.setattr(abc, "write_text", lambda *_: (_ for _ in ()).throw(Stopped()))
        abc.mark_finished(out, calibration)

    monkeypatch.setattr(fit, "mark_finished", stopped_while_marked_finished)
    with pytest.raises(Stopped):
        calibrate(calibration, tmp_path / "out", serial=True)
    monkeypatch.undo()
    assert not (tmp_path / "out" / SIMULATIONS).exists()
    assert complete(tmp_path / "out") == 2
    result = calibrate(calibration, tmp_path / "out", serial=True)
    assert (result.ran, result.resumed) == (0, 2)
    report = (tmp_path / "out" / "report.md").read_text()
    assert "particles simulated) in an earlier call (where is not recorded); it stops" in report
    assert "for the last 0" not in report


def test_a_calibration_leaves_numpy_s_global_random_state_as_it_was(write_calibration, tmp_path):
    import numpy as np

    np.random.seed(123)  # noqa: NPY002 (the state a caller's own draws come from)
    state = np.random.get_state()  # noqa: NPY002
    calibrate(load_calibration(write_calibration()), tmp_path / "out", serial=True)
    after = np.random.get_state()  # noqa: NPY002
    assert after[0] == state[0] and (after[1] == state[1]).all() and after[2:] == state[2:]


def test_the_largest_seed_a_calibration_takes_seeds_its_search(write_calibration):
    path = write_calibration(
        ("seed = 7", f"seed = {MAX_SEED}"), ("generations = 2", "generations = 1")
    )
    assert main(["calibrate", str(path), "--serial", "--out", str(path.parent / "out")]) == 0
    assert complete(path.parent / "out") == 1


def test_particle_seeds_depend_on_the_values_and_the_seed_only():
    one = particle_seeds(7, {"p": 0.01, "q": 0.4}, 3)
    assert one == particle_seeds(7, {"q": 0.4, "p": 0.01}, 3)
    assert len(set(one)) == 3
    assert one != particle_seeds(8, {"p": 0.01, "q": 0.4}, 3)
    assert one != particle_seeds(7, {"p": 0.01, "q": 0.4000001}, 3)


def test_particle_seeds_do_not_depend_on_a_values_last_digit():
    """numpy's exp and log differ in the last digit from one processor to another, so the
    same search drew particles one ulp apart: hashed whole, each got other seeds, and the
    search went another way (the quick recovery case failed on some machines)."""
    rng = np.random.default_rng(11)
    values = [{"p": p, "q": q} for p, q in rng.uniform(0.001, 1.0, size=(200, 2))]
    for v in values:
        for towards in (np.inf, -np.inf):
            ulp_apart = {label: np.nextafter(x, towards) for label, x in v.items()}
            assert particle_seeds(7, v, 2) == particle_seeds(7, ulp_apart, 2), v
    assert len({particle_seeds(7, v, 1)[0] for v in values}) == len(values)
    assert particle_seeds(7, {"p": -0.0}, 1) == particle_seeds(7, {"p": 0.0}, 1)


def test_a_database_left_empty_by_a_killed_start_is_started_again(write_calibration, capsys):
    path = write_calibration()
    out = path.parent / "out"
    assert main(["calibrate", str(path), "--serial", "--out", str(out), "--set", "seed=8"]) == 0
    first = generations(out)
    (out / "calibration.toml").write_text(
        (out / "calibration.toml").read_text().replace("finished = true", "finished = false")
    )
    (out / DATABASE).write_bytes(b"")
    assert main(["calibrate", str(path), "--serial", "--out", str(out), "--set", "seed=8"]) == 0
    assert "resumed" not in capsys.readouterr().out
    pd.testing.assert_frame_equal(
        generations(out).drop(columns="population_end_time"),
        first.drop(columns="population_end_time"),
    )


def test_a_search_stopped_in_its_first_generation_starts_again_as_if_never_run(
    finished, tmp_path, monkeypatch
):
    import pyabc

    calibration, reference, reference_folder = finished

    def stopped(self, t):
        raise KeyboardInterrupt

    with monkeypatch.context() as patched:
        patched.setattr(pyabc.ABCSMC, "run_generation", stopped)
        with pytest.raises(KeyboardInterrupt):
            calibrate(calibration, tmp_path / "stopped", serial=True)
    assert (tmp_path / "stopped" / DATABASE).exists()
    again = calibrate(calibration, tmp_path / "stopped", serial=True)
    assert again.resumed == 0
    pd.testing.assert_frame_equal(
        pd.read_parquet(tmp_path / "stopped" / "posterior.parquet"),
        pd.read_parquet(reference_folder / "posterior.parquet"),
    )
    pd.testing.assert_frame_equal(again.summary, reference.summary)


@pytest.mark.parametrize("unchecked", ["abc", "simulation"])
def test_a_sigterm_whose_exception_was_lost_stops_the_search_and_keeps_what_it_finished(
    write_calibration, tmp_path, monkeypatch, unchecked
):
    """A SIGTERM raised inside a callback Python calls itself is printed and dropped: the
    search went on to its last generation. It now stops at the next particle simulated in
    this process, or after the generation when the particles run on a cluster (here: the
    other check switched off), and a rerun resumes from the generations kept."""
    from ecosim.calibrate import abc, simulation

    monkeypatch.setattr(
        {"abc": abc, "simulation": simulation}[unchecked], "stop_if_signalled", list
    )
    calibration = load_calibration(write_calibration(("generations = 2", "generations = 3")))
    out = tmp_path / "stopped"
    try:
        with pytest.raises(Terminated):
            calibrate(calibration, out, serial=True, progress=lambda _: Terminated.received.set())
    except Terminated:  # a KeyboardInterrupt: pytest would stop the whole session
        pytest.fail("the search did not stop as SIGTERM asked")
    finally:
        Terminated.received.clear()
    assert complete(out) == 1
    assert calibrate(calibration, out, serial=True).resumed == 1
    assert complete(out) == 3


def test_simulations_that_all_miss_the_data_alike_do_not_match_it(write_calibration, tmp_path):
    """Priors that make almost no sales tie at 0 in every period: pyABC's spread of the
    simulations was 0, every period's weight 0, and the search stopped at once with
    epsilon 0 and the prior as its posterior."""
    calibration = load_calibration(
        write_calibration(
            ("low = 0.005\nhigh = 0.2", "low = 0.0001\nhigh = 0.0002"),
            ("low = 0.0\nhigh = 1.0", "low = 0.0\nhigh = 0.001"),
        )
    )
    result = calibrate(calibration, tmp_path / "out", serial=True)
    epsilons = [generation.epsilon for generation in result.generations]
    assert len(epsilons) == 2 and min(epsilons) > 1  # each period about one spread away


def finished_then_reopened(write_calibration) -> tuple[Path, Path, pd.DataFrame]:
    """A finished calibration (seed 8) whose record is set back to unfinished."""
    path = write_calibration()
    out = path.parent / "out"
    assert main(["calibrate", str(path), "--serial", "--out", str(out), "--set", "seed=8"]) == 0
    record = out / "calibration.toml"
    record.write_text(record.read_text().replace("finished = true", "finished = false"))
    return path, out, generations(out)


def test_a_database_whose_creation_was_killed_is_started_again(write_calibration, capsys):
    path, out, first = finished_then_reopened(write_calibration)
    with sqlite3.connect(out / DATABASE) as db:  # pyabc's tables, none of its rows
        tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            db.execute(f"DELETE FROM {table}")
    assert main(["calibrate", str(path), "--serial", "--out", str(out), "--set", "seed=8"]) == 0
    assert "resumed" not in capsys.readouterr().out
    pd.testing.assert_frame_equal(
        generations(out).drop(columns="population_end_time"),
        first.drop(columns="population_end_time"),
    )


def test_a_database_with_generations_pyabc_cannot_read_is_kept_and_refused(
    write_calibration, capsys
):
    path, out, first = finished_then_reopened(write_calibration)
    with sqlite3.connect(out / DATABASE) as db:
        db.execute("DELETE FROM version")
    stamp = (out / DATABASE).stat().st_mtime_ns
    assert main(["calibrate", str(path), "--serial", "--out", str(out), "--set", "seed=8"]) == 2
    err = capsys.readouterr().err
    assert str(out) in err and "holds generations pyabc cannot read" in err, err
    assert "Traceback" not in err
    assert (out / DATABASE).stat().st_mtime_ns == stamp
    pd.testing.assert_frame_equal(generations(out), first)


@pytest.mark.parametrize("kept", [0.75, 0.5])
def test_a_damaged_database_is_kept_and_refused_not_deleted(write_calibration, capsys, kept):
    """A history cut short (a disk full, a copy interrupted) was taken for one without
    generations: deleted without a word, and the search started again from generation 0."""
    path, out, _ = finished_then_reopened(write_calibration)
    damaged = (out / DATABASE).read_bytes()
    damaged = damaged[: int(len(damaged) * kept)]
    (out / DATABASE).write_bytes(damaged)
    assert main(["calibrate", str(path), "--serial", "--out", str(out), "--set", "seed=8"]) == 2
    err = capsys.readouterr().err
    assert str(out) in err and f"{DATABASE} is damaged" in err and "Traceback" not in err, err
    assert (out / DATABASE).read_bytes() == damaged


def test_a_history_that_cannot_be_written_stops_the_command_and_a_rerun_completes(
    write_calibration, capsys
):
    """SQLAlchemy's error on a read-only abc.db was an "internal error" with its SQL."""
    import sqlalchemy

    path = write_calibration()
    out = path.parent / "out"
    command = ["calibrate", str(path), "--serial", "--out", str(out)]

    def read_only(connection, record):
        connection.execute("PRAGMA query_only = ON")

    sqlalchemy.event.listen(sqlalchemy.engine.Engine, "connect", read_only)
    try:
        assert main(command) == 1
    finally:
        sqlalchemy.event.remove(sqlalchemy.engine.Engine, "connect", read_only)
    assert capsys.readouterr().err == (
        f"ecosim: error: OSError: {out / DATABASE} cannot be written (attempt to write a "
        f"readonly database)\ncomplete generations are kept in {out}; rerun the same command to "
        "continue\n"
    )
    assert main(command) == 0
    assert complete(out) == 2


def test_a_damaged_record_of_the_folder_is_kept_and_named(write_calibration, capsys):
    """A calibration.toml cut short gave an internal error (TOMLDecodeError)."""
    path, out, _ = finished_then_reopened(write_calibration)
    (out / "calibration.toml").write_text("x = [\n")
    assert main(["calibrate", str(path), "--serial", "--out", str(out), "--set", "seed=8"]) == 2
    assert capsys.readouterr().err == (
        f"ecosim: error: {out}: 1 problem\n  calibration.toml is damaged (Invalid value (at "
        "end of document)); it is kept as it is: restore it from a copy, or move the folder "
        "away to start again\n"
    )
    assert (out / "calibration.toml").read_text() == "x = [\n"


def test_a_history_whose_table_lost_a_column_is_refused_without_a_traceback(
    write_calibration, capsys
):
    """A sqlite error other than a missing table went up as an internal error."""
    path, out, _ = finished_then_reopened(write_calibration)
    with sqlite3.connect(out / DATABASE) as db:
        db.execute("ALTER TABLE populations RENAME COLUMN t TO period")
    assert main(["calibrate", str(path), "--serial", "--out", str(out), "--set", "seed=8"]) == 2
    err = capsys.readouterr().err
    assert f"{DATABASE} is damaged (no such column: t)" in err and "Traceback" not in err, err


def test_a_simulation_that_cannot_be_compared_stops_a_dask_search_without_a_traceback(
    write_calibration,
):
    rows = [f"{period},0.1" for period in range(1, 13)]
    path = write_calibration(
        ('column = "purchases"', 'column = "mean_experience"'),
        (
            'prior = "log_uniform"\nlow = 0.005\nhigh = 0.2',
            'prior = "uniform"\nlow = 0\nhigh = 1e-6',
        ),
        data="\n".join(["period,mean_experience", *rows]) + "\n",
    )
    command = [sys.executable, "-m", "ecosim.cli", "calibrate", str(path), "--workers", "1"]
    done = subprocess.run(
        [*command, "--out", str(path.parent / "out")],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 2, done.stderr
    assert "statistics: mean_experience is undefined in period(s) 1, 2, 3" in done.stderr
    assert "Traceback" not in done.stderr and "Compute Failed" not in done.stderr, done.stderr


def test_a_scenario_s_warning_is_given_once_by_the_command_not_by_dask_s_workers(tmp_path):
    scenario = ROOT / "calibrations" / "scenarios" / "air_conditioner_market.toml"
    (tmp_path / "data.csv").write_text("period,purchases\n1,10\n2,20\n")
    path = tmp_path / "cut.toml"
    path.write_text(
        f'name = "cut"\nscenario = "{scenario}"\nseed = 3\ncustomers = 300\ndays = 28\n\n'
        '[data]\npath = "data.csv"\nperiod_days = 14\n\n'
        '[[parameters]]\npath = "campaign.0.intensity"\nprior = "uniform"\nlow = 0.0\n'
        'high = 1.0\n\n[[statistics]]\ncolumn = "purchases"\n\n'
        "[abc]\npopulation_size = 10\ngenerations = 1\ndraws = 10\nppc_draws = 10\n"
    )
    command = [sys.executable, "-m", "ecosim.cli", "calibrate", str(path), "--workers", "1"]
    done = subprocess.run(
        [*command, "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stderr
    cut = "days: the horizon of 28 days cuts short 1 campaign action (campaign[0])"
    assert done.stderr.count(cut) == 2, done.stderr  # the scenario's, then calibrated.toml's
    assert f"ecosim: warning: scenario 'air_conditioner_market': {cut}" in done.stderr
    assert "InputWarning" not in done.stderr, done.stderr


PROC = Path("/proc")


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (
            {"calibration": "tiny.toml"},
            r"^calibration: expected a Calibration \(.*load_calibration",
        ),
        ({"calibration": None}, r"^calibration: expected a Calibration .* got NoneType$"),
        ({"calibration": "experiment"}, r"^calibration: expected a Calibration .* got Experiment$"),
        ({"out": None}, r"^out: expected a path \(a str or pathlib.Path\), got NoneType$"),
        ({"out": 5}, r"^out: expected a path \(a str or pathlib.Path\), got int$"),
        ({"out": "file"}, r"^out .*file: is a file, not a folder \(expected a folder"),
        ({"out": "file/sub"}, r"^out .*sub: .*file is a file, not a folder"),
        ({"out": PROC / "calx"}, r"^out /proc/calx: /proc is a folder this process cannot write"),
        ({"progress": 5}, r"^progress: expected a function, .* or None, got int$"),
        ({"workers": 2}, r"^workers and serial: cannot go together \(expected one of them"),
        ({"scheduler": "tcp://127.0.0.1:1"}, r"^scheduler and serial: cannot go together"),
        ({"serial": False, "workers": 10**12}, r"^workers: 1 problem\n  1,000,000,000,000: more"),
        ({"serial": "yes"}, r"^serial: expected True or False, got 'yes'$"),
        ({"dashboard": "no"}, r"^dashboard: expected True or False, got 'no'$"),
    ],
    ids=[
        "calibration-path",
        "calibration-none",
        "calibration-experiment",
        "out-none",
        "out-int",
        "out-file",
        "out-in-file",
        "out-proc",
        "progress",
        "serial-workers",
        "serial-scheduler",
        "workers-too-many",
        "serial-not-bool",
        "dashboard-not-bool",
    ],
)
def test_arguments_calibrate_cannot_use_are_named_before_anything_runs(
    write_calibration, tmp_path, monkeypatch, given, message
):
    """A file's path for the calibration went up as an AttributeError once Dask had started,
    a file for ``out`` as FileExistsError, ``progress=5`` as a TypeError after generation 0;
    ``workers`` beside ``serial`` was ignored, and too many were named ``--workers``."""

    def no_cluster(*args):
        raise AssertionError("a cluster was started")

    monkeypatch.setattr(fit, "cluster", no_cluster)
    path = write_calibration()
    (tmp_path / "file").write_text("not a folder")
    named = {
        "tiny.toml": str(path),
        "experiment": load_experiment(write_experiment(tmp_path / "experiment")),
        "file": tmp_path / "file",
        "file/sub": tmp_path / "file" / "sub",
    }
    arguments = {"calibration": load_calibration(path), "out": tmp_path / "out", "serial": True}
    arguments.update({key: named.get(value, value) for key, value in given.items()})
    with pytest.raises(InputError, match=message):
        calibrate(**arguments)
    assert not (tmp_path / "out").exists()


def test_statistics_no_parameter_moves_are_said_to_leave_the_prior(write_calibration, capsys):
    """A Bass market has no complaints whatever p and q: the search accepted every particle,
    and returned the prior as the posterior without a word."""
    data = "period,complaints\n" + "".join(f"{t},2\n" for t in range(1, 13))
    path = write_calibration(('column = "purchases"', 'column = "complaints"'), data=data)
    out = path.parent / "out"
    assert main(["calibrate", str(path), "--serial", "--out", str(out)]) == 0
    note = (
        "Every simulation from the prior gave the same statistics, whatever its parameters "
        "(complaints[1] = 0, complaints[2] = 0, complaints[3] = 0, and 9 more)"
    )
    assert f"ecosim: warning: tiny: {note}" in capsys.readouterr().err
    assert f"**{note}" in (out / "report.md").read_text()
    moved = path.parent / "moved"
    assert main(["calibrate", str(write_calibration()), "--serial", "--out", str(moved)]) == 0
    assert "Every simulation from the prior" not in capsys.readouterr().err
    assert "Every simulation from the prior" not in (moved / "report.md").read_text()


def test_a_file_named_again_from_elsewhere_keeps_the_folder_and_a_copied_file_is_no_record(
    write_calibration, capsys, monkeypatch
):
    """--set data.path=<the same file> was refused (the paths' text differed); a folder
    holding the calibration file as calibration.toml was said to differ, 'from None'."""
    path = write_calibration()
    out = path.parent / "out"
    assert main(["calibrate", str(path), "--serial", "--out", str(out)]) == 0
    monkeypatch.chdir(path.parent)
    same = ["--set", "data.path=data.csv", "--set", "scenario=tiny_bass.toml"]
    assert main(["calibrate", str(path), "--serial", "--out", str(out), *same]) == 0
    assert "already finished" in capsys.readouterr().out
    copied = path.parent / "copied"
    copied.mkdir()
    (copied / "calibration.toml").write_text(path.read_text())
    assert main(["calibrate", str(path), "--serial", "--out", str(copied)]) == 2
    assert capsys.readouterr().err == (
        f"ecosim: error: {copied}: 1 problem\n  its calibration.toml is not the record ecosim "
        "writes of a calibration (it has no file or finished: the calibration file itself?); "
        "write the results into a folder of their own\n"
    )
