"""The seeded samplers: the same particles in this process and on any number of workers."""

import time

import numpy as np
import pyabc
from distributed import Client, LocalCluster

from ecosim.calibrate.sampling import SeededDaskSampler, SeededSampler
from ecosim.experiment import runner


def particle(values: dict[str, float]) -> pyabc.Particle:
    """A particle of these values, accepted when its ``x`` is below 0.3."""
    return pyabc.Particle(
        m=0,
        parameter=pyabc.Parameter(values),
        weight=1.0,
        sum_stat={"x": values["x"]},
        distance=values["x"],
        accepted=values["x"] < 0.3,
    )


def simulate_one() -> pyabc.Particle:
    """A particle drawn from numpy's global state, as pyabc draws them; a third accepted."""
    return particle({"x": float(np.random.uniform())})  # noqa: NPY002


def drawn(sampler: pyabc.sampler.Sampler, t: int = 2) -> tuple[list[float], int]:
    sample = sampler.sample_until_n_accepted(6, simulate_one, t)
    return [p.parameter["x"] for p in sample.accepted_particles], sampler.nr_evaluations_


def test_a_generation_keeps_its_evaluations_in_order_up_to_the_last_accepted():
    np.random.seed(5)  # noqa: NPY002
    before = np.random.get_state()[1].copy()  # noqa: NPY002
    accepted, evaluated = drawn(SeededSampler(11))
    assert len(accepted) == 6 and all(x < 0.3 for x in accepted)
    assert np.array_equal(np.random.get_state()[1], before), "this process's draws go on"  # noqa: NPY002
    assert drawn(SeededSampler(11)) == (accepted, evaluated)
    assert drawn(SeededSampler(12))[0] != accepted
    assert drawn(SeededSampler(11), t=3)[0] != accepted


def test_a_cluster_of_any_size_draws_the_same_particles_as_this_process():
    """pyabc's Dask sampler seeded each job from the system: other particles every run."""
    expected = drawn(SeededSampler(11))
    for workers in (1, 2):
        with runner.dask_client(workers=workers, scheduler=None) as client:
            for batch_size in (1, 4):
                assert drawn(SeededDaskSampler(11, client, batch_size)) == expected


def slow_simulate_one() -> pyabc.Particle:
    """A particle of two draws with a pause between, in which another thread could reseed."""
    x = float(np.random.uniform())  # noqa: NPY002
    time.sleep(0.002)
    return particle({"x": x, "y": float(np.random.uniform())})  # noqa: NPY002


def test_the_threads_of_a_worker_do_not_draw_from_each_others_seeds():
    """A worker of several threads (``dask worker`` starts one per core) mixed particles up:
    one thread's seed fed another's draws."""

    def particles(sampler: pyabc.sampler.Sampler) -> list[tuple[float, float]]:
        sample = sampler.sample_until_n_accepted(8, slow_simulate_one, 1)
        return [(p.parameter["x"], p.parameter["y"]) for p in sample.accepted_particles]

    expected = particles(SeededSampler(3))
    cluster = LocalCluster(
        n_workers=1, threads_per_worker=4, processes=True, dashboard_address=None
    )
    with cluster, Client(cluster) as client:
        assert particles(SeededDaskSampler(3, client, 1)) == expected
