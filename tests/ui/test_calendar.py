from dataclasses import replace
from itertools import combinations
from typing import get_args

import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import is_color_like, to_rgb
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.transforms import Bbox

from ecosim import load_scenario
from ecosim.scenario.campaign import ACTION_TYPES, Action
from ecosim.ui.calendar import (
    MARKED_TYPES,
    calendar_rows,
    campaign_marks,
    flight_lanes,
    shade,
    strip_layout,
    year_starts,
)
from ecosim.ui.charts import (
    Chart,
    FunnelFigure,
    LineFigure,
    Series,
    calendar_legend,
    draw_calendar,
)
from ecosim.ui.style import STAGE_NAMES


@pytest.fixture(scope="module")
def two_brands() -> list:
    return campaign_marks(load_scenario("scenarios/two_brands.toml"))


def test_every_action_type_of_the_schema_has_a_colour_and_a_name():
    union = get_args(Action)[0]
    schema = {get_args(kind.model_fields["type"].annotation)[0] for kind in get_args(union)}
    assert schema == set(ACTION_TYPES) == set(MARKED_TYPES)
    for colour, name in MARKED_TYPES.values():
        assert is_color_like(colour) and name
    names = [name for _, name in MARKED_TYPES.values()]
    assert len(set(names)) == len(names)


def test_the_game_of_the_gamification_scenario_is_on_the_calendar():
    scenario = load_scenario("scenarios/gamification.toml")
    marks = campaign_marks(scenario)
    assert len(marks) == len(scenario.campaign)
    game = next(m for m in marks if m.label == "tokoku game")
    assert (game.start, game.end) == (15, 365)
    assert game.colour == MARKED_TYPES["gamification"][0]
    assert "tokoku game (1)" in calendar_legend(marks)


def test_each_brands_actions_are_shaded_apart_on_the_calendar():
    scenario = load_scenario("scenarios/two_brands.toml")
    marks = campaign_marks(scenario)
    ads = {m.label: m.colour for m in marks if m.label.endswith(("ads", "ads (darker)"))}
    assert ads == {"tokoku ads": "#9e9e9e", "modaku ads (darker)": shade("#9e9e9e", -0.45)}
    assert calendar_rows(marks) == [  # one row per brand and kind, each brand's together
        "tokoku ads",
        "tokoku posts",
        "tokoku sale",
        "modaku ads",
        "modaku sale",
        "modaku influencer",
    ]
    assert all(m.row == f"{m.brand} {m.label.split()[1]}" for m in marks)
    assert "modaku sale (darker) (4)" in calendar_legend(marks)
    tokoku = campaign_marks(scenario, "tokoku")
    assert [m.label for m in tokoku] == [m.label for m in marks if m.brand == "tokoku"]
    assert [m.row for m in tokoku] == ["ads", "posts", "sale"]  # one brand: the kind alone
    colours = {name: colour for colour, name in MARKED_TYPES.values()}
    for mark in campaign_marks(load_scenario("scenarios/baseline.toml")):  # one brand: as typed
        assert mark.colour == colours[mark.label.removeprefix("tokoku ")]


def test_the_rows_of_one_brand_are_named_by_the_kind_of_action_alone():
    scenario = load_scenario("scenarios/baseline.toml")
    assert calendar_rows(campaign_marks(scenario)) == ["ads", "posts", "sale", "influencer"]
    two = load_scenario("scenarios/two_brands.toml")
    assert calendar_rows(campaign_marks(two, "modaku")) == ["ads", "sale", "influencer"]


def _calendar(marks: list) -> tuple[Figure, Axes, Axes]:
    figure = Figure(figsize=(6, 4), dpi=100)
    FigureCanvasAgg(figure)
    ax = figure.add_axes((0.2, 0.35, 0.75, 0.6))
    strip = figure.add_axes((0.2, 0.05, 0.75, 0.25), sharex=ax)
    ax.set_xlim(0, 365)
    draw_calendar(ax, strip, marks)
    return figure, ax, strip


