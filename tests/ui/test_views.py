import itertools
import math
import re

import ipyvuetify as v
import numpy as np
import pandas as pd
import pytest
import solara
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb

from ecosim.ui.about import SECTIONS, about_html
from ecosim.ui.app import TABS
from ecosim.ui.calendar import campaign_marks, month_starts
from ecosim.ui.charts import (
    CHURN,
    DATE_SIZE,
    DATE_TICKS,
    LOYALTY,
    Chart,
    FunnelFigure,
    LineFigure,
    OutcomeExplorer,
    Series,
    charts,
    describe,
    matching,
)
from ecosim.ui.controls import NETWORK_NAMES
from ecosim.ui.ecosystem import FLOW_MEANINGS, ecosystem_figure, flow_row, todays_flows
from ecosim.ui.inspector import customer_id, dropped_message, history_figure, history_frame
from ecosim.ui.layout import NetworkSample, force_layout, snowball
from ecosim.ui.live_model import LiveModel
from ecosim.ui.network_view import HEIGHT, WIDTH, _pixels, network_figure, pick
from ecosim.ui.run_controls import DEFAULT_PACE
from ecosim.ui.style import STAGE_COLOURS, STAGE_LABELS, UNAWARE_COLOUR, outcome_name


@pytest.fixture(scope="module")
def model() -> LiveModel:
    model = LiveModel("scenarios/baseline.toml", customers=1000)
    model.watch(3)
    for _ in range(40):
        model.step()
    return model


def test_new_outcome_columns_light_up_their_charts():
    plain = ["step", "aware_share", "wom_positive"]
    assert [c.title for c in charts(["a"], plain)][-1] == "Purchases and revenue"
    extended = [*plain, "tier_silver", "tier_gold", "tier_gold__a", "churned", "lapsed_share"]
    found = {c.title: [s.column for s in c.lines] for c in charts(["a"], extended)}
    assert found["Loyalty tiers"] == ["tier_silver", "tier_gold"]
    assert found["Churn"] == ["churned", "lapsed_share"]
    assert matching(extended, LOYALTY) == ["tier_silver", "tier_gold"]
    assert matching(extended, CHURN) == ["churned", "lapsed_share"]
    assert describe("aware_share__a") == "a: share of customers aware of the brand"


def test_a_line_chart_shows_the_data_so_far_and_keeps_its_figure(model):
    chart = charts(["tokoku"], list(model.outcomes))[2]  # purchases and revenue
    figure = LineFigure(chart)
    daily = model.timeseries()
    first = figure.update(daily.iloc[:10])
    assert figure.update(daily) is first
    purchases, revenue = figure.lines
    assert np.array_equal(purchases.get_ydata(), daily["purchases"])
    assert np.allclose(revenue.get_ydata(), daily["revenue"].cumsum())  # revenue so far
    assert first.axes[0].get_xlim() == (0, 40)
    for axes, line in zip(first.axes, figure.lines, strict=True):  # the scale follows the data
        assert axes.get_ylim()[0] == 0 and axes.get_ylim()[1] >= line.get_ydata().max()


def test_the_value_axes_labels_stay_inside_the_chart_as_revenue_grows(model):
    chart = charts(["tokoku"], list(model.outcomes))[2]  # purchases and revenue
    figure = LineFigure(chart, horizon=365)
    daily = model.timeseries().copy()
    daily["purchases"] *= 1_000
    for scale in (1, 10_000, 1_000_000):  # revenue so far up to about 10^10
        figure.picture(daily.assign(revenue=daily["revenue"] * scale))
        renderer = figure.canvas.get_renderer()
        left, right = (ax.yaxis.get_tightbbox(renderer) for ax in figure.axes)
        assert left.x0 >= 0 and right.x1 <= figure.figure.bbox.width
    assert figure.axes[1].get_ylabel() == "revenue so far (Rp thousand)"
    assert figure.axes[0].get_position().bounds == figure.axes[1].get_position().bounds


def test_the_funnel_shows_todays_shares(model):
    daily = model.timeseries()
    figure = FunnelFigure("", "funnel")
    figure.update(daily)
    last = daily.iloc[-1]
    widths = [bar.get_width() for bar in figure.bars]
    assert widths[0] == pytest.approx(last["aware_share"])
    engaged = sum(
        last[f"stage_{s}"] for s in ("consumption", "curation", "creation", "collaboration")
    )
    assert widths[1] == pytest.approx(engaged)
    assert widths == sorted(widths, reverse=True)
    assert figure.labels[0].get_text() == f"Aware of the brand: {last['aware_share']:.0%}"
    assert len(figure.over_time.collections) == 5
    figure.update(daily)
    assert len(figure.over_time.collections) == 5  # redrawn, not piled up


