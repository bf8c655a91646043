"""ecosim batch: results on disk, reproducible on any number of workers, resumable."""

import errno
import gc
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from urllib.parse import urlsplit

import dask
import numpy as np
import pandas as pd
import psutil
import pytest
from dask.distributed import Client, LocalCluster, default_client

import ecosim
import ecosim.experiment.runner
import ecosim.experiment.schema
import ecosim.store
from ecosim import memory
from ecosim.analysis import match_adopters
from ecosim.cli import main
from ecosim.errors import INTERRUPT_RECEIVED, InputError, Terminated
from ecosim.experiment import (
    ExperimentError,
    load_experiment,
    plan_runs,
    read_record,
    replication_seeds,
    run_experiment,
    run_sensitivity,
    runner,
)
from ecosim.scenario import load_scenario
from ecosim.store import ResultStore, StoreError, read_run_row

from experiment_helpers import read_results, tiny_experiment, write_experiment
from support import ROOT, small_scenario, start_command

BIGGER = {"customers": 2000, "days": 120, "replications": 5}
"""Runs long enough (a few tenths of a second each) to be caught in the middle of a batch."""


@pytest.fixture(scope="module")
def serial_reference(tmp_path_factory):
    """The tiny experiment and the bigger one, each run once in-process."""
    root = tmp_path_factory.mktemp("reference")
    folders = {}
    for name, changes in (("tiny", {}), ("bigger", BIGGER)):
        experiment = load_experiment(write_experiment(root / name, tiny_experiment(**changes)))
        run_experiment(experiment, root / name / "out", serial=True, progress=False)
        folders[name] = root / name / "out"
    return folders


def test_layout_on_disk(serial_reference):
    out = serial_reference["tiny"]
    assert sorted(p.name for p in out.iterdir()) == [
        ".lock",
        "experiment.toml",
        "results.parquet",
        "runs",
    ]
    results = read_results(out)
    experiment = load_experiment(out.parent / "experiment.toml")
    runs = plan_runs(experiment)
    assert sorted(results["run_id"]) == sorted(run.run_id for run in runs)
    assert list(results["run_id"]) == sorted(results["run_id"])
    assert list(results.columns[:6]) == [
        "run_id",
        "strategy",
        "condition",
        "wom",
        "replication",
        "seed",
    ]
    assert {"final_adopted_share", "total_revenue", "roi"} <= set(results.columns)
    first = runs[0]
    row = results.set_index("run_id").loc[first.run_id]
    assert (row["strategy"], row["condition"], row["wom"], row["seed"]) == (
        "plain",
        0,
        0.2,
        first.seed,
    )
    daily = pd.read_parquet(out / "runs" / f"{first.run_id}.parquet")
    assert len(daily) == 16 and daily["step"].iloc[-1] == 15
    assert row["total_revenue"] == pytest.approx(daily["revenue"].sum())
    assert read_run_row(out / "runs" / f"{first.run_id}.parquet")["run_id"] == first.run_id
    assert not list(out.rglob("*.tmp"))


def test_same_results_with_two_workers_as_in_process(serial_reference, tmp_path):
    experiment = load_experiment(serial_reference["tiny"].parent / "experiment.toml")
    counts = []
    result = run_experiment(
        experiment,
        tmp_path / "dask",
        workers=2,
        progress=False,
        on_run=lambda done, planned: counts.append((done, planned)),
    )
    assert (result.planned, result.finished, result.failed) == (18, 18, 0)
    assert counts == [(done, 18) for done in range(1, 19)]
    expected = serial_reference["tiny"] / "results.parquet"
    assert (tmp_path / "dask" / "results.parquet").read_bytes() == expected.read_bytes()
    for path in (serial_reference["tiny"] / "runs").glob("*.parquet"):
        pd.testing.assert_frame_equal(
            pd.read_parquet(tmp_path / "dask" / "runs" / path.name), pd.read_parquet(path)
        )


def test_a_rerun_skips_finished_runs_and_redoes_missing_ones(serial_reference, tmp_path):
    experiment = load_experiment(serial_reference["tiny"].parent / "experiment.toml")
    out = tmp_path / "out"
    run_experiment(experiment, out, serial=True, progress=False)
    again = run_experiment(experiment, out, serial=True, progress=False)
    assert (again.skipped, again.finished) == (18, 0)
    (out / "runs" / "quiet-c001-r02.parquet").unlink()
    (out / "runs" / ".plain-c000-r00.parquet.999.tmp").write_bytes(b"half a file")
    again = run_experiment(experiment, out, serial=True, progress=False)
    assert (again.skipped, again.finished) == (17, 1)
    assert not list(out.rglob("*.tmp")), "temporary files of a killed writer are cleared"
    pd.testing.assert_frame_equal(read_results(out), read_results(serial_reference["tiny"]))


def test_on_run_follows_each_written_run_and_can_stop_the_batch(serial_reference, tmp_path):
    experiment = load_experiment(serial_reference["tiny"].parent / "experiment.toml")
    out = tmp_path / "out"
    seen = []

    class Stop(Exception):
        pass

    def stop_after_five(done, planned):
        seen.append((done, planned, len(list((out / "runs").glob("*.parquet")))))
        if done == 5:
            raise Stop

    with pytest.raises(Stop):
        run_experiment(experiment, out, serial=True, progress=False, on_run=stop_after_five)
    assert seen == [(done, 18, done) for done in range(1, 6)], "called once each run is written"
    assert len(read_results(out)) == 5
    counts = []
    result = run_experiment(
        experiment,
        out,
        serial=True,
        progress=False,
        on_run=lambda done, planned: counts.append((done, planned)),
    )
    assert (result.skipped, result.finished) == (5, 13)
    assert counts == [(done, 18) for done in range(6, 19)], "runs on disk count as done"
    pd.testing.assert_frame_equal(read_results(out), read_results(serial_reference["tiny"]))


def test_on_run_counts_failed_runs_too(tmp_path, monkeypatch):
    monkeypatch.setattr(ecosim.experiment.schema, "_edge_list_problems", lambda scenario: [])
    data = tiny_experiment(replications=2, conditions=None)
    data.pop("conditions")
    data["strategies"]["broken"] = {"set": {"network": {"kind": "edge_list", "path": "no.csv"}}}
    experiment = load_experiment(write_experiment(tmp_path, data))
    counts = []
    result = run_experiment(
        experiment,
        tmp_path / "out",
        serial=True,
        progress=False,
        on_run=lambda done, planned: counts.append((done, planned)),
    )
    assert (result.planned, result.finished, result.failed) == (8, 6, 2)
    assert counts == [(done, 8) for done in range(1, 9)]


def test_a_folder_holding_another_experiment_is_refused(serial_reference, tmp_path):
    path = write_experiment(tmp_path, tiny_experiment(replications=4))
    with pytest.raises(ExperimentError, match="holds a different experiment") as caught:
        run_experiment(load_experiment(path), serial_reference["tiny"], serial=True, progress=False)
    assert "differs in: experiment.replications" in str(caught.value)
    scenario = small_scenario()  # a field runs read (not its seed: the experiment seeds them)
    scenario["brands"][0]["price"] = 120.0
    changed = write_experiment(tmp_path / "b", scenario=scenario)
    with pytest.raises(ExperimentError, match=r"experiment\.scenario\.brands"):
        run_experiment(
            load_experiment(changed), serial_reference["tiny"], serial=True, progress=False
        )


@pytest.mark.parametrize("name", ["failed.parquet", "results.parquet"])
def test_a_users_own_file_of_a_batch_s_name_is_kept_and_the_folder_refused(tmp_path, name):
    """Was: a user's failed.parquet deleted, their results.parquet written over."""
    experiment = load_experiment(write_experiment(tmp_path, tiny_experiment()))
    own = tmp_path / "out" / name
    own.parent.mkdir()
    own.write_text("my notes")
    with pytest.raises(StoreError, match=rf"holds {name}, which this command would write over"):
        run_experiment(experiment, own.parent, serial=True, progress=False)
    assert own.read_text() == "my notes"
    assert sorted(p.name for p in own.parent.iterdir()) == [name]


def test_a_folder_in_use_is_refused(serial_reference, tmp_path):
    experiment = load_experiment(serial_reference["tiny"].parent / "experiment.toml")
    with (
        ResultStore(tmp_path / "out").writing(),
        pytest.raises(StoreError, match="another ecosim process"),
    ):
        run_experiment(experiment, tmp_path / "out", serial=True, progress=False)


