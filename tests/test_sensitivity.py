"""ecosim sensitivity: Morris and Sobol designs over an experiment's ranges, end to end."""

import re
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecosim import market
from ecosim.cli import main
from ecosim.experiment import (
    ExperimentError,
    load_experiment,
    plan,
    run_experiment,
    run_sensitivity,
    sensitivity_design,
)
from ecosim.experiment.schema import sensitivity_problems
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
    report = (out / "sensitivity.md").read_text()
    assert "Sobol" in report
    assert "Table: `tables/sobol.csv`.\n\n## References\n" in report, "a heading of its own"


def test_sensitivity_needs_ranges(tmp_path, capsys):
    data = tiny_experiment(conditions={"parameters": [{"path": "days", "values": [5, 10]}]})
    del data["days"]  # the conditions give the days
    path = write_experiment(tmp_path, data)
    with pytest.raises(
        ExperimentError, match=r"parameters\[0\]: sensitivity analysis needs a range"
    ):
        sensitivity_design(load_experiment(path), "morris")
    out = str(tmp_path / "out")
    assert main(["sensitivity", str(path), "--method", "morris", "--out", out]) == 2
    assert f"ecosim: error: {path}: 1 problem\n" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


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


def test_morris_levels_are_even(tmp_path):
    data = tiny_experiment(sensitivity={"levels": 3})
    with pytest.raises(ExperimentError) as refused:
        load_experiment(write_experiment(tmp_path, data))
    assert "sensitivity.levels: Morris needs an even number of grid levels (got 3)" in str(
        refused.value
    )


def test_the_file_s_days_under_a_sensitivity_parameter_that_varies_them_are_refused(tmp_path):
    """A batch, which does not vary days, still runs the file's days."""
    days = {"name": "days", "path": "days", "range": [10, 20], "integer": True}
    data = tiny_experiment(sensitivity={"parameters": [days]})
    path = write_experiment(tmp_path, data)
    experiment = load_experiment(path)
    assert sensitivity_problems(experiment) == [
        (
            "days",
            "sensitivity.parameters[0] gives every run its days, so days = 15 would apply to "
            "no run: remove days or the parameter",
        )
    ]


END = {"name": "end", "path": "campaign.0.end", "range": [14, 20], "integer": True}


def test_a_morris_grid_off_the_whole_numbers_of_an_integer_parameter_is_refused(tmp_path):
    """The runs round an integer parameter: the design's steps must be steps it can run."""
    experiment = sensitivity_experiment(tmp_path, parameters=[END], levels=6)
    with pytest.raises(ExperimentError) as refused:
        sensitivity_design(experiment, "morris")
    assert refused.value.problems == [
        (
            "sensitivity.parameters[0].range",
            "[14, 20] puts the 6 levels of the Morris grid between whole numbers (14, 15.2, "
            "16.4, 17.6, 18.8, 20), so the runs would not step as the design does; expected "
            "high - low a multiple of levels - 1 = 5: sensitivity.levels = 2, 4 for this "
            "range, or a range such as [14, 19]",
        )
    ]
    assert len(sensitivity_design(experiment, "sobol").runs) == 64 * 4, "Sobol has no grid"


def test_random_designs_give_each_whole_number_of_an_integer_range_the_same_chance(tmp_path):
    """Drawn from half a unit beyond each end, rounding gives 14..20 an equal share each."""
    experiment = sensitivity_experiment(tmp_path, parameters=[END], samples=256)
    design = sensitivity_design(experiment, "sobol")
    ran = [run.overrides["campaign.0.end"] for run in design.runs if run.replication == 0]
    counts = np.bincount(ran, minlength=21)[14:]
    assert set(ran) == set(range(14, 21)) and all(isinstance(end, int) for end in ran)
    expected = len(ran) / 7
    assert np.all(np.abs(counts - expected) < 0.1 * expected), counts
    points = [dict(run.values) for run in design.runs]
    assert design.problem["bounds"][0] == [14, 20], "the range the report states"
    assert all(14 <= p["end"] <= 20 for p in points)


@pytest.mark.filterwarnings("ignore::ecosim.errors.InputWarning")
@settings(max_examples=40, deadline=None)
@given(low=st.integers(1, 50), steps=st.integers(1, 5), stride=st.integers(1, 4))
def test_a_morris_design_runs_the_steps_its_indices_divide_by(tmp_path_factory, low, steps, stride):
    """Every level of an accepted grid is whole: each run's rounded value is the design's."""
    levels = 2 * steps
    high = low + stride * (levels - 1)
    parameter = {**END, "path": "campaign.0.start", "name": "start", "range": [low, high]}
    data = tiny_experiment(
        days=high + 2,
        sensitivity={"parameters": [parameter], "levels": levels, "trajectories": 4},
    )
    data["strategies"] = {"plain": {"set": {"campaign.0.end": high + 1}}}
    experiment = load_experiment(write_experiment(tmp_path_factory.mktemp("grid"), data))
    design = sensitivity_design(experiment, "morris")
    column = design.sample[:, 0]
    np.testing.assert_allclose(column, np.round(column), atol=1e-9)
    ran = [run.overrides["campaign.0.start"] for run in design.runs]
    np.testing.assert_allclose(ran, column[[run.condition for run in design.runs]])


