"""Samplers of the ABC-SMC search whose particles do not depend on where they run.

pyabc draws each particle's parameters from numpy's global random state, and its Dask
sampler seeds that state from the operating system in every job: the same calibration gave
other particles, and another posterior, on another number of workers, and even on the
same one twice. Here evaluation ``i`` of a generation draws from a state seeded by the
calibration's seed, the generation and ``i``, wherever it runs, and a generation keeps
evaluations ``0, 1, 2, ...`` up to its ``n``-th accepted particle, the rejected ones before
it included (the adaptive distance learns from them). In this process or on a cluster of
any size, a generation holds the same particles; the draws pyabc makes in this process
between generations (its adaptive population size) are left as they would be on a cluster.
"""

from __future__ import annotations

import itertools
import threading
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any

import cloudpickle
import numpy as np
import pyabc

__all__ = ["SeededDaskSampler", "SeededSampler", "evaluate"]

_GENERATION, _CALIBRATION = 0, 1
"""Streams of seeds: a generation's particles, and the sample that sets its distance's scale."""

_GLOBAL_STATE = threading.Lock()
"""Held from an evaluation's seeding to its end: the threads of a worker process share numpy's
global random state, and one thread's seed would otherwise feed another's draws."""


def evaluate(simulate_one: Callable[[], Any], key: list[int], first: int, count: int) -> list[Any]:
    """Evaluate particles ``first`` to ``first + count - 1``, each from its own seed.

    Parameters
    ----------
    simulate_one : callable
        pyabc's function that draws a particle's parameters from numpy's global random
        state, simulates it and accepts or rejects it.
    key : list of int
        The seed of the calibration, the stream and the generation.
    first, count : int

    Returns
    -------
    list of pyabc.Particle

    Examples
    --------
    >>> draw = lambda: float(np.random.uniform())
    >>> evaluate(draw, [7, 0, 1], 3, 2) == evaluate(draw, [7, 0, 1], 3, 2)
    True
    >>> evaluate(draw, [7, 0, 1], 3, 2)[1] == evaluate(draw, [7, 0, 1], 4, 1)[0]
    True
    """
    particles = []
    for index in range(first, first + count):
        with _GLOBAL_STATE:
            np.random.seed([*key, index])  # noqa: NPY002 (pyabc draws from numpy's global state)
            particles.append(simulate_one())
    return particles


def _evaluate_pickled(simulate_one: bytes, key: list[int], first: int, count: int) -> list[Any]:
    return evaluate(cloudpickle.loads(simulate_one), key, first, count)


class SeededSampler(pyabc.sampler.Sampler):
    """Evaluate a generation's particles in order in this process, each from its own seed.

    Parameters
    ----------
    seed : int
        The calibration's seed.
    keep : callable, optional
        Called as ``keep(t, sample)`` with each generation's sample (not the one that first
        sets the distance's scale) before pyabc stores the generation, this process's random
        state as it was before the generation.
    """

    def __init__(self, seed: int, keep: Callable[[int, pyabc.Sample], None] | None = None) -> None:
        super().__init__()
        self.seed = seed
        self.keep = keep

    def sample_until_n_accepted(
        self,
        n: int,
        simulate_one: Callable[[], Any],
        t: int,
        *,
        max_eval: float = np.inf,
        all_accepted: bool = False,
        ana_vars: Any = None,
    ) -> pyabc.Sample:
        """Return evaluations 0, 1, 2, ... up to the ``n``-th accepted one.

        ``nr_evaluations_`` counts these evaluations; on a cluster a few more ran and were
        discarded (at most the batches in flight when the ``n``-th particle was accepted),
        so that the count, as the particles, is the same wherever the search runs.
        ``max_eval`` and ``ana_vars`` are not used: there is no limit of evaluations (the
        search sets no minimum acceptance rate, so pyabc passes an infinite one) and no
        look-ahead.
        """
        stream = _CALIBRATION if all_accepted else _GENERATION
        batches = self._batches(simulate_one, [self.seed, stream, t + 1])
        particles = itertools.chain.from_iterable(batches)
        sample, evaluated = self._create_empty_sample(), 0
        state = np.random.get_state()  # noqa: NPY002 (this process's draws go on as on Dask)
        try:
            while sample.n_accepted < n:
                sample.append(next(particles))
                evaluated += 1
        finally:
            batches.close()  # a cluster's batches still running are cancelled
            np.random.set_state(state)  # noqa: NPY002
        self.nr_evaluations_ = evaluated
        if self.keep is not None and not all_accepted:
            self.keep(t, sample)
        return sample

    def _batches(self, simulate_one: Callable[[], Any], key: list[int]) -> Iterator[list[Any]]:
        index = 0
        while True:
            yield evaluate(simulate_one, key, index, 1)
            index += 1


class SeededDaskSampler(SeededSampler):
    """Evaluate a generation's particles on a Dask cluster, each from its own seed.

    Batches of ``batch_size`` evaluations run on the workers, two per worker thread at a
    time so that none waits; their results are read in order, one batch at a time (an
    interrupted wait for all of them leaves a waiting task per batch, each printing a
    traceback), and the batches not needed are cancelled. The threads of a worker process
    evaluate one particle at a time (they share numpy's global random state): start workers
    with one thread each (``dask worker ADDRESS --nthreads 1``, as the local cluster's are)
    to use every core.

    Parameters
    ----------
    seed : int
        The calibration's seed.
    client : distributed.Client
    batch_size : int
    keep : callable, optional
        As :class:`SeededSampler`'s.
    """

    def __init__(
        self,
        seed: int,
        client: Any,
        batch_size: int,
        keep: Callable[[int, pyabc.Sample], None] | None = None,
    ) -> None:
        super().__init__(seed, keep)
        self.client = client
        self.batch_size = batch_size

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        del state["client"]
        return state

    def _batches(self, simulate_one: Callable[[], Any], key: list[int]) -> Iterator[list[Any]]:
        pickled = cloudpickle.dumps(simulate_one)
        slots = 2 * max(1, sum(self.client.nthreads().values()))
        running: deque[Any] = deque()
        index = 0
        try:
            while True:
                while len(running) < slots:
                    running.append(
                        self.client.submit(
                            _evaluate_pickled, pickled, key, index, self.batch_size, pure=False
                        )
                    )
                    index += self.batch_size
                future = running.popleft()
                try:
                    batch = future.result()
                finally:
                    future.release()
                yield batch
        finally:
            for future in running:
                future.cancel()
