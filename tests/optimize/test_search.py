"""The search finds known optima; the whole command runs and reports; CRN makes it exact."""

import math

import numpy as np
import pandas as pd
import pytest
from optimisation_helpers import tiny_optimisation, write_optimisation
from optuna.trial import TrialState

from ecosim import load_scenario
from ecosim.cli import main
from ecosim.errors import InputError, InputWarning
from ecosim.experiment import runner
from ecosim.optimize import OptimisationError, load_optimisation, optimise, write_report
from ecosim.optimize.report import _quantile_note, comparison_table
from ecosim.optimize.run import CURRENT, stream_seeds
from ecosim.optimize.search import open_study, run_search

from support import rival_market

OPTIMUM = {"brands.0.margin": 0.62, "brands.0.quality": 0.35}


def test_the_search_finds_the_optimum_of_a_known_function(tmp_path):
    """A noisy quadratic with its maximum inside the box, at OPTIMUM."""
    variables = [
        {"name": "margin", "path": "brands.0.margin", "low": 0.1, "high": 0.9},
        {"name": "quality", "path": "brands.0.quality", "low": 0.0, "high": 1.0},
    ]
    search = {"evaluations": 60, "replications": 2, "batch": 4, "startup": 10}
    optimisation = load_optimisation(
        write_optimisation(tmp_path, tiny_optimisation(variables=variables, search=search))
    )
    noise = np.random.default_rng(3)

    def evaluate(plans):
        return [
            {
                "total_profit": -sum((plan[p] - x) ** 2 for p, x in OPTIMUM.items())
                + noise.normal(scale=0.002)
            }
            for plan in plans
        ]

    study = open_study(optimisation, tmp_path / "out")
    assert run_search(study, optimisation, evaluate) == 60
    best = study.best_trial.params
    assert abs(best["margin"] - 0.62) < 0.08 and abs(best["quality"] - 0.35) < 0.08
    assert run_search(study, optimisation, evaluate) == 0  # the budget is spent


def test_optimise_finds_the_highest_margin_and_reports_it(tmp_path):
    """Margin does not change what customers do: under common random numbers profit rises
    exactly with it, so the highest margin tried must win the search and the selection.
    Its lead over the current plan is large but varies with each replication's sales, so
    the selection may need more than its first stage to settle it."""
    selection = {**tiny_optimisation()["selection"], "max_replications": 40}
    path = write_optimisation(tmp_path, tiny_optimisation(selection=selection))
    optimisation = load_optimisation(path)
    outcome = optimise(optimisation, tmp_path / "out", serial=True)
    trials = outcome.study.get_trials(states=(TrialState.COMPLETE,))
    assert len(trials) == 6
    margins = [t.params["margin"] for t in trials]
    best = outcome.study.best_trial
    assert best.params["margin"] == max(margins)
    chosen = outcome.chosen
    assert chosen.name != CURRENT
    assert chosen.params["margin"] == max(c.params.get("margin", 0.3) for c in outcome.candidates)
    assert outcome.selected.guaranteed and outcome.selected.counts.min() == 3
    report = write_report(outcome, optimisation).read_text()
    assert f"**Plan `{chosen.name}`**" in report and "within 50 of the best" in report
    assert "sets margin (`brands.0.margin`) to" in report
    assert "(+0.0%): the same cost, within 1%." in report  # margin changes no cost
    assert "quantile over the same runs" not in report  # the only objective is a mean
    plan = load_scenario(tmp_path / "out" / "plan.toml")
    assert math.isclose(plan.brands[0].margin, chosen.params["margin"])
    comparison = pd.read_csv(tmp_path / "out" / "tables" / "comparison.csv").set_index("outcome")
    assert comparison.loc["total_profit", "difference_ci_low"] > 0
    assert comparison.loc["total_revenue", "difference"] == 0  # the same sales, seed for seed
    assert (tmp_path / "out" / "figures" / "convergence.png").read_bytes()[:4] == b"\x89PNG"


