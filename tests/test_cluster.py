"""ecosim batch --scheduler against a Dask cluster started on its own, as on a real one.

A scheduler and two workers are started as separate ``dask`` commands on 127.0.0.1 (random
free ports); the batch connects to the scheduler's address, one worker is killed in the
middle, and the results must equal those of ``--serial``.
"""

import json
import os
import signal
import subprocess
import sys
import time

import dask
import pandas as pd
import pytest
from dask.distributed import Client

from ecosim.experiment import load_experiment, run_experiment, runner

from experiment_helpers import read_results, tiny_experiment, write_experiment
from support import ROOT

LIMIT = 240
"""Seconds any step may take before the test gives up (and stops what it started)."""

WORKER_SETTINGS = ROOT / "cluster" / "dask-workers.yaml"
"""The Dask settings the README gives for a cluster's workers."""


LOCAL_SETTINGS = {"distributed.worker.profile.enabled": False, **runner.QUIET_CHECKS}
"""What the local cluster of ``ecosim batch`` sets for its workers, besides their environment."""


def test_the_cluster_settings_file_holds_the_local_clusters_settings():
    settings = dask.config.collect([str(WORKER_SETTINGS)], env={})
    expected = {**LOCAL_SETTINGS, **runner.WORKER_ENVIRONMENT}
    assert {name: dask.config.get(name, config=settings) for name in expected} == expected


@pytest.fixture
def processes():
    """Processes started by the test, each in its own group; all killed at the end."""
    started = []
    yield started
    for process in started:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)


def _wait(condition, what):
    deadline = time.monotonic() + LIMIT
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def _start(processes, command, env, log):
    with log.open("w") as output:
        process = subprocess.Popen(
            command, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    processes.append(process)
    return process


def test_a_batch_on_a_separately_started_cluster_survives_a_killed_worker(tmp_path, processes):
    data = tiny_experiment(customers=1000, days=40, replications=5)
    path = write_experiment(tmp_path / "experiment", data)
    serial = run_experiment(load_experiment(path), tmp_path / "serial", serial=True, progress=False)
    # a local cluster started earlier in this process leaves Dask's worker variables in
    # os.environ (its nannies set them here before spawning); the cluster starts without it
    inherited = {k: v for k, v in os.environ.items() if k != "MALLOC_TRIM_THRESHOLD_"}
    env = {**inherited, "PYTHONPATH": str(ROOT), "DASK_CONFIG": str(WORKER_SETTINGS)}
    logs = tmp_path / "logs"
    logs.mkdir()
    dask_command = [sys.executable, "-m", "dask"]
    loopback = ["--host", "127.0.0.1", "--dashboard-address", "127.0.0.1:0", "--no-dashboard"]
    address_file = tmp_path / "scheduler.json"
    _start(
        processes,
        [
            *dask_command,
            "scheduler",
            *loopback,
            "--port",
            "0",
            "--scheduler-file",
            str(address_file),
        ],
        env,
        logs / "scheduler.log",
    )
    _wait(lambda: address_file.exists() and address_file.stat().st_size, "the scheduler")
    address = json.loads(address_file.read_text())["address"]
    assert address.startswith("tcp://127.0.0.1:")
    workers = [
        _start(
            processes,
            [*dask_command, "worker", address, *loopback, "--nthreads", "1", "--name", f"w{i}"],
            env,
            logs / f"worker{i}.log",
        )
        for i in range(2)
    ]
    _wait(lambda: (logs / "worker1.log").read_text().count("Registered to") == 1, "worker 1")
    _wait(lambda: (logs / "worker0.log").read_text().count("Registered to") == 1, "worker 0")

    out = tmp_path / "out"
    command = ["batch", str(path), "--out", str(out), "--scheduler", address]
    batch = _start(
        processes, [sys.executable, "-m", "ecosim.cli", *command], env, logs / "batch.log"
    )
    runs = out / "runs"
    _wait(lambda: runs.exists() and len(list(runs.glob("*.parquet"))) >= 3, "the first runs")
    os.killpg(workers[0].pid, signal.SIGKILL)
    killed_at = len(list(runs.glob("*.parquet")))
    assert killed_at < serial.planned, "killed in the middle of the batch"
    _wait(lambda: batch.poll() is not None, "the batch")
    log = (logs / "batch.log").read_text()
    assert batch.returncode == 0, log
    assert f"{serial.planned} runs: 0 already done, {serial.planned} finished now, 0 failed" in log
    assert workers[1].poll() is None, "the other worker did the rest"
    with Client(address, timeout="30s") as client:
        ((settings, trim),) = client.run(
            lambda: (
                {name: dask.config.get(name) for name in LOCAL_SETTINGS},
                os.environ.get("MALLOC_TRIM_THRESHOLD_"),
            )
        ).values()
    assert settings == LOCAL_SETTINGS and trim is None, "the workers took the settings file"
    pd.testing.assert_frame_equal(read_results(out), read_results(tmp_path / "serial"))
    for run in (tmp_path / "serial" / "runs").glob("*.parquet"):
        pd.testing.assert_frame_equal(pd.read_parquet(runs / run.name), pd.read_parquet(run))
