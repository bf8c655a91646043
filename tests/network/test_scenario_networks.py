"""Tests of a scenario's network: its parameters against the population, edge-list paths."""

import pytest
import tomli_w

from ecosim import load_scenario
from ecosim.cli import main
from ecosim.model import EcosystemModel
from ecosim.network import (
    EdgeListError,
    edge_list,
    read_edge_list,
)
from ecosim.scenario import ScenarioError

from support import small_scenario

BASELINE = "scenarios/baseline.toml"


@pytest.mark.parametrize(
    ("network_table", "size", "message"),
    [
        (
            {"kind": "barabasi_albert", "m": 10},
            10,
            "network.m: 10 edges per new customer need more than 10 customers, but "
            "population.size is 10 (expected m <= 9)",
        ),
        (
            {"kind": "watts_strogatz", "k": 12},
            12,
            "network.k: a ring of 12 nearest neighbours needs more than 12 customers, but "
            "population.size is 12 (expected k <= 11)",
        ),
        (
            {"kind": "erdos_renyi", "mean_degree": 20},
            20,
            "network.mean_degree: 20 contacts each need more than 20 other customers, but "
            "population.size is 20 (expected mean_degree <= 19)",
        ),
        (
            {"kind": "stochastic_block", "mean_degree_within": 12, "mean_degree_between": 1},
            30,
            "network.mean_degree_within: 12 contacts within a community, but each of the 3 "
            "segments (communities) of 30 customers holds about 10 "
            "(expected mean_degree_within <= 9)",
        ),
        (
            {"kind": "stochastic_block", "mean_degree_within": 2, "mean_degree_between": 25},
            30,
            "network.mean_degree_between: 25 contacts in other communities, but the other "
            "segments hold about 20 customers (expected mean_degree_between <= 20)",
        ),
    ],
)
def test_network_parameters_are_checked_against_the_population(network_table, size, message):
    overrides = {"network": network_table, "population.size": size}
    with pytest.raises(ScenarioError) as error:
        load_scenario(BASELINE, overrides)
    assert f"  {message}" in str(error.value).splitlines()
    assert str(error.value).startswith(BASELINE)


def test_a_single_segment_has_no_other_community():
    overrides = {
        "network": {"kind": "stochastic_block", "mean_degree_within": 4, "mean_degree_between": 1},
        "population.segments": [{"name": "everyone", "share": 1.0}],
    }
    with pytest.raises(ScenarioError, match="a single segment has no other community"):
        load_scenario(BASELINE, overrides)


def test_inconsistent_network_parameters_are_reported_by_the_command_line(capsys):
    code = main(["run", BASELINE, "--customers", "3", "--set", "network.m=3"])
    err = capsys.readouterr().err
    assert code == 2
    assert ("network.m (set on the command line): 3 edges per new customer need more than 3") in err
    assert "Traceback" not in err


def test_an_edge_list_path_that_is_a_folder_names_the_scenario_and_field(tmp_path):
    scenario = tmp_path / "scenario.toml"
    scenario.write_text(tomli_w.dumps(small_scenario(network={"kind": "edge_list", "path": "."})))
    with pytest.raises(ScenarioError) as error:
        load_scenario(scenario)
    assert str(error.value) == (
        f"{scenario}: 1 problem\n  network.path: '{tmp_path}' is a folder "
        "(expected a CSV file of edges)"
    )


@pytest.mark.parametrize(
    ("path", "problem"),
    [
        ("loop.csv", "'loop.csv' is a loop of symbolic links (a link that leads back to itself)"),
        ("x" * 300 + ".csv", "cannot be a file name (File name too long)"),
        ("a\x00b.csv", "'a\\x00b.csv' cannot be a file name here (embedded null byte)"),
    ],
    ids=["symlink loop", "too long", "NUL"],
)
def test_an_edge_list_path_no_file_can_have_names_the_field(tmp_path, path, problem):
    (tmp_path / "loop.csv").symlink_to(tmp_path / "loop.csv")
    scenario = tmp_path / "scenario.toml"
    scenario.write_text(tomli_w.dumps(small_scenario(network={"kind": "edge_list", "path": path})))
    with pytest.raises(ScenarioError) as error:
        load_scenario(scenario)
    assert str(error.value).startswith(f"{scenario}: 1 problem\n  network.path: ")
    assert problem in str(error.value)
    overrides = {"network": {"kind": "edge_list", "path": str(tmp_path / path)}}
    with pytest.raises((ScenarioError, EdgeListError)):
        EcosystemModel(BASELINE, customers=34, overrides=overrides)


def test_a_missing_edge_list_is_named_by_its_field_when_the_model_is_built(tmp_path):
    """The message named the file alone, not the scenario's field that gave it."""
    overrides = {"network": {"kind": "edge_list", "path": str(tmp_path / "nope.csv")}}
    with pytest.raises(EdgeListError) as error:
        EcosystemModel(BASELINE, customers=34, overrides=overrides)
    assert str(error.value) == f"network.path: {tmp_path / 'nope.csv'}: file not found"


def test_a_model_refuses_an_edge_list_of_fewer_customers(tmp_path):
    edges = tmp_path / "karate.csv"
    edges.write_text("".join(f"{i},{(i + 1) % 34}\n" for i in range(34)))
    overrides = {"network": {"kind": "edge_list", "path": str(edges)}}
    with pytest.raises(EdgeListError, match=r"set population\.size = 34"):
        EcosystemModel(BASELINE, customers=10_000, overrides=overrides)
    model = EcosystemModel(BASELINE, customers=34, overrides=overrides)
    assert model.network.n == 34 and (model.network.degree == 2).all()


def test_a_scenario_edge_list_has_no_size_limit(tmp_path, monkeypatch):
    edges = tmp_path / "edges.csv"
    edges.write_text("".join(f"{i},{(i + 1) % 300}\n" for i in range(300)))
    monkeypatch.setattr(edge_list, "MAX_EDGE_LIST_BYTES", 10)
    defaults = {**edge_list.read_edge_list.__kwdefaults__, "max_bytes": 10}
    monkeypatch.setattr(edge_list.read_edge_list, "__kwdefaults__", defaults)
    with pytest.raises(EdgeListError, match="larger than the limit of 10 bytes"):
        read_edge_list(edges, 300)
    overrides = {"network": {"kind": "edge_list", "path": str(edges)}}
    assert EcosystemModel(BASELINE, customers=300, overrides=overrides).network.n_edges == 300
