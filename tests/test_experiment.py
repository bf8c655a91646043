"""Experiment files: validation, strategies, designs, seeds and the run plan."""

import copy
import os
import subprocess
import sys
import warnings
from functools import partial
from unittest.mock import ANY

import numpy as np
import pytest
import tomli_w

from ecosim.cli import main
from ecosim.errors import InputError, InputWarning
from ecosim.experiment import (
    ExperimentError,
    condition_table,
    load_experiment,
    outcome_names,
    plan_runs,
    replication_seeds,
    run_experiment,
    run_sensitivity,
    scenario_changes,
    sensitivity_design,
    strategy_overrides,
)
from ecosim.experiment.plan import refused_conditions
from ecosim.model import resolve_scenario
from ecosim.scenario import load_scenario

from experiment_helpers import tiny_experiment, write_experiment
from support import ROOT, ring_scenario, small_scenario

SHIPPED = sorted((ROOT / "experiments").glob("*.toml"))


def test_three_experiments_are_shipped():
    assert [p.name for p in SHIPPED] == [
        "loyalty_designs.toml",
        "seeding_strategies.toml",
        "strategy_comparison.toml",
    ]


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_experiments_load_and_plan(path):
    with warnings.catch_warnings():  # was: loyalty_designs warned of its tables set whole
        warnings.simplefilter("error", InputWarning)
        experiment = load_experiment(path)
        runs = plan_runs(experiment)
    assert experiment.name == path.stem
    assert experiment.scenario.population.size == 10_000
    assert experiment.replications == 20
    conditions = len(condition_table(experiment))
    assert len(runs) == len(experiment.strategies) * conditions * experiment.replications
    assert len({run.run_id for run in runs}) == len(runs)
    assert experiment.baseline in experiment.strategies
    assert set(experiment.outcomes) <= set(outcome_names(experiment.scenario))


def test_customers_and_days_apply_to_the_base_scenario(tmp_path):
    experiment = load_experiment(write_experiment(tmp_path))
    assert experiment.scenario.population.size == 300
    assert experiment.scenario.days == 15
    assert experiment.scenario_file == "scenario.toml"


def test_overrides_change_the_file_before_it_is_validated(tmp_path):
    path = write_experiment(tmp_path)
    plain = load_experiment(path)
    experiment = load_experiment(
        path,
        overrides={
            "strategies": {"promo": plain.strategies["promo"].model_dump(), "plain": {}},
            "baseline": "promo",
            "replications": 2,
            "customers": 200,
            "days": 10,
            "conditions": None,
        },
    )
    assert list(experiment.strategies) == ["promo", "plain"]
    assert experiment.strategies["promo"] == plain.strategies["promo"]
    assert experiment.baseline == "promo" and experiment.conditions is None
    assert (experiment.scenario.population.size, experiment.scenario.days) == (200, 10)
    assert len(plan_runs(experiment)) == 4, "2 strategies x 2 replications, no conditions"
    with pytest.raises(ExperimentError, match=r"baseline: unknown strategy 'quiet'"):
        load_experiment(path, overrides={"strategies": {"plain": {}}, "baseline": "quiet"})
    with pytest.raises(
        ExperimentError, match=r"\(overrides\): 1 problem\n  replications.0: replications is a"
    ):
        load_experiment(path, overrides={"replications.0": 2})


def test_an_override_of_a_strategy_the_file_lacks_is_refused(tmp_path):
    """``--set strategies.promos.set=...`` (a misspelt name) ran as one more strategy."""
    path = write_experiment(tmp_path)
    names = ", ".join(load_experiment(path).strategies)
    with pytest.raises(ExperimentError) as caught:
        load_experiment(path, {"strategies.promos.description": "x"})
    assert caught.value.problems == [
        (
            "strategies.promos.description",
            f"the file has no strategy 'promos' (expected one of: {names}); a strategy is "
            "added in the file, not by an override",
        )
    ]
    assert (
        load_experiment(path, {"strategies.promo.description": "x"}).strategies["promo"].description
        == "x"
    )


def test_a_strategy_that_sets_and_appends_to_one_list_runs_both(tmp_path):
    """A ``set`` inside a list the strategy appends to is in the appended list: the two are
    one change, not a table set whole after a field inside it."""
    from ecosim.experiment.schema import Strategy, strategy_overrides

    base = load_experiment(write_experiment(tmp_path)).scenario
    extra = base.campaign[0].model_dump()
    strategy = Strategy(set={"campaign.0.intensity": 0.25}, append={"campaign": [extra]})
    overrides = strategy_overrides(base, strategy)
    assert list(overrides) == ["campaign"]
    assert overrides["campaign"][0]["intensity"] == 0.25
    assert len(overrides["campaign"]) == len(base.campaign) + 1


def test_strategies_set_and_append(tmp_path):
    experiment = load_experiment(write_experiment(tmp_path))
    base = experiment.scenario
    quiet = resolve_scenario(
        base, overrides=strategy_overrides(base, experiment.strategies["quiet"])
    )
    assert quiet.campaign[0].intensity == 0.2
    assert len(quiet.campaign) == len(base.campaign)
    promo = resolve_scenario(
        base, overrides=strategy_overrides(base, experiment.strategies["promo"])
    )
    assert len(promo.campaign) == len(base.campaign) + 1
    assert promo.campaign[-1].discount == 0.3
    assert promo.campaign[:-1] == base.campaign


def test_replacing_the_campaign_then_appending(tmp_path):
    action = {"type": "promotion", "brand": "shop", "start": 1, "end": 2, "discount": 0.1}
    data = tiny_experiment()
    data["strategies"]["fresh"] = {"set": {"campaign": []}, "append": {"campaign": [action]}}
    experiment = load_experiment(write_experiment(tmp_path, data))
    overrides = strategy_overrides(experiment.scenario, experiment.strategies["fresh"])
    scenario = resolve_scenario(experiment.scenario, overrides=overrides)
    assert [a.type for a in scenario.campaign] == ["promotion"]


def _plan_b(folder, **changes):
    """Write ``plan_b.toml``: the small scenario with another price and campaign plan."""
    data = small_scenario(name="plan_b", description="the other plan", seed=99, **changes)
    data["brands"][0]["price"] = 90.0
    data["campaign"] = [
        {"type": "promotion", "brand": "shop", "start": 3, "end": 9, "discount": 0.1},
    ]
    (folder / "plan_b.toml").write_text(tomli_w.dumps(data))


def _comparable(scenario):
    return scenario.model_dump(exclude={"name", "description", "seed"})


