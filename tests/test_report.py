"""ecosim compare: the statistics of a results folder, and a report with its figures."""

import re

import pandas as pd
import pytest

from ecosim.cli import main
from ecosim.experiment import ExperimentError, load_experiment, run_experiment
from ecosim.report import compare, write_report

from experiment_helpers import tiny_experiment, write_experiment


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    root = tmp_path_factory.mktemp("report")
    experiment = load_experiment(write_experiment(root, tiny_experiment(replications=4)))
    run_experiment(experiment, root / "out", serial=True, progress=False)
    return root / "out"


def test_compare_computes_the_tables_from_the_runs(batch):
    comparison = compare(batch)
    results = pd.read_parquet(batch / "results.parquet")
    assert comparison.groups == ["condition", "wom"]
    assert comparison.planned == len(results) == 3 * 2 * 4
    summary = comparison.summary.set_index(["condition", "strategy", "outcome"])
    quiet = results[(results["strategy"] == "quiet") & (results["condition"] == 1)]
    row = summary.loc[(1, "quiet", "total_revenue")]
    assert row["mean"] == pytest.approx(quiet["total_revenue"].mean())
    assert row["n"] == 4
    assert list(comparison.summary["strategy"].drop_duplicates()) == ["plain", "quiet", "promo"]
    differences = comparison.differences.set_index(["condition", "strategy", "outcome"])
    plain = results[(results["strategy"] == "plain") & (results["condition"] == 1)]
    paired = (
        quiet.set_index("replication")["total_revenue"]
        - plain.set_index("replication")["total_revenue"]
    )
    assert differences.loc[(1, "quiet", "total_revenue"), "difference"] == pytest.approx(
        paired.mean()
    )
    measures = set(comparison.decomposition["measure"])
    assert measures == {"new_adopters", "gain", "expansion", "acceleration", "days_earlier"}
    assert set(comparison.decomposition["strategy"]) == {"quiet", "promo"}
    assert set(comparison.bands) == {"adopted_share", "cumulative_revenue"}
    assert comparison.panels


def test_report_is_markdown_with_tables_figures_and_methods(batch, tmp_path):
    path = write_report(compare(batch), tmp_path)
    report = path.read_text()
    for heading in ("## Design", "## Methods", "## Results", "## Expansion and acceleration"):
        assert heading in report
    assert "common random numbers" in report and "Cohen's d_z" in report
    assert "### `total_revenue`" in report and "| **quiet** |" in report
    links = re.findall(r"!\[[^\]]*\]\((figures/[^)]+)\)", report)
    assert "figures/outcomes.png" in links and "figures/daily_adopted_share.png" in links
    for link in links:
        assert (tmp_path / link).read_bytes()[:4] == b"\x89PNG"
    for table in ("summary", "differences", "decomposition"):
        assert len(pd.read_csv(tmp_path / "tables" / f"{table}.csv")) > 0


def test_compare_from_the_command_line_without_conditions(tmp_path, capsys):
    data = tiny_experiment(replications=3)
    data.pop("conditions")
    path = write_experiment(tmp_path, data)
    out = tmp_path / "out"
    assert main(["batch", str(path), "--out", str(out), "--serial"]) == 0
    assert main(["compare", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "total_revenue\n  plain: " in printed
    report = (out / "report.md").read_text()
    assert "| market conditions | none (the base scenario) |" in report
    assert "Highest mean:" in report


def test_compare_needs_a_batch_folder_with_runs(batch, tmp_path):
    with pytest.raises(ExperimentError, match="not found: is this the --out folder"):
        compare(tmp_path)
    (tmp_path / "runs").mkdir()
    (tmp_path / "experiment.toml").write_bytes((batch / "experiment.toml").read_bytes())
    with pytest.raises(ExperimentError, match="no run has finished yet"):
        compare(tmp_path)