def test_both_brands_sale_on_one_day_is_a_tick_in_each_brands_labelled_row(two_brands):
    _, _, strip = _calendar(two_brands)
    labels = [label.get_text() for label in strip.get_yticklabels()]
    assert labels == calendar_rows(two_brands)
    lanes_of = strip_layout(two_brands).rows
    centres = [(lanes.start + lanes.stop) / 2 for lanes in lanes_of.values()]
    assert list(strip.get_yticks()) == centres  # each label centred on its row's lanes

    def row_at(y: float) -> str:
        return next(row for row, lanes in lanes_of.items() if lanes.start < y < lanes.stop)

    ticks = [line for line in strip.lines if list(line.get_xdata()) == [346, 346]]
    rows = {row_at(np.mean(tick.get_ydata())) for tick in ticks}
    assert rows == {"tokoku sale", "modaku sale"}  # distinct heights, one per brand
    colours = {tick.get_color() for tick in ticks}
    assert colours == {m.colour for m in two_brands if m.start == 346}
    assert len(colours) == 2
    bands = [band for band in strip.patches if band.get_x() == 29.5]  # modaku's launch
    assert {row_at(band.get_y() + band.get_height() / 2) for band in bands} == {
        "modaku ads",
        "modaku sale",
    }


def _pixels_of(figure: Figure, ax: Axes, day: int, colour: str) -> int:
    """Count the pixels of exactly ``colour`` in the chart's column of ``day``."""
    figure.canvas.draw()
    image = np.asarray(figure.canvas.buffer_rgba())[:, :, :3]
    x = int(ax.transData.transform((day, 0))[0])
    top, bottom = (figure.bbox.height - y for y in ax.bbox.intervaly[::-1])
    column = image[int(top) : int(bottom), x - 2 : x + 3]
    return int(np.all(column == np.round(np.array(to_rgb(colour)) * 255), axis=-1).sum())


def test_each_brands_dots_show_on_a_day_both_brands_act(two_brands):
    figure, ax, _ = _calendar(two_brands)
    for line in ax.lines:
        line.set_antialiased(False)  # exact colours, to count
    tokoku, modaku = (m.colour for m in two_brands if m.start == 346)
    assert _pixels_of(figure, ax, 346, tokoku) > 20
    assert _pixels_of(figure, ax, 346, modaku) > 20
    alone = _pixels_of(figure, ax, 315, modaku)  # modaku alone on 11.11
    assert alone > 1.5 * _pixels_of(figure, ax, 346, modaku)  # shares its dots on 12.12


def test_the_calendar_strip_adds_to_the_chart_without_shrinking_it(two_brands):
    chart = Chart("sales", "purchases", (Series("purchases", "purchases", "#000000"),))
    daily = pd.DataFrame({"step": np.arange(50), "purchases": np.linspace(0, 30, 50)})
    plain = LineFigure(chart, horizon=365)
    marked = LineFigure(chart, two_brands, horizon=365)
    assert plain.strip is None
    for figure in (plain, marked):
        figure.picture(daily)
    rows = len(calendar_rows(two_brands))
    assert marked.figure.get_figheight() > plain.figure.get_figheight() + rows * 0.1
    height = [f.axes[0].get_window_extent().height for f in (plain, marked)]
    assert height[0] == pytest.approx(height[1])
    renderer = marked.canvas.get_renderer()
    labels = marked.strip.yaxis.get_tightbbox(renderer)
    assert labels.x0 >= 0  # the longest row label stays inside the figure
    strip, frame = marked.strip.get_position(), marked.axes[0].get_position()
    assert (strip.x0, strip.x1) == pytest.approx((frame.x0, frame.x1))
    assert strip.y1 < frame.y0
    assert marked.strip.get_xlabel() == "month"
    assert marked.axes[0].xaxis.get_tick_params()["labelbottom"] is False  # dates once


@pytest.mark.parametrize(
    ("spans", "lanes"),
    [
        ([(1, 30), (40, 60), (100, 100)], [0, 0, 0]),  # apart: one lane
        ([(1, 365), (288, 315)], [0, 1]),  # a burst inside a longer flight
        ([(288, 315), (1, 365)], [1, 0]),  # in any order, the longer above
        ([(1, 60), (30, 90), (61, 120)], [0, 1, 0]),  # overlapping, then free again
        ([(1, 30), (30, 60)], [0, 1]),  # starts the day the other ends: shares it
        ([(1, 30), (31, 60)], [0, 0]),  # starts the day after: shares the lane
        ([(1, 365), (1, 365)], [0, 1]),  # identical flights
        ([(346, 346), (346, 346)], [0, 1]),  # two one-day actions on one day
        ([(1, 60), (45, 45), (60, 60), (61, 61)], [0, 1, 1, 0]),  # one-day actions in a flight
        ([(30, 60), (30, 365)], [1, 0]),  # one start: the longer first
        ([(1, 10), (5, 20), (8, 9), (11, 30)], [0, 1, 2, 0]),  # three deep at once
        ([], []),
    ],
)
def test_flights_that_share_a_day_are_in_different_lanes(spans, lanes):
    assert flight_lanes(spans) == lanes


