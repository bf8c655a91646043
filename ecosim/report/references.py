"""Author–year citations in a text, and the reference list that answers them.

A citation is written as the docs and reports write one: *Bass (1969)*, *(Bass 1969)*,
*Chevalier & Mayzlin (2006)*, *Talts et al. 2018*, *(Gallup 2014; Kumar & Pansari 2016)*,
*Bijmolt, van Heerde & Pieters's (2005)*. It is known by its first author's surname and its
year, as a reference list is sorted. A bare year after a capitalised word (*November 2024*)
is not a citation unless it follows a parenthesis (also *(see*, *(e.g.*), a semicolon or a
comma.
"""

from __future__ import annotations

import re

__all__ = [
    "citations",
    "cited_references",
    "reference_entries",
    "reference_key",
    "references_section",
]

_NAME = r"(?:(?:[vV]an|[dD]e|[vV]on)\s+)?[A-Z](?:['’][A-Z])?[\w\-]+(?:'(?!s\b))?"
_LEAD = r"[(;,]\s*(?:(?:[Ss]ee(?:\s+also)?|e\.g\.,?|i\.e\.,?|cf\.)\s+)?"
_CITATION = re.compile(
    rf"(?P<lead>{_LEAD})?\b(?P<first>{_NAME})(?:\s+Institute)?"
    rf"(?P<rest>(?:,\s+{_NAME})*(?:,?\s+(?:&|and)\s+{_NAME})?(?:\s+et\s+al\.)?)"
    r"(?:['’]s)?\s+(?P<paren>\()?(?P<year>(?:1[89]|20)\d\d)[a-z]?\b"
)
_ENTRY = re.compile(r"^- (.+(?:\n[ \t]+.+)*)", re.MULTILINE)
_YEAR = re.compile(r"\(((?:1[89]|20)\d\d)[a-z]?\)")


def citations(text: str) -> set[tuple[str, str]]:
    r"""Return the works ``text`` cites, as (first author's surname, year) pairs.

    Examples
    --------
    >>> sorted(citations("as Bass (1969) found (Talts et al. 2018; Kumar &\nPansari 2016)"))
    [('Bass', '1969'), ('Kumar', '2016'), ('Talts', '2018')]
    >>> sorted(citations("After Libai, Muller & Peres (2013), as (Baymard Institute 2024)"))
    [('Baymard', '2024'), ('Libai', '2013')]
    >>> sorted(citations("(d_z; Cohen 1988, Lakens 2013)"))
    [('Cohen', '1988'), ('Lakens', '2013')]
    >>> citations("published 13 November 2024")
    set()
    """
    found = set()
    for match in _CITATION.finditer(text):
        rest = match["rest"]
        if match["lead"] or match["paren"] or "&" in rest or " and " in rest or "et al" in rest:
            found.add((" ".join(match["first"].split()), match["year"]))
    return found


def reference_key(entry: str) -> tuple[str, str]:
    """Return the (first author's surname, year) of one reference list entry.

    Examples
    --------
    >>> reference_key("van Osselaer, S. M. J., Alba, J. W., & Manchanda, P. (2004). Irrelevant")
    ('van Osselaer', '2004')
    """
    surname = re.match(r"(?:(?:[vV]an|[dD]e|[vV]on) )?[^\s,(]+", entry)
    year = _YEAR.search(entry)
    if surname is None or year is None:
        raise ValueError(f"a reference entry must start 'Surname, ... (year)': {entry[:60]!r}")
    return surname.group(0), year.group(1)


def reference_entries(text: str) -> list[str]:
    """Return the entries of a Markdown reference list (``- `` items, indented continuations)."""
    return _ENTRY.findall(text)


def cited_references(references: str, text: str) -> str:
    r"""Return the entries of ``references`` that ``text`` cites, in their order, as Markdown.

    A report that shows a few of its cases lists only the works those cases cite.

    Examples
    --------
    >>> print(cited_references("- Bass, F. M. (1969). A new\n  product.\n- Rogers, E. (1962).",
    ...                        "after Bass (1969)"))
    - Bass, F. M. (1969). A new
      product.
    """
    cited = citations(text)
    return "\n".join(
        f"- {entry}" for entry in reference_entries(references) if reference_key(entry) in cited
    )


def references_section(references: str, lines: list[str]) -> list[str]:
    """Return a report's closing ``## References`` lines: the works its ``lines`` cite.

    Empty when the report cites none of ``references``.
    """
    cited = cited_references(references, "\n".join(lines))
    return ["## References", "", cited, ""] if cited else []
