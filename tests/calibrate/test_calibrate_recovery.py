"""The quick validation case: ABC-SMC recovers known Bass coefficients and market size."""

import re
from pathlib import Path

from ecosim.validation import run_cases

ROOT = Path(__file__).resolve().parents[2]
QUOTED = re.compile(
    r"In quick mode \(.*?([\d,]+)\s+particles\s+simulated\)\s+the 90% intervals are\s+"
    r"p \[([\d.]+), ([\d.]+)\],\s+q \[([\d.]+), ([\d.]+)\]\s+and\s+the\s+market\s+size\s+"
    r"\[([\d,]+), ([\d,]+)\]:.*?deviations\s+are\s+([\d.]+) \(p\),\s+([\d.]+) \(q\)\s+and\s+"
    r"([\d.]+) \(market\s+size\)",
    re.S,
)


def matches(quoted: str, value: float) -> bool:
    """Whether ``value``, rounded as ``quoted`` is written, is ``quoted``."""
    decimals = len(quoted.partition(".")[2])
    return round(value, decimals) == float(quoted.replace(",", ""))


def test_quick_recovery_covers_the_truth_and_learns_from_the_data():
    (result,) = run_cases(["calibration"], "quick")
    assert len(result.checks) == 6
    assert result.passed, "\n".join(check.describe() for check in result.checks)
    table = result.data["table"]
    assert table["covered"].all()
    assert set(table["parameter"]) == {"p", "q", "market_size"}

    quoted = QUOTED.search((ROOT / "docs" / "calibration.md").read_text(encoding="utf-8"))
    assert quoted, "docs/calibration.md no longer quotes the quick mode's result"
    simulated, p_low, p_high, q_low, q_high, m_low, m_high, *sds = quoted.groups()
    assert f"Particles simulated per fit: {simulated} on average." in result.notes
    rows = table.set_index("parameter")
    intervals = {"p": (p_low, p_high), "q": (q_low, q_high), "market_size": (m_low, m_high)}
    for label, (low, high) in intervals.items():
        assert matches(low, rows.loc[label, "q05"]), (label, low, rows.loc[label, "q05"])
        assert matches(high, rows.loc[label, "q95"]), (label, high, rows.loc[label, "q95"])
    ratios = [check.value for check in result.checks if check.statistic.startswith("posterior sd")]
    assert all(matches(sd, ratio) for sd, ratio in zip(sds, ratios, strict=True)), (sds, ratios)
