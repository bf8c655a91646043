"""The docs and reports list every work they cite, and cite every work they list."""

from pathlib import Path

import pytest
from matplotlib.figure import Figure

from ecosim.calibrate import report as calibration_report
from ecosim.optimize import report as optimisation_report
from ecosim.report import markdown as experiment_report
from ecosim.report import sensitivity as sensitivity_report
from ecosim.report.references import (
    citations,
    cited_references,
    reference_entries,
    reference_key,
    references_section,
)
from ecosim.ui.about import SECTIONS
from ecosim.validation import report as validation_report
from ecosim.validation.core import CaseResult, Check

ROOT = Path(__file__).resolve().parents[1]
DOCS = [*sorted((ROOT / "docs").glob("*.md")), ROOT / "README.md"]
GENERATORS = {
    "calibration/*/report.md": calibration_report,
    "experiments/*/report.md": experiment_report,
    "experiments/*/sensitivity.md": sensitivity_report,
    "optimization/*/report.md": optimisation_report,
}


def _split(text: str) -> tuple[str, str]:
    body, _, references = text.partition("## References\n")
    return body, references


def _keys(references: str) -> set[tuple[str, str]]:
    return {reference_key(entry) for entry in reference_entries(references)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("as Bass (1969) showed", {("Bass", "1969")}),
        ("(Bass 1969)", {("Bass", "1969")}),
        ("Chevalier & Mayzlin (2006)", {("Chevalier", "2006")}),
        ("Chevalier &\nMayzlin\n(2006)", {("Chevalier", "2006")}),
        ("as Talts et al. 2018 do", {("Talts", "2018")}),
        ("Bijmolt, van Heerde & Pieters's (2005) meta-analysis", {("Bijmolt", "2005")}),
        ("(Sobol' 2001; Saltelli et al. 2010)", {("Sobol'", "2001"), ("Saltelli", "2010")}),
        ("(Patterson, Yu & De Ruyter 2006)", {("Patterson", "2006")}),
        ("d_z; Cohen 1988, Lakens 2013)", {("Cohen", "1988"), ("Lakens", "2013")}),
        ("(Baymard Institute 2024)", {("Baymard", "2024")}),
        ("After Libai, Muller & Peres (2013),", {("Libai", "2013")}),
        ("(see Bass 1969; e.g. Rogers 1962)", {("Bass", "1969"), ("Rogers", "1962")}),
        ("(e.g. Bass 1969)", {("Bass", "1969")}),
        ("as O'Brien (2010) notes", {("O'Brien", "2010")}),
        ("as O’Brien (2010) notes", {("O’Brien", "2010")}),
        ("(See also Bass 1969; i.e. Rogers 1962)", {("Bass", "1969"), ("Rogers", "1962")}),
        ("published 13 November 2024 in Jakarta 2024", set()),
    ],
)
def test_citations_are_read_as_the_docs_write_them(text, expected):
    assert citations(text) == expected


def test_a_reference_entry_without_a_year_is_refused():
    with pytest.raises(ValueError, match="Surname"):
        reference_key("Nobody, A. A unpublished note.")


def test_only_the_cited_entries_are_kept_in_their_order():
    references = "- Rogers, E. (1962). Diffusion.\n- Bass, F. M. (1969). A new\n  product.\n"
    assert cited_references(references, "Bass (1969); Rogers 1962") == (
        "- Rogers, E. (1962). Diffusion.\n- Bass, F. M. (1969). A new\n  product."
    )
    assert references_section(references, ["no citation here"]) == []


@pytest.mark.parametrize("path", DOCS, ids=lambda path: path.name)
def test_a_document_lists_exactly_the_works_it_cites(path):
    body, references = _split(path.read_text(encoding="utf-8"))
    if not references:
        assert not citations(body), "cites works but has no references"
        return
    listed, cited = _keys(references), citations(body)
    assert cited - listed == set(), "cited but not in the references"
    assert listed - cited == set(), "in the references but not cited"


def test_the_about_panel_lists_exactly_the_works_it_cites():
    listed = _keys(SECTIONS["CREDITS AND REFERENCES"])
    cited = citations("\n".join(SECTIONS.values()))
    assert cited == listed


@pytest.mark.parametrize("pattern", GENERATORS, ids=str)
def test_a_shipped_report_lists_what_its_methods_cite(pattern):
    module = GENERATORS[pattern]
    reports = sorted((ROOT / "docs").glob(pattern))
    assert reports
    for path in reports:
        body, references = _split(path.read_text(encoding="utf-8"))
        assert references.strip() == cited_references(module.REFERENCES, body), path


@pytest.mark.parametrize(
    "module",
    [calibration_report, experiment_report, sensitivity_report, optimisation_report],
    ids=lambda module: module.__name__,
)
def test_a_report_module_cites_every_work_it_lists(module):
    source = Path(module.__file__).read_text(encoding="utf-8").replace(module.REFERENCES, "")
    assert _keys(module.REFERENCES) <= citations(source)


def test_the_full_validation_report_cites_every_work_of_its_list():
    body, references = _split((ROOT / "docs" / "validation.md").read_text(encoding="utf-8"))
    assert _keys(validation_report.REFERENCES) == citations(body)
    assert references.strip() == cited_references(validation_report.REFERENCES, body)


def test_a_validation_report_of_one_case_lists_only_what_that_case_cites():
    case = CaseResult(
        name="clv",
        title="Customer lifetime value",
        description="Against the closed form of Gupta, Lehmann & Stuart (2004).",
        checks=[Check("relative error", 0.01, "<=", 0.02)],
        source="Gupta, Lehmann & Stuart (2004)",
        settings={"customers": 10},
        notes=[],
        figure=Figure(),
    )
    text = validation_report.render([case], "quick", 1.0)
    _, references = _split(text)
    assert _keys(references) == citations(text.partition("## References")[0])
    assert "Gupta, S., Lehmann" in references
    assert "Bass, F. M." not in references and "Talts" not in references