def test_a_strategy_from_a_scenario_file_runs_that_file(tmp_path):
    data = tiny_experiment()
    data["strategies"]["b"] = {"scenario": "plan_b.toml"}
    data["strategies"]["b_dearer"] = {"scenario": "plan_b.toml", "set": {"brands.0.price": 95}}
    path = write_experiment(tmp_path, data)
    _plan_b(tmp_path)
    experiment = load_experiment(path)
    b = experiment.strategies["b"]
    assert b.scenario == "plan_b.toml"
    assert b.set == {"brands.0.price": 90.0, "campaign": [ANY]}, "only what differs"
    base = experiment.scenario
    ran = resolve_scenario(base, overrides=strategy_overrides(base, b))
    expected = resolve_scenario(load_scenario(tmp_path / "plan_b.toml"), customers=300, days=15)
    assert _comparable(ran) == _comparable(expected)
    dearer = experiment.strategies["b_dearer"]
    assert resolve_scenario(base, overrides=strategy_overrides(base, dearer)).brands[0].price == 95
    changed = load_experiment(path, {"scenario.brands.0.budget": 20_000.0})
    overrides = strategy_overrides(changed.scenario, changed.strategies["b"])
    brand = resolve_scenario(changed.scenario, overrides=overrides).brands[0]
    assert brand.budget == 20_000, "a change to the base applies where the file agrees with it"
    assert brand.price == 90


@pytest.mark.filterwarnings("ignore::ecosim.errors.InputWarning")
def test_scenario_changes_turn_each_shipped_scenario_into_every_other():
    scenarios = {path.stem: load_scenario(path) for path in sorted(ROOT.glob("scenarios/*.toml"))}
    pairs = 0
    for a, base in scenarios.items():
        for b, other in scenarios.items():
            if a != b:
                made = resolve_scenario(base, overrides=scenario_changes(base, other))
                assert _comparable(made) == _comparable(other), f"{a} into {b}"
                pairs += 1
    assert pairs >= 12 * 11


def test_a_strategy_file_changed_after_a_batch_is_refused(tmp_path, capsys):
    data = tiny_experiment(replications=2)
    del data["conditions"]
    data["strategies"] = {"plain": {}, "b": {"scenario": "plan_b.toml"}}
    path = write_experiment(tmp_path, data)
    _plan_b(tmp_path)
    out = tmp_path / "out"
    assert main(["batch", str(path), "--serial", "--out", str(out)]) == 0
    assert main(["batch", str(path), "--serial", "--out", str(out)]) == 0
    assert "4 runs: 4 already done, 0 finished now" in capsys.readouterr().out
    assert main(["compare", str(out)]) == 0
    report = (out / "report.md").read_text()
    expected = "| **b** | the other plan | the file `plan_b.toml`: `brands.0.price` = `90.0`; "
    assert expected in report
    _plan_b(tmp_path)
    text = (tmp_path / "plan_b.toml").read_text().replace("price = 90.0", "price = 80.0")
    (tmp_path / "plan_b.toml").write_text(text)
    assert main(["batch", str(path), "--serial", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "holds a different experiment" in err
    assert "experiment.strategies.b.set.brands.0.price (folder: 90.0, now: 80.0)" in err


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"days": 40}, r"plan_b\.toml: days is 40, the base scenario's 30: strategies are "),
        (
            {"population": {"size": 800, "segments": [{"name": "a", "share": 1.0}]}},
            r"population\.size is 800, the base scenario's 500: .* set customers in the ",
        ),
    ],
)
def test_a_strategy_file_must_share_the_horizon_and_customers(tmp_path, changes, expected):
    data = tiny_experiment()
    data["strategies"]["b"] = {"scenario": "plan_b.toml"}
    del data["days"], data["customers"]
    path = write_experiment(tmp_path, data)
    _plan_b(tmp_path, **changes)
    with pytest.raises(ExperimentError, match=r"strategies\.b\.scenario: .*" + expected):
        load_experiment(path)
    experiment = load_experiment(path, {"days": 20, "customers": 300})
    overrides = strategy_overrides(experiment.scenario, experiment.strategies["b"])
    b = resolve_scenario(experiment.scenario, overrides=overrides)
    assert (b.days, b.population.size) == (20, 300), "the experiment's, for every strategy"


def test_the_experiments_customers_hold_where_a_file_replaces_the_population(tmp_path):
    data = tiny_experiment()
    data["strategies"]["b"] = {"scenario": "plan_b.toml"}
    base = small_scenario()
    base["population"]["reference_price"] = 100.0  # plan_b leaves it out: a whole new table
    path = write_experiment(tmp_path, data, scenario=base)
    _plan_b(tmp_path, population={**small_scenario()["population"], "size": 800})
    experiment = load_experiment(path)
    b = experiment.strategies["b"]
    assert "population" in b.set
    scenario = resolve_scenario(
        experiment.scenario, overrides=strategy_overrides(experiment.scenario, b)
    )
    assert scenario.population.size == 300
    assert scenario.population.reference_price is None
    del data["customers"]
    with pytest.raises(ExperimentError, match=r"population\.size is 800, the base scenario's 500"):
        load_experiment(write_experiment(tmp_path, data, scenario=base))


def test_a_missing_or_broken_strategy_file_is_named(tmp_path):
    data = tiny_experiment()
    data["strategies"]["b"] = {"scenario": "plan_b.toml"}
    path = write_experiment(tmp_path, data)
    with pytest.raises(ExperimentError) as caught:
        load_experiment(path)
    [(field, message)] = caught.value.problems
    assert field == "strategies.b.scenario"
    assert "plan_b.toml" in message and "not found" in message
    _plan_b(tmp_path, days=0)
    with pytest.raises(ExperimentError, match=r"strategies\.b\.scenario: .*plan_b\.toml: days: "):
        load_experiment(path)


def test_runs_share_seeds_across_strategies_and_conditions(tmp_path):
    experiment = load_experiment(write_experiment(tmp_path))
    runs = plan_runs(experiment)
    assert len(runs) == 3 * 2 * 3
    seeds = replication_seeds(11, 3)
    assert len(set(seeds)) == 3
    for run in runs:
        assert run.seed == seeds[run.replication]
    expected = np.random.SeedSequence(11).spawn(3)[1].generate_state(1, dtype=np.uint64)[0] >> 1
    assert seeds[1] == int(expected)
    first = runs[0]
    assert first.run_id == "plain-c000-r00"
    assert first.values == {"wom": 0.2}
    assert first.overrides == {"dynamics.wom_awareness_rate": 0.2}
    assert [r.strategy for r in runs[:3]] == ["plain", "quiet", "promo"], "pairs come first"
    assert {r.run_id for r in runs} >= {"promo-c001-r02", "quiet-c000-r01"}


