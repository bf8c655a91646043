"""What a resumed search needs: every simulation of the last generation, its random state."""

import warnings

import numpy as np
import pandas as pd
import pyabc
import pytest

from ecosim.calibrate.abc import spread
from ecosim.calibrate.resume import (
    SIMULATIONS,
    ResumableDistance,
    keep_generation,
    kept_generation,
    resume,
)
from ecosim.calibrate.schema import CalibrationError
from ecosim.errors import InputWarning


def sample(values: list[tuple[float, float]], accepted: list[bool]) -> pyabc.Sample:
    """A sample of particles with statistics ``a`` and ``b``, rejected ones recorded."""
    result = pyabc.Sample(record_rejected=True)
    for (a, b), ok in zip(values, accepted, strict=True):
        result.append(
            pyabc.Particle(
                m=0,
                parameter=pyabc.Parameter({"p": a}),
                weight=1.0,
                sum_stat={"a": a, "b": b},
                distance=0.0,
                accepted=ok,
            )
        )
    return result


OBSERVED = {"a": 0.0, "b": 0.0}
EVERY = [(1.0, 10.0), (2.0, 30.0), (4.0, 20.0), (8.0, 90.0), (16.0, 50.0)]
ACCEPTED = [True, False, True, False, True]


def fitted(folder, t, fallback) -> np.ndarray:
    """The scale weights of generation ``t``'s distance, resumed in ``folder`` when t > 0."""
    distance = ResumableDistance(p=2, scale_function=spread, fixed_weights={"a": 1.0, "b": 1.0})
    if t > 0:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", InputWarning)  # no file kept: said below
            resume(folder, t, 0, distance)
    distance.initialize(t=t, get_sample=lambda: fallback, x_0=OBSERVED, total_sims=0)
    return distance.scale_weights[t]


def test_a_resumed_distance_is_fitted_to_every_kept_simulation(tmp_path):
    keep_generation(tmp_path, 3, sample(EVERY, ACCEPTED))
    accepted_only = sample([v for v, ok in zip(EVERY, ACCEPTED, strict=True) if ok], [True] * 3)
    whole = fitted(tmp_path / "elsewhere", 0, sample(EVERY, ACCEPTED))  # t = 0: no file read
    np.testing.assert_array_equal(fitted(tmp_path, 4, accepted_only), whole)
    assert not np.array_equal(fitted(tmp_path / "elsewhere", 4, accepted_only), whole)


def test_a_folder_without_kept_simulations_is_fitted_as_pyabc_does(tmp_path):
    accepted_only = sample(EVERY[:3], [True] * 3)
    distance = ResumableDistance(p=2, scale_function=spread, fixed_weights={"a": 1.0, "b": 1.0})
    with pytest.warns(InputWarning, match="holds no file of generation 1"):
        assert not resume(tmp_path, 2, 0, distance)
    assert distance.resumed_from is None
    np.testing.assert_array_equal(
        fitted(tmp_path, 2, accepted_only),
        fitted(tmp_path / "elsewhere", 0, accepted_only),
    )


def test_only_the_last_two_generations_are_kept(tmp_path):
    for t in range(5):
        keep_generation(tmp_path, t, sample(EVERY, ACCEPTED))
    assert sorted(p.name for p in (tmp_path / SIMULATIONS).iterdir()) == [
        "generation_3.npz",
        "generation_4.npz",
    ]


def test_an_unreadable_kept_file_is_refused_naming_it(tmp_path):
    keep_generation(tmp_path, 1, sample(EVERY, ACCEPTED))
    path = tmp_path / SIMULATIONS / "generation_1.npz"
    path.write_bytes(path.read_bytes()[:40])
    with pytest.raises(CalibrationError) as error:
        fitted(tmp_path, 2, sample(EVERY, ACCEPTED))
    assert str(path) in str(error.value)
    assert "delete it to resume from pyabc's history alone" in str(error.value)


def test_the_random_state_a_generation_started_from_is_kept(tmp_path):
    np.random.seed(5)  # noqa: NPY002
    np.random.normal()  # noqa: NPY002 (a cached second normal is part of the state)
    keep_generation(tmp_path, 0, sample(EVERY, ACCEPTED))
    expected = np.random.normal(size=3)  # noqa: NPY002
    np.random.seed(6)  # noqa: NPY002
    np.random.set_state(kept_generation(tmp_path, 0).random_state)  # noqa: NPY002
    np.testing.assert_array_equal(np.random.normal(size=3), expected)  # noqa: NPY002
    assert kept_generation(tmp_path, 1) is None


def test_a_resumed_population_size_is_the_uninterrupted_one():
    """pyabc starts from the size it chose last in this process: a resumed search, from
    the first generation's."""
    from pyabc.populationstrategy import AdaptivePopulationSize

    from ecosim.calibrate.kernel import ScaledNormalTransition
    from ecosim.calibrate.resume import ResumablePopulationSize

    def kernel(size: int) -> ScaledNormalTransition:
        rng = np.random.default_rng(size)
        transition = ScaledNormalTransition()
        transition.fit(
            pd.DataFrame({"p": rng.normal(size=size), "q": rng.normal(size=size)}),
            np.full(size, 1 / size),
        )
        return transition

    def size(strategy, t, particles):
        np.random.seed(t)  # noqa: NPY002 (pyabc's bootstrap draws from the global state)
        strategy.update([kernel(particles)], np.array([1.0]), t)
        return strategy(t)

    options = {"max_population_size": 10**6, "min_population_size": 10}
    uninterrupted = AdaptivePopulationSize(20, **options)
    first = size(uninterrupted, 1, 20)
    second = size(uninterrupted, 2, first)
    ours = ResumablePopulationSize(20, **options)
    assert (size(ours, 1, 20), size(ours, 2, first)) == (first, second)
    assert size(ResumablePopulationSize(20, **options), 2, first) == second
    assert size(AdaptivePopulationSize(20, **options), 2, first) != second, "pyabc resumed"
