import contextlib
import copy
import tomllib
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecosim.errors import InputError, InputWarning
from ecosim.model import resolve_scenario, run
from ecosim.scenario import (
    ACTION_TYPES,
    OUTSIDE_PATHS_VARIABLE,
    Scenario,
    ScenarioError,
    apply_overrides,
    load_scenario,
    parse_assignment,
    validate_scenario,
)
from ecosim.scenario.fields import LARGEST, SMALLEST

from support import ROOT, SCENARIOS, small_scenario


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.toml")), ids=lambda p: p.name)
def test_shipped_scenarios_are_valid(path):
    scenario = load_scenario(path)
    assert isinstance(scenario, Scenario)
    assert scenario.name == path.stem
    assert scenario.description


CONCEPTS = {
    "viral_content",
    "influencer_seeding",
    "points_vs_tiers",
    "paid_membership",
    "service_crisis",
    "omnichannel_consistency",
    "gamification",
    "harbolnas_double_points",
    "price_war",
    "proactive_personalisation",
    "easy_checkout",
    "priority_delivery",
}


def test_every_concept_has_a_scenario_explained_in_its_header():
    names = {path.stem for path in SCENARIOS.glob("*.toml")}
    assert names >= CONCEPTS
    for path in SCENARIOS.glob("*.toml"):
        header = path.read_text().split("\n\n")[0].splitlines()
        assert len(header) >= 6 and all(line.startswith("#") for line in header), path.name


@pytest.mark.parametrize("name", sorted(CONCEPTS))
def test_concept_scenarios_run(name):
    from ecosim import run

    daily = run(SCENARIOS / f"{name}.toml", days=5, customers=3000)
    assert len(daily) == 6 and daily["aware_share"].iloc[-1] > 0


def test_extends_merges_tables_and_named_items(tmp_path):
    (tmp_path / "base.toml").write_text((SCENARIOS / "baseline.toml").read_text())
    (tmp_path / "child.toml").write_text(
        'extends = "base.toml"\nname = "child"\n[[brands]]\nname = "tokoku"\nprice = 99\n'
        '[[brands]]\nname = "other"\nprice = 50\n[dynamics]\ninertia = 0.1\n'
        '[[campaign]]\ntype = "promotion"\nbrand = "other"\nstart = 1\nend = 2\ndiscount = 0.1\n'
    )
    child = load_scenario(tmp_path / "child.toml")
    base = load_scenario(tmp_path / "base.toml")
    assert child.name == "child" and child.brand_names == ["tokoku", "other"]
    assert child.brands[0].price == 99 and child.brands[0].budget == base.brands[0].budget
    assert child.brands[0].loyalty == base.brands[0].loyalty
    assert (
        child.dynamics.inertia == 0.1 and child.dynamics.price_weight == base.dynamics.price_weight
    )
    assert len(child.campaign) == 1, "lists without names are replaced"
    assert child.population == base.population


@pytest.mark.parametrize(
    ("network", "expected"),
    [
        ('kind = "watts_strogatz"\nk = 6', {"kind": "watts_strogatz", "k": 6, "p": 0.1}),
        ('kind = "edge_list"\npath = "edges.csv"', {"kind": "edge_list"}),
    ],
)
def test_extends_with_another_network_kind_replaces_the_table(tmp_path, network, expected):
    (tmp_path / "base.toml").write_text((SCENARIOS / "baseline.toml").read_text())
    (tmp_path / "child.toml").write_text(f'extends = "base.toml"\n[network]\n{network}\n')
    child = load_scenario(tmp_path / "child.toml").network
    assert child.model_dump(exclude={"path"}) == expected, "nothing of the parent's m"


@pytest.mark.parametrize("network", ['kind = "barabasi_albert"', "", "m = 4"])
def test_extends_with_the_same_network_kind_still_merges_the_table(tmp_path, network):
    (tmp_path / "base.toml").write_text(
        (SCENARIOS / "baseline.toml").read_text().replace("m = 4", "m = 2")
    )
    (tmp_path / "child.toml").write_text(f'extends = "base.toml"\n[network]\n{network}\n')
    child = load_scenario(tmp_path / "child.toml").network
    assert (child.kind, child.m) == ("barabasi_albert", 4 if "m" in network else 2)


def test_extends_with_another_distribution_replaces_the_trait(tmp_path):
    (tmp_path / "base.toml").write_text((SCENARIOS / "baseline.toml").read_text())
    (tmp_path / "child.toml").write_text(
        'extends = "base.toml"\n[[population.segments]]\nname = "families"\n'
        'price_sensitivity = { dist = "uniform", low = 0.5, high = 0.9 }\n'
    )
    segment = load_scenario(tmp_path / "child.toml").population.segments[1]
    assert segment.price_sensitivity.model_dump() == {"dist": "uniform", "low": 0.5, "high": 0.9}


@pytest.mark.parametrize("where", ["child", "base"])
def test_extends_refuses_a_name_repeated_in_either_file_instead_of_folding_it(tmp_path, where):
    base = (SCENARIOS / "baseline.toml").read_text()
    twice = '[[channels]]\nname = "radio"\nreach = 0.1\n' * 2
    child = 'extends = "base.toml"\n[[channels]]\nname = "tv"\nreach = 0.2\n'
    if where == "child":
        child += twice
    else:
        base += twice
    (tmp_path / "base.toml").write_text(base)
    (tmp_path / "child.toml").write_text(child)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(tmp_path / "child.toml")
    ((path, message),) = caught.value.problems
    assert path.startswith("channels[") and path.endswith("].name"), path
    assert message.startswith("channel name 'radio' is used twice (first by channels[")


