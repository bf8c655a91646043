"""ecosim compare: the statistics of a results folder, and a report with its figures."""

import re
import shutil
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
import tomli_w
from scipy import stats

import ecosim.experiment.schema
from ecosim.analysis import decompose_adoption
from ecosim.cli import main
from ecosim.errors import InputError
from ecosim.experiment import ExperimentError, load_experiment, outcome_names, run_experiment
from ecosim.experiment.schema import IDENTIFIERS, TABLE_COLUMNS
from ecosim.metrics import bounds, columns, split_column
from ecosim.report import compare, write_report
from ecosim.report.markdown import _describe_outcome
from ecosim.report.text import format_number
from ecosim.scenario import load_scenario
from ecosim.store import ResultStore, held_folder

from experiment_helpers import tiny_experiment, write_experiment
from support import SCENARIOS, rival_market, small_scenario


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
    assert comparison.adoption_method == "individual"
    assert measures == {
        "new_adopters",
        "gain",
        "expansion",
        "acceleration",
        "days_earlier",
        "adopters_both",
        "only_programme",
        "only_baseline",
    }
    row = differences.loc[(1, "quiet", "total_revenue")]
    unpaired = quiet["total_revenue"].var() + plain["total_revenue"].var()
    assert row["variance_reduction"] == pytest.approx(1 - paired.var() / unpaired)
    assert set(comparison.decomposition["strategy"]) == {"quiet", "promo"}
    assert set(comparison.bands) == {"adopted_share", "cumulative_revenue"}
    assert comparison.panels