def test_the_funnel_names_evans_stages_by_what_customers_do_and_its_words_fit(model):
    """Its labels were 7-point stage names under bars of today's funnel, hard to read."""
    figure = FunnelFigure("", "funnel", model.scenario.days)
    figure.update(model.timeseries())
    labels = [label.get_text().rpartition(":")[0] for label in figure.labels]
    assert labels == ["Aware of the brand", *STAGE_LABELS.values()]
    assert labels[1:] == [
        "Consumption (reads, watches)",
        "Curation (rates, comments)",
        "Creation (makes content)",
        "Collaboration (co-creates)",
    ]
    assert all(label.get_fontsize() >= 9 for label in figure.labels)
    legend = [t.get_text() for t in figure.over_time.get_legend().get_texts()]
    assert legend == ["Aware, not engaged", "Consumption", "Curation", "Creation", "Collaboration"]
    canvas = FigureCanvasAgg(figure.figure)
    canvas.draw()
    page = figure.figure.bbox
    for text in [*figure.labels, figure.today.title, figure.figure._suptitle]:
        box = text.get_window_extent(canvas.get_renderer())
        assert box.x0 >= 0 and box.x1 <= page.width, text.get_text()


def test_every_outcome_has_a_short_plain_name_that_fits_as_a_chart_title():
    """The outcome explorer listed raw columns (mean_experience) and titled its chart with
    their meaning, cut off at the chart's edge."""
    two = LiveModel("scenarios/two_brands.toml", customers=300)
    columns = [c for c in two.outcomes if c != "step"]
    names = [outcome_name(c) for c in columns]
    assert len(set(names)) == len(names)
    plain = [outcome_name(c) for c in columns if "__" not in c]
    assert all("_" not in name and len(name) <= 32 for name in plain), plain
    longest = max(columns, key=lambda c: len(outcome_name(c)))
    figure = LineFigure(
        Chart(outcome_name(longest), "", (Series(longest, outcome_name(longest), "#000"),)),
        campaign_marks(two.scenario),
        two.scenario.days,
    )
    figure.picture(two.timeseries())
    title = figure.axes[0].title.get_window_extent(figure.canvas.get_renderer())
    assert title.x0 >= 0 and title.x1 <= figure.figure.bbox.width, outcome_name(longest)
    found = charts(["a"], ["churned_customers", "churned"])[-1]
    assert [s.label for s in found.lines] == ["churned customers", "customers lost"]


def test_the_outcome_explorer_offers_plain_names_and_says_what_each_measures(model):
    _box, rc = solara.render(OutcomeExplorer(model), handle_error=False)
    select = rc.find(v.Select, label="outcome").widget
    assert select.v_model == "mean experience (-1 to +1)"
    assert len(set(select.items)) == len(select.items) == len(model.outcomes) - 1
    assert not [item for item in select.items if "_" in item]
    rc.find(v.Html, children=[describe("mean_experience")]).assert_single()
    select.v_model = "word of mouth, negative"
    picture = rc.find(solara.widgets.HTML, tag="img").widget
    assert picture.attributes["alt"] == f"word of mouth, negative on day {model.steps}"
    rc.find(v.Html, children=[describe("wom_negative")]).assert_single()
    rc.close()


def test_todays_flows_cover_the_models_flows_per_brand_and_in_total():
    model = LiveModel("scenarios/two_brands.toml", customers=800)
    before = todays_flows(model, None)
    assert set(FLOW_MEANINGS) <= set(before) and before["consumed"] == 0
    for _ in range(35):
        model.step()
    total, first, second = (todays_flows(model, b) for b in (None, 0, 1))
    assert set(model.flows) <= set(total)
    for name, values in model.flows.items():
        assert total[name] == pytest.approx(values.sum())
        assert (first[name], second[name]) == pytest.approx(tuple(values))