def test_a_failing_run_is_retried_then_recorded(tmp_path, capsys, monkeypatch):
    """Runs that fail as they run (the file's check of its edge lists left out, to make them)."""
    monkeypatch.setattr(ecosim.experiment.schema, "_edge_list_problems", lambda scenario: [])
    edges = tmp_path / "edges.csv"
    edges.write_text("source,target\n0,1\n1,x\n")
    network = {"kind": "edge_list", "path": str(edges)}
    data = tiny_experiment(replications=2, conditions=None)
    data.pop("conditions")
    data["strategies"]["broken"] = {"set": {"network": network}}
    path = write_experiment(tmp_path, data)
    out = tmp_path / "out"
    assert main(["batch", str(path), "--out", str(out), "--serial"]) == 1
    err = capsys.readouterr().err
    assert "ecosim: 2 of 8 runs failed after retries" in err
    assert "broken-c000-r00 (3 attempts): EdgeListError:" in err
    assert "line 3: 'x' is not a node id" in err
    failed = pd.read_parquet(out / "failed.parquet")
    assert list(failed["run_id"]) == ["broken-c000-r00", "broken-c000-r01"]
    assert list(failed["attempts"]) == [3, 3]
    assert failed["traceback"].str.contains("Traceback").all()
    assert len(read_results(out)) == 6, "the other runs finished"
    assert main(["compare", str(out)]) == 0
    assert len(pd.read_parquet(out / "tables" / "failed.parquet")) == 2
    edges.write_text("source,target\n0,1\n1,299\n")
    assert main(["batch", str(path), "--out", str(out), "--serial"]) == 0
    assert not (out / "failed.parquet").exists(), "fixed runs leave the failure list"
    assert len(read_results(out)) == 8
    assert main(["compare", str(out)]) == 0
    assert not (out / "tables" / "failed.parquet").exists(), "nor the report's tables"


def test_a_run_that_fails_once_succeeds_on_retry(serial_reference, tmp_path, monkeypatch):
    calls = []
    simulate = ecosim.experiment.runner.simulate

    def flaky(scenario, overrides, seed):
        calls.append(seed)
        if calls.count(seed) == 1 and len(calls) <= 2:
            raise RuntimeError("transient")
        return simulate(scenario, overrides, seed)

    monkeypatch.setattr(ecosim.experiment.runner, "simulate", flaky)
    experiment = load_experiment(serial_reference["tiny"].parent / "experiment.toml")
    result = run_experiment(experiment, tmp_path / "out", serial=True, progress=False)
    assert (result.finished, result.failed) == (18, 0)
    assert calls[0] == calls[1], "the failed run was tried again"
    pd.testing.assert_frame_equal(
        read_results(tmp_path / "out"), read_results(serial_reference["tiny"])
    )


def test_a_full_disk_stops_the_batch_and_a_rerun_completes_it(
    serial_reference, tmp_path, monkeypatch, capsys
):
    written = []
    write_run = ecosim.store.write_run

    def full_after_three(daily, row, path):
        if len(written) == 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        written.append(path)
        write_run(daily, row, path)

    monkeypatch.setattr(ecosim.store, "write_run", full_after_three)
    experiment = serial_reference["tiny"].parent / "experiment.toml"
    out = tmp_path / "out"
    assert main(["batch", str(experiment), "--out", str(out), "--serial"]) == 1
    err = capsys.readouterr().err
    assert "ecosim: error: [Errno 28] No space left on device" in err
    assert f"finished runs are kept in {out}; rerun the same command" in err
    assert len(list((out / "runs").glob("*.parquet"))) == len(read_results(out)) == 3
    monkeypatch.setattr(ecosim.store, "write_run", write_run)
    assert main(["batch", str(experiment), "--out", str(out), "--serial"]) == 0
    assert "3 already done, 15 finished now" in capsys.readouterr().out
    pd.testing.assert_frame_equal(read_results(out), read_results(serial_reference["tiny"]))
    assert not list(out.rglob("*.tmp"))


