"""A calibration fits one brand's outcomes in a market of several: a firm's own sales."""

import numpy as np
import pandas as pd
import pytest
from calibration_helpers import replaced

import ecosim
from ecosim.calibrate import CalibrationError, calibrate, load_calibration
from ecosim.calibrate.outputs import calibrated_scenario
from ecosim.calibrate.simulation import simulated_periods

from support import ROOT

CALIBRATION = """\
name = "challenger"
scenario = "two_brands.toml"
customers = 2000
days = 70
seed = 3

[data]
path = "weekly.csv"
period_days = 7

[[parameters]]
path = "brands.modaku.price"
low = 90
high = 160
prior = "uniform"

[[statistics]]
column = "purchases__modaku"

[[statistics]]
column = "net_sentiment__tokoku"

[abc]
population_size = 12
generations = 1
batch_size = 4
draws = 12
ppc_draws = 10
"""

WEEKS = [(3, 0.0), (2, 1.0), (2, 0.2), (3, -1.0), (30, 1.0), (80, 0.0), (90, -0.6)]
WEEKS += [(120, 0.0), (130, 0.2), (140, 0.4)]
DATA = "week,purchases__modaku,net_sentiment__tokoku\n" + "".join(
    f"{week},{sales},{sentiment}\n" for week, (sales, sentiment) in enumerate(WEEKS, start=1)
)
"""Ten weeks of the challenger's sales, from its launch a month in, and the incumbent's net
sentiment."""


def write(folder, *replace, data=DATA):
    """Write the two-brand scenario, weekly data and a calibration into ``folder``."""
    (folder / "two_brands.toml").write_text((ROOT / "scenarios" / "two_brands.toml").read_text())
    (folder / "weekly.csv").write_text(data.replace("week,", "period,"))
    path = folder / "challenger.toml"
    path.write_text(replaced(CALIBRATION, *replace))
    return path


def test_a_brands_periods_are_its_own_daily_outcomes_aggregated(tmp_path):
    calibration = load_calibration(write(tmp_path))
    periods = simulated_periods(calibration, {"price": 110.0}, seed=5)
    daily = ecosim.EcosystemModel(
        calibration.scenario, rng=5, overrides=calibration.overrides({"price": 110.0})
    ).run()
    weekly = daily.set_index("step").loc[1:70]

    def weeks(column):
        return weekly[column].to_numpy().reshape(10, 7).sum(axis=1)

    np.testing.assert_array_equal(periods["purchases__modaku"], weeks("purchases__modaku"))
    assert (weeks("purchases__modaku") < weeks("purchases")).all()
    positive, negative = weeks("wom_positive__tokoku"), weeks("wom_negative__tokoku")
    spoken = positive + negative > 0
    assert spoken.sum() >= 5
    np.testing.assert_allclose(
        periods["net_sentiment__tokoku"][spoken],
        ((positive - negative) / np.where(spoken, positive + negative, 1))[spoken],
    )
    assert (periods["net_sentiment__tokoku"][~spoken] == 0).all()


def test_a_brands_column_moves_with_that_brands_parameter(tmp_path):
    """The challenger's own sales fall as its price rises, at each of six paired seeds."""
    calibration = load_calibration(write(tmp_path))
    drops = []
    for seed in range(6):
        cheap, dear = (
            simulated_periods(calibration, {"price": price}, seed) for price in (90.0, 160.0)
        )
        drops.append(cheap["purchases__modaku"].sum() - dear["purchases__modaku"].sum())
    assert min(drops) > 0, drops