def test_a_rerun_redoes_nothing(tmp_path):
    path = write_optimisation(tmp_path)
    optimisation = load_optimisation(path)
    first = optimise(optimisation, tmp_path / "out", serial=True)
    runs = pd.read_parquet(tmp_path / "out" / "selection.parquet")
    again = optimise(optimisation, tmp_path / "out", serial=True)
    assert again.evaluated_now == 0 and first.evaluated_now == 6
    assert again.chosen == first.chosen
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "out" / "selection.parquet"), runs)


def test_more_evaluations_continue_the_search_in_the_same_folder(tmp_path):
    optimisation = load_optimisation(write_optimisation(tmp_path))
    first = optimise(optimisation, tmp_path / "out", serial=True)
    more = optimisation.model_copy(
        update={"search": optimisation.search.model_copy(update={"evaluations": 8})}
    )
    again = optimise(more, tmp_path / "out", serial=True)
    assert (first.evaluated_now, again.evaluated_now) == (6, 2)
    assert len(again.study.get_trials(states=(TrialState.COMPLETE,))) == 8


def test_a_folder_of_another_optimisation_is_refused(tmp_path):
    optimise(load_optimisation(write_optimisation(tmp_path)), tmp_path / "out", serial=True)
    changed = tiny_optimisation(seed=6)
    other = load_optimisation(write_optimisation(tmp_path / "b", changed))
    with pytest.raises(OptimisationError, match="holds another optimisation"):
        optimise(other, tmp_path / "out", serial=True)


def test_a_plan_proposed_again_is_not_run_again(tmp_path):
    variables = [{"name": "margin", "path": "brands.0.margin", "choices": [0.2, 0.4]}]
    search = {"evaluations": 8, "replications": 2, "batch": 1, "sampler": "random"}
    optimisation = load_optimisation(
        write_optimisation(tmp_path, tiny_optimisation(variables=variables, search=search))
    )
    evaluated = []

    def evaluate(plans):
        evaluated.extend(plans)
        return [{"total_profit": plan["brands.0.margin"] * 10} for plan in plans]

    study = open_study(optimisation, tmp_path / "out")
    assert run_search(study, optimisation, evaluate) == 8
    assert sorted(p["brands.0.margin"] for p in evaluated) == [0.2, 0.4]
    trials = study.get_trials(states=(TrialState.COMPLETE,))
    assert len(trials) == 8
    assert all(t.value == t.params["margin"] * 10 for t in trials)
    assert sum(bool(t.user_attrs.get("repeats")) for t in trials) == 6


def test_an_undefined_objective_is_named_with_why_its_outcome_may_have_no_value(tmp_path):
    """The error said only "an objective is undefined (NaN)", for every plan."""
    search = {"evaluations": 2, "replications": 2, "batch": 1, "sampler": "random"}
    optimisation = load_optimisation(write_optimisation(tmp_path, tiny_optimisation(search=search)))
    study = open_study(optimisation, tmp_path / "out")
    run_search(study, optimisation, lambda plans: [{"total_profit": float("nan")} for _ in plans])
    errors = {t.user_attrs["error"] for t in study.get_trials(states=(TrialState.FAIL,))}
    assert errors == {
        "objective total_profit is undefined (NaN): total_profit has no value in the runs of "
        "this plan (undefined: roi where a run has no marketing cost, net_sentiment where no "
        "one spoke, mean_clv_per_buyer where no customer bought, a mean where no customer is "
        "counted)"
    }


def test_the_results_do_not_depend_on_the_number_of_workers(tmp_path):
    search = {"evaluations": 4, "replications": 2, "batch": 2, "startup": 2}
    optimisation = load_optimisation(write_optimisation(tmp_path, tiny_optimisation(search=search)))
    here = optimise(optimisation, tmp_path / "serial", serial=True)
    there = optimise(optimisation, tmp_path / "dask", workers=2)
    assert [t.value for t in here.study.trials] == [t.value for t in there.study.trials]
    assert here.chosen == there.chosen
    pd.testing.assert_frame_equal(here.runs, there.runs)