def test_the_fewest_lanes_keep_every_pair_of_overlapping_flights_apart():
    rng = np.random.default_rng(3)
    starts = rng.integers(1, 300, size=40)
    spans = [
        (int(s), int(s) + int(n)) for s, n in zip(starts, rng.integers(0, 60, 40), strict=True)
    ]
    lanes = flight_lanes(spans)
    for (a, lane_a), (b, lane_b) in combinations(zip(spans, lanes, strict=True), 2):
        if a[0] <= b[1] and b[0] <= a[1]:
            assert lane_a != lane_b
    busiest = max(sum(s <= day <= e for s, e in spans) for day in range(1, 366))
    assert max(lanes) + 1 == busiest


def test_a_row_without_overlaps_is_one_lane_and_one_with_them_is_as_deep_as_they_need():
    marks = campaign_marks(load_scenario("scenarios/harbolnas_double_points.toml"))
    layout = strip_layout(marks)
    assert layout.rows == {"ads": range(3), "sale": range(3, 4), "double points": range(4, 5)}
    ads = {
        (m.start, m.end, lane)
        for m, lane in zip(marks, layout.lanes, strict=True)
        if m.row == "ads"
    }
    assert ads == {(1, 365, 0), (1, 365, 1), (49, 78, 2), (340, 346, 2)}
    assert layout.height == 5
    flat = campaign_marks(load_scenario("scenarios/two_brands.toml"), "tokoku")
    assert strip_layout(flat).rows == {"ads": range(1), "posts": range(1, 2), "sale": range(2, 3)}


def _shared_area(a: Rectangle, b: Rectangle) -> float:
    """Return the area two bands of the strip share, in days times lanes."""
    shared = Bbox.intersection(a.get_bbox(), b.get_bbox())
    return 0.0 if shared is None else shared.width * shared.height


def test_a_flight_inside_a_longer_one_of_its_row_is_drawn_apart_from_it():
    marks = campaign_marks(load_scenario("scenarios/harbolnas_double_points.toml"))
    _, _, strip = _calendar(marks)
    days = sorted((band.get_x(), band.get_x() + band.get_width()) for band in strip.patches)
    assert days == sorted((m.start - 0.5, m.end + 0.5) for m in marks if m.start < m.end)
    burst = next(band for band in strip.patches if band.get_x() == 339.5)  # the 12.12 push
    year = [band for band in strip.patches if band.get_width() == 365]  # search and social
    assert len(year) == 2
    for band in year:
        assert _shared_area(burst, band) == 0
    assert _shared_area(*year) == 0
    assert all(_shared_area(a, b) == 0 for a, b in combinations(strip.patches, 2))


def test_flights_one_after_the_other_in_a_lane_are_kept_apart_by_a_seam():
    marks = campaign_marks(load_scenario("scenarios/price_war.toml"))
    _, _, strip = _calendar(marks)
    seams = [line for line in strip.lines if line.get_color() == "white"]
    assert sorted(line.get_xdata()[0] for line in seams) == [149.5, 149.5]  # both new prices
    changes = [(m.start, m.end) for m in marks if m.row == "tokoku price"]
    assert changes == [(90, 149), (150, 365)]


