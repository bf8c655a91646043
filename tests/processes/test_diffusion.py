import numpy as np
import pytest

import ecosim
from ecosim.network import SocialNetwork, complete, erdos_renyi
from ecosim.processes.diffusion import bass, independent_cascade, linear_threshold, noticed, sis
from ecosim.scenario import ScenarioError

from support import assert_rate


def path(n):
    return SocialNetwork.from_edges(np.arange(n - 1), np.arange(1, n), n)


def test_bass_hazard_is_p_plus_q_times_adopted_share(rng):
    n = 40_001
    adopted = np.zeros(n, dtype=bool)
    adopted[:10_000] = True
    new = bass(complete(n), adopted, 0.01, 0.2, rng)
    assert not adopted[new].any()
    assert_rate(len(new), n - 10_000, 0.01 + 0.2 * 10_000 / (n - 1))


def test_bass_on_a_network_uses_neighbours_only(rng):
    adopted = np.array([True] + [False] * 4)
    new = np.concatenate([bass(path(5), adopted, 0.0, 0.8, rng) for _ in range(4000)])
    assert set(new.tolist()) == {1}, "only node 1 has an adopted neighbour"
    assert_rate(len(new), 4000, 0.8 / 2)


def test_independent_cascade_gives_each_edge_one_chance(rng):
    star = SocialNetwork.from_edges(np.zeros(20_000, int), np.arange(1, 20_001), 20_001)
    adopted = np.zeros(20_001, dtype=bool)
    adopted[0] = True
    first = independent_cascade(star, adopted, np.array([0]), 0.3, rng)
    assert_rate(len(first), 20_000, 0.3)
    adopted[first] = True
    assert len(independent_cascade(star, adopted, np.empty(0, int), 0.3, rng)) == 0
    again = independent_cascade(star, adopted, first, 0.3, rng)
    assert len(again) == 0, "leaves have no other neighbours than the adopted hub"


def test_independent_cascade_final_size_matches_the_branching_theory():
    """On G(n, k/n) with edge probability p the final size s solves s = 1 - exp(-k p s)."""
    sizes = []
    for seed in range(20):
        rng = np.random.default_rng(seed)
        net = erdos_renyi(4000, 10, rng)
        adopted = np.zeros(4000, dtype=bool)
        frontier = np.array([0])
        adopted[frontier] = True
        while len(frontier):
            frontier = independent_cascade(net, adopted, frontier, 0.2, rng)
            adopted[frontier] = True
        sizes.append(adopted.mean())
    large = np.array([s for s in sizes if s > 0.2])
    s = 0.5
    for _ in range(200):
        s = 1 - np.exp(-10 * 0.2 * s)
    assert len(large) >= 12, "with R = 2 most cascades take off"
    assert abs(large.mean() - s) < 0.02


def test_linear_threshold_adopts_when_the_share_reaches_the_threshold():
    net = path(4)
    adopted = np.array([True, False, False, False])
    thresholds = np.array([0.5, 0.5, 0.4, 0.1])
    assert linear_threshold(net, adopted, thresholds).tolist() == [1]
    adopted[1] = True
    assert linear_threshold(net, adopted, thresholds).tolist() == [2]


def test_sis_learns_from_aware_contacts_and_forgets(rng):
    star = SocialNetwork.from_edges(np.zeros(20_000, int), np.arange(1, 20_001), 20_001)
    aware = np.zeros(20_001, dtype=bool)
    aware[0] = True
    learn, forget = sis(star, aware, 0.2, 0.5, rng)
    assert_rate(len(learn), 20_000, 0.2)
    assert len(forget) in (0, 1)
    aware[1:] = True
    _, forget = sis(star, aware, 0.2, 0.5, rng)
    assert_rate(len(forget), 20_001, 0.5)


def test_noticed_follows_attention(rng):
    exposure = np.where(np.arange(20_000) < 10_000, 2.0, 0.0)
    seen = noticed(exposure, np.full(20_000, 0.5), 1.0, rng)
    assert (seen < 10_000).all()
    assert_rate(len(seen), 10_000, 1 - np.exp(-1.0))


REDUCED = {"campaign": [], "network": {"kind": "erdos_renyi", "mean_degree": 8}}


@pytest.mark.parametrize(
    ("rule", "settings"),
    [
        ("bass", {"diffusion.p": 0.01, "diffusion.q": 0.3}),
        (
            "independent_cascade",
            {"diffusion.edge_probability": 0.3, "diffusion.seeds": {"count": 5}},
        ),
        ("linear_threshold", {"diffusion.seeds": {"share": 0.1, "strategy": "hubs"}}),
        ("sis", {"diffusion.seeds": {"customers": [0, 1, 2]}, "diffusion.infection": 0.1}),
    ],
)
def test_reduced_models_run_through_the_scenario(rule, settings):
    daily = ecosim.run(
        "scenarios/baseline.toml",
        customers=2000,
        days=40,
        overrides={
            **REDUCED,
            "diffusion.rule": rule,
            "brands.0.initial_awareness": 0.0,
            **settings,
        },
    )
    column = "aware_share" if rule == "sis" else "adopted_share"
    assert daily[column].iloc[-1] > daily[column].iloc[0] >= 0
    if rule != "sis":
        gained = daily["adopted_share"].iloc[-1] - daily["adopted_share"].iloc[0]
        assert np.isclose(daily["purchases"].sum(), gained * 2000)
        assert daily["wom_positive"].sum() == 0, "the ecosystem's mechanisms are off"


def test_reduced_model_seeds_from_the_toml_and_the_set_option(tmp_path):
    with pytest.raises(ScenarioError, match=r"diffusion: initial seeds belong to reduced models"):
        ecosim.load_scenario("scenarios/baseline.toml", overrides={"diffusion.seeds": {"count": 3}})
    with pytest.raises(ScenarioError, match=r"diffusion\.seeds\.customers: customer 99 does not"):
        ecosim.load_scenario(
            "scenarios/baseline.toml",
            overrides={
                "population.size": 50,
                "diffusion.rule": "bass",
                "diffusion.seeds": {"customers": [99]},
            },
        )
