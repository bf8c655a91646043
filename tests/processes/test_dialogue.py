import numpy as np
import pytest

from ecosim.network import SocialNetwork, barabasi_albert
from ecosim.processes.dialogue import heard_shares, heard_talk, speak, word_of_mouth
from ecosim.scenario import Dynamics

from support import assert_rate, make_population


def star(n_leaves: int) -> SocialNetwork:
    """Node 0 is the hub; every leaf knows only the hub."""
    leaves = np.arange(1, n_leaves + 1)
    return SocialNetwork.from_edges(np.zeros(n_leaves, dtype=np.int64), leaves, n_leaves + 1)


def pairs(n_pairs: int) -> SocialNetwork:
    """Customers 2i and 2i+1 know each other and no one else."""
    even = np.arange(0, 2 * n_pairs, 2)
    return SocialNetwork.from_edges(even, even + 1, 2 * n_pairs)


def test_who_speaks_follows_experience_stage_and_talkativeness(draws):
    params = Dynamics()
    population = make_population(30_000, aware=True, talkativeness=0.5)
    population.experience[:10_000] = 0.8
    population.stage[:10_000] = 2
    population.experience[10_000:20_000] = -0.6
    population.purchases[10_000:15_000] = 1
    positive, negative = speak(population, params, draws)
    assert_rate(positive[:10_000].sum(), 10_000, 0.5 * params.stage_talk[2] * 0.8)
    assert_rate(negative[10_000:15_000].sum(), 5_000, 0.5 * params.venting_rate * 0.6)
    assert not negative[15_000:20_000].any(), "who never bought does not complain"
    assert not positive[10_000:].any() and not negative[:10_000].any()
    assert not (positive | negative)[20_000:].any(), "neutral customers have nothing to say"


def test_unaware_customers_do_not_speak(draws):
    population = make_population(1000, aware=False, experience=0.9, stage=4, talkativeness=1.0)
    positive, negative = speak(population, Dynamics(), draws)
    assert not positive.any() and not negative.any()


PARAMS = Dynamics(
    negativity_bias=2.0, wom_experience_weight=0.1, wom_saturation=0.1, wom_user_weight=0.3
)


def test_negative_word_of_mouth_lowers_neighbours_experience(draws):
    population = make_population(11, aware=True, experience=0.2)
    negative = np.zeros((11, 1), dtype=bool)
    negative[0] = True
    flows = word_of_mouth(population, star(10), np.zeros_like(negative), negative, PARAMS, draws)
    moved = 0.1 * 2.0 * (1 - np.exp(-1.0 / 0.1))  # one's one contact complains: N = 1
    assert np.allclose(population.experience[1:, 0], 0.2 + moved * (-1.0 - 0.2))
    assert population.experience[0, 0] == 0.2, "the hub hears no one"
    assert flows["wom_negative"][0] == 1 and flows["wom_heard"][0] == 10


def test_positive_word_of_mouth_raises_it_and_negative_weighs_more(draws):
    # Each listener has two neighbours: one praises, one complains.
    population = make_population(3, aware=True)
    network = SocialNetwork.from_edges(np.array([0, 1]), np.array([2, 2]), 3)
    positive = np.array([[True], [False], [False]])
    negative = np.array([[False], [True], [False]])
    word_of_mouth(population, network, positive, negative, PARAMS, draws)
    valence = (0.5 - 2.0 * 0.5) / (0.5 + 2.0 * 0.5)
    expected = 0.1 * 1.5 * (1 - np.exp(-1.0 / 0.1)) * valence
    assert np.isclose(population.experience[2, 0], expected) and expected < 0
    population = make_population(3, aware=True)
    word_of_mouth(population, network, positive, np.zeros_like(negative), PARAMS, draws)
    assert population.experience[2, 0] > 0


def test_hearing_more_contacts_say_the_same_moves_a_listener_less_than_in_proportion(draws):
    network = SocialNetwork.from_edges(np.zeros(10, dtype=np.int64), np.arange(1, 11), 11)
    moves = []
    for speakers in (1, 2):
        population = make_population(11, aware=True)
        positive = np.zeros((11, 1), dtype=bool)
        positive[1 : 1 + speakers] = True
        word_of_mouth(population, network, positive, np.zeros_like(positive), PARAMS, draws)
        moves.append(population.experience[0, 0])
    assert np.isclose(moves[0], 0.1 * (1 - np.exp(-1.0)))
    assert moves[0] < moves[1] < 2 * moves[0]


def test_buyers_trust_their_own_use_more_than_what_they_hear(draws):
    population = make_population(11, aware=True, experience=0.2)
    population.purchases[6:, 0] = 1
    negative = np.zeros((11, 1), dtype=bool)
    negative[0] = True
    word_of_mouth(population, star(10), np.zeros_like(negative), negative, PARAMS, draws)
    drop = 0.2 - population.experience[:, 0]
    assert np.allclose(drop[6:], 0.3 * drop[1])


def test_word_of_mouth_makes_listeners_aware_at_the_documented_rate(draws):
    params = Dynamics(wom_awareness_rate=0.8)
    population = make_population(20_000)
    population.aware[0::2] = True
    population.experience[0::2] = 0.5
    positive = np.zeros((20_000, 1), dtype=bool)
    positive[0::2] = True
    flows = word_of_mouth(
        population, pairs(10_000), positive, np.zeros_like(positive), params, draws
    )
    converted = population.aware[1::2].sum()
    assert_rate(converted, 10_000, 1 - np.exp(-0.8))
    assert flows["aware_by_wom"][0] == converted
    assert population.experience[1::2][population.aware[1::2]].min() > 0


def test_word_of_mouth_on_a_well_mixed_population_uses_everyones_share(draws):
    from ecosim.network import complete

    population = make_population(101, aware=True)
    positive = np.zeros((101, 1), dtype=bool)
    positive[:50] = True
    word_of_mouth(population, complete(101), positive, np.zeros_like(positive), PARAMS, draws)
    assert np.isclose(population.experience[100, 0], 0.1 * (1 - np.exp(-0.5 / 0.1)))


@pytest.mark.parametrize("share", [0.002, 0.5])
@pytest.mark.parametrize("weighted", [False, True])
def test_heard_talk_is_the_listeners_of_the_dense_shares(share, weighted):
    # Few speakers are found through their own edges, many through the dense shares: the
    # listeners, their order and the shares must be those of heard_shares either way.
    n, n_brands = 2_000, 2
    rng = np.random.default_rng(3)
    net = barabasi_albert(n, 3, rng)
    if weighted:
        source, target = net.edges_from(np.arange(n))
        upper = source < target
        weights = rng.uniform(0.2, 2.0, upper.sum())
        net = SocialNetwork.from_edges(source[upper], target[upper], n, weights=weights)
    positive = rng.random((n, n_brands)) < share
    negative = ~positive & (rng.random((n, n_brands)) < share)
    heard, p, q = heard_talk(net, positive, negative)
    shares = heard_shares(net, np.hstack([positive, negative]))
    pos, neg = shares[:, :n_brands].reshape(-1), shares[:, n_brands:].reshape(-1)
    expected = np.flatnonzero(pos + neg > 0)
    assert heard.size > 0
    assert np.array_equal(heard, expected)
    assert np.array_equal(p, pos[expected]) and np.array_equal(q, neg[expected])