def test_an_outcome_undefined_at_some_design_points_has_no_indices_and_says_why(tmp_path):
    """Free advertising at some points: roi there is undefined, so it gets a note, not NaNs."""
    free = {**PARAMETERS[0], "range": [0.0, 2.0]}
    experiment = sensitivity_experiment(
        tmp_path,
        parameters=[{k: v for k, v in free.items() if k != "levels"}],
        outcomes=["total_marketing_cost", "roi"],
        trajectories=4,
    )
    out = tmp_path / "morris"
    result = run_sensitivity(experiment, out, "morris", serial=True, progress=False)
    free_points = int((result.design.sample[:, 0] == 0).sum())
    assert 0 < free_points < len(result.design.sample)
    assert result.undefined == {"roi": free_points}
    assert set(result.indices["outcome"]) == {"total_marketing_cost"}
    assert result.indices["mu_star"].notna().all()
    report = write_sensitivity_report(result, out).read_text()
    assert (
        f"`roi` is undefined in runs at {free_points} of the {len(result.design.sample)} "
        "design points" in report
    )
    assert "| `cpe` |" in report and "nan" not in report.lower()


def test_an_outcome_no_parameter_changes_has_no_indices_and_says_why(tmp_path, capsys):
    """Nobody joins a programme the scenario does not have: members are 0 at every point."""
    data = tiny_experiment(
        conditions={"parameters": PARAMETERS[:1]},
        sensitivity={
            "outcomes": ["total_marketing_cost", "final_members"],
            "samples": 8,
            "replications": 1,
        },
    )
    out = tmp_path / "out"
    args = ["sensitivity", str(write_experiment(tmp_path, data)), "--method", "sobol"]
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # no 0/0 inside the estimator
        assert main([*args, "--serial", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    points = 8 * (2 + 2)  # Saltelli: N (D + 2), D = the parameter and the dummy
    note = (
        f"final_members was 0 at every one of the {points} design points: no parameter "
        "changed it within its range, so it has no indices (each would be 0 over 0)."
    )
    assert note in printed
    assert note.replace("final_members", "`final_members`") in (out / "sensitivity.md").read_text()
    indices = pd.read_csv(out / "tables" / "sobol.csv")
    assert set(indices["outcome"]) == {"total_marketing_cost"}


def test_when_no_outcome_is_defined_the_report_says_so_without_a_table(tmp_path, capsys):
    data = tiny_experiment(
        strategies={"free": {"set": {"channels.0.cost_per_exposure": 0.0}}},
        baseline="free",
        conditions={"parameters": PARAMETERS[1:]},
        sensitivity={"outcomes": ["roi"], "trajectories": 2, "replications": 1},
    )
    experiment = write_experiment(tmp_path, data)
    out = tmp_path / "out"
    args = ["sensitivity", str(experiment), "--method", "morris", "--serial", "--out"]
    assert main([*args, str(out)]) == 0
    printed = capsys.readouterr().out
    assert "roi is undefined in runs at 6 of the 6 design points" in printed
    report = (out / "sensitivity.md").read_text()
    assert "`roi` has none" in report and "figures/" not in report
    assert not (out / "tables").exists()


@pytest.mark.parametrize("method", ["Morris", "morris ", None])
def test_an_unknown_method_is_refused_before_anything_runs(tmp_path, method):
    """A method other than "morris" ran a Sobol design, recorded under the name given."""
    experiment = sensitivity_experiment(tmp_path, trajectories=2)
    with pytest.raises(ExperimentError, match=r"method: expected one of morris, sobol \(got "):
        run_sensitivity(experiment, tmp_path / "out", method, serial=True, progress=False)
    assert not (tmp_path / "out").exists()


CPE = {key: value for key, value in PARAMETERS[0].items() if key != "levels"}
DEGREE = {"name": "k", "path": "network.k", "range": [4, 10], "integer": True}
ODD = (
    r"design point (\d+) sets network\.k = ([579]) \(with strategy 'plain'\), which the "
    r"scenario refuses: network\.k: k must be even \(got \2\)"
)


def test_design_points_the_scenario_refuses_are_named_before_any_run(tmp_path, capsys, monkeypatch):
    """A Watts-Strogatz k of [4, 10] passed at its ends, then the Sobol runs at 5, 7 and 9
    each failed three times, and the rerun that the command advised failed again."""
    experiment = sensitivity_experiment(tmp_path, parameters=[DEGREE])
    assert len(sensitivity_design(experiment, "morris").runs) == 10 * 3, "4, 6, 8, 10: even"
    with pytest.raises(ExperimentError) as refused:
        sensitivity_design(experiment, "sobol")
    problems = refused.value.problems
    assert [where for where, _ in problems] == ["sensitivity.parameters"] * 3
    matches = [re.fullmatch(ODD, message) for _, message in problems]
    assert all(matches), problems
    assert sorted(int(m[2]) for m in matches) == [5, 7, 9], "distinct points, a few of them"
    monkeypatch.setattr(plan, "_refused_points", lambda *args: [])
    design = sensitivity_design(experiment, "sobol")
    ks = [run.overrides["network.k"] for run in design.runs]
    odd = [point for point, k in enumerate(ks) if k % 2 and k not in ks[:point]]
    assert [int(m[1]) for m in matches] == odd[:3], "the first distinct points refused"
    monkeypatch.undo()
    out = tmp_path / "out"
    args = ["sensitivity", str(tmp_path / "experiment.toml"), "--method", "sobol", "--serial"]
    assert main([*args, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"ecosim: error: {tmp_path / 'experiment.toml'}: 3 problems\n" in err
    assert not out.exists(), "refused before the folder is written"


def test_a_large_design_still_checks_every_value_of_an_integer_parameter(tmp_path, monkeypatch):
    """Values between the ends were never built before the runs; in a design too large to
    build every distinct point, each integer value is still built at the first point taking it."""
    monkeypatch.setattr(plan, "MAX_COMBINATIONS", 1)
    experiment = sensitivity_experiment(tmp_path, parameters=[CPE, DEGREE])
    with pytest.raises(ExperimentError) as refused:
        sensitivity_design(experiment, "sobol")
    odd = [re.search(r"network\.k = (\d+) .* k must be even", m) for _, m in refused.value.problems]
    assert sorted(int(match[1]) for match in odd) == [5, 7, 9]
    built = []
    experiment = sensitivity_experiment(tmp_path, parameters=[CPE, END])
    monkeypatch.setattr(
        market, "resolve_scenario", lambda scenario, overrides: built.append(overrides)
    )
    design = sensitivity_design(experiment, "sobol")
    corners = 4  # the ranges' extremes together (sensitivity_problems)
    assert len(design.sample) == 64 * 5 and len(built) <= corners + 1 + 7
    assert {overrides["campaign.0.end"] for overrides in built} == set(range(14, 21))


def test_a_morris_grid_of_a_million_levels_is_refused_in_a_short_message(tmp_path):
    """Every level of the grid was listed: a million levels made an 8.9 MB message."""
    parameter = {**END, "range": [14, 17]}
    experiment = sensitivity_experiment(tmp_path, parameters=[parameter], levels=1_000_000)
    with pytest.raises(ExperimentError) as refused:
        sensitivity_design(experiment, "morris")
    ((where, message),) = refused.value.problems
    assert where == "sensitivity.parameters[0].range"
    assert message == (
        "[14, 17] puts the 1,000,000 levels of the Morris grid between whole numbers (14, "
        "14.000003, 14.000006, 14.000009, 14.000012, 14.000015, ...), so the runs would not "
        "step as the design does; expected high - low a multiple of levels - 1 = 999,999: "
        "sensitivity.levels = 2, 4 for this range, or a range such as [14, 1000013]"
    )


def test_a_rerun_after_changing_what_no_point_reads_keeps_the_runs(tmp_path):
    """Another strategy than the one analysed, the replications of a batch (the analysis
    has its own) and the outcomes reported were refused as 'a different experiment'."""
    out = tmp_path / "out"
    first = sensitivity_experiment(tmp_path / "a", trajectories=2)
    done = run_sensitivity(first, out, "morris", serial=True, progress=False)
    data = tiny_experiment(
        days=20,
        replications=7,
        description="Reworded.",
        conditions={"parameters": PARAMETERS},
        sensitivity={"outcomes": ["total_revenue"], "replications": 1, "trajectories": 2},
    )
    data["strategies"]["quiet"]["set"]["campaign.0.intensity"] = 0.3
    edited = load_experiment(write_experiment(tmp_path / "b", data))
    again = run_sensitivity(edited, out, "morris", serial=True, progress=False)
    assert (again.batch.skipped, again.batch.finished) == (done.batch.planned, 0)
    assert list(again.indices["outcome"].unique()) == ["total_revenue"]
    data["sensitivity"]["trajectories"] = 3
    more = load_experiment(write_experiment(tmp_path / "c", data))
    with pytest.raises(ExperimentError, match=r"experiment\.sensitivity\.trajectories"):
        run_sensitivity(more, out, "morris", serial=True, progress=False)


def test_sobol_indices_too_noisy_to_read_are_said_so(tmp_path, capsys):
    """With 2 base samples, S1 = -5.1 ± 60,510 was printed and reported as a result."""
    from ecosim.report.sensitivity import _unreliable

    indices = pd.DataFrame(
        {
            "S1": [0.5, -0.02, 1.4, 0.3],
            "S1_conf": [0.1, 0.05, 0.2, 0.7],
            "ST": [0.6, 0.01, 1.0, 0.4],
            "ST_conf": [0.1, 0.05, 0.2, 0.2],
        }
    )
    assert _unreliable(indices, "sobol").tolist() == [False, False, True, True]
    assert not _unreliable(indices, "morris").any()
    experiment = tmp_path / "experiment.toml"
    sensitivity_experiment(tmp_path, samples=2)
    out = tmp_path / "sobol"
    args = ["sensitivity", str(experiment), "--method", "sobol", "--serial", "--out", str(out)]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "Too few samples for " in printed and "raise sensitivity.samples" in printed
    assert "dummy on" not in printed, "the dummy's indices are the noise floor"
    report = (out / "sensitivity.md").read_text()
    assert "**Too few samples for " in report and "| too few samples |" in report


def test_a_batch_runs_a_strategy_changed_under_the_analysis_which_then_refuses_it(tmp_path, capsys):
    """A strategy changed on the command line to set a field that the sensitivity analysis
    varies refused the batch too, though a batch runs no analysis."""
    price = {"name": "price", "path": "brands.shop.price", "range": [80, 120]}
    data = tiny_experiment(conditions=None, sensitivity={"parameters": [price]})
    del data["conditions"]
    path = write_experiment(tmp_path, data)
    changes = ["--serial", "--replications", "2", "--days", "15", "--customers", "100"]
    changes += ["--set", 'strategies.plain.set={"brands.shop.price" = 90}']
    assert main(["batch", str(path), "--out", str(tmp_path / "batch"), *changes]) == 0
    assert "tiny: 6 runs: 0 already done, 6 finished now" in capsys.readouterr().out
    out = tmp_path / "sensitivity"
    assert main(["sensitivity", str(path), "--method", "morris", "--out", str(out), *changes]) == 2
    assert capsys.readouterr().err.endswith(
        f"ecosim: error: {path}: 1 problem\n  sensitivity.parameters[0].path: "
        "'brands.shop.price' overlaps 'brands.shop.price', which strategy 'plain' sets (a "
        "sensitivity parameter must not change a strategy's field)\n"
    )
    assert not out.exists()


def test_sensitivity_refuses_a_folder_holding_a_report_it_did_not_write(tmp_path, capsys):
    """A user's sensitivity.md was written over in a folder the analysis took as new."""
    sensitivity_experiment(tmp_path, trajectories=2)
    path = tmp_path / "experiment.toml"
    out = tmp_path / "notes"
    (out / "tables").mkdir(parents=True)
    (out / "tables" / "morris.csv").write_text("mine")
    changes = ["--serial", "--replications", "1", "--days", "5", "--customers", "100"]
    assert main(["sensitivity", str(path), "--method", "morris", "--out", str(out), *changes]) == 2
    assert "holds tables/morris.csv, which this command would write over, and no " in (
        capsys.readouterr().err
    )
    assert (out / "tables" / "morris.csv").read_text() == "mine"
    assert sorted(p.name for p in out.iterdir()) == ["tables"], "nothing written"


def test_sensitivity_warns_of_the_strategy_it_runs_only(tmp_path, capsys):
    """It warned that the horizon cut short the actions of strategies it does not run."""
    sensitivity_experiment(tmp_path, trajectories=2)
    path = str(tmp_path / "experiment.toml")
    changes = ["--serial", "--days", "5", "--customers", "100", "--replications"]
    out = ["--out", str(tmp_path / "sensitivity")]
    assert main(["sensitivity", path, "--method", "morris", *changes, "1", *out]) == 0
    err = capsys.readouterr().err
    assert "ecosim: warning: scenario 'small': days: the horizon of 5 days" in err  # it runs
    assert "strategy 'promo'" not in err
    assert main(["batch", path, *changes, "2", "--out", str(tmp_path / "batch")]) == 0
    assert "ecosim: warning: strategy 'promo': scenario 'small': days:" in capsys.readouterr().err
