import zlib

import numpy as np
from scipy import stats

from ecosim.processes.sampling import Draws

from support import assert_rate


def test_scalar_probability_matches_binomial_over_many_seeds():
    counts = [len(Draws(s).bernoulli("x", np.arange(1000), 0.03)) for s in range(200)]
    assert_rate(sum(counts), 200 * 1000, 0.03)


def test_per_item_probabilities_are_respected():
    p = np.where(np.arange(40_000) < 20_000, 0.05, 0.2)
    kept = Draws(5).bernoulli("x", np.arange(40_000), p)
    assert_rate(np.sum(kept < 20_000), 20_000, 0.05)
    assert_rate(np.sum(kept >= 20_000), 20_000, 0.2)


def test_edge_cases():
    draws = Draws(0)
    assert len(draws.bernoulli("a", np.arange(10), 0.0)) == 0
    assert draws.bernoulli("a", np.arange(10), 1.0).tolist() == list(range(10))
    assert len(draws.bernoulli("a", np.arange(0), 0.5)) == 0
    assert np.all(np.diff(draws.bernoulli("a", np.arange(1000), 0.5)) > 0)


def test_uniforms_are_uniform_and_independent_across_keys_purposes_and_days():
    draws = Draws(11)
    keys = np.arange(200_000)
    a = draws.uniform("a", keys)
    b = draws.uniform("b", keys)
    draws.start_day(1)
    c = draws.uniform("a", keys)
    for u in (a, b, c):
        assert u.min() > 0.0 and u.max() < 1.0
        assert stats.kstest(u, "uniform").pvalue > 0.001
    for u, v in ((a, b), (a, c), (a[:-1], a[1:])):
        r, p_value = stats.pearsonr(u, v)
        assert abs(r) < 0.01 and p_value > 0.001


def test_a_customers_draw_depends_only_on_seed_purpose_day_and_customer():
    one, other = Draws(3), Draws(3)
    one.start_day(9)
    other.start_day(9)
    everyone = one.uniform("speak", np.arange(1000))
    some = other.uniform("speak", np.array([999, 4, 500]))
    assert some.tolist() == everyone[[999, 4, 500]].tolist()
    assert (
        Draws(4).uniform("speak", np.arange(5)).tolist()
        != Draws(3).uniform("speak", np.arange(5)).tolist()
    )


def test_repeated_purpose_on_one_day_draws_afresh_and_a_new_day_restarts_the_count():
    draws = Draws(1)
    first = draws.uniform("post", np.arange(50))
    second = draws.uniform("post", np.arange(50))
    assert not np.array_equal(first, second)
    draws.start_day(0)
    assert np.array_equal(draws.uniform("post", np.arange(50)), first)


def test_normal_and_geometric_have_their_distributions():
    draws = Draws(2)
    z = draws.normal("z", np.arange(100_000))
    assert stats.kstest(z, "norm").pvalue > 0.001
    g = draws.geometric("g", np.arange(100_000), 0.1)
    assert g.min() == 1
    assert abs(g.mean() - 10.0) < 4 * np.sqrt(90.0 / 100_000)
    assert draws.geometric("g", np.arange(5), 1.0).tolist() == [1] * 5


def test_subset_keeps_a_uniform_random_sample_of_the_requested_size():
    keys = np.arange(100)
    chosen = np.concatenate([Draws(s).subset("s", keys, 10) for s in range(2000)])
    counts = np.bincount(chosen, minlength=100)
    assert stats.chisquare(counts).pvalue > 0.001
    assert Draws(0).subset("s", keys, 200) is keys
    assert len(Draws(0).subset("s", keys, 0)) == 0


