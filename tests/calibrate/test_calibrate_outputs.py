"""What a finished calibration leaves: posterior, intervals, draws, check, scenario, report."""

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from ecosim import load_scenario
from ecosim.calibrate import load_calibration
from ecosim.calibrate.outputs import (
    credible_intervals,
    posterior_draws,
    summary_cells,
    weighted_quantile,
)
from ecosim.calibrate.report import periods
from ecosim.cli import main


def test_the_folder_holds_every_output(finished):
    _, _, out = finished
    for name in (
        "posterior.parquet",
        "posterior_draws.parquet",
        "posterior_summary.csv",
        "ppc.csv",
        "ppc_simulations.parquet",
        "calibrated.toml",
        "report.md",
        "figures/marginals.png",
        "figures/pairs.png",
        "figures/ppc.png",
        "abc.db",
    ):
        assert (out / name).stat().st_size > 0, name


def test_the_summary_is_the_weighted_posterior(finished):
    _, result, out = finished
    particles = pd.read_parquet(out / "posterior.parquet")
    assert list(particles.columns) == ["p", "q", "weight"]
    assert particles["weight"].sum() == pytest.approx(1.0)
    summary = result.summary.set_index("parameter")
    for label in ("p", "q"):
        mean = np.average(particles[label], weights=particles["weight"])
        assert summary.loc[label, "mean"] == pytest.approx(mean)
        assert (
            summary.loc[label, "q05"] <= summary.loc[label, "median"] <= summary.loc[label, "q95"]
        )
    written = pd.read_csv(out / "posterior_summary.csv")
    assert written["parameter"].tolist() == ["p", "q"]


def test_the_draws_come_from_the_particles(finished):
    calibration, _, out = finished
    particles = pd.read_parquet(out / "posterior.parquet")
    draws = pd.read_parquet(out / "posterior_draws.parquet")
    assert list(draws.columns) == ["draw", "diffusion.p", "diffusion.q"]
    assert len(draws) == calibration.abc.draws
    pairs = set(zip(particles["p"], particles["q"], strict=True))
    assert set(zip(draws["diffusion.p"], draws["diffusion.q"], strict=True)) <= pairs


def test_the_predictive_check_bands_the_observed_periods(finished):
    calibration, _, out = finished
    ppc = pd.read_csv(out / "ppc.csv")
    assert ppc["period"].tolist() == list(range(1, 13))
    assert ppc["observed"].tolist() == calibration.observed["purchases"].tolist()
    assert (ppc["q05"] <= ppc["median"]).all() and (ppc["median"] <= ppc["q95"]).all()
    inside = (ppc["q05"] <= ppc["observed"]) & (ppc["observed"] <= ppc["q95"])
    assert (ppc["inside"] == inside).all()
    simulations = pd.read_parquet(out / "ppc_simulations.parquet")
    assert simulations["draw"].nunique() == calibration.abc.ppc_draws


def test_the_calibrated_scenario_is_at_the_posterior_median(finished):
    _, result, out = finished
    text = (out / "calibrated.toml").read_text()
    assert text.startswith("# tiny_bass calibrated to data.csv by ecosim calibrate")
    scenario = load_scenario(out / "calibrated.toml")
    medians = result.summary.set_index("parameter")["median"]
    assert scenario.diffusion.p == pytest.approx(medians["p"])
    assert scenario.diffusion.q == pytest.approx(medians["q"])
    assert scenario.population.size == 400


def test_the_report_names_method_priors_data_results_and_check(finished):
    _, result, out = finished
    report = (out / "report.md").read_text()
    for heading in ("## Method", "## Data", "## Results", "## Posterior predictive check"):
        assert heading in report
    assert "| p | `diffusion.p` | log-uniform on [0.005, 0.2] |" in report
    median = result.summary.set_index("parameter").loc["q", "median"]
    assert f"{median:.4g}" in report


def test_weighted_quantiles_and_intervals_of_known_weights(write_calibration):
    calibration = load_calibration(write_calibration())
    particles = pd.DataFrame(
        {"p": [0.01, 0.02, 0.03, 0.04], "q": [0.1, 0.2, 0.3, 0.4], "weight": [0.1, 0.2, 0.3, 0.4]}
    )
    summary = credible_intervals(calibration, particles).set_index("parameter")
    assert summary.loc["q", "mean"] == pytest.approx(0.3)
    assert summary.loc["q", "sd"] == pytest.approx(0.1)
    x, w = np.array([1.0, 2.0, 3.0]), np.array([0.2, 0.6, 0.2])
    assert weighted_quantile(x, w, 0.5) == 2.0


def test_draws_follow_the_weights(write_calibration):
    calibration = load_calibration(write_calibration(("draws = 40", "draws = 4000")))
    particles = pd.DataFrame({"p": [0.01, 0.05], "q": [0.2, 0.6], "weight": [0.8, 0.2]})
    draws = posterior_draws(calibration, particles)
    share = (draws["diffusion.p"] == 0.01).mean()
    assert abs(share - 0.8) < 4 * np.sqrt(0.8 * 0.2 / 4000)
    pd.testing.assert_frame_equal(draws, posterior_draws(calibration, particles))


def test_rereading_a_finished_calibration_says_so_and_writes_nothing(finished, capsys):
    calibration, _, out = finished
    stamps = {path: path.stat().st_mtime_ns for path in out.rglob("*") if path.is_file()}
    assert main(["calibrate", calibration.file, "--serial", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "already finished" in printed and "wrote" not in printed
    assert "its outputs are posterior.parquet, posterior_draws.parquet" in printed
    assert {path: path.stat().st_mtime_ns for path in out.rglob("*") if path.is_file()} == stamps


def test_a_narrow_posterior_is_written_with_the_digits_that_tell_its_ends_apart():
    """It read "1.7e+04 [1.7e+04, 1.7e+04]" in the report, the terminal and calibrated.toml."""
    row = SimpleNamespace(
        **{
            "mean": 17000.005,
            "sd": 0.00288,
            "median": 17000.0049,
            "q05": 17000.0007,
            "q95": 17000.0093,
        }
    )
    assert summary_cells(row) == [
        "17,000.005",
        "0.00288",
        "17,000.0049",
        "17,000.0007",
        "17,000.0093",
    ]
    wide = SimpleNamespace(
        **{"mean": 15350.2, "sd": 3080.4, "median": 14920.0, "q05": 10970.0, "q95": 21080.0}
    )
    assert summary_cells(wide) == ["15,350", "3,080", "14,920", "10,970", "21,080"]
    assert periods(1) == "1 period" and periods(40) == "40 periods"
