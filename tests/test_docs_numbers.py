"""The numbers docs/model.md quotes for the baseline are the baseline's, as the model runs today.

docs/model.md gives the baseline's year in a table under "Calibration of the defaults" (each
number with its definition) and quotes some of those numbers in its text. One run of
``scenarios/baseline.toml`` as written (10,000 customers, 365 days, its own seed) gives them
all; every number on the page must be the run's, rounded to the decimals the page shows. A
change of the model that moves one, or an edit of the page that changes one, fails here: rerun
the baseline and update the page, as the table defines each number.
"""

import re

import numpy as np
import pytest

from ecosim.metrics import summarize
from ecosim.model import EcosystemModel

from support import ROOT

PAGE = ROOT / "docs" / "model.md"
SECTION = "## Calibration of the defaults"
STAGES = ("consumption", "curation", "creation", "collaboration")
NUMBER = re.compile(r"-?\d{1,3}(?:,\d{3})+(?:\.\d+)?%?|-?\d+(?:\.\d+)?%?")
"""A number as the page writes it: thousands separated by commas, a percentage with ``%``."""

TABLE = [
    "aware by day 365",
    "bought by day 365",
    "purchases",
    "purchases per customer",
    "sale days against a normal day",
    "positive to negative word of mouth",
    "first purchases after word of mouth",
    "average rating (stars)",
    "purchases with a service incident",
    "incidents complained about",
    "buyers churned by day 365",
    "marketing cost, share of revenue",
    "highest stage: consumption, curation, creation, collaboration",
    "product quality gained by co-creation",
]
"""The rows of the page's table of the baseline, in order."""

QUOTED = {
    "word of mouth ratio in phase 4": (
        r"\((\S+) to 1 in the baseline;",
        "positive to negative word of mouth",
    ),
    "first purchases after word of mouth in phase 4": (
        r"\((\S+) in the baseline; 44% on average",
        "first purchases after word of mouth",
    ),
    "stages in phase 6": (
        r"in the baseline after a year, (\S+) of customers are at consumption, (\S+) at "
        r"curation, (\S+) at creation and (\S+) at collaboration",
        "highest stage: consumption, curation, creation, collaboration",
    ),
    "stages among customers at a stage in phase 6": (
        r"of the customers at any stage, (\S+), (\S+), (\S+) and (\S+)\. ",
        "highest stage among customers at a stage",
    ),
    "the budget the baseline spends": (
        r"a cap the plan's year stays well under \(it spends (\S+) of it\)",
        "marketing cost, share of budget",
    ),
    "co-creation in phase 6": (
        r"baseline's few collaborators it adds (\S+) to quality in a year",
        "product quality gained by co-creation",
    ),
}
"""Baseline numbers quoted in the page's text: a pattern of the text (line breaks read as
spaces) whose groups are the numbers, and the quantity they quote."""


def page_text() -> str:
    return PAGE.read_text(encoding="utf-8")


def table_rows(text: str) -> dict[str, str]:
    """The rows of the baseline's table: quantity -> its value cell."""
    start = text.index(SECTION)
    end = text.find("\n## ", start + len(SECTION))
    rows = {}
    for line in text[start:end].splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) == 3 and cells[0] not in ("quantity", "---"):
            rows[cells[0]] = cells[2]
    return rows


def check(quoted: list[str], values, where: str) -> None:
    """Each number as the page writes it is the run's value at the page's decimals."""
    values = np.atleast_1d(np.asarray(values, dtype=float))
    assert len(quoted) == len(values), f"{where}: {quoted} quotes {len(values)} numbers?"
    for text, value in zip(quoted, values, strict=True):
        digits = text.rstrip("%").replace(",", "")
        decimals = len(digits.partition(".")[2])
        run = f"{value * 100 if text.endswith('%') else value:.{decimals}f}"
        assert digits == run, f"{where}: the page says {text}, the baseline gives {run}"


@pytest.fixture(scope="module")
def baseline() -> dict[str, object]:
    """The baseline's numbers, by the names of the page's table (one run)."""
    model = EcosystemModel(ROOT / "scenarios" / "baseline.toml")
    daily = model.run()
    total = summarize(daily, model.scenario)
    scenario = model.scenario
    promotions = [a for a in scenario.campaign if a.type == "promotion"]
    sales = sorted(a.start for a in promotions if a.start == a.end)
    promoted = {day for a in promotions for day in range(a.start, a.end + 1)}
    normal = [day for day in range(1, scenario.days + 1) if day not in promoted]
    # The days the table's definition names.
    assert sales == [252, 315, 346] and len(normal) == 332
    purchases = daily.set_index("step")["purchases"]
    stages = np.array([total[f"final_stage_{stage}"] for stage in STAGES])
    buyers = total["final_adopted_share"] * scenario.population.size
    return {
        "aware by day 365": total["final_aware_share"],
        "bought by day 365": total["final_adopted_share"],
        "purchases": total["total_purchases"],
        "purchases per customer": total["total_purchases"] / scenario.population.size,
        "sale days against a normal day": purchases[sales].mean() / purchases[normal].mean(),
        "positive to negative word of mouth": total["total_wom_positive"]
        / total["total_wom_negative"],
        "first purchases after word of mouth": total["total_first_purchases_after_wom"]
        / total["total_first_purchases"],
        "average rating (stars)": total["final_rating"],
        "purchases with a service incident": total["total_incidents"] / total["total_purchases"],
        "incidents complained about": total["total_complaints"] / total["total_incidents"],
        "buyers churned by day 365": total["final_churned_customers"] / buyers,
        "marketing cost, share of revenue": total["total_marketing_cost"] / total["total_revenue"],
        "marketing cost, share of budget": total["total_marketing_cost"]
        / scenario.brands[0].budget,
        "highest stage: consumption, curation, creation, collaboration": stages,
        "highest stage among customers at a stage": stages / stages.sum(),
        "product quality gained by co-creation": model.brands[0].quality
        - scenario.brands[0].quality,
    }


def test_the_page_has_the_table_of_the_baseline():
    assert list(table_rows(page_text())) == TABLE


@pytest.mark.parametrize("quantity", TABLE)
def test_table_numbers_are_the_baselines(baseline, quantity):
    cell = table_rows(page_text()).get(quantity, "")
    check(NUMBER.findall(cell), baseline[quantity], f"table row {quantity!r}")


@pytest.mark.parametrize("where", QUOTED)
def test_quoted_numbers_are_the_baselines(baseline, where):
    pattern, quantity = QUOTED[where]
    found = re.findall(pattern, " ".join(page_text().split()))
    assert len(found) == 1, f"{where}: the text {pattern!r} is not on the page once"
    groups = found[0] if isinstance(found[0], tuple) else (found[0],)
    check(list(groups), baseline[quantity], where)