def test_a_problem_of_a_file_that_extends_others_names_them_too(tmp_path, monkeypatch):
    """The field at fault may be in any file of the chain, not the one run."""
    (tmp_path / "base.toml").write_text((SCENARIOS / "baseline.toml").read_text())
    (tmp_path / "parent.toml").write_text('extends = "base.toml"\n[population]\nsize = -5\n')
    (tmp_path / "child.toml").write_text('extends = "parent.toml"\nname = "child"\n')
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ScenarioError) as caught:
        load_scenario("child.toml")
    assert str(caught.value).startswith(
        "child.toml (with parent.toml, base.toml, which it extends): 1 problem\n  population.size: "
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # a scenario named by its absolute path: its files so too
    with pytest.raises(ScenarioError) as caught:
        load_scenario(tmp_path / "child.toml")
    assert str(caught.value).startswith(
        f"{tmp_path / 'child.toml'} (with {tmp_path / 'parent.toml'}, {tmp_path / 'base.toml'}, "
        "which it extends)"
    )


def test_a_repeated_segment_name_is_named_even_when_the_shares_are_wrong(tmp_path):
    (tmp_path / "base.toml").write_text((SCENARIOS / "baseline.toml").read_text())
    (tmp_path / "child.toml").write_text(
        'extends = "base.toml"\n' + '[[population.segments]]\nname = "a"\nshare = 0.5\n' * 2
    )
    with pytest.raises(ScenarioError) as caught:
        load_scenario(tmp_path / "child.toml")
    assert caught.value.problems == [
        (
            "population.segments[4].name",
            "segment name 'a' is used twice (first by segments[3])",
        ),
        ("population.segments", "segment shares must sum to 1 (they sum to 2)"),
    ]


def test_extends_cycles_and_missing_parents_are_clear_errors(tmp_path):
    (tmp_path / "a.toml").write_text('extends = "b.toml"\n')
    (tmp_path / "b.toml").write_text('extends = "a.toml"\n')
    with pytest.raises(ScenarioError, match="extends itself in a cycle"):
        load_scenario(tmp_path / "a.toml")
    (tmp_path / "c.toml").write_text('extends = "nope.toml"\n')
    with pytest.raises(ScenarioError) as caught:
        load_scenario(tmp_path / "c.toml")
    assert str(caught.value) == (
        f"{tmp_path / 'c.toml'}: 1 problem\n  extends: {tmp_path / 'nope.toml'}: file not found"
    ), "names the referring file and field, then the file it names"


def test_a_file_extended_is_named_in_errors_as_the_scenario_was_named(tmp_path, monkeypatch):
    """A scenario named relative to the working folder had the files it extends named by
    their absolute paths, unlike itself and unlike the README's example."""
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    (tmp_path / "sub" / "top.toml").write_text('extends = "mid.toml"\n')
    (tmp_path / "sub" / "mid.toml").write_text('extends = "deeper/grand.toml"\n')
    (tmp_path / "sub" / "deeper" / "grand.toml").write_text("days = = 1\n")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ScenarioError) as caught:
        load_scenario("sub/top.toml")
    assert str(caught.value).startswith(
        "sub/top.toml: 1 problem\n  extends: sub/mid.toml: extends: sub/deeper/grand.toml: "
        "invalid TOML"
    )


def test_baseline_is_one_brand_ten_thousand_customers_a_year():
    scenario = load_scenario(SCENARIOS / "baseline.toml")
    assert (len(scenario.brands), scenario.population.size, scenario.days) == (1, 10_000, 365)
    assert {a.type for a in scenario.campaign} >= {"advertising", "promotion", "influencer"}


def test_number_is_a_constant_distribution():
    data = small_scenario()
    data["population"]["segments"][0]["talkativeness"] = 0.4
    scenario = validate_scenario(data)
    assert scenario.population.segments[0].talkativeness.value == 0.4


def _with(path: str, value):
    data = small_scenario()
    return apply_overrides(data, {path: value})


def _without(path: str):
    data = small_scenario()
    *parents, last = path.split(".")
    node = data
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    del node[last]
    return data


