"""Decisions under calibrated uncertainty: replication r of every strategy uses posterior draw r."""

import shutil

import pandas as pd
import pytest

from ecosim.calibrate import CalibrationError, replication_overrides
from ecosim.calibrate.posterior import fitted_to, scenario_fingerprint, short_hash
from ecosim.experiment import ExperimentError, load_experiment, plan_runs, run_experiment
from ecosim.experiment.plan import sensitivity_design
from ecosim.experiment.record import read_record
from ecosim.network import edge_list_digest
from ecosim.report import compare, write_report
from ecosim.scenario import validate_scenario

from support import ring_scenario

EXPERIMENT = """\
name = "tiny_plans"
scenario = "tiny_bass.toml"
seed = 5
replications = 3
baseline = "plain"
outcomes = ["total_purchases"]

[posterior]
from = "cal"

[strategies.plain]

[strategies.cheaper]
set = { "brands.0.price" = 80.0 }
"""


@pytest.fixture
def experiment_file(write_calibration):
    folder = write_calibration().parent
    draws = pd.DataFrame(
        {
            "draw": range(4),
            "diffusion.p": [0.01, 0.02, 0.05, 0.1],
            "diffusion.q": [0.1, 0.3, 0.5, 0.7],
            "market_size": [1e4, 2e4, 3e4, 4e4],
        }
    )
    (folder / "cal").mkdir()
    draws.to_parquet(folder / "cal" / "posterior_draws.parquet", index=False)
    path = folder / "plans.toml"
    path.write_text(EXPERIMENT)
    return path


def test_replication_r_uses_draw_r_for_every_strategy(experiment_file):
    experiment = load_experiment(experiment_file)
    assert experiment.posterior.source == str((experiment_file.parent / "cal").resolve())
    runs = plan_runs(experiment)
    assert len(runs) == 6
    p = [0.01, 0.02, 0.05]
    q = [0.1, 0.3, 0.5]
    for run in runs:
        r = run.replication
        assert run.overrides["diffusion.p"] == p[r] and run.overrides["diffusion.q"] == q[r]
        assert "market_size" not in run.overrides
    cheaper = [run for run in runs if run.strategy == "cheaper"]
    assert all(run.overrides["brands.0.price"] == 80.0 for run in cheaper)
    seeds = {(run.replication, run.seed) for run in runs}
    assert len(seeds) == 3  # common random numbers and a common draw per replication


def test_a_batch_runs_each_replication_with_its_draw_and_records_the_folder(
    experiment_file, tmp_path
):
    experiment = load_experiment(experiment_file)
    run_experiment(experiment, tmp_path / "batch", serial=True, progress=False)
    results = pd.read_parquet(tmp_path / "batch" / "results.parquet")
    purchases = results.pivot_table(
        index="replication", columns="strategy", values="total_purchases"
    )
    # a market with p = 0.01, q = 0.1 over 12 days adopts far less than one with p = 0.05, q = 0.5
    assert purchases.loc[0, "plain"] < purchases.loc[2, "plain"]
    assert purchases.loc[0, "cheaper"] < purchases.loc[2, "cheaper"]
    record = read_record(tmp_path / "batch")
    assert record.experiment.posterior == experiment.posterior
    write_report(compare(tmp_path / "batch"), tmp_path / "batch")
    design = (tmp_path / "batch" / "report.md").read_text()
    assert f"draw *r* of the posterior in `{experiment.posterior.source}`" in design
    shutil.rmtree(experiment.posterior.source)  # the folder moved to another machine
    assert len(compare(tmp_path / "batch").results) == 6, "read from the results folder alone"


def test_a_batch_refuses_to_pair_its_runs_with_draws_changed_since(experiment_file, tmp_path):
    experiment = load_experiment(experiment_file)
    out = tmp_path / "batch"
    run_experiment(experiment, out, serial=True, progress=False)
    draws_file = experiment_file.parent / "cal" / "posterior_draws.parquet"
    kept = draws_file.read_bytes()
    recalibrated = pd.read_parquet(draws_file).assign(**{"diffusion.q": [0.2, 0.3, 0.4, 0.5]})
    recalibrated.to_parquet(draws_file, index=False)
    (out / "runs" / sorted(p.name for p in (out / "runs").glob("*.parquet"))[0]).unlink()
    with pytest.raises(
        ExperimentError, match=r"posterior draws of .*posterior_draws\.parquet changed"
    ):
        run_experiment(experiment, out, serial=True, progress=False)
    draws_file.write_bytes(kept)  # restored: the missing run is redone with its own draw
    assert run_experiment(experiment, out, serial=True, progress=False).finished == 1


