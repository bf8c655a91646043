"""Evidence cases: the estimators on synthetic data with known answers, the rows as data,
and the quick empirical and mechanism cases, which must pass."""

import math
import warnings
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from scipy import stats

from ecosim.errors import InputError, InputWarning
from ecosim.validation import CASES, CaseResult, empirical_runs, run_cases
from ecosim.validation import empirical as empirical_module
from ecosim.validation import mechanisms as mechanisms_module
from ecosim.validation.estimators import arc_elasticity, fit_bass, t_interval
from ecosim.validation.findings import Finding, markdown_table
from ecosim.validation.report import render
from ecosim.validation.theory import bass_cdf
from ecosim.validation.variants import arm, drop_actions, model, scenario_data, shipped_names

# ------------------------------------------------------------------ estimators


def test_t_interval_matches_scipy_and_covers_the_mean_95_percent_of_the_time():
    x = np.array([0.3, -0.1, 0.4, 0.25, 0.05, 0.2])
    e = t_interval(x)
    low, high = stats.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
    assert math.isclose(e.low, low) and math.isclose(e.high, high) and e.n == 6
    rng = np.random.default_rng(3)
    samples = rng.normal(1.5, 2.0, size=(4000, 8))
    covered = [t_interval(s).low <= 1.5 <= t_interval(s).high for s in samples]
    assert 0.94 <= np.mean(covered) <= 0.96
    with pytest.raises(ValueError, match="at least 2"):
        t_interval([1.0])


def test_arc_elasticity_recovers_a_constant_elasticity_exactly():
    rng = np.random.default_rng(1)
    spend_plus = rng.uniform(1.05, 1.2, 50)
    spend_minus = rng.uniform(0.8, 0.95, 50)
    for e in (0.12, 0.24, -2.62):
        sales = arc_elasticity(7.0 * spend_plus**e, 7.0 * spend_minus**e, spend_plus, spend_minus)
        assert np.allclose(sales, e)
    swapped = arc_elasticity(0.9**0.3, 1.1**0.3, 0.9, 1.1)
    assert math.isclose(float(swapped), 0.3), "symmetric in the arms"


@pytest.mark.parametrize(("p", "q", "years"), [(0.03, 0.38, 20), (0.5, 2.0, 2), (1.5, 0.2, 1)])
def test_bass_fit_recovers_known_coefficients(p, q, years):
    m = 5_000
    cumulative = m * bass_cdf(np.arange(years * 365 + 1) / 365, p, q)
    exact = fit_bass(np.diff(cumulative))
    assert (exact.p, exact.q, exact.m) == pytest.approx((p, q, m), rel=1e-4)
    rng = np.random.default_rng(7)
    noisy = fit_bass(rng.poisson(np.diff(cumulative) * 20) / 20)
    assert (noisy.p, noisy.q, noisy.m) == pytest.approx((p, q, m), rel=0.1)


def test_bass_fit_needs_adoptions():
    with pytest.raises(ValueError, match="no adoptions"):
        fit_bass(np.zeros(30))


def test_findings_judge_means_bands_and_intervals():
    e = t_interval([0.1, 0.2, 0.3])  # mean 0.2, interval about [-0.05, 0.45]
    assert Finding.band("x", e, 0.1, 0.3, "full").passed
    assert not Finding.band("x", e, 0.25, 0.5, "full").passed
    widened = Finding.band("x", e, 0.25, 0.5, "quick")
    assert widened.allowance == pytest.approx(3 * e.se) and widened.passed
    assert not Finding("x", e, "significant", low=0.0).passed
    assert Finding("x", e, "significant", low=-0.1).passed
    assert Finding("x", e, "info").passed and Finding("x", e, "info").checks() == []
    nan = t_interval([1.0, float("nan")])
    assert not Finding.band("x", nan, 0.0, 2.0, "full").passed


# ------------------------------------------------------------------ rows and variants


def test_every_shipped_scenario_has_a_mechanism_row_that_changes_it():
    assert {row.scenario for row in mechanisms_module.ROWS} == set(shipped_names())
    assert len(shipped_names()) == 16
    for row in mechanisms_module.ROWS:
        data = scenario_data(row.scenario, customers=200, days=5)
        on, off = arm(data), arm(data, row.off, row.drop)
        assert on != off, row.scenario
        assert row.direction in (1, -1) and row.plausible[0] < row.plausible[1]
        assert row.rationale and row.label


