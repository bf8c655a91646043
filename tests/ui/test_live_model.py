import threading
import time

import numpy as np
import pytest

from ecosim import load_scenario
from ecosim.model import EcosystemModel
from ecosim.network import EdgeListError
from ecosim.scenario import Engagement
from ecosim.ui import layout
from ecosim.ui.layout import MAX_NODES
from ecosim.ui.live_model import ENGAGED, LiveModel, mean_degree, network_table

BASELINE = "scenarios/baseline.toml"


def test_settings_by_field_path_reach_the_scenario():
    model = LiveModel(BASELINE, customers=300, days=20, **{"brands.tokoku.price": 99.0})
    assert model.problem is None
    assert model.scenario.population.size == model.population.n == 300
    assert model.scenario.days == 20
    assert model.scenario.brands[0].price == 99.0


def test_same_settings_give_the_same_run_as_the_plain_model():
    live = LiveModel(BASELINE, customers=400, **{"dynamics.negativity_bias": 2.0})
    plain = EcosystemModel(BASELINE, customers=400, overrides={"dynamics.negativity_bias": 2.0})
    for _ in range(5):
        live.step()
        plain.step()
    assert live.timeseries().equals(plain.timeseries())


def test_an_invalid_setting_runs_the_scenario_as_written_and_says_why():
    model = LiveModel(BASELINE, customers=300, **{"population.segments.families.share": 0.9})
    assert "segment shares must sum to 1" in model.problem
    assert model.scenario == load_scenario(BASELINE)
    model.step()
    assert model.steps == 1


@pytest.mark.parametrize(("typed", "problem"), [(" 42 ", None), ("\u00b2", "seed: Input should")])
def test_a_seed_typed_as_text_is_read_when_it_is_digits_0_to_9(typed, problem):
    model = LiveModel(BASELINE, customers=300, seed=typed)
    if problem is None:
        assert model.problem is None and model.scenario.seed == 42
    else:
        assert problem in model.problem and model.scenario == load_scenario(BASELINE)


def test_an_edge_list_that_does_not_fit_the_population_is_reported(tmp_path):
    edges = tmp_path / "edges.csv"
    edges.write_text("0,1\n1,299\n")
    network = {"kind": "edge_list", "path": str(edges)}
    scenario = load_scenario(BASELINE, {"network": network, "population.size": 300})
    fits = LiveModel(scenario, customers=300)
    assert fits.problem is None and fits.network.n_edges == 2
    for customers in (200, 400):  # not "set population.size", a field the page does not show
        other = LiveModel(scenario, customers=customers)
        assert other.problem == (
            "edges.csv connects 300 customers, so the population stays at 300 with this "
            f"network: set customers to 300 (not {customers}), or pick another network"
        )
        assert other.population.n == scenario.population.size
    with pytest.raises(EdgeListError):
        EcosystemModel(scenario, customers=200)


def test_network_kind_and_friends_set_the_kinds_own_parameter():
    model = LiveModel(BASELINE, customers=500, network="watts_strogatz", friends=6)
    assert model.scenario.network.kind == "watts_strogatz"
    assert model.scenario.network.k == 6
    assert model.network.mean_degree == pytest.approx(6, rel=0.01)
    scenario = load_scenario(BASELINE)
    assert mean_degree(scenario) == 8
    assert network_table(scenario, "barabasi_albert", 12) == {"kind": "barabasi_albert", "m": 6}
    assert network_table(scenario, "erdos_renyi", 5) == {"kind": "erdos_renyi", "mean_degree": 5.0}
    blocks = network_table(scenario, "stochastic_block", 10)
    assert blocks["mean_degree_within"] + blocks["mean_degree_between"] == pytest.approx(10)
    assert network_table(scenario, "complete", 10) == {"kind": "complete"}


def test_a_watched_customer_is_recorded_after_every_step():
    model = LiveModel(BASELINE, customers=300)
    model.step()
    model.watch(7)
    for _ in range(3):
        model.step()
    assert [entry["step"] for entry in model.history] == [1, 2, 3, 4]
    assert all(entry["id"] == 7 for entry in model.history)
    assert model.history[-1] == {"step": 4, **model.customer(7).state()}
    model.watch(None)
    model.step()
    assert model.watched is None and model.history == []
    with pytest.raises(IndexError):
        model.watch(300)


def counted_layouts(monkeypatch, seconds: float = 0.0) -> list[int]:
    """Start from no kept layout; count the layouts made (each taking ``seconds`` more)."""
    layouts = []
    force_layout = layout.force_layout

    def counted(*args, **kwargs):
        layouts.append(1)
        time.sleep(seconds)
        return force_layout(*args, **kwargs)

    monkeypatch.setattr(layout, "force_layout", counted)
    monkeypatch.setattr(layout, "_kept", type(layout._kept)())
    return layouts


def test_models_of_one_network_share_its_layout_and_another_network_has_its_own(monkeypatch):
    """A class opening one scenario, or a Reset that keeps the network, lays it out once."""
    layouts = counted_layouts(monkeypatch)
    first = LiveModel(BASELINE, customers=3000).network_sample
    again = LiveModel(BASELINE, customers=3000, **{"brands.tokoku.price": 99.0}).network_sample
    assert again is first and len(layouts) == 1
    with pytest.raises(ValueError, match="read-only"):
        first.xy[0, 0] = 0.5
    model = LiveModel(BASELINE, customers=3000, friends=12)
    other, reseeded = model.network_sample, layout.laid_out(model.network, seed=1)
    assert len(layouts) == 3 and other is not first and reseeded is not other
    assert not np.array_equal(reseeded.nodes, other.nodes)
    for customers in range(200, 200 + layout.KEPT_LAYOUTS):
        assert LiveModel(BASELINE, customers=customers).network_sample.total == customers
    assert LiveModel(BASELINE, customers=3000).network_sample is not first, "the oldest went"


