import json

import numpy as np
import pandas as pd
import pytest

import ecosim
from ecosim.cli import main
from ecosim.model import EcosystemModel
from ecosim.network import SocialNetwork, complete, erdos_renyi
from ecosim.processes.dialogue import heard_shares
from ecosim.processes.diffusion import (
    adopted_share,
    bass,
    independent_cascade,
    linear_threshold,
    noticed,
    sis,
)
from ecosim.scenario import ScenarioError

from experiment_helpers import tiny_experiment, write_experiment
from support import assert_rate, small_scenario


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


# ---------------------------------------------------------------- tie strength


def weighted_star(leaves: int, weights: np.ndarray) -> SocialNetwork:
    return SocialNetwork.from_edges(
        np.zeros(leaves, int), np.arange(1, leaves + 1), leaves + 1, weights=weights
    )


def test_independent_cascade_passes_a_tie_of_strength_w_with_one_minus_q_to_the_w(rng):
    # half the leaves hang on weak ties (w = 0.5), half on strong ones (w = 3)
    weights = np.where(np.arange(20_000) < 10_000, 0.5, 3.0)
    star = weighted_star(20_000, weights)
    adopted = np.zeros(20_001, dtype=bool)
    adopted[0] = True
    new = independent_cascade(star, adopted, np.array([0]), 0.2, rng)
    assert_rate(np.count_nonzero(new <= 10_000), 10_000, 1 - 0.8**0.5)
    assert_rate(np.count_nonzero(new > 10_000), 10_000, 1 - 0.8**3)


def test_weighted_shares_drive_bass_and_threshold():
    # path 0 - 1 - 2 with ties of strength 3 and 1: node 1 hears 3/4 from node 0
    net = SocialNetwork.from_edges([0, 1], [1, 2], 3, weights=[3.0, 1.0])
    adopted = np.array([True, False, False])
    assert adopted_share(net, adopted).tolist() == [0.0, 0.75, 0.0]
    assert linear_threshold(net, adopted, np.array([1.0, 0.7, 0.1])).tolist() == [1]
    assert linear_threshold(net, adopted, np.array([1.0, 0.8, 0.1])).tolist() == []
    unweighted = SocialNetwork.from_edges([0, 1], [1, 2], 3)
    assert linear_threshold(unweighted, adopted, np.array([1.0, 0.7, 0.1])).tolist() == []


def test_bass_imitation_follows_the_weighted_share(rng):
    # every leaf has a strong tie (w = 3) to customer 0 and a weak one (w = 1) to
    # customer 1; only 0 has adopted, so a leaf's adopted share is 3 / 4 (unweighted: 1 / 2)
    n = 20_000
    source = np.concatenate([np.zeros(n, int), np.ones(n, int)])
    target = np.tile(np.arange(2, n + 2), 2)
    weights = np.concatenate([np.full(n, 3.0), np.full(n, 1.0)])
    net = SocialNetwork.from_edges(source, target, n + 2, weights=weights)
    adopted = np.zeros(n + 2, dtype=bool)
    adopted[0] = True  # the strong-tie hub
    new = bass(net, adopted, 0.0, 0.4, rng)
    assert_rate(np.count_nonzero(new >= 2), n, 0.4 * 0.75)


def test_sis_counts_the_aware_tie_strength(rng):
    star = weighted_star(20_000, np.full(20_000, 2.0))
    aware = np.zeros(20_001, dtype=bool)
    aware[0] = True
    learn, _ = sis(star, aware, 0.2, 0.5, rng)
    assert_rate(len(learn), 20_000, 1 - 0.8**2)


def test_word_of_mouth_hears_the_weighted_share():
    net = SocialNetwork.from_edges([0, 0, 1], [1, 2, 2], 3, weights=[4.0, 1.0, 1.0])
    speaking = np.array([[True, False], [False, True], [False, False]])
    assert heard_shares(net, speaking).tolist() == [[0.0, 0.8], [0.8, 0.0], [0.5, 0.5]]


def test_a_weighted_edge_list_runs_the_reduced_cascade(tmp_path):
    edges = tmp_path / "ties.csv"
    source = np.arange(400)
    lines = [f"{i},{(i + 1) % 400},{1.0 if i % 2 else 8.0}" for i in source]
    edges.write_text("source,target,weight\n" + "\n".join(lines) + "\n")
    overrides = {
        **REDUCED,
        "network": {"kind": "edge_list", "path": str(edges)},
        "diffusion.rule": "independent_cascade",
        "diffusion.edge_probability": 0.5,
        "diffusion.seeds": {"customers": [0]},
        "brands.0.initial_awareness": 0.0,
    }
    model = EcosystemModel(
        "scenarios/baseline.toml", rng=3, customers=400, days=30, overrides=overrides
    )
    assert model.network.weighted
    model.run()
    assert model.population.purchases[:, 0].sum() > 1


# ---------------------------------------------------------------- stopping when quiet

CASCADE = {
    **REDUCED,
    "diffusion.rule": "independent_cascade",
    "diffusion.edge_probability": 0.12,
    "diffusion.seeds": {"count": 5},
    "brands.0.initial_awareness": 0.0,
}