BROKEN = [
    (_with("days", 0), "days: Input should be greater than or equal to 1 (got 0)"),
    (_with("population.size", "many"), "population.size: Input should be a valid integer"),
    (
        _with("population.segments.0.share", 0.9),
        "population.segments: segment shares must sum to 1",
    ),
    (
        _with("population.segments.0.name", "b"),
        "population.segments[1].name: segment name 'b' is used twice (first by segments[0])",
    ),
    (
        _with("population.segments.0.talkativeness", {"dist": "gamma", "mean": 1, "sd": 1}),
        "population.segments[0].talkativeness: a gamma is not bounded by 1",
    ),
    (
        _with("population.segments.0.need_cycle", {"dist": "beta", "mean": 0.5, "sd": 0.1}),
        "population.segments[0].need_cycle: a beta lies in [0, 1]",
    ),
    (
        _with("population.segments.0.ad_receptiveness", {"dist": "beta", "mean": 0.5, "sd": 0.6}),
        "population.segments[0].ad_receptiveness: sd must be < sqrt(mean*(1-mean))",
    ),
    (
        _with("population.segments.0.ad_receptiveness", {"dist": "normal", "mean": 5, "sd": 0.1}),
        "population.segments[0].ad_receptiveness: mean 5.0 is outside [0, 1] (a normal is "
        "clipped to [0, 1]",
    ),
    (
        _with("population.segments.0.need_cycle", {"dist": "normal", "mean": -30, "sd": 1}),
        "population.segments[0].need_cycle: mean -30.0 must be >= 1 day",
    ),
    (
        _with("population.segments.0.talkativeness", {"dist": "poisson", "mean": 1}),
        "population.segments[0].talkativeness.dist: unknown dist 'poisson' (expected one of: "
        "constant, uniform, beta, normal, gamma)",
    ),
    (
        _with("diffusion", {"p": 0.9}),
        "diffusion.p: 0.9 is read only by rule 'bass', and the rule is 'ecosystem': leave p "
        "out, or set rule = 'bass'",
    ),
    (
        _with("diffusion", {"rule": "bass", "p": 0.01, "infection": 0.2}),
        "diffusion.infection: 0.2 is read only by rule 'sis', and the rule is 'bass'",
    ),
    (_with("network", {"kind": "ring"}), "network.kind: unknown kind 'ring' (expected one of: "),
    (_with("network", {"kind": "watts_strogatz", "k": 5}), "network.k: k must be even (got 5)"),
    (
        _with("network", {"kind": "barabasi_albert", "n": 5}),
        "network.n: unknown field",
    ),
    (_with("brands.0.price", -1), "brands[0].price: Input should be greater than 0"),
    (_with("brands.0.margin", 1.5), "brands[0].margin: Input should be less than or equal to 1"),
    (
        _with("brands.0.checkout_friction", 1.5),
        "brands[0].checkout_friction: Input should be less than or equal to 1",
    ),
    (
        _with("brands.0.checkout_friction", -0.1),
        "brands[0].checkout_friction: Input should be greater than or equal to 0",
    ),
    (
        _with(
            "brands.0.loyalty",
            {"tiers": {"levels": [{"name": "vip", "threshold": 100, "priority": 1.5}]}},
        ),
        "brands[0].loyalty.tiers.levels[0].priority: Input should be less than or equal to 1",
    ),
    (
        _with(
            "brands.0.loyalty",
            {"tiers": {"levels": [{"name": "vip", "threshold": 100, "priority_cost": -1}]}},
        ),
        "brands[0].loyalty.tiers.levels[0].priority_cost: Input should be greater than or equal",
    ),
    (_with("brands.0.colour", "red"), "brands[0].colour: unknown field"),
    (_with("brands", []), "brands: List should have at least 1 item"),
    (
        _with("brands.0.name", "Toko Ku"),
        "brands[0].name: expected a lower-case name (a letter, then letters, digits or _) "
        "(got 'Toko Ku')",
    ),
    (  # a key like a union member's label is still an unknown field, with its path
        _with("dynamics.churn-rate", 0.01),
        "dynamics.churn-rate: unknown field",
    ),
    (  # once, not once per member of the union, under pydantic's labels of the members
        _with("campaign.0.segment", "Young_Urban"),
        "campaign[0].segment: expected a lower-case name (a letter, then letters, digits or "
        "_) or 'all' (got 'Young_Urban')",
    ),
    (
        _with("campaign.0.channel", "tv"),
        "campaign[0].channel: unknown channel 'tv' (expected one of: social)",
    ),
    (
        _with("campaign.0.brand", "other"),
        "campaign[0].brand: unknown brand 'other' (expected one of: shop)",
    ),
    (
        _with("campaign.0.segment", "teens"),
        "campaign[0].segment: unknown segment 'teens' (expected one of: all, a, b)",
    ),
    (_with("campaign.0.end", 0), "campaign[0].end: Input should be greater than or equal to 1"),
    (_with("campaign.1.start", 20), "campaign[1]: end (12) must be >= start (20)"),
    (
        _with("campaign.1.intensity", 0.5),
        "campaign[1].intensity: 0.5 would change nothing: a promotion action does not read "
        "intensity (read by advertising, social_post,",
    ),
    (_without("campaign.1.discount"), "campaign[1].discount: required field is missing"),
    (
        _with("campaign.0.type", "billboard"),
        "campaign[0].type: unknown type 'billboard' (expected one of: advertising, social_post,",
    ),
    (_without("campaign.0.type"), "campaign[0].type: required field is missing"),
    (_without("campaign.0.channel"), "campaign[0].channel: required field is missing"),
    (_with("campaign.1.channel", "social"), "campaign[1].channel: unknown field"),
    (
        _with("influencers.0.audience_share", 0),
        "influencers[0].audience_share: Input should be greater than 0",
    ),
    (
        _with("influencers.0.overlap", 0.5),
        "influencers[0].overlap: the first influencer has no influencer listed before it",
    ),
    (
        _with("population.segments.0.channel_preferences", {"radio": 0.3}),
        "population.segments[0].channel_preferences.radio: unknown channel 'radio'",
    ),
    (_with("dynamics.wom_saturation", 0.0), "dynamics.wom_saturation"),
    (
        _with("population.segments.0.name", "all"),
        "population.segments: segment name 'all' is reserved: a campaign action's segment = "
        '"all" reaches every customer',
    ),
    (
        _with(
            "brands.0.service",
            {"incidents": [{"name": "late", "rate": 0.1, "severity": 0.5}] * 2},
        ),
        "brands[0].service.incidents[1].name: incident name 'late' is used twice (first by "
        "incidents[0])",
    ),
    (
        _with("dynamics.stage_talk", [0.1, 0.2]),
        "dynamics.stage_talk: List should have at least 5 items",
    ),
    (
        _with("brands", [{"name": "shop", "price": 100.0}, {"name": "shop", "price": 90.0}]),
        "brands[1].name: brand name 'shop' is used twice (first by brands[0])",
    ),
    (
        _with(
            "brands.0.loyalty.tiers.levels",
            [{"name": "gold", "threshold": 500}, {"name": "bronze", "threshold": 50}],
        ),
        "brands[0].loyalty.tiers.levels: tier thresholds must increase strictly in the order "
        "the levels are listed (got gold 500, bronze 50; a file that extends another lists "
        "its new levels after the inherited ones)",
    ),
    (
        _with(
            "brands.0.loyalty.tiers.levels",
            [{"name": "gold", "threshold": 100}, {"name": "gold", "threshold": 500}],
        ),
        "brands[0].loyalty.tiers.levels[1].name: tier name 'gold' is used twice (first by "
        "levels[0])",
    ),
    (
        _with(
            "campaign",
            [
                {
                    "type": "seeding",
                    "brand": "shop",
                    "start": 1,
                    "end": 1,
                    "customers": [1, 2],
                    "strategy": "hubs",
                }
            ],
        ),
        "campaign[0].strategy: listed customers are seeded as listed, not by the hubs strategy",
    ),
    (
        _with("brands.0.rules", [{"type": "crisis_response"}, {"type": "crisis_response"}]),
        "brands[0].rules[1].type: brand shop already has a crisis_response rule (rules[0]); a "
        "brand follows one rule of each type",
    ),
]


@pytest.mark.parametrize(("data", "expected"), BROKEN, ids=[e[:40] for _, e in BROKEN])
def test_broken_scenario_names_field_and_expectation(data, expected):
    with pytest.raises(ScenarioError) as caught:
        validate_scenario(data, source="shop.toml")
    message = str(caught.value)
    assert message.startswith("shop.toml: ")
    assert expected in message, message


def test_every_problem_is_reported_at_once():
    data = apply_overrides(small_scenario(), {"days": -1, "brands.0.price": 0})
    with pytest.raises(ScenarioError) as caught:
        validate_scenario(data, "x.toml")
    assert [path for path, _ in caught.value.problems] == ["days", "brands[0].price"]
    assert str(caught.value).startswith("x.toml: 2 problems")


def test_missing_file(tmp_path):
    with pytest.raises(ScenarioError, match=r"nope\.toml: 1 problem\n  file not found"):
        load_scenario(tmp_path / "nope.toml")


