import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import warnings

import pandas as pd
import pytest

from ecosim import __version__
from ecosim.cli import _warnings_shown, main
from ecosim.scenario import OUTSIDE_PATHS_VARIABLE

from experiment_helpers import tiny_experiment, write_experiment
from support import ROOT, SCENARIOS


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
    assert summary["overrides"] == {"days": 20, "seed": 5, "population.size": 1000}
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
    assert run_cli("--days", "5", "--set", "brands.0.price=10", "--out", str(out)) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["days"] == 5
    assert summary["overrides"] == {"brands.0.price": 10, "days": 5, "population.size": 1000}
    daily = pd.read_parquet(out / "timeseries.parquet")
    bought = daily["purchases"].sum()
    assert bought == 0 or abs(daily["revenue"].sum() / bought - 10) < 10 * 0.31


@pytest.mark.parametrize(
    "settings",
    [
        ["brands.0.budget=1e308"],
        ["brands.0.budget=1e15", "channels.0.cost_per_exposure=1e-15"],
    ],
)
def test_a_budget_that_pays_for_more_units_than_a_count_holds_runs(tmp_path, settings):
    out = tmp_path / "o"
    changes = [part for setting in settings for part in ("--set", setting)]
    assert run_cli("--days", "3", *changes, "--out", str(out)) == 0
    assert json.loads((out / "summary.json").read_text())["outcomes"]["total_exposures"] > 0


def test_an_unlimited_budget_is_written_as_standard_json(tmp_path):
    out = tmp_path / "o"
    assert run_cli("--days", "3", "--set", "brands.0.budget=inf", "--out", str(out)) == 0
    text = (out / "summary.json").read_text()
    assert "Infinity" not in text
    assert json.loads(text)["overrides"]["brands.0.budget"] == "inf"