def test_report_is_markdown_with_tables_figures_and_methods(batch, tmp_path):
    path = write_report(compare(batch), tmp_path)
    report = path.read_text()
    for heading in ("## Design", "## Methods", "## Results", "## Expansion and acceleration"):
        assert heading in report
    assert "common random numbers" in report and "Cohen's d_z" in report
    assert "Pairing the runs (common random numbers) cut the variance" in report
    assert "| variance cut by pairing |" in report
    assert "Customers are matched individually" in report
    assert "| only with the strategy | only without |" in report
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
    changes = ["--set", "scenario.brands.0.price=99.5", "--customers", "250"]
    assert main(["batch", str(path), "--out", str(out), "--serial", *changes]) == 0
    assert main(["compare", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "total_revenue (Rp thousand)\n  plain: " in printed  # money named with its unit
    assert pd.read_csv(out / "tables" / "summary.csv")["confidence"].eq(0.95).all()
    assert re.search(r"\n  plain: [\d,.]+ \(95% CI -?[\d,.]+ to [\d,.]+\)\n", printed)
    assert "e+0" not in printed, "no exponents"
    assert re.search(
        r"not at equal cost: quiet spends -[\d,.]+ \(-\d+\.\d%\) against plain; "
        r"profit -?[\d,.]+ per Rp saved\n",  # was "extra profit per extra Rp", as if it paid
        printed,
    )
    report = (out / "report.md").read_text()
    assert "| market conditions | none (the base scenario) |" in report
    assert (
        "| changes on the command line | `scenario.brands.0.price` = `99.5`; `customers` = `250` |"
        in report
    )
    assert "Highest mean:" in report


def test_strategies_that_measure_other_series_compare(tmp_path, capsys):
    """Only a tiered programme has tier_* series: its runs and the others' are all whole."""
    out = tmp_path / "loyalty"
    small = ["--replications", "2", "--customers", "300", "--days", "30", "--serial"]
    assert main(["batch", "experiments/loyalty_designs.toml", "--out", str(out), *small]) == 0
    series = {
        path.stem: set(pd.read_parquet(path).columns)
        for path in (out / "runs").iterdir()
        if path.suffix == ".parquet"
    }
    assert len({frozenset(columns) for columns in series.values()}) > 1
    assert main(["compare", str(out)]) == 0
    assert "wrote" in capsys.readouterr().out


def test_a_report_at_another_confidence_says_so_everywhere(batch, tmp_path):
    comparison = compare(batch, confidence=0.9)
    assert comparison.confidence == 0.9
    report = write_report(comparison, tmp_path).read_text()
    assert "95%" not in report and "5% level" not in report
    assert "| 90% CI | difference from plain | 90% CI |" in report
    assert "mean ± t(0.95, n−1)·s/√n" in report
    wide = compare(batch).summary
    narrow = comparison.summary
    assert (narrow["ci_high"] - narrow["ci_low"] < wide["ci_high"] - wide["ci_low"]).all()


def test_compare_needs_a_batch_folder_with_runs(batch, tmp_path):
    with pytest.raises(ExperimentError, match="not found: is this the --out folder"):
        compare(tmp_path)
    experiment_file = tmp_path / "experiment_file.toml"
    experiment_file.write_text("name = 'x'\n")
    with pytest.raises(ExperimentError, match=r"is a file \(expected the --out folder"):
        compare(experiment_file)
    (tmp_path / "runs").mkdir()
    (tmp_path / "experiment.toml").write_bytes((batch / "experiment.toml").read_bytes())
    with pytest.raises(ExperimentError, match="no run has finished yet"):
        compare(tmp_path)


def test_individual_and_curve_matching_agree_in_the_total_gain(batch):
    store = ResultStore(batch)
    results = store.results()
    daily = store.daily().merge(
        results[["run_id", "strategy", "condition", "replication"]], on="run_id"
    )
    keys = ["strategy", "condition", "replication"]
    individual = decompose_adoption(daily, "plain", by=["condition"], adoption=store.adoption)
    curve = decompose_adoption(daily, "plain", by=["condition"])
    assert set(individual["method"]) == {"individual"} and set(curve["method"]) == {"curve"}
    both = individual.merge(curve, on=keys, suffixes=("", "_curve"))
    assert len(both) == 2 * 2 * 4
    for measure in ("gain", "new_adopters"):
        np.testing.assert_allclose(both[measure], both[f"{measure}_curve"], atol=1e-12)
    np.testing.assert_allclose(both["expansion"] + both["acceleration"], both["gain"], atol=1e-12)
    assert (both["gain"] != 0).any(), "the strategies change adoption"


def test_adoption_days_agree_with_the_adoption_curve(batch):
    store = ResultStore(batch)
    for run_id in store.rows():
        days = store.adoption(run_id)
        series = pd.read_parquet(store.run_path(run_id))
        curve = [np.mean(days <= t) for t in series["step"]]
        np.testing.assert_allclose(series["adopted_share"], curve, atol=1e-12)


def test_a_folder_without_adoption_days_is_decomposed_from_the_curves(batch, tmp_path):
    old = tmp_path / "old"
    shutil.copytree(batch, old)
    shutil.rmtree(old / "runs" / "adoption")
    comparison = compare(old)
    assert comparison.adoption_method == "curve"
    assert "only_programme" not in set(comparison.decomposition["measure"])
    gain = comparison.decomposition.set_index(["strategy", "condition", "measure"])["mean"]
    matched = compare(batch).decomposition.set_index(["strategy", "condition", "measure"])
    assert gain.loc[("promo", 0, "gain")] == pytest.approx(
        matched.loc[("promo", 0, "gain"), "mean"]
    )
    report = write_report(comparison, tmp_path / "report").read_text()
    assert "holds no customer's day of first purchase" in report
    assert "| only with the strategy |" not in report


def test_pairing_removes_most_of_the_variance_of_a_small_price_change(tmp_path):
    data = tiny_experiment(replications=8)
    data.pop("conditions")
    data["strategies"] = {
        "plain": {"description": "as written"},
        "cheaper": {"set": {"brands.0.price": 98.0}},
    }
    data["outcomes"] = ["final_adopted_share", "total_revenue"]
    experiment = load_experiment(write_experiment(tmp_path, data))
    run_experiment(experiment, tmp_path / "out", serial=True, progress=False)
    differences = compare(tmp_path / "out").differences.set_index("outcome")
    assert (differences["var_paired"] < differences["var_unpaired"]).all()
    assert (differences["variance_reduction"] > 0.5).all(), differences["variance_reduction"]


def test_compare_flags_strategies_not_at_equal_cost(batch, tmp_path):
    comparison = compare(batch)
    results = comparison.results
    spend = results[["total_marketing_cost", "total_service_cost", "total_programme_cost"]].sum(
        axis=1
    )
    results = results.assign(spend=spend)
    quiet = comparison.spend[(comparison.spend["strategy"] == "quiet")]
    assert len(quiet) == 2  # one row per condition
    for _, row in quiet.iterrows():
        mine = results[(results["condition"] == row["condition"])]
        a = mine[mine["strategy"] == "quiet"].set_index("replication")
        b = mine[mine["strategy"] == "plain"].set_index("replication")
        assert row["extra_spend"] == pytest.approx((a["spend"] - b["spend"]).mean())
        assert row["extra_profit"] == pytest.approx((a["total_profit"] - b["total_profit"]).mean())
        assert row["extra_spend"] < 0 and not row["equal_cost"]
        assert row["profit_per_extra_spend"] == pytest.approx(
            row["extra_profit"] / row["extra_spend"]
        )
    report = write_report(comparison, tmp_path).read_text()
    assert "## Cost and incremental profit" in report
    for _, row in quiet.iterrows():  # it spends less: its saving, per Rp, the sign turned
        saved = format_number(-row["profit_per_extra_spend"])
        assert f"| {saved} per Rp saved | **no**: " in report
    assert re.search(r"\*\*Not at equal cost:\*\* [^\n]*`quiet`", report)
    assert len(pd.read_csv(tmp_path / "tables" / "spend.csv")) == len(comparison.spend)


def test_a_table_set_by_a_strategy_is_shown_with_its_contents(batch, tmp_path):
    comparison = compare(batch)
    e = comparison.experiment
    loyalty = {"points": {"earn_rate": 1.0, "goal": 1500, "reward_value": 20}}
    quiet = e.strategies["quiet"].model_copy(update={"set": {"brands.0.loyalty": loyalty}})
    strategies = {**e.strategies, "quiet": quiet}
    changed = replace(comparison, experiment=e.model_copy(update={"strategies": strategies}))
    report = write_report(changed, tmp_path).read_text()
    assert (
        "| **quiet** |  | `brands.0.loyalty` = "
        "`{points = {earn_rate = 1.0, goal = 1500, reward_value = 20}}` |" in report
    )


@pytest.mark.parametrize("baseline", ["plain", "broken"])
def test_a_strategy_whose_every_run_failed_is_named_and_the_rest_reported(
    tmp_path, capsys, baseline, monkeypatch
):
    """Runs that fail as they run (the file's check of its edge lists left out, to make them)."""
    monkeypatch.setattr(ecosim.experiment.schema, "_edge_list_problems", lambda scenario: [])
    edges = tmp_path / "edges.csv"
    edges.write_text("source,target\n0,1\n1,x\n")
    data = tiny_experiment(replications=2, baseline=baseline, outcomes=["total_profit"])
    data.pop("conditions")
    data["strategies"] = {
        "plain": {},
        "broken": {"set": {"network": {"kind": "edge_list", "path": str(edges)}}},
        "quiet": {"set": {"campaign.0.intensity": 0.2}},
    }
    out = tmp_path / "out"
    assert main(["batch", str(write_experiment(tmp_path, data)), "--out", str(out)]) == 1
    capsys.readouterr()
    assert main(["compare", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "No run of broken finished: not in the tables." in printed
    report = (out / "report.md").read_text()
    assert "No run of `broken` finished" in report
    differences = compare(out).differences
    if baseline == "plain":
        assert set(differences["strategy"]) == {"quiet"}
        assert "no strategy is compared" not in report
    else:
        assert differences.empty
        assert "The baseline `broken` has no finished run" in report
        assert "| **quiet** | " in report and "| **plain** | " in report


def test_an_outcome_undefined_in_every_run_of_a_strategy_is_not_called_a_difference(tmp_path):
    """Without marketing the return on it is undefined in every run: the report shows no
    difference, no test and no share of pairs for it, rather than "(n.s.)" and "nan%"."""
    data = tiny_experiment(replications=2, outcomes=["roi", "total_revenue"])
    data.pop("conditions")
    data["strategies"] = {"plain": {}, "silent": {"set": {"campaign": []}}}
    out = tmp_path / "out"
    assert (
        main(["batch", str(write_experiment(tmp_path, data)), "--serial", "--out", str(out)]) == 0
    )
    assert main(["compare", str(out)]) == 0
    report = (out / "report.md").read_text()
    roi = report[report.index("### `roi`") :]
    silent = next(line for line in roi.splitlines() if line.startswith("| **silent** |"))
    assert silent == "| **silent** | – | [–, –] | – | [–, –] | – | – | – of pairs | – |"
    assert "nan" not in report


def test_strategies_that_all_run_several_brands_compare_without_customer_value(tmp_path):
    """Runs of several brands give customer value per brand only: with every strategy such,
    no run had ``total_clv`` and compare stopped on its missing column."""
    two = small_scenario(
        name="two", brands=[{"name": "shop", "price": 100.0}, {"name": "rival", "price": 90.0}]
    )
    (tmp_path / "two.toml").write_text(tomli_w.dumps(two))
    data = tiny_experiment(replications=2, outcomes=["total_clv", "total_revenue"])
    data.pop("conditions")
    data["baseline"] = "both"
    data["strategies"] = {
        "both": {"scenario": "two.toml"},
        "cheaper": {"scenario": "two.toml", "set": {"brands.shop.price": 90.0}},
    }
    out = tmp_path / "out"
    assert (
        main(["batch", str(write_experiment(tmp_path, data)), "--serial", "--out", str(out)]) == 0
    )
    assert main(["compare", str(out)]) == 0
    report = (out / "report.md").read_text(encoding="utf-8")
    clv = report[report.index("### `total_clv`") : report.index("### `total_revenue`")]
    assert "| **cheaper** | – | [–, –] |" in clv
    assert (
        "`both` and `cheaper` run several brands and give `total_clv` per brand only: "
        "`total_clv__shop`, `total_clv__rival` in `results.parquet`." in clv
    )
    revenue = compare(out).summary.set_index(["outcome", "strategy"]).loc["total_revenue"]
    assert revenue["n"].tolist() == [2, 2]


def test_every_outcome_is_described_in_the_report():
    """Customer value and loyalty tiers had no description, gross margin read "fees,, summed",
    and the first letter's capital lowered the rest ("abc class a", "ai personalisation")."""
    for scenario in ("two_brands", "points_vs_tiers", "proactive_personalisation"):
        for name in outcome_names(load_scenario(SCENARIOS / f"{scenario}.toml")):
            text = _describe_outcome(name)
            assert text and ",," not in text and "today" not in text, (name, text)
            assert text.endswith(f"(brand `{split_column(name)[1]}`)") == ("__" in name), name
            assert "abc" not in text and " ai " not in text and "nan" not in text.lower(), text
            money = ("revenue", "cost", "profit", "margin", "clv", "value")
            money_named = any(word in split_column(name)[0] for word in money)
            assert ("in Rp thousand" in text) == money_named, (name, text)  # was no unit


def test_intervals_stop_at_the_values_an_outcome_can_take(tmp_path):
    """Complaints are a count, 0 in some runs: with three replications the t interval of
    their mean reaches below 0, which no run can have; the report's interval, the daily band
    and the adopted share's interval stay within their outcome's values."""
    outcomes = ["total_complaints", "final_adopted_share"]
    data = tiny_experiment(replications=3, outcomes=outcomes)
    data.pop("conditions")
    out = tmp_path / "out"
    run_experiment(load_experiment(write_experiment(tmp_path, data)), out, serial=True)
    comparison = compare(out)
    results = comparison.results
    reaching = [
        (strategy, outcome)
        for (strategy, outcome), low in _t_lows(results, outcomes).items()
        if low < bounds(outcome)[0]
    ]
    assert ("plain", "total_complaints") in reaching, "the case the test is about"
    summary = comparison.summary.set_index(["strategy", "outcome"])
    for key in reaching:
        assert summary.loc[key, "ci_low"] == bounds(key[1])[0] < summary.loc[key, "ci_high"]
    shares = comparison.summary[comparison.summary["outcome"] == "final_adopted_share"]
    assert (comparison.summary["ci_low"] >= 0).all() and (shares["ci_high"] <= 1).all()
    band = comparison.bands["cumulative_complaints"]
    assert (band["ci_low"] >= 0).all() and (band["ci_low"] == 0).any()
    report = write_report(comparison, out).read_text(encoding="utf-8")
    complaints = report[report.index("### `total_complaints`") :]
    plain = next(line for line in complaints.splitlines() if line.startswith("| **plain** |"))
    assert plain.split(" | ")[2].startswith("[0,"), plain


def _t_lows(results: pd.DataFrame, outcomes: list[str]) -> dict[tuple[str, str], float]:
    """The lower end of each strategy's t interval, uncut."""
    lows = {}
    for strategy, group in results.groupby("strategy"):
        for outcome in outcomes:
            x = group[outcome].to_numpy(dtype=float)
            half = stats.t.ppf(0.975, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x))
            lows[strategy, outcome] = x.mean() - half
    return lows


def test_every_table_of_a_single_strategy_reads_back_with_its_columns(tmp_path):
    """With nothing to compare, spend.csv and decomposition.csv held a bare newline, which
    pandas cannot read (EmptyDataError)."""
    data = tiny_experiment(replications=2, outcomes=["total_profit"])
    data.pop("conditions")
    data["strategies"] = {"plain": {}}
    out = tmp_path / "out"
    assert main(["batch", str(write_experiment(tmp_path, data)), "--out", str(out)]) == 0
    assert main(["compare", str(out)]) == 0
    tables = {path.stem: pd.read_csv(path) for path in (out / "tables").glob("*.csv")}
    assert set(tables) == {"summary", "differences", "decomposition", "spend"}
    assert len(tables["summary"]) == 1
    assert {"strategy", "measure", "mean"} <= set(tables["decomposition"].columns)
    assert {"strategy", "extra_spend", "equal_cost"} <= set(tables["spend"].columns)


def test_customers_gained_count_the_customers_of_each_conditions_runs(tmp_path):
    """Every condition's shares were multiplied by the base scenario's 300 customers."""
    data = tiny_experiment(replications=2, outcomes=["final_adopted_share"])
    data["strategies"] = {"plain": {}, "promo": data["strategies"]["promo"]}
    data["conditions"] = {"parameters": [{"path": "population.size", "values": [150, 450]}]}
    del data["customers"]  # the condition gives the customers
    out = tmp_path / "out"
    assert main(["batch", str(write_experiment(tmp_path, data)), "--out", str(out)]) == 0
    assert main(["compare", str(out)]) == 0
    store = ResultStore(out)

    def adopters(run_id: str) -> int:
        return int(np.isfinite(store.adoption(run_id)).sum())

    report = (out / "report.md").read_text()
    for condition, size in enumerate((150, 450)):
        gained = np.mean(
            [
                adopters(f"promo-c{condition:03d}-r{r:02d}")
                - adopters(f"plain-c{condition:03d}-r{r:02d}")
                for r in range(2)
            ]
        )
        row = re.search(rf"\| {condition} \| {size} \| \*\*promo\*\* \| ([-\d.,]+) \[", report)
        assert row is not None and float(row.group(1).replace(",", "")) == pytest.approx(gained)
    assert "with 150 to 450 (by condition) customers over 15 days" in report
    assert "times the customers of the condition's runs" in report


def test_a_batch_stopped_before_it_finished_is_said_to_be_unfinished(tmp_path, capsys):
    """The report and the terminal read as if every planned run had finished."""
    data = tiny_experiment(replications=2, outcomes=["total_profit"])
    data.pop("conditions")

    class Stop(Exception):
        pass

    def stop_after_four(done: int, planned: int) -> None:
        if done >= 4:
            raise Stop

    experiment = load_experiment(write_experiment(tmp_path, data))
    with pytest.raises(Stop):
        run_experiment(experiment, tmp_path / "out", serial=True, on_run=stop_after_four)
    assert main(["compare", str(tmp_path / "out")]) == 0
    said = "2 of the 6 planned runs have not run yet (the batch was stopped before it finished)"
    assert said in capsys.readouterr().out
    assert f"**{said.replace(' (', '** (', 1)}" in (tmp_path / "out" / "report.md").read_text()
    with held_folder(tmp_path / "out", "batch"):  # as a batch still running holds it
        assert main(["compare", str(tmp_path / "out")]) == 0
    printed = capsys.readouterr().out
    assert "have not run yet (the batch is still running)" in printed, printed
    assert "Compare again once it has finished." in printed
    assert "was stopped" not in printed and "Rerun" not in printed


def test_a_batch_without_a_finished_baseline_run_compares_nothing_yet(batch, tmp_path):
    """Pairing refuses a baseline that no run has; a batch stopped before the baseline's
    first run has finished must still be compared: its means, and no pairs."""
    out = tmp_path / "out"
    shutil.copytree(batch, out)
    results = pd.read_parquet(out / "results.parquet")
    for run_id in results.loc[results["strategy"] == "plain", "run_id"]:
        for folder in (out / "runs", out / "runs" / "adoption"):
            (folder / f"{run_id}.parquet").unlink(missing_ok=True)
    results[results["strategy"] != "plain"].to_parquet(out / "results.parquet")
    comparison = compare(out)
    assert comparison.differences.empty and comparison.spend.empty
    assert set(comparison.summary["strategy"]) == {"quiet", "promo"}
    assert "have not run yet" in write_report(comparison, tmp_path / "r").read_text()
    with pytest.raises(InputError, match="comparison: expected the statistics of a results"):
        write_report(str(out), tmp_path / "r")  # a folder's path: was an AttributeError


def test_a_run_listed_as_failed_and_finished_is_not_counted_twice(batch, tmp_path):
    """A batch killed between writing a redone run and clearing its failure leaves both:
    "-1 of the 24 planned runs have not run yet"."""
    out = tmp_path / "out"
    shutil.copytree(batch, out)
    row = pd.read_parquet(out / "results.parquet").iloc[[0]]
    row.assign(attempts=3, error="MemoryError", traceback="").to_parquet(out / "failed.parquet")
    assert compare(out).pending == 0
    assert compare(out).pending_sentences() == []


def test_every_column_of_the_tables_is_reserved_from_the_parameters_names(batch):
    """A condition named as a column of these tables is refused when the file is read
    (``TABLE_COLUMNS``); a table with a new column must reserve it too."""
    comparison = compare(batch)
    experiment = comparison.experiment
    frames = [comparison.results, comparison.failures, comparison.summary]
    frames += [comparison.differences, comparison.decomposition, comparison.spend]
    frames += list(comparison.bands.values())
    named = {name for frame in frames for name in [*frame.columns, *frame.index.names] if name}
    allowed = {*IDENTIFIERS, *TABLE_COLUMNS, *outcome_names(experiment.scenario)}
    allowed |= {*columns(experiment.scenario), *(p.label for p in experiment.parameters)}
    assert named - allowed == set()


@pytest.mark.parametrize(
    ("prepare", "problem"),
    [
        (
            lambda out: (out / "calibration.toml").write_text("kind = 'calibration'\n"),
            "holds a calibration (calibration.toml), which a comparison's report would "
            "overwrite or mix with: use another --out",
        ),
        (
            lambda out: (out / "experiment.toml").write_text("kind = 'batch'\n"),
            "holds the results of a batch or a sensitivity analysis (experiment.toml), which "
            "a comparison's report would overwrite or mix with",
        ),
        (
            lambda out: (out / "tables").write_text("not a folder\n"),
            "tables is a file (expected the folders figures, tables or nothing there",
        ),
        (
            lambda out: (out / "report.md").mkdir(),
            "report.md is a folder (expected the files report.md or nothing there",
        ),
    ],
)
def test_a_report_folder_holding_other_results_or_the_wrong_kind_of_file_is_refused(
    batch, tmp_path, capsys, prepare, problem
):
    """``compare --out`` wrote its report over a calibration's or another batch's, and a
    file named ``tables`` failed with an OS error after the figures were written."""
    out = tmp_path / "elsewhere"
    out.mkdir()
    prepare(out)
    before = sorted(path.name for path in out.iterdir())
    assert main(["compare", str(batch), "--out", str(out)]) == 2
    assert problem in capsys.readouterr().err
    assert sorted(path.name for path in out.iterdir()) == before


def test_a_pairing_that_raised_some_variance_is_not_called_a_negative_cut():
    """It read "cut the variance ... by 8% (from -3% to 25%)"."""
    from types import SimpleNamespace

    from ecosim.report.markdown import _pairing_sentence

    differences = pd.DataFrame({"variance_reduction": [-0.0268, 0.08, 0.2483]})
    c = SimpleNamespace(
        differences=differences, experiment=SimpleNamespace(baseline="plain"), groups=[]
    )
    [sentence, _] = _pairing_sentence(c)
    assert "by 8% in the median" in sentence
    assert "(from a rise of 3% to a cut of 25%)" in sentence
    differences["variance_reduction"] = [0.16, 0.5, 0.99]
    assert "(from 16% to 99%)" in _pairing_sentence(c)[0]
    differences["variance_reduction"] = [-0.3, -0.1, -0.05]
    [sentence, _] = _pairing_sentence(c)
    assert "by -10% (a rise) in the median" in sentence
    assert "(from a rise of 5% to one of 30%)" in sentence


@pytest.mark.filterwarnings("ignore:.*the horizon of 4 days")
def test_the_report_says_whose_mean_rests_on_fewer_runs(tmp_path):
    """A strategy's mean and difference left out the runs where the outcome is undefined
    (no buyer: no CLV per buyer) and the report did not say so: its mean read as the
    baseline's, of more runs."""
    data = tiny_experiment(
        replications=6, days=4, customers=60, outcomes=["mean_clv_per_buyer", "net_sentiment"]
    )
    data.pop("conditions")
    experiment = load_experiment(write_experiment(tmp_path, data))
    run_experiment(experiment, tmp_path / "out", serial=True, progress=False)
    comparison = compare(tmp_path / "out")
    report = write_report(comparison, tmp_path / "report").read_text()
    missing = comparison.results.groupby("strategy")["mean_clv_per_buyer"].apply(
        lambda runs: int(runs.isna().sum())
    )
    assert missing.min() > 0 and missing.max() < 6, "some runs without a buyer, not all"
    section = report.split("### `mean_clv_per_buyer`")[1].split("### ")[0]
    named = [f"`{s}` in {k} of 6 runs" for s, k in missing.items()]
    assert all(part in section for part in named), (named, section)
    assert "Undefined, so left out of the means and the pairs: " in section
    silent = report.split("### `net_sentiment`")[1].split("### ")[0]
    assert "`plain` in all 6 runs" in silent  # no one spoke in 4 days


def test_compare_takes_a_confidence_level_and_its_tables_record_it(tmp_path, capsys):
    """Only the Python API could change the level, and the tables did not say theirs."""
    data = tiny_experiment(replications=3, outcomes=["total_revenue"])
    data.pop("conditions")
    out = tmp_path / "out"
    assert (
        main(["batch", str(write_experiment(tmp_path, data)), "--out", str(out), "--serial"]) == 0
    )
    assert main(["compare", str(out), "--confidence", "0.9", "--out", str(tmp_path / "r")]) == 0
    printed = capsys.readouterr().out
    assert "(90% CI " in printed and "95%" not in printed
    assert "| 90% CI |" in (tmp_path / "r" / "report.md").read_text()
    for table in ("summary", "differences", "spend"):
        assert pd.read_csv(tmp_path / "r" / "tables" / f"{table}.csv")["confidence"].eq(0.9).all()
    with pytest.raises(SystemExit):
        main(["compare", str(out), "--confidence", "95"])
    assert "expected a number between 0 and 1 (exclusive), such as 0.9 (got '95')" in (
        capsys.readouterr().err
    )
    with pytest.raises(SystemExit):  # a batch pairs its runs: 1 was said to be enough
        main(["batch", str(tmp_path / "experiment.toml"), "--replications", "1"])
    assert "--replications: expected a whole number >= 2 (got '1')" in capsys.readouterr().err


def test_a_strategy_equal_to_the_baseline_in_every_pair_is_said_equal_not_lower(tmp_path):
    """It was "higher in 0% of pairs", which reads as lower in all of them."""
    data = tiny_experiment(replications=2, days=5, customers=100, outcomes=["total_revenue"])
    data.pop("conditions")
    data["strategies"] = {"plain": {}, "copy": {"description": "the same plan again"}}
    out = tmp_path / "out"
    run_experiment(load_experiment(write_experiment(tmp_path, data)), out, serial=True)
    report = write_report(compare(out), tmp_path / "r").read_text()
    (row,) = [
        line
        for line in report.splitlines()
        if line.startswith("| **copy** |") and "of pairs" in line
    ]
    assert "| 0% of pairs (100% equal) |" in row, row


def test_compare_refuses_a_folder_holding_a_report_it_did_not_write(batch, tmp_path, capsys):
    """A user's report.md in the --out folder was written over without a word."""
    out = tmp_path / "mine"
    out.mkdir()
    (out / "report.md").write_text("# my report")
    assert main(["compare", str(batch), "--out", str(out)]) == 2
    assert "its report.md is not one this command wrote" in capsys.readouterr().err
    assert (out / "report.md").read_text() == "# my report"
    (out / "report.md").unlink()
    assert main(["compare", str(batch), "--out", str(out)]) == 0
    assert main(["compare", str(batch), "--out", str(out)]) == 0, "its own report: rewritten"


def test_a_compare_stopped_while_it_writes_can_be_run_again(batch, tmp_path, monkeypatch, capsys):
    """Its figures were written before its report.md: a compare stopped between them left a
    folder that every later compare refused as another's."""
    import ecosim.report.markdown

    written = ecosim.report.markdown.write_figure

    def full_disk(figure, path, **kwargs):  # after the first figure
        if (path.parent / "outcomes.png").exists():
            raise OSError("No space left on device")
        written(figure, path, **kwargs)

    out = tmp_path / "report"
    with monkeypatch.context() as patched:
        patched.setattr(ecosim.report.markdown, "write_figure", full_disk)
        assert main(["compare", str(batch), "--out", str(out)]) == 1
    assert main(["compare", str(batch), "--out", str(out)]) == 0, capsys.readouterr().err
    assert (out / "figures" / "outcomes.png").exists()


def test_a_description_with_a_bar_or_a_line_break_keeps_the_strategies_table_whole(tmp_path):
    """A description's ``|`` split its row into extra cells, and a line break ended it."""
    data = tiny_experiment(replications=2, days=5, customers=100, outcomes=["total_revenue"])
    data.pop("conditions")
    data["strategies"]["promo"]["description"] = "ads | posts\nthen a promotion"
    out = tmp_path / "out"
    run_experiment(load_experiment(write_experiment(tmp_path, data)), out, serial=True)
    report = write_report(compare(out), tmp_path / "r").read_text()
    table = report.split("### Strategies")[1].split("\n\n")[1].splitlines()
    assert len(table) == 2 + 3, table
    (row,) = [line for line in table if line.startswith("| **promo** |")]
    assert "| ads \\| posts then a promotion |" in row
    assert all(len(re.findall(r"(?<!\\)\|", line)) == 4 for line in table), table


def test_in_a_market_of_several_brands_each_brand_s_own_spend_decides_equal_cost(tmp_path):
    """The totals added the rival's money: cutting the shop's advertising moved the market's
    spend by well under 1% beside a rival spending a hundred times more, and was called equal
    cost, and the rival's profit was counted in the shop's."""
    (tmp_path / "two.toml").write_text(tomli_w.dumps(rival_market(name="two")))
    data = tiny_experiment(replications=3, outcomes=["total_profit"])
    data.pop("conditions")
    data["scenario"] = "two.toml"
    data["strategies"] = {"plain": {}, "quieter": {"set": {"campaign.0.intensity": 0.3}}}
    out = tmp_path / "out"
    run_experiment(load_experiment(write_experiment(tmp_path, data)), out, serial=True)
    comparison = compare(out)
    results = comparison.results.set_index(["strategy", "replication"])
    market = results[["total_marketing_cost", "total_service_cost", "total_programme_cost"]]
    assert abs(market.sum(axis=1)["quieter"].mean() / market.sum(axis=1)["plain"].mean() - 1) < 0.01
    rows = comparison.spend.set_index("brand")
    assert rows["strategy"].tolist() == ["quieter", "quieter"]
    for brand in ("shop", "rival"):
        own = results[[f"total_{c}_cost__{brand}" for c in ("marketing", "service", "programme")]]
        spend = own.sum(axis=1)
        profit = results[f"total_profit__{brand}"]
        assert rows.loc[brand, "extra_spend"] == pytest.approx(
            (spend["quieter"] - spend["plain"]).mean()
        )
        assert rows.loc[brand, "extra_profit"] == pytest.approx(
            (profit["quieter"] - profit["plain"]).mean()
        )
    assert not rows.loc["shop", "equal_cost"] and rows.loc["shop", "extra_spend_share"] < -0.5
    assert rows.loc["rival", "equal_cost"]
    report = write_report(comparison, tmp_path / "report").read_text()
    assert "| `quieter` | shop | " in report and "| `quieter` | rival | " in report
    assert "**Not at equal cost:** `quieter` (shop); compare it by profit" in report
    assert set(comparison.spend.columns) <= {*IDENTIFIERS, *TABLE_COLUMNS}  # reserved names


@pytest.mark.parametrize("brands", [1, 2])
def test_a_strategy_adding_a_brand_leaves_the_baselines_brands_compared(tmp_path, brands):
    """A brand only a strategy ran made compare fail (KeyError), and beside a baseline of one
    brand the cost section went missing."""
    scenario = small_scenario(name="market")
    if brands == 2:
        scenario["brands"].append({"name": "rival", "price": 90.0, "budget": 10_000.0})
    (tmp_path / "market.toml").write_text(tomli_w.dumps(scenario))
    data = tiny_experiment(replications=2, outcomes=["total_profit"], scenario="market.toml")
    data.pop("conditions")
    entrant = {"name": "entrant", "price": 80.0}
    data["strategies"] = {
        "plain": {},
        "quieter": {"set": {"campaign.0.intensity": 0.3}},
        "entry": {"append": {"brands": [entrant]}},
    }
    out = tmp_path / "out"
    run_experiment(load_experiment(write_experiment(tmp_path, data)), out, serial=True)
    assert main(["compare", str(out)]) == 0
    spend = compare(out).spend
    quieter = spend[spend["strategy"] == "quieter"]
    assert list(quieter.get("brand", ["(totals)"])) == (
        ["shop", "rival"] if brands == 2 else ["(totals)"]
    )
    assert not quieter["equal_cost"].iloc[0]
    assert "entrant" not in set(spend.get("brand", []))
    assert "## Cost and incremental profit" in (out / "report.md").read_text()