def test_a_file_saved_with_a_byte_order_mark_is_read(tmp_path):
    path = tmp_path / "notepad.toml"
    path.write_bytes(b"\xef\xbb\xbf" + (SCENARIOS / "baseline.toml").read_bytes())
    assert load_scenario(path) == load_scenario(SCENARIOS / "baseline.toml")


def test_invalid_toml_gives_line(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('name = "x"\ndays = = 3\n')
    with pytest.raises(
        ScenarioError, match=r"(?s)bad\.toml: 1 problem.*invalid TOML: .*line 2, column 8"
    ):
        load_scenario(path)


def test_edge_list_path_is_relative_to_the_file(tmp_path):
    data = small_scenario(network={"kind": "edge_list", "path": "edges.csv"})
    text = _to_toml(data)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "s.toml").write_text(text)
    scenario = load_scenario(tmp_path / "sub" / "s.toml")
    assert Path(scenario.network.path) == (tmp_path / "sub" / "edges.csv").resolve()


def test_overrides_by_index_and_by_name():
    data = small_scenario()
    changed = apply_overrides(data, {"brands.0.price": 80, "brands.shop.margin": 0.5, "days": 9})
    assert changed["brands"][0]["price"] == 80
    assert changed["brands"][0]["margin"] == 0.5
    assert changed["days"] == 9
    assert data["brands"][0]["price"] == 100.0, "the input must not change"


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        (  # two spellings of one field
            {"brands.0.price": 80, "dynamics.forgetting_rate": 0.1, "brands.shop.price": 90},
            (
                "brands.shop.price",
                "sets brands[0].price again, as brands.0.price does: give each field once (one "
                "of the two would silently win)",
            ),
        ),
        (  # the table silently undid the field: the run was at the table's price
            {"brands.shop.price": 80, "brands.0": {"name": "shop", "price": 70}},
            (
                "brands.0",
                "sets brands[0] whole after brands.shop.price set brands[0].price inside it: "
                "give each field once (one of the two would silently win)",
            ),
        ),
    ],
    ids=["two spellings", "a table after a field in it"],
)
def test_a_field_set_twice_is_refused_rather_than_one_silently_winning(changes, problem):
    with pytest.raises(ScenarioError) as caught:
        apply_overrides(small_scenario(), changes, source="cli")
    assert caught.value.problems == [problem]


def test_a_field_set_after_its_table_refines_it():
    table_and_field = {"dynamics": {"forgetting_rate": 0.1}, "dynamics.forgetting_rate": 0.2}
    assert apply_overrides(small_scenario(), table_and_field)["dynamics"]["forgetting_rate"] == 0.2


def test_overrides_create_missing_tables():
    changed = apply_overrides(small_scenario(), {"dynamics.forgetting_rate": 0.02})
    assert validate_scenario(changed).dynamics.forgetting_rate == 0.02


@pytest.mark.parametrize(
    ("path", "message"),
    [
        (
            "brands.3.price",
            "brands.3.price: index 3 is out of range (the list has 1 item: expected 0 to 0)",
        ),
        ("brands.acme.price", "brands.acme.price: no item named 'acme' (expected one of: shop)"),
        (".days", ".days: a part of the path is empty (expected names joined by single dots)"),
        (
            "brands.\u00b2.price",
            "brands.\u00b2.price: no item named '\u00b2' (expected one of: shop)",
        ),
        ("days.x", "days.x: days is a value (30), not a table or list: it has no field 'x'"),
        (
            "name.first.x",
            "name.first.x: name is a value ('small'), not a table or list: it has no field 'first'",
        ),
        (
            "campaign[0].intensity",
            "campaign[0].intensity: 'campaign[0].intensity' is not a dotted field path: write "
            "campaign.0.intensity",
        ),
        ("extends", "extends: extends names the file a scenario file starts from"),
    ],
)
def test_bad_override_paths(path, message):
    """A bracketed path was set as a new top-level field, then called an unknown field."""
    with pytest.raises(ScenarioError) as caught:
        apply_overrides(small_scenario(), {path: 1})
    assert message in str(caught.value)


def test_only_a_list_position_in_brackets_is_refused_as_a_path():
    """A calibration's rename takes a column's own name, which may hold brackets."""
    data = {"data": {"rename": {}}}
    assert apply_overrides(data, {"data.rename.sales[k]": "purchases"}) == {
        "data": {"rename": {"sales[k]": "purchases"}}
    }


def test_a_table_written_where_a_list_belongs_is_not_called_a_command_line_mistake(tmp_path):
    data = small_scenario()
    data["population"]["segments"] = {"young": {"share": 1.0}}
    with pytest.raises(ScenarioError) as caught:
        validate_scenario(data, source="shop.toml")
    assert caught.value.problems[0][0] == "population.segments"
    assert "Input should be a valid list" in caught.value.problems[0][1]
    assert "--set" not in str(caught.value) and "does not write" not in str(caught.value)


def test_a_list_with_unnamed_items_names_its_positions():
    data = {**small_scenario(), "campaign": [{"name": "launch"}, {"type": "advertising"}]}
    with pytest.raises(ScenarioError) as caught:
        apply_overrides(data, {"campaign.tv.intensity": 1})
    assert str(caught.value).endswith(
        "campaign.tv.intensity: no item named 'tv' (expected one of: launch; or a position "
        "from 0 to 1, as some items have no name)"
    )


def test_parse_assignment_reads_toml_values():
    assert parse_assignment("brands.0.price=29.5") == ("brands.0.price", 29.5)
    assert parse_assignment("days = 90") == ("days", 90)
    assert parse_assignment("network.kind=watts_strogatz") == ("network.kind", "watts_strogatz")
    assert parse_assignment('name="x"') == ("name", "x")
    assert parse_assignment("dynamics.stage_up=[0.1, 0.1, 0.1]")[1] == [0.1, 0.1, 0.1]
    with pytest.raises(ScenarioError, match=r"expected FIELD\.PATH=VALUE"):
        parse_assignment("days")


def test_a_set_value_beyond_the_largest_float_is_refused_not_read_as_no_limit():
    assert parse_assignment("brands.0.budget=inf")[1] == float("inf")
    with pytest.raises(ScenarioError, match=r"1e400 is beyond the largest number .*write inf"):
        parse_assignment("brands.0.budget=1e400")


