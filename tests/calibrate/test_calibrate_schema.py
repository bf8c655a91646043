"""Calibration files and their data: the shipped ones load, broken ones fail clearly."""

import contextlib
import warnings
from pathlib import Path

import numpy as np
import pytest
from calibration_helpers import DATA

from ecosim.calibrate import CalibrationError, load_calibration
from ecosim.calibrate.abc import BoundedPrior, priors
from ecosim.calibrate.data import read_observed
from ecosim.calibrate.schema import Parameter, is_share
from ecosim.cli import main
from ecosim.errors import InputWarning
from ecosim.metrics import OUTCOMES


@pytest.mark.parametrize("path", sorted(Path("calibrations").glob("*.toml")), ids=str)
def test_shipped_calibrations_load(path):
    calibration = load_calibration(path)
    assert len(calibration.observed) >= 5
    assert set(calibration.columns) <= set(calibration.observed.columns)


def test_the_tiny_calibration_loads(write_calibration):
    calibration = load_calibration(write_calibration())
    assert [p.label for p in calibration.parameters] == ["p", "q"]
    assert calibration.observed["period"].tolist() == list(range(1, 13))
    assert calibration.overrides({"p": 0.1, "q": 0.5}) == {"diffusion.p": 0.1, "diffusion.q": 0.5}
    assert calibration.scale({"p": 0.1, "q": 0.5}) == 1.0


BROKEN_DATA = [
    ("missing column", "period,sales\n1,3\n", "header: no column 'purchases'"),
    ("non-numeric", "period,purchases\n1,3\n2,lots\n", "line 3, purchases: 'lots' is not a number"),
    (
        "beyond horizon",
        "period,purchases\n" + "".join(f"{k},1\n" for k in range(1, 14)),
        "line 14, period: 1 period ends after the scenario's horizon of 12 days (line 14; the "
        "last, period 13, on day 13): set days = 13 in the calibration, or leave it out of the "
        "data",
    ),
    ("gap", "period,purchases\n1,3\n3,4\n", "line 3, period: period 2 expected after period 1"),
    (
        "many bad rows",
        "period,purchases\n" + "".join(f"{k},-1\n" for k in range(1, 13)),
        "12 problems\n  line 2, purchases: -1 is negative (expected 0 or more: purchases cannot "
        "be negative)\n",
    ),
    (
        "many bad rows, counted",
        "period,purchases\n" + "".join(f"{k},-1\n" for k in range(1, 13)),
        "  line 11, purchases: -1 is negative (expected 0 or more: purchases cannot be "
        "negative)\n  and 2 more problems of these kinds\n",
    ),
    ("no index", "week,purchases\n1,3\n", "exactly one of the columns period or date"),
    (
        "a digit that is not a number",
        "period,purchases\n1,3\n²,4\n",
        "line 3, period: '²' is not a period number >= 1",
    ),
    ("infinite", "period,purchases\n1,inf\n", "line 2, purchases: 'inf' is not finite"),
    (
        "huge",
        "period,purchases\n1,5\n2,1e300\n",
        "line 3, purchases: 1e+300 is too large (expected at most 1e+100 in magnitude)",
    ),
    (
        "a number too small to read",  # was read as 0
        "period,purchases\n1,5\n2,1e-400\n3,0.0e-400\n",
        "1 problem\n  line 3, purchases: '1e-400' rounds to 0 (the smallest number that can be "
        "read is about 5e-324; write 0 if 0 is meant)",
    ),
    (
        "underscores in a number",
        "period,purchases\n1,1_000\n",
        "line 2, purchases: '1_000' is not a number (expected digits 0-9 with an optional sign",
    ),
    (
        "full-width digits",
        "period,purchases\n1,3\n2,９６\n",
        "line 3, purchases: '９６' is not a number (expected digits 0-9",
    ),
    ("arabic-indic digit", "period,purchases\n1,٣\n", "line 2, purchases: '٣' is not a number"),
    (
        "a period of thousands of digits",  # was an internal error of int()
        "period,purchases\n1,96\n" + "9" * 5000 + ",5\n",
        f"line 3, period: '{'9' * 20}...{'9' * 10} (5000 chars)' is after "
        "the longest horizon a scenario may have (36,500 days): leave it out of the data",
    ),
    (
        "a period no scenario reaches",  # was advised to set days = 99999999999999999999
        "period,purchases\n" + "".join(f"{k},1\n" for k in range(1, 12)) + "012,1\n40000,1\n",
        "line 14, period: 1 period ends after the scenario's horizon of 12 days (line 14; the "
        "last, period 40000, on day 40000): leave it out of the data (a scenario has at most "
        "36,500 days)",
    ),
    (
        "a long bad cell",
        "period,purchases\n1," + "x" * 300 + "\n",
        f"line 2, purchases: '{'x' * 20}...{'x' * 10} (300 chars)' is not a number",
    ),
]


