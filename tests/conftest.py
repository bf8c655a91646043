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


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(12345)


@pytest.fixture
def draws() -> Draws:
    return Draws(12345)


@pytest.fixture
def optimisation_file(tmp_path: Path) -> Path:
    return write_optimisation(tmp_path)
