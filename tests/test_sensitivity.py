"""ecosim sensitivity: Morris and Sobol designs over an experiment's ranges, end to end."""

import pandas as pd
import pytest

from ecosim.cli import main
from ecosim.experiment import (
    ExperimentError,
    load_experiment,
    run_experiment,
    run_sensitivity,
    sensitivity_design,
)
from ecosim.report import write_sensitivity_report

from experiment_helpers import tiny_experiment, write_experiment

PARAMETERS = [
    {"name": "cpe", "path": "channels.social.cost_per_exposure", "range": [0.1, 2.0], "levels": 2},
    # the small scenario never activates its influencer: the fee is read but has no effect
    {"name": "fee", "path": "influencers.ayu.fee", "range": [0.0, 100.0], "levels": 2},
]


def sensitivity_experiment(tmp_path, **settings):
    data = tiny_experiment(
        days=20,
        conditions={"parameters": PARAMETERS},
        sensitivity={"outcomes": ["total_marketing_cost"], "replications": 1, **settings},
    )
    return load_experiment(write_experiment(tmp_path, data))


def test_morris_end_to_end_with_the_dummy_as_noise_floor(tmp_path):
    experiment = sensitivity_experiment(tmp_path, trajectories=6)
    out = tmp_path / "morris"
    result = run_sensitivity(experiment, out, "morris", serial=True, progress=False)
    assert result.batch.planned == 6 * (2 + 1 + 1) and result.batch.failed == 0
    indices = result.indices.set_index("parameter")
    assert list(indices.index) == ["cpe", "fee", "dummy"]
    cpe, fee, dummy = (indices.loc[name] for name in ("cpe", "fee", "dummy"))
    assert dummy["mu_star"] > 0, "independent seeds per design point: the dummy measures noise"
    assert cpe["mu_star"] > 10 * dummy["mu_star"]
    assert cpe["above_noise"] and not fee["above_noise"]
    # an inert parameter is at the noise floor: its interval overlaps the dummy's
    gap = abs(fee["mu_star"] - dummy["mu_star"])
    assert gap <= fee["mu_star_conf"] + dummy["mu_star_conf"]
    results = pd.read_parquet(out / "results.parquet")
    assert results["run_id"].iloc[0] == "plain-p0000-r00"
    assert results["seed"].nunique() == len(results), "no common random numbers across points"
    assert set((results["dummy"] * 3).round(9)) <= {0, 1, 2, 3}, "the 4 levels of the grid"
    again = run_sensitivity(experiment, out, "morris", serial=True, progress=False)
    assert (again.batch.skipped, again.batch.finished) == (24, 0), "resumable like a batch"
    pd.testing.assert_frame_equal(again.indices, result.indices)
    report = write_sensitivity_report(result, out).read_text()
    assert "noise floor" in report and "| `cpe` |" in report
    assert (out / "figures" / "morris.png").exists()
    assert pd.read_csv(out / "tables" / "morris.csv").shape[0] == 3


def test_sobol_from_the_command_line(tmp_path, capsys):
    experiment = tmp_path / "experiment.toml"
    sensitivity_experiment(tmp_path, samples=8)
    out = tmp_path / "sobol"
    status = main(
        ["sensitivity", str(experiment), "--method", "sobol", "--serial", "--out", str(out)]
    )
    assert status == 0, capsys.readouterr().err
    table = pd.read_csv(out / "tables" / "sobol.csv")
    assert list(table.columns[:6]) == ["outcome", "parameter", "S1", "S1_conf", "ST", "ST_conf"]
    assert len(pd.read_parquet(out / "results.parquet")) == 8 * (3 + 2)
    assert "Sobol" in (out / "sensitivity.md").read_text()


def test_sensitivity_needs_ranges(tmp_path):
    data = tiny_experiment(conditions={"parameters": [{"path": "days", "values": [5, 10]}]})
    experiment = load_experiment(write_experiment(tmp_path, data))
    with pytest.raises(
        ExperimentError, match=r"parameters\[0\]: sensitivity analysis needs a range"
    ):
        sensitivity_design(experiment, "morris")


def test_a_batch_folder_is_not_reused_for_a_sensitivity_analysis(tmp_path):
    experiment = sensitivity_experiment(tmp_path, trajectories=2)
    run_experiment(experiment, tmp_path / "out", serial=True, progress=False)
    with pytest.raises(ExperimentError, match="holds a different experiment"):
        run_sensitivity(experiment, tmp_path / "out", "morris", serial=True, progress=False)


@pytest.mark.parametrize(
    ("method", "settings", "field", "points"),
    [
        ("morris", {"trajectories": 2_500_001, "replications": 1}, "trajectories", 10_000_004),
        ("sobol", {"samples": 2**20, "replications": 4}, "samples", 5 * 2**20),
    ],
)
def test_a_design_of_more_runs_than_an_analysis_may_hold_is_refused_before_sampling(
    tmp_path, method, settings, field, points
):
    experiment = sensitivity_experiment(tmp_path, **settings)
    replications = settings["replications"]
    with pytest.raises(ExperimentError) as refused:
        sensitivity_design(experiment, method)
    assert refused.value.problems == [
        (
            f"sensitivity.{field}",
            f"the {method} design has {points:,} points x {replications} replications = "
            f"{points * replications:,} runs, more than an analysis may hold (10,000,000)",
        )
    ]
