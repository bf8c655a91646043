"""The quick validation case: ABC-SMC recovers known Bass coefficients from synthetic data."""

from ecosim.validation import run_cases


def test_quick_recovery_covers_the_truth_and_learns_from_the_data():
    (result,) = run_cases(["calibration"], "quick")
    assert len(result.checks) == 4
    assert result.passed, "\n".join(check.describe() for check in result.checks)
    table = result.data["table"]
    assert table["covered"].all()
    assert set(table["parameter"]) == {"p", "q"}
