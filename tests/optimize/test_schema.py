"""Optimisation files: validation with clear errors naming the file and the field."""

import warnings
from pathlib import Path

import pytest
from optimisation_helpers import tiny_optimisation, write_optimisation

from ecosim.cli import main
from ecosim.errors import InputWarning
from ecosim.optimize import OptimisationError, load_optimisation
from ecosim.optimize.schema import Variable


def problems(tmp_path, **changes) -> str:
    path = write_optimisation(tmp_path, tiny_optimisation(**changes))
    with pytest.raises(OptimisationError) as caught:
        load_optimisation(path)
    message = str(caught.value)
    assert message.startswith(str(path))
    return message


def test_a_valid_file_loads_with_its_settings(optimisation_file):
    optimisation = load_optimisation(optimisation_file)
    assert optimisation.scenario.population.size == 300
    assert optimisation.selected_objective.label == "total_profit"
    assert optimisation.decisions() == [("brands.0.margin", "variables[0].path")]


def test_unknown_fields_and_wrong_types_are_named(tmp_path):
    message = problems(
        tmp_path,
        search={"evaluations": "many", "replications": 2},
        selection={"indifference": 1.0, "topp": 3},
    )
    assert "search.evaluations: Input should be a valid integer" in message
    assert "selection.topp: unknown field" in message


def test_an_unknown_outcome_and_a_quantile_selection_are_refused(tmp_path):
    message = problems(
        tmp_path,
        objectives=[
            {"outcome": "total_profit", "direction": "maximize", "statistic": "quantile"},
            {"outcome": "total_proft", "direction": "maximize"},
        ],
    )
    assert "objectives[1].outcome: unknown outcome 'total_proft'" in message
    assert "selection.objective: 'total_profit_p10' is a quantile" in message


def test_decision_values_are_checked_against_the_scenario(tmp_path):
    message = problems(
        tmp_path,
        variables=[{"name": "margin", "path": "brands.0.margin", "low": 0.5, "high": 1.5}],
        flights=[{"name": "ads", "action": 0, "earliest": 2, "latest": 20}],
    )
    assert "variables[0]: brands.0.margin = 1.5: brands[0].margin" in message
    assert "flights[0].latest: a start on day 20 would end the 20-day action on day 39" in message


def test_a_flight_ending_after_the_horizon_is_one_error_and_no_warning(tmp_path):
    flights = [{"name": "ads", "action": 0, "earliest": 2, "latest": 20}]
    with warnings.catch_warnings():
        warnings.simplefilter("error", InputWarning)
        message = problems(tmp_path, flights=flights)
    assert message.count("flights[0]") == 1, message


@pytest.mark.parametrize(
    ("caps", "total", "said"),
    [
        ((1.0, 0.5), 500.0, "at most 30% of the total 500"),
        ((0.1, 0.1), 33_333.0, "at most 0.06% of the total 33,333"),  # was "0%"
    ],
)
def test_budget_items_that_cannot_take_the_total_are_refused(tmp_path, caps, total, said):
    items = [
        {"name": "ads", "path": "campaign.0.intensity", "unit_cost": 100.0, "max": caps[0]},
        {"name": "promo", "path": "campaign.1.discount", "unit_cost": 100.0, "max": caps[1]},
    ]
    message = problems(tmp_path, budgets=[{"name": "mix", "total": total, "items": items}])
    assert f"budgets[0].total: the items' max values take {said}" in message


