"""Fixtures of the optimisation tests."""

from pathlib import Path

import pytest
from optimisation_helpers import write_optimisation


@pytest.fixture
def optimisation_file(tmp_path: Path) -> Path:
    return write_optimisation(tmp_path)
