"""The validation report: ``validation.md`` with one figure per case."""

from __future__ import annotations

import itertools
import platform
from collections.abc import Sequence
from pathlib import Path

import mesa
import numpy as np

from ecosim import __version__
from ecosim.report.references import references_section
from ecosim.report.text import cell
from ecosim.store import atomic_path, first_lines, write_figure
from ecosim.validation.core import ROOT_SEED, CaseResult, Check, Mode

__all__ = ["FIGURES", "write_report"]

FIGURES = "validation"
"""Folder of the figures, beside ``validation.md``."""

SECTIONS = {
    "Docking against theory": ("bass", "limits", "sis", "clv"),
    "Docking against an independent implementation": ("dock_bass", "dock_cascade"),
    "Propositions of the engagement ecosystem": ("dose_response", "indirect_effect", "negativity"),
    "Empirical generalisations": ("empirical",),
    "No inert mechanism": ("mechanisms",),
    "Calibration recovers known parameters": ("calibration",),
}

INTRODUCTION = """\
ecosim is validated following Rand & Rust (2011). *Verification* — each process does what
its formula says — is the unit-test suite (`tests/processes/`). *Validation by reduction*
docks the engine, its ecosystem mechanisms switched off by ordinary scenario fields,
against closed forms and known results of diffusion theory and customer valuation.
*Docking* against an independent per-agent implementation (Axtell et al. 1996) checks the
vectorised rules. The *propositions* of the customer engagement ecosystem
(Maslowska, Malthouse & Collinger 2016) are made observable in the full model. Finally
the full model is held to published *empirical generalisations* of marketing science
(advertising, price and word-of-mouth elasticities, the reach of word of mouth, the
shape of diffusion, the weight of negative talk, the cost of a failed order), and every
shipped scenario's key mechanism must have a significant effect in the expected direction
(*no inert mechanism*).

Every case runs a fixed set of replications: replication i of a case uses the i-th child
of `numpy.random.SeedSequence([{root}, crc32(case name)])`, so the same command gives the
same numbers, whatever the number of worker processes. Figures are in `validation/` beside
this file. *Full* mode uses the settings and
tolerances of the validation issue and is run before a release (its report is checked in as
`docs/validation.md`). *Quick* mode (run in continuous integration) has fewer
replications, customers or days; where a check compares an average with a tolerance it
adds a Monte Carlo allowance of 3 standard errors of the statistic to the tolerance, and
says so in the check's line. Checks that are confidence bounds or test p-values account for
the noise themselves.
"""

