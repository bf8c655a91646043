import numpy as np
import pandas as pd
import pytest

import ecosim
from ecosim.calibrate import CalibrationError, load_calibration
from ecosim.calibrate.data import aggregate
from ecosim.calibrate.simulation import simulated_periods


def test_a_particle_measures_only_its_statistics_and_gets_the_full_runs_values(
    write_calibration, monkeypatch
):
    rows = [f"{period},{10 + period},{period / 20}" for period in range(1, 13)]
    data = "\n".join(["period,purchases,adopted_share", *rows]) + "\n"
    calibration = load_calibration(
        write_calibration(
            (
                'column = "purchases"',
                'column = "purchases"\n\n[[statistics]]\ncolumn = "adopted_share"',
            ),
            data=data,
        )
    )
    values = {"p": 0.02, "q": 0.5}
    built = []
    monkeypatch.setattr(
        "ecosim.calibrate.simulation.EcosystemModel",
        lambda *args, **kwargs: built.append(ecosim.EcosystemModel(*args, **kwargs)) or built[-1],
    )
    periods = simulated_periods(calibration, values, seed=3)
    assert built[0].measured == {"purchases", "adopted_share"}
    full = ecosim.EcosystemModel(
        calibration.scenario, rng=3, overrides=calibration.overrides(values)
    ).run()
    expected = aggregate(
        full, calibration.columns, calibration.data.period_days, len(calibration.observed)
    )
    expected["purchases"] *= calibration.scale(values)
    assert periods.equals(expected)


def test_a_period_s_net_sentiment_is_that_of_its_word_of_mouth():
    daily = pd.DataFrame(
        {
            "step": range(5),
            "wom_positive": [0.0, 3.0, 0.0, 1.0, 0.0],
            "wom_negative": [0.0, 1.0, 0.0, 0.0, 2.0],
            "net_sentiment": [0.0, 0.5, 0.0, 1.0, -1.0],
        }
    )
    weekly = aggregate(daily, ["net_sentiment"], period_days=2, periods=2)
    np.testing.assert_allclose(weekly["net_sentiment"], [0.5, -1 / 3])
    daily_periods = aggregate(daily, ["net_sentiment"], period_days=1, periods=4)
    np.testing.assert_array_equal(daily_periods["net_sentiment"], [0.5, 0.0, 1.0, -1.0])


def test_a_simulation_of_net_sentiment_measures_the_word_of_mouth_it_needs(
    write_calibration, monkeypatch
):
    rows = [f"{period},0.0" for period in range(1, 7)]
    calibration = load_calibration(
        write_calibration(
            ('column = "purchases"', 'column = "net_sentiment"'),
            ('path = "data.csv"', 'path = "data.csv"\nperiod_days = 2'),
            data="\n".join(["period,net_sentiment", *rows]) + "\n",
        )
    )
    built = []
    monkeypatch.setattr(
        "ecosim.calibrate.simulation.EcosystemModel",
        lambda *args, **kwargs: built.append(ecosim.EcosystemModel(*args, **kwargs)) or built[-1],
    )
    simulated_periods(calibration, {"p": 0.02, "q": 0.5}, seed=3)
    assert built[0].measured == {"net_sentiment", "wom_positive", "wom_negative"}


def test_an_outcome_undefined_in_a_period_stops_with_the_values_and_periods(write_calibration):
    rows = [f"{period},0.1" for period in range(1, 13)]
    calibration = load_calibration(
        write_calibration(
            ('column = "purchases"', 'column = "mean_experience"'),
            data="\n".join(["period,mean_experience", *rows]) + "\n",
        )
    )
    with pytest.raises(CalibrationError) as raised:
        simulated_periods(calibration, {"p": 0.0, "q": 0.5}, seed=3)
    ((where, message),) = raised.value.problems
    assert raised.value.source == calibration.file and where == "statistics"
    assert message.startswith("mean_experience is undefined in period(s) 1, 2, ")
    assert "of a simulation with p = 0, q = 0.5" in message


def test_values_that_together_make_an_invalid_scenario_are_named(write_calibration):
    calibration = load_calibration(write_calibration())
    with pytest.raises(CalibrationError) as raised:
        simulated_periods(calibration, {"p": 1.5, "q": 0.5}, seed=3)
    ((where, message),) = raised.value.problems
    assert raised.value.source == calibration.file and where == "parameters"
    assert message.startswith("p = 1.5, q = 0.5 make an invalid scenario: diffusion")