@pytest.mark.parametrize(
    ("data", "message"), [case[1:] for case in BROKEN_DATA], ids=[case[0] for case in BROKEN_DATA]
)
def test_broken_data_is_named_by_file_line_and_column(write_calibration, capsys, data, message):
    path = write_calibration(data=data)
    assert main(["calibrate", str(path), "--serial", "--out", str(path.parent / "out")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("ecosim: error: ") and "Traceback" not in err
    assert str(path.parent / "data.csv") in err and message in err
    assert not (path.parent / "out").exists()


BROKEN_FILES = [
    (
        "prior mean outside its bounds",
        ('prior = "uniform"\nlow = 0.0', 'prior = "normal"\nmean = 2.0\nsd = 0.1\nlow = 0.0'),
        "parameters[1].mean: the prior's mean 2.0 is outside its bounds [0.0, 1.0]",
    ),
    (
        "bounds reversed",
        ("low = 0.0\nhigh = 1.0", "low = 1.0\nhigh = 0.5"),
        "parameters[1].high: must be > low (1.0) (got 0.5)",
    ),
    (
        "log-uniform from zero",
        ("low = 0.005", "low = 0.0"),
        "parameters[0].low: a log_uniform prior needs low > 0",
    ),
    (
        "integer on fractional bounds",
        ("high = 0.2", "high = 0.2\ninteger = true"),
        "parameters[0].integer: an integer parameter needs whole numbers for low and high "
        "(got 0.005 and 0.2)",
    ),
    (
        "beta without shapes",
        ('prior = "uniform"', 'prior = "beta"'),
        "parameters[1].alpha: a beta prior needs it",
    ),
    (
        "unknown parameter path",
        ('path = "diffusion.q"', 'path = "diffusion.qq"'),
        "parameters[1].path: 'diffusion.qq' is not a field of the scenario",
    ),
    (
        "bound the scenario refuses",
        ("high = 0.2", "high = 1.5"),
        "parameters[0]: bound 1.5: diffusion.p: ",
    ),
    (
        "unknown outcome",
        ('column = "purchases"', 'column = "sales"'),
        "statistics[0].column: unknown outcome 'sales' (expected one of: aware_share,",
    ),
    (
        "outcome name too long to repeat",
        ('column = "purchases"', f'column = "{"x" * 500}"'),
        "statistics[0].column: unknown outcome 'xxxxxxxxxxxxxxxxxxx...xxxxxxxxx' (502 chars) (",
    ),
    (
        "misspelt outcome",
        ('column = "purchases"', 'column = "purchase"'),
        "statistics[0].column: unknown outcome 'purchase' (did you mean purchases? expected",
    ),
    ("unknown field", ("seed = 7", "seed = 7\nseeds = 3"), "seeds: unknown field"),
    (
        "renamed to no outcome",
        ('path = "data.csv"', 'path = "data.csv"\nrename = { purchases = "purchase" }'),
        "data.rename.purchases: 'purchase' is not an outcome column (expected period, date or",
    ),
    ("missing scenario", ('"tiny_bass.toml"', '"nowhere.toml"'), "scenario: "),
    (
        "the horizon fitted",
        ('path = "diffusion.q"', 'path = "days"'),
        "parameters[1].path: 'days' is the horizon, which the data sets (expected a field of "
        "the market",
    ),
    (
        "a market of no customers",
        (
            'path = "diffusion.q"\nprior = "uniform"\nlow = 0.0',
            'path = "market_size"\nprior = "uniform"\nlow = -50.0',
        ),
        "parameters[1].low: market_size is a number of customers, so its prior needs low > 0 "
        "(got -50.0)",
    ),
    (
        "the seed fitted",
        ('path = "diffusion.q"', 'path = "seed"'),
        "parameters[1].path: 'seed' is the random seed, not a property of the market",
    ),
    (
        "the simulated population fitted",
        ('path = "diffusion.q"', 'path = "population.size"'),
        "parameters[1].path: 'population.size' is the number of simulated customers; fit "
        "market_size for the number of real customers they stand for",
    ),
    (
        "a parameter named as the particles' weights",
        ('path = "diffusion.q"', 'path = "diffusion.q"\nname = "weight"'),
        "parameters[1].name: 'weight' names the particles' weights in the posterior's table; "
        "give the parameter another name",
    ),
    (
        "a whole-number field without integer",
        (
            'path = "diffusion.q"\nprior = "uniform"\nlow = 0.0\nhigh = 1.0',
            'path = "dynamics.wom_memory_days"\nprior = "uniform"\nlow = 5\nhigh = 60',
        ),
        "parameters[1].integer: dynamics.wom_memory_days takes whole numbers: set integer = true",
    ),
    (
        "bounds valid alone and not together",
        (
            'path = "diffusion.q"\nprior = "uniform"\nlow = 0.0\nhigh = 1.0',
            'path = "dynamics.wom_experience_weight"\nprior = "uniform"\nlow = 0.1\nhigh = 0.66'
            '\n\n[[parameters]]\npath = "dynamics.negativity_bias"\nprior = "uniform"\nlow = 1.0'
            "\nhigh = 2.0",
        ),
        "parameters: the bounds together give an invalid scenario at "
        "dynamics.wom_experience_weight = 0.66, dynamics.negativity_bias = 2: dynamics: "
        "wom_experience_weight * negativity_bias must be <= 1",
    ),
    (
        "too many draws",
        ("draws = 40", "draws = 1_000_000_000_000"),
        "abc.draws: Input should be less than or equal to 1000000",
    ),
    (
        "too few draws for the check",
        ("ppc_draws = 10", "ppc_draws = 50"),
        "abc.ppc_draws: must be <= draws (40)",
    ),
]


@pytest.mark.parametrize(
    "field",
    [
        "population_size",
        "max_population_size",
        "batch_size",
        "draws",
        "generations",
        "replications",
    ],
)
def test_a_size_that_would_never_end_is_refused(write_calibration, field):
    path = write_calibration()
    with pytest.raises(CalibrationError) as raised:
        load_calibration(
            path, {f"abc.{field}": 1_000_000_000_000}, overrides_from="the command line"
        )
    ((where, message),) = raised.value.problems
    assert where == f"abc.{field} (set on the command line)"
    assert message.startswith("Input should be less than or equal to ")


def test_a_market_size_no_statistic_depends_on_is_refused(write_calibration):
    """Fitted to shares alone, market_size changed no distance: its posterior was its prior."""
    market = 'path = "market_size"\nprior = "log_uniform"\nlow = 1e3\nhigh = 1e6'
    shares = "period,adopted_share\n" + "".join(f"{k},{k / 20}\n" for k in range(1, 13))
    path = write_calibration(
        (Q_PRIOR, market), ('column = "purchases"', 'column = "adopted_share"'), data=shares
    )
    with pytest.raises(CalibrationError) as raised:
        load_calibration(path)
    assert raised.value.problems == [
        (
            "parameters[1].path",
            "market_size scales counts and money, but no statistic depends on it "
            "(series(adopted_share): shares, averages and the period of a peak are the same at "
            "any scale): the data cannot inform it (add a statistic of a count, such as "
            "purchases, or fit no market_size)",
        )
    ]
    peak = ('column = "purchases"', 'column = "purchases"\nkind = "peak_period"')
    with pytest.raises(CalibrationError, match=r"no statistic depends on it \(peak_period"):
        load_calibration(write_calibration((Q_PRIOR, market), peak))
    counted = write_calibration((Q_PRIOR, market))  # the tiny calibration's purchases
    assert load_calibration(counted).parameters[1].path == "market_size"


def test_a_seed_numpy_cannot_take_is_refused_naming_the_largest(write_calibration, capsys):
    path = write_calibration()
    out = path.parent / "out"
    command = ["calibrate", str(path), "--serial", "--out", str(out), "--set", "seed=4294967296"]
    assert main(command) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"ecosim: error: {path}: 1 problem\n") and "Traceback" not in err
    assert (
        "seed (set on the command line): Input should be less than or equal to 4294967295 "
        "(got 4294967296)" in err
    )
    assert not out.exists()


Q_PRIOR = 'path = "diffusion.q"\nprior = "uniform"\nlow = 0.0\nhigh = 1.0'
EXTREME_PRIORS = [
    (
        "a market of 1e200",
        'path = "market_size"\nprior = "uniform"\nlow = 1.0\nhigh = 1e200',
        "high: must be 0 or of a size from 1e-15 to 1e+15, so that the prior's density stays "
        "finite (got 1e+200)",
    ),
    (
        "a market of 1e308",
        'path = "market_size"\nprior = "log_uniform"\nlow = 1.0\nhigh = 1e308',
        "high: must be 0 or of a size from 1e-15 to 1e+15",
    ),
    (
        "a width below the smallest number",
        'path = "diffusion.q"\nprior = "uniform"\nlow = 0.0\nhigh = 5e-324',
        "high: must be 0 or of a size from 1e-15 to 1e+15",
    ),
    (
        "a width of one floating-point step",
        'path = "diffusion.q"\nprior = "beta"\nalpha = 2.0\nbeta = 2.0\nlow = 0.5\n'
        "high = 0.5000000000000001",
        "high: must exceed low (0.5) by at least 1e-09 times the larger bound's size, so that "
        "the prior draws more than a few numbers (got 0.5000000000000001)",
    ),
    *[
        (
            f"a normal of sd {sd}",
            f"{Q_PRIOR.replace('uniform', 'normal')}\nmean = 0.5\nsd = {sd}",
            "sd: must be from 1e-06 to 1e+06 times the width of the bounds (1), so that the "
            f"truncated normal draws within them with a finite density (got {float(sd):g})",
        )
        for sd in ("1e15", "1e17", "1e100", "1e308", "1e-320")
    ],
    (
        "a beta of shape 1e308",
        f"{Q_PRIOR.replace('uniform', 'beta')}\nalpha = 1e308\nbeta = 1.0",
        "parameters[1].alpha: Input should be less than or equal to 1000000 (got 1e+308)",
    ),
    (
        "a beta of shapes 1e-320",
        f"{Q_PRIOR.replace('uniform', 'beta')}\nalpha = 1e-320\nbeta = 1e-320",
        "parameters[1].beta: Input should be greater than or equal to 0.5 (got 1e-320)",
    ),
]


BROKEN = [
    *BROKEN_FILES,
    *((name, (Q_PRIOR, prior), message) for name, prior, message in EXTREME_PRIORS),
]


@pytest.mark.parametrize(
    ("change", "message"), [case[1:] for case in BROKEN], ids=[case[0] for case in BROKEN]
)
def test_broken_calibration_files_name_the_file_and_field(
    write_calibration, capsys, change, message
):
    path = write_calibration(change)
    out = path.parent / "out"
    assert main(["calibrate", str(path), "--serial", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"ecosim: error: {path}: ") and "Traceback" not in err
    assert message in err
    assert not out.exists(), "refused before anything is written"


def test_priors_at_the_limits_are_accepted(write_calibration):
    market = 'path = "market_size"\nprior = "uniform"\nlow = 1e-15\nhigh = 1e15'
    assert load_calibration(write_calibration((Q_PRIOR, market))).parameters[1].high == 1e15
    for sd in ("1e-6", "1e6"):
        normal = f"{Q_PRIOR.replace('uniform', 'normal')}\nmean = 0.5\nsd = {sd}"
        assert load_calibration(write_calibration((Q_PRIOR, normal))).parameters[1].sd == float(sd)
    beta = f"{Q_PRIOR.replace('uniform', 'beta')}\nalpha = 0.5\nbeta = 1e6"
    assert load_calibration(write_calibration((Q_PRIOR, beta))).parameters[1].beta == 1e6


def test_a_bound_outside_the_field_names_the_scenario_field(write_calibration):
    path = write_calibration(("high = 0.2", "high = 1.5"))
    with pytest.raises(CalibrationError) as caught:
        load_calibration(path)
    ((where, message),) = caught.value.problems
    assert where == "parameters[0]" and message.startswith("bound 1.5: diffusion.p: ")


def test_dates_a_week_apart_are_weekly_periods(tmp_path):
    path = tmp_path / "weekly.csv"
    path.write_text("date,revenue,aware_share\n2024-01-01,10,0.1\n2024-01-08,12,0.2\n")
    observed = read_observed(path, ["revenue", "aware_share"], period_days=7, days=14)
    assert observed["period"].tolist() == [1, 2]
    assert observed["aware_share"].tolist() == [0.1, 0.2]
    path.write_text("date,revenue\n2024-01-01,10\n2024-01-09,12\n")
    with pytest.raises(CalibrationError, match="line 3, date: 2024-01-09 is 8 days after"):
        read_observed(path, ["revenue"], period_days=7, days=14)


@pytest.mark.parametrize(
    ("text", "period_days", "message"),
    [
        (
            "period,purchases\n1,3\n2,3\n# a comment\n3,3\n4,3\n5,3\n8,3\n9,3\n",
            1,
            "line 8, period: period 6 expected after period 5, found 8",
        ),
        ("period,purchases\n2,3\n3,3\n", 1, "line 2, period: period 1 expected first, found 2"),
        (
            "period,purchases\n1,3\n2,3\n2,3\n",
            1,
            "line 4, period: period 3 expected after period 2, found 2",
        ),
        (
            "date,purchases\n2024-01-01,3\n2024-01-08,3\n2024-01-22,3\n",
            7,
            "line 4, date: 2024-01-15 (period 3) expected after 2024-01-08 (period 2), found "
            "2024-01-22 (period 4)",
        ),
        (
            "date,purchases\n2024-01-08,3\n2024-01-01,3\n",
            7,
            "line 3, date: 2024-01-15 (period 2) expected after 2024-01-08 (period 1), found "
            "2024-01-01 (before the first date)",
        ),
    ],
    ids=["gap", "late start", "repeat", "date gap", "date before the first"],
)
def test_a_break_in_the_periods_names_its_line_and_the_period_expected(
    tmp_path, text, period_days, message
):
    path = tmp_path / "data.csv"
    path.write_text(text)
    with pytest.raises(CalibrationError) as raised:
        read_observed(path, ["purchases"], period_days, days=100)
    assert str(raised.value) == f"{path}: 1 problem\n  {message}"


def test_blank_lines_are_skipped_and_lines_still_counted(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text("period,purchases\n1,3\n\n   \n2,4\n\n3,x\n")
    with pytest.raises(CalibrationError, match="line 7, purchases: 'x' is not a number"):
        read_observed(path, ["purchases"], 1, days=10)
    path.write_text("period,purchases\n1,3\n\n2,4\n")
    assert read_observed(path, ["purchases"], 1, days=10)["purchases"].tolist() == [3.0, 4.0]


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("aware_share", "45", "45 is outside [0, 1] (aware_share is a share: give 0.45 for 45%)"),
        ("stage_creation", "-0.1", "-0.1 is outside [0, 1] (stage_creation is a share)"),
        ("net_sentiment", "150", "150 is outside [-1, 1] (net_sentiment is a share)"),
        ("purchases", "-3", "-3 is negative (expected 0 or more: purchases cannot be negative)"),
        ("marketing_cost", "-2", "-2 is negative (expected 0 or more: marketing_cost cannot"),
    ],
)
def test_a_value_the_outcome_cannot_take_is_named_with_what_it_can(
    tmp_path, column, value, message
):
    path = tmp_path / "data.csv"
    path.write_text(f"period,{column}\n1,0\n2,{value}\n")
    with pytest.raises(CalibrationError) as raised:
        read_observed(path, [column], 1, days=10)
    assert f"line 3, {column}: {message}" in str(raised.value)


RANGE_BOUNDS = {
    "rating": (1, 5),
    "presence_physical": (0, 1),
    "presence_emotional": (0, 1),
    "mean_experience": (-1, 1),
}


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("rating", "85", "85 is outside [1, 5] (rating is an average of review stars, 1 to 5)"),
        ("rating", "0", "0 is outside [1, 5] (rating is an average of review stars, 1 to 5)"),
        (
            "presence_physical",
            "45",
            "45 is outside [0, 1] (presence_physical is a share: give 0.45 for 45%)",
        ),
        ("presence_emotional", "-0.2", "-0.2 is outside [0, 1] (presence_emotional is a share)"),
        (
            "mean_experience",
            "-7",
            "-7 is outside [-1, 1] (mean_experience is an experience valence, from -1 to 1)",
        ),
    ],
)
def test_a_rating_presence_or_experience_the_model_cannot_give_is_refused(
    tmp_path, column, value, message
):
    """Ratings, presences and mean experience were read whatever their value (rating 85)."""
    path = tmp_path / "data.csv"
    path.write_text(f"period,{column}\n1,{RANGE_BOUNDS[column][0]}\n2,{value}\n")
    with pytest.raises(CalibrationError) as raised:
        read_observed(path, [column], 1, days=10)
    assert str(raised.value) == f"{path}: 1 problem\n  line 3, {column}: {message}"


