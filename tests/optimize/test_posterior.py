"""Optimising under calibrated uncertainty: market parameters drawn from a posterior sample."""

import shutil
import warnings
from pathlib import Path

import pandas as pd
import pytest
import tomli_w
from optimisation_helpers import tiny_optimisation, write_optimisation

from ecosim.errors import InputWarning
from ecosim.experiment.runner import Runner
from ecosim.optimize import OptimisationError, load_optimisation, optimise, write_report
from ecosim.optimize.posterior import read_posterior
from ecosim.optimize.run import _Evaluator

from support import assert_rate

PATH = "dynamics.wom_awareness_rate"


def with_posterior(tmp_path, frame: pd.DataFrame, **changes):
    (tmp_path / "calibration").mkdir(parents=True, exist_ok=True)
    frame.to_parquet(tmp_path / "calibration" / "posterior.parquet")
    data = tiny_optimisation(posterior={"from": "calibration"}, **changes)
    return write_optimisation(tmp_path, data)


def sample() -> pd.DataFrame:
    return pd.DataFrame({PATH: [0.2, 0.5, 0.8], "weight": [1.0, 0.0, 3.0]})


def test_draws_follow_the_weights_and_are_the_same_for_every_plan(tmp_path):
    optimisation = load_optimisation(with_posterior(tmp_path, sample()))
    posterior = read_posterior(optimisation)
    draws = [d[PATH] for d in posterior.draws(seed=1, count=800)]
    assert set(draws) == {0.2, 0.8}  # a particle of weight 0 is never drawn
    assert_rate(draws.count(0.8), 800, 0.75)
    assert posterior.draws(1, 800) == posterior.draws(1, 800)
    evaluator = _Evaluator(optimisation, Runner(), stream=0, count=5)
    cheap, dear = (evaluator.jobs({"brands.0.margin": m}, range(5)) for m in (0.2, 0.8))
    for a, b in zip(cheap, dear, strict=True):
        assert a.seed == b.seed and a.overrides[PATH] == b.overrides[PATH]
        assert a.overrides["brands.0.margin"] == 0.2 and b.overrides["brands.0.margin"] == 0.8


@pytest.mark.parametrize(
    ("frame", "expected"),
    [
        (pd.DataFrame({PATH: [0.2]}), "posterior.parquet: weight: column is missing"),
        (
            pd.DataFrame({PATH: [0.2], "weight": [-1.0]}),
            "weight: must be finite numbers >= 0 with a positive sum",
        ),
        (
            pd.DataFrame({"brands.0.margin": [0.2], "weight": [1.0]}),
            "brands.0.margin: is also a decision (variables[0].path)",
        ),
        (
            pd.DataFrame({"brands.shop.margin": [0.2], "weight": [1.0]}),
            "brands.shop.margin: is also a decision (variables[0].path)",
        ),
        (
            pd.DataFrame({"brands.shop": [0.2], "weight": [1.0]}),
            "brands.shop: is also a decision (variables[0].path)",
        ),
        (pd.DataFrame({"not a path": [1.0], "weight": [1.0]}), "not a path: is not a dotted"),
        (
            pd.DataFrame({PATH: [0.2, -0.5], "weight": [1.0, 1.0]}),
            "posterior.parquet: dynamics.wom_awareness_rate (with the columns' lowest values): "
            "Input should be greater than or equal to 0",
        ),
        (
            pd.DataFrame({PATH: [0.2, None, None], "weight": [1.0, 1.0, 1.0]}),
            "posterior.parquet: dynamics.wom_awareness_rate: no value (NaN) in 2 row(s), the "
            "first row 2 (counting from 1)",
        ),
    ],
)
def test_a_bad_posterior_file_is_named_with_its_column(tmp_path, frame, expected):
    path = with_posterior(tmp_path, frame)
    with pytest.raises(OptimisationError) as caught:
        load_optimisation(path)
    message = str(caught.value)
    assert message.startswith(str(path)) and "posterior.from: " in message
    assert expected in message


def test_a_missing_posterior_folder_is_named(tmp_path):
    path = write_optimisation(tmp_path, tiny_optimisation(posterior={"from": "nowhere"}))
    with pytest.raises(OptimisationError, match=r"nowhere/posterior.parquet: file not found"):
        load_optimisation(path)