def test_a_firm_fits_its_own_sales_and_the_report_names_the_brands_columns(tmp_path):
    calibration = load_calibration(write(tmp_path, ("customers = 2000", "customers = 300")))
    out = tmp_path / "out"
    calibrate(calibration, out, serial=True)
    report = (out / "report.md").read_text()
    assert "`purchases__modaku`" in report and "| net_sentiment__tokoku | 10 |" in report
    assert "net sentiment is that of the period's word of mouth." in report
    calibrated = ecosim.load_scenario(out / "calibrated.toml")  # runs as written
    starts = [action.start for action in calibration.scenario.campaign]
    assert [a.start for a in calibrated.campaign] == [day for day in starts if day <= 70]
    assert (
        "# It leaves out the scenario's campaign[2] (promotion from day 346), "
        in (out / "calibrated.toml").read_text()
    )


def test_a_fitted_action_moved_up_by_those_left_out_is_named_by_its_place_in_the_file(tmp_path):
    """Fitting campaign.4.intensity with campaign[2] left out, the header named campaign[4],
    in the file another action."""
    fitted = 'path = "campaign.4.intensity"\nlow = 0.2\nhigh = 0.9\nprior = "uniform"'
    changes = ('path = "brands.modaku.price"\nlow = 90\nhigh = 160\nprior = "uniform"', fitted)
    calibration = load_calibration(write(tmp_path, changes))
    summary = pd.DataFrame(
        {"parameter": ["intensity"], "path": ["campaign.4.intensity"], "median": [0.25]}
    ).assign(q05=0.21, q95=0.3)
    text = calibrated_scenario(calibration, summary)
    assert "#   campaign.4.intensity (campaign[3] in this file) = 0.25 (90% credible" in text
    assert "the fields above are numbered as in the scenario." in text
    written = tmp_path / "calibrated.toml"
    written.write_text(text)
    assert ecosim.load_scenario(written).campaign[3].intensity == 0.25


def test_an_unknown_brand_or_outcome_is_named_with_what_is_expected(tmp_path):
    with pytest.raises(CalibrationError) as raised:
        load_calibration(write(tmp_path, ('"purchases__modaku"', '"purchases__rival"')))
    assert (
        "statistics[0].column: 'purchases__rival': the scenario has no brand 'rival' (expected "
        "purchases__<brand> for one of: tokoku, modaku)"
    ) in str(raised.value)
    with pytest.raises(CalibrationError) as raised:
        load_calibration(write(tmp_path, ('"purchases__modaku"', '"purchase__modaku"')))
    said = str(raised.value)
    assert "statistics[0].column: unknown outcome 'purchase__modaku' (did you mean " in said
    assert "purchases__modaku?" in said and "or for one brand (tokoku, modaku)" in said


def test_in_a_market_of_one_brand_its_columns_are_the_totals(write_calibration):
    path = write_calibration(('column = "purchases"', 'column = "purchases__product"'))
    with pytest.raises(CalibrationError, match="statistics") as raised:
        load_calibration(path)
    assert (
        "statistics[0].column: 'purchases__product': the scenario has one brand, product, whose "
        "outcomes are the columns without a brand (expected 'purchases')"
    ) in str(raised.value)


def test_a_column_may_be_renamed_to_a_brands_and_is_checked_as_its_outcome(tmp_path):
    renamed = write(
        tmp_path,
        ("period_days = 7", 'period_days = 7\nrename = { sales = "purchases__modaku" }'),
        data=DATA.replace("week,purchases__modaku", "week,sales"),
    )
    observed = load_calibration(renamed).observed["purchases__modaku"]
    assert observed.tolist() == [sales for sales, _ in WEEKS]
    negative = DATA.replace("3,2,0.2", "3,-2,0.2")
    with pytest.raises(CalibrationError) as raised:
        load_calibration(write(tmp_path, data=negative))
    assert "-2 is negative (expected 0 or more: purchases__modaku" in str(raised.value)
    share = DATA.replace("2,2,1.0", "2,2,40")
    with pytest.raises(CalibrationError) as raised:
        load_calibration(write(tmp_path, data=share))
    assert "40 is outside [-1, 1] (net_sentiment__tokoku" in str(raised.value)