def test_a_latin_hypercube_that_draws_a_condition_twice_is_refused(tmp_path):
    """Was: conditions 2, 3, 2, 2, 3, 3 of network.m, identical runs compared as six."""
    price = {"path": "brands.shop.price", "name": "price", "range": [100, 101], "integer": True}
    design = {"design": "latin_hypercube", "points": 6, "parameters": [price]}
    data = tiny_experiment(conditions=design)
    experiment = load_experiment(write_experiment(tmp_path, data))
    [(field, problem)] = refused_conditions(experiment)
    assert field == "conditions.points"
    assert problem.startswith("the Latin hypercube's 6 conditions hold only 2 different ones")
    assert "set points to at most 2 (the whole numbers in price's range)" in problem
    data["conditions"]["points"] = 2
    assert refused_conditions(load_experiment(write_experiment(tmp_path, data))) == []


def test_factorial_and_latin_hypercube_designs(tmp_path):
    parameters = [
        {"path": "dynamics.wom_awareness_rate", "name": "wom", "values": [0.2, 0.4, 0.6]},
        {"path": "network.k", "name": "k", "values": [4, 8]},
    ]
    data = tiny_experiment(conditions={"parameters": parameters})
    factorial = condition_table(load_experiment(write_experiment(tmp_path / "f", data)))
    assert factorial[:3] == [
        {"wom": 0.2, "k": 4},
        {"wom": 0.2, "k": 8},
        {"wom": 0.4, "k": 4},
    ]
    assert len(factorial) == 6
    lhs = {
        "design": "latin_hypercube",
        "points": 8,
        "parameters": [
            {"path": "dynamics.wom_awareness_rate", "name": "wom", "range": [0.1, 0.9]},
            {"path": "brands.shop.price", "name": "price", "range": [50, 150], "integer": True},
        ],
    }
    path = write_experiment(tmp_path / "l", tiny_experiment(conditions=lhs))
    table = condition_table(load_experiment(path))
    assert len(table) == 8
    wom = sorted(c["wom"] for c in table)
    assert all(0.1 <= w <= 0.9 for w in wom)
    strata = [int((w - 0.1) / 0.1) for w in wom]
    assert strata == list(range(8)), "one point in each of the 8 strata of a Latin hypercube"
    assert all(isinstance(c["price"], int) and 50 <= c["price"] <= 150 for c in table)
    assert table == condition_table(load_experiment(path)), "seeded by the experiment's seed"
    lhs["points"] = 300
    lhs["parameters"][1]["range"] = [1, 3]
    path = write_experiment(tmp_path / "w", tiny_experiment(conditions=lhs))
    counts = np.bincount([c["price"] for c in condition_table(load_experiment(path))])
    assert counts.tolist() == [0, 100, 100, 100], "each whole number one stratum in three"