def test_pages_asking_for_one_layout_at_once_wait_for_the_first(monkeypatch):
    """A class opening one scenario together: one layout, every page given it."""
    layouts = counted_layouts(monkeypatch, seconds=0.3)
    network = LiveModel(BASELINE, customers=2500).network
    samples = []
    pages = [
        threading.Thread(target=lambda: samples.append(layout.laid_out(network, 3)))
        for _ in range(4)
    ]
    for page in pages:
        page.start()
    for page in pages:
        page.join()
    assert len(layouts) == 1 and len(samples) == 4
    assert all(sample is samples[0] for sample in samples)
    assert not layout._laying


def test_a_page_removes_only_its_own_lock_on_a_layout(monkeypatch):
    """A page that had waited removed the lock of a later page laying the network out again
    (after an eviction), so a third page laid it out beside the second."""
    network = LiveModel(BASELINE, customers=2500).network
    key = (layout._digest(network), 3, layout.MAX_NODES)
    later = threading.Lock()
    force_layout = layout.force_layout

    def another_page_arrives(*args, **kwargs):
        layout._laying[key] = later
        return force_layout(*args, **kwargs)

    monkeypatch.setattr(layout, "force_layout", another_page_arrives)
    monkeypatch.setattr(layout, "_kept", type(layout._kept)())
    monkeypatch.setattr(layout, "_laying", {})
    layout.laid_out(network, 3)
    assert layout._laying == {key: later}


def test_the_network_sample_is_laid_out_once_and_bounded():
    model = LiveModel(BASELINE, customers=5000)
    sample = model.network_sample
    model.step()
    assert model.network_sample is sample
    assert len(sample.nodes) == MAX_NODES
    assert len(np.unique(sample.nodes)) == MAX_NODES
    assert sample.xy.shape == (MAX_NODES, 2)
    assert sample.xy.min() >= 0 and sample.xy.max() <= 1
    source, target = sample.nodes[sample.edges[:, 0]], sample.nodes[sample.edges[:, 1]]
    assert all(
        t in model.network.neighbors(s) for s, t in zip(source[:200], target[:200], strict=True)
    )
    assert np.array_equal(sample.degree, model.network.degree[sample.nodes])


def test_outcomes_can_be_read_while_another_thread_steps():
    model = LiveModel(BASELINE, customers=300, days=2000)
    stop = threading.Event()

    def play():
        while not stop.is_set():
            model.step()

    player = threading.Thread(target=play)
    player.start()
    try:
        lengths, deadline = [], time.monotonic() + 60.0  # a loaded machine may be slow
        while time.monotonic() < deadline and len(set(lengths)) < 3:
            lengths.append(len(model.timeseries()))
    finally:
        stop.set()
        player.join()
    assert lengths == sorted(lengths) and lengths[-1] > lengths[0]


def test_the_day_a_brand_has_spent_its_budget_is_kept():
    small = {"brands.tokoku.budget": 50.0}
    model = LiveModel("scenarios/baseline.toml", customers=400, days=60, **small)
    first = None
    for _ in range(60):
        model.step()
        if first is None and model.brands[0].budget_left <= 0.01 * 50.0:
            first = model.steps
        assert model.spent == ({} if first is None else {"tokoku": first})
    assert first is not None
    for budget in (250_000.0, float("inf"), 0.0):  # ample, without limit, none to spend
        other = LiveModel(
            "scenarios/baseline.toml", customers=400, days=30, **{"brands.tokoku.budget": budget}
        )
        for _ in range(30):
            other.step()
        assert other.spent == {}, budget


def test_what_reading_the_scenario_warned_of_is_kept_for_the_page():
    assert LiveModel("scenarios/baseline.toml", customers=400).notices == []
    short = LiveModel("scenarios/baseline.toml", customers=400, days=30)
    assert len(short.notices) == 1 and short.notices[0].startswith(
        "days: the horizon of 30 days leaves out"
    )


def test_what_engaged_means_changes_the_engaged_share_and_nothing_else():
    """The seeds' first step, define "engaged" for your business, had no control: the
    page's engaged share was always two purchases in 90 days."""
    runs = {
        engaged: LiveModel(BASELINE, customers=1000, days=120, engaged=engaged)
        for engaged in (None, "purchases", "referrals", "any")
    }
    for model in runs.values():
        assert model.problem is None
        for _ in range(120):
            model.step()
    series = {engaged: model.timeseries() for engaged, model in runs.items()}
    assert series[None].equals(series["purchases"]), "the baseline's own definition"
    for engaged in ("referrals", "any"):
        assert series[engaged]["purchases"].equals(series[None]["purchases"])
        assert runs[engaged].scenario.engagement == Engagement.model_validate(ENGAGED[engaged][1])
    share = {engaged: frame["engaged_share"].iloc[-1] for engaged, frame in series.items()}
    assert share["referrals"] != share["purchases"]
    assert share["any"] >= max(share["referrals"], share["purchases"]) > 0
    refused = LiveModel(BASELINE, customers=300, engaged="likes")
    assert refused.problem.startswith("engaged: expected one of purchases, referrals")
