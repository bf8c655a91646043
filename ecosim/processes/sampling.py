"""Common random numbers: every customer's draws keyed by run, purpose, day and customer.

A process never asks "the next random number" of a shared stream. It asks for the
uniform of *this customer* (or customer and brand) for *this purpose* on *this day*, and
gets a number that depends on nothing else: a counter-based generator (Salmon et al.
2011) hashes the key ``(run seed, purpose, day, occurrence, customer)`` with the
SplitMix64 finaliser (Steele, Lea & Flood 2014). Two runs with the same seed that differ
in one brand action therefore give every customer the same randomness wherever their
paths do not differ — common random numbers at the level of the customer — so paired
comparisons of strategies are much sharper and individual customers can be matched
across the runs (Libai, Muller & Peres 2013).

``occurrence`` counts the calls with the same purpose on the same day, so that a
process called twice in a day (two posts by one brand) draws afresh.

References
----------
J. K. Salmon, M. A. Moraes, R. O. Dror and D. E. Shaw, "Parallel random numbers: as easy
as 1, 2, 3", SC '11 (2011).
G. L. Steele, D. Lea and C. H. Flood, "Fast splittable pseudorandom number generators",
OOPSLA '14 (2014).
"""

from __future__ import annotations

import zlib

import numpy as np
from scipy.special import ndtri

__all__ = ["Draws"]

_MASK = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15
_MIX1 = 0xBF58476D1CE4E5B9
_MIX2 = 0x94D049BB133111EB
_TO_UNIT = 2.0**-53
# The same constants as numpy scalars, made once: building them costs more per call than a
# pass over a few hundred keys.
_GOLDEN_U64 = np.uint64(_GOLDEN)
_MIX_U64 = ((np.uint64(30), np.uint64(_MIX1)), (np.uint64(27), np.uint64(_MIX2)))
_LAST_SHIFT = np.uint64(31)
_TO_53_BITS = np.uint64(11)
_BLOCK = 1 << 15
"""Keys hashed at a time: two uint64 buffers of 256 KiB, within a core's cache."""


def _mix(z: int) -> int:
    """SplitMix64's finaliser on a Python integer (one 64-bit word)."""
    z = (z ^ (z >> 30)) * _MIX1 & _MASK
    z = (z ^ (z >> 27)) * _MIX2 & _MASK
    return z ^ (z >> 31)


def _mix_array(z: np.ndarray, scratch: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser, in place on uint64 (wrapping); ``scratch`` is overwritten."""
    for shift, multiplier in _MIX_U64:
        np.right_shift(z, shift, out=scratch)
        z ^= scratch
        z *= multiplier
    np.right_shift(z, _LAST_SHIFT, out=scratch)
    z ^= scratch
    return z


def _to_unit(z: np.ndarray, scratch: np.ndarray, offset: np.uint64) -> np.ndarray:
    """Hash keys ``z`` (uint64, overwritten) to uniforms in (0, 1), written over ``scratch``."""
    z *= _GOLDEN_U64
    z += offset
    _mix_array(z, scratch)
    z >>= _TO_53_BITS
    unit = scratch.view(np.float64)
    np.add(z, 0.5, out=unit)  # exact: z < 2**53
    unit *= _TO_UNIT  # exact: a power of two
    return unit


class Draws:
    """Counter-based random numbers of one run, keyed by purpose, day and customer.

    Parameters
    ----------
    seed : int
        The run's key (any integer; reduced to 64 bits).

    Attributes
    ----------
    day : int
        The day the draws are for; the model sets it at the start of each step.

    Examples
    --------
    >>> draws = Draws(7)
    >>> a = draws.uniform("talk", np.array([3, 5]))
    >>> b = Draws(7).uniform("talk", np.array([5]))
    >>> bool(a[1] == b[0])
    True
    """

    def __init__(self, seed: int):
        self.seed = int(seed) & _MASK
        self.day = 0
        self._calls: dict[str, int] = {}
        self._purposes: dict[str, int] = {}

    def start_day(self, day: int) -> None:
        """Set the day the following draws are for (and reset the occurrence counts)."""
        self.day = day
        self._calls.clear()

    def uniform(self, purpose: str, keys: np.ndarray) -> np.ndarray:
        """Return uniform numbers in (0, 1), one per key.

        Parameters
        ----------
        purpose : str
            What the numbers decide (``"speak"``, ``"churn"``...); each purpose is an
            independent stream.
        keys : ndarray of int
            Non-negative keys: customer indices, or flat (customer, brand) indices.

        Returns
        -------
        ndarray of float64, the shape of ``keys``
        """
        occurrence = self._calls.get(purpose, 0)
        self._calls[purpose] = occurrence + 1
        base = _mix(self.seed ^ _mix(self._purpose(purpose) + _mix(self.day + _mix(occurrence))))
        # (key + 1) * golden + base, the golden step folded into the offset; two buffers
        # and in-place passes only.
        offset = np.uint64((base + _GOLDEN) & _MASK)
        keys = np.asarray(keys)
        if keys.size <= _BLOCK:
            z = keys.astype(np.uint64)
            return _to_unit(z, np.empty_like(z), offset)
        # Many keys: block by block, so that the dozen passes of the hash stay in the cache
        # instead of each being a trip through memory (a third less time at 10^6 keys).
        unit = np.empty(keys.shape, dtype=np.float64)
        flat_keys, flat_unit = keys.reshape(-1), unit.reshape(-1)
        z, scratch = np.empty(_BLOCK, dtype=np.uint64), np.empty(_BLOCK, dtype=np.uint64)
        for start in range(0, flat_keys.size, _BLOCK):
            block = flat_keys[start : start + _BLOCK]
            count = block.size
            z[:count] = block
            flat_unit[start : start + count] = _to_unit(z[:count], scratch[:count], offset)
        return unit

    def bernoulli(self, purpose: str, keys: np.ndarray, p: float | np.ndarray) -> np.ndarray:
        """Keep each key independently with probability ``p`` (scalar or one per key).

        Examples
        --------
        >>> kept = Draws(0).bernoulli("x", np.arange(100_000), 0.1)
        >>> 9_700 < len(kept) < 10_300
        True
        """
        if len(keys) == 0:
            return keys[:0]
        return keys[self.uniform(purpose, keys) < p]

    def normal(self, purpose: str, keys: np.ndarray) -> np.ndarray:
        """Return standard normal numbers, one per key (inverse of the normal CDF)."""
        return ndtri(self.uniform(purpose, keys))

    def geometric(self, purpose: str, keys: np.ndarray, p: float | np.ndarray) -> np.ndarray:
        """Return geometric numbers of trials to the first success (>= 1), one per key."""
        p = np.asarray(p, dtype=float)
        u = self.uniform(purpose, keys)
        with np.errstate(divide="ignore"):
            trials = np.ceil(np.log(u) / np.log1p(-p))
        return np.where(p >= 1.0, 1, np.maximum(trials, 1)).astype(np.int64)

    def subset(self, purpose: str, keys: np.ndarray, most: int) -> np.ndarray:
        """Return a random ``most`` of ``keys`` (all of them if there are not more), sorted.

        The keys with the smallest uniforms are kept, so a customer's place in the
        queue does not depend on who else is in it.
        """
        if len(keys) <= most:
            return keys
        order = np.argpartition(self.uniform(purpose, keys), max(most, 0))[: max(most, 0)]
        return np.sort(keys[order])

    def _purpose(self, purpose: str) -> int:
        code = self._purposes.get(purpose)
        if code is None:
            code = self._purposes[purpose] = _mix(zlib.crc32(purpose.encode()))
        return code
