"""Shared fixtures."""

from __future__ import annotations

import numpy as np
import pytest

from ecosim.processes.sampling import Draws


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(12345)


@pytest.fixture
def draws() -> Draws:
    return Draws(12345)