def test_an_optimisation_runs_under_the_posterior(tmp_path):
    search = {"evaluations": 2, "replications": 2, "batch": 2}
    selection = {"top": 1, "indifference": 50.0, "first_stage": 3, "max_replications": 3}
    path = with_posterior(tmp_path, sample(), search=search, selection=selection)
    optimisation = load_optimisation(path)
    outcome = optimise(optimisation, tmp_path / "out", serial=True)
    assert len(outcome.candidates) == 2 and len(outcome.runs) == 6
    report = write_report(outcome, optimisation).read_text()
    assert "| market parameters | drawn per replication from `calibration` |" in report


def test_the_folder_of_ecosim_calibrate_is_read_by_scenario_path(tmp_path, finished):
    calibration, _, out = finished
    scenario = Path(calibration.file).parent / calibration.scenario_file
    data = tiny_optimisation(
        scenario=str(scenario),
        customers=None,
        days=None,
        variables=[{"name": "price", "path": "brands.0.price", "low": 50.0, "high": 150.0}],
        objectives=[{"outcome": "total_revenue", "direction": "maximize"}],
        posterior={"from": str(out)},
    )
    path = tmp_path / "optimisation.toml"
    path.write_text(tomli_w.dumps({k: v for k, v in data.items() if v is not None}))
    drawn = read_posterior(load_optimisation(path)).values  # noqa: PD011 (its sample)
    particles = pd.read_parquet(out / "posterior.parquet")
    assert list(drawn.columns) == ["diffusion.p", "diffusion.q"]
    assert drawn["diffusion.p"].tolist() == particles["p"].tolist()
    assert drawn["diffusion.q"].tolist() == particles["q"].tolist()


RECORD = """\
name = "fitted"
finished = true

[settings_values]
"parameters.0.path" = "dynamics.wom_awareness_rate"
"parameters.0.name" = "word_of_mouth"
"parameters.0.prior" = "uniform"
"parameters.0.low" = 0.0
"parameters.0.high" = 4.0
"parameters.0.integer" = false
"parameters.1.path" = "campaign.0.end"
"parameters.1.prior" = "uniform"
"parameters.1.low" = 15.0
"parameters.1.high" = 25.0
"parameters.1.integer" = true
"parameters.2.path" = "market_size"
"parameters.2.prior" = "uniform"
"parameters.2.low" = 1000.0
"parameters.2.high" = 9000.0
"parameters.2.integer" = false
"""


def test_a_calibration_s_labels_become_paths_without_the_market_size(tmp_path):
    frame = pd.DataFrame(
        {
            "word_of_mouth": [0.5, 2.5],
            "end": [18.4, 21.6],
            "market_size": [2000.0, 8000.0],
            "weight": [1.0, 1.0],
        }
    )
    path = with_posterior(tmp_path, frame)
    (tmp_path / "calibration" / "calibration.toml").write_text(RECORD)
    posterior = read_posterior(load_optimisation(path))
    drawn = posterior.values  # noqa: PD011 (the sample, not pandas)
    assert list(drawn.columns) == [PATH, "campaign.0.end"]
    assert drawn[PATH].tolist() == [0.5, 2.5]
    assert drawn["campaign.0.end"].tolist() == [18, 22]
    draw = posterior.draws(seed=1, count=1)[0]
    assert type(draw["campaign.0.end"]) is int and "market_size" not in draw