def test_when_no_plan_beats_the_current_one_it_is_kept(tmp_path):
    """Every margin searched is below the current 0.3: the current plan is exactly the best."""
    variables = [{"name": "margin", "path": "brands.0.margin", "low": 0.1, "high": 0.25}]
    search = {"evaluations": 2, "replications": 2, "batch": 2}
    optimisation = load_optimisation(
        write_optimisation(tmp_path, tiny_optimisation(variables=variables, search=search))
    )
    outcome = optimise(optimisation, tmp_path / "out", serial=True)
    assert outcome.chosen.name == CURRENT and outcome.selected.guaranteed
    report = write_report(outcome, optimisation).read_text()
    assert "**Keep the current plan.**" in report
    assert load_scenario(tmp_path / "out" / "plan.toml").brands[0].margin == 0.3


def test_the_comparison_says_which_rows_are_quantiles(tmp_path):
    objectives = [
        {"outcome": "total_profit", "direction": "maximize"},
        {"outcome": "total_revenue", "direction": "maximize", "statistic": "quantile"},
    ]
    with_quantile = load_optimisation(
        write_optimisation(tmp_path / "q", tiny_optimisation(objectives=objectives))
    )
    means_only = load_optimisation(write_optimisation(tmp_path / "m"))
    assert _quantile_note(with_quantile) == (
        "; `total_revenue_p10`: each plan's quantile over the same runs, without an interval"
    )
    assert _quantile_note(means_only) == ""


def test_a_variable_beyond_what_fanova_holds_still_gets_its_plan_and_report(tmp_path):
    """fANOVA's random forests hold parameters as 32-bit floats (at most about 3.4e38): a
    budget searched up to 1e300 stopped the report before plan.toml, on every rerun."""
    variables = [
        {"name": "budget", "path": "brands.0.budget", "low": 1000.0, "high": 1e300, "log": True},
        *tiny_optimisation()["variables"],
    ]
    path = write_optimisation(tmp_path, tiny_optimisation(variables=variables))
    optimisation = load_optimisation(path)
    outcome = optimise(optimisation, tmp_path / "out", serial=True)
    report = write_report(outcome, optimisation).read_text()
    assert (
        "Not estimated: fANOVA's random forests hold parameters as 32-bit floats, at most "
        "3.4e+38, and the range of `budget` reaches beyond that." in report
    )
    assert pd.read_csv(tmp_path / "out" / "tables" / "importances.csv").empty
    plan = load_scenario(tmp_path / "out" / "plan.toml")
    assert plan.brands[0].budget == outcome.chosen.overrides.get("brands.0.budget", 10_000.0)


def test_a_plan_on_a_shorter_horizon_leaves_out_the_actions_after_it_and_runs(tmp_path, capsys):
    """days = 8 ends before the promotion (days 10-12) of the base scenario starts: no
    evaluation ran it, and ecosim run refuses a scenario holding an action after its end."""
    path = write_optimisation(tmp_path, tiny_optimisation(days=8))
    out = tmp_path / "out"
    assert main(["optimize", str(path), "--serial", "--out", str(out)]) == 0
    text = (out / "plan.toml").read_text()
    left_out = (
        "leaves out campaign[1] (promotion from day 10): starting after the last day (8), "
        "it ran in no evaluation"
    )
    assert f"# It {left_out}." in text
    assert f"`plan.toml` {left_out}." in (out / "report.md").read_text()
    capsys.readouterr()
    assert main(["run", str(out / "plan.toml"), "--out", str(tmp_path / "run")]) == 0
    with pytest.warns(InputWarning, match=r"campaign\[0\].end: ends on day 20"):  # cut short
        assert [a.type for a in load_scenario(out / "plan.toml").campaign] == ["advertising"]


def failing(monkeypatch, broken):
    """Make the simulation of each job for which ``broken(job)`` is true raise."""
    simulate = runner.summarise

    def summarise(job):
        if broken(job):
            raise RuntimeError("the simulation broke")
        return simulate(job)

    monkeypatch.setattr(runner, "summarise", summarise)


