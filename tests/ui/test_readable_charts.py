"""The app's charts, tables and diagram stay readable whatever the data and the page's width."""

import html
import io
import itertools
import math
import re
import warnings

import ipyvuetify as v
import numpy as np
import pandas as pd
import PIL.Image
import pytest
import solara
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch
from matplotlib.transforms import Bbox

from ecosim.ui.calendar import campaign_marks
from ecosim.ui.charts import FunnelFigure, LineFigure, charts
from ecosim.ui.compare_tables import (
    MONEY,
    TABLE_STYLE,
    formatted,
    money_table_html,
    outcome_table_html,
    verdicts,
)
from ecosim.ui.ecosystem import EcosystemDiagram, TodayFlows, ecosystem_figure
from ecosim.ui.live_model import LiveModel
from ecosim.ui.network_view import network_figure
from ecosim.ui.style import STAGE_NAMES, TABLE_BOX

BRANDS = ["tokoku", "modaku"]
COLUMNS = ["tier_gold", "tier_silver", "tier_bronze", "churned"]
CHARTS = charts(BRANDS, COLUMNS)


def through_the_top_left(columns: list[str], days: int = 40) -> pd.DataFrame:
    """Every column at its highest for the first half of the days, then nothing: the lines
    run through the top left corner of the axes, where their legend used to be."""
    step = np.arange(1, days + 1)
    high = np.where(step <= days // 2, 250.0, 0.0)
    return pd.DataFrame({"step": step} | {column: high for column in columns})


@pytest.mark.parametrize("horizon", [None, 365], ids=["days so far", "whole run"])
@pytest.mark.parametrize("chart", CHARTS, ids=[chart.title for chart in CHARTS])
def test_no_line_can_cover_a_charts_legend(chart, horizon):
    """Lines crossed the legend ("pos▮ve / neg▮ve"): it was inside the axes, under them."""
    figure = LineFigure(chart, horizon=horizon)
    figure.picture(through_the_top_left([s.column for s in figure.series]))
    renderer = figure.canvas.get_renderer()
    legend = figure.axes[0].get_legend()
    key = legend.get_window_extent(renderer)
    assert [text.get_text() for text in legend.get_texts()] == [s.label for s in figure.series]
    for ax in figure.figure.axes:
        assert not key.overlaps(ax.get_window_extent(renderer)), ax.get_ylabel()
    for line in figure.lines:  # drawn only inside their axes
        clip = line.get_clip_box().bounds
        assert line.get_clip_on() and clip == pytest.approx(line.axes.bbox.bounds)
    page = figure.figure.bbox
    assert key.x0 >= 0 and key.x1 <= page.width and key.y1 <= page.height
    assert not key.overlaps(figure.axes[0].title.get_window_extent(renderer))


def test_the_funnels_legend_is_beside_its_areas_not_over_them():
    """Its legend box sat over the stacked areas, which fill the axes."""
    figure = FunnelFigure("", "Engagement funnel", 365)
    days = 40
    stages = {f"stage_{stage}": np.full(days, 0.2) for stage in STAGE_NAMES}
    figure.update(pd.DataFrame({"step": np.arange(1, days + 1), "aware_share": 1.0} | stages))
    figure.figure.canvas.draw()
    renderer = figure.figure.canvas.get_renderer()
    key = figure.over_time.get_legend().get_window_extent(renderer)
    for ax in (figure.over_time, figure.today):
        assert not key.overlaps(ax.get_window_extent(renderer))
    assert not key.overlaps(figure.figure._suptitle.get_window_extent(renderer))
    assert key.x0 >= 0 and key.y1 <= figure.figure.bbox.height


def test_a_spike_stays_under_the_event_marks_and_the_frame():
    """The word of mouth axis stayed 0 to 1 once drawn, so a day with 1 reached the frame."""
    chart = charts(BRANDS, [])[1]  # word of mouth
    figure = LineFigure(chart, horizon=365)  # the value axis only grows
    talking = np.zeros(30)
    talking[[5, 8, 14, 20, 27]] = [1, 1, 2, 7, 8]
    daily = pd.DataFrame({"step": np.arange(1, 31), "wom_positive": talking, "wom_negative": 0})
    event = next(iter(figure.events))
    for day in range(1, 31):
        figure.picture(daily.iloc[:day], {event: [1]})
        renderer = figure.canvas.get_renderer()
        marks = figure.events[event].get_window_extent(renderer)
        highest = figure.axes[0].transData.transform((0, talking[:day].max()))[1]
        assert highest < marks.y0, day


def test_a_chart_of_zeros_so_far_spans_0_to_1():
    """Before anyone spoke, the word of mouth axis was set from 0 to 0 (matplotlib widened it
    to -0.05 to 0.05, with a warning)."""
    chart = charts(BRANDS, [])[1]  # word of mouth
    figure = LineFigure(chart, horizon=365)
    daily = pd.DataFrame({"step": np.arange(1, 4), "wom_positive": 0.0, "wom_negative": 0.0})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for day in range(1, 4):
            figure.picture(daily.iloc[:day])
            assert figure.axes[0].get_ylim() == (0.0, 1.0), day


def money_rows() -> pd.DataFrame:
    """A summary table of the money outcomes, its values wide (millions of Rp thousand); the
    second strategy's difference from the first rounds to Rp 0k."""
    rows = []
    for outcome in MONEY:
        for i, strategy in enumerate(("current_plan", "mass_advertising")):
            mean = -11_804_321.0 * (i + 1)
            rows.append(
                {
                    "outcome": outcome,
                    "strategy": strategy,
                    "n": 3,
                    "mean": mean,
                    "ci_low": mean * 1.1,
                    "ci_high": mean * 0.9,
                    "difference": math.nan if i == 0 else -0.4,
                    "difference_ci_low": math.nan if i == 0 else -7_547.2,
                    "difference_ci_high": math.nan if i == 0 else 0.3,
                    "p_value": math.nan if i == 0 else 0.5,
                }
            )
    return pd.DataFrame(rows)


@pytest.mark.parametrize(
    ("outcome", "tiny"),
    [("total_profit", -0.4), ("final_adopted_share", -0.0004), ("roi", -0.004), ("shares", -0.004)],
)
def test_a_value_that_rounds_to_zero_has_no_minus_sign(outcome, tiny):
    """A verdict read "[Rp -0k, Rp 0k]"."""
    for value in (tiny, tiny / 10, -1e-12):
        assert formatted(value, outcome) == formatted(0.0, outcome) == formatted(-value, outcome)
    assert formatted(10 * tiny, outcome).removeprefix("Rp ").startswith("-")


def test_a_difference_written_as_zero_is_neither_a_rise_nor_a_cut():
    """A verdict read "raises marketing cost by Rp 0k [Rp -0k, Rp 0k]"."""
    table = money_rows()
    (line,) = verdicts(table, "current_plan", ("total_marketing_cost",))
    assert line.startswith("mass advertising hardly changes marketing cost: ")
    assert not re.search(r"raises|lowers|-0\b|-0k", line)
    assert line.endswith("— not significant")
    table["difference"] = table["difference"] * 10  # Rp -4k: written, so a cut
    (line,) = verdicts(table, "current_plan", ("total_marketing_cost",))
    assert line.startswith("mass advertising lowers marketing cost by Rp 4k")


def test_the_outcome_table_wraps_between_values_never_inside_one():
    """The table broke "Rp" from its number: "Rp / -11,691k", "[Rp -15,834k, Rp / -7,547k]"."""
    table = money_rows()
    rows = outcome_table_html(
        table[table["outcome"] == "total_profit"], "current_plan", "total_profit"
    )
    cells = re.findall(r"<td[^>]*>(.*?)</td>", rows)
    kept = r"<span style='white-space: nowrap'>([^<]*)</span>"
    values = [value for cell in cells for value in re.findall(kept, cell)]
    assert "Rp -11,804,321k" in values and "Rp -7,547k" in values
    outside = [re.sub(kept, "", cell) for cell in cells]
    assert not [text for text in outside if re.search(r"Rp|\d", text)], outside
    strategies = [html.unescape(re.sub(kept, "", cell)) for cell in cells[::5]]
    assert strategies == ["current plan", "mass advertising"]


def _edges(box, scroller: str, where: str) -> tuple[float, float]:
    """The mean brightness of the left and right edges of the box, scrolled ``where``."""
    box.evaluate(f"box => {{ const s = {scroller}; s.scrollLeft = {where}; }}")
    grey = np.asarray(PIL.Image.open(io.BytesIO(box.screenshot())).convert("L"), dtype=float)
    return grey[:, :6].mean(), grey[:, -6:].mean()


def test_a_table_wider_than_its_box_shades_the_edge_that_more_columns_are_past(browser):
    """The money table was cut mid-text ("Rp 4,411k, R") with nothing to say it scrolled."""
    rows = money_table_html(money_rows(), MONEY)
    box_style = "; ".join(f"{key}: {value}" for key, value in TABLE_BOX.items())
    page = browser.new_page(viewport={"width": 600, "height": 300})
    page.set_content(
        f'<div style="width: 455px"><div id="box" style="{box_style}">'
        f'<table style="{TABLE_STYLE}">{rows}</table></div></div>'
        "<style>table { color: transparent }</style>"  # the text hidden: only the shading shows
    )
    box = page.locator("#box")
    scroller = "[box.firstChild, box].find(e => e.scrollWidth > e.clientWidth)"
    assert box.evaluate(f"box => Boolean({scroller})"), "the table is wider than the box"
    left, right = _edges(box, scroller, "0")
    assert right < left - 15, "columns beyond the right edge"
    left, right = _edges(box, scroller, "s.scrollWidth")
    assert left < right - 15, "columns beyond the left edge, none beyond the right"
    page.close()


COLUMN = 455
"""Pixels of width of a view in a column of the page in a 1440-pixel window."""
BODY = 16
"""Pixels of the page's text."""


@pytest.fixture(scope="module")
def two() -> LiveModel:
    model = LiveModel("scenarios/two_brands.toml", customers=1000)
    for _ in range(40):
        model.step()
    return model


def overlap(a: Bbox, b: Bbox) -> float:
    """The area, in square pixels, that two boxes share (none when they only touch)."""
    across = min(a.x1, b.x1) - max(a.x0, b.x0)
    up = min(a.y1, b.y1) - max(a.y0, b.y0)
    return max(across, 0.0) * max(up, 0.0)


def test_the_ecosystem_diagrams_text_is_as_large_as_the_pages_and_fits(two, monkeypatch):
    """At 1440 px its text was about 7 px: the diagram gets half the page's width there.

    Text as large as the page's must still stay inside its box or clear of the boxes, and
    apart from other text, even with the flows of the most customers.
    """
    larger = {name: 100 * np.asarray(values) for name, values in two.flows.items()}
    for flows in (two.flows, larger):  # the second as with 100,000 customers, the most
        monkeypatch.setattr(two, "flows", flows)
        for brand in (None, 1):
            figure = ecosystem_figure(two, brand)
            texts = [*figure.axes[0].texts, figure._suptitle]
            pixels = COLUMN / (figure.get_figwidth() * 72)  # per point, drawn COLUMN px wide
            smallest = min(texts, key=lambda text: text.get_fontsize())
            assert smallest.get_fontsize() * pixels >= BODY, smallest.get_text()
            assert_apart_and_inside(figure)


def assert_apart_and_inside(figure: Figure) -> None:
    """Assert that the diagram's words are in the figure, each in a box or clear of them all,
    and none over another."""
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    renderer = canvas.get_renderer()
    ax = figure.axes[0]
    boxes = [b.get_window_extent(renderer) for b in ax.patches if isinstance(b, FancyBboxPatch)]
    words = {text.get_text(): text.get_window_extent(renderer) for text in ax.texts}
    assert len(words) == len(ax.texts)
    title = figure._suptitle.get_window_extent(renderer)
    for text, extent in words.items():
        assert figure.bbox.contains(extent.x0, extent.y0), text
        assert figure.bbox.contains(extent.x1, extent.y1), text
        inside = [box for box in boxes if box.contains(extent.x0, extent.y0)]
        if inside:  # a box's title or state
            assert inside[0].contains(extent.x1, extent.y1), text
        else:  # an arrow's label
            assert not [box for box in boxes if overlap(box, extent) >= 1], text
        assert overlap(extent, title) < 1, text
    for (one, a), (other, b) in itertools.combinations(words.items(), 2):
        assert overlap(a, b) < 1, (one, other)


def test_the_diagram_says_whose_flows_it_shows_as_the_table_beside_it_does(two):
    """The diagram said "day 91, tokoku" beside a table of "(day 91, all brands)"."""
    one = LiveModel("scenarios/baseline.toml", customers=300)
    one.step()
    _box, diagram = solara.render(EcosystemDiagram(one), handle_error=False)
    picture = diagram.find(solara.widgets.HTML, tag="img").widget
    assert picture.attributes["alt"].endswith("on day 1, all brands")
    diagram.close()
    _box, table = solara.render(TodayFlows(one), handle_error=False)
    table.find(v.Html, children=["Today in the ecosystem (day 1, all brands)"]).assert_single()
    table.close()
    assert ecosystem_figure(one, None)._suptitle.get_text().endswith("day 1, all brands")
    chosen = ecosystem_figure(two, 1)._suptitle.get_text()
    assert chosen.endswith(f"day {two.steps}, modaku only")


def test_a_time_charts_legend_dates_and_calendar_rows_are_readable_in_a_column(two):
    """At 1440 px (a column of 455 px) the legends were 8 px tall and the calendar's rows 7 px."""
    marks = campaign_marks(two.scenario)
    for chart in charts(two.scenario.brand_names, list(two.outcomes)):
        figure = LineFigure(chart, marks, two.scenario.days)
        columns = {s.column for s in figure.series}
        figure.picture(pd.DataFrame({"step": np.arange(41)} | dict.fromkeys(columns, 0.5)))
        pixels = COLUMN / (figure.figure.get_figwidth() * 72)
        texts = [
            *(text for key in figure.figure.legends for text in key.get_texts()),
            *(
                text
                for ax in figure.figure.axes
                if ax.get_legend()
                for text in ax.get_legend().get_texts()
            ),
            *figure.strip.get_yticklabels(),
            *(label for label in figure.strip.get_xticklabels() if label.get_text()),
        ]
        assert len(texts) > len(figure.series), chart.title
        smallest = min(texts, key=lambda text: text.get_fontsize())
        assert smallest.get_fontsize() * pixels >= 8.8, (chart.title, smallest.get_text())


@pytest.mark.parametrize("colour_by", ["4C stage", "experience"])
def test_the_network_pictures_key_is_as_readable_as_a_time_charts(two, colour_by):
    """At 1440 px its key of stages (and the experience scale's numbers) was 8 px tall."""
    figure = network_figure(two.network_sample, two, 0, colour_by)
    pixels = COLUMN / (figure.get_figwidth() * 72)  # per point, drawn COLUMN px wide
    texts = [
        *(text for key in figure.legends for text in key.get_texts()),
        *(label for ax in figure.axes[1:] for label in ax.get_yticklabels()),
    ]
    assert texts
    smallest = min(texts, key=lambda text: text.get_fontsize())
    assert smallest.get_fontsize() * pixels >= 8.8, smallest.get_text()
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    for text in texts:  # and the larger type still fits in the picture
        extent = text.get_window_extent(canvas.get_renderer())
        assert figure.bbox.contains(extent.x1, extent.y1), text.get_text()


def test_todays_values_are_marked_on_a_time_chart(two):
    """On the year's axis, a few days' lines were a pixel or two wide at its left edge."""
    marks = campaign_marks(two.scenario)
    daily = two.timeseries()
    for chart in charts(two.scenario.brand_names, list(two.outcomes)):
        figure = LineFigure(chart, marks, two.scenario.days)
        figure.picture(daily)
        assert len(figure.ends) == len(figure.series), chart.title
        for line, end in zip(figure.lines, figure.ends, strict=True):
            assert list(end.get_xdata()) == [two.steps] == [line.get_xdata().iloc[-1]]
            assert list(end.get_ydata()) == [line.get_ydata().iloc[-1]]
            assert end.get_marker() == "o" and end.get_color() == line.get_color()