def test_a_row_grows_by_its_lanes_and_the_chart_keeps_its_size():
    chart = Chart("sales", "purchases", (Series("purchases", "purchases", "#000000"),))
    daily = pd.DataFrame({"step": np.arange(50), "purchases": np.linspace(0, 30, 50)})
    flat = campaign_marks(load_scenario("scenarios/two_brands.toml"), "tokoku")
    burst = replace(next(m for m in flat if m.row == "ads"), start=100, end=102)
    figures = [LineFigure(chart, marks, horizon=365) for marks in ((), flat, [*flat, burst])]
    for figure in figures:
        figure.picture(daily)
    _, one, deeper = figures
    assert one.strip.get_ylim() == (3, 0)  # one lane a row, as without overlaps
    assert list(one.strip.get_yticks()) == [0.5, 1.5, 2.5]
    assert deeper.strip.get_ylim() == (4, 0)
    lane = [f.strip.get_window_extent().height / f.strip.get_ylim()[0] for f in (one, deeper)]
    assert lane[0] == pytest.approx(lane[1])
    grown = deeper.figure.get_figheight() - one.figure.get_figheight()
    assert grown * deeper.figure.dpi == pytest.approx(lane[0])  # taller by one lane
    frames = [f.axes[0].get_window_extent() for f in figures]
    assert all(frame.height == pytest.approx(frames[0].height) for frame in frames)
    assert all(frame.width == pytest.approx(frames[0].width) for frame in frames)


def test_a_chart_of_counts_has_whole_number_ticks():
    """Word of mouth, churn and loyalty counts were ticked 0.8, 1.6, 2.4 on a quiet day."""
    counts = Chart("talk", "customers", (Series("talk", "talk", "#000000"),), whole=True)
    shares = Chart("aware", "share", (Series("talk", "talk", "#000000"),))
    daily = pd.DataFrame({"step": np.arange(10), "talk": [0, 1, 0, 2, 3, 1, 0, 0, 1, 2]})
    ticks = {}
    for name, chart in (("counts", counts), ("shares", shares)):
        figure = LineFigure(chart)
        figure.update(daily)
        ticks[name] = figure.axes[0].get_yticks()
    assert all(float(t).is_integer() for t in ticks["counts"]), ticks["counts"]
    assert not all(float(t).is_integer() for t in ticks["shares"]), "a share keeps its fractions"


def _year_lines(ax: Axes) -> list[float]:
    """The days of the lines across a chart where a year starts."""
    return [line.get_xdata()[0] for line in ax.get_lines() if line.get_gid() == "year"]


@pytest.mark.parametrize(("horizon", "years"), [(365, []), (730, [366]), (731, [366, 731])])
def test_a_run_over_a_year_marks_each_later_year_on_the_time_axis(horizon, years):
    """A 730-day run's axis read 1.1, 1.3 ... 1.11, 1.1, 1.3 ...: nothing said which year."""
    assert year_starts(horizon) == years
    chart = Chart("sales", "purchases", (Series("purchases", "purchases", "#000000"),))
    marks = campaign_marks(load_scenario("scenarios/baseline.toml"))
    figure = LineFigure(chart, marks, horizon=horizon)
    figure.picture(pd.DataFrame({"step": np.arange(50), "purchases": np.ones(50)}))
    ticks = dict(zip(figure.strip.get_xticks(), figure.strip.get_xticklabels(), strict=True))
    named = {day: label.get_text() for day, label in ticks.items() if "year" in label.get_text()}
    assert named == {day: f"year {n}" for n, day in enumerate(years, start=2)}
    assert all(ticks[day].get_fontweight() == "bold" for day in years)
    assert ticks[1].get_text() == "Jan"  # the first year keeps its months
    for ax in (figure.axes[0], figure.strip):
        assert _year_lines(ax) == [day - 0.5 for day in years]


@pytest.mark.parametrize("horizon", [365, 730])
def test_the_funnel_names_a_later_year_once_its_time_axis_reaches_it(horizon):
    figure = FunnelFigure("", "funnel", horizon)
    days = np.arange(0, min(horizon, 500) + 1)
    daily = pd.DataFrame({"step": days, "aware_share": np.full(len(days), 0.5)})
    for stage in STAGE_NAMES:
        daily[f"stage_{stage}"] = 0.05
    named = [t for t in figure.over_time.texts if t.get_text().startswith("year")]
    assert [t.get_text() for t in named] == (["year 2"] if horizon > 365 else [])
    assert _year_lines(figure.over_time) == ([365.5] if horizon > 365 else [])
    figure.update(daily.iloc[:100])
    canvas = FigureCanvasAgg(figure.figure)
    canvas.draw()
    shown = [t for t in named if t.get_window_extent().overlaps(figure.over_time.bbox)]
    assert not shown, "year 2 named before the axis reaches it"
    figure.update(daily)
    canvas.draw()
    inside = [t for t in named if figure.over_time.bbox.contains(*t.get_window_extent().p0)]
    assert len(inside) == len(named)
