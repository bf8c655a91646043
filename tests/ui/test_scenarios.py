"""Uploaded networks: the size limit, the population following the network, bad files."""

from pathlib import Path

import pytest

from ecosim import load_scenario
from ecosim.network import EdgeListError
from ecosim.ui.controls import model_params
from ecosim.ui.live_model import LiveModel
from ecosim.ui.scenarios import (
    UPLOAD_LIMIT_VARIABLE,
    UploadError,
    check_upload_size,
    max_upload_bytes,
    with_edge_list,
)

BASELINE = load_scenario(Path("scenarios/baseline.toml"))


def test_a_network_of_another_size_sets_the_population_and_says_so(tmp_path):
    club = "\n".join(f"{i},{(i + 1) % 34}" for i in range(34)).encode()
    scenario, note = with_edge_list(BASELINE, tmp_path / "club.csv", club)
    assert scenario.population.size == 34
    assert note == (
        "club.csv connects 34 customers (ids 0 to 33), so the population is now 34 (was 10,000)."
    )
    model = LiveModel(scenario)
    assert model.problem is None and model.population.n == 34 and model.network.n_edges == 34


@pytest.mark.parametrize(
    ("head", "row"),
    [
        ("source,target,weight\n", "{i},{j},50"),
        ("# exported 2024-05-01, 100000000 rows at most\nsource,target\n", "{i},{j}"),
        ("\ufeff", " {i} , +{j}\r"),
    ],
    ids=["weights", "comment with numbers", "bom, spaces, signs, CR"],
)
def test_the_population_follows_the_ids_of_the_edges_only(tmp_path, head, row):
    ring = head + "\n".join(row.format(i=i, j=(i + 1) % 34) for i in range(34))
    scenario, note = with_edge_list(BASELINE, tmp_path / "club.csv", ring.encode())
    assert scenario.population.size == 34, note
    assert LiveModel(scenario).network.n_edges == 34


def test_a_network_of_the_populations_size_changes_nothing_else(tmp_path):
    ring = "\n".join(f"{i},{(i + 1) % 10_000}" for i in range(10_000)).encode()
    scenario, note = with_edge_list(BASELINE, tmp_path / "ring.csv", ring)
    assert note == "" and scenario.population.size == 10_000
    assert scenario.network.kind == "edge_list"


def test_a_bad_line_is_named_and_an_upload_over_the_limit_is_refused_unread(tmp_path):
    with pytest.raises(EdgeListError, match=r"bad\.csv, line 3: 'abc' is not a node id"):
        with_edge_list(BASELINE, tmp_path / "bad.csv", b"source,target\n0,1\nabc,2\n")
    with pytest.raises(UploadError, match=r"big\.csv: 0\.0 MB is over the upload limit of 0\.0 MB"):
        with_edge_list(BASELINE, tmp_path / "big.csv", b"0,1\n" * 10, limit=20)
    assert not (tmp_path / "big.csv").exists()


def test_the_limit_is_50_mb_unless_set(monkeypatch):
    monkeypatch.delenv(UPLOAD_LIMIT_VARIABLE, raising=False)
    assert max_upload_bytes() == 50_000_000
    monkeypatch.setenv(UPLOAD_LIMIT_VARIABLE, "2")
    check_upload_size("fine.csv", 2_000_000)
    with pytest.raises(UploadError, match=r"set ECOSIM_UI_MAX_UPLOAD_MB to change it\)"):
        check_upload_size("big.csv", 2_000_001)


def test_the_customers_control_reaches_a_small_uploaded_networks_size(tmp_path):
    club = "\n".join(f"{i},{(i + 1) % 34}" for i in range(34)).encode()
    scenario, _ = with_edge_list(BASELINE, tmp_path / "club.csv", club)
    customers = model_params(scenario)["customers"]
    assert customers["min"] <= customers["value"] == 34


def test_a_network_larger_than_the_customers_control_allows_is_refused_unsaved(tmp_path):
    with pytest.raises(UploadError) as refused:
        with_edge_list(BASELINE, tmp_path / "huge.csv", b"0,1\n1,5000000\n")
    assert str(refused.value) == (
        "huge.csv: its largest customer id is 5,000,000, so the population would be "
        "5,000,001 customers, over the limit of 100,000 customers (ids 0 to 99,999)"
    )
    assert model_params(BASELINE)["customers"]["max"] == 100_000
    assert not (tmp_path / "huge.csv").exists()
    scenario, _ = with_edge_list(BASELINE, tmp_path / "edge.csv", b"0,1\n1,99999\n")
    assert scenario.population.size == 100_000