def test_the_validations_own_short_variants_warn_of_nothing_whatever_the_workers(capfd):
    """A quick case's horizon leaves campaign actions out on purpose: the warning, meant for
    a user's file, was printed once per replication in each worker with --jobs 2."""
    for jobs in (1, 2):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            mechanisms_module.measure(
                "two_brands", replications=2, customers=300, days=15, jobs=jobs
            )
        assert not [w for w in caught if issubclass(w.category, InputWarning)], jobs
        assert "Warning" not in capfd.readouterr().err, jobs


def test_dropping_an_action_that_does_not_exist_is_a_clear_error():
    data = scenario_data("baseline")
    assert len(drop_actions(data, ["promotion"])["campaign"]) == len(data["campaign"]) - 4
    with pytest.raises(Exception, match="no campaign action 'seeding'"):
        drop_actions(data, ["seeding"])


def test_a_mechanism_outcome_is_a_total_a_final_value_a_mean_or_a_share():
    daily = pd.DataFrame(
        {"step": [0, 1, 2, 3], "revenue": [0.0, 1.0, 2.0, 4.0], "purchases": [0, 1, 1, 2]}
    )
    row = mechanisms_module.BY_SCENARIO["baseline"]
    assert row.value(daily) == 7.0
    assert replace(row, start=2).value(daily) == 6.0
    assert replace(row, over="final").value(daily) == 4.0
    assert replace(row, over="mean").value(daily) == pytest.approx(7 / 3)
    assert replace(row, per="purchases").value(daily) == 7 / 4


def test_one_row_is_measured_from_python_whatever_the_workers():
    one = empirical_module.measure("price", replications=2, customers=300, days=15)
    two = empirical_module.measure("price", replications=2, customers=300, days=15, jobs=2)
    assert np.array_equal(one.data["elasticity"], two.data["elasticity"], equal_nan=True)
    assert one.settings["pairs"] == 2 and "price elasticity" in str(one)
    row = mechanisms_module.measure("viral_content", replications=2, customers=300, days=10)
    assert len(row.data["effect"]) == 2 and [f.criterion for f in row.findings] == [
        "significant",
        "mean",
    ]
    with pytest.raises(ValueError, match="unknown empirical"):
        empirical_module.measure("nonsense")


def test_advertising_spend_moves_with_its_scale():
    pair = empirical_runs.advertising_pair(np.random.SeedSequence(4), customers=500, days=40)
    plus, minus = pair["plus"]["spend"].sum(), pair["minus"]["spend"].sum()
    assert pair["burst"] == 288
    assert 1.15 < plus / minus < 1.3, "about 1.1 / 0.9"


def test_the_failure_run_records_every_purchase_and_every_incident():
    seed = np.random.SeedSequence(3)
    run = empirical_runs.failure_run(seed, customers=600, days=200)
    daily = model(arm(scenario_data("baseline", 600, 200)), seed).run()
    assert len(run["day"]) == daily["purchases"].sum() > 0
    assert run["failed"].sum() == daily["incidents"].sum() > 0
    followed = empirical_runs.next_purchase(run)
    assert followed["n_failed"] > 0 and 0 < followed["again_served"] < 1
    short = empirical_runs.next_purchase({**run, "days": 100})
    assert short["n_failed"] == 0 and math.isnan(short["gap_failed"]), "none followed"


def test_short_term_arms_scale_only_the_advertising_of_the_burst_month():
    data = scenario_data("baseline")
    month = (288, 317)
    scaled = empirical_runs._scale_advertising(data, 1.1, month)
    ads = [a for a in data["campaign"] if a["type"] == "advertising"]
    parts = [a for a in scaled["campaign"] if a["type"] == "advertising"]
    for action in ads:
        pieces = [p for p in parts if p["channel"] == action["channel"]]
        days = sorted(d for p in pieces for d in range(p["start"], p["end"] + 1))
        assert days == list(range(action["start"], action["end"] + 1)), "no day lost or doubled"
        for p in pieces:
            inside = month[0] <= p["start"] and p["end"] <= month[1]
            factor = 1.1 if inside else 1.0
            assert p["intensity"] == pytest.approx(min(action["intensity"] * factor, 1.0))
        assert sum(p["cost"] for p in pieces) == pytest.approx(
            action["cost"] * (1.1 if month[0] <= action["start"] <= month[1] else 1.0)
        )
    others = [a for a in scaled["campaign"] if a["type"] != "advertising"]
    assert others == [a for a in data["campaign"] if a["type"] != "advertising"]