REFERENCES = """\
- Algesheimer, R., Borle, S., Dholakia, U. M., & Singh, S. S. (2010). The impact of
  customer community participation on customer behaviors: an empirical investigation.
  *Marketing Science*, 29(4), 756–769.
- Amorim, P., Eng-Larsson, F., & Rooderkerk, R. P. (2025). Navigating online order
  fulfillment failures: impacts on future customer behavior and the role of retailer
  mitigation. *Journal of Retailing*, 101(3), 382–409.
- Axtell, R., Axelrod, R., Epstein, J. M., & Cohen, M. D. (1996). Aligning simulation
  models: a case study and results. *Computational and Mathematical Organization Theory*,
  1(2), 123–141.
- Bass, F. M. (1969). A new product growth for model consumer durables. *Management
  Science*, 15(5), 215–227.
- Baumeister, R. F., Bratslavsky, E., Finkenauer, C., & Vohs, K. D. (2001). Bad is stronger
  than good. *Review of General Psychology*, 5(4), 323–370.
- Baymard Institute (2024). Söderlund, L., Checkout UX 2024: 11 pitfalls and best
  practices. https://baymard.com/blog/current-state-of-checkout-ux
- Berger, J., & Milkman, K. L. (2012). What makes online content viral? *Journal of
  Marketing Research*, 49(2), 192–205.
- Bijmolt, T. H. A., van Heerde, H. J., & Pieters, R. G. M. (2005). New empirical
  generalizations on the determinants of price elasticity. *Journal of Marketing
  Research*, 42(2), 141–156.
- Bughin, J., Doogan, J., & Vetvik, O. J. (2010). A new way to measure word-of-mouth
  marketing. *McKinsey Quarterly*, April 2010.
- Chevalier, J. A., & Mayzlin, D. (2006). The effect of word of mouth on sales: online
  book reviews. *Journal of Marketing Research*, 43(3), 345–354.
- Drèze, X., & Nunes, J. C. (2009). Feeling superior: the impact of loyalty program
  structure on consumers' perceptions of status. *Journal of Consumer Research*, 35(6),
  890–905.
- East, R., Hammond, K., & Lomax, W. (2008). Measuring the impact of positive and
  negative word of mouth on brand purchase probability. *International Journal of
  Research in Marketing*, 25(3), 215–224.
- Fourt, L. A., & Woodlock, J. W. (1960). Early prediction of market success for new
  grocery products. *Journal of Marketing*, 25(2), 31–38.
- Goel, S., Anderson, A., Hofman, J., & Watts, D. J. (2016). The structural virality of
  online diffusion. *Management Science*, 62(1), 180–196.
- Goldenberg, J., Libai, B., & Muller, E. (2001). Talk of the network: a complex systems
  look at the underlying process of word-of-mouth. *Marketing Letters*, 12(3), 211–223.
- Gómez, S., Arenas, A., Borge-Holthoefer, J., Meloni, S., & Moreno, Y. (2010).
  Discrete-time Markov chain approach to contact-based disease spreading in complex
  networks. *EPL*, 89(3), 38009.
- Gupta, S., Lehmann, D. R., & Stuart, J. A. (2004). Valuing customers. *Journal of
  Marketing Research*, 41(1), 7–18.
- Griffin, J., & Lowenstein, M. W. (2001). *Customer WinBack: How to Recapture Lost
  Customers — and Keep Them Loyal*. Jossey-Bass.
- Hamari, J., Koivisto, J., & Sarsa, H. (2014). Does gamification work? A literature
  review of empirical studies on gamification. *Proceedings of the 47th Hawaii
  International Conference on System Sciences*, 3025–3034.
- Hinz, O., Skiera, B., Barrot, C., & Becker, J. U. (2011). Seeding strategies for viral
  marketing: an empirical comparison. *Journal of Marketing*, 75(6), 55–71.
- Kivetz, R., Urminsky, O., & Zheng, Y. (2006). The goal-gradient hypothesis resurrected:
  purchase acceleration, illusionary goal progress, and customer retention. *Journal of
  Marketing Research*, 43(1), 39–58.
- Klinger, E., Rickert, D., & Hasenauer, J. (2018). pyABC: distributed, likelihood-free
  inference. *Bioinformatics*, 34(20), 3591–3593.
- Kumar, V., Bhagwat, Y., & Zhang, X. (2015). Regaining "lost" customers: the predictive
  power of first-lifetime behavior, the reason for defection, and the nature of the
  win-back offer. *Journal of Marketing*, 79(4), 34–55.
- Kumar, V., & Reinartz, W. (2016). Creating enduring customer value. *Journal of
  Marketing*, 80(6), 36–68.
- Lacey, R., Suh, J., & Morgan, R. M. (2007). Differential effects of preferential
  treatment levels on relational outcomes. *Journal of Service Research*, 9(3), 241–256.
- Liu, Y. (2007). The long-term impact of loyalty programs on consumer purchase behavior
  and loyalty. *Journal of Marketing*, 71(4), 19–35.
- Manchanda, P., Packard, G., & Pattabhiramaiah, A. (2015). Social dollars: the economic
  impact of customer participation in a firm-sponsored online customer community.
  *Marketing Science*, 34(3), 367–387.
- Mansfield, E. (1961). Technical change and the rate of imitation. *Econometrica*, 29(4),
  741–766.
- Maslowska, E., Malthouse, E. C., & Collinger, T. (2016). The customer engagement
  ecosystem. *Journal of Marketing Management*, 32(5–6), 469–501.
- Pastor-Satorras, R., & Vespignani, A. (2001). Epidemic spreading in scale-free networks.
  *Physical Review Letters*, 86(14), 3200–3203.
- Rand, W., & Rust, R. T. (2011). Agent-based modeling in marketing: guidelines for rigor.
  *International Journal of Research in Marketing*, 28(3), 181–193.
- Rao, S., Griffis, S. E., & Goldsby, T. J. (2011). Failure to deliver? Linking online
  order fulfillment glitches with future purchase behavior. *Journal of Operations
  Management*, 29(7–8), 692–703.
- Sethuraman, R., Tellis, G. J., & Briesch, R. A. (2011). How well does advertising
  work? Generalizations from meta-analysis of brand advertising elasticities. *Journal of
  Marketing Research*, 48(3), 457–471.
- Smith, A. K., Bolton, R. N., & Wagner, J. (1999). A model of customer satisfaction with
  service encounters involving failure and recovery. *Journal of Marketing Research*,
  36(3), 356–372.
- Srinivasan, V., & Mason, C. H. (1986). Nonlinear least squares estimation of new
  product diffusion models. *Marketing Science*, 5(2), 169–178.
- Stephen, A. T., & Galak, J. (2012). The effects of traditional and social earned media
  on sales: a study of a microlending marketplace. *Journal of Marketing Research*, 49(5),
  624–639.
- Sultan, F., Farley, J. U., & Lehmann, D. R. (1990). A meta-analysis of applications of
  diffusion models. *Journal of Marketing Research*, 27(1), 70–77.
- Talts, S., Betancourt, M., Simpson, D., Vehtari, A., & Gelman, A. (2018). Validating
  Bayesian inference algorithms with simulation-based calibration. arXiv:1804.06788.
- Trusov, M., Bucklin, R. E., & Pauwels, K. (2009). Effects of word-of-mouth versus
  traditional marketing: findings from an internet social networking site. *Journal of
  Marketing*, 73(5), 90–102.
- Verhoef, P. C., Kannan, P. K., & Inman, J. J. (2015). From multi-channel retailing to
  omni-channel retailing. *Journal of Retailing*, 91(2), 174–181.
- Wagner, T., Hennig-Thurau, T., & Rudolph, T. (2009). Does customer demotion jeopardize
  loyalty? *Journal of Marketing*, 73(3), 69–85.
- Westfall, P. H., & Young, S. S. (1993). *Resampling-Based Multiple Testing*. Wiley.
- You, Y., Vadakkepatt, G. G., & Joshi, A. M. (2015). A meta-analysis of electronic
  word-of-mouth elasticity. *Journal of Marketing*, 79(2), 19–39.
"""