# Uniforms of the SplitMix64 keying as first released (float.hex), for keys 0, 1, 2, 99,
# 12,345 and 2^40: a faster implementation must give these same numbers, bit for bit, or
# every paired comparison made with earlier runs would silently stop being paired.
RELEASED_UNIFORMS = {
    (0, "speak", 0, 0): [
        "0x1.73e224989c1f1p-2",
        "0x1.f8e5808431298p-1",
        "0x1.c9c541431c438p-5",
        "0x1.c20caa2314f02p-1",
        "0x1.e55819c10f52ap-3",
        "0x1.711104fdceebap-1",
    ],
    (7, "churn:0", 9, 1): [
        "0x1.a2f075e7ecd6ap-1",
        "0x1.56c4562ef70b7p-2",
        "0x1.0ccc0ec1609b6p-1",
        "0x1.94d6a91a0aaa8p-1",
        "0x1.80a28c33d1877p-2",
        "0x1.d29d40ba9568ap-3",
    ],
    (2**64 - 1, "ambassador:3", 364, 0): [
        "0x1.998f394a2cf76p-1",
        "0x1.e6f66c8d25df6p-1",
        "0x1.0b706d5d4f056p-1",
        "0x1.e6ca424ef1d5ap-1",
        "0x1.002e7a41b80aep-3",
        "0x1.0a04b3d02d603p-2",
    ],
}


def test_uniforms_are_bit_identical_to_the_released_keying():
    keys = np.array([0, 1, 2, 99, 12_345, 2**40])
    for (seed, purpose, day, occurrence), expected in RELEASED_UNIFORMS.items():
        draws = Draws(seed)
        draws.start_day(day)
        for _ in range(occurrence):
            draws.uniform(purpose, keys)
        assert [float(u).hex() for u in draws.uniform(purpose, keys)] == expected


def plain_uniform(seed: int, purpose: str, day: int, keys: np.ndarray) -> np.ndarray:
    """The released keying written out plainly, with Python's integers for the per-call key."""
    mask, mix1, mix2 = 2**64 - 1, 0xBF58476D1CE4E5B9, 0x94D049BB133111EB

    def mix(z):
        z = (z ^ (z >> 30)) * mix1 & mask
        z = (z ^ (z >> 27)) * mix2 & mask
        return z ^ (z >> 31)

    code = mix(zlib.crc32(purpose.encode()))
    base = mix((seed & mask) ^ mix(code + mix(day + mix(0))))
    z = (keys.astype(np.uint64) + np.uint64(1)) * np.uint64(0x9E3779B97F4A7C15) + np.uint64(base)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(mix1)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(mix2)
    z = z ^ (z >> np.uint64(31))
    return ((z >> np.uint64(11)).astype(np.float64) + 0.5) * 2.0**-53


def test_uniforms_equal_the_plain_keying_over_many_keys_purposes_and_days():
    keys = np.random.default_rng(0).integers(0, 2**62, 50_000)
    for seed, purpose, day in ((1, "hear", 0), (2**63 + 5, "play:2", 17), (42, "need", 300)):
        draws = Draws(seed)
        draws.start_day(day)
        assert np.array_equal(draws.uniform(purpose, keys), plain_uniform(seed, purpose, day, keys))
    matrix = np.arange(12).reshape(3, 4)
    assert Draws(9).uniform("x", matrix).shape == (3, 4)
    assert Draws(9).uniform("x", matrix).reshape(-1).tolist() == (
        Draws(9).uniform("x", matrix.reshape(-1)).tolist()
    )


def test_uniform_leaves_the_callers_keys_untouched():
    keys = np.arange(10, dtype=np.uint64)
    Draws(0).uniform("x", keys)
    assert keys.tolist() == list(range(10))


def test_many_keys_hashed_block_by_block_get_each_key_its_own_number():
    keys = np.arange(100_003, dtype=np.int64) * 7 + 3
    together = Draws(11).uniform("x", keys)
    for i in (0, 32_767, 32_768, 65_536, 100_002):
        assert together[i] == Draws(11).uniform("x", keys[i : i + 1])[0]
    pairs = keys[:40_000].reshape(20_000, 2)
    assert np.array_equal(Draws(11).uniform("x", pairs).ravel(), together[:40_000])
