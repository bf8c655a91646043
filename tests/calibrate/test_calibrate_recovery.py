"""The quick validation case: ABC-SMC recovers known Bass coefficients from synthetic data."""

import re
from pathlib import Path

from ecosim.validation import run_cases

ROOT = Path(__file__).resolve().parents[2]
QUOTED = re.compile(
    r"In quick mode \(.*?([\d,]+)\s+particles\s+simulated\)\s+the 90% intervals are\s+"
    r"p \[([\d.]+), ([\d.]+)\]\s+and\s+q \[([\d.]+), ([\d.]+)\]:.*?deviations\s+are\s+"
    r"([\d.]+) \(p\)\s+and\s+([\d.]+) \(q\)",
    re.S,
)


def matches(quoted: str, value: float) -> bool:
    """Whether ``value``, rounded as ``quoted`` is written, is ``quoted``."""
    decimals = len(quoted.partition(".")[2])
    return round(value, decimals) == float(quoted.replace(",", ""))


def test_quick_recovery_covers_the_truth_and_learns_from_the_data():
    (result,) = run_cases(["calibration"], "quick")
    assert len(result.checks) == 4
    assert result.passed, "\n".join(check.describe() for check in result.checks)
    table = result.data["table"]
    assert table["covered"].all()
    assert set(table["parameter"]) == {"p", "q"}

    quoted = QUOTED.search((ROOT / "docs" / "calibration.md").read_text(encoding="utf-8"))
    assert quoted, "docs/calibration.md no longer quotes the quick mode's result"
    simulated, p_low, p_high, q_low, q_high, p_sd, q_sd = quoted.groups()
    assert f"Particles simulated per fit: {simulated} on average." in result.notes
    rows = table.set_index("parameter")
    for label, low, high in (("p", p_low, p_high), ("q", q_low, q_high)):
        assert matches(low, rows.loc[label, "q05"]), (label, low, rows.loc[label, "q05"])
        assert matches(high, rows.loc[label, "q95"]), (label, high, rows.loc[label, "q95"])
    ratios = [check.value for check in result.checks if check.statistic.startswith("posterior sd")]
    assert matches(p_sd, ratios[0]) and matches(q_sd, ratios[1]), (p_sd, q_sd, ratios)