def test_kill_minus_9_then_rerun_gives_the_uninterrupted_results(serial_reference, tmp_path):
    experiment = serial_reference["bigger"].parent / "experiment.toml"
    out = tmp_path / "out"
    command = [
        sys.executable,
        "-m",
        "ecosim.cli",
        "batch",
        str(experiment),
        "--out",
        str(out),
        "--workers",
        "2",
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        command, start_new_session=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    total = 3 * 2 * 5
    deadline = time.monotonic() + 120
    while len(list((out / "runs").glob("*.parquet"))) < 3 and time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read().decode()
        time.sleep(0.02)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    finished = len(list((out / "runs").glob("*.parquet")))
    assert 3 <= finished < total, "killed in the middle of the batch"
    serial = [*command[:-2], "--serial"]
    rerun = subprocess.run(
        serial, env=env, capture_output=True, text=True, timeout=180, check=False
    )
    assert rerun.returncode == 0, rerun.stderr
    assert f"{finished} already done, {total - finished} finished now, 0 failed" in rerun.stdout
    pd.testing.assert_frame_equal(read_results(out), read_results(serial_reference["bigger"]))
    assert not list(out.rglob("*.tmp"))


def _batch_two_runs_in(serial_reference, tmp_path):
    """Start the bigger batch on one worker in a session of its own; return it after 2 runs.

    Returns the process (Ctrl-C not ignored, as from a terminal, whatever this test process
    inherited), its folder, and a function that reruns the batch serially and checks that
    the results are those of the batch run without interruption.
    """
    experiment = serial_reference["bigger"].parent / "experiment.toml"
    out = tmp_path / "out"
    command = [sys.executable, "-m", "ecosim.cli", "batch", str(experiment), "--out", str(out)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [*command, "--workers", "1"],
        start_new_session=True,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 120
    while len(list((out / "runs").glob("*.parquet"))) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert process.poll() is None, "the batch ended before it could be stopped"

    def rerun() -> str:
        done = subprocess.run(
            [*command, "--serial"], env=env, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stderr
        reference = read_results(serial_reference["bigger"])
        pd.testing.assert_frame_equal(read_results(out), reference)
        return done.stdout

    return process, out, rerun


def test_ctrl_c_stops_quietly_and_a_rerun_completes(serial_reference, tmp_path):
    process, _out, rerun = _batch_two_runs_in(serial_reference, tmp_path)
    os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130
    assert err.startswith("ecosim: interrupted\nfinished runs are kept in"), err
    assert "Traceback" not in err, "worker processes ignore Ctrl-C; the batch stops them"
    rerun()


def test_ctrl_c_while_the_cluster_starts_stops_the_batch_in_order(serial_reference, tmp_path):
    """Before, the cluster started with Ctrl-C ignored, and a Ctrl-C in its first seconds
    was lost: the batch ran to its end."""
    experiment = serial_reference["bigger"].parent / "experiment.toml"
    out = tmp_path / "out"
    process = start_command("batch", str(experiment), "--out", str(out))
    command, deadline = psutil.Process(process.pid), time.monotonic() + 60
    while time.monotonic() < deadline and not any(
        word in " ".join(child.cmdline())
        for child in command.children()
        for word in ("forkserver", "spawn_main")
    ):
        time.sleep(0.01)
    time.sleep(0.05)
    assert process.poll() is None, "the cluster is starting"
    assert not list((out / "runs").glob("*.parquet")), "no run has finished"
    children = command.children(recursive=True)
    os.killpg(process.pid, signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert err.startswith("ecosim: interrupted"), err
    assert "Traceback" not in err and "Exception" not in err, err
    assert not list((out / "runs").glob("*.parquet")), "stopped before a run"
    assert "no run had finished; rerun the same command to start" in err, "none is kept"
    _, alive = psutil.wait_procs(children, timeout=10)
    assert all(child.status() == psutil.STATUS_ZOMBIE for child in alive), "the cluster stopped"


@pytest.fixture
def usual_interrupts():
    """Ctrl-C with Python's usual handler for the test (restored after it).

    A command run at a terminal starts with it; a test process may not: one started in
    the background by a shell without job control (``make test &`` in a script) starts,
    as do pytest's workers then, with SIGINT ignored.
    """
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def test_an_interrupt_while_the_cluster_starts_is_acted_on_once_it_is_up(usual_interrupts):
    assert threading.current_thread() is threading.main_thread(), "signals need the main thread"
    assert signal.SIGINT not in signal.pthread_sigmask(signal.SIG_BLOCK, []), "not blocked"
    with pytest.raises(KeyboardInterrupt), ecosim.experiment.runner._interrupts_after():
        signal.raise_signal(signal.SIGINT)
        held = True
    assert held, "the block ran to its end"
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    with pytest.raises(KeyboardInterrupt), ecosim.experiment.runner._interrupts_after():
        signal.raise_signal(signal.SIGINT)
        signal.raise_signal(signal.SIGINT)
        pytest.fail("a second Ctrl-C acts at once")
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_sigterm_stops_like_ctrl_c_with_the_results_table_up_to_date(serial_reference, tmp_path):
    """``kill PID`` (a job scheduler's stop): the finished runs' rows are written, the cluster
    stopped, a message without a traceback; before, the process died where it was."""
    process, out, rerun = _batch_two_runs_in(serial_reference, tmp_path)
    children = psutil.Process(process.pid).children(recursive=True)
    process.send_signal(signal.SIGTERM)  # to the command alone, not its workers
    _, err = process.communicate(timeout=60)
    assert process.returncode == 143, err
    assert err.startswith("ecosim: terminated\nfinished runs are kept in"), err
    assert "Traceback" not in err
    finished = sorted(path.stem for path in (out / "runs").glob("*.parquet"))
    assert sorted(pd.read_parquet(out / "results.parquet")["run_id"]) == finished
    _, alive = psutil.wait_procs(children, timeout=10)
    assert all(child.status() == psutil.STATUS_ZOMBIE for child in alive), "the cluster stopped"
    assert f"{len(finished)} already done" in rerun()


@pytest.mark.parametrize(
    ("received", "stop"),
    [(Terminated.received, Terminated), (INTERRUPT_RECEIVED, KeyboardInterrupt)],
    ids=["sigterm", "ctrl-c"],
)
@pytest.mark.parametrize("serial", [True, False], ids=["serial", "dask"])
def test_a_signal_whose_exception_was_lost_still_stops_the_batch(serial, tmp_path, received, stop):
    """The handler's exception raised inside a callback Python calls itself (Dask's garbage
    collector hook) is printed and dropped; the batch stops at the next run all the same.
    A Ctrl-C so lost let an optimisation run to its end."""
    experiment = load_experiment(write_experiment(tmp_path, tiny_experiment()))
    out = tmp_path / "out"

    def signal_lost(done, planned):
        if done == 1:
            received.set()  # as the handler does before raising

    try:
        with pytest.raises(stop):
            run_experiment(
                experiment,
                out,
                serial=serial,
                workers=None if serial else 1,
                progress=False,
                on_run=signal_lost,
            )
    finally:
        received.clear()
    finished = sorted(path.stem for path in (out / "runs").glob("*.parquet"))
    assert 1 <= len(finished) < len(plan_runs(experiment))
    assert sorted(pd.read_parquet(out / "results.parquet")["run_id"]) == finished


def test_a_worker_killed_mid_run_is_survived(serial_reference, tmp_path):
    experiment = load_experiment(serial_reference["bigger"].parent / "experiment.toml")
    out = tmp_path / "out"
    outcome = {}
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        pids = client.run(os.getpid)
        thread = threading.Thread(
            target=lambda: outcome.update(
                result=run_experiment(
                    experiment, out, scheduler=cluster.scheduler_address, progress=False
                )
            )
        )
        thread.start()
        deadline = time.monotonic() + 120
        victim = None
        while victim is None and time.monotonic() < deadline:
            busy = [w for w, tasks in client.processing().items() if tasks]
            if busy and len(list((out / "runs").glob("*.parquet"))) >= 2:
                victim = busy[0]
            time.sleep(0.01)
        assert victim is not None
        os.kill(pids[victim], signal.SIGKILL)
        thread.join(timeout=180)
    result = outcome["result"]
    assert (result.planned, result.finished, result.failed) == (30, 30, 0)
    pd.testing.assert_frame_equal(read_results(out), read_results(serial_reference["bigger"]))


def _worker_state() -> dict:
    return {
        "profiler": dask.config.get("distributed.worker.profile.enabled"),
        "checks": {name: dask.config.get(name) for name in runner.QUIET_CHECKS},
        "frozen": gc.get_freeze_count(),
    }


def test_the_embedded_cluster_runs_its_workers_quietly_with_their_imports_frozen():
    with runner.dask_client(workers=1, scheduler=None) as client:
        (state,) = client.run(_worker_state).values()
    assert state["profiler"] is False
    assert state["checks"] == runner.QUIET_CHECKS
    assert state["frozen"] > 10_000, "ecosim's imports moved out of the collector's reach"


DIE_AFTER_RUN_FILE = """
import os
import sys

import ecosim.store
from ecosim.cli import main

write_run = ecosim.store.write_run
written = []


def dying(daily, row, path):
    write_run(daily, row, path)
    written.append(path)
    if len(written) == int(sys.argv[1]):
        os._exit(9)


ecosim.store.write_run = dying
sys.exit(main(sys.argv[2:]))
"""
"""Runs a batch that dies (as kill -9 would) as soon as the k-th run's file is written, before
its row of results.parquet is."""


@pytest.mark.parametrize("k", [5, 18], ids=["mid-batch", "last run"])
def test_a_batch_killed_between_a_runs_file_and_its_row_is_repaired_on_rerun(
    serial_reference, tmp_path, k
):
    experiment = serial_reference["tiny"].parent / "experiment.toml"
    out = tmp_path / "out"
    command = ["batch", str(experiment), "--out", str(out), "--serial"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    died = subprocess.run(
        [sys.executable, "-c", DIE_AFTER_RUN_FILE, str(k), *command],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert died.returncode == 9, died.stderr
    assert len(list((out / "runs").glob("*.parquet"))) == k
    assert len(read_results(out)) < k, "killed between the run's file and its row"
    rerun = subprocess.run(
        [sys.executable, "-m", "ecosim.cli", *command],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert rerun.returncode == 0, rerun.stderr
    assert f"{k} already done, {18 - k} finished now, 0 failed" in rerun.stdout
    pd.testing.assert_frame_equal(read_results(out), read_results(serial_reference["tiny"]))


def test_a_folder_removed_while_it_is_written_stops_the_writer(tmp_path):
    daily = pd.DataFrame({"step": [0, 1], "purchases": [0.0, 2.0]})
    store = ResultStore(tmp_path / "out")
    removed = pytest.raises(StoreError, match=r"the folder \(or its .lock file\) was removed")
    with removed, store.writing():
        store.add_run("r0", daily, {"run_id": "r0", "purchases": 2.0})
        shutil.rmtree(store.directory)
        store.add_run("r1", daily, {"run_id": "r1", "purchases": 2.0})
    assert not store.directory.exists(), "nothing written into a folder made anew"
    with removed, store.writing():  # removed, then made anew by another writer
        store.add_run("r0", daily, {"run_id": "r0", "purchases": 2.0})
        shutil.rmtree(store.directory)
        other = ResultStore(store.directory)
        with other.writing():
            other.add_run("x0", daily, {"run_id": "x0", "purchases": 2.0})
        store.add_run("r1", daily, {"run_id": "r1", "purchases": 2.0})
    assert [p.name for p in store.runs.glob("*.parquet")] == ["x0.parquet"]
    moved = ResultStore(tmp_path / "moved")
    with removed, moved.writing():  # moved away: nothing is written into a folder made anew
        moved.add_run("r0", daily, {"run_id": "r0", "purchases": 2.0})
        moved.directory.rename(tmp_path / "elsewhere")
        moved.add_run("r1", daily, {"run_id": "r1", "purchases": 2.0})
    assert not moved.directory.exists()


def test_results_are_written_after_the_first_run_then_now_and_then_and_when_writing_ends(
    tmp_path,
):
    daily = pd.DataFrame({"step": [0, 1], "purchases": [0.0, 2.0]})
    store = ResultStore(tmp_path / "out")
    with pytest.raises(KeyboardInterrupt), store.writing():
        for i in range(3):
            store.add_run(f"r{i}", daily, {"run_id": f"r{i}", "purchases": 2.0})
            assert len(read_results(store.directory)) == 1, "then not again within seconds"
        store.RESULTS_EVERY = 0.0
        store.add_run("r3", daily, {"run_id": "r3", "purchases": 2.0})
        assert len(read_results(store.directory)) == 4
        store.RESULTS_EVERY = 3600.0
        store.add_run("r4", daily, {"run_id": "r4", "purchases": 2.0})
        assert len(read_results(store.directory)) == 4
        raise KeyboardInterrupt
    assert list(read_results(store.directory)["run_id"]) == ["r0", "r1", "r2", "r3", "r4"]


def test_results_are_rebuilt_from_the_run_files_when_they_disagree(serial_reference, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(serial_reference["tiny"], out)
    (out / "runs" / "quiet-c001-r02.parquet").unlink()
    with ResultStore(out).writing() as store:
        assert store.repaired
    assert "quiet-c001-r02" not in set(read_results(out)["run_id"])
    assert len(read_results(out)) == 17
    with ResultStore(out).writing() as store:
        assert not store.repaired, "nothing to repair when they agree"


def _listening(pids):
    """Return the TCP ports (host, port) on which the processes ``pids`` listen."""
    found = set()
    for pid in pids:
        for connection in psutil.Process(pid).net_connections(kind="tcp"):
            if connection.status == psutil.CONN_LISTEN:
                found.add((connection.laddr.ip, connection.laddr.port))
    return found


def _cluster_endpoints(client):
    """The scheduler's, workers' and nannies' own (non-HTTP) addresses, as (host, port)."""
    workers = client.scheduler_info(n_workers=-1)["workers"]
    addresses = [client.scheduler.address, *workers, *(w["nanny"] for w in workers.values())]
    return {(urlsplit(a).hostname, urlsplit(a).port) for a in addresses}


def _health(host, port):
    with urllib.request.urlopen(f"http://{host}:{port}/health", timeout=10) as answer:
        return answer.status


@pytest.mark.parametrize("dashboard", [False, True], ids=["default", "--dashboard"])
def test_the_embedded_cluster_serves_no_http_unless_asked(
    serial_reference, tmp_path, dashboard, capfd
):
    experiment = load_experiment(serial_reference["tiny"].parent / "experiment.toml")
    seen = {}

    def look(done, planned):
        if done == 1:
            client = default_client()
            client.wait_for_workers(2, timeout=120)  # a nanny listens before its worker joins
            pids = [os.getpid(), *client.run(os.getpid).values()]
            nannies = [psutil.Process(pid).parent().pid for pid in pids[1:]]
            seen["listening"] = _listening({*pids, *nannies})
            seen["http"] = seen["listening"] - _cluster_endpoints(client)
            seen["health"] = [_health(host, port) for host, port in seen["http"]]
            if dashboard:
                with urllib.request.urlopen(client.dashboard_link, timeout=30) as page:
                    seen["page"] = page.read().decode()

    run_experiment(
        experiment, tmp_path / "out", workers=2, progress=False, on_run=look, dashboard=dashboard
    )
    listening, http = seen["listening"], seen["http"]
    assert {host for host, _ in listening} == {"127.0.0.1"}, "loopback only"
    printed = re.findall(
        r"ecosim: Dask's dashboard: http://127\.0\.0\.1:(\d+)/status", capfd.readouterr().err
    )
    if dashboard:
        assert len(http) == 3, "the scheduler's dashboard and each worker's pages"
        assert seen["health"] == [200, 200, 200], "the check tells HTTP servers apart"
        assert len(printed) == 1 and ("127.0.0.1", int(printed[0])) in http, "where it is"
        assert "bokeh.min.js" in seen["page"], "the dashboard, not a page asking for bokeh"
    else:
        assert not http, f"listening beyond the cluster's own connections: {sorted(http)}"
        assert ("127.0.0.1", 8787) not in listening and not printed


WORKERS_IMPORTS = """
import sys
import ecosim
from ecosim.experiment.runner import dask_client

def imported():
    return ecosim.__file__, "pyabc" in sys.modules

if __name__ == "__main__":
    with dask_client(1, None, imports=["pyabc"]) as client:
        print(list(client.run(imported).values()) == [(ecosim.__file__, True)])
"""


def test_the_local_clusters_workers_start_with_this_processs_ecosim_imported(tmp_path):
    """The fork server imports ecosim, and what the command asks besides, once: its workers
    start with them (each imported ecosim itself, 2.6 s of CPU per worker of each cluster).
    It imports them as this process would, not from its working directory, which here
    holds another ``ecosim``. Run in a process of its own: the fork server of this one may
    be running already."""
    (tmp_path / "script").mkdir()
    (tmp_path / "script" / "workers.py").write_text(WORKERS_IMPORTS)
    (tmp_path / "ecosim").mkdir()
    (tmp_path / "ecosim" / "__init__.py").write_text("")
    done = subprocess.run(
        [sys.executable, str(tmp_path / "script" / "workers.py")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True"], done.stdout


def test_batch_runs_match_the_public_api_with_their_own_seed_and_strategy(serial_reference):
    """Every third run, re-run through ecosim.run with the seed and changes it should have.

    The strategies' changes are written out here from the experiment file, not taken from
    the run plan, so a plan or a runner that drops them (or the seed) is caught.
    """
    out = serial_reference["tiny"]
    folder = out.parent
    results = read_results(out).set_index("run_id")
    seeds = replication_seeds(11, 3)
    promotion = {"type": "promotion", "brand": "shop", "start": 2, "end": 8, "discount": 0.3}
    changes = {
        "plain": {},
        "quiet": {"campaign.0.intensity": 0.2},
        "promo": {"campaign": [*small_scenario()["campaign"], promotion]},
    }
    checked = 0
    for run_id in sorted(results.index)[::3]:
        row = results.loc[run_id]
        assert row["seed"] == seeds[row["replication"]]
        daily = ecosim.run(
            folder / "scenario.toml",
            days=15,
            customers=300,
            seed=seeds[row["replication"]],
            overrides={**changes[row["strategy"]], "dynamics.wom_awareness_rate": row["wom"]},
        )
        pd.testing.assert_frame_equal(pd.read_parquet(out / "runs" / f"{run_id}.parquet"), daily)
        checked += 1
    assert checked == 6
    series = {
        run_id: pd.read_parquet(out / "runs" / f"{run_id}.parquet") for run_id in results.index
    }
    for run_id, daily in series.items():
        strategy, condition, replication = run_id.split("-")
        if strategy != "plain":
            baseline = series[f"plain-{condition}-{replication}"]
            assert not daily.equals(baseline), f"{strategy}'s changes change its results"
        if replication != "r00":
            first = series[f"{strategy}-{condition}-r00"]
            assert not daily.equals(first), "replications differ: each run has its own seed"


def test_command_line_changes_make_a_smaller_batch_recorded_and_kept_apart(tmp_path, capsys):
    path = write_experiment(tmp_path)
    out = tmp_path / "out"
    changes = ["--replications", "2", "--customers", "200", "--days", "10"]
    changes += ["--set", "conditions.parameters.0.levels=3", "--set", "scenario.brands.0.price=90"]
    assert main(["batch", str(path), "--out", str(out), "--serial", *changes]) == 0
    assert "tiny: 18 runs: 0 already done, 18 finished now" in capsys.readouterr().out
    results = read_results(out)
    assert sorted(results["wom"].unique()) == [0.2, 0.5, 0.8]
    assert results["replication"].max() == 1
    assert len(pd.read_parquet(out / "runs" / "plain-c000-r00.parquet")) == 11
    record = read_record(out).experiment
    assert record.overrides == {
        "conditions.parameters.0.levels": 3,
        "scenario.brands.0.price": 90,
        "replications": 2,
        "customers": 200,
        "days": 10,
    }
    assert (record.customers, record.scenario.brands[0].price) == (200, 90)
    assert main(["batch", str(path), "--out", str(out), "--serial", *changes]) == 0
    assert "18 already done, 0 finished now" in capsys.readouterr().out
    other = [*changes[2:], "--replications", "3"]
    assert main(["batch", str(path), "--out", str(out), "--serial", *other]) == 2
    err = capsys.readouterr().err
    assert "holds a different experiment" in err
    assert "experiment.replications (folder: 2, now: 3)" in err
    assert "experiment.overrides.replications" not in err, "named once, by its field"
    other = [*changes[:-1], "scenario.brands.0.price=95"]
    assert main(["batch", str(path), "--out", str(out), "--serial", *other]) == 2
    err = capsys.readouterr().err
    assert "differs in: experiment.scenario.brands[0].price (folder: 90.0, now: 95.0));" in err
    assert "experiment.overrides" not in err
    assert "its runs are not mixed with others" in err
    ad = '{type="advertising", brand="shop", channel="social", start=1, end=20}'
    other = [*changes, "--set", f"scenario.campaign=[{ad}]"]
    assert main(["batch", str(path), "--out", str(out), "--serial", *other]) == 2
    err = capsys.readouterr().err  # a long list is told by what it lost, not by its length
    assert "experiment.scenario.campaign (folder: 2 items, now: 1: drops 1 item)" in err
    other = [*changes, "--set", 'outcomes=["total_profit"]']  # what is reported, not run
    assert main(["batch", str(path), "--out", str(out), "--serial", *other]) == 0
    assert "18 already done, 0 finished now" in capsys.readouterr().out
    assert read_record(out).experiment.outcomes == ["total_profit"]
    assert len(read_results(out)) == 18, "nothing was run"


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (
            ["--set", "replications=1"],
            "replications (set on the command line): Input should be greater than or equal to 2",
        ),
        (["--set", "replications"], "--set: 1 problem\n  replications: expected FIELD.PATH=VALUE"),
        (
            ["--set", "strategies.plain.set.x=1"],
            "strategies.plain (with strategies.plain.set.x set on the command line): x: unknown "
            "field",
        ),
        (["--set", "scenario.brands.7.price=1"], "brands.7.price: index 7 is out of range"),
    ],
)
def test_bad_command_line_changes_are_clear_errors(tmp_path, capsys, arguments, expected):
    path = write_experiment(tmp_path)
    status = main(["batch", str(path), "--out", str(tmp_path / "out"), "--serial", *arguments])
    assert status == 2
    err = capsys.readouterr().err
    assert expected in err
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("days", ["0", "\u00b2", "\u0663"])
def test_a_size_below_one_is_refused_by_the_parser(tmp_path, capsys, days):
    """Below one, or digits other than 0 to 9 (a superscript two, an Arabic-Indic three)."""
    path = write_experiment(tmp_path)
    with pytest.raises(SystemExit):
        main(["batch", str(path), "--days", days])
    assert (
        f"argument --days: expected a whole number >= 1 (got {days!r})" in capsys.readouterr().err
    )


def test_sensitivity_takes_the_same_changes(tmp_path, capsys):
    path = write_experiment(tmp_path)
    out = tmp_path / "out"
    changes = ["--replications", "1", "--customers", "200", "--days", "5"]
    command = ["sensitivity", str(path), "--method", "morris", "--serial", "--out", str(out)]
    assert main([*command, *changes, "--set", "sensitivity.trajectories=2"]) == 0
    assert "tiny (morris): 6 runs" in capsys.readouterr().out
    record = read_record(out).experiment
    assert record.sensitivity.replications == 1 and record.replications == 3
    assert record.overrides["sensitivity.trajectories"] == 2


@pytest.mark.parametrize("command", [["batch"], ["sensitivity", "--method", "morris"]])
def test_a_scheduler_that_does_not_answer_is_a_clear_error(tmp_path, capsys, command, monkeypatch):
    """The folder was claimed before the scheduler was asked: a corrected command was then
    refused as a different experiment, though no run had been made."""
    import ecosim.experiment.runner

    monkeypatch.setattr(ecosim.experiment.runner, "CONNECT_TIMEOUT", "1s")  # not 10 s here
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    path = write_experiment(tmp_path)
    address = f"tcp://127.0.0.1:{port}"
    out = tmp_path / "out"
    assert main([*command, str(path), "--out", str(out), "--scheduler", address]) == 2
    err = capsys.readouterr().err
    assert f"ecosim: error: --scheduler: 1 problem\n  {address}: no Dask scheduler" in err
    assert "Traceback" not in err
    assert not out.exists()


@pytest.mark.parametrize("where", [["--serial"], ["--scheduler", "tcp://127.0.0.1:1"]])
def test_a_dashboard_without_a_local_cluster_is_refused(tmp_path, capsys, where):
    """``--serial --dashboard`` ran without a dashboard and without a word."""
    path = write_experiment(tmp_path)
    out = tmp_path / "out"
    assert main(["batch", str(path), "--out", str(out), "--dashboard", *where]) == 2
    err = capsys.readouterr().err
    assert f"ecosim: error: --dashboard and {where[0]}: cannot go together (the dashboard" in err
    assert not out.exists()


@pytest.mark.parametrize("command", ["batch", "sensitivity"])
def test_more_workers_than_the_machine_can_hold_is_a_clear_error(tmp_path, capsys, command):
    most = ecosim.experiment.runner.WORKERS_PER_CORE * (os.cpu_count() or 1)
    path = write_experiment(tmp_path)
    method = ["--method", "morris"] if command == "sensitivity" else []
    argv = [command, str(path), "--out", str(tmp_path / "out"), *method, "--workers"]
    assert main([*argv, str(10**12)]) == 2
    err = capsys.readouterr().err
    assert err.endswith(
        "ecosim: error: --workers: 1 problem\n  1,000,000,000,000: more worker processes than "
        f"{most} (4 per core of this machine; each is a process with its own memory): "
        f"expected at most {most}\n"
    )


@pytest.mark.parametrize("workers", [-1, 0, 1.5, True])
def test_a_count_of_workers_that_is_no_whole_number_from_1_is_refused(tmp_path, workers):
    """-1 started a cluster without workers and waited for ever; 0 took every core, 1.5
    failed inside Dask, True ran one worker."""
    experiment = load_experiment(write_experiment(tmp_path))
    with pytest.raises(InputError, match=r"expected a whole number of worker processes from 1"):
        run_experiment(experiment, tmp_path / "out", workers=workers, progress=False)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("where", [["--serial"], ["--workers", "1"]], ids=["serial", "dask"])
def test_a_batch_too_large_for_memory_is_refused_before_any_run(
    tmp_path, capsys, monkeypatch, where
):
    # 50 million customers need about 24 GB: on a quiet 24 GiB machine the memory
    # available can exceed it, and the batch then started and filled the memory.
    free = (22 * 2**30, "memory available on this machine")
    monkeypatch.setattr(memory, "available_memory", lambda: free)
    path = write_experiment(tmp_path)
    out = tmp_path / "out"
    assert main(["batch", str(path), "--out", str(out), "--customers", "50000000", *where]) == 2
    err = capsys.readouterr().err
    assert "ecosim: error: scenario 'small': population.size: 50,000,000 customers" in err
    assert "of memory, but the memory available" in err
    assert not out.exists(), "refused before the folder is made"


def test_every_run_stores_its_customers_adoption_days(serial_reference):
    out = serial_reference["tiny"]
    store = ResultStore(out)
    results = read_results(out).set_index("run_id")
    assert sorted(p.stem for p in store.adoption_folder.glob("*.parquet")) == sorted(results.index)
    for run_id, row in results.iterrows():
        table = pd.read_parquet(store.adoption_path(run_id))
        assert list(table.columns) == ["first_purchase"]
        assert str(table["first_purchase"].dtype) == "Int32"
        assert len(table) == 300, "one row per customer"
        days = table["first_purchase"].dropna()
        assert days.between(0, 15).all()
        assert len(days) / 300 == pytest.approx(row["final_adopted_share"])
        adoption = store.adoption(run_id)
        assert adoption.dtype == float and pd.isna(adoption).sum() == 300 - len(days)


def test_adoption_days_are_written_before_the_run_file(serial_reference, tmp_path, monkeypatch):
    store = ResultStore(tmp_path / "out")
    written = []
    write_run = ecosim.store.write_run

    def checked(daily, row, path):
        assert store.adoption_path(row["run_id"]).exists(), "adoption days come first"
        if len(written) == 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        written.append(path)
        write_run(daily, row, path)

    monkeypatch.setattr(ecosim.store, "write_run", checked)
    experiment = load_experiment(serial_reference["tiny"].parent / "experiment.toml")
    with pytest.raises(OSError, match="No space left"):
        run_experiment(experiment, store.directory, serial=True, progress=False)
    assert len(list(store.adoption_folder.glob("*.parquet"))) == 4
    assert len(store.rows()) == len(read_results(store.directory)) == 3, (
        "adoption days without a run file do not finish a run"
    )
    monkeypatch.setattr(ecosim.store, "write_run", write_run)
    (store.adoption_folder / ".plain-c000-r00.parquet.999.tmp").write_bytes(b"half a file")
    again = run_experiment(experiment, store.directory, serial=True, progress=False)
    assert (again.skipped, again.finished) == (3, 15)
    assert not list(store.directory.rglob("*.tmp"))
    reference = ResultStore(serial_reference["tiny"])
    for run_id in reference.rows():
        np.testing.assert_array_equal(store.adoption(run_id), reference.adoption(run_id))


def test_a_folder_without_adoption_days_reads_as_unknown_and_a_bad_file_is_named(
    serial_reference, tmp_path
):
    store = ResultStore(tmp_path)
    assert store.adoption("plain-c000-r00") is None
    store.adoption_folder.mkdir(parents=True)
    store.adoption_path("plain-c000-r00").write_bytes(b"not parquet")
    with pytest.raises(StoreError, match=r"plain-c000-r00\.parquet: not a file of adoption days"):
        store.adoption("plain-c000-r00")


def test_seeded_adopters_count_from_day_0_and_match_the_curve_exactly():
    overrides = {
        "campaign": [],
        "network": {"kind": "erdos_renyi", "mean_degree": 6},
        "diffusion.rule": "independent_cascade",
        "brands.0.initial_awareness": 0.0,
        "population.size": 400,
        "days": 30,
    }
    scenario = load_scenario(ROOT / "scenarios" / "baseline.toml", overrides)
    for seed in range(3):
        runs = [
            ecosim.experiment.runner.simulate(
                scenario, {"diffusion.seeds": {"strategy": strategy, "count": 8}}, seed
            )
            for strategy in ("hubs", "random")
        ]
        (hubs, _, hub_days), (rand, _, random_days) = runs
        assert np.sum(hub_days == 0) == 8 and np.sum(random_days == 0) == 8
        for daily, days in ((hubs, hub_days), (rand, random_days)):
            curve = [np.mean(days <= t) for t in daily["step"]]
            np.testing.assert_allclose(daily["adopted_share"], curve, atol=1e-12)
        matched = match_adopters(hub_days, random_days, horizon=30)
        area = float(np.sum(hubs["adopted_share"] - rand["adopted_share"]))
        assert matched["gain"] == pytest.approx(area, abs=1e-12)
        assert matched["expansion"] + matched["acceleration"] == pytest.approx(area, abs=1e-12)


@pytest.mark.parametrize(
    "command",
    [
        ["batch", "--serial"],
        ["batch", "--workers", "1"],
        ["sensitivity", "--method", "morris", "--set", "sensitivity.trajectories=2", "--serial"],
    ],
    ids=["batch-serial", "batch-dask", "sensitivity-serial"],
)
def test_a_warning_about_the_input_is_shown_once_per_command(tmp_path, capfd, command):
    path = write_experiment(tmp_path)
    assert main([command[0], str(path), "--out", str(tmp_path / "out"), *command[1:]]) == 0
    err = capfd.readouterr().err
    assert "InputWarning" not in err, "nothing raw from the workers"
    assert [line for line in err.splitlines() if "warning" in line] == [
        "ecosim: warning: scenario 'small': days: the horizon of 15 days cuts short 1 campaign "
        "action (campaign[0])"
    ]


@pytest.mark.parametrize("where", [["--serial"], ["--workers", "1"]], ids=["serial", "dask"])
def test_a_warning_about_a_strategys_own_plan_names_the_strategy(tmp_path, capfd, where):
    late = {"type": "promotion", "brand": "shop", "start": 20, "end": 25, "discount": 0.1}
    strategies = {"plain": {}, "late": {"append": {"campaign": [late]}}}
    data = tiny_experiment(strategies=strategies, replications=2)
    data.pop("conditions")
    path = write_experiment(tmp_path, data)
    assert main(["batch", str(path), "--out", str(tmp_path / "out"), *where]) == 0
    assert [line for line in capfd.readouterr().err.splitlines() if "warning" in line] == [
        "ecosim: warning: scenario 'small': days: the horizon of 15 days cuts short 1 campaign "
        "action (campaign[0])",
        "ecosim: warning: strategy 'late': scenario 'small': days: the horizon of 15 days leaves "
        "out 1 campaign action (campaign[2]) and cuts short 1 campaign action (campaign[0])",
    ]


SMALL = {"customers": 150, "days": 5, "replications": 2}
"""A batch of 12 short runs, to damage and compare."""


@pytest.fixture(scope="module")
def small_batch(tmp_path_factory):
    """A finished batch of the tiny experiment with ``SMALL`` runs: its file and its folder."""
    root = tmp_path_factory.mktemp("small")
    path = write_experiment(root, tiny_experiment(**SMALL))
    run_experiment(load_experiment(path), root / "out", serial=True, progress=False)
    return path, root / "out"


def _copy(small_batch, tmp_path):
    """Return the experiment file and a copy of the small batch's folder to damage."""
    path, folder = small_batch
    out = tmp_path / "out"
    shutil.copytree(folder, out, ignore=shutil.ignore_patterns(".lock"))
    return path, out


def _refused_by_compare_and_batch(path, out, tmp_path, capsys, refusal):
    """Check that ecosim compare, then ecosim batch, refuse ``out`` with ``refusal``."""
    assert _refused(out, tmp_path, capsys) == refusal
    assert main(["batch", str(path), "--out", str(out), "--serial"]) == 2
    assert capsys.readouterr().err.endswith(refusal)


def _refused(out, tmp_path, capsys):
    """Run ecosim compare on ``out``; check it is refused cleanly and return its message."""
    status = main(["compare", str(out), "--out", str(tmp_path / "report")])
    captured = capsys.readouterr()
    assert status == 2, captured.err
    assert captured.out == ""
    assert "Traceback" not in captured.err
    assert not (tmp_path / "report").exists(), "no report from incomplete results"
    return captured.err


@pytest.mark.parametrize("damage", ["truncated", "emptied", "deleted"])
def test_compare_refuses_a_folder_with_a_damaged_or_missing_run_file_until_batch_redoes_it(
    small_batch, tmp_path, capsys, damage
):
    path, out = _copy(small_batch, tmp_path)
    run_file = out / "runs" / "quiet-c001-r01.parquet"
    if damage == "truncated":
        run_file.write_bytes(run_file.read_bytes()[:300])
    elif damage == "emptied":
        run_file.write_bytes(b"")
    else:
        run_file.unlink()
    why = {
        "truncated": "cannot be read (Parquet magic bytes not found in footer)",
        "emptied": "cannot be read (Parquet file size is 0 bytes)",
        "deleted": "missing (results.parquet lists its run as finished)",
    }[damage]
    err = _refused(out, tmp_path, capsys)
    assert err == (
        f"ecosim: error: {out}: 1 file of finished runs is missing or cannot be read, so the "
        "results in this folder are incomplete:\n"
        f"  {run_file}: {why}\n"
        "rerun the same ecosim batch command into this folder (the same experiment file and "
        f"options, --out {out}): it redoes the run, keeping the finished runs; then run this "
        "command again\n"
    )
    assert main(["batch", str(path), "--out", str(out), "--serial"]) == 0
    assert "11 already done, 1 finished now, 0 failed" in capsys.readouterr().out
    assert main(["compare", str(out), "--out", str(tmp_path / "report")]) == 0
    assert (tmp_path / "report" / "report.md").exists()
    pd.testing.assert_frame_equal(read_results(out), read_results(small_batch[1]))


def test_a_run_file_lacking_a_daily_series_is_named_and_redone_once_deleted(
    small_batch, tmp_path, capsys
):
    import pyarrow.parquet as pq

    path, out = _copy(small_batch, tmp_path)
    run_file = out / "runs" / "promo-c000-r01.parquet"
    table = pq.read_table(run_file)
    pq.write_table(table.drop_columns(["adopted_share"]), run_file)
    err = _refused(out, tmp_path, capsys)
    assert err == (
        f"ecosim: error: {out}: 1 run file(s) lack daily series that runs of their strategy "
        "and condition have, so the results in this folder are incomplete:\n"
        f"  {run_file}: lacks the daily column(s) adopted_share\n"
        "delete them and rerun the same ecosim batch command into this folder "
        f"(--out {out}): it redoes their runs, keeping the others\n"
    )
    run_file.unlink()
    assert main(["batch", str(path), "--out", str(out), "--serial"]) == 0
    assert "11 already done, 1 finished now, 0 failed" in capsys.readouterr().out
    assert main(["compare", str(out), "--out", str(tmp_path / "report")]) == 0
    pd.testing.assert_frame_equal(read_results(out), read_results(small_batch[1]))


def test_an_edge_list_changed_since_the_folder_was_written_is_refused(tmp_path, capsys):
    ring = "".join(f"{i},{(i + 1) % 300}\n" for i in range(300))
    (tmp_path / "edges.csv").write_text(ring)
    scenario = small_scenario(network={"kind": "edge_list", "path": "edges.csv"})
    data = tiny_experiment(replications=2)
    data.pop("conditions")
    path = write_experiment(tmp_path, data, scenario)
    out = tmp_path / "out"
    assert main(["batch", str(path), "--out", str(out), "--serial"]) == 0
    (out / "runs" / "quiet-c000-r01.parquet").unlink()  # to be run again...
    (tmp_path / "edges.csv").rename(tmp_path / "away.csv")  # ...while the file is away
    assert main(["batch", str(path), "--out", str(out), "--serial"]) == 1
    (tmp_path / "edges.csv").write_text(ring + "0,150\n")  # another network comes back
    capsys.readouterr()
    assert main(["batch", str(path), "--out", str(out), "--serial"]) == 2
    err = capsys.readouterr().err
    assert (
        f"the edge list {tmp_path / 'edges.csv'} changed since runs of plain, quiet, promo that "
        "read it finished" in err
    )
    (tmp_path / "away.csv").rename(tmp_path / "edges.csv")
    record = out / "experiment.toml"  # as written before edge lists were digested
    record.write_text(re.sub(r"\[edge_list_sha256\]\n(\w+ = \"\w+\"\n)+", "", record.read_text()))
    assert "edge_list_sha256" not in record.read_text()
    assert main(["batch", str(path), "--out", str(out), "--serial"]) == 0
    assert "edge_list_sha256" in record.read_text(), "recorded from now on"
    old_form = re.sub(r"\[edge_list_sha256\]\n(\w+ = \"\w+\"\n)+", "", record.read_text())
    record.write_text(old_form.replace("kind = ", 'edge_list_sha256 = "ab12"\nkind = ', 1))
    assert main(["batch", str(path), "--out", str(out), "--serial"]) == 0, (
        "one digest, a first form"
    )


def test_a_strategy_s_own_edge_list_changed_since_is_refused_too(tmp_path, capsys):
    ring = "".join(f"{i},{(i + 1) % 300}\n" for i in range(300))
    (tmp_path / "other.csv").write_text(ring)
    data = tiny_experiment(replications=2)
    data.pop("conditions")
    network = {"kind": "edge_list", "path": str(tmp_path / "other.csv")}
    data["strategies"]["quiet"] = {"set": {"network": network}}
    path = write_experiment(tmp_path, data)
    out = tmp_path / "out"
    assert main(["batch", str(path), "--out", str(out), "--serial"]) == 0
    (tmp_path / "other.csv").write_text(ring + "0,150\n")
    capsys.readouterr()
    assert main(["batch", str(path), "--out", str(out), "--serial"]) == 2
    err = capsys.readouterr().err
    assert f"the edge list {tmp_path / 'other.csv'} changed since runs of quiet that read" in err


def test_a_condition_s_edge_list_changed_since_its_runs_finished_is_refused(tmp_path, capsys):
    ring = "".join(f"{i},{(i + 1) % 300}\n" for i in range(300))
    for name in ("edges.csv", "other.csv"):
        (tmp_path / name).write_text(ring)
    scenario = small_scenario(network={"kind": "edge_list", "path": "edges.csv"})
    data = tiny_experiment(replications=2)
    data["conditions"] = {
        "parameters": [{"name": "net", "path": "network.path", "values": ["other.csv"]}]
    }
    path = write_experiment(tmp_path, data, scenario)
    out = tmp_path / "out"
    assert main(["batch", str(path), "--out", str(out), "--serial"]) == 0
    assert "[condition_edge_list_sha256]" in (out / "experiment.toml").read_text()
    (tmp_path / "other.csv").write_text(ring + "0,150\n")
    capsys.readouterr()
    assert main(["batch", str(path), "--out", str(out), "--serial"]) == 2
    err = capsys.readouterr().err
    assert (
        f"the edge list {tmp_path / 'other.csv'} changed since runs of the conditions that "
        "name it finished" in err
    )
    (tmp_path / "other.csv").write_text(ring)
    assert main(["batch", str(path), "--out", str(out), "--serial"]) == 0


def test_a_damaged_record_is_named_and_a_damaged_failures_table_rebuilt(
    small_batch, tmp_path, capsys
):
    path, out = _copy(small_batch, tmp_path)
    record = out / "experiment.toml"
    text = record.read_text()
    record.write_text(text[: len(text) // 2])
    assert main(["batch", str(path), "--out", str(out), "--serial"]) == 2
    err = capsys.readouterr().err
    assert f"ecosim: error: {record}: cannot be read (" in err
    assert "what this folder's runs are runs of is unknown; use another --out" in err
    record.write_text(text)
    (out / "failed.parquet").write_bytes(b"PAR1x")
    err = _refused(out, tmp_path, capsys)
    assert f"ecosim: error: {out / 'failed.parquet'}: cannot be read (" in err
    assert "rerun the same ecosim batch command into this folder" in err
    assert main(["batch", str(path), "--out", str(out), "--serial"]) == 0
    assert "12 already done, 0 finished now, 0 failed" in capsys.readouterr().out
    assert not (out / "failed.parquet").exists()
    assert main(["compare", str(out), "--out", str(tmp_path / "report")]) == 0


def test_finished_runs_of_another_design_are_refused_not_mixed(small_batch, tmp_path, capsys):
    """A design drawn otherwise (another version) would put other values under one run id."""
    from ecosim.store import write_run

    path, out = _copy(small_batch, tmp_path)
    run_file = out / "runs" / "quiet-c001-r00.parquet"
    row = read_run_row(run_file)
    write_run(pd.read_parquet(run_file), {**row, "wom": row["wom"] + 0.01}, run_file)
    assert main(["batch", str(path), "--out", str(out), "--serial"]) == 2
    err = capsys.readouterr().err
    assert f"ecosim: error: {out}: 1 finished run(s) ran other values than this experiment " in err
    assert "quiet-c001-r00.parquet ran {'wom': 0.81" in err
    assert err.endswith("run the batch again into another --out\n")
    refusal = err[err.index("ecosim: error: ") :]
    assert _refused(out, tmp_path, capsys) == refusal, "not a crash inside the tables"


@pytest.mark.parametrize(
    ("other", "ran"),
    [
        ({"days": 7}, "ran 7 days of 150 customers"),
        ({"customers": 120}, "ran 5 days of 120 customers"),
    ],
)
def test_a_run_file_of_another_horizon_or_population_is_refused_until_redone(
    small_batch, tmp_path, capsys, other, ran
):
    """It was counted as finished, its totals summed over other days; compare then failed
    with an internal error that named no file."""
    path, out = _copy(small_batch, tmp_path)
    elsewhere = tmp_path / "elsewhere"
    changed = load_experiment(path, {**SMALL, **other})
    run_experiment(changed, elsewhere, serial=True, progress=False)
    capsys.readouterr()
    for folder in ("runs", "runs/adoption"):
        shutil.copy(elsewhere / folder / "promo-c000-r00.parquet", out / folder)
    refusal = (
        f"ecosim: error: {out}: 1 finished run(s) ran another horizon or population than "
        f"this experiment plans for them (promo-c000-r00.parquet {ran}, planned 5 days of "
        "150 customers): run files of another folder, copied in? delete them (and their "
        "runs/adoption files) and rerun the batch, which redoes them\n"
    )
    _refused_by_compare_and_batch(path, out, tmp_path, capsys, refusal)
    for folder in ("runs", "runs/adoption"):
        (out / folder / "promo-c000-r00.parquet").unlink()
    assert main(["batch", str(path), "--out", str(out), "--serial"]) == 0
    assert "11 already done, 1 finished now, 0 failed" in capsys.readouterr().out
    pd.testing.assert_frame_equal(read_results(out), read_results(small_batch[1]))


def test_a_run_file_of_another_experiment_is_refused_not_counted(small_batch, tmp_path, capsys):
    path, out = _copy(small_batch, tmp_path)
    shutil.copy(out / "runs" / "promo-c000-r00.parquet", out / "runs" / "bridges-c000-r00.parquet")
    refusal = (
        f"ecosim: error: {out / 'runs'}: 1 run file(s) are no run of this folder's experiment "
        "'tiny' (bridges-c000-r00.parquet): a results folder holds one experiment's "
        "runs; move them out of it\n"
    )
    _refused_by_compare_and_batch(path, out, tmp_path, capsys, refusal)


def test_a_run_file_under_another_runs_name_is_named_and_redone(small_batch, tmp_path, capsys):
    path, out = _copy(small_batch, tmp_path)
    copied = out / "runs" / "promo-c000-r01.parquet"
    shutil.copy(out / "runs" / "promo-c000-r00.parquet", copied)
    err = _refused(out, tmp_path, capsys)
    assert f"  {copied}: holds the run 'promo-c000-r00' (renamed or copied?)\n" in err
    assert main(["batch", str(path), "--out", str(out), "--serial"]) == 0
    assert "11 already done, 1 finished now, 0 failed" in capsys.readouterr().out
    pd.testing.assert_frame_equal(read_results(out), read_results(small_batch[1]))


@pytest.mark.parametrize("damage", ["truncated", "another table"])
def test_damaged_adoption_days_are_named_and_redone_by_batch(small_batch, tmp_path, capsys, damage):
    path, out = _copy(small_batch, tmp_path)
    days = ResultStore(out).adoption_path("promo-c001-r00")
    if damage == "truncated":
        days.write_bytes(days.read_bytes()[:50])
    else:
        pd.DataFrame({"day": [1, 2]}).to_parquet(days)
    why = {
        "truncated": "cannot be read (Parquet magic bytes not found in footer)",
        "another table": "no first_purchase column",
    }[damage]
    assert ResultStore(out).damaged() == [(days, why)]
    err = _refused(out, tmp_path, capsys)
    assert f"  {days}: {why}\n" in err and "it redoes the run, keeping" in err
    assert main(["batch", str(path), "--out", str(out), "--serial"]) == 0
    assert "11 already done, 1 finished now, 0 failed" in capsys.readouterr().out
    assert main(["compare", str(out), "--out", str(tmp_path / "report")]) == 0
    reference = ResultStore(small_batch[1])
    np.testing.assert_array_equal(
        ResultStore(out).adoption("promo-c001-r00"), reference.adoption("promo-c001-r00")
    )
    pd.testing.assert_frame_equal(read_results(out), read_results(small_batch[1]))


def test_many_damaged_files_are_named_a_few_then_counted(small_batch, tmp_path, capsys):
    path, out = _copy(small_batch, tmp_path)
    runs = sorted((out / "runs").glob("*.parquet"))
    for run_file in runs[:4]:
        run_file.write_bytes(run_file.read_bytes()[:300])
    for run_file in runs[4:7]:
        run_file.unlink()
    assert [p for p, _ in ResultStore(out).damaged()] == runs[:7]
    with pytest.raises(StoreError) as refused:
        ResultStore(out).results()
    lines = str(refused.value).splitlines()
    assert lines[0] == (
        f"{out}: 7 files of finished runs are missing or cannot be read, so the results in this "
        "folder are incomplete:"
    )
    assert [line.split(": ")[0] for line in lines[1:6]] == [f"  {p}" for p in runs[:5]]
    assert lines[6:] == [
        "  and 2 more",
        "rerun the same ecosim batch command into this folder (the same experiment file and "
        f"options, --out {out}): it redoes these runs, keeping the finished runs; then run "
        "this command again",
    ]
    assert "ecosim: error: " + lines[0] in _refused(out, tmp_path, capsys)
    assert main(["batch", str(path), "--out", str(out), "--serial"]) == 0
    assert "5 already done, 7 finished now, 0 failed" in capsys.readouterr().out
    assert ResultStore(out).damaged() == []
    pd.testing.assert_frame_equal(ResultStore(out).results(), read_results(small_batch[1]))


def test_a_damaged_results_table_is_named_and_rebuilt_by_batch(small_batch, tmp_path, capsys):
    path, out = _copy(small_batch, tmp_path)
    table = out / "results.parquet"
    table.write_bytes(table.read_bytes()[:100])
    err = _refused(out, tmp_path, capsys)
    assert f"  {table}: cannot be read (Parquet magic bytes not found in footer)\n" in err
    assert "it rebuilds results.parquet, keeping the finished runs" in err
    assert main(["batch", str(path), "--out", str(out), "--serial"]) == 0
    assert "12 already done, 0 finished now, 0 failed" in capsys.readouterr().out
    assert main(["compare", str(out), "--out", str(tmp_path / "report")]) == 0
    pd.testing.assert_frame_equal(read_results(out), read_results(small_batch[1]))


def test_a_batch_refused_for_another_experiment_leaves_a_deleted_run_to_be_found(
    small_batch, tmp_path, capsys
):
    path, out = _copy(small_batch, tmp_path)
    table = (out / "results.parquet").read_bytes()
    (out / "runs" / "promo-c000-r00.parquet").unlink()
    other = ["batch", str(path), "--out", str(out), "--serial", "--replications", "3"]
    assert main(other) == 2
    assert "holds a different experiment" in capsys.readouterr().err
    assert (out / "results.parquet").read_bytes() == table, "left as it was"
    assert "promo-c000-r00.parquet: missing" in _refused(out, tmp_path, capsys)
    assert main(["batch", str(path), "--out", str(out), "--serial"]) == 0
    assert "11 already done, 1 finished now, 0 failed" in capsys.readouterr().out
    pd.testing.assert_frame_equal(read_results(out), read_results(small_batch[1]))


def test_a_folder_whose_batch_was_stopped_is_not_damaged(small_batch, tmp_path):
    path, _ = small_batch
    out = tmp_path / "out"

    def stop(done, planned):
        if done == 5:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_experiment(load_experiment(path), out, serial=True, progress=False, on_run=stop)
    store = ResultStore(out)
    assert store.damaged() == []
    assert len(store.results()) == 5, "the runs not done yet are not missing"


def test_a_damaged_sensitivity_folder_names_its_own_command(tmp_path):
    path = write_experiment(tmp_path, tiny_experiment(**SMALL))
    out = tmp_path / "out"
    command = ["sensitivity", str(path), "--method", "morris", "--serial", "--out", str(out)]
    assert main([*command, "--set", "sensitivity.trajectories=2"]) == 0
    run_file = sorted((out / "runs").glob("*.parquet"))[0]
    run_file.write_bytes(b"")
    with pytest.raises(StoreError, match=f"(?s){run_file}.*rerun the same ecosim sensitivity "):
        ResultStore(out).results()


def test_a_run_file_whose_series_cannot_be_read_is_named(small_batch, tmp_path):
    _, out = _copy(small_batch, tmp_path)
    store = ResultStore(out)
    (out / "runs" / "plain-c000-r00.parquet").unlink()
    with pytest.raises(StoreError, match=r"plain-c000-r00\.parquet: missing\n"):
        store.daily(["plain-c000-r00"])


@pytest.mark.parametrize("retries", [-1, 1.5, "2", None, True])
def test_retries_that_are_no_count_of_retries_are_refused(tmp_path, retries):
    experiment = load_experiment(write_experiment(tmp_path))
    with pytest.raises(InputError, match=r"retries: expected a whole number from 0"):
        run_experiment(experiment, tmp_path / "out", serial=True, retries=retries)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("command", ["batch", "sensitivity"])
def test_a_setting_moved_from_the_command_line_into_the_file_reruns_the_same_folder(
    tmp_path, capsys, command
):
    """The record compared the command line's changes too: the same runs, their value
    written into the file, were refused as 'experiment.overrides (folder: a dict, now:
    absent)'. The record then names the rerun's changes (none), as its report does."""
    path = write_experiment(tmp_path, tiny_experiment(**SMALL))
    out = tmp_path / "out"
    arguments = [command, str(path), "--serial", "--out", str(out)]
    text = path.read_text()
    if command == "sensitivity":
        arguments += ["--method", "morris"]
        setting, moved = "sensitivity.trajectories=2", text + "\n[sensitivity]\ntrajectories = 2\n"
    else:
        setting, moved = "days=4", text.replace("days = 5", "days = 4")
    assert main([*arguments, "--set", setting]) == 0
    capsys.readouterr()
    path.write_text(moved)
    assert main(arguments) == 0
    assert ", 0 finished now" in capsys.readouterr().out
    assert read_record(out).experiment.overrides == {}, "the record follows the rerun"
    path.write_text(moved.replace("replications = 2", "replications = 3"))
    assert main(arguments) == 2
    assert "differs in: experiment.replications (folder: 2, now: 3)" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"on_run": 5}, r"^on_run: expected a function, .* or None, got int$"),
        ({"progress": "yes"}, r"^progress: expected True, False or None .*, got 'yes'$"),
        ({"dashboard": "no"}, r"^dashboard: expected True or False, got 'no'$"),
        ({"serial": 1}, r"^serial: expected True or False, got 1$"),
    ],
    ids=["on_run", "progress", "dashboard", "serial"],
)
def test_a_runner_s_arguments_of_the_wrong_kind_are_refused_before_any_run(
    tmp_path, given, message
):
    """``on_run=5`` failed with a TypeError after the first run was written; a string for
    ``progress`` or ``dashboard`` was read as True."""
    experiment = load_experiment(write_experiment(tmp_path))
    arguments = {"serial": True, **given}
    with pytest.raises(InputError, match=message):
        run_experiment(experiment, tmp_path / "out", **arguments)
    if "on_run" not in given:
        with pytest.raises(InputError, match=message):
            run_sensitivity(experiment, tmp_path / "out", "morris", **arguments)
    assert not (tmp_path / "out").exists()


def test_conditions_the_scenario_refuses_between_the_ends_are_named_before_any_run(
    tmp_path, capsys
):
    """A factorial grid of Watts-Strogatz k from 4 to 10 passed at its ends; the runs at 5,
    7 and 9 then each failed three times, and a rerun failed again."""
    degree = {"name": "k", "path": "network.k", "range": [4, 10], "integer": True}
    path = write_experiment(
        tmp_path, tiny_experiment(conditions={"parameters": [{**degree, "levels": 7}]})
    )
    out = tmp_path / "out"
    assert main(["batch", str(path), "--serial", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"ecosim: error: {path}: 3 problems\n  conditions.parameters: condition 1 " in err
    refused = re.findall(r"condition (\d) sets network\.k = (\d+) \(with strategy 'plain'\)", err)
    assert refused == [("1", "5"), ("3", "7"), ("5", "9")] and "k must be even" in err
    assert not out.exists(), "refused before the folder is written"
    with pytest.raises(ExperimentError, match=r"condition 1 sets network\.k = 5"):
        run_experiment(load_experiment(path), out, serial=True)
    assert not out.exists()
    even = tiny_experiment(conditions={"parameters": [{**degree, "levels": 4}]})
    experiment = load_experiment(write_experiment(tmp_path / "even", even))
    assert [c.overrides["network.k"] for c in plan_runs(experiment)[:12:3]] == [4, 6, 8, 10]


def test_the_next_command_can_be_pasted_into_a_shell(tmp_path, capsys):
    """A folder with a space and a non-ASCII letter was printed as two words."""
    data = tiny_experiment(replications=2)
    data.pop("conditions")
    path = write_experiment(tmp_path, data)
    out = tmp_path / "out dir" / "ü n"
    assert main(["batch", str(path), "--out", str(out), "--serial"]) == 0
    line = capsys.readouterr().out.splitlines()[-1]
    assert shlex.split(line) == ["next:", "ecosim", "compare", str(out)]


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"workers": 2, "serial": True}, r"^workers and serial: cannot go together"),
        ({"workers": 10**6}, r"^workers: 1 problem\n  1,000,000: more"),
        ({"serial": "yes"}, r"^serial: expected True or False, got 'yes'$"),
        ({"serial": True, "retries": -1}, r"^retries: expected a whole number from 0"),
    ],
    ids=["workers-and-serial", "too-many-workers", "serial-not-bool", "retries"],
)
def test_open_runner_refuses_its_arguments_named_as_arguments(monkeypatch, given, message):
    """``open_runner(workers=2, serial=True)`` ran in this process, ignoring ``workers``;
    too many workers were named ``--workers``, an option the caller never gave."""

    def no_cluster(*args):
        raise AssertionError("a cluster was started")

    monkeypatch.setattr(runner, "LocalCluster", no_cluster)
    with pytest.raises(InputError, match=message), runner.open_runner(**given):
        pytest.fail("a runner was opened")


def test_a_rerun_after_changing_what_is_reported_keeps_the_runs(small_batch, tmp_path):
    """A new description, another outcome of interest or the sensitivity analysis's settings
    read by no run of a batch were refused as 'a different experiment': the only remedies
    were to undo the edit or to lose the finished runs. So were the scenario's name and
    seed, and its path written otherwise."""
    _, out = _copy(small_batch, tmp_path)
    outcomes = ["final_adopted_share", "total_profit"]
    changed = tiny_experiment(
        **SMALL,
        description="Reworded.",
        outcomes=outcomes,
        sensitivity={"trajectories": 9},
        baseline="promo",  # which the report compares with
    )
    changed["strategies"]["plain"]["description"] = "the plan as it stands"
    scenario = small_scenario(name="renamed", seed=99)  # the experiment seeds every run
    changed["scenario"] = str(tmp_path / "edited" / "scenario.toml")  # the same file, absolute
    path = write_experiment(tmp_path / "edited", changed, scenario)
    result = run_experiment(load_experiment(path), out, serial=True, progress=False)
    assert (result.skipped, result.finished) == (result.planned, 0)
    record = read_record(out)
    assert record.experiment.scenario.name == "renamed"
    assert record.experiment.outcomes == outcomes
    assert record.experiment.description == "Reworded."
    assert record.experiment.baseline == "promo"
    runs_read = write_experiment(tmp_path / "other", tiny_experiment(**{**SMALL, "seed": 12}))
    with pytest.raises(ExperimentError, match=r"differs in: experiment\.seed"):
        run_experiment(load_experiment(runs_read), out, serial=True, progress=False)


def test_the_process_logs_again_once_the_embedded_cluster_is_closed(monkeypatch):
    """The cluster's closing is silenced (its scheduler logged closed connections as
    critical errors after Ctrl-C); the process's logging is given back after it."""
    import logging

    silenced = []
    quiet = runner._quiet_while_stopping

    def look(client):
        quiet(client)
        silenced.append(logging.root.manager.disable)

    monkeypatch.setattr(runner, "_quiet_while_stopping", look)
    with runner.dask_client(workers=1, scheduler=None):
        assert logging.root.manager.disable == logging.NOTSET
    assert silenced == [logging.CRITICAL]
    assert logging.root.manager.disable == logging.NOTSET


def test_each_input_warning_of_a_batch_is_given_once_naming_its_strategy(tmp_path, capsys):
    """The conditions' extremes, checked with each strategy as the file was read, gave a
    strategy's warnings again without its name."""
    path = write_experiment(tmp_path)
    changes = ["--serial", "--replications", "2", "--days", "5", "--customers", "100"]
    assert main(["batch", str(path), "--out", str(tmp_path / "out"), *changes]) == 0
    given = [
        line.removeprefix("ecosim: warning: ")
        for line in capsys.readouterr().err.splitlines()
        if line.startswith("ecosim: warning: ")
    ]
    horizon = "scenario 'small': days: the horizon of 5 days leaves out 1 campaign action "
    assert given == [
        f"{horizon}(campaign[1]) and cuts short 1 campaign action (campaign[0])",
        f"strategy 'promo': {horizon}(campaign[1]) and cuts short 2 campaign actions "
        "(campaign[0], campaign[2])",
    ]