BROKEN = {
    "unknown field": (
        {"replicatons": 3},
        ["replicatons: unknown field"],
    ),
    "too few replications": (
        {"replications": 1},
        ["replications: Input should be greater than or equal to 2 (got 1)"],
    ),
    "unknown baseline": (
        {"baseline": "nope"},
        ["baseline: unknown strategy 'nope' (expected one of: plain, quiet, promo)"],
    ),
    "unknown outcome": (
        {"outcomes": ["total_revenue", "total_revenu"]},
        [
            "outcomes[1]: unknown outcome 'total_revenu' (did you mean total_revenue? expected "
            "one of: final_ followed by aware_share, adopted_share"
        ],
    ),
    "an outcome name too long to repeat": (  # was repeated in full
        {"outcomes": ["total_revenue", "x" * 500]},
        ["outcomes[1]: unknown outcome 'xxxxxxxxxxxxxxxxxxx...xxxxxxxxx' (502 chars) (expected"],
    ),
    "an outcome named by a word of its name": (  # "profit" suggested nothing
        {"outcomes": ["profit", "revenue"]},
        [
            "outcomes[0]: unknown outcome 'profit' (did you mean total_profit? expected one of:",
            "outcomes[1]: unknown outcome 'revenue' (did you mean total_revenue or "
            "total_fee_revenue? expected one of:",
        ],
    ),
    "too few customers for the scenario's network": (  # was blamed on "customers/days"
        {"customers": 2, "days": 20},
        ["\n  customers: scenario 'small': network.k: a ring of 6 nearest neighbours needs"],
    ),
    "a horizon beyond the scenario's longest": (
        {"customers": 300, "days": 100_000},
        ["\n  days: scenario 'small': days: Input should be less than or equal to 36500"],
    ),
    "an outcome twice": (
        {"outcomes": ["total_revenue", "total_profit", "total_revenue"]},
        ["outcomes[2]: 'total_revenue' is given twice (expected each outcome once)"],
    ),
    "a sensitivity outcome twice": (
        {"sensitivity": {"outcomes": ["total_profit", "total_profit"]}},
        ["sensitivity.outcomes[1]: 'total_profit' is given twice (expected each outcome once)"],
    ),
    "bad strategy name": (
        {"strategies": {"Mass-Ads": {}}, "baseline": "Mass-Ads"},
        ["strategies.Mass-Ads: the name must be lower case letters, digits and _"],
    ),
    "invalid strategy value": (
        {"strategies": {"plain": {}, "loud": {"set": {"campaign.0.intensity": 3}}}},
        ["strategies.loud: campaign[0].intensity: Input should be less than or equal to 1 (got 3)"],
    ),
    "strategy path to nothing": (
        {"strategies": {"plain": {}, "cheap": {"set": {"brands.nope.price": 3}}}},
        ["strategies.cheap: brands.nope.price: no item named 'nope' (expected one of: shop)"],
    ),
    "append to a table": (
        {"strategies": {"plain": {}, "odd": {"append": {"brands.0": [{"a": 1}]}}}},
        ["strategies.odd: append.brands.0: is a dict, not a list"],
    ),
    "unquoted dotted path": (
        {"strategies": {"plain": {}, "odd": {"set": {"campaign 0": 1}}}},
        ["strategies.odd.set: 'campaign 0' is not a dotted field path"],
    ),
    "path written as in messages": (
        {"conditions": {"parameters": [{"path": "campaign[0].intensity", "values": [0.5]}]}},
        [
            "conditions.parameters[0].path: 'campaign[0].intensity' is not a dotted field "
            "path: write campaign.0.intensity (names and list positions joined by dots, as "
            "brands.0.price or brands.tokoku.price)"
        ],
    ),
    "values and range": (
        {"conditions": {"parameters": [{"path": "days", "values": [5], "range": [1, 2]}]}},
        ["conditions.parameters[0]: give either values (a list) or range ([low, high])"],
    ),
    "range without levels": (
        {"conditions": {"parameters": [{"path": "dynamics.venting_rate", "range": [0.1, 0.2]}]}},
        ["conditions.parameters[0].levels: a range in a factorial design needs levels"],
    ),
    "invalid condition value": (
        {"conditions": {"parameters": [{"path": "dynamics.venting_rate", "values": [0.5, 5.0]}]}},
        [
            "conditions.parameters[0]: value 5.0: dynamics.venting_rate: "
            "Input should be less than or equal to 1 (got 5.0)"
        ],
    ),
    "condition overlaps a strategy": (
        {"conditions": {"parameters": [{"path": "campaign.0", "values": [1]}]}},
        [
            "conditions.parameters[0].path: 'campaign.0' overlaps 'campaign.0.intensity', "
            "which strategy 'quiet' sets"
        ],
    ),
    "condition sets a strategy's field by another name": (
        {
            "strategies": {
                "plain": {"description": "as written"},
                "pricey": {"set": {"brands.shop.price": 120.0}},
            },
            "conditions": {"parameters": [{"path": "brands.0.price", "values": [90.0, 110.0]}]},
        },
        [
            "conditions.parameters[0].path: 'brands.0.price' overlaps 'brands.shop.price', "
            "which strategy 'pricey' sets"
        ],
    ),
    "integer on a fractional range": (
        {
            "conditions": {
                "design": "latin_hypercube",
                "points": 4,
                "parameters": [
                    {"path": "dynamics.venting_rate", "range": [0.1, 0.4], "integer": True}
                ],
            }
        },
        [
            "conditions.parameters[0].range: an integer parameter needs whole numbers for "
            "low and high (got [0.1, 0.4])"
        ],
    ),
    "integer on a fractional sensitivity range": (
        {
            "sensitivity": {
                "parameters": [{"path": "network.k", "range": [4, 10.5], "integer": True}]
            }
        },
        ["sensitivity.parameters[0].range: an integer parameter needs whole numbers for"],
    ),
    "latin hypercube without points": (
        {
            "conditions": {
                "design": "latin_hypercube",
                "parameters": [{"path": "dynamics.venting_rate", "values": [0.1]}],
            }
        },
        [
            "conditions.parameters[0].values: a latin_hypercube design needs a range",
            "conditions.points: a latin_hypercube design needs the number of points",
        ],
    ),
    "levels in a latin hypercube": (
        {
            "conditions": {
                "design": "latin_hypercube",
                "points": 3,
                "parameters": [{"path": "dynamics.venting_rate", "range": [0.1, 0.2], "levels": 5}],
            }
        },
        [
            "conditions.parameters[0].levels: applies to a factorial design; a "
            "latin_hypercube design samples the range at its points"
        ],
    ),
    "a whole-number field without integer": (
        {
            "conditions": {
                "parameters": [{"path": "population.size", "range": [200, 400], "levels": 3}]
            }
        },
        [
            "conditions.parameters[0].integer: population.size takes whole numbers: set "
            "integer = true (the design's values are then rounded)"
        ],
    ),
    "an infinite value of a whole-number field": (
        {
            "conditions": {
                "parameters": [{"path": "population.size", "values": [300, float("inf")]}]
            }
        },
        ["conditions.parameters[0]: value inf: population.size:"],
    ),
    "integer values with a fraction": (
        {
            "conditions": {
                "parameters": [{"path": "network.m", "values": [2, 3.5], "integer": True}]
            }
        },
        [
            "conditions.parameters[0].values[1]: an integer parameter takes whole numbers "
            "(got 3.5); leave out integer = true"
        ],
    ),
    "two condition parameters of one field": (
        {
            "conditions": {
                "parameters": [
                    {"name": "wom", "path": "dynamics.wom_awareness_rate", "values": [0.5]},
                    {"name": "wom2", "path": "dynamics.wom_awareness_rate", "values": [2.0]},
                ]
            }
        },
        [
            "1 problem\n",
            "conditions.parameters[1].path: 'dynamics.wom_awareness_rate' (parameter 'wom2') "
            "is also set by conditions.parameters[0] (parameter 'wom'); a field takes one "
            "value: remove one of the two parameters",
        ],
    ),
    "one condition field spelled two ways": (
        {
            "conditions": {
                "parameters": [
                    {"name": "by_name", "path": "brands.shop.price", "values": [90.0]},
                    {"name": "by_position", "path": "brands.0.price", "values": [110.0]},
                ]
            }
        },
        [
            "conditions.parameters[1].path: 'brands.0.price' (parameter 'by_position') is "
            "also set by conditions.parameters[0] (parameter 'by_name') (as 'brands.shop.price')"
        ],
    ),
    "repeated condition value": (
        {
            "conditions": {
                "parameters": [{"path": "dynamics.wom_awareness_rate", "values": [0.5, 2.0, 0.5]}]
            }
        },
        [
            "1 problem\n",
            "conditions.parameters[0].values[2]: 0.5 repeats values[0] (expected each value "
            "once; a repeat runs the same conditions twice)",
        ],
    ),
    "integer levels that round to repeats": (
        {
            "conditions": {
                "parameters": [{"path": "network.k", "range": [4, 6], "levels": 4, "integer": True}]
            }
        },
        [
            "conditions.parameters[0].levels: 4 levels over [4, 6] round to repeated whole "
            "numbers (4, 5, 5, 6); expected at most 3 levels"
        ],
    ),
    "missing scenario file": (
        {"scenario": "nowhere.toml"},
        ["scenario: ", "nowhere.toml: file not found"],
    ),
}