def test_a_table_set_whole_without_values_the_scenario_writes_is_warned_of():
    """Was silent: TOML reads ``{dynamics.share_rate = 0.5}`` as the whole table, and the
    scenario's other dynamics fell back to their defaults."""
    data = {"dynamics": {"share_rate": 0.5, "venting_rate": 0.2}, "network": {"kind": "a"}}
    with pytest.warns(InputWarning) as caught:
        changed = apply_overrides(data, {"dynamics": {"wom_awareness_rate": 0.9}})
    assert changed["dynamics"] == {"wom_awareness_rate": 0.9}
    [message] = [str(w.message) for w in caught]
    assert message.startswith("dynamics: sets the table whole, without the share_rate = 0.5, ")
    assert '("dynamics.wom_awareness_rate" = 0.9: unquoted, TOML reads' in message
    meant = {  # given with its kind, or leaving out only tables: meant whole
        "network": {"kind": "b", "k": 4},
        "brands.0.loyalty": {"tiers": {"review_days": 90}},
        "dynamics.share_rate": 0.9,
    }
    data["brands"] = [{"name": "a", "loyalty": {"points": {"goal": 10}}}]
    with warnings.catch_warnings():
        warnings.simplefilter("error", InputWarning)
        apply_overrides(data, meant)
        assert apply_overrides(data, {"dynamics": {}})["dynamics"] == {}  # cleared on purpose


def test_a_strategy_setting_a_table_whole_is_warned_only_of_what_differs_from_defaults():
    scenario = load_scenario(SCENARIOS / "viral_content.toml")
    with pytest.warns(InputWarning) as caught:
        resolve_scenario(scenario, overrides={"dynamics": {"wom_awareness_rate": 0.9}})
    [message] = [str(w.message) for w in caught if "sets the table whole" in str(w.message)]
    assert "without the share_rate = 0.5 it holds now" in message


def test_load_with_overrides_validates_them():
    with pytest.raises(ScenarioError, match=r"population\.size: Input should be greater"):
        load_scenario(SCENARIOS / "baseline.toml", overrides={"population.size": 1})


def _to_toml(data: dict) -> str:
    """A tiny TOML writer for the test dictionaries (tables, arrays of tables, scalars)."""
    lines: list[str] = []

    def scalar(value):
        if isinstance(value, str):
            return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, dict):
            return "{ " + ", ".join(f"{k} = {scalar(v)}" for k, v in value.items()) + " }"
        if isinstance(value, list):
            return "[" + ", ".join(scalar(v) for v in value) + "]"
        return repr(value)

    def table(prefix, node):
        nested = []
        for key, value in node.items():
            tables = isinstance(value, list) and value and all(isinstance(v, dict) for v in value)
            if isinstance(value, dict) or tables:
                nested.append((key, value))
            else:
                lines.append(f"{key} = {scalar(value)}")
        for key, value in nested:
            name = f"{prefix}.{key}" if prefix else key
            if isinstance(value, dict):
                lines.append(f"[{name}]")
                table(name, value)
            else:
                for item in value:
                    lines.append(f"[[{name}]]")
                    table(name, item)

    table("", data)
    return "\n".join(lines) + "\n"


def test_toml_writer_round_trips():
    data = small_scenario()
    assert tomllib.loads(_to_toml(data)) == data


# ------------------------------------------------------------------ hypothesis