@pytest.mark.parametrize(("total", "unit_cost"), [(1e308, 0.5), (100.0, 1e-320), (1e300, 1e-10)])
def test_a_budget_of_more_units_than_a_number_holds_is_refused(tmp_path, total, unit_cost):
    """Was an internal error: OverflowError: cannot convert float infinity to integer."""
    items = [
        {"name": "promo", "path": "campaign.0.intensity", "unit_cost": unit_cost, "max": 1.0},
        {"name": "promo", "path": "campaign.1.discount", "unit_cost": unit_cost},
    ]
    message = problems(tmp_path, budgets=[{"name": "mix", "total": total, "items": items}])
    said = (
        f"the total {total:g} at {unit_cost:g} a unit is more units than a number can hold; "
        "give the total and unit_cost in the same money"
    )
    assert "3 problems\n" in message and "budgets[0].items[1].name: " in message
    for k in (0, 1):
        assert f"\n  budgets[0].items[{k}].unit_cost: {said}" in message


def test_overlapping_decisions_are_refused(tmp_path):
    variables = [
        {"name": "a", "path": "brands.0.margin", "low": 0.1, "high": 0.9},
        {"name": "b", "path": "brands.0", "choices": [1, 2]},
    ]
    message = problems(tmp_path, variables=variables)
    assert "variables[1].path: 'brands.0' overlaps 'brands.0.margin'" in message


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {
                "variables": [
                    {"name": "a", "path": "brands.0.margin", "low": 0.1, "high": 0.9},
                    {"name": "b", "path": "brands.0.margin", "low": 0.2, "high": 0.5},
                ]
            },
            "variables[1].path: 'brands.0.margin' is also set by variables[0].path",
        ),
        (
            {
                "variables": [
                    {"name": "a", "path": "brands.0.margin", "low": 0.1, "high": 0.9},
                    {"name": "b", "path": "brands.shop.margin", "low": 0.2, "high": 0.5},
                ]
            },
            "variables[1].path: 'brands.shop.margin' is also set by variables[0].path "
            "(as 'brands.0.margin')",
        ),
        (
            {
                "budgets": [
                    {
                        "name": "mix",
                        "total": 50.0,
                        "items": [
                            {"name": "ads", "path": "brands.0.margin", "unit_cost": 100.0},
                            {"name": "promo", "path": "campaign.1.discount", "unit_cost": 100.0},
                        ],
                    }
                ]
            },
            "budgets[0].items[0].path: 'brands.0.margin' is also set by variables[0].path",
        ),
        (
            {
                "flights": [
                    {"name": "early", "action": 0, "earliest": 1, "latest": 3},
                    {"name": "late", "action": 0, "earliest": 2, "latest": 4},
                ]
            },
            "flights[1].action: 'campaign.0.start' is also set by flights[0].action",
        ),
    ],
    ids=["twice", "by name and by position", "variable and budget item", "two flights"],
)
def test_a_field_set_by_two_decisions_is_refused(tmp_path, changes, expected):
    message = problems(tmp_path, **changes)
    assert expected in message
    assert message.count("is also set by") == 1, message