def test_an_optimisation_whose_every_evaluation_failed_chooses_nothing(
    tmp_path, capsys, monkeypatch
):
    """Every plan of the search fails (the current plan runs): no plan of the search was
    compared, so none is chosen, with or without the selection guarantee."""
    failing(monkeypatch, lambda job: bool(job.overrides))
    path = write_optimisation(tmp_path)
    out = tmp_path / "out"
    assert main(["optimize", str(path), "--serial", "--out", str(out)]) == 1
    output = capsys.readouterr()
    assert "chosen" not in output.out
    assert (
        f"ecosim: 6 of 6 evaluations of the search failed (errors in {out / 'study.db'}); "
        "no plan is chosen:\n  trial_0: RuntimeError: the simulation broke\n" in output.err
    )
    assert "Traceback" not in output.err and "internal error" not in output.err
    assert not (out / "plan.toml").exists() and not (out / "selection.parquet").exists()


def test_failed_evaluations_are_listed_and_fail_the_command(tmp_path, capsys, monkeypatch):
    """The first plan fails, the others run (its batch-mate too, with no error of its own):
    the plan is chosen among those, exit status 1."""
    first: list[dict] = []

    def broken(job):
        if job.overrides and not first:
            first.append(job.overrides)
        return job.overrides in first

    failing(monkeypatch, broken)
    path = write_optimisation(tmp_path)
    out = tmp_path / "out"
    assert main(["optimize", str(path), "--serial", "--out", str(out)]) == 1
    output = capsys.readouterr()
    assert "chosen: " in output.out and (out / "plan.toml").exists()
    assert (
        f"ecosim: 1 of 6 evaluations of the search failed (errors in "
        f"{out / 'tables' / 'trials.csv'}); the plan was chosen among the others:\n"
        "  trial_0: RuntimeError: the simulation broke\nfailed evaluations count" in output.err
    )
    trials = pd.read_csv(out / "tables" / "trials.csv").set_index("number")
    assert list(trials["state"].iloc[:2]) == ["FAIL", "COMPLETE"], trials
    report = (out / "report.md").read_text()  # it said "5 evaluations ...; 1 failed"
    assert "6 evaluations of 2 replications each, 2 at a time; 1 of them failed |" in report


def test_a_failed_run_of_the_selection_stage_stops_it_and_a_rerun_continues(
    tmp_path, capsys, monkeypatch
):
    """The search succeeds and a run of the selection stage fails: no plan is chosen, the
    command says which plans' runs failed and keeps the finished ones; once the cause is
    gone, a rerun continues without running them again."""
    fourth = stream_seeds(5, 1, 6)[4]
    failing(monkeypatch, lambda job: job.seed == fourth)
    path = write_optimisation(tmp_path)
    out = tmp_path / "out"
    assert main(["optimize", str(path), "--serial", "--out", str(out)]) == 1
    output = capsys.readouterr()
    assert "chosen" not in output.out and not (out / "plan.toml").exists()
    assert (
        f"ecosim: a run of the selection stage failed ({CURRENT}): RuntimeError: the simulation "
        "broke; no plan is chosen: remove its cause\nfinished evaluations and selection runs "
        f"are kept in {out}; rerun the same command to continue" in output.err
    )
    assert "Traceback" not in output.err and "internal error" not in output.err
    kept = pd.read_parquet(out / "selection.parquet")
    assert len(kept) >= 9 and fourth not in set(kept["replication"])

    monkeypatch.undo()
    ran: list[int] = []
    failing(monkeypatch, lambda job: bool(ran.append(job.seed)))
    assert main(["optimize", str(path), "--serial", "--out", str(out)]) == 0
    again = pd.read_parquet(out / "selection.parquet")
    assert len(ran) == len(again) - len(kept) and (out / "plan.toml").exists()
    pd.testing.assert_frame_equal(again.iloc[: len(kept)], kept)


