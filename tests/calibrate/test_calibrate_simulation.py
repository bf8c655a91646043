import ecosim
from ecosim.calibrate import load_calibration
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