def test_a_missing_file_and_invalid_toml_are_named(tmp_path):
    with pytest.raises(OptimisationError, match=r"missing.toml: 1 problem\n  file not found"):
        load_optimisation(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("name = \n")
    with pytest.raises(OptimisationError, match=r"bad.toml: 1 problem\n  invalid TOML"):
        load_optimisation(bad)


def test_the_command_line_prints_the_problems_without_a_traceback(tmp_path, capsys):
    data = tiny_optimisation(search={"evaluations": 0, "replications": 2})
    path = write_optimisation(tmp_path, data)
    assert main(["optimize", str(path), "--serial", "--out", str(tmp_path / "out")]) == 2
    error = capsys.readouterr().err
    assert f"{path}: 1 problem" in error
    assert "search.evaluations: Input should be greater than or equal to 1" in error
    assert "Traceback" not in error


def test_the_shipped_optimisations_load():
    for path in sorted(Path("optimizations").glob("*.toml")):
        assert load_optimisation(path).objectives


def test_a_seed_the_samplers_cannot_take_is_refused_before_anything_is_written(tmp_path, capsys):
    """Optuna's samplers take seeds below 2**32; a scenario's seed may be larger."""
    path = write_optimisation(tmp_path)
    out = tmp_path / "out"
    assert load_optimisation(path, {"seed": 2**32 - 1}).seed == 2**32 - 1
    seed = ["--set", "seed=4294967296"]
    assert main(["optimize", str(path), "--serial", "--out", str(out), *seed]) == 2
    error = capsys.readouterr().err
    assert (
        f"{path}: 1 problem\n  seed (set on the command line): must be at most 4294967295" in error
    )
    assert "Traceback" not in error and "internal error" not in error
    assert not out.exists()


@pytest.mark.parametrize("field", ["folder", "scenario_file"])
def test_a_field_ecosim_sets_is_refused_in_the_file_and_on_the_command_line(
    tmp_path, capsys, field
):
    """``--set folder=...`` was ignored (the file's folder was used all the same)."""
    path = write_optimisation(tmp_path)
    with pytest.raises(OptimisationError, match=f"{field}: is set by ecosim; remove it"):
        load_optimisation(
            write_optimisation(tmp_path / "in_file", tiny_optimisation(**{field: "x"}))
        )
    out = tmp_path / "out"
    assert main(["optimize", str(path), "--serial", "--out", str(out), "--set", f"{field}=x"]) == 2
    error = capsys.readouterr().err
    assert f"{field} (set on the command line): is set by ecosim; remove it" in error
    assert not out.exists()


@pytest.mark.parametrize("indifference", [1e-320, 1e-10, 1e16, 1e308])
def test_an_indifference_whose_square_vanishes_or_overflows_is_refused(tmp_path, indifference):
    selection = {**tiny_optimisation()["selection"], "indifference": indifference}
    message = problems(tmp_path, selection=selection)
    assert (
        f"selection.indifference: must be from 1e-09 to 1e+15, in the objective's units "
        f"(got {indifference})" in message
    )


def test_the_indifference_bounds_are_accepted(tmp_path):
    path = write_optimisation(tmp_path)
    for indifference in (1e-9, 1e15):
        overrides = {"selection.indifference": indifference}
        assert load_optimisation(path, overrides).selection.indifference == indifference


def test_max_replications_is_capped(tmp_path):
    """A cap, as for an experiment's replications: every plan's runs are held in memory."""
    selection = {**tiny_optimisation()["selection"], "max_replications": 1_000_000_000_000}
    message = problems(tmp_path, selection=selection)
    assert "selection.max_replications: Input should be less than or equal to 100000" in message
    overrides = {"selection.max_replications": 100_000}
    path = write_optimisation(tmp_path / "cap")
    assert load_optimisation(path, overrides).selection.max_replications == 100_000


def test_the_plans_selected_times_their_replications_are_capped(tmp_path):
    """Every plan's runs are held in memory: the top plans and the current one make at most
    ten million runs, as an experiment."""
    selection = {**tiny_optimisation()["selection"], "top": 10**12, "max_replications": 200}
    message = problems(tmp_path, selection=selection)
    assert "  selection: top (1,000,000,000,000) plans and the current one, at up to " in message
    assert "more than 10,000,000: every plan's runs are held in memory" in message
    overrides = {"selection.top": 99, "selection.max_replications": 100_000}
    path = write_optimisation(tmp_path / "cap")
    assert load_optimisation(path, overrides).selection.top == 99
    with pytest.raises(OptimisationError, match=r"top \(100\) plans and the current one"):
        load_optimisation(path, {**overrides, "selection.top": 100})


@pytest.mark.parametrize(
    ("path", "why"),
    [
        ("seed", "is the random seed"),
        ("days", "is the horizon the plans are compared over"),
        ("population.size", "is the simulated market"),
    ],
)
def test_a_field_no_plan_decides_is_refused(tmp_path, path, why):
    variables = [{"name": "x", "path": path, "low": 2, "high": 20, "integer": True}]
    with pytest.raises(OptimisationError) as caught:
        load_optimisation(write_optimisation(tmp_path, tiny_optimisation(variables=variables)))
    ((where, message),) = caught.value.problems
    assert where == "variables[0].path" and message.startswith(f"{path!r} {why}"), message


def test_a_batch_of_more_runs_than_memory_holds_is_refused(tmp_path):
    search = {"evaluations": 2000, "replications": 10_000, "batch": 2000}
    with pytest.raises(OptimisationError) as caught:
        load_optimisation(write_optimisation(tmp_path, tiny_optimisation(search=search)))
    ((where, message),) = caught.value.problems
    assert where == "search" and message.startswith(
        "batch (2,000) plans of replications (10,000) runs make 20,000,000 runs at a time, "
        "more than 10,000,000"
    )


def test_a_quantile_given_to_a_mean_objective_is_warned_about(tmp_path):
    """It was dropped without a word: the search optimised the mean."""
    objective = {"outcome": "total_profit", "direction": "maximize", "quantile": 0.9}
    path = write_optimisation(tmp_path, tiny_optimisation(objectives=[objective]))
    with pytest.warns(InputWarning, match=r"objectives\[0\]\.quantile: not used by a mean"):
        load_optimisation(path)


@pytest.mark.parametrize(
    ("search", "warned"),
    [
        (
            {"sampler": "random", "startup": 3},
            "search.startup: not used by the random sampler (only by tpe)",
        ),
        (
            {"sampler": "tpe", "population": 8},
            "search.population: not used by the tpe sampler (only by nsga2)",
        ),
        (
            {"sampler": "auto", "population": 8},
            "search.population: not used by the tpe sampler (only by nsga2)",
        ),
        ({"sampler": "tpe", "startup": 3}, None),
    ],
)
def test_a_setting_of_another_sampler_is_warned_about(tmp_path, search, warned):
    """It was ignored without a word."""
    data = tiny_optimisation(search={"evaluations": 6, "replications": 2, **search})
    path = write_optimisation(tmp_path, data)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        load_optimisation(path)
    given = [str(w.message) for w in caught if issubclass(w.category, InputWarning)]
    expected = [f"{path}: {warned}; the search runs without it"] if warned else []
    assert given == expected


def test_an_outcome_name_too_long_to_repeat_is_shortened(tmp_path):
    """A 500-character objective was repeated in full in the message."""
    message = problems(tmp_path, objectives=[{"outcome": "x" * 500, "direction": "maximize"}])
    assert (
        "objectives[0].outcome: unknown outcome 'xxxxxxxxxxxxxxxxxxx...xxxxxxxxx' (502 chars) ("
    ) in message
    assert "x" * 40 not in message


def test_a_choice_given_twice_is_refused(tmp_path):
    """It was taken, and drawn twice as often as the others."""
    message = problems(
        tmp_path, variables=[{"name": "margin", "path": "brands.0.margin", "choices": [0.5, 0.5]}]
    )
    assert "variables[0].choices: 0.5 is given twice" in message


@pytest.mark.parametrize(
    ("high", "remedy"), [(15, "true"), (15.5, "true, with whole numbers for low and high")]
)
def test_a_range_of_any_number_on_a_whole_number_field_says_set_integer(tmp_path, high, remedy):
    """It listed each bound as "Input should be a valid integer", without the remedy."""
    variables = [{"name": "end", "path": "campaign.0.end", "low": 5, "high": high}]
    message = problems(tmp_path, variables=variables)
    assert message.endswith(
        f"variables[0].integer: campaign.0.end takes whole numbers: set integer = {remedy} "
        "(the search then draws whole numbers)"
    ), message
    variables[0].update(high=15, integer=True)
    write_optimisation(tmp_path, tiny_optimisation(variables=variables))
    assert load_optimisation(tmp_path / "optimisation.toml").variables[0].integer


def test_a_bound_the_scenario_refuses_for_its_size_gets_the_scenarios_message(tmp_path):
    """A bound of 1e-20 on an intensity was answered "takes whole numbers: set integer"."""
    variables = [{"name": "ads", "path": "campaign.0.intensity", "low": 1e-20, "high": 0.5}]
    message = problems(tmp_path, variables=variables)
    assert message.endswith(
        "variables[0]: campaign.0.intensity = 1e-20: campaign[0].intensity: 1e-20 is too "
        "small: numbers in a scenario are 0 or at least 1e-15 in size"
    ), message
    items = [
        {"name": "ads", "path": "campaign.0.intensity", "unit_cost": 1e21, "max": 1.0},
        {"name": "friends", "path": "network.k", "unit_cost": 10.0, "integer": True},
    ]
    message = problems(tmp_path, budgets=[{"name": "mix", "total": 10.0, "items": items}])
    assert ".integer" not in message and "is too small" in message, message
    margin = [{"name": "margin", "path": "brands.0.margin", "low": 1.2, "high": 1.5}]
    message = problems(tmp_path, variables=margin)
    assert ".integer" not in message and "less than or equal to 1 (got 1.2)" in message, message
    items = [
        {"name": "margin", "path": "brands.0.margin", "unit_cost": 8.0},
        {"name": "friends", "path": "network.k", "unit_cost": 10.0, "integer": True},
    ]
    message = problems(
        tmp_path, variables=[], budgets=[{"name": "mix", "total": 10.0, "items": items}]
    )
    assert ".integer" not in message and "less than or equal to 1 (got 1.25)" in message, message


def test_a_budget_item_on_a_whole_number_field_says_set_integer(tmp_path):
    """It listed each share's value as "Input should be a valid integer (got 0.0)"."""
    items = [
        {"name": "ads", "path": "campaign.0.intensity", "unit_cost": 100.0, "max": 1.0},
        {"name": "friends", "path": "network.k", "unit_cost": 10.0},
    ]
    message = problems(tmp_path, budgets=[{"name": "mix", "total": 100.0, "items": items}])
    assert message.endswith(
        "budgets[0].items[1].integer: network.k takes whole numbers: set integer = true (the "
        "item then buys whole units, and what is left over stays unspent)"
    ), message
    items[1]["integer"] = True
    message = problems(tmp_path, budgets=[{"name": "mix", "total": 100.0, "items": items}])
    assert "budgets[0].items[1]: network.k = 0: " in message
    assert ".integer" not in message


@pytest.mark.parametrize(
    ("choices", "said"),
    [([20, 30, 20.0], "20 is given twice, as 20 and 20.0"), ([0.5, 1, 1.0], "1 is given twice")],
    ids=["20 and 20.0", "1 and 1.0"],
)
def test_a_choice_given_twice_as_an_integer_and_a_float_is_refused(tmp_path, choices, said):
    """20 and 20.0 are one value of a float field: they were taken as two choices."""
    variables = [{"name": "price", "path": "brands.0.price", "choices": choices}]
    assert f"variables[0].choices: {said}" in problems(tmp_path, variables=variables)


def test_a_bool_choice_is_not_the_number_it_equals():
    """true == 1 in Python, but a bool and a number are different choices."""
    assert Variable(name="flag", path="brands.0.price", choices=[True, 1, False, 0]).choices
    with pytest.raises(ValueError, match=r"choices: 1 is given twice, as 1 and 1\.0"):
        Variable(name="flag", path="brands.0.price", choices=[True, 1, 1.0])


@pytest.mark.parametrize(
    "decision",
    [
        {"variables": [{"name": "nope", "path": "brands.0.nope", "low": 0.1, "high": 0.9}]},
        {
            "budgets": [
                {
                    "name": "mix",
                    "total": 100.0,
                    "items": [
                        {"name": "ads", "path": "campaign.0.intensity", "unit_cost": 100.0},
                        {"name": "far", "path": "campaign.42.intensity", "unit_cost": 100.0},
                    ],
                }
            ]
        },
    ],
    ids=["variable", "budget item"],
)
def test_a_bad_path_is_one_problem_not_one_per_extreme_value(tmp_path, decision):
    """It was reported twice, once with each extreme value of the decision."""
    changes = {"variables": [], **decision}
    message = problems(tmp_path, **changes)
    assert message.splitlines()[0].endswith(": 1 problem"), message


def test_a_number_of_customers_the_edge_list_does_not_name_is_refused(tmp_path):
    from support import ring_scenario

    scenario = ring_scenario(tmp_path, 40)
    path = write_optimisation(tmp_path, tiny_optimisation(customers=30), scenario)
    with pytest.raises(OptimisationError) as caught:
        load_optimisation(path)
    [(field, message)] = caught.value.problems
    assert field == "customers"
    assert "30 customers do not fit the scenario's network: " in message


def test_a_budget_of_one_item_says_to_give_it_as_a_variable(tmp_path):
    """It said pydantic's "List should have at least 2 items after validation, not 1"."""
    items = [{"name": "ads", "path": "campaign.0.intensity", "unit_cost": 100.0, "max": 1.0}]
    message = problems(tmp_path, budgets=[{"name": "mix", "total": 100.0, "items": items}])
    assert message.endswith(
        "budgets[0].items: a budget shares its total among two or more items (got 1); to "
        "search one field alone, give it as a [[variables]] entry with low and high"
    ), message


def test_a_scenario_that_is_neither_a_file_nor_a_table_says_what_it_takes(tmp_path):
    """It said pydantic's "Input should be a valid dictionary or instance of Scenario"."""
    message = problems(tmp_path, scenario=5)
    assert message.endswith(
        "scenario: expected the path to a scenario TOML file or a [scenario] table (got 5)"
    ), message


def test_repeated_names_are_placed_in_their_own_lists(tmp_path):
    """Was: ``variables: decision name 'margin' is used twice`` for a flight, ``item name``
    without its place for a budget's items, objectives without their positions."""
    flight = {"name": "margin", "action": 0, "earliest": 1, "latest": 3}
    message = problems(
        tmp_path,
        flights=[flight],
        objectives=[
            {"outcome": "total_profit", "direction": "maximize"},
            {"outcome": "total_profit", "direction": "minimize"},
        ],
    )
    assert "flights[0].name: decision name 'margin' is used twice (first by variables[0])" in (
        message
    )
    assert "objectives[1]: objective 'total_profit' is asked twice (first by objectives[0])" in (
        message
    )
    items = [
        {"name": "a", "path": "campaign.0.intensity", "unit_cost": 100.0},
        {"name": "a", "path": "campaign.1.discount", "unit_cost": 100.0},
    ]
    message = problems(tmp_path, budgets=[{"name": "mix", "total": 50.0, "items": items}])
    assert "budgets[0].items[1].name: item name 'a' is used twice (first by items[0])" in message


@pytest.mark.parametrize(("total", "warned"), [(120.0, False), (180.0, True)])
def test_a_budget_unlike_what_the_current_plan_spends_is_warned_of(tmp_path, total, warned):
    """Was silent: the report then said "the same cost" while the budgeted money rose."""
    items = [
        {"name": "ads", "path": "campaign.0.intensity", "unit_cost": 100.0, "max": 1.0},
        {"name": "promo", "path": "campaign.1.discount", "unit_cost": 100.0, "max": 1.0},
    ]
    budgets = [{"name": "mix", "total": total, "items": items}]
    path = write_optimisation(
        tmp_path, tiny_optimisation(variables=[], flights=[], budgets=budgets)
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", InputWarning)
        load_optimisation(path)
    said = [str(w.message) for w in caught if "budgets[0].total" in str(w.message)]
    assert bool(said) == warned
    if warned:
        assert (
            "budgets[0].total: 180, but the current plan spends 120 on its items (66.7% of it)"
            in said[0]
        )
