"""What an evidence case finds: estimates with intervals, the criterion each must meet.

A :class:`Finding` is one estimate and its criterion: its mean within a band (in quick
mode the band is widened by a Monte Carlo allowance of 3 standard errors, as elsewhere
in the validation suite), its whole confidence interval above a limit (a significant
effect in the expected direction), or nothing (reported for information). A
:class:`Measurement` holds the findings of one row of a case, its settings and the
numbers per pair.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

from ecosim.report.text import cell
from ecosim.validation.core import Check, Mode
from ecosim.validation.estimators import Estimate

__all__ = ["ALLOWANCE_SE", "Finding", "Measurement", "markdown_table"]

ALLOWANCE_SE = 3.0
"""Quick mode widens a band by this many standard errors of the estimate."""


@dataclass(frozen=True)
class Finding:
    """One estimate and the criterion it must meet.

    Attributes
    ----------
    statistic : str
        What is estimated, e.g. ``short-term advertising elasticity``.
    estimate : Estimate
        Mean over the pairs (replications) and its 95 % interval.
    criterion : {"mean", "significant", "info"}
        ``mean``: the mean lies in ``[low, high]`` (widened by ``allowance``);
        ``significant``: the whole interval lies above ``low`` (below ``high``);
        ``info``: reported only.
    low, high : float
        The band or limit.
    allowance : float
        Monte Carlo allowance added to the band (quick mode), 0 in full mode.
    source : str
        Where the band comes from.
    """

    statistic: str
    estimate: Estimate
    criterion: Literal["mean", "significant", "info"]
    low: float = -math.inf
    high: float = math.inf
    allowance: float = 0.0
    source: str = ""

    @classmethod
    def band(
        cls,
        statistic: str,
        estimate: Estimate,
        low: float,
        high: float,
        mode: Mode,
        source: str = "",
    ) -> Finding:
        """Make a finding whose mean must lie in ``[low, high]`` (widened by 3 SE in quick mode)."""
        allowance = ALLOWANCE_SE * estimate.se if mode == "quick" else 0.0
        return cls(statistic, estimate, "mean", low, high, allowance, source)

    def checks(self) -> list[Check]:
        """Return the checks of the validation report (none for ``info``)."""
        if self.criterion == "info":
            return []
        mean = self.criterion == "mean"
        value_low = self.estimate.mean if mean else self.estimate.low
        value_high = self.estimate.mean if mean else self.estimate.high
        what = "mean" if mean else "95% CI"
        checks = []
        if math.isfinite(self.low):
            end = "" if mean else ", lower end"
            checks.append(
                Check(f"{self.statistic} ({what}{end})", value_low, ">=", self.low, self.allowance)
            )
        if math.isfinite(self.high):
            end = "" if mean else ", upper end"
            checks.append(
                Check(
                    f"{self.statistic} ({what}{end})", value_high, "<=", self.high, self.allowance
                )
            )
        return checks

    @property
    def passed(self) -> bool:
        """Whether every check passes (``info`` always does)."""
        return all(check.passed for check in self.checks())

    @property
    def requirement(self) -> str:
        """The criterion in words, for tables."""
        if self.criterion == "info":
            return "(reported)"
        if self.criterion == "mean":
            if math.isinf(self.high):
                text = f"mean ≥ {self.low:g}"
            elif math.isinf(self.low):
                text = f"mean ≤ {self.high:g}"
            else:
                text = f"mean in [{self.low:g}, {self.high:g}]"
            return text + (f" ± {self.allowance:.2g} (quick)" if self.allowance else "")
        if math.isinf(self.high):
            return f"95% CI > {self.low:g}"
        if math.isinf(self.low):
            return f"95% CI < {self.high:g}"
        return f"95% CI within [{self.low:g}, {self.high:g}]"

    @property
    def verdict(self) -> str:
        """``PASS``, ``FAIL`` or ``—`` (information only)."""
        if self.criterion == "info":
            return "—"
        return "PASS" if self.passed else "FAIL"


@dataclass
class Measurement:
    """The findings of one row of an evidence case.

    Attributes
    ----------
    name : str
        The row's name (``advertising``, ``paid_membership``...).
    title : str
    findings : list of Finding
    settings : dict
        What was run: scenario, customers, days, pairs.
    notes : list of str
        Realised changes, diagnostics.
    data : dict
        The numbers per pair.
    """

    name: str
    title: str
    findings: list[Finding]
    settings: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        """Whether every finding meets its criterion."""
        return all(finding.passed for finding in self.findings)

    def checks(self) -> list[Check]:
        """Every check of every finding, prefixed with the row's name."""
        return [
            Check(f"{self.name}: {c.statistic}", c.value, c.relation, c.tolerance, c.allowance)
            for finding in self.findings
            for c in finding.checks()
        ]

    def __str__(self) -> str:
        """Show the findings as a plain-text table, then the notes."""
        settings = ", ".join(f"{key} {value}" for key, value in self.settings.items())
        lines = [f"{self.name}: {'PASS' if self.passed else 'FAIL'} ({settings})"]
        for f in self.findings:
            lines.append(
                f"  {f.verdict:4}  {f.statistic}: {f.estimate.describe()}  {f.requirement}"
            )
        lines += [f"  - {note}" for note in self.notes]
        return "\n".join(lines)


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    """Return a Markdown table (pipes in cells escaped)."""

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(cell(str(c)) for c in cells) + " |"

    return "\n".join([line(header), line(["---"] * len(header)), *(line(r) for r in rows)])