def cascade(stop: int | None = None) -> EcosystemModel:
    overrides = CASCADE if stop is None else {**CASCADE, "diffusion.stop_after_quiet_days": stop}
    return EcosystemModel(
        "scenarios/baseline.toml", rng=4, customers=2000, days=120, overrides=overrides
    )


def test_a_cascade_stops_after_quiet_days_and_carries_its_state_to_the_horizon():
    full = cascade().run()
    model = cascade(stop=3)
    daily = model.run()
    changed = np.flatnonzero(full["purchases"].to_numpy()[1:] > 0) + 1
    stop = changed.max() + 3
    assert stop < 120 and not model.running and model.steps == stop
    simulated = model.timeseries()
    assert simulated["step"].tolist() == list(range(stop + 1))
    pd.testing.assert_frame_equal(simulated, full.iloc[: stop + 1])
    # the returned series covers the horizon: states carried, flows 0
    assert daily["step"].tolist() == list(range(121))
    pd.testing.assert_frame_equal(daily.iloc[: stop + 1], simulated)
    after = daily.iloc[stop + 1 :]
    for column in ("adopted_share", "aware_share", "purchases", "revenue", "exposures"):
        assert np.array_equal(after[column], full[column].iloc[stop + 1 :]), column
    assert (after["purchases"] == 0).all() and (after["marketing_cost"] == 0).all()
    assert model.summary()["cascade_size"] == round(full["adopted_share"].iloc[-1] * 2000)


@pytest.mark.parametrize("limit", [1, 2, 3])
def test_the_run_stops_on_the_first_day_that_completes_a_quiet_spell(limit):
    # Bass innovation alone adopts about 1 customer a day: quiet days come and go
    bass = {**REDUCED, "diffusion.rule": "bass", "diffusion.p": 0.0005, "days": 150}
    bass["brands.0.initial_awareness"] = 0.0
    full = ecosim.run("scenarios/baseline.toml", customers=2000, seed=9, overrides=bass)
    quiet, expected = 0, None
    for day, bought in enumerate(full["purchases"].to_numpy()[1:], start=1):
        quiet = 0 if bought else quiet + 1
        if quiet >= limit:
            expected = day
            break
    assert expected is not None and expected < 150
    model = EcosystemModel(
        "scenarios/baseline.toml",
        rng=9,
        customers=2000,
        overrides={**bass, "diffusion.stop_after_quiet_days": limit},
    )
    model.run()
    assert model.steps == expected
    pd.testing.assert_frame_equal(model.timeseries(), full.iloc[: expected + 1])


def test_stop_after_quiet_days_belongs_to_reduced_models():
    with pytest.raises(ScenarioError, match="stop_after_quiet_days belongs to reduced models"):
        ecosim.load_scenario(
            "scenarios/baseline.toml", overrides={"diffusion.stop_after_quiet_days": 5}
        )
    with pytest.raises(ScenarioError, match=r"diffusion\.stop_after_quiet_days: Input should be"):
        ecosim.load_scenario(
            "scenarios/baseline.toml",
            overrides={"diffusion.rule": "bass", "diffusion.stop_after_quiet_days": 0},
        )


def test_ecosim_run_writes_the_series_to_the_horizon(tmp_path):
    out = tmp_path / "out"
    sets = []
    for path, value in {**CASCADE, "diffusion.stop_after_quiet_days": 2}.items():
        sets += [
            "--set",
            f"{path}={json.dumps(value) if not isinstance(value, dict) else _toml(value)}",
        ]
    args = ["run", "scenarios/baseline.toml", "--customers", "2000", "--days", "120"]
    assert main([*args, "--seed", "4", "--out", str(out), *sets]) == 0
    daily = pd.read_parquet(out / "timeseries.parquet")
    outcomes = json.loads((out / "summary.json").read_text())["outcomes"]
    assert daily["step"].tolist() == list(range(121))
    assert (daily["purchases"].iloc[-10:] == 0).all()
    assert outcomes["cascade_size"] == round(daily["adopted_share"].iloc[-1] * 2000)
    assert outcomes["total_purchases"] == daily["purchases"].sum()
    assert (out / "dashboard.png").stat().st_size > 0


def _toml(table: dict) -> str:
    fields = ", ".join(f"{key} = {json.dumps(value)}" for key, value in table.items())
    return "{" + fields + "}"


def test_a_batch_of_stopping_cascades_stores_and_compares_full_series(tmp_path):
    scenario = small_scenario(
        campaign=[],
        network={"kind": "erdos_renyi", "mean_degree": 6},
        diffusion={
            "rule": "independent_cascade",
            "edge_probability": 0.15,
            "seeds": {"count": 3},
            "stop_after_quiet_days": 2,
        },
    )
    scenario["brands"][0]["initial_awareness"] = 0.0
    data = tiny_experiment(replications=2, days=80)
    data.pop("conditions")
    data["strategies"] = {"plain": {}, "strong": {"set": {"diffusion.edge_probability": 0.3}}}
    path = write_experiment(tmp_path, data, scenario)
    out = tmp_path / "out"
    assert main(["batch", str(path), "--out", str(out), "--serial"]) == 0
    for run in sorted((out / "runs").glob("*.parquet")):
        assert pd.read_parquet(run)["step"].tolist() == list(range(81)), run.name
    assert main(["compare", str(out)]) == 0
