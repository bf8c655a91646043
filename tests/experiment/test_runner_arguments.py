"""The arguments of run_experiment and run_sensitivity, refused by name before any run."""

import re
from functools import partial

import pytest

from ecosim.errors import InputError
from ecosim.experiment import load_experiment, run_experiment, run_sensitivity, runner

from experiment_helpers import write_experiment

RUNNERS = {
    "batch": partial(run_experiment, progress=False),
    "sensitivity": partial(run_sensitivity, method="morris", progress=False),
}


@pytest.fixture
def no_cluster(monkeypatch):
    """Fail a test that starts a Dask cluster (or connects to a scheduler)."""

    def refused(*args, **kwargs):
        raise AssertionError("a cluster was started")

    monkeypatch.setattr(runner, "dask_client", refused)


@pytest.mark.parametrize("run", RUNNERS.values(), ids=RUNNERS.keys())
@pytest.mark.parametrize(
    ("where", "message"),
    [
        ({"serial": True, "workers": 2}, "workers and serial"),
        ({"serial": True, "scheduler": "tcp://127.0.0.1:1"}, "scheduler and serial"),
        ({"workers": 2, "scheduler": "tcp://127.0.0.1:1"}, "workers and scheduler"),
    ],
)
def test_more_than_one_place_to_run_is_refused(tmp_path, no_cluster, run, where, message):
    """``workers`` beside ``serial`` was ignored; the command line refuses the options together."""
    experiment = load_experiment(write_experiment(tmp_path))
    with pytest.raises(InputError, match=rf"^{message}: cannot go together \(expected one of"):
        run(experiment, tmp_path / "out", **where)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("run", RUNNERS.values(), ids=RUNNERS.keys())
def test_a_file_for_the_folder_is_refused_naming_out(tmp_path, run):
    """A file there went up as FileExistsError from the store."""
    experiment = load_experiment(write_experiment(tmp_path))
    file = tmp_path / "file"
    file.write_text("not a folder")
    at, inner = re.escape(str(file)), re.escape(str(file / "out"))
    with pytest.raises(InputError, match=rf"^out {at}: is a file, not a folder \(expected"):
        run(experiment, file, serial=True)
    with pytest.raises(InputError, match=rf"^out {inner}: {at} is a file, not a folder"):
        run(experiment, file / "out", serial=True)
    assert file.read_text() == "not a folder"


@pytest.mark.parametrize("run", RUNNERS.values(), ids=RUNNERS.keys())
def test_a_folder_that_cannot_be_created_is_refused_with_the_system_s_reason(tmp_path, run):
    """A folder in /proc went up as FileNotFoundError from the store."""
    experiment = load_experiment(write_experiment(tmp_path))
    with pytest.raises(
        InputError,
        match=r"^out /proc/ecosim-out: /proc is a folder this process cannot write into \(",
    ):
        run(experiment, "/proc/ecosim-out", serial=True)


@pytest.mark.parametrize("run", RUNNERS.values(), ids=RUNNERS.keys())
def test_an_empty_scheduler_address_is_refused(tmp_path, no_cluster, run):
    """It started a whole local cluster to check that a scheduler answered."""
    experiment = load_experiment(write_experiment(tmp_path))
    with pytest.raises(InputError, match=r"^scheduler: '' is no address"):
        run(experiment, tmp_path / "out", scheduler="")
    assert not (tmp_path / "out").exists()
