"""Shared fixtures, and the hypothesis profiles.

Under CI (the environment variable ``CI`` set) property-based tests run the ``ci``
profile: derandomised, so every run draws the same examples and a failure reproduces.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, settings
from optimisation_helpers import write_optimisation

from ecosim.processes.sampling import Draws

pytest_plugins = ["calibration_helpers"]
"""Fixtures of the calibration tests (small calibration files written into a folder)."""

settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

LONGEST_FIRST = (
    "tests/test_validation_evidence.py",
    "tests/calibrate/test_calibrate_abc.py",
    "tests/ui/test_browser.py",
    "tests/test_mechanisms.py",
    "tests/test_batch.py",
    "tests/test_docs_commands.py",
)
"""The test files that take longest (minutes each), longest first. They are collected
first so that, handed out in collection order (``make test``: ``--dist loadfile
--no-loadscope-reorder``), the workers start on them and finish together, rather than one
worker running a long file alone at the end."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Collect the files of :data:`LONGEST_FIRST` first, in its order; the rest as found."""

    def rank(item: pytest.Item) -> int:
        path = item.nodeid.split("::")[0]
        return LONGEST_FIRST.index(path) if path in LONGEST_FIRST else len(LONGEST_FIRST)

    items.sort(key=rank)


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(12345)


@pytest.fixture
def draws() -> Draws:
    return Draws(12345)


@pytest.fixture
def optimisation_file(tmp_path: Path) -> Path:
    return write_optimisation(tmp_path)