def test_a_market_size_scales_a_brands_counts_and_not_its_shares(tmp_path):
    market = 'prior = "uniform"\n\n[[parameters]]\npath = "market_size"\nprior = "uniform"'
    market += "\nlow = 6000\nhigh = 6000.001"
    calibration = load_calibration(write(tmp_path, ('prior = "uniform"', market)))
    values = {"price": 110.0, "market_size": 6000.0}
    scaled = simulated_periods(calibration, values, seed=5)
    plain = simulated_periods(load_calibration(write(tmp_path)), {"price": 110.0}, seed=5)
    np.testing.assert_allclose(scaled["purchases__modaku"], 3 * plain["purchases__modaku"])
    np.testing.assert_array_equal(scaled["net_sentiment__tokoku"], plain["net_sentiment__tokoku"])
    shares = write(
        tmp_path, ('prior = "uniform"', market), ('"purchases__modaku"', '"aware_share__modaku"')
    )
    with pytest.raises(CalibrationError, match="market_size scales counts and money, but no "):
        load_calibration(shares)


@pytest.mark.parametrize(
    ("column", "message"),
    [
        (
            "purchases__rival",
            "'purchases__rival': the scenario has no brand 'rival' (expected "
            "purchases__<brand> for one of: tokoku, modaku)",
        ),
        (
            "purchase",
            "'purchase' is not an outcome column (expected period, date or one of: ",
        ),
    ],
)
def test_a_rename_to_no_brands_column_is_named_as_a_statistics(tmp_path, column, message):
    path = write(
        tmp_path,
        ("period_days = 7", f'period_days = 7\nrename = {{ sales = "{column}" }}'),
        data=DATA.replace("week,purchases__modaku", "week,sales"),
    )
    with pytest.raises(CalibrationError) as raised:
        load_calibration(path)
    assert f"data.rename.sales: {message}" in str(raised.value)
    if column == "purchase":
        assert "; or for one brand (tokoku, modaku), <outcome>__<brand>)" in str(raised.value)


def test_a_very_long_brands_column_is_shortened_in_the_message(tmp_path):
    long = "purchases__" + "x" * 3000
    with pytest.raises(CalibrationError) as raised:
        load_calibration(write(tmp_path, ('"purchases__modaku"', f'"{long}"')))
    assert len(str(raised.value)) < 1000


def test_the_customers_in_a_loyalty_tier_can_be_fitted_as_the_period_s_last_day(tmp_path):
    for name in ("points_vs_tiers", "baseline"):  # the one extends the other
        (tmp_path / f"{name}.toml").write_text((ROOT / "scenarios" / f"{name}.toml").read_text())
    changes = [
        ('"two_brands.toml"', '"points_vs_tiers.toml"'),
        ('"purchases__modaku"', '"tier_silver__modaku"'),
        ('[[statistics]]\ncolumn = "net_sentiment__tokoku"\n\n', ""),
        ("days = 70", "days = 98"),  # past the first review of the tiers, on day 90
    ]
    weeks = "week,tier_silver__modaku\n" + "".join(f"{week},{3 * week}\n" for week in range(1, 15))
    calibration = load_calibration(write(tmp_path, *changes, data=weeks))
    periods = simulated_periods(calibration, {"price": 110.0}, seed=2)
    daily = ecosim.EcosystemModel(
        calibration.scenario, rng=2, overrides=calibration.overrides({"price": 110.0})
    ).run()
    last_days = daily.set_index("step").loc[7:98:7, "tier_silver__modaku"].to_numpy()
    assert last_days.max() > 0
    np.testing.assert_array_equal(periods["tier_silver__modaku"], last_days)
    negative = weeks.replace("\n2,6\n", "\n2,-6\n")
    with pytest.raises(CalibrationError, match=r"-6 is negative \(expected 0 or more: tier_silv"):
        load_calibration(write(tmp_path, *changes, data=negative))