def test_both_cases_are_registered_and_reported_with_their_tables():
    assert list(CASES)[-2:] == ["empirical", "mechanisms"]
    e = t_interval([0.1, 0.2, 0.3])
    source = "Sethuraman, Tellis & Briesch (2011)"
    findings = [Finding.band("elasticity", e, 0.0, 0.5, "full", source)]
    result = CaseResult(
        name="empirical",
        title="Empirical generalisations",
        description="What is measured.",
        checks=[c for f in findings for c in f.checks()],
        source=source,
        settings={},
        notes=[],
        figure=Figure(),
        table=markdown_table(["statistic", "estimate"], [["elasticity", e.describe()]]),
    )
    text = render([result], "quick", 1.0)
    assert "## Empirical generalisations" in text
    assert "| elasticity | 0.200 [-0.048, 0.448] |" in text
    assert "Sethuraman, R., Tellis, G. J., & Briesch" in text, "the work the case cites"
    assert "Bass, F. M." not in text, "only the works the cases shown cite"


# ------------------------------------------------------------------ the quick cases


def describe(result):
    return "\n".join(check.describe() for check in result.checks) + "\n" + result.table


@pytest.fixture(scope="module")
def quick_empirical():
    (result,) = run_cases(["empirical"], "quick", jobs=2)
    return result


@pytest.fixture(scope="module")
def quick_mechanisms():
    (result,) = run_cases(["mechanisms"], "quick", jobs=2)
    return result


def test_quick_empirical_case_is_complete(quick_empirical):
    assert set(quick_empirical.data) == set(empirical_module.ROWS)
    assert quick_empirical.figure.axes and "| advertising |" in quick_empirical.table


def test_the_forest_plots_titles_fit_in_their_figures(quick_empirical, quick_mechanisms):
    for figure in (quick_empirical.figure, quick_mechanisms.figure):
        FigureCanvasAgg(figure).draw()
        title = figure.get_suptitle()
        assert title.startswith(("Estimates", "Relative effect"))
        drawn = figure._suptitle.get_window_extent()
        assert drawn.x0 >= 0 and drawn.x1 <= figure.bbox.width, title


@pytest.mark.parametrize("row", list(empirical_module.ROWS))
def test_quick_empirical_generalisation_holds(quick_empirical, row):
    measurement = quick_empirical.data[row]
    assert measurement.passed, str(measurement)


def test_quick_mechanisms_case_is_complete(quick_mechanisms):
    assert quick_mechanisms.data["missing"] == []
    assert len(quick_mechanisms.data["measurements"]) == 16


@pytest.mark.parametrize("scenario", [row.scenario for row in mechanisms_module.ROWS])
def test_quick_mechanism_is_not_inert(quick_mechanisms, scenario):
    measurement = quick_mechanisms.data["measurements"][scenario]
    assert measurement.passed, str(measurement)


@pytest.mark.parametrize(
    ("measure", "arguments", "message"),
    [
        (empirical_module.measure, ("nope",), "unknown empirical generalisation 'nope'"),
        (empirical_module.measure, ("advertising", 1.5), "replications: expected a whole"),
        (empirical_module.measure, ("price", 2, None, None, 0), "jobs: expected a whole number"),
        (mechanisms_module.measure, ("nope",), "no mechanism row for 'nope'"),
        (mechanisms_module.measure, ("gamification", 2, -5), "customers: expected a whole"),
        (mechanisms_module.measure, ("gamification", 2, 300, 10, 1, "fast"), "mode: expected"),
    ],
)
def test_a_measurement_with_arguments_it_cannot_use_is_refused(measure, arguments, message):
    """They raised a plain ValueError, a TypeError from inside, or ran on with jobs=0."""
    with pytest.raises(InputError, match=message):
        measure(*arguments)