@pytest.mark.parametrize(
    "argv",
    [
        ["run", "scenarios/baseline.toml"],
        ["batch", "experiments/strategy_comparison.toml"],
        ["compare", "results/strategy_comparison"],
        ["sensitivity", "experiments/strategy_comparison.toml", "--method", "morris"],
        ["optimize", "optimizations/spend_mix.toml"],
        ["calibrate", "calibrations/room_air_conditioners_bass.toml"],
        ["validate", "--quick"],
    ],
    ids=lambda argv: argv[0],
)
def test_out_naming_a_file_is_refused_before_any_work(argv, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    taken = tmp_path / "taken.txt"
    taken.write_text("keep me")
    assert main([*argv, "--out", str(taken)]) == 2
    assert capsys.readouterr().err == (
        f"ecosim: error: --out {taken}: is a file, not a folder (expected a folder to write "
        "into, or a path that does not exist yet)\n"
    )
    assert main([*argv, "--out", str(taken / "sub")]) == 2
    assert capsys.readouterr().err.startswith(
        f"ecosim: error: --out {taken / 'sub'}: {taken} is a file, not a folder"
    )
    assert taken.read_text() == "keep me" and os.listdir(tmp_path) == ["taken.txt"]
    assert main([*argv, "--out", "/proc/ecosim-out"]) == 2, "a folder no one can write into"
    assert capsys.readouterr().err.startswith(
        "ecosim: error: --out /proc/ecosim-out: /proc is a folder this process cannot write into ("
    )


def test_a_field_set_twice_on_the_command_line_is_refused(tmp_path, capsys):
    out = str(tmp_path / "out")
    assert run_cli("--set", "seed=5", "--set", "seed=6", "--out", out) == 2
    assert "--set seed: seed is given 2 times: give it once" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("command", ["calibrate", "optimize"])
def test_a_field_set_twice_is_refused_by_calibrate_and_optimize(tmp_path, capsys, command):
    """The last value won silently."""
    argv = [command, str(tmp_path / "file.toml"), "--out", str(tmp_path / "out")]
    twice = ["--set", "seed=2", "--set", "seed=1"]
    assert main([*argv, *twice]) == 2
    assert "--set seed: seed is given 2 times: give it once" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_a_run_stopped_while_writing_leaves_the_previous_run_whole(tmp_path, monkeypatch, capsys):
    out = tmp_path / "out"
    assert run_cli("--days", "5", "--seed", "1", "--out", str(out)) == 0
    before = {name: (out / name).read_bytes() for name in os.listdir(out)}

    def stopped(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("ecosim.plots.dashboard", stopped)  # the last file written
    assert run_cli("--days", "5", "--seed", "2", "--out", str(out)) != 0
    assert {name: (out / name).read_bytes() for name in os.listdir(out)} == before
    monkeypatch.undo()
    capsys.readouterr()
    assert run_cli("--days", "5", "--seed", "2", "--out", str(out)) == 0
    assert "(replacing a previous run's)" in capsys.readouterr().out
    assert json.loads((out / "summary.json").read_text())["seed"] == 2
    assert sorted(os.listdir(out)) == sorted(before)


def test_a_staging_folder_left_by_a_killed_run_is_removed_by_the_next(tmp_path):
    out = tmp_path / "out"
    host = socket.gethostname().replace("-", "_")
    ended = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    left = {
        "killed": out / f".writing-{host}-{int(ended.stdout)}-x1",
        "running": out / f".writing-{host}-{os.getpid()}-x2",
        "elsewhere": out / f".writing-other_host-{int(ended.stdout)}-x3",
    }
    for folder in left.values():
        folder.mkdir(parents=True)
        (folder / "customers.parquet").write_bytes(b"half")
    assert run_cli("--days", "5", "--out", str(out)) == 0
    assert {name for name, folder in left.items() if folder.exists()} == {"running", "elsewhere"}
    assert {p.name for p in out.iterdir() if not p.name.startswith(".")} == {
        "timeseries.parquet",
        "customers.parquet",
        "summary.json",
        "dashboard.png",
    }


def test_a_run_whose_output_file_is_taken_by_a_folder_is_refused_before_it_starts(tmp_path, capsys):
    (tmp_path / "summary.json").mkdir()
    assert run_cli("--out", str(tmp_path)) == 2
    assert capsys.readouterr().err == (
        f"ecosim: error: --out {tmp_path}: {tmp_path / 'summary.json'} is a folder (expected "
        "the files timeseries.parquet, customers.parquet, summary.json, dashboard.png or "
        "nothing there; choose another --out)\n"
    )
    assert os.listdir(tmp_path) == ["summary.json"]


@pytest.mark.parametrize("command", ["run", "batch", "optimize"])
def test_an_empty_out_is_refused(command, capsys):
    with pytest.raises(SystemExit) as stopped:
        main([command, "x.toml", "--out", ""])
    assert stopped.value.code == 2
    assert "argument --out: expected a folder (got an empty path)" in capsys.readouterr().err


def test_invalid_input_is_one_clear_message_without_traceback(tmp_path, capsys):
    status = run_cli(
        "--set", "brands.0.pricee=10", "--set", "campaign.0.intensity=3", "--out", str(tmp_path)
    )
    err = capsys.readouterr().err
    assert status == 2
    assert "baseline.toml: 2 problems" in err
    assert "brands[0].pricee (set on the command line): unknown field" in err
    assert (
        "campaign[0].intensity (set on the command line): Input should be less than or "
        "equal to 1 (got 3)" in err
    )
    assert "Traceback" not in err
    assert not (tmp_path / "timeseries.parquet").exists()


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (
            ["--set", "population.size=1"],
            "population.size (set on the command line): Input should be greater than or "
            "equal to 2 (got 1)",
        ),
        (["--set", "brandz.0.price=100"], "brandz (set on the command line): unknown field"),
        (
            ["--set", "dynamics.stage_basket.0=2"],
            "dynamics.stage_basket (set on the command line): a list the file does not write "
            "has no item 0 to set: set it whole",
        ),
        (
            ["--set", "brands.tokoku.service.incidents.late_delivery.rate=0.1"],
            "brands[0].service.incidents (set on the command line): a list the file does not "
            "write has no item named 'late_delivery' to set: set it whole",
        ),
        (
            ["--set", "brands.0.loyalty.tiers.review_days=60"],
            "brands[0].loyalty.tiers (set on the command line): the file does not write this "
            "table, so a field set in it leaves its required levels out: set the table whole",
        ),
        (
            ["--set", "brands.0.loyalty.tiers={review_days=60}"],
            "brands[0].loyalty.tiers.levels (set on the command line): required field is missing",
        ),
        (
            ["--days", "36501"],
            "days (set on the command line): Input should be less than or equal to 36500 "
            "(got 36501)",
        ),
        (
            ["--set", "network.kind=edge_list", "--set", "network.path=edges.csv"],
            "network.m (with network.kind set on the command line): unknown field",
        ),
    ],
)
def test_a_mistake_on_the_command_line_is_not_blamed_on_the_file(args, problem, capsys):
    assert main(["run", str(SCENARIOS / "baseline.toml"), *args]) == 2
    err = capsys.readouterr().err
    assert err == f"ecosim: error: {SCENARIOS / 'baseline.toml'}: 1 problem\n  {problem}\n"


def test_a_name_changed_on_the_command_line_is_blamed_where_the_old_name_is_used(capsys):
    args = ["run", str(SCENARIOS / "baseline.toml"), "--set", "brands.tokoku.name=toko"]
    assert main(args) == 2
    problems = capsys.readouterr().err.splitlines()[1:]
    assert len(problems) == 9
    assert all(
        line.startswith("  campaign[")
        and line.endswith(
            ".brand (with brands.tokoku.name set on the command line): unknown brand "
            "'tokoku' (expected one of: toko)"
        )
        for line in problems
    ), problems