@pytest.mark.parametrize("case", list(BROKEN), ids=list(BROKEN))
def test_broken_experiments_name_file_field_and_expectation(tmp_path, case):
    changes, expected = BROKEN[case]
    path = write_experiment(tmp_path, tiny_experiment(**changes))
    with pytest.raises(ExperimentError) as caught:
        load_experiment(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    for text in expected:
        assert text in message


def test_missing_and_invalid_files(tmp_path):
    with pytest.raises(ExperimentError, match=r"nowhere\.toml: 1 problem\n  file not found"):
        load_experiment(tmp_path / "nowhere.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "x"\nseed = \n')
    with pytest.raises(ExperimentError, match=r"invalid TOML: .*\(at line 2, column 8\)"):
        load_experiment(bad)


def test_a_scenario_table_inline_is_accepted(tmp_path):
    from support import small_scenario

    data = tiny_experiment(scenario=small_scenario())
    path = tmp_path / "inline.toml"
    path.write_text(tomli_w.dumps(data))
    assert load_experiment(path).scenario.name == "small"


def test_cli_reports_a_broken_experiment_without_traceback(tmp_path, capsys):
    path = write_experiment(tmp_path, tiny_experiment(colour="red", replications=0))
    assert main(["batch", str(path), "--out", str(tmp_path / "out"), "--serial"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"ecosim: error: {path}: 2 problems\n")
    assert "  replications: Input should be greater than or equal to 2 (got 0)" in err
    assert "  colour: unknown field" in err
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists()


SENSITIVE = [
    {"name": "cpe", "path": "channels.social.cost_per_exposure", "range": [0.1, 2.0]},
    {"name": "size", "path": "network.k", "range": [4, 10], "integer": True},
]


def test_sensitivity_parameters_are_independent_of_the_conditions(tmp_path):
    data = tiny_experiment(
        conditions={"parameters": [{"path": "days", "values": [5, 10]}]},
        sensitivity={"parameters": SENSITIVE, "trajectories": 3, "replications": 1},
    )
    del data["days"]  # the conditions give the days
    experiment = load_experiment(write_experiment(tmp_path, data))
    assert condition_table(experiment) == [{"days": 5}, {"days": 10}]
    design = sensitivity_design(experiment, "morris")
    assert design.problem["names"] == ["cpe", "size", "dummy"]
    assert design.problem["bounds"][:2] == [[0.1, 2.0], [4.0, 10.0]]
    assert len(design.runs) == 3 * (2 + 1 + 1)
    for run in design.runs:
        assert set(run.overrides) == {"channels.social.cost_per_exposure", "network.k"}
        assert isinstance(run.values["size"], int) and 4 <= run.values["size"] <= 10
        assert "days" not in run.values, "the conditions are not part of the design"


SENSITIVITY_BROKEN = {
    "no range": (
        [{"path": "dynamics.venting_rate"}],
        "sensitivity.parameters[0].range: required field is missing",
    ),
    "low above high": (
        [{"path": "dynamics.venting_rate", "range": [0.5, 0.1]}],
        "sensitivity.parameters[0].range: low (0.5) must be < high (0.1)",
    ),
    "levels are not a sensitivity field": (
        [{"path": "dynamics.venting_rate", "range": [0.1, 0.5], "levels": 3}],
        "sensitivity.parameters[0].levels: unknown field",
    ),
    "reserved name": (
        [{"name": "seed", "path": "dynamics.venting_rate", "range": [0.1, 0.5]}],
        "sensitivity.parameters[0].name: 'seed' is reserved",
    ),
    "two parameters of one field": (
        [
            {"name": "price", "path": "brands.shop.price", "range": [80, 120]},
            {"name": "venting", "path": "dynamics.venting_rate", "range": [0.1, 0.5]},
            {"name": "quality", "path": "brands.shop.price", "range": [90, 110]},
        ],
        "sensitivity.parameters[2].path: 'brands.shop.price' (parameter 'quality') is also "
        "set by sensitivity.parameters[0] (parameter 'price'); a field takes one value: "
        "remove one of the two parameters",
    ),
}


@pytest.mark.parametrize("case", list(SENSITIVITY_BROKEN), ids=list(SENSITIVITY_BROKEN))
def test_broken_sensitivity_parameters_are_named(tmp_path, case):
    parameters, expected = SENSITIVITY_BROKEN[case]
    sensitivity = {"parameters": parameters, "strategy": "quiet"}
    path = write_experiment(tmp_path, tiny_experiment(sensitivity=sensitivity))
    with pytest.raises(ExperimentError) as caught:
        load_experiment(path)
    assert expected in str(caught.value)


SENSITIVITY_UNRUNNABLE = {
    "value outside the scenario schema": (
        [{"path": "dynamics.venting_rate", "range": [0.1, 1.5]}],
        "sensitivity.parameters[0]: value 1.5: dynamics.venting_rate: "
        "Input should be less than or equal to 1",
    ),
    "a field its strategy sets": (
        [{"path": "campaign.0.intensity", "range": [0.1, 0.5]}],
        "sensitivity.parameters[0].path: 'campaign.0.intensity' overlaps "
        "'campaign.0.intensity', which strategy 'quiet' sets",
    ),
}


@pytest.mark.parametrize("case", list(SENSITIVITY_UNRUNNABLE), ids=list(SENSITIVITY_UNRUNNABLE))
def test_sensitivity_parameters_its_strategy_refuses_are_named_when_it_runs(tmp_path, case):
    """Checked against the strategy analysed by the analysis, not on reading: a batch
    runs no analysis, and is not refused for a strategy changed under one."""
    parameters, expected = SENSITIVITY_UNRUNNABLE[case]
    sensitivity = {"parameters": parameters, "strategy": "quiet"}
    path = write_experiment(tmp_path, tiny_experiment(sensitivity=sensitivity))
    experiment = load_experiment(path)
    with pytest.raises(ExperimentError) as caught:
        sensitivity_design(experiment, "morris")
    assert expected in str(caught.value)


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("rating", "a daily outcome"),
        ("step", "a column of the statistics tables"),
        ("mean", "a column of the statistics tables"),
        ("baseline", "a column of the statistics tables"),
        ("n", "a column of the statistics tables"),
    ],
)
def test_a_parameter_named_as_a_column_of_the_tables_is_refused(tmp_path, name, kind):
    """Compare would mistake its column for theirs, after the whole batch has run."""
    parameter = {"name": name, "path": "dynamics.wom_awareness_rate", "range": [0.2, 0.8]}
    for table in ("conditions", "sensitivity"):
        design = {
            "parameters": [{**parameter, "levels": 2} if table == "conditions" else parameter]
        }
        path = write_experiment(tmp_path, tiny_experiment(**{table: design}))
        with pytest.raises(ExperimentError) as caught:
            load_experiment(path)
        assert f"{table}.parameters[0].name: {name!r} is {kind}" in str(caught.value)


def test_a_sensitivity_parameter_may_vary_a_condition_field(tmp_path):
    wom = {"name": "wom", "path": "dynamics.wom_awareness_rate", "range": [0.2, 0.8]}
    data = tiny_experiment(sensitivity={"parameters": [wom]})
    experiment = load_experiment(write_experiment(tmp_path, data))
    assert experiment.parameters[0].path == experiment.sensitivity_parameters[0].path


def test_cli_refuses_two_condition_parameters_of_one_field(tmp_path, capsys):
    wom = {"name": "wom", "path": "dynamics.wom_awareness_rate", "values": [0.5, 2.0]}
    data = tiny_experiment(conditions={"parameters": [wom, {**wom, "name": "wom2"}]})
    path = write_experiment(tmp_path, data)
    assert main(["batch", str(path), "--out", str(tmp_path / "out"), "--serial"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"ecosim: error: {path}: 1 problem\n")
    assert "  conditions.parameters[1].path: 'dynamics.wom_awareness_rate' (parameter" in err
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_sensitivity_without_parameters_says_what_to_add(tmp_path):
    data = tiny_experiment()
    data.pop("conditions")
    experiment = load_experiment(write_experiment(tmp_path, data))
    with pytest.raises(ExperimentError, match=r"sensitivity\.parameters: none given: add"):
        sensitivity_design(experiment, "sobol")


def test_shipped_strategy_comparison_is_ready_for_sensitivity():
    experiment = load_experiment(ROOT / "experiments" / "strategy_comparison.toml")
    for method, points in (("morris", 10 * (4 + 2)), ("sobol", 64 * (5 + 2))):
        design = sensitivity_design(experiment, method)
        assert len(design.sample) == points
        assert design.problem["names"][-1] == "dummy"


def test_overrides_are_recorded_and_may_change_the_base_scenario(tmp_path):
    path = write_experiment(tmp_path)
    overrides = {"replications": 2, "customers": 200, "scenario.brands.0.price": 90.0}
    experiment = load_experiment(path, overrides)
    assert experiment.overrides == overrides
    assert experiment.scenario.brands[0].price == 90.0
    assert experiment.scenario.population.size == 200
    assert load_experiment(path).overrides == {}
    with pytest.raises(
        ExperimentError,
        match=r"scenario: .*brands\[0\]\.price \(set on the command line\): Input should be",
    ):
        load_experiment(path, {"scenario.brands.0.price": -1}, overrides_from="the command line")
    with pytest.raises(ExperimentError) as caught:
        changes = {"seed": -1, "conditions.parameters.0.values": [0.3]}
        load_experiment(path, changes, overrides_from="the command line")
    assert caught.value.problems == [
        ("seed (set on the command line)", "Input should be greater than or equal to 0 (got -1)"),
        (
            "conditions.parameters[0] (with conditions.parameters.0.values set on the command "
            "line)",
            "give either values (a list) or range ([low, high])",
        ),
    ]
    data = tiny_experiment(overrides={"replications": 9})
    with pytest.raises(ExperimentError, match=r"overrides: is recorded by ecosim, not set"):
        load_experiment(write_experiment(tmp_path / "b", data))


def test_reading_an_experiment_or_a_record_does_not_import_dask():
    code = (
        "import sys, ecosim.report, ecosim.experiment; "
        "from ecosim.experiment import read_record, load_experiment; "
        "print(sorted({'dask', 'distributed'} & set(sys.modules)))"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"
    from ecosim.experiment import run_experiment  # the runner's names on first use

    assert run_experiment.__module__ == "ecosim.experiment.runner"


def test_an_experiment_of_more_runs_than_it_may_hold_is_refused(tmp_path):
    huge = {"name": "wom", "path": "dynamics.wom_awareness_rate", "range": [0.2, 0.8]}
    conditions = {"parameters": [{**huge, "levels": 2_000_000}]}
    path = write_experiment(tmp_path, tiny_experiment(conditions=conditions))
    with pytest.raises(ExperimentError) as refused:
        load_experiment(path)
    assert (
        "replications",
        "3 strategies x 2,000,000 conditions x 3 replications make 18,000,000 runs, more than "
        "an experiment may hold (10,000,000)",
    ) in refused.value.problems


@pytest.mark.parametrize(
    ("path", "value", "why"),
    [
        ("seed", 5, "the experiment gives each replication's seed"),
        ("days", 40, "strategies are compared over one horizon; set days in the experiment"),
        ("population.size", 500, "strategies are compared on one market; set customers in"),
    ],
)
def test_a_strategy_may_not_set_what_every_strategy_shares(tmp_path, path, value, why):
    data = tiny_experiment()
    data["strategies"]["quiet"]["set"][path] = value
    with pytest.raises(ExperimentError) as raised:
        load_experiment(write_experiment(tmp_path, data))
    ((where, message),) = raised.value.problems
    assert where == f"strategies.quiet.set.{path}", where
    assert message.startswith(f"cannot be set: {why}"), message


def test_a_condition_a_strategy_makes_invalid_is_refused_when_read(tmp_path):
    data = tiny_experiment()
    del data["strategies"]["promo"]  # it appends to the campaign the condition changes
    data["strategies"]["short"] = {"set": {"campaign.0.end": 4}}
    data["conditions"]["parameters"] = [
        {"name": "start", "path": "campaign.0.start", "values": [1, 6], "integer": True}
    ]
    with pytest.raises(ExperimentError) as raised:
        load_experiment(write_experiment(tmp_path, data))
    assert raised.value.problems[0] == (
        "conditions",
        "strategy 'short' with campaign.0.start = 6: campaign[0]: end (4) must be >= start (6)",
    )


def test_sensitivity_parameters_valid_alone_but_not_together_are_refused(tmp_path):
    data = tiny_experiment()
    data["sensitivity"] = {
        "parameters": [
            {"name": "start", "path": "campaign.0.start", "range": [1, 9], "integer": True},
            {"name": "end", "path": "campaign.0.end", "range": [5, 12], "integer": True},
        ]
    }
    experiment = load_experiment(write_experiment(tmp_path, data))
    with pytest.raises(ExperimentError) as raised:
        sensitivity_design(experiment, "morris")
    ((where, message),) = raised.value.problems
    assert where == "sensitivity" and message.startswith(
        "strategy 'plain' with campaign.0.start = 9, campaign.0.end = 5: campaign[0]: end (5) "
        "must be >= start (9)"
    ), message


@pytest.mark.parametrize(
    ("table", "parameter"),
    [
        ("conditions", {"name": "s", "path": "seed", "values": [1, 2]}),
        ("sensitivity", {"name": "s", "path": "seed", "range": [1, 100], "integer": True}),
    ],
)
def test_a_parameter_of_the_scenario_seed_is_refused(tmp_path, table, parameter):
    """Each run's random numbers come from the experiment's seeds, so varying the scenario's
    seed changed nothing: a sensitivity analysis reported it as a second dummy."""
    data = tiny_experiment(**{table: {"parameters": [parameter]}})
    with pytest.raises(ExperimentError) as raised:
        load_experiment(write_experiment(tmp_path, data))
    assert raised.value.problems == [
        (
            f"{table}.parameters[0].path",
            "'seed' cannot be varied: the experiment gives every run its seed, so no run reads "
            "the scenario's and the parameter would change nothing (more replications measure "
            "the runs' noise)",
        )
    ]


def test_a_strategy_that_appends_an_action_leaves_the_others_free_to_vary(tmp_path):
    """An appended campaign action blocked every campaign.* parameter, saying the strategy set
    actions it never touched."""
    intensity = {"name": "intensity", "path": "campaign.0.intensity", "range": [0.2, 0.8]}
    discount = {"name": "discount", "path": "campaign.1.discount", "values": [0.1, 0.3]}
    data = tiny_experiment(
        conditions={"parameters": [discount]},
        sensitivity={"strategy": "promo", "parameters": [intensity]},
    )
    experiment = load_experiment(write_experiment(tmp_path, data))
    design = sensitivity_design(experiment, "morris")
    scenario = resolve_scenario(experiment.scenario, overrides=design.runs[0].overrides)
    assert len(scenario.campaign) == 3 and scenario.campaign[2].discount == 0.3
    assert scenario.campaign[0].intensity == design.runs[0].values["intensity"]
    appended = {"name": "promo_discount", "path": "campaign.2.discount", "range": [0.1, 0.5]}
    data["sensitivity"]["parameters"] = [appended]
    experiment = load_experiment(write_experiment(tmp_path, data))
    with pytest.raises(ExperimentError) as raised:
        sensitivity_design(experiment, "morris")
    assert raised.value.problems == [
        (
            "sensitivity.parameters[0].path",
            "'campaign.2.discount' overlaps 'campaign.2', which strategy 'promo' appends (a "
            "sensitivity parameter must not change a strategy's field)",
        )
    ]


def test_running_what_is_no_experiment_or_into_no_folder_names_the_argument(tmp_path):
    """A path given for the experiment, or no folder, went up as Python's own errors."""
    path = write_experiment(tmp_path)
    batch = partial(run_experiment, serial=True)
    sensitivity = partial(run_sensitivity, method="morris", serial=True)
    for run in (batch, sensitivity):
        with pytest.raises(InputError, match=r"^experiment: expected an Experiment .* got str"):
            run(str(path), tmp_path / "out")
        with pytest.raises(InputError, match=r"^out: expected a path"):
            run(load_experiment(path), None)
    assert not (tmp_path / "out").exists()


def test_a_strategy_s_edge_list_is_relative_to_the_experiment_and_checked_when_read(
    tmp_path, monkeypatch
):
    """Was: read from the folder the command ran in, and a missing file or one of another
    size failed every run of the strategy instead of the reading of the file."""
    (tmp_path / "scenarios").mkdir()
    scenario = ring_scenario(tmp_path / "scenarios", 40)
    (tmp_path / "scenarios" / "other.csv").write_text(
        "".join(f"{i},{(i + 7) % 40}\n" for i in range(40))
    )
    (tmp_path / "scenarios" / "small.csv").write_text("0,1\n1,2\n")
    data = tiny_experiment(customers=40, scenario="../scenarios/scenario.toml")
    data["strategies"]["quiet"]["set"] = {"network.path": "../scenarios/other.csv"}
    data["strategies"]["promo"]["set"] = {
        "network": {"kind": "edge_list", "path": "../scenarios/other.csv"}
    }
    folder = tmp_path / "experiments"
    path = write_experiment(folder, data, scenario)
    (tmp_path / "scenarios" / "scenario.toml").write_text(tomli_w.dumps(scenario))
    monkeypatch.chdir(tmp_path / "scenarios")  # a folder where ../scenarios/other.csv is not
    experiment = load_experiment(path)
    other = str(tmp_path / "scenarios" / "other.csv")
    assert experiment.strategies["quiet"].set["network.path"] == other
    assert experiment.strategies["promo"].set["network"]["path"] == other
    data["strategies"]["quiet"]["set"] = {"network.path": "../scenarios/missing.csv"}
    data["strategies"]["promo"]["set"] = {"network.path": "../scenarios/small.csv"}
    with pytest.raises(ExperimentError) as caught:
        load_experiment(write_experiment(folder, data, scenario))
    [missing, small] = caught.value.problems
    assert missing == (
        "strategies.quiet",
        f"network.path: {tmp_path / 'scenarios' / 'missing.csv'}: file not found",
    )
    assert small[0] == "strategies.promo"
    assert small[1].startswith("network.path: 40 customers do not fit the scenario's network")


def test_the_file_s_days_or_customers_under_a_condition_that_varies_them_are_refused(tmp_path):
    """Was: silently unused, while the warnings and the report's design quoted them."""
    data = tiny_experiment(
        conditions={
            "parameters": [
                {"path": "days", "values": [10, 20]},
                {"path": "population.size", "values": [200, 300]},
            ]
        }
    )
    refused = refused_conditions(load_experiment(write_experiment(tmp_path, data)))
    assert refused == [
        (
            "customers",
            "conditions.parameters[1] gives every run its population.size, so customers = 300 "
            "would apply to no run: remove customers or the parameter",
        ),
        (
            "days",
            "conditions.parameters[0] gives every run its days, so days = 15 would apply to no "
            "run: remove days or the parameter",
        ),
    ]
    del data["days"], data["customers"]
    assert refused_conditions(load_experiment(write_experiment(tmp_path, data))) == []
    with pytest.raises(ExperimentError, match="customers = 300 would apply to no run"):
        run_experiment(  # the Python interface's overrides too (the command line's says its own)
            load_experiment(write_experiment(tmp_path, data), {"customers": 300}),
            tmp_path / "out",
            serial=True,
            progress=False,
        )
    assert not (tmp_path / "out").exists()


def test_a_condition_s_edge_lists_are_relative_to_the_experiment(tmp_path, monkeypatch):
    (tmp_path / "scenarios").mkdir()
    scenario = ring_scenario(tmp_path / "scenarios", 40)
    (tmp_path / "scenarios" / "scenario.toml").write_text(tomli_w.dumps(scenario))
    data = tiny_experiment(customers=40, scenario="../scenarios/scenario.toml")
    data["conditions"] = {
        "parameters": [{"path": "network.path", "values": ["../scenarios/ring.csv"]}]
    }
    monkeypatch.chdir(tmp_path)
    experiment = load_experiment(write_experiment(tmp_path / "experiments", data, scenario))
    [parameter] = experiment.parameters
    assert parameter.values == [str(tmp_path / "scenarios" / "ring.csv")]
    data["conditions"]["parameters"][0]["values"].append("../scenarios/missing.csv")
    with pytest.raises(ExperimentError) as caught:
        load_experiment(write_experiment(tmp_path / "experiments", data, scenario))
    assert caught.value.problems == [
        (
            "conditions.parameters[0].values",
            f"{tmp_path / 'scenarios' / 'missing.csv'}: file not found",
        )
    ]


def test_a_number_of_customers_the_scenario_s_edge_list_does_not_name_is_refused(tmp_path):
    """Every run failed on the edge list instead, and the message named no ``customers``."""
    scenario = ring_scenario(tmp_path, 40)
    path = write_experiment(tmp_path, tiny_experiment(customers=30), scenario)
    with pytest.raises(ExperimentError) as caught:
        load_experiment(path)
    [(field, message)] = caught.value.problems
    assert field == "customers"
    assert message.startswith("30 customers do not fit the scenario's network: ")
    assert "node id 30 is out of range (expected an integer in [0, 29]" in message
    assert "set customers to the edge list's number of customers" in message  # was population.size
    assert load_experiment(write_experiment(tmp_path, tiny_experiment(customers=40), scenario))
    with pytest.raises(ExperimentError) as caught:
        load_experiment(write_experiment(tmp_path, tiny_experiment(customers=50), scenario))
    assert "set customers = 40, or keep customers without contacts" in str(caught.value)
    path = write_experiment(tmp_path, tiny_experiment(customers=40), scenario)
    with pytest.raises(ExperimentError) as caught:  # was blamed on the file's customers = 40
        load_experiment(path, {"customers": 30}, overrides_from="the command line")
    [(field, _)] = caught.value.problems
    assert field == "customers (set on the command line)"


def test_whole_values_of_an_integer_parameter_are_whole_numbers(tmp_path):
    """``integer = true`` with values 300.0 and 400.0 was refused: 'a valid integer (got 300.0)'."""
    condition = {"path": "population.size", "values": [300.0, 400.0], "integer": True}
    data = tiny_experiment(conditions={"parameters": [condition]})
    del data["customers"]  # the condition gives the customers
    experiment = load_experiment(write_experiment(tmp_path, data))
    assert experiment.conditions.parameters[0].values == [300, 400]
    assert all(type(value) is int for value in experiment.conditions.parameters[0].values)


def test_a_strategy_file_s_changes_inside_a_field_the_strategy_sets_give_way_to_it(tmp_path):
    """A strategy on a file whose campaign differed item by item, setting its own campaign,
    was refused: 'sets campaign whole after campaign.0.intensity set ... inside it'."""
    import tomli_w

    tweaked = small_scenario()
    tweaked["campaign"][0]["intensity"] = 0.3
    (tmp_path / "tweaked.toml").write_text(tomli_w.dumps(tweaked))
    promotion = {"type": "promotion", "brand": "shop", "start": 2, "end": 4, "discount": 0.2}
    strategies = {
        "plain": {},
        "own": {
            "scenario": "tweaked.toml",
            "set": {"campaign": []},
            "append": {"campaign": [promotion]},
        },
    }
    data = tiny_experiment(strategies=strategies, baseline="plain")
    data.pop("conditions")
    experiment = load_experiment(write_experiment(tmp_path, data))
    own = strategy_overrides(experiment.scenario, experiment.strategies["own"])
    assert [action["type"] for action in own["campaign"]] == ["promotion"]


def test_an_outcome_only_a_strategy_reports_may_be_chosen(tmp_path):
    """Outcomes were those of the base scenario: the tiers a strategy adds could not be
    reported; a sensitivity analysis still takes only its strategy's outcomes."""
    tiers = {
        "review_days": 90,
        "levels": [{"name": "gold", "threshold": 300, "discount": 0.05, "utility": 0.2}],
    }
    data = tiny_experiment(outcomes=["total_profit", "final_tier_gold"])
    data["strategies"]["tiers"] = {"set": {"brands.shop.loyalty": {"tiers": tiers}}}
    experiment = load_experiment(write_experiment(tmp_path, data))
    assert experiment.outcomes == ["total_profit", "final_tier_gold"]
    data["sensitivity"] = {"outcomes": ["final_tier_gold"]}  # of the baseline, without tiers
    with pytest.raises(ExperimentError, match=r"sensitivity\.outcomes\[0\]: unknown outcome"):
        load_experiment(write_experiment(tmp_path, data))
    data["sensitivity"]["strategy"] = "tiers"
    assert load_experiment(write_experiment(tmp_path, data)).sensitivity.strategy == "tiers"
    del data["sensitivity"]  # the experiment's outcomes, of the baseline's runs: refused
    with pytest.raises(ExperimentError) as caught:  # was a KeyError after every run
        sensitivity_design(load_experiment(write_experiment(tmp_path, data)), "morris")
    assert caught.value.problems == [
        (
            "outcomes[1]",
            "'final_tier_gold' is not an outcome of the strategy the analysis runs (plain): "
            "give sensitivity.outcomes, the outcomes to analyse",
        )
    ]


def test_an_outcome_only_a_strategy_s_scenario_file_reports_may_be_chosen(tmp_path):
    """The outcomes were checked before the strategy's file was read."""
    scenario = small_scenario()
    tiers = {
        "review_days": 90,
        "levels": [{"name": "gold", "threshold": 300, "discount": 0.05, "utility": 0.2}],
    }
    with_tiers = copy.deepcopy(scenario)
    with_tiers["brands"][0]["loyalty"] = {"tiers": tiers}
    (tmp_path / "tiers.toml").write_text(tomli_w.dumps(with_tiers))
    data = tiny_experiment(outcomes=["total_profit", "final_tier_gold"])
    data["strategies"]["tiers"] = {"scenario": "tiers.toml"}
    experiment = load_experiment(write_experiment(tmp_path, data, scenario))
    assert experiment.outcomes == ["total_profit", "final_tier_gold"]
    data["outcomes"] = ["total_profit", "final_tier_silver"]
    with pytest.raises(ExperimentError, match=r"outcomes\[1\]: unknown outcome 'final_tier_silv"):
        load_experiment(write_experiment(tmp_path, data, scenario))


def test_an_outcome_of_a_brand_the_runs_lack_names_the_brands_they_have(tmp_path):
    """``total_purchases__rival`` was answered "did you mean total_purchases?"."""
    two = small_scenario(
        brands=[{"name": "shop", "price": 100.0}, {"name": "other", "price": 90.0}]
    )
    (tmp_path / "two.toml").write_text(tomli_w.dumps(two))
    data = tiny_experiment(scenario="two.toml", outcomes=["total_purchases__rival"])
    with pytest.raises(ExperimentError) as raised:
        load_experiment(write_experiment(tmp_path, data))
    assert (
        "outcomes[0]: unknown outcome 'total_purchases__rival': the runs have no brand 'rival' "
        "(expected total_purchases__shop, total_purchases__other)"
    ) in str(raised.value)
