"""Optimising under calibrated uncertainty: market parameters drawn from a posterior sample."""

import pandas as pd
import pytest
from optimisation_helpers import tiny_optimisation, write_optimisation

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
        (pd.DataFrame({"not a path": [1.0], "weight": [1.0]}), "not a path: is not a dotted"),
        (
            pd.DataFrame({PATH: [0.2, -0.5], "weight": [1.0, 1.0]}),
            "posterior.parquet: min dynamics.wom_awareness_rate",
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