def test_a_posterior_rewritten_in_place_is_not_mixed_with_the_old(tmp_path):
    path = with_posterior(tmp_path, sample())
    out = tmp_path / "out"
    optimise(load_optimisation(path), out, serial=True)
    changed = sample().assign(**{PATH: [0.1, 0.2, 0.3]})
    changed.to_parquet(tmp_path / "calibration" / "posterior.parquet")
    with pytest.raises(OptimisationError) as caught:
        optimise(load_optimisation(path), out, serial=True)
    assert ("posterior.sample", caught.value.problems[0][1]) == caught.value.problems[0]
    assert caught.value.problems[0][1].startswith("folder has '")
    sample().to_parquet(tmp_path / "calibration" / "posterior.parquet")  # as it was
    assert optimise(load_optimisation(path), out, serial=True).evaluated_now == 0


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        (
            "word_of_mouth",
            4.5,
            "word_of_mouth: 1 value(s) outside the prior's bounds [0.0, 4.0] of "
            "dynamics.wom_awareness_rate that calibration.toml records, the first 4.5 in row 2 "
            "(counting from 1): a calibration's particles lie within them (the file is "
            "damaged, or not this calibration's)",
        ),
        (
            "market_size",
            -0.51,
            "market_size: 1 value(s) outside the prior's bounds [1000.0, 9000.0] of "
            "market_size that calibration.toml records, the first -0.51 in row 2",
        ),
    ],
)
def test_a_particle_outside_its_prior_s_bounds_is_refused(tmp_path, column, value, expected):
    """A bit-flipped posterior.parquet was used as it was, with a market_size of -0.51."""
    frame = pd.DataFrame(
        {
            "word_of_mouth": [0.5, 2.5],
            "end": [18.4, 21.6],
            "market_size": [2000.0, 8000.0],
            "weight": [1.0, 1.0],
        }
    )
    frame.loc[1, column] = value
    path = with_posterior(tmp_path, frame)
    (tmp_path / "calibration" / "calibration.toml").write_text(RECORD)
    with pytest.raises(OptimisationError) as caught:
        load_optimisation(path)
    assert f"posterior.from: {tmp_path / 'calibration' / 'posterior.parquet'}: {expected}" in str(
        caught.value
    )


def optimisation_of(scenario: Path, out: Path, tmp_path: Path) -> Path:
    """Write an optimisation of ``scenario`` under the posterior in ``out``."""
    data = tiny_optimisation(
        scenario=str(scenario),
        variables=[{"name": "price", "path": "brands.0.price", "low": 50.0, "high": 150.0}],
        objectives=[{"outcome": "total_revenue", "direction": "maximize"}],
        posterior={"from": str(out)},
    )
    path = tmp_path / "optimisation.toml"
    path.write_text(
        tomli_w.dumps({k: v for k, v in data.items() if k not in ("customers", "days")})
    )
    return path


def fitted_warnings(path: Path) -> list[str]:
    """Load an optimisation; return its warnings about the posterior's scenario."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        load_optimisation(path)
    return [str(w.message) for w in caught if issubclass(w.category, InputWarning)]


@pytest.mark.parametrize(
    "scenario", ["the calibration's", "a copy of it", "its calibrated.toml", "extending it"]
)
def test_a_posterior_applied_to_its_own_scenario_is_not_warned_about(tmp_path, finished, scenario):
    calibration, _, out = finished
    base = Path(calibration.file).parent / calibration.scenario_file
    folder = shutil.copytree(out, tmp_path / "calibration")
    shutil.copy(base, tmp_path / "copy.toml")
    (tmp_path / "extending.toml").write_text(
        'extends = "copy.toml"\nname = "extended"\n[[brands]]\nname = "product"\nprice = 90.0\n'
    )
    path = {
        "the calibration's": base,
        "a copy of it": tmp_path / "copy.toml",
        "its calibrated.toml": folder / "calibrated.toml",
        "extending it": tmp_path / "extending.toml",
    }[scenario]
    assert fitted_warnings(optimisation_of(path, folder, tmp_path)) == []


def test_a_posterior_fitted_to_another_scenario_is_warned_about(tmp_path, finished):
    """A posterior fitted to another scenario was applied to the optimisation's silently.
    The warning names the calibration's scenario as the calibrate command would find it,
    not relative to the calibration file."""
    calibration, _, out = finished
    base = Path(calibration.file).parent / calibration.scenario_file
    other = tmp_path / "other.toml"
    other.write_text(base.read_text().replace("price = 100.0", "price = 90.0"))
    assert fitted_warnings(optimisation_of(other, out, tmp_path)) == [
        f"{out}: fitted to {base} (calibration {calibration.file}), which the "
        f"optimisation's scenario {other} neither is nor extends: the posterior's fields "
        f"(diffusion.p, diffusion.q) are set by path in {other}; check that they mean there "
        "what they meant in the calibration"
    ]
