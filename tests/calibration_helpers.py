"""Small calibrations written into a temporary folder: a reduced Bass market and its data."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pytest

SCENARIO = """\
name = "tiny_bass"
days = 12
seed = 0

[population]
size = 400

[network]
kind = "complete"

[[brands]]
name = "product"
price = 100.0

[diffusion]
rule = "bass"
p = 0.03
q = 0.4
"""

DATA = """\
period,purchases
1,12
2,17
3,25
4,33
5,41
6,46
7,45
8,40
9,31
10,24
11,17
12,11
"""

PARAMETERS = """\
[[parameters]]
path = "diffusion.p"
prior = "log_uniform"
low = 0.005
high = 0.2

[[parameters]]
path = "diffusion.q"
prior = "uniform"
low = 0.0
high = 1.0
"""


CALIBRATION = (
    'name = "tiny"\nscenario = "tiny_bass.toml"\nseed = 7\n\n[data]\npath = "data.csv"\n\n'
    + PARAMETERS
    + '\n[[statistics]]\ncolumn = "purchases"\n\n'
    + "[abc]\npopulation_size = 20\ngenerations = 2\nbatch_size = 4\ndraws = 40\nppc_draws = 10\n"
)


def write(folder: Path, *replace: tuple[str, str], data: str = DATA) -> Path:
    """Write the tiny scenario, its data and a calibration file into ``folder``.

    ``replace`` pairs change the calibration's text (old, new); ``data`` replaces the CSV.
    """
    (folder / "tiny_bass.toml").write_text(SCENARIO)
    (folder / "data.csv").write_text(data)
    path = folder / "tiny.toml"
    path.write_text(replaced(CALIBRATION, *replace))
    return path


def replaced(text: str, *pairs: tuple[str, str]) -> str:
    """Return ``text`` with each (old, new) pair replaced; each old must be in it."""
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new)
    return text


@pytest.fixture
def write_calibration(tmp_path):
    """Write the tiny calibration (see :func:`write`) into a temporary folder; return its path."""
    return partial(write, tmp_path)


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    """The tiny calibration, fitted in this process: (calibration, result, folder)."""
    from ecosim.calibrate import calibrate, load_calibration

    calibration = load_calibration(write(tmp_path_factory.mktemp("finished")))
    out = tmp_path_factory.mktemp("finished_out")
    return calibration, calibrate(calibration, out, serial=True), out
