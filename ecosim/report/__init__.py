"""Reports of experiments: tables, figures and a Markdown report a researcher can cite.

:func:`compare` reads a results folder written by ``ecosim batch`` and computes the
statistics (:mod:`ecosim.analysis`) as a :class:`Comparison`; :func:`write_report` writes
``report.md`` with its figures (``figures/*.png``, linked relatively) and tables
(``tables/*.csv``). :func:`write_sensitivity_report` does the same for ``ecosim sensitivity``.
"""

from ecosim.report.comparison import CONFIDENCE, Comparison, compare
from ecosim.report.markdown import write_report
from ecosim.report.sensitivity import (
    too_few_samples_note,
    undefined_note,
    write_sensitivity_report,
)
from ecosim.report.text import format_number

__all__ = [
    "CONFIDENCE",
    "Comparison",
    "compare",
    "format_number",
    "too_few_samples_note",
    "undefined_note",
    "write_report",
    "write_sensitivity_report",
]
