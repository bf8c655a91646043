import numpy as np
import pandas as pd
import pytest

from ecosim import load_scenario, run
from ecosim.cli import main
from ecosim.diffusion_model import DIFFUSION_OUTCOMES, DiffusionModel
from ecosim.experiment.runner import simulate
from ecosim.market import Market
from ecosim.model import EcosystemModel
from ecosim.ui.live_model import LiveDiffusionModel, LiveModel

BASELINE = "scenarios/baseline.toml"
BASS = {"diffusion.rule": "bass", "diffusion.p": 0.01, "diffusion.q": 0.2}


def test_a_scenario_with_a_diffusion_rule_builds_the_diffusion_engine():
    model = EcosystemModel(BASELINE, rng=3, customers=500, days=20, overrides=BASS)
    assert type(model) is DiffusionModel and isinstance(model, Market)
    full = EcosystemModel(BASELINE, rng=3, customers=500, days=20)
    assert type(full) is EcosystemModel


def test_each_class_holds_one_engine():
    assert not hasattr(EcosystemModel, "_diffuse") and hasattr(DiffusionModel, "_diffuse")
    assert not hasattr(DiffusionModel, "_shop") and hasattr(EcosystemModel, "_shop")


def test_the_diffusion_engine_built_either_way_runs_the_same_days():
    direct = DiffusionModel(BASELINE, rng=3, customers=800, days=15, overrides=BASS).run()
    dispatched = run(BASELINE, seed=3, customers=800, days=15, overrides=BASS)
    assert direct.equals(dispatched)
    assert dispatched["adopted_share"].is_monotonic_increasing
    assert dispatched["adopted_share"].iloc[-1] > dispatched["adopted_share"].iloc[0]


def test_every_adoption_is_a_first_purchase_of_the_day():
    """A reduced run reported its adoptions as purchases and no first purchase."""
    daily = DiffusionModel(BASELINE, rng=3, customers=800, days=30, overrides=BASS).run()
    assert daily["purchases"].sum() > 0
    assert daily["first_purchases"].equals(daily["purchases"])
    adopted = daily["adopted_share"].iloc[-1] - daily["adopted_share"].iloc[0]
    assert daily["first_purchases"].sum() == round(adopted * 800)


def test_a_reduced_model_reports_its_diffusion_unless_asked_for_every_outcome():
    kept = dict(rng=3, customers=800, days=30, overrides=BASS)
    daily = DiffusionModel(BASELINE, **kept).run()
    every = DiffusionModel(BASELINE, outcomes="all", **kept).run()
    assert list(daily.columns) == ["step", *DIFFUSION_OUTCOMES]
    assert daily.equals(every[daily.columns])
    assert {"mean_experience", "stage_creation", "presence_physical"} <= set(every.columns)
    assert daily["reached_share"].iloc[-1] > 0 and daily["adopted_share"].iloc[-1] > 0
    assert len(EcosystemModel(BASELINE, customers=300, days=5).column_names) == len(every.columns)


def test_experiments_and_the_command_line_report_every_outcome_whatever_the_engine(tmp_path):
    scenario = load_scenario(BASELINE, {"population.size": 300, "days": 10})
    full, _, _ = simulate(scenario, {}, 1)
    reduced, _, _ = simulate(scenario, BASS, 1)
    assert list(reduced.columns) == list(full.columns)
    out = tmp_path / "out"
    rule = [f"--set={field}={value}" for field, value in BASS.items()]
    status = main(["run", BASELINE, "--customers", "500", "--days", "10", "--out", str(out), *rule])
    assert status == 0
    assert list(pd.read_parquet(out / "timeseries.parquet").columns) == list(full.columns)
    assert (out / "dashboard.png").exists()


def test_the_diffusion_engine_refuses_the_full_ecosystem():
    with pytest.raises(ValueError, match="use EcosystemModel"):
        DiffusionModel(BASELINE, customers=200, days=5)


def test_the_web_app_builds_the_diffusion_engine_for_a_diffusion_rule():
    live = LiveModel(BASELINE, rng=3, customers=800, days=15, **BASS)
    assert isinstance(live, LiveDiffusionModel) and live.problem is None
    live.watch(5)
    for _ in range(15):
        live.step()
    plain = DiffusionModel(BASELINE, rng=3, customers=800, days=15, overrides=BASS, outcomes="all")
    assert live.timeseries().equals(plain.run())
    assert [entry["step"] for entry in live.history] == list(range(16))
    assert type(LiveModel(BASELINE, customers=300, days=5)) is LiveModel


def test_a_quiet_rule_stops_early_only_in_the_diffusion_engine():
    quiet = {**BASS, "diffusion.p": 0.0, "diffusion.q": 0.0, "diffusion.stop_after_quiet_days": 3}
    model = EcosystemModel(BASELINE, customers=300, days=30, overrides={**quiet, "campaign": []})
    daily = model.run()
    assert model.steps == 3 and len(daily) == 31
    assert np.all(daily["purchases"] == 0)
    again = model.run()  # it stepped on and stopped a few days later, each call
    assert model.steps == 3 and again.equals(daily)


def test_an_unknown_keyword_is_refused_whichever_engine_the_scenario_asks_for():
    for overrides in ({}, BASS):
        with pytest.raises(TypeError, match="unexpected keyword"):
            EcosystemModel(BASELINE, customers=200, overrides=overrides, seeds=3)
