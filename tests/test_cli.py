import json
import subprocess
import sys

import pandas as pd

from ecosim import __version__
from ecosim.cli import main

from support import SCENARIOS


def run_cli(*args):
    return main(["run", str(SCENARIOS / "baseline.toml"), "--customers", "1000", *args])


def test_run_writes_timeseries_summary_and_dashboard(tmp_path):
    out = tmp_path / "out"
    assert run_cli("--days", "20", "--seed", "5", "--out", str(out)) == 0
    daily = pd.read_parquet(out / "timeseries.parquet")
    assert len(daily) == 21 and daily["step"].iloc[-1] == 20
    summary = json.loads((out / "summary.json").read_text())
    assert summary["scenario"] == "baseline" and summary["seed"] == 5
    assert summary["customers"] == 1000 and summary["days"] == 20
    assert summary["ecosim_version"] == __version__
    assert summary["wall_time_seconds"] > 0
    assert summary["outcomes"]["total_purchases"] == daily["purchases"].sum()
    assert (out / "dashboard.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not list(out.glob(".*.tmp")), "no temporary files are left behind"


def test_same_seed_gives_byte_identical_data(tmp_path):
    for name in ("a", "b", "c"):
        seed = "9" if name != "c" else "10"
        assert run_cli("--days", "15", "--seed", seed, "--out", str(tmp_path / name)) == 0
    data = {name: (tmp_path / name / "timeseries.parquet").read_bytes() for name in "abc"}
    assert data["a"] == data["b"]
    assert data["a"] != data["c"]


def test_set_overrides_fields(tmp_path):
    out = tmp_path / "o"
    assert (
        run_cli("--days", "5", "--set", "brands.0.price=10", "--set", "days=3", "--out", str(out))
        == 0
    )
    summary = json.loads((out / "summary.json").read_text())
    assert summary["days"] == 5, "--days wins over --set days"
    daily = pd.read_parquet(out / "timeseries.parquet")
    bought = daily["purchases"].sum()
    assert bought == 0 or abs(daily["revenue"].sum() / bought - 10) < 10 * 0.31


def test_invalid_input_is_one_clear_message_without_traceback(tmp_path, capsys):
    status = run_cli(
        "--set", "brands.0.pricee=10", "--set", "campaign.0.intensity=3", "--out", str(tmp_path)
    )
    err = capsys.readouterr().err
    assert status == 2
    assert "baseline.toml: 2 problems" in err
    assert "brands[0].pricee: unknown field" in err
    assert "campaign[0].intensity: Input should be less than or equal to 1 (got 3)" in err
    assert "Traceback" not in err
    assert not (tmp_path / "timeseries.parquet").exists()


def test_bad_edge_list_is_reported_with_its_line(tmp_path, capsys):
    edges = tmp_path / "edges.csv"
    edges.write_text("source,target\n0,1\n1,x\n")
    network = f'network={{kind="edge_list", path="{edges}"}}'
    assert run_cli("--set", network) == 2
    err = capsys.readouterr().err
    assert f"{edges}, line 3: 'x' is not a node id (expected an integer in [0, 999])" in err


def test_console_command_end_to_end(tmp_path):
    command = [
        sys.executable,
        "-m",
        "ecosim.cli",
        "run",
        str(SCENARIOS / "two_brands.toml"),
        "--customers",
        "3000",
        "--days",
        "10",
        "--out",
        str(tmp_path),
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "two_brands:" in result.stdout
    daily = pd.read_parquet(tmp_path / "timeseries.parquet")
    assert "purchases__modaku" in daily