def test_every_outcome_but_margin_and_profit_is_bounded(tmp_path):
    """Rating, the presences and mean experience were read at any value, however impossible
    (and revenue, which the model never makes negative)."""
    path = tmp_path / "data.csv"
    read = set()
    for outcome in OUTCOMES:
        path.write_text(f"period,{outcome}\n1,-1e6\n")
        with contextlib.suppress(CalibrationError):
            read_observed(path, [outcome], 1, days=10)
            read.add(outcome)
    assert read == {"gross_margin", "profit"}


def test_ratings_presences_and_experience_at_their_bounds_are_read(tmp_path):
    path = tmp_path / "data.csv"
    columns = list(RANGE_BOUNDS)
    lows, highs = zip(*RANGE_BOUNDS.values(), strict=True)
    path.write_text(
        f"period,{','.join(columns)}\n1,{','.join(map(str, lows))}\n2,{','.join(map(str, highs))}\n"
    )
    observed = read_observed(path, columns, 1, days=10)
    assert [observed[c].tolist() for c in columns] == [list(b) for b in RANGE_BOUNDS.values()]


def test_signed_outcomes_and_shares_at_their_bounds_are_read(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text("period,profit,revenue,aware_share,net_sentiment\n1,-5,0,0,-1\n2,3,4,1,1\n")
    observed = read_observed(path, ["profit", "revenue", "aware_share", "net_sentiment"], 1, 10)
    assert observed["profit"].tolist() == [-5.0, 3.0]
    assert observed["aware_share"].tolist() == [0.0, 1.0]


@pytest.mark.parametrize(
    ("text", "rename", "message"),
    [
        (
            "period,purchases,purchases\n1,3,30\n",
            {},
            "header: column 'purchases' appears 2 times; expected one column per outcome",
        ),
        (
            "period,units,sales\n1,3,30\n",
            {"sales": "purchases", "units": "purchases"},
            "header: columns 'units', 'sales' are all read as 'purchases' (data.rename)",
        ),
        (
            "period,week,purchases\n1,1,3\n",
            {"week": "period"},
            "header: columns 'period', 'week' are all read as 'period' (data.rename)",
        ),
    ],
    ids=["written twice", "renamed onto each other", "renamed onto the index"],
)
def test_a_column_given_twice_is_refused_not_one_of_them_read(tmp_path, text, rename, message):
    path = tmp_path / "data.csv"
    path.write_text(text)
    with pytest.raises(CalibrationError) as raised:
        read_observed(path, ["purchases"], 1, days=10, rename=rename)
    assert message in str(raised.value)


def test_unnamed_and_unused_columns_may_repeat(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text("period,note,purchases,note,,\n1,a,3,b,,\n2,c,4,d,,\n")
    assert read_observed(path, ["purchases"], 1, days=10)["purchases"].tolist() == [3.0, 4.0]


def test_a_file_not_in_utf8_is_named_with_its_first_line_that_is_not(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text("# ventes de climatiseurs\nperiod,purchases\n1,3 # réel\n2,4\n", "latin-1")
    with pytest.raises(CalibrationError) as raised:
        read_observed(path, ["purchases"], 1, days=10)
    assert str(raised.value) == (
        f"{path}: 1 problem\n  line 3: is not UTF-8 text (expected a CSV file saved as UTF-8: "
        "in a spreadsheet, save as CSV UTF-8)"
    )


@pytest.mark.parametrize(("separator", "shown"), [(";", "';'"), ("\t", "'\\t'")])
def test_a_file_separated_by_something_else_than_commas_says_so(tmp_path, separator, shown):
    path = tmp_path / "data.csv"
    path.write_text(f"period{separator}purchases\n1{separator}3,5\n")
    with pytest.raises(CalibrationError) as raised:
        read_observed(path, ["purchases"], 1, days=10)
    header = f"period{separator}purchases"
    assert str(raised.value) == (
        f"{path}: 1 problem\n  header: {header!r} is one column: the values seem separated by "
        f"{shown} (expected commas: save the file as comma-separated CSV)"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            'period,purchases\n1,"3\n2,4\n3,5\n',
            "line 2: a cell in quotes is not closed on this line (unexpected end of data)",
        ),
        (
            'period,purchases,note\n1,3,"a\nb"\n2,4,c\n',
            "line 2: a cell in quotes is not closed on this line (unexpected end of data)",
        ),
        (
            'period,purchases\n1,3\n2,"4"5\n',
            "line 3: a cell in quotes is malformed (',' expected after '\"')",
        ),
    ],
    ids=["unclosed quote", "cell over two lines", "text after the closing quote"],
)
def test_a_quoted_cell_that_does_not_close_on_its_line_is_named_by_line(tmp_path, text, message):
    path = tmp_path / "data.csv"
    path.write_text(text)
    with pytest.raises(CalibrationError) as raised:
        read_observed(path, ["purchases"], 1, days=10)
    assert str(raised.value).startswith(f"{path}: 1 problem\n  {message}")


def test_a_file_saved_by_a_spreadsheet_with_a_byte_order_mark_is_read(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text("# exported\nperiod,purchases\n1,3\n2,4\n", encoding="utf-8-sig")
    assert read_observed(path, ["purchases"], 1, days=10)["purchases"].tolist() == [3.0, 4.0]
    path.write_text("period,purchases\n1,3\n2,x\n", encoding="utf-8-sig")
    with pytest.raises(CalibrationError, match="line 3, purchases: 'x' is not a number"):
        read_observed(path, ["purchases"], 1, days=10)


def test_numbers_in_ascii_with_a_sign_a_point_or_an_exponent_are_read(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text("period,profit\n1,12\n2,-0.5\n3,+.25\n4,5.\n5,1.2E3\n6,-2e-1\n")
    observed = read_observed(path, ["profit"], 1, days=10)
    assert observed["profit"].tolist() == [12.0, -0.5, 0.25, 5.0, 1200.0, -0.2]


def test_a_renamed_column_is_named_as_in_the_file(tmp_path):
    path = tmp_path / "sales.csv"
    path.write_text("# a comment\nperiod,sales\n1,3\n2,x\n")
    with pytest.raises(CalibrationError, match="line 4, sales: 'x' is not a number"):
        read_observed(path, ["purchases"], 1, 10, rename={"sales": "purchases"})


@pytest.mark.parametrize(
    ("prior", "extra"),
    [
        ("uniform", {}),
        ("log_uniform", {}),
        ("normal", {"mean": 0.4, "sd": 0.2}),
        ("beta", {"alpha": 2.0, "beta": 5.0}),
    ],
)
def test_every_prior_lives_on_its_bounds(prior, extra):
    parameter = Parameter(path="diffusion.q", prior=prior, low=0.1, high=0.9, **extra)
    distribution = parameter.distribution()
    assert distribution.cdf(0.1) == pytest.approx(0.0) and distribution.cdf(0.9) == pytest.approx(
        1.0
    )
    assert pyabc_rv_pdf(parameter, 0.5) == pytest.approx(distribution.pdf(0.5))


def pyabc_rv_pdf(parameter, x):
    import pyabc

    return pyabc.RV(parameter.scipy_name, *parameter.scipy_arguments).pdf(x)


def test_the_search_s_prior_has_no_density_outside_its_bounds(write_calibration):
    normal = f"{Q_PRIOR.replace('uniform', 'normal')}\nmean = 0.09\nsd = 0.7"
    calibration = load_calibration(write_calibration((Q_PRIOR, normal)))
    prior = priors(calibration)["q"]
    scipy = calibration.parameters[1].distribution()
    assert scipy.support()[0] < 0 and scipy.pdf(-1e-17) > 0  # scipy's rounded support
    assert prior.pdf(-1e-17) == 0.0 and prior.pdf(np.nextafter(1.0, 2.0)) == 0.0
    assert prior.pdf(0.0) == scipy.pdf(0.0) and prior.pdf(0.5) == scipy.pdf(0.5)
    assert priors(calibration).pdf({"p": 0.01, "q": -1e-17}) == 0.0


@pytest.mark.parametrize(
    ("component", "share"),
    [(("uniform", -1.0, 3.0), 0.25), (("beta", 0.1, 0.1), 0.005)],
    ids=["wider than the bounds", "infinite at the bounds"],
)
def test_a_draw_outside_the_bounds_or_of_infinite_density_is_drawn_again(component, share):
    import pyabc

    raw = pyabc.RV(*component)
    np.random.seed(3)  # noqa: NPY002 (pyabc draws from numpy's global state)
    assert np.mean([not 0 < raw.rvs() < 1 for _ in range(2000)]) > share
    prior = BoundedPrior(raw, 0.0, 1.0).copy()
    np.random.seed(3)  # noqa: NPY002
    draws = np.array([prior.rvs() for _ in range(2000)])
    assert ((draws >= 0) & (draws <= 1)).all()
    assert np.isfinite(raw.pdf(draws)).all() and (raw.pdf(draws) > 0).all()


def test_a_prior_that_never_draws_within_its_bounds_says_so_rather_than_hang():
    import pyabc

    prior = BoundedPrior(pyabc.RV("uniform", 2.0, 1.0), 0.0, 1.0)
    with pytest.raises(ValueError, match="no draw within the bounds in 10000 tries"):
        prior.rvs()


def test_set_changes_the_file_and_is_validated_like_it(write_calibration, capsys):
    path = write_calibration()
    calibration = load_calibration(path, {"abc.generations": 3, "parameters.1.high": 0.9})
    assert calibration.abc.generations == 3 and calibration.parameters[1].high == 0.9
    out = str(path.parent / "out")
    assert main(["calibrate", str(path), "--out", out, "--set", "abc.generations=0"]) == 2
    err = capsys.readouterr().err
    assert f"{path}: 1 problem" in err
    assert "abc.generations (set on the command line): Input should be greater" in err


def test_a_parameter_without_a_name_is_set_by_position(write_calibration):
    """The message listed None for each parameter without a name."""
    path = write_calibration()
    with pytest.raises(CalibrationError) as caught:
        load_calibration(path, {"parameters.q.high": 0.9})
    assert str(caught.value).endswith(
        "parameters.q.high: no item named 'q' (its items have no name: expected a position "
        "from 0 to 1)"
    )


def test_integer_on_a_field_of_any_number_is_warned_about(write_calibration):
    """It rounded the search's values without a word (p to 0 or 1)."""
    path = write_calibration(
        (
            'path = "diffusion.q"\nprior = "uniform"\nlow = 0.0\nhigh = 1.0',
            'path = "diffusion.q"\nprior = "uniform"\nlow = 0\nhigh = 1\ninteger = true',
        )
    )
    with pytest.warns(InputWarning, match=r"parameters\[1\]\.integer: diffusion.q takes any"):
        load_calibration(path)


def test_the_shares_are_the_outcomes_with_a_highest_value():
    """Shares and averages (not scaled by the market size) are read from metrics.bounds."""
    averages = {"net_sentiment", "rating", "mean_experience"}
    expected = {
        name
        for name in OUTCOMES
        if name.endswith("_share") or name.startswith(("stage_", "presence_")) or name in averages
    }
    assert {name for name in OUTCOMES if is_share(name)} == expected
    assert len(expected) == 15


@pytest.mark.parametrize(
    ("weight", "message"),
    [
        (1e308, "Input should be less than or equal to 1000000 (got 1e+308)"),
        (1e-200, "Input should be greater than or equal to 0.000001 (got 1e-200)"),
    ],
    ids=["huge", "tiny"],
)
def test_a_weight_the_distance_cannot_hold_is_refused(write_calibration, weight, message):
    """A weight of 1e308 made epsilon infinite (1e-200, 0): every simulation was accepted,
    and the posterior was the prior."""
    path = write_calibration()
    with pytest.raises(CalibrationError) as raised:
        load_calibration(path, {"statistics.0.weight": weight}, overrides_from="the command line")
    assert raised.value.problems == [("statistics[0].weight (set on the command line)", message)]


@pytest.mark.parametrize("weight", [1e-6, 1e6])
def test_weights_at_the_limits_are_accepted(write_calibration, weight):
    calibration = load_calibration(write_calibration(), {"statistics.0.weight": weight})
    assert calibration.statistics[0].weight == weight


EXPECTED_SCENARIO = "expected the path to a scenario TOML file, relative to the calibration file"


@pytest.mark.parametrize(
    ("written", "arguments", "message"),
    [
        ("", [], f"scenario: required field is missing ({EXPECTED_SCENARIO})"),
        (
            'scenario = { name = "tiny_bass", days = 12 }\n',
            [],
            f"scenario: {EXPECTED_SCENARIO} (got a table)",
        ),
        ("scenario = 5\n", [], f"scenario: {EXPECTED_SCENARIO} (got 5)"),
        (
            'scenario = "tiny_bass.toml"\n',
            ["--set", "scenario=5"],
            f"scenario (set on the command line): {EXPECTED_SCENARIO} (got 5)",
        ),
    ],
    ids=["missing", "a table", "a number", "a number set on the command line"],
)
def test_a_scenario_that_is_not_a_path_is_one_problem_of_the_field_scenario(
    write_calibration, capsys, written, arguments, message
):
    """It was 'scenario_file: required field is missing', an internal field, and for 5
    also 'Input should be a valid dictionary or instance of Scenario'."""
    path = write_calibration(('scenario = "tiny_bass.toml"\n', written))
    out = path.parent / "out"
    assert main(["calibrate", str(path), "--serial", "--out", str(out), *arguments]) == 2
    assert capsys.readouterr().err == f"ecosim: error: {path}: 1 problem\n  {message}\n"
    assert not out.exists()


def test_a_rename_of_a_column_the_data_lacks_is_refused_naming_the_data_s_columns(
    write_calibration,
):
    """It was accepted without a word (the file's purchases read as they were)."""
    path = write_calibration(
        ('path = "data.csv"', 'path = "data.csv"\nrename = { sales = "purchases" }'),
        data="# weekly sales\nperiod,purchases\n1,3\n2,4\n",
    )
    with pytest.raises(CalibrationError) as raised:
        load_calibration(path)
    assert str(raised.value) == (
        f"{path.parent / 'data.csv'}: 1 problem\n  header: no column 'sales' to rename "
        "(data.rename; its columns: period, purchases)"
    )
    (path.parent / "data.csv").write_text("# weekly sales\nperiod, sales\n1,3\n2,4\n")
    assert load_calibration(path).observed["purchases"].tolist() == [3.0, 4.0]


def test_a_renamed_column_the_data_lacks_is_named_with_its_rename_and_the_data_s_columns(
    write_calibration,
):
    """It said only "no column 'units'", not that data.rename asked for it, nor what was there."""
    path = write_calibration(
        ('path = "data.csv"', 'path = "data.csv"\nrename = { units = "purchases" }'),
        data="period,sales\n1,3\n2,4\n",
    )
    with pytest.raises(CalibrationError) as raised:
        load_calibration(path)
    assert str(raised.value) == (
        f"{path.parent / 'data.csv'}: 1 problem\n  header: no column 'units' (the "
        "calibration's statistics use it, renamed to purchases by data.rename; its columns: "
        "period, sales)"
    )


def test_a_number_of_customers_the_edge_list_does_not_name_is_refused(write_calibration):
    path = write_calibration(
        ('scenario = "tiny_bass.toml"', 'scenario = "tiny_bass.toml"\ncustomers = 300')
    )
    (path.parent / "ring.csv").write_text("".join(f"{i},{(i + 1) % 400}\n" for i in range(400)))
    scenario = path.parent / "tiny_bass.toml"
    scenario.write_text(
        scenario.read_text().replace('kind = "complete"', 'kind = "edge_list"\npath = "ring.csv"')
    )
    with pytest.raises(CalibrationError) as caught:
        load_calibration(path)
    [(field, message)] = caught.value.problems
    assert field == "customers"
    assert "300 customers do not fit the scenario's network: " in message
    assert "node id 300 is out of range" in message


def test_data_shorter_than_the_horizon_is_told_how_to_simulate_only_its_days(write_calibration):
    """Twelve weeks of data on a year's scenario ran every simulation for the whole year."""
    half = "".join(line + "\n" for line in DATA.splitlines()[:7])  # the header and 6 periods
    with pytest.warns(InputWarning) as given:
        load_calibration(write_calibration(data=half))
    assert [str(w.message).split(": ", 1)[1] for w in given] == [
        "days: the data cover 6 of the scenario's 12 days, and every simulation runs all 12: "
        "days = 6 simulates only the days fitted, 2 times fewer"
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("error", InputWarning)
        load_calibration(write_calibration(("seed = 7", "seed = 7\ndays = 6"), data=half))
        load_calibration(write_calibration())  # the data cover the whole horizon