def test_the_table_of_flows_says_what_profit_subtracts_and_shows_costs_as_money(model):
    flows = todays_flows(model, None)
    costs = flows["marketing_cost"] + flows["service_cost"] + flows["programme_cost"]
    assert flows["profit"] == pytest.approx(flows["gross_margin"] - costs)
    assert flow_row("profit", 1.0)[1] == "gross margin less marketing, service and programme costs"
    for name in ("service_cost", "programme_cost", "profit", "revenue"):
        assert flow_row(name, 12_345.6)[0] == "Rp 12,346k"
    for name in ("units", "notices"):  # explained, not shown by name
        assert flow_row(name, 3.0)[1] == FLOW_MEANINGS[name] != name
    assert set(model.flows) <= set(FLOW_MEANINGS)


def test_the_ecosystem_diagram_rounds_no_buyer_and_no_money_to_nothing():
    """On day 3 of the baseline the box said "0% have bought" beside an arrow of 7 bought,
    and a day's Rp 500 of marketing read "Rp 0k spent" (and "Rp -0k" in the flows' table)."""
    model = LiveModel("scenarios/baseline.toml", customers=2000)
    for _ in range(3):
        model.step()
    assert 0 < model.outcomes["adopted_share"] < 0.005
    texts = [t.get_text() for t in ecosystem_figure(model, 0).axes[0].texts]
    bought = [text for text in texts if text.endswith("have bought")]
    assert bought == [f"{100 * model.outcomes['adopted_share']:.1f}% have bought"]
    assert flow_row("marketing_cost", 0.5)[0] == "Rp 0.5k"
    assert flow_row("profit", -0.04)[0] == "Rp 0k"


def test_the_ecosystem_diagram_puts_todays_flows_on_its_arrows(model):
    figure = ecosystem_figure(model, 0)
    texts = [t.get_text() for t in figure.axes[0].texts]
    flows = todays_flows(model, 0)
    assert f"{flows['exposures']:,.0f} exposures" in texts
    assert f"{flows['wom_positive']:,.0f} praise" in texts
    assert any(t.startswith(f"{flows['needs']:,.0f} in need") for t in texts)
    titles = {text.replace("\n", " ") for text in texts}
    assert {"Brand actions", "Dialogue behaviour", "Shopping behaviour"} <= titles
    assert figure._suptitle.get_text().startswith(
        f"The engagement ecosystem today:\nday {model.steps}"
    )