def test_a_sensitivity_analysis_refuses_a_posterior(experiment_file):
    experiment = load_experiment(experiment_file)
    with pytest.raises(ExperimentError, match=r"posterior: a sensitivity analysis .* draws no"):
        sensitivity_design(experiment, "morris")


def test_too_few_draws_are_refused(experiment_file):
    experiment_file.write_text(EXPERIMENT.replace("replications = 3", "replications = 5"))
    with pytest.raises(ExperimentError, match="holds 4 posterior draws, fewer than the 5"):
        load_experiment(experiment_file)


def test_a_draw_may_not_change_a_strategy_field(experiment_file):
    experiment_file.write_text(EXPERIMENT.replace('"brands.0.price" = 80.0', '"diffusion.q" = 0.2'))
    with pytest.raises(ExperimentError, match=r"'diffusion\.q' overlaps 'diffusion\.q'"):
        load_experiment(experiment_file)


def test_a_folder_without_draws_is_named(experiment_file):
    experiment_file.write_text(EXPERIMENT.replace('from = "cal"', 'from = "elsewhere"'))
    with pytest.raises(
        ExperimentError, match=r"posterior\.from: .*elsewhere: no posterior_draws\.parquet"
    ):
        load_experiment(experiment_file)
    with pytest.raises(CalibrationError, match=r"no posterior_draws\.parquet"):
        replication_overrides(experiment_file.parent / "elsewhere", 2)


def test_a_draw_of_a_field_the_experiment_s_scenario_lacks_is_refused_when_read(experiment_file):
    draws = pd.DataFrame({"draw": range(4), "campaign.0.intensity": [0.1, 0.2, 0.3, 0.4]})
    draws.to_parquet(experiment_file.parent / "cal" / "posterior_draws.parquet", index=False)
    with pytest.raises(ExperimentError) as raised:
        load_experiment(experiment_file)
    assert raised.value.problems == [
        (
            "posterior.from",
            f"draw 0 (replication 0) with strategy {name!r}: campaign.0.intensity: index 0 is "
            "out of range (the list has 0 items)",
        )
        for name in ("plain", "cheaper")
    ]


def test_a_draw_invalid_with_one_strategy_only_is_named_with_it(experiment_file):
    weights = [0.3, 0.3, 0.6, 0.6]
    draws = pd.DataFrame({"draw": range(4), "dynamics.wom_experience_weight": weights})
    draws.to_parquet(experiment_file.parent / "cal" / "posterior_draws.parquet", index=False)
    experiment_file.write_text(
        EXPERIMENT.replace('"brands.0.price" = 80.0', '"dynamics.negativity_bias" = 2.0')
    )
    with pytest.raises(ExperimentError) as raised:
        load_experiment(experiment_file)
    ((where, message),) = raised.value.problems
    assert where == "posterior.from"
    assert message.startswith(
        "draw 2 (replication 2) with strategy 'cheaper': dynamics: wom_experience_weight * "
        "negativity_bias must be <= 1"
    )


def test_a_record_names_an_edge_list_scenario_by_its_fingerprint_and_its_file_s_digest(
    tmp_path,
):
    """The path-free fingerprint matched an edge list without a digest, whatever its file."""
    scenario = validate_scenario(ring_scenario(tmp_path, 40), source=str(tmp_path / "s.toml"))
    scenario = scenario.model_copy(
        update={"network": scenario.network.model_copy(update={"path": str(tmp_path / "ring.csv")})}
    )
    now, digest = scenario_fingerprint(scenario), edge_list_digest(scenario.network)[:16]
    assert fitted_to(scenario, now, digest)
    assert not fitted_to(scenario, now, None), "no digest: which network is unknown"
    assert not fitted_to(scenario, now, "0" * 16)
    whole = short_hash(repr(scenario.model_dump()))  # as records kept it before
    assert fitted_to(scenario, whole, None) and not fitted_to(scenario, whole, "0" * 16)
    generated = validate_scenario(
        {**ring_scenario(tmp_path, 40), "network": {"kind": "complete"}}, source="g.toml"
    )
    assert fitted_to(generated, scenario_fingerprint(generated), None)
    assert not fitted_to(generated, scenario_fingerprint(generated), digest)
