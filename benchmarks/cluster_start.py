"""Calibrations one after another in one process, each on a new two-worker local cluster.

Fits the tests' small Bass market (``tests/calibration_helpers.py``: 400 customers, 12
days, 20 particles, 2 generations) ``--fits`` times in this process, each with
``workers=2`` into a new folder, and prints the wall time of each fit and of all. The
search itself takes a few seconds: what the fits add up to is mostly starting and
stopping clusters, and the workers' imports.

Usage::

    python benchmarks/cluster_start.py               # 3 fits
    PYTHONPATH=/path/to/other/checkout python benchmarks/cluster_start.py --fits 5
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from ecosim.calibrate import calibrate, load_calibration

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from calibration_helpers import write


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fits", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        calibration = load_calibration(write(root))
        started = time.perf_counter()
        for fit in range(args.fits):
            begun = time.perf_counter()
            calibrate(calibration, root / f"fit{fit}", workers=2)
            print(f"fit {fit + 1}: {time.perf_counter() - begun:.1f} s", flush=True)
        print(f"all {args.fits}: {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