def test_a_click_picks_the_customer_drawn_there(model):
    sample = model.network_sample
    where = _pixels(sample.xy)
    for position in (0, len(sample.nodes) // 2, len(sample.nodes) - 1):
        x, y = where[position]
        row = pick(sample, x / WIDTH, 1 - y / HEIGHT)
        picked = where[np.searchsorted(sample.nodes, row)]
        assert np.hypot(*(picked - (x, y))) == pytest.approx(0, abs=1e-6)
    alone = NetworkSample(np.array([4]), np.array([[0.5, 0.5]]), np.empty((0, 2), int), [1], 9)
    x, y = _pixels(alone.xy)[0]
    assert pick(alone, (x + 10) / WIDTH, 1 - y / HEIGHT) == 4  # close enough
    assert pick(alone, (x + 30) / WIDTH, 1 - y / HEIGHT) is None


def test_the_network_figure_colours_each_customer_and_rings_the_watched_one(model):
    sample = model.network_sample
    assert len(sample.nodes) == model.population.n == 1000  # small: everyone is drawn
    figure = network_figure(sample, model, 0, "4C stage")
    dots, ring = figure.axes[0].collections
    assert len(dots.get_offsets()) == len(sample.nodes)
    assert np.allclose(ring.get_offsets()[0], sample.xy[3])
    experience = network_figure(sample, model, 0, "experience")
    assert experience.axes[-1].get_ylabel() == "experience"  # the colour bar


def test_the_watched_customers_history_has_one_row_per_step(model):
    frame = history_frame(model.history, ["tokoku"])
    assert frame["step"].tolist() == list(range(0, 41))
    assert frame["tokoku experience"].iloc[-1] == model.customer(3).state()["tokoku"]["experience"]
    figure = history_figure(frame, ["tokoku"], 3)
    assert figure.axes[0].get_title().startswith("Customer 3 since picked")


@pytest.mark.parametrize("day", [0, 1])
def test_a_history_of_one_day_shows_that_day_alone(day):
    """Just picked, the chart showed ticks 0.96 to 1.04 and no line: one point draws none;
    then, picked on day 0, ticks -1, 0 and 1: a day before the run."""
    frame = pd.DataFrame(
        {"step": [day], "tokoku experience": [0.2], "tokoku stage": [1], "tokoku purchases": [0]}
    )
    figure = history_figure(frame, ["tokoku"], 3)
    FigureCanvasAgg(figure).draw()
    experience, stage = figure.axes
    ticks = [t for t in stage.get_xticks() if stage.get_xlim()[0] <= t <= stage.get_xlim()[1]]
    assert ticks == [day]
    assert all(line.get_marker() == "o" for line in (*experience.lines[:1], *stage.lines))


def test_the_inspectors_legend_of_two_brands_covers_neither_chart():
    """With two brands the legend sat inside the experience chart, over its lines."""
    brand = {"experience": 0.5, "stage": 1, "purchases": 1}
    frame = pd.DataFrame(
        {"step": range(20)}
        | {f"{b} {what}": value for b in ("tokoku", "rival") for what, value in brand.items()}
    )
    figure = history_figure(frame, ["tokoku", "rival"], 3)
    renderer = FigureCanvasAgg(figure).get_renderer()
    figure.draw(renderer)
    (key,) = figure.legends
    assert [text.get_text() for text in key.get_texts()] == ["tokoku", "rival"]
    styles = [line.get_linestyle() for line in figure.axes[0].lines[:2]]
    assert styles == ["-", "--"], "two brands at one stage: the second hid the first"
    box = key.get_window_extent(renderer)
    assert box.y0 >= 0 and box.x1 <= figure.bbox.width
    assert not any(box.overlaps(ax.get_tightbbox(renderer)) for ax in figure.axes)


def test_the_inspectors_messages_write_the_range_of_ids_alike():
    """The messages wrote 0..9999, 0..9,999 and 0 to 9,999: the page writes 0 to 9,999."""
    with pytest.raises(ValueError, match=r"from 0 to 9,999$"):
        customer_id("abc", 10_000)
    assert "(ids 0 to 9,999)" in dropped_message(12_345, 10_000)


def test_snowball_samples_are_connected_neighbourhoods_and_layouts_fill_the_square():
    model = LiveModel("scenarios/baseline.toml", customers=3000)
    nodes = snowball(model.network, 500, np.random.default_rng(1))
    assert len(nodes) == 500 and np.all(np.diff(nodes) > 0)
    inside = np.isin(model.network.edges_from(nodes)[1], nodes)
    assert inside.mean() > 0.2  # friends of friends, not a scattering
    xy = force_layout(np.array([[0, 1], [1, 2], [2, 3]]), 50, np.random.default_rng(2))
    assert xy.shape == (50, 2) and xy.min() == 0.0 and xy.max() == 1.0


def test_the_about_panel_has_netlogos_sections_and_the_seed_ideas():
    assert list(SECTIONS) == [
        "WHAT IS IT?",
        "HOW IT WORKS",
        "HOW TO USE IT",
        "THINGS TO NOTICE",
        "THINGS TO TRY",
        "EXTENDING THE MODEL",
        "CREDITS AND REFERENCES",
    ]
    text = " ".join(SECTIONS.values())
    for idea in (
        "Maslowska",
        "non-linear",
        "physical, cognitive and emotional presence",
        "consumption",
        "curation",
        "creation",
        "collaboration",
        "omnichannel",
        'Define "engaged" for your business',
        "Harbolnas",
        "loyalty programmes",
        "service excellence",
        "Evans",
        "Patterson",
    ):
        assert idea in text, idea
    page = about_html(tuple(SECTIONS))
    assert page.count("<h3>") == 7 and "<li>" in page


def test_the_about_text_names_networks_as_the_network_control_does():
    """It said 'scale-free (`barabasi_albert`) to a small world (`watts_strogatz`)' where
    the sidebar offers plain words."""
    text = " ".join(" ".join(SECTIONS.values()).split())
    assert not [kind for kind in NETWORK_NAMES if re.search(rf"`{kind}`|{kind}_", text)]
    assert not re.search(r"barabasi|watts|erdos|stochastic_block", text)
    for kind in ("barabasi_albert", "watts_strogatz", "complete"):
        assert NETWORK_NAMES[kind].removeprefix("a ") in text


def test_the_about_text_sends_to_tabs_that_exist_and_gives_plays_pace():
    """It sent readers to "page 1" (there is none; the arrows are on the Ecosystem tab)
    and said a year took 40 seconds where the Run card says 37."""
    text = " ".join(SECTIONS.values())
    assert not re.search(r"\bpages? \d", text)
    named = re.findall(r"(\w+)\*? tab\b", text)
    assert "Ecosystem" in named and set(named) <= {*TABS, "Info"}
    assert "On the *Ecosystem* tab, press Step" in text
    seconds = math.ceil(365 / DEFAULT_PACE)
    assert f"at {DEFAULT_PACE} a year takes about {seconds} seconds" in text


def test_the_time_charts_mark_the_campaign_calendar_and_the_events_so_far():
    crisis = LiveModel("scenarios/service_crisis.toml", customers=1000)
    marks = campaign_marks(crisis.scenario)
    disruptions = [m for m in marks if m.label.endswith("disruption")]
    action = next(a for a in crisis.scenario.campaign if a.type == "service_disruption")
    assert [(m.start, m.end) for m in disruptions] == [(action.start, action.end)]
    for _ in range(5):
        crisis.step()
    chart = charts(crisis.scenario.brand_names, list(crisis.outcomes))[2]
    figure = LineFigure(chart, marks, crisis.scenario.days)
    events = {"the media ran a trending story": [2, 4]}
    assert figure.picture(crisis.timeseries(), events).startswith("data:image/png;base64,")
    ax = figure.figure.axes[0]
    assert ax.get_xlim() == (0, crisis.scenario.days)  # the whole run, calendar ahead
    assert list(figure.events["the media ran a trending story"].get_xdata()) == [2, 4]
    assert len(figure.strip.patches) == len([m for m in marks if m.start != m.end])
    rows = [label.get_text() for label in figure.strip.get_yticklabels()]
    assert rows == ["ads", "posts", "sale", "disruption"]


@pytest.mark.parametrize("days", [365, 366, 730])
@pytest.mark.parametrize("right", [False, True], ids=["one axis", "two axes"])
def test_the_dates_on_the_time_axis_are_readable_and_apart(days, right):
    """At 7 pt, 13 dates a year were hard to read in a chart drawn smaller (two columns at
    1440 px)."""
    scenario = LiveModel("scenarios/two_brands.toml", customers=200).scenario
    found = charts(scenario.brand_names, ["aware_share", "adopted_share", "purchases", "revenue"])
    chart = next(chart for chart in found if bool(chart.right) is right)
    figure = LineFigure(chart, campaign_marks(scenario), days)
    daily = {"step": np.arange(1, 31)} | {s.column: np.full(30, 3e6) for s in figure.series}
    figure.picture(pd.DataFrame(daily))  # wide value labels narrow the axes
    labels = [label for label in figure.strip.get_xticklabels() if label.get_text()]
    assert all(label.get_fontsize() >= 8.5 for label in labels) and DATE_SIZE >= 8.5
    assert len(labels) <= DATE_TICKS + 1
    renderer = figure.canvas.get_renderer()
    boxes = [label.get_window_extent(renderer) for label in labels]
    gaps = [right.x0 - left.x1 for left, right in itertools.pairwise(boxes)]
    assert min(gaps) >= 10, gaps
    assert ("year 2" in [label.get_text() for label in labels]) is (days > 365)
    marked = {*figure.strip.get_xticks(minor=True), *figure.strip.get_xticks()}
    assert sorted(marked) == month_starts(days), "a tick at each month, dated or not"


def test_a_frame_kept_between_days_gives_the_same_picture_as_a_full_drawing(model):
    chart = charts(["tokoku"], list(model.outcomes))[0]
    figure = LineFigure(chart, horizon=365)
    daily = model.timeseries()
    figure.picture(daily.iloc[:39])
    frame = figure._background
    kept = figure.picture(daily)
    assert figure._background is frame  # drawn over the kept frame
    figure._limits = []  # forces a full drawing, with the same axis ranges
    assert figure.picture(daily) == kept
    assert figure._background is not frame


def test_a_consumer_dot_stands_out_from_an_unaware_one():
    """Consumption's pale blue and the unaware's grey were hard to tell apart (contrast 1.3)."""

    def luminance(colour: str) -> float:
        linear = [
            c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in to_rgb(colour)
        ]
        return float(np.dot([0.2126, 0.7152, 0.0722], linear))

    light, dark = sorted((luminance(UNAWARE_COLOUR), luminance(STAGE_COLOURS[0])), reverse=True)
    assert (light + 0.05) / (dark + 0.05) >= 1.7