_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
)
_value = st.recursive(
    _leaf,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
_paths = st.sampled_from(
    [
        "name",
        "days",
        "seed",
        "population",
        "population.size",
        "population.segments",
        "population.segments.0",
        "population.segments.0.share",
        "population.segments.0.talkativeness",
        "population.segments.1.need_cycle",
        "network",
        "network.kind",
        "network.k",
        "brands",
        "brands.0",
        "brands.0.price",
        "channels.0.reach",
        "influencers.0.audience_share",
        "campaign",
        "campaign.0",
        "campaign.0.type",
        "campaign.1.discount",
        "campaign.0.end",
        "dynamics",
        "dynamics.stage_talk",
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(_paths, _value, max_size=4))
def test_mutated_scenarios_never_crash_the_loader(changes):
    try:
        data = apply_overrides(small_scenario(), changes)
        scenario = validate_scenario(data, "fuzz.toml")
    except ScenarioError as error:
        assert str(error).startswith(("fuzz.toml", "--set"))
        assert error.problems
    else:
        assert isinstance(scenario, Scenario)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_text_files_never_crash_the_loader(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("fuzz") / "f.toml"
    path.write_bytes(text.encode("utf-8", errors="replace"))
    with pytest.raises(ScenarioError):
        load_scenario(path)


# ---------------------------------------------------------------- strict, finite, consistent

STRICT = [
    ("days", True, "days: Input should be a valid integer (got True)"),
    ("days", 30.0, "days: Input should be a valid integer (got 30.0)"),
    ("brands.0.price", "150", "brands[0].price: Input should be a valid number (got '150')"),
    ("brands.0.price", False, "brands[0].price: Input should be a valid number (got False)"),
    ("name", 5, "name: Input should be a valid string (got 5)"),
    ("channels.0.reach", "0.2", "channels[0].reach: Input should be a valid number (got '0.2')"),
    (
        "channels.0.cost_per_exposure",
        float("inf"),
        "channels[0].cost_per_exposure: Input should be a finite number (got inf)",
    ),
    ("brands.0.price", float("nan"), "brands[0].price: Input should be a finite number (got nan)"),
    (
        "population.segments.0.talkativeness",
        float("inf"),
        "population.segments[0].talkativeness.constant.value: Input should be a finite number",
    ),
    ("brands.0.budget", float("nan"), "brands[0].budget: expected a number >= 0, or inf for no"),
    ("brands.0.loyalty", {"points": {"goal": True}}, "brands[0].loyalty.points.goal: Input should"),
]


@pytest.mark.parametrize(("path", "value", "expected"), STRICT, ids=[s[2][:40] for s in STRICT])
def test_no_coercion_and_no_infinity(path, value, expected):
    with pytest.raises(ScenarioError) as caught:
        validate_scenario(_with(path, value), source="shop.toml")
    assert expected in str(caught.value)


def _many(kind: str, count: int) -> dict:
    data = small_scenario()
    if kind == "channels":
        data["channels"] = [{"name": f"c{i}", "reach": 0.1} for i in range(count)]
        data["population"]["segments"][0]["channel_preferences"] = {}
        data["campaign"] = []
    else:
        share = 1.0 / count
        data["population"]["segments"] = [{"name": f"s{i}", "share": share} for i in range(count)]
    return data


@pytest.mark.parametrize(
    ("kind", "most", "path"),
    [("channels", 64, "channels"), ("segments", 32_767, "population.segments")],
)
def test_no_more_channels_or_segments_than_the_arrays_hold(kind, most, path):
    validate_scenario(_many(kind, most))
    with pytest.raises(ScenarioError) as caught:
        validate_scenario(_many(kind, most + 1))
    assert caught.value.problems[0][0] == path
    assert caught.value.problems[0][1].startswith(
        f"List should have at most {most} items after validation, not {most + 1}"
    )


LIMITS = [
    ("brands.0.loyalty", {"membership": {"term_days": 36_501}}, "less than or equal to 36500"),
    ("dynamics.active_window", 36_501, "dynamics.active_window: Input should be less than or"),
    ("campaign.0.end", 36_501, "campaign[0].end: Input should be less than or equal to 36500"),
    (
        "population.segments.0.need_cycle",
        {"dist": "gamma", "mean": 40_000.0, "sd": 100.0},
        "need_cycle: mean 40000 must be <= 36,500 days",
    ),
    (
        "population.segments.0.need_cycle",
        {"dist": "gamma", "mean": 30.0, "sd": 1e-12},
        "need_cycle: sd 1e-12 is too small for a gamma of mean 30 (a constant in effect)",
    ),
    (
        "population.segments.0.talkativeness",
        {"dist": "beta", "mean": 0.5, "sd": 1e-9},
        "talkativeness: sd 1e-09 is too small for a beta of mean 0.5 (a constant in effect)",
    ),
    (
        "dynamics.stage_basket",
        [1.0, 1.0, 0.0, 1.0, 1.0],
        "stage_basket[2]: Input should be greater",
    ),
    ("diffusion.seeds", {"share": 0.0}, "diffusion.seeds.share: Input should be greater than 0"),
    ("diffusion.seeds", {"customers": []}, "diffusion.seeds.customers: List should have at least"),
    ("brands.0.price", 1.0000001e15, "brands[0].price: 1.0000001e+15 is too large: numbers in"),
    ("dynamics.outside_utility", -1e300, "dynamics.outside_utility: -1e+300 is too large"),
    ("dynamics.stage_basket", [1.0, 1.0, 1e16, 1.0, 1.0], "stage_basket: item 2: 1e+16 is too"),
    ("channels.0.cost_per_exposure", 5e-324, "5e-324 is too small: numbers in a scenario are 0 or"),
    ("dynamics.rating_prior_count", 0.0, "rating_prior_count: Input should be greater than 0"),
    (
        "population.segments.0.need_cycle",
        {"dist": "gamma", "mean": 1e-300, "sd": 36_500.0},
        "need_cycle.mean: 1e-300 is too small",
    ),
    (
        "population.segments.0.need_cycle",
        {"dist": "gamma", "mean": 0.5, "sd": 3.0},
        "need_cycle: mean 0.5 must be >= 1 day",
    ),
    ("dynamics.cocreation_rate", 1.5, "cocreation_rate: Input should be less than or equal to 1"),
]


def test_an_influencer_actions_own_fields_are_named_without_its_type():
    data = small_scenario()
    data["campaign"][0] = {
        "type": "influencer",
        "brand": "shop",
        "influencer": "ayu",
        "start": 9,
        "end": 5,
    }
    with pytest.raises(ScenarioError) as caught:
        validate_scenario(data)
    assert caught.value.problems == [("campaign[0]", "end (5) must be >= start (9)")]
    data["campaign"][0].update(start=1, influencer="nobody")
    with pytest.raises(ScenarioError) as caught:
        validate_scenario(data)
    assert caught.value.problems[0][0] == "campaign[0].influencer"


@pytest.mark.parametrize(("path", "value", "expected"), LIMITS, ids=[s[0] for s in LIMITS])
def test_values_beyond_what_the_model_can_hold_are_refused(path, value, expected):
    with pytest.raises(ScenarioError) as caught:
        validate_scenario(_with(path, value), source="shop.toml")
    assert expected in str(caught.value)


def test_whole_numbers_are_fine_floats_and_budgets_may_be_unlimited():
    scenario = validate_scenario(_with("brands.0.price", 150))
    assert scenario.brands[0].price == 150.0 and isinstance(scenario.brands[0].price, float)
    assert validate_scenario(_with("brands.0.budget", float("inf"))).brands[0].budget == float(
        "inf"
    )


def _every_number_at(largest: float, data: Any) -> tuple[dict[str, Any], int]:
    """Set every float of ``data`` that may be ``largest`` to it, one after another; return
    the data and how many floats were set."""

    def paths(node: Any, path: tuple = ()) -> Iterator[tuple]:
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, value in items:
            if isinstance(value, dict | list | tuple):
                yield from paths(value, (*path, key))
            elif isinstance(value, float):
                yield (*path, key)

    count = 0
    for path in list(paths(data)):
        changed = copy.deepcopy(data)
        node = changed
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = largest
        with contextlib.suppress(ScenarioError):
            validate_scenario(changed)
            data, count = changed, count + 1
    return data, count


@pytest.mark.filterwarnings("error::RuntimeWarning")
@pytest.mark.parametrize(
    ("largest", "fields"), [(LARGEST, 40), (-LARGEST, 1), (SMALLEST, 40), (-SMALLEST, 1)]
)
@pytest.mark.parametrize(
    "name", ["baseline", "paid_membership", "harbolnas_double_points", "service_crisis"]
)
def test_a_scenario_of_the_largest_numbers_gives_finite_outcomes(name, largest, fields):
    """Prices, costs, earn rates, multipliers and basket sizes of 1e308 made outcomes
    infinite or NaN, and so did divisors of 1e-320; every number at +-LARGEST, or at
    +-SMALLEST (where its field allows it), keeps them finite, without an overflow."""
    scenario = load_scenario(SCENARIOS / f"{name}.toml", {"population.size": 200})
    extreme, changed = _every_number_at(largest, scenario.model_dump())
    daily = run(validate_scenario(extreme), seed=1)
    numbers = daily.select_dtypes("number")
    finite = np.isfinite(numbers.to_numpy(float))
    # the mean experience of the customers aware of a brand is NaN on a day none is
    unaware = (daily["aware_share"] == 0).to_numpy()
    for column in [c for c in numbers.columns if c.startswith("mean_experience")]:
        finite[unaware, numbers.columns.get_loc(column)] = True
    assert changed >= fields
    assert finite.all(), numbers.columns[~finite.all(axis=0)].tolist()


def test_action_beyond_the_horizon_is_refused_in_a_file(tmp_path):
    late = {"type": "promotion", "brand": "shop", "start": 40, "end": 45, "discount": 0.1}
    data = small_scenario(campaign=[late])
    (tmp_path / "s.toml").write_text(_to_toml(data))
    with pytest.raises(ScenarioError) as caught:
        load_scenario(tmp_path / "s.toml")
    assert caught.value.problems == [
        (
            "campaign[0].start",
            "starts on day 40, after the last day (30): it would never run (expected start <= 30)",
        )
    ]
    with pytest.warns(InputWarning, match=r"days: the horizon of 42 days cuts short 1 campaign"):
        load_scenario(tmp_path / "s.toml", {"days": 42})
    with pytest.warns(InputWarning, match=r"days: the horizon of 20 days leaves out 1 campaign"):
        load_scenario(tmp_path / "s.toml", {"days": 20})


def test_action_cut_by_the_horizon_is_a_warning_naming_file_and_field(tmp_path):
    long = {"type": "promotion", "brand": "shop", "start": 25, "end": 45, "discount": 0.1}
    (tmp_path / "s.toml").write_text(_to_toml(small_scenario(campaign=[long])))
    with pytest.warns(InputWarning) as caught:
        load_scenario(tmp_path / "s.toml")
    assert [str(w.message) for w in caught] == [
        f"{tmp_path / 's.toml'}: campaign[0].end: ends on day 45, after the last day (30): "
        "it runs 6 of its 21 days"
    ]


def test_a_horizon_of_one_day_is_said_in_the_singular():
    data = small_scenario()
    data["days"] = 1
    with pytest.warns(InputWarning, match=r"days: the horizon of 1 day leaves out 1 campaign"):
        validate_scenario(data)


def test_edge_list_outside_the_scenario_folder_is_refused_unless_allowed(tmp_path, monkeypatch):
    (tmp_path / "sub").mkdir()
    data = small_scenario(network={"kind": "edge_list", "path": "../edges.csv"})
    (tmp_path / "sub" / "s.toml").write_text(_to_toml(data))
    with pytest.raises(ScenarioError) as caught:
        load_scenario(tmp_path / "sub" / "s.toml")
    (path, message), *_ = caught.value.problems
    assert path == "network.path" and message.startswith("'../edges.csv' is outside the scenario")
    allowed = load_scenario(tmp_path / "sub" / "s.toml", allow_outside_paths=True)
    assert Path(allowed.network.path) == (tmp_path / "edges.csv").resolve()
    monkeypatch.setenv(OUTSIDE_PATHS_VARIABLE, "1")
    assert load_scenario(tmp_path / "sub" / "s.toml").network.path == allowed.network.path


def test_allowing_outside_paths_takes_true_or_false_only(tmp_path):
    """The string "no" is true: it allowed what it meant to refuse."""
    (tmp_path / "sub").mkdir()
    data = small_scenario(network={"kind": "edge_list", "path": "../edges.csv"})
    (tmp_path / "sub" / "s.toml").write_text(_to_toml(data))
    for value in ("no", "false", 0, 1):
        with pytest.raises(InputError, match=r"allow_outside_paths: expected True or False"):
            load_scenario(tmp_path / "sub" / "s.toml", allow_outside_paths=value)


def test_absolute_and_symlinked_paths_follow_the_same_rule(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "base.toml").write_text((SCENARIOS / "baseline.toml").read_text())
    (tmp_path / "sub" / "link.toml").symlink_to(tmp_path / "base.toml")
    child = tmp_path / "sub" / "child.toml"
    for target in (str(tmp_path / "base.toml"), "link.toml"):
        child.write_text(f'extends = "{target}"\nname = "child"\n')
        with pytest.raises(ScenarioError, match=r"extends: .* is outside the scenario's folder"):
            load_scenario(child)
    child.write_text(f'extends = "{tmp_path / "sub" / "deeper" / ".." / "ok.toml"}"\n')
    (tmp_path / "sub" / "ok.toml").write_text((SCENARIOS / "baseline.toml").read_text())
    assert load_scenario(child).name == "baseline"


def test_errors_in_an_extended_file_name_the_file_and_field_that_named_it(tmp_path):
    (tmp_path / "base.toml").write_text('name = "base"\ndays = = 3\n')
    (tmp_path / "child.toml").write_text('extends = "base.toml"\n')
    with pytest.raises(ScenarioError) as caught:
        load_scenario(tmp_path / "child.toml")
    message = str(caught.value)
    assert message.startswith(f"{tmp_path / 'child.toml'}: 1 problem\n  extends: ")
    assert f"{tmp_path / 'base.toml'}: invalid TOML" in message
    (tmp_path / "child.toml").write_text("extends = 3\n")
    with pytest.raises(ScenarioError, match=r"extends: expected a file name, got 3"):
        load_scenario(tmp_path / "child.toml")


def test_experiment_files_are_strict_too(tmp_path):
    from ecosim.experiment import ExperimentError, load_experiment

    text = (ROOT / "experiments" / "seeding_strategies.toml").read_text()
    text = text.replace("../scenarios/", str(SCENARIOS) + "/")
    (tmp_path / "e.toml").write_text(text)
    assert load_experiment(tmp_path / "e.toml", {"replications": 3}).replications == 3
    for field, value, expected in (
        ("replications", True, "replications: Input should be a valid integer (got True)"),
        ("replications", "3", "replications: Input should be a valid integer (got '3')"),
        ("seed", 1.5, "seed: Input should be a valid integer (got 1.5)"),
    ):
        with pytest.raises(ExperimentError) as caught:
            load_experiment(tmp_path / "e.toml", {field: value})
        assert expected in str(caught.value)


@pytest.mark.parametrize(
    ("changes", "said"),
    [
        (
            {"brands.0.budget": 100, "campaign.1.cost": 150},
            "150 is more than brand shop's whole budget (100)",
        ),
        (
            {"campaign.1.cost": 1e12},
            "1,000,000,000,000 is more than brand shop's whole budget (10,000)",
        ),  # it said 1e+12
    ],
    ids=["cost above the budget", "in digits, not in exponent form"],
)
def test_an_action_costing_more_than_its_brands_whole_budget_is_warned_about(changes, said):
    data = apply_overrides(small_scenario(), changes)
    with pytest.warns(InputWarning) as caught:
        validate_scenario(data, "shop.toml")
    assert [str(w.message) for w in caught] == [
        f"shop.toml: campaign[1].cost: {said}: the action never runs"
    ]


def test_a_budget_of_0_is_said_to_stop_every_paid_action_not_only_those_with_a_fixed_cost():
    """The always-on advertising, which has no fixed cost, stopped without a word."""
    data = apply_overrides(small_scenario(), {"brands.0.budget": 0, "campaign.1.cost": 150})
    with pytest.warns(InputWarning) as caught:
        validate_scenario(data, "shop.toml")
    assert [str(w.message) for w in caught] == [
        "shop.toml: brands[0].budget: shop's budget is 0, so none of its actions that cost "
        "money runs (paid media, influencer fees, rewards, messages and fixed costs are paid "
        "from it)"
    ]
    free = apply_overrides(data, {"campaign": [data["campaign"][1] | {"cost": 0.0}]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a sale costs the budget nothing: no warning
        validate_scenario(free, "shop.toml")
    funded = apply_overrides(data, {"brands.0.budget": 1_000})
    exposures = [
        run(validate_scenario(given), customers=300, days=20)["exposures"].sum()
        for given in (data, funded)
    ]
    assert exposures[0] == 0 < exposures[1]


def test_a_scenario_built_directly_names_its_invalid_fields():
    """Scenario(...) raised pydantic's ValidationError, the one public call that did."""
    with pytest.raises(ScenarioError) as caught:
        Scenario(name="x", days=0)
    assert str(caught.value).splitlines() == [
        "Scenario(...): 3 problems",
        "  days: Input should be greater than or equal to 1 (got 0)",
        "  population: required field is missing",
        "  brands: required field is missing",
    ]
    scenario = validate_scenario(small_scenario())
    assert Scenario(**scenario.model_dump()) == scenario


def test_a_value_set_in_place_says_how_to_change_it():
    """It raised pydantic's "Instance is frozen"."""
    scenario = validate_scenario(small_scenario())
    with pytest.raises(InputError, match=r"Brand.price: checked values are not changed in place"):
        scenario.brands[0].price = 100.0
    with pytest.raises(InputError, match=r"Scenario.days: checked values are not changed"):
        del scenario.days
    assert scenario == validate_scenario(small_scenario())


_REQUIRED = {
    "advertising": {"channel": "social"},
    "social_post": {"channel": "social"},
    "promotion": {"discount": 0.1},
    "price_change": {"price": 10.0},
    "influencer": {"influencer": "ayu"},
    "seeding": {"seeds": 3},
}
_EVERYTHING = {"segment", "intensity", "cultural_relevance"}
_READ = {
    "advertising": _EVERYTHING,
    "social_post": _EVERYTHING,
    "product_launch": _EVERYTHING,
    "influencer": {"intensity", "cultural_relevance"},  # its audience: the followers
    "promotion": {"segment"},
    "price_change": set(),  # the list price, for everyone
    "gamification": {"segment", "intensity"},
    "personalisation": {"segment", "intensity"},
    "community": {"segment", "intensity"},
    "winback": {"segment", "intensity"},
    "double_points": set(),
    "personalised_reward": {"segment"},
    "seeding": set(),  # a sample (an ambassador's intensity: below)
    "service_disruption": set(),
}
"""The shared fields each action type reads, from the processes that carry it out."""


@pytest.mark.parametrize("field", sorted(_EVERYTHING))
@pytest.mark.parametrize("kind", ACTION_TYPES)
def test_a_shared_field_an_action_does_not_read_is_refused_unless_left_at_its_default(kind, field):
    """A promotion's intensity, a price change's segment, a double points' cultural relevance
    were accepted and changed nothing (nor did a sensitivity analysis of them)."""
    from pydantic import TypeAdapter, ValidationError

    from ecosim.scenario import Action

    adapter = TypeAdapter(Action)
    action = {"type": kind, "brand": "shop", "start": 1, "end": 5, **_REQUIRED.get(kind, {})}
    default = getattr(adapter.validate_python(action), field)
    assert getattr(adapter.validate_python({**action, field: default}), field) == default
    other = {"segment": "young", "intensity": 0.5, "cultural_relevance": 0.5}[field]
    if field in _READ[kind]:
        assert getattr(adapter.validate_python({**action, field: other}), field) == other
    else:
        what = {"seeding": "a sample seeding", "influencer": "an influencer action"}
        kind_named = what.get(kind, f"a {kind} action")
        with pytest.raises(
            ValidationError, match=f"would change nothing: {kind_named} does not read {field} "
        ):
            adapter.validate_python({**action, field: other})


def test_an_ambassador_seeding_reads_its_intensity():
    from pydantic import TypeAdapter

    from ecosim.scenario import Action

    action = {"type": "seeding", "brand": "s", "start": 1, "end": 9, "seeds": 3, "intensity": 0.3}
    assert TypeAdapter(Action).validate_python({**action, "kind": "ambassador"}).intensity == 0.3


@pytest.mark.parametrize(
    ("encoding", "problem"),
    [
        ("utf-16", "is UTF-16 text (Windows' 'Unicode'), not UTF-8: save it as UTF-8"),
        ("latin-1", "is not UTF-8 text (byte 0xe9 on line 2): save it as UTF-8"),
    ],
)
def test_a_file_that_is_not_utf8_says_where_and_what_to_do(tmp_path, encoding, problem):
    """The message was the codec's: 'utf-8' codec can't decode byte 0xff in position 0."""
    path = tmp_path / "scenario.toml"
    path.write_text('name = "x"\ndescription = "café"\n', encoding=encoding)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert caught.value.problems == [("", problem)]