@pytest.mark.parametrize(
    ("option", "text", "expected"),
    [
        ("--days", "0", ">= 1"),
        ("--days", "\u0663", ">= 1"),
        ("--customers", "+300", ">= 2"),
        ("--customers", "1_000", ">= 2"),
        ("--seed", "-1", ">= 0"),
        ("--seed", " 5", ">= 0"),
    ],
)
def test_run_takes_whole_numbers_as_every_command_does(option, text, expected, capsys):
    """``run`` read its numbers with ``int`` (which takes ``+5``, ``1_000`` and other
    scripts' digits); like the other commands it takes the digits 0 to 9 only."""
    with pytest.raises(SystemExit):
        main(["run", str(SCENARIOS / "baseline.toml"), f"{option}={text}"])
    err = capsys.readouterr().err
    assert f"argument {option}: expected a whole number {expected} (got {text!r})" in err


def test_validate_refuses_more_jobs_than_this_machine_holds(capsys):
    assert main(["validate", "--jobs", "1000000000000000000000000000000"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(
        "ecosim: error: --jobs: 1 problem\n  1,000,000,000,000,000,000,000,000,000,000: more "
        "worker processes than"
    )


@pytest.mark.parametrize(
    ("command", "args", "problem"),
    [
        (
            ["run", str(SCENARIOS / "baseline.toml")],
            ["--days", "10", "--set", "days=30"],
            "--set days: days is also given by --days (30 and 10): give it once",
        ),
        (
            ["run", str(SCENARIOS / "baseline.toml")],
            ["--set", "population.size=abc", "--customers", "200"],
            "--set population.size: population.size is also given by --customers ('abc' and "
            "200): give it once",
        ),
        (  # the table undid the option, or the option the table's other fields
            ["run", str(SCENARIOS / "baseline.toml")],
            ["--customers", "300", "--set", "population={size=500}"],
            "--set population: population holds population.size, which --customers gives "
            "(300): give it once",
        ),
        (
            ["batch", str(ROOT / "experiments" / "loyalty_designs.toml")],
            ["--replications", "2", "--set", "replications=1"],
            "--set replications: replications is also given by --replications (1 and 2): "
            "give it once",
        ),
    ],
)
def test_a_field_given_by_its_option_and_by_set_is_refused(
    command, args, problem, tmp_path, capsys
):
    assert main([*command, *args, "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err == f"ecosim: error: the command line: 1 problem\n  {problem}\n"
    assert not (tmp_path / "out").exists()


SIZE = {"path": "population.size", "range": [100, 300], "integer": True}
DAYS = {"path": "days", "range": [20, 30], "integer": True}
PRICE = {"path": "brands.shop.price", "range": [80, 120]}


def _without_varied(data: dict) -> dict:
    """The experiment without its days or customers where a parameter varies them (its
    file's own are refused, tested with the experiment files)."""
    sections = (data.get("conditions") or {}, data.get("sensitivity") or {})
    varied = {p["path"] for section in sections for p in section.get("parameters", [])}
    for name, path in (("days", "days"), ("customers", "population.size")):
        if path in varied:
            data.pop(name, None)
    return data


@pytest.mark.parametrize(
    ("command", "design", "args", "problem"),
    [
        (
            ["sensitivity", "--method", "sobol"],
            {"sensitivity": {"parameters": [SIZE]}},
            ["--customers", "1000"],
            "--customers: sensitivity.parameters[0] gives every run its population.size, so "
            "--customers 1000 would apply to no run: remove --customers or the parameter",
        ),
        (
            ["sensitivity", "--method", "morris"],
            {"conditions": {"parameters": [{**DAYS, "levels": 2}]}},
            ["--set", "days=40"],
            "--set days: conditions.parameters[0] gives every run its days, so --set days=40 "
            "would apply to no run: remove --set days or the parameter",
        ),
        (
            ["batch"],
            {"conditions": {"parameters": [{**DAYS, "levels": 2}]}},
            ["--set", "scenario.days=40"],
            "--set scenario.days: conditions.parameters[0] gives every run its days, so --set "
            "scenario.days=40 would apply to no run: remove --set scenario.days or the parameter",
        ),
        (
            ["batch"],
            {"conditions": {"parameters": [{**DAYS, "levels": 2}]}},
            ["--days", "40"],
            "--days: conditions.parameters[0] gives every run its days, so --days 40 would "
            "apply to no run: remove --days or the parameter",
        ),
        (
            ["sensitivity", "--method", "morris"],
            {"sensitivity": {"parameters": [SIZE, PRICE]}},
            ["--set", "scenario.brands.0.price=200"],
            "--set scenario.brands.0.price: sensitivity.parameters[1] gives every run its "
            "brands.shop.price, so --set scenario.brands.0.price=200 would apply to no run: "
            "remove --set scenario.brands.0.price or the parameter",
        ),
        (
            ["batch"],
            {"conditions": {"parameters": [{**PRICE, "levels": 2}]}},
            ["--set", "scenario.brands.shop.price=90"],
            "--set scenario.brands.shop.price: conditions.parameters[0] gives every run its "
            "brands.shop.price, so --set scenario.brands.shop.price=90 would apply to no run: "
            "remove --set scenario.brands.shop.price or the parameter",
        ),
    ],
)
def test_a_field_that_a_parameter_varies_is_refused_on_the_command_line(
    command, design, args, problem, tmp_path, capsys
):
    """--customers and --days were recorded with the results while every run took the
    parameter's population size or horizon instead; so was any --set scenario.* of a field a
    parameter varies."""
    data = _without_varied(tiny_experiment(days=20, **design))
    experiment = str(write_experiment(tmp_path, data))
    out = tmp_path / "out"
    assert main([command[0], experiment, *command[1:], *args, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err == f"ecosim: error: the command line: 1 problem\n  {problem}\n"
    assert not out.exists()


@pytest.mark.parametrize(
    ("design", "setting", "problem"),
    [
        (
            {"sensitivity": {"parameters": [SIZE], "replications": 2}},
            "replications=5",
            "--set replications: replications=5 would apply to no run: the analysis runs each "
            "point sensitivity.replications times (2): set that instead (--replications)",
        ),
        (
            {
                "sensitivity": {"parameters": [SIZE]},
                "conditions": {"parameters": [{**DAYS, "levels": 2}]},
            },
            "conditions.parameters.0.range=[20, 40]",
            "--set conditions.parameters.0.range: conditions.parameters.0.range=[20, 40] would "
            "apply to no run: the analysis samples sensitivity.parameters, not the market "
            "conditions",
        ),
        (
            {"sensitivity": {"parameters": [SIZE]}},
            "strategies.promo.append.campaign.0.discount=0.4",
            "--set strategies.promo.append.campaign.0.discount: "
            "strategies.promo.append.campaign.0.discount=0.4 would apply to no run: the "
            "analysis runs the strategy plain only",
        ),
        (
            {"sensitivity": {"parameters": [SIZE]}},
            "sensitivity.samples=128",
            "--set sensitivity.samples: sensitivity.samples=128 would apply to no run: the "
            "morris design does not read it",
        ),
        (
            {"sensitivity": {"parameters": [SIZE], "strategy": "promo"}},
            "baseline='quiet'",
            "--set baseline: baseline='quiet' would apply to no run: the analysis runs "
            "sensitivity.strategy (promo)",
        ),
        (
            {"sensitivity": {"parameters": [SIZE], "outcomes": ["total_profit"]}},
            "outcomes=['roi']",
            "--set outcomes: outcomes=['roi'] would apply to no run: the analysis reports "
            "sensitivity.outcomes: set that instead",
        ),
    ],
)
def test_sensitivity_refuses_settings_no_run_of_it_reads(
    design, setting, problem, tmp_path, capsys
):
    """They were recorded with the results, and any rerun had to repeat them."""
    data = _without_varied(tiny_experiment(days=20, **design))
    experiment = str(write_experiment(tmp_path, data))
    out = tmp_path / "out"
    args = ["sensitivity", experiment, "--method", "morris", "--set", setting, "--out", str(out)]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err == f"ecosim: error: the command line: 1 problem\n  {problem}\n"
    assert not out.exists()


@pytest.mark.parametrize(
    ("setting", "problem"),
    [
        (
            "scenario.days=20",
            "the experiment's days (15) replace the scenario's in every run, so scenario.days "
            "would apply to no run: set days instead (--days on the command line)",
        ),
        (
            "scenario.population.size=50",
            "the experiment's customers (300) replace the scenario's in every run, so "
            "scenario.population.size would apply to no run: set customers instead (--customers "
            "on the command line)",
        ),
        (
            "scenario.seed=5",
            "the experiment gives every run its seed (from its own seed), so no run reads the "
            "scenario's: set seed instead (--set seed=N on the command line)",
        ),
    ],
)
def test_a_change_of_the_base_scenario_that_no_run_reads_is_refused(
    setting, problem, tmp_path, capsys
):
    """They were recorded, and the report listed them as changes, while the runs took the
    experiment's days, customers and seeds."""
    experiment = write_experiment(tmp_path, tiny_experiment())
    out = tmp_path / "out"
    assert main(["batch", str(experiment), "--serial", "--set", setting, "--out", str(out)]) == 2
    path = setting.partition("=")[0]
    assert f"\n  {path} (set on the command line): {problem}\n" in capsys.readouterr().err
    assert not out.exists()
    data = tiny_experiment(replications=2, strategies={"plain": {}})
    data.pop("days")
    data.pop("conditions")
    if path == "scenario.days":  # an experiment without days runs the scenario's, as changed
        experiment = write_experiment(tmp_path, data)
        assert (
            main(["batch", str(experiment), "--serial", "--set", setting, "--out", str(out)]) == 0
        )
        assert pd.read_parquet(next((out / "runs").glob("*.parquet")))["step"].max() == 20


def test_a_problem_of_the_file_is_still_the_files(tmp_path, capsys):
    scenario = tmp_path / "bad.toml"
    scenario.write_text((SCENARIOS / "baseline.toml").read_text().replace("m = 4", "m = 0"))
    assert main(["run", str(scenario), "--customers", "1000", "--set", "network.kind=x"]) == 2
    assert main(["run", str(scenario), "--customers", "1000"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[1] == "  network.kind (set on the command line): unknown kind 'x' (expected one " + (
        "of: barabasi_albert, watts_strogatz, erdos_renyi, stochastic_block, complete, edge_list)"
    )
    assert err[3] == "  network.m: Input should be greater than or equal to 1 (got 0)"


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


def test_console_command_exits_with_the_status_of_the_command(tmp_path):
    missing = tmp_path / "missing.toml"
    command = [sys.executable, "-m", "ecosim.cli", "run", str(missing)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.returncode == 2
    assert result.stderr.startswith("ecosim: error:") and str(missing) in result.stderr


def test_customers_file_has_one_row_per_customer_and_brand_with_their_spend(tmp_path):
    two_brands = SCENARIOS / "two_brands.toml"
    for name in ("a", "b"):
        args = ["run", str(two_brands), "--customers", "1500", "--days", "30", "--seed", "4"]
        assert main([*args, "--out", str(tmp_path / name)]) == 0
    customers = pd.read_parquet(tmp_path / "a" / "customers.parquet")
    daily = pd.read_parquet(tmp_path / "a" / "timeseries.parquet")
    brands = sorted(customers["brand"].unique())
    assert len(brands) == 2 and len(customers) == 1500 * 2
    assert not customers.duplicated(["customer", "brand"]).any()
    assert set(customers["customer"]) == set(range(1500))
    for brand in brands:
        mine = customers[customers["brand"] == brand]
        assert mine["monetary"].sum() == pytest.approx(daily[f"revenue__{brand}"].sum())
        assert mine["frequency"].sum() == daily[f"purchases__{brand}"].sum() > 0
        assert (mine.loc[mine["frequency"] == 0, "monetary"] == 0).all()
    same = [(tmp_path / name / "customers.parquet").read_bytes() for name in "ab"]
    assert same[0] == same[1], "the same seed gives byte-identical customer data"


def test_port_out_of_range_is_refused_at_once(capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["ui", "--port", "99999"])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "argument --port: expected a port number in 1-65535, or 0 for any free port" in err
    with pytest.raises(SystemExit):
        main(["ui", "--port", "http"])


def test_campaign_beyond_the_horizon_is_refused_and_a_cut_one_is_a_warning(tmp_path, capsys):
    text = (SCENARIOS / "baseline.toml").read_text().replace("days = 365", "days = 200", 1)
    (tmp_path / "short.toml").write_text(text)
    assert main(["run", str(tmp_path / "short.toml"), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert f"ecosim: error: {tmp_path / 'short.toml'}: " in err
    assert (
        "campaign[6].start: starts on day 252, after the last day (200)" in err
        and "(expected start <= 200)" in err
    )
    assert not (tmp_path / "o").exists()
    status = run_cli("--days", "20", "--out", str(tmp_path / "p"))
    err = capsys.readouterr().err
    assert status == 0
    assert (
        err.startswith("ecosim: warning: ") and "baseline.toml: days: the horizon of 20 days" in err
    )
    assert "leaves out 6 campaign actions (campaign[0], campaign[4]," in err


def test_outside_paths_need_the_flag(tmp_path, capsys):
    (tmp_path / "mine").mkdir()
    (tmp_path / "base.toml").write_text((SCENARIOS / "baseline.toml").read_text())
    child = tmp_path / "mine" / "child.toml"
    child.write_text('extends = "../base.toml"\nname = "child"\n')
    out = str(tmp_path / "o")
    assert main(["run", str(child), "--customers", "500", "--days", "3", "--out", out]) == 2
    err = capsys.readouterr().err
    assert f"{child}: 1 problem\n  extends: '../base.toml' is outside the scenario's folder" in err
    assert "--allow-outside-paths" in err
    args = ["run", str(child), "--customers", "500", "--days", "3", "--out", out]
    assert main([*args, "--allow-outside-paths"]) == 0
    assert main(["--allow-outside-paths", *args]) == 0
    assert OUTSIDE_PATHS_VARIABLE not in os.environ, "the permission ends with the command"


def test_unexpected_error_is_one_line_and_debug_shows_the_traceback(monkeypatch, capsys):
    def broken(*args, **kwargs):
        raise RuntimeError("something unforeseen")

    monkeypatch.setattr("ecosim.model.EcosystemModel", broken)
    assert run_cli("--days", "2") == 1
    err = capsys.readouterr().err
    assert err.endswith(
        "ecosim: internal error: RuntimeError: something unforeseen\n"
        "rerun with --debug for the traceback\n"
    )
    assert run_cli("--days", "2", "--debug") == 1
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err and "something unforeseen" in err


def test_out_of_memory_anywhere_is_a_clear_message(monkeypatch, capsys):
    def exhausted(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr("ecosim.model.EcosystemModel", exhausted)
    assert run_cli("--days", "2") == 2
    err = capsys.readouterr().err
    assert "\necosim: error: out of memory: the run needs more memory" in err
    assert "Traceback" not in err


def test_importing_the_command_loads_no_batch_plotting_or_calibration_library():
    heavy = ("dask", "distributed", "matplotlib", "SALib", "pyabc", "optuna")
    probe = (
        "import sys, ecosim.cli; "
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {heavy!r}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert done.stdout.strip() == "[]"


def test_help_lists_the_validation_cases_and_refuses_an_unknown_one(capsys):
    with pytest.raises(SystemExit):
        main(["validate", "--help"])
    assert "dock_bass" in capsys.readouterr().out
    with pytest.raises(SystemExit) as stopped:
        main(["validate", "--case", "no_such_case"])
    assert stopped.value.code == 2
    assert "invalid choice: 'no_such_case'" in capsys.readouterr().err
    assert main(["validate", "--quick", "--case", "limits", "--case", "limits"]) == 2
    assert capsys.readouterr().err == (
        "ecosim: error: --case: limits given more than once (each case runs once; name each "
        "case you want once)\n"
    )


def _help(capsys, *command: str) -> str:
    with pytest.raises(SystemExit):
        main([*command, "--help"])
    return " ".join(capsys.readouterr().out.split())


@pytest.mark.parametrize("command", ["batch", "sensitivity"])
def test_the_set_examples_of_the_help_work_on_the_shipped_experiment(command, capsys):
    from ecosim.experiment import load_experiment
    from ecosim.scenario import parse_assignment

    shown = re.search(r"set an experiment field, e\.g\. (.+?) \(the base", _help(capsys, command))
    overrides = dict(parse_assignment(text) for text in re.split(r", | or ", shown[1]))
    assert len(overrides) == 3
    experiment = load_experiment(ROOT / "experiments" / "strategy_comparison.toml", overrides)
    for dotted, value in overrides.items():
        node = experiment.model_dump()
        for part in dotted.split("."):
            node = node[int(part)] if isinstance(node, list) else node[part]
        assert node == value, dotted


def test_the_help_says_what_the_sensitivity_analysis_samples(capsys):
    text = _help(capsys, "sensitivity")
    assert "over the ranges of the experiment's [[sensitivity.parameters]]" in text
    assert "condition ranges" not in _help(capsys)


def test_the_help_gives_the_full_validation_time_of_the_checked_in_report(capsys):
    report = (ROOT / "docs" / "validation.md").read_text()
    jobs, minutes = re.search(r"(\d+) worker processes, wall time (\d+) min", report).groups()
    assert f"took {minutes} minutes with --jobs {jobs}" in _help(capsys, "validate")


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (
            [
                "calibrate",
                "calibrations/room_air_conditioners_bass.toml",
                "--set",
                "abc.generations=0",
            ],
            "abc.generations (set on the command line): Input should be greater than or equal to 1",
        ),
        (
            [
                "calibrate",
                "calibrations/room_air_conditioners_bass.toml",
                "--set",
                "parameters.0.high=2",
            ],
            "parameters[0] (with parameters.0.high set on the command line): bound 2: diffusion.p",
        ),
        (
            ["optimize", "optimizations/spend_mix.toml", "--set", "search.evaluations=0"],
            "search.evaluations (set on the command line): Input should be greater than or equal",
        ),
    ],
)
def test_a_bad_set_of_calibrate_or_optimize_is_named_as_the_command_lines(
    capsys, monkeypatch, tmp_path, arguments, expected
):
    monkeypatch.chdir(ROOT)
    assert main([*arguments, "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert expected in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_a_library_warning_repeated_in_a_command_is_printed_once(monkeypatch):
    """Changing the warning filters resets Python's memory of the warnings shown; each run
    does (to silence input warnings given already), and a calibration printed the same numpy
    warning from pyabc's kernel hundreds of times."""
    printed = []

    def show(message, category, filename, lineno, file=None, line=None):
        printed.append((filename, lineno))

    monkeypatch.setattr(warnings, "showwarning", show)
    with warnings.catch_warnings():
        warnings.simplefilter("default")
        with _warnings_shown():
            for _ in range(3):
                with warnings.catch_warnings():
                    pass
                warnings.warn_explicit("covariance is odd", RuntimeWarning, "lib.py", 7)
            warnings.warn_explicit("covariance is odd", RuntimeWarning, "lib.py", 8)
    assert printed == [("lib.py", 7), ("lib.py", 8)]


def test_a_ctrl_c_whose_exception_was_lost_still_stops_the_command(monkeypatch, capsys):
    """Python's own handler kept no trace: a Ctrl-C raised inside Dask's garbage collector
    callback was dropped, and an optimisation ran to its end with status 0."""
    from ecosim import cli
    from ecosim.errors import INTERRUPT_RECEIVED, stop_if_signalled

    def lost_then_checked(args):
        with contextlib.suppress(KeyboardInterrupt):  # as Python drops one raised in a callback
            signal.raise_signal(signal.SIGINT)
        stop_if_signalled()  # as a loop over runs does after each run
        return 0

    monkeypatch.setattr(cli, "_validate", lost_then_checked)
    # as from a terminal, even when the tests run as a background job, which ignores Ctrl-C
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        assert main(["validate"]) == 130
    finally:
        signal.signal(signal.SIGINT, previous)
    assert "ecosim: interrupted" in capsys.readouterr().err
    assert not INTERRUPT_RECEIVED.is_set(), "a later call starts afresh"


def test_a_ctrl_c_the_parent_ignores_stays_ignored(monkeypatch):
    """A background job of a non-interactive shell ignores Ctrl-C; the command's handler made
    it stop on one."""
    from ecosim import cli

    seen = []
    monkeypatch.setattr(cli, "_validate", lambda args: seen.append(signal.getsignal(signal.SIGINT)))
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        main(["validate"])
        assert seen == [signal.SIG_IGN]
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, previous)


def test_a_sigterm_is_reported_as_such_and_does_not_stop_the_next_call(monkeypatch, capsys):
    """A library (Dask) may turn the exception into a plain KeyboardInterrupt on its way
    up: the status still says SIGTERM; and a later call in this process starts afresh."""
    from ecosim import cli
    from ecosim.errors import Terminated, stop_if_signalled

    def terminated(args):
        try:
            signal.raise_signal(signal.SIGTERM)
        except Terminated:
            raise KeyboardInterrupt from None

    monkeypatch.setattr(cli, "_validate", terminated)
    try:
        assert main(["validate"]) == 143
        assert "ecosim: terminated" in capsys.readouterr().err
        stop_if_signalled()
    except Terminated:  # a KeyboardInterrupt: pytest would stop the whole session
        pytest.fail("the signal of the last command stops the next")
    finally:
        Terminated.received.clear()


@pytest.mark.parametrize(
    ("command", "file"),
    [
        ("calibrate", "calibrations/room_air_conditioners_bass.toml"),
        ("optimize", "optimizations/spend_mix.toml"),
    ],
)
def test_too_many_workers_are_refused_before_anything_is_printed_or_made(
    command, file, tmp_path, capsys
):
    """calibrate printed its heading, then the refusal, and left a lock in the folder."""
    out = tmp_path / "out"
    assert main([command, str(ROOT / file), "--workers", "100000", "--out", str(out)]) == 2
    printed = capsys.readouterr()
    assert printed.out == ""
    assert printed.err.startswith("ecosim: error: --workers: 1 problem\n  100,000: more worker")
    assert not out.exists()


def test_compare_given_a_file_says_the_file_is_no_batch_folder(tmp_path, capsys):
    """It blamed --out, which was not given: "--out plan.toml: is a file, not a folder"."""
    experiment = write_experiment(tmp_path, tiny_experiment())
    assert main(["compare", str(experiment)]) == 2
    assert capsys.readouterr().err == (
        f"ecosim: error: {experiment}: 1 problem\n"
        "  is a file (expected the --out folder of ecosim batch)\n"
    )


@pytest.mark.parametrize("command", ["run", "batch"])
def test_one_customer_is_refused_by_the_option_as_by_the_schema(command, tmp_path, capsys):
    """--customers 1 passed the option ("a whole number >= 1") and failed the scenario."""
    file = SCENARIOS / "baseline.toml" if command == "run" else tmp_path / "experiment.toml"
    if command == "batch":
        write_experiment(tmp_path, tiny_experiment())
    with pytest.raises(SystemExit):
        main([command, str(file), "--customers", "1", "--out", str(tmp_path / "out")])
    assert "argument --customers: expected a whole number >= 2 (got '1')" in capsys.readouterr().err


@pytest.mark.parametrize("number", [signal.SIGINT, signal.SIGTERM])
def test_a_stop_silences_logging_until_the_command_ends(number):
    """Dask's scheduler, in the command's process, logged the connections the stop closed
    as critical errors with tracebacks, after which the command said "interrupted"."""
    import logging

    from ecosim.cli import _signals_as_interrupts
    from ecosim.errors import INTERRUPT_RECEIVED, Terminated

    ignored = signal.signal(signal.SIGINT, signal.default_int_handler)  # as in a command
    try:
        with pytest.raises(KeyboardInterrupt), _signals_as_interrupts(True):
            assert logging.root.manager.disable == logging.NOTSET
            try:
                signal.raise_signal(number)
            finally:
                assert logging.root.manager.disable == logging.CRITICAL
        assert logging.root.manager.disable == logging.NOTSET, "given back"
    finally:
        signal.signal(signal.SIGINT, ignored)  # pytest-xdist's workers ignore Ctrl-C
        Terminated.received.clear()  # else the next run in this worker stops at once
        INTERRUPT_RECEIVED.clear()


@pytest.mark.parametrize("number", [signal.SIGINT, signal.SIGTERM])
def test_a_stop_raised_in_a_callback_is_not_printed_and_stops_after_the_run(number, monkeypatch):
    """Ctrl-C in Dask's garbage-collector callback printed "Exception ignored in" with a
    traceback before the command stopped after its run."""
    import time

    from ecosim.cli import _signals_as_interrupts
    from ecosim.errors import INTERRUPT_RECEIVED, Terminated, stop_if_signalled

    class Callback:
        def __del__(self):  # Python cannot pass on what it raises: it is "ignored"
            signal.raise_signal(number)

    printed = []  # what Python's hook would print, as "Exception ignored in ..."
    monkeypatch.setattr(sys, "unraisablehook", printed.append)
    ignored = signal.signal(signal.SIGINT, signal.default_int_handler)  # as in a command
    try:
        stop = Terminated if number == signal.SIGTERM else KeyboardInterrupt
        with pytest.raises(stop), _signals_as_interrupts(True):
            Callback()
            time.sleep(0.05)  # the command goes on to the end of its run ...
            stop_if_signalled()  # ... after which it stops
    finally:
        signal.signal(signal.SIGINT, ignored)  # pytest-xdist's workers ignore Ctrl-C
        Terminated.received.clear()
        INTERRUPT_RECEIVED.clear()
    assert printed == []


def test_a_file_given_with_set_is_read_from_the_working_folder(tmp_path, monkeypatch, capsys):
    """``--set scenario=other.toml`` was read beside the experiment file, unlike every other
    path given on the command line (a scenario's network.path, --out)."""
    import tomli_w

    from ecosim.experiment import read_record

    from support import small_scenario

    experiment = write_experiment(tmp_path / "plans", tiny_experiment(replications=2, days=3))
    (tmp_path / "other.toml").write_text(tomli_w.dumps({**small_scenario(), "seed": 5}))
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "out"
    args = ["batch", str(experiment), "--set", "scenario=other.toml", "--serial"]
    assert main([*args, "--out", str(out)]) == 0, capsys.readouterr().err
    assert read_record(out).experiment.scenario.seed == 5


def test_a_rerun_that_changes_only_what_is_reported_records_its_own_changes(tmp_path, capsys):
    """The record kept the first command's --set outcomes=[...] while reporting the second
    command's outcomes."""
    from ecosim.experiment import read_record

    experiment = str(write_experiment(tmp_path, tiny_experiment(replications=2, days=3)))
    out = str(tmp_path / "out")
    for outcomes in ('["total_revenue"]', '["total_profit"]'):
        args = ["batch", experiment, "--serial", "--out", out, "--set", f"outcomes={outcomes}"]
        assert main(args) == 0, capsys.readouterr().err
    record = read_record(out).experiment
    assert record.overrides == {"outcomes": ["total_profit"]} and record.outcomes == [
        "total_profit"
    ]
    assert "0 finished now" in capsys.readouterr().out


@pytest.mark.parametrize("name", ["summary.json", "dashboard.png"])
def test_run_refuses_a_folder_whose_files_it_did_not_write(tmp_path, capsys, name):
    """A user's summary.json was written over, and called "a previous run's"."""
    out = tmp_path / "mine"
    out.mkdir()
    (out / name).write_text('{"my": 1}')
    assert run_cli("--days", "5", "--out", str(out)) == 2
    err = capsys.readouterr().err
    assert f"ecosim: error: {out}: holds {name}, which this command would write over" in err
    assert (out / name).read_text() == '{"my": 1}'
    again = tmp_path / "run"  # a folder of an earlier run is rewritten, as before
    assert run_cli("--days", "5", "--out", str(again)) == 0
    assert run_cli("--days", "5", "--out", str(again)) == 0
    assert "(replacing a previous run's)" in capsys.readouterr().out


def test_a_ctrl_c_while_the_command_exits_is_ignored_without_a_traceback():
    """A second Ctrl-C reached Dask's closing of its clusters as the interpreter exited:
    'Exception ignored in atexit callback ... KeyboardInterrupt'."""
    script = (
        "import atexit, os, signal, time\n"
        "import ecosim.cli\n"
        "def closing():\n"
        "    os.kill(os.getpid(), signal.SIGINT)\n"
        "    time.sleep(0.2)\n"
        "    print('closed')\n"
        "atexit.register(closing)\n"
        "ecosim.cli.main = lambda: 3\n"
        "ecosim.cli.command()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 3
    assert done.stdout == "closed\n"
    assert "Traceback" not in done.stderr and "KeyboardInterrupt" not in done.stderr
