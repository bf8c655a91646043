"""What compiling the keyed draws' hash would buy: numba against numpy, side by side.

The ~30 keyed draws of a day (``ecosim.processes.sampling.Draws``) each run a dozen numpy
passes over a few hundred to a few thousand keys, at the floor of a numpy call's cost. This
measures what a compiled hash (numba, SplitMix64 in one loop) would change, without making
numba a dependency:

- ``hash``: one call of the hash at 300 and 10,000 keys, numpy (ecosim's ``_to_unit``)
  against the compiled loop; both give the same uniforms, bit for bit (checked).
- ``day``: the baseline at 10,000 customers, 365 days, in fresh processes taking turns
  (numpy, compiled, numpy, ...): CPU time per simulated day, import and build excluded (the
  kernel is compiled, or loaded from numba's cache, before the days are timed).
- ``start``: what a fresh process pays before its first compiled draw: importing numba, and
  loading the cached kernel and typing its first call.

Needs numba in the environment (``pip install numba``); ecosim does not.

Usage::

    python benchmarks/compiled_draws.py                # all three, 3 pairs of days
    python benchmarks/compiled_draws.py --pairs 5
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
import timeit
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def compiled_hash():
    """Return SplitMix64's hash of keys to uniforms in (0, 1), compiled (cached on disk)."""
    import numpy as np
    from numba import njit

    golden = np.uint64(0x9E3779B97F4A7C15)
    mix1, mix2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
    s30, s27, s31, s11 = (np.uint64(s) for s in (30, 27, 31, 11))

    @njit(cache=True, nogil=True)
    def to_unit(keys, offset):
        out = np.empty(keys.size, np.float64)
        for i in range(keys.size):
            z = keys[i] * golden + offset
            z = (z ^ (z >> s30)) * mix1
            z = (z ^ (z >> s27)) * mix2
            z = z ^ (z >> s31)
            out[i] = (np.float64(z >> s11) + 0.5) * 2.0**-53
        return out

    return to_unit


def use_compiled() -> None:
    """Make ecosim's keyed draws use the compiled hash (in this process)."""
    from ecosim.processes import sampling

    to_unit = compiled_hash()
    sampling._to_unit = lambda z, scratch, offset: to_unit(z.reshape(-1), offset).reshape(z.shape)


def one_day_run(compiled: bool) -> dict:
    """Run the baseline at 10,000 customers in this process; CPU ms per simulated day."""
    import numpy as np

    import ecosim

    if compiled:
        use_compiled()
        from ecosim.processes import sampling

        sampling._to_unit(np.arange(3, dtype=np.uint64), None, np.uint64(1))
    model = ecosim.EcosystemModel(ROOT / "scenarios" / "baseline.toml")
    started = time.process_time()
    model.run()
    spent = time.process_time() - started
    purchases = float(model.timeseries()["purchases"].sum())
    return {"ms_per_day": 1e3 * spent / model.scenario.days, "purchases": purchases}


def start_cost() -> dict:
    """Seconds to import numba, and to load the cached kernel and type its first call."""
    started = time.perf_counter()
    import numba  # noqa: F401
    import numpy as np

    imported = time.perf_counter()
    compiled_hash()(np.arange(3, dtype=np.uint64), np.uint64(1))
    return {"import": imported - started, "first_call": time.perf_counter() - imported}


def hash_times() -> dict:
    """Microseconds per hash call, numpy against compiled, and whether they agree."""
    import numpy as np

    from ecosim.processes.sampling import _to_unit

    to_unit = compiled_hash()
    offset = np.uint64(0x1234_5678_9ABC_DEF0)
    result = {}
    for n in (300, 10_000):
        keys = np.arange(n, dtype=np.uint64) * np.uint64(7)

        def with_numpy(keys=keys):
            return _to_unit(keys.copy(), np.empty_like(keys), offset)

        def compiled(keys=keys):
            return to_unit(keys, offset)

        same = bool(np.array_equal(with_numpy(), compiled()))
        timings = {
            name: 1e6 * min(timeit.repeat(call, number=2000, repeat=5)) / 2000
            for name, call in (("numpy", with_numpy), ("compiled", compiled))
        }
        result[n] = {**timings, "identical": same}
    return result


def in_fresh_process(what: str, *args: str) -> dict:
    """Run one measurement of this file in a new interpreter; return its JSON."""
    output = subprocess.run(
        [sys.executable, __file__, "--one", what, *args],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=3, help="pairs of baseline runs")
    parser.add_argument("--one", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        what = args.one[0]
        if what == "day":
            print(json.dumps(one_day_run(args.one[1] == "compiled")))
        elif what == "start":
            print(json.dumps(start_cost()))
        return
    for n, row in hash_times().items():
        print(
            f"hash of {n:,} keys: numpy {row['numpy']:.1f} µs, compiled {row['compiled']:.1f} µs "
            f"(identical: {row['identical']})"
        )
    in_fresh_process("start")  # the kernel compiled into numba's cache
    starts = [in_fresh_process("start") for _ in range(3)]
    print(
        "a fresh process: import numba "
        + ", ".join(f"{s['import']:.2f}" for s in starts)
        + " s; cached kernel's first call "
        + ", ".join(f"{s['first_call']:.2f}" for s in starts)
        + " s"
    )
    ratios = []
    for _ in range(args.pairs):
        plain = in_fresh_process("day", "numpy")
        fast = in_fresh_process("day", "compiled")
        assert plain["purchases"] == fast["purchases"], (plain, fast)
        ratios.append(fast["ms_per_day"] / plain["ms_per_day"])
        print(
            f"baseline 10,000 x 365, CPU per day: numpy {plain['ms_per_day']:.2f} ms, "
            f"compiled {fast['ms_per_day']:.2f} ms (same purchases: {plain['purchases']:,.0f})"
        )
    print(f"compiled / numpy, median of {args.pairs} pairs: {statistics.median(ratios):.3f}")


if __name__ == "__main__":
    main()