def test_a_machine_error_stops_the_search_and_a_rerun_evaluates_its_plans(tmp_path):
    """Out of memory is no plan's failure: nothing is recorded as failed, and the plans the
    error cut short are evaluated first when the search continues."""
    optimisation = load_optimisation(write_optimisation(tmp_path))
    study = open_study(optimisation, tmp_path / "out")
    calls: list[list[dict]] = []

    def out_of_memory(plans):
        calls.append(plans)
        raise MemoryError

    with pytest.raises(MemoryError):
        run_search(study, optimisation, out_of_memory)
    assert len(calls) == 1, "a machine error is not retried plan by plan"
    assert [t.state for t in study.get_trials()] == [TrialState.RUNNING] * 2

    def profit(plans):
        return [{"total_profit": plan["brands.0.margin"]} for plan in plans]

    assert run_search(study, optimisation, profit) == 6
    requeued = [t for t in study.get_trials() if "requeued_from" in t.user_attrs]
    assert [t.params for t in requeued] == [t.params for t in study.get_trials()[:2]]
    assert not [t for t in study.get_trials() if "error" in t.user_attrs]


def test_a_rerun_with_fewer_selection_replications_reports_as_a_new_folder_would(tmp_path):
    """Runs an earlier selection kept beyond the new max_replications are not compared."""
    data = tiny_optimisation(selection={**tiny_optimisation()["selection"], "max_replications": 40})
    path = write_optimisation(tmp_path, data)
    optimise(load_optimisation(path), tmp_path / "out", serial=True)
    fewer = {"selection.max_replications": 4}
    again = optimise(load_optimisation(path, fewer), tmp_path / "out", serial=True)
    fresh = optimise(load_optimisation(path, fewer), tmp_path / "fresh", serial=True)
    assert again.chosen.name == fresh.chosen.name
    pd.testing.assert_frame_equal(again.runs, fresh.runs)
    assert again.runs["replication"].max() < 4


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"optimisation": "spend.toml"}, r"^optimisation: expected an Optimisation \(.*got str$"),
        ({"serial": "yes"}, r"^serial: expected True or False, got 'yes'$"),
        ({"workers": 2}, r"^workers and serial: cannot go together"),
        ({"on_batch": 5}, r"^on_batch: expected a function, .* got int$"),
    ],
    ids=["file-path", "serial-not-bool", "workers-and-serial", "on_batch"],
)
def test_arguments_optimise_cannot_use_are_refused_before_its_folder_is_written(
    tmp_path, given, message
):
    """The folder was claimed (its record and fingerprint written, so that batches and
    calibrations then refused it) before open_runner refused these."""
    arguments = {
        "optimisation": load_optimisation(write_optimisation(tmp_path)),
        "out": tmp_path / "out",
        "serial": True,
        **given,
    }
    with pytest.raises(InputError, match=message):
        optimise(**arguments)
    assert not (tmp_path / "out").exists()


def test_a_plan_for_one_brand_of_several_is_costed_at_that_brand_s_own_spend(tmp_path):
    """With the rival's money in the totals, a plan that cut the shop's advertising by more
    than half was said to spend "the same cost, within 1%"."""
    two = rival_market()
    variables = [
        {"name": "margin", "path": "brands.0.margin", "low": 0.6, "high": 0.9},
        {"name": "ads", "path": "campaign.0.intensity", "low": 0.2, "high": 0.4},
    ]
    objectives = [{"outcome": "total_profit__shop", "direction": "maximize"}]
    data = tiny_optimisation(variables=variables, objectives=objectives)
    optimisation = load_optimisation(write_optimisation(tmp_path, data, two))
    outcome = optimise(optimisation, tmp_path / "out", serial=True)
    row = comparison_table(outcome, optimisation).iloc[0]
    runs = outcome.runs.set_index(["candidate", "replication"])
    pairs = runs.loc[outcome.chosen.name].index.intersection(runs.loc[CURRENT].index)
    costs = [f"total_{c}_cost__shop" for c in ("marketing", "service", "programme")]
    own = runs[costs].sum(axis=1)
    extra = (own.loc[outcome.chosen.name].loc[pairs] - own.loc[CURRENT].loc[pairs]).mean()
    assert row["spend_brand"] == "shop" and row["extra_spend"] == pytest.approx(extra)
    assert row["extra_spend_share"] < -0.5 and not row["equal_cost"]
    report = write_report(outcome, optimisation).read_text()
    assert "(shop's own marketing, service and programme costs)" in report
    assert "**not at equal cost**" in report