WRITTEN_BY = "<!-- Written by `ecosim validate --"
"""How a report's third line begins: what tells it from a file of the same name."""


def written_by_validate(path: Path) -> bool:
    """Whether ``path`` is a report :func:`write_report` wrote (its mark in its first lines).

    Examples
    --------
    >>> from pathlib import Path
    >>> written_by_validate(Path("docs/validation.md")), written_by_validate(Path("README.md"))
    (True, False)
    """
    return any(line.startswith(WRITTEN_BY) for line in first_lines(path, 5))


def write_report(
    results: Sequence[CaseResult], folder: str | Path, mode: Mode, seconds: float, jobs: int = 1
) -> Path:
    """Write ``folder/validation.md`` and each case's figure in ``folder/validation/``.

    The figures of cases this run left out, from an earlier report in the folder, are
    removed.

    Parameters
    ----------
    results : sequence of CaseResult
    folder : str or Path
    mode : {"full", "quick"}
    seconds : float
        Wall time of the whole run.
    jobs : int
        Worker processes the run used.

    Returns
    -------
    Path
        The report file.
    """
    folder = Path(folder)
    path = folder / "validation.md"  # first: a folder it was written into is validate's
    with atomic_path(path) as temporary:
        temporary.write_text(render(results, mode, seconds, jobs), encoding="utf-8")
    for result in results:
        write_figure(result.figure, folder / FIGURES / f"{result.name}.png")
    ran = {result.name for result in results}
    for name in itertools.chain.from_iterable(SECTIONS.values()):
        if name not in ran:  # an earlier report's, which this one does not show
            (folder / FIGURES / f"{name}.png").unlink(missing_ok=True)
    return path


def render(results: Sequence[CaseResult], mode: Mode, seconds: float, jobs: int = 1) -> str:
    """Return the report as Markdown (figures are referenced in ``validation/``)."""
    passed = sum(result.passed for result in results)
    lines = [
        "# Validation",
        "",
        f"{WRITTEN_BY}{mode}`: change ecosim/validation/, not this file. -->",
        "",
        INTRODUCTION.format(root=ROOT_SEED),
        f"This report: **{mode} mode**, ecosim {__version__}, Mesa {mesa.__version__}, numpy "
        f"{np.__version__}, Python {platform.python_version()}; {jobs} worker "
        f"process{'es' if jobs > 1 else ''}, wall time {_duration(seconds)}.",
        "",
        f"**{passed} of {len(results)} cases pass.**",
        "",
        "| case | check | value | tolerance | result | seconds |",
        "|---|---|---|---|---|---|",
    ]
    for result in results:
        for check in result.checks:
            unit = f" {check.unit}" if check.unit else ""
            lines.append(
                f"| [{result.name}](#{result.name.replace('_', '-')}) | {cell(check.statistic)} "
                f"| {check.value:.4g}{unit} | {check.relation} {_limit(check)}{unit} "
                f"| {'PASS' if check.passed else '**FAIL**'} | {result.seconds:.0f} |"
            )
    lines.append("")
    by_name = {result.name: result for result in results}
    for section, names in SECTIONS.items():
        chosen = [by_name[name] for name in names if name in by_name]
        if not chosen:
            continue
        lines += [f"## {section}", ""]
        for result in chosen:
            lines += _case(result)
    lines += references_section(REFERENCES, lines)
    return "\n".join(lines)


def _case(result: CaseResult) -> list[str]:
    verdict = "PASS" if result.passed else "FAIL"
    settings = "; ".join(f"{key}: {value}" for key, value in result.settings.items())
    return [
        f'<a id="{result.name.replace("_", "-")}"></a>',
        "",
        f"### {result.title} — {verdict}",
        "",
        result.description,
        "",
        f"![{result.title}]({FIGURES}/{result.name}.png)",
        "",
        f"*Settings:* {settings}. *Source:* {result.source}. *Time:* {result.seconds:.0f} s.",
        "",
        *(f"- **{check.describe()}**" for check in result.checks),
        *(f"- {note}" for note in result.notes),
        "",
        *([result.table, ""] if result.table else []),
    ]


def _limit(check: Check) -> str:
    if not check.allowance:
        return f"{check.tolerance:.4g}"
    sign = "+" if check.relation == "<=" else "-"
    return f"{check.tolerance:.4g} {sign} {check.allowance:.2g} (quick allowance)"


def _duration(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s" if minutes else f"{rest} s"
