"""The network view: customers and their friends, coloured by 4C stage or experience.

The picture is a matplotlib figure of the model's network sample (laid out once per network
and seed, see :attr:`~ecosim.ui.live_model.LiveModel.network_sample`); only the colours change from
step to step. Clicking a customer picks it for the customer inspector. A well-mixed
network (everyone a friend of everyone) is drawn with up to :data:`MAX_LINKS` of its links.
"""

from __future__ import annotations

import weakref

import ipyvuetify as v
import numpy as np
import solara
import traitlets
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.cm import ScalarMappable
from matplotlib.collections import LineCollection
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from ecosim.ui.layout import NetworkSample
from ecosim.ui.live_model import LiveModel
from ecosim.ui.refresh import force_update, update_counter
from ecosim.ui.style import (
    AWARE_COLOUR,
    STAGE_COLOURS,
    STAGE_NAMES,
    UNAWARE_COLOUR,
    data_url,
    experience_colormap,
    experience_colours,
    stage_colours,
)

__all__ = [
    "COLOUR_BY",
    "MAX_LINKS",
    "ClickableImage",
    "NetworkView",
    "caption",
    "drawn_edges",
    "network_figure",
    "pick",
]

COLOUR_BY = ("4C stage", "experience")

WIDTH, HEIGHT, DPI = 640, 380, 100
"""Size of the network picture in pixels."""
_AXES = (0.01, 0.01, 0.74, 0.90)
"""Where the network is drawn in the figure: left, bottom, width, height (fractions)."""
_LIMITS = (-0.03, 1.03)
_PICK_RADIUS = 14.0
"""How far (in pixels of the picture) a click may be from a customer to pick it."""
MAX_LINKS = 5000
"""The most links drawn for a network where everyone is everyone's friend."""
_EDGE_LAYERS: weakref.WeakKeyDictionary[NetworkSample, np.ndarray] = weakref.WeakKeyDictionary()
"""Each sample's edges, drawn once (they never change while the model runs)."""
_DRAWN_EDGES: weakref.WeakKeyDictionary[NetworkSample, np.ndarray] = weakref.WeakKeyDictionary()
"""Each sample's edges to draw, chosen once."""


class ClickableImage(v.VuetifyTemplate):
    """An image that reports where it was clicked, as fractions of its shown width and height.

    ``on_pick(x, y)`` is called with ``x`` from the left and ``y`` from the top, in [0, 1],
    so the answer does not depend on how large the browser shows the image.
    """

    template = traitlets.Unicode(
        """
<template>
  <img :src="src" :alt="alt" @click="clicked"
       style="width: 100%; display: block; cursor: crosshair" />
</template>
<script>
module.exports = {
  methods: {
    clicked(event) {
      const box = event.target.getBoundingClientRect();
      this.pick({
        x: (event.clientX - box.left) / box.width,
        y: (event.clientY - box.top) / box.height,
      });
    },
  },
};
</script>
"""
    ).tag(sync=True)
    src = traitlets.Unicode("").tag(sync=True)
    alt = traitlets.Unicode("").tag(sync=True)
    on_pick = traitlets.Callable(None, allow_none=True)

    def vue_pick(self, data: dict[str, float]) -> None:
        """Pass a click on to ``on_pick``."""
        if self.on_pick is not None:
            self.on_pick(float(data["x"]), float(data["y"]))


def _pixels(xy: np.ndarray) -> np.ndarray:
    """Positions in the unit square -> pixels of the picture, from its bottom-left corner."""
    low, high = _LIMITS
    left, bottom, width, height = _AXES
    unit = (xy - low) / (high - low)
    return np.column_stack(
        ((left + unit[:, 0] * width) * WIDTH, (bottom + unit[:, 1] * height) * HEIGHT)
    )


def pick(sample: NetworkSample, x: float, y: float) -> int | None:
    """Return the customer drawn nearest to a click, if one is close enough.

    Parameters
    ----------
    sample : NetworkSample
    x, y : float
        The click, as fractions of the picture's width (from the left) and height (from
        the top).

    Returns
    -------
    int or None
        The customer's row.

    Examples
    --------
    >>> sample = NetworkSample(np.array([5, 9]), np.array([[0.1, 0.1], [0.9, 0.9]]),
    ...                        np.empty((0, 2), int), np.array([1, 1]), 10)
    >>> px = _pixels(sample.xy)
    >>> pick(sample, px[1, 0] / WIDTH, 1 - px[1, 1] / HEIGHT)
    9
    >>> pick(sample, 0.99, 0.01) is None
    True
    """
    if not len(sample.nodes):
        return None
    distance = np.hypot(*(_pixels(sample.xy) - (x * WIDTH, (1.0 - y) * HEIGHT)).T)
    nearest = int(np.argmin(distance))
    return int(sample.nodes[nearest]) if distance[nearest] <= _PICK_RADIUS else None


def _network_axes(fig: Figure) -> Axes:
    ax = fig.add_axes(_AXES)
    ax.set(xlim=_LIMITS, ylim=_LIMITS)
    ax.set_axis_off()
    return ax


def _well_mixed(sample: NetworkSample) -> bool:
    """Whether everyone is a friend of everyone, with the edges held implicitly (none kept)."""
    complete = sample.total > 1 and bool(np.all(sample.degree == sample.total - 1))
    return complete and not len(sample.edges)


def drawn_edges(sample: NetworkSample) -> np.ndarray:
    """Return the pairs of positions in the sample joined by a line, chosen once per sample.

    The sample of a well-mixed network holds no edges (everyone hears everyone, see
    :func:`~ecosim.ui.layout.sample_network`): all pairs of the customers drawn are then
    friends, and at most :data:`MAX_LINKS` of them, chosen at random, are drawn.

    Parameters
    ----------
    sample : NetworkSample

    Returns
    -------
    ndarray of int, shape (m, 2)

    Examples
    --------
    >>> sample = NetworkSample(np.arange(3), np.zeros((3, 2)), np.empty((0, 2), int),
    ...                        np.array([2, 2, 2]), 3)
    >>> drawn_edges(sample).tolist()
    [[0, 1], [0, 2], [1, 2]]
    """
    if sample not in _DRAWN_EDGES:
        edges = sample.edges
        if _well_mixed(sample):
            edges = np.column_stack(np.triu_indices(len(sample.nodes), 1))
            if len(edges) > MAX_LINKS:
                chosen = np.random.default_rng(0).choice(len(edges), MAX_LINKS, replace=False)
                edges = edges[np.sort(chosen)]
        _DRAWN_EDGES[sample] = edges
    return _DRAWN_EDGES[sample]


def caption(sample: NetworkSample) -> str:
    """Say what the network picture shows, under it.

    Examples
    --------
    >>> sample = NetworkSample(np.arange(3), np.zeros((3, 2)), np.empty((0, 2), int),
    ...                        np.array([2, 2, 2]), 3)
    >>> caption(sample)
    'all 3 customers, each a friend of all the others: all 3 links drawn. Click one to follow it.'
    """
    shown = "all" if len(sample.nodes) == sample.total else f"{len(sample.nodes):,} of"
    if not _well_mixed(sample):
        return f"{shown} {sample.total:,} customers; dot size: friends. Click one to follow it."
    links = sample.total * (sample.total - 1) // 2
    drawn = len(drawn_edges(sample))
    share = "all" if drawn == links else f"{drawn:,} of the"
    return (
        f"{shown} {sample.total:,} customers, each a friend of all the others: "
        f"{share} {links:,} links drawn. Click one to follow it."
    )


def _edge_layer(sample: NetworkSample) -> np.ndarray:
    """Return the sample's edges drawn on a transparent picture (RGBA), drawing them once."""
    if sample not in _EDGE_LAYERS:
        fig = Figure(figsize=(WIDTH / DPI, HEIGHT / DPI), dpi=DPI)
        fig.patch.set_alpha(0.0)
        edges = drawn_edges(sample)
        if len(edges):
            lines = LineCollection(sample.xy[edges], lw=0.2, color="#bdbdbd", alpha=0.3)
            _network_axes(fig).add_collection(lines)
        canvas = FigureCanvasAgg(fig)
        canvas.draw()
        _EDGE_LAYERS[sample] = np.asarray(canvas.buffer_rgba()).copy()
    return _EDGE_LAYERS[sample]


def network_figure(
    sample: NetworkSample,
    model: LiveModel,
    brand: int,
    colour_by: str,
) -> Figure:
    """Draw the sample coloured by a brand's 4C stages or experience.

    Parameters
    ----------
    sample : NetworkSample
    model : LiveModel
    brand : int
        Column of the brand in the population arrays.
    colour_by : {"4C stage", "experience"}

    Returns
    -------
    matplotlib.figure.Figure
        ``WIDTH`` x ``HEIGHT`` pixels at ``DPI``; the watched customer is ringed.
    """
    population = model.population
    aware = population.aware[sample.nodes, brand]
    fig = Figure(figsize=(WIDTH / DPI, HEIGHT / DPI), dpi=DPI)
    fig.figimage(_edge_layer(sample), 0, 0, origin="upper", zorder=-1)  # under the dots
    ax = _network_axes(fig)
    if colour_by == "experience":
        colours = experience_colours(aware, population.experience[sample.nodes, brand])
        scale = ScalarMappable(Normalize(-1.0, 1.0), experience_colormap())
        bar = fig.colorbar(scale, cax=fig.add_axes((0.80, 0.15, 0.03, 0.6)), label="experience")
        bar.ax.tick_params(labelsize=10)
    else:
        colours = stage_colours(aware, population.stage[sample.nodes, brand])
        names = ["unaware", "aware", *STAGE_NAMES]
        swatches = [Patch(color=c) for c in (UNAWARE_COLOUR, AWARE_COLOUR, *STAGE_COLOURS)]
        fig.legend(swatches, names, loc="center right", fontsize=10, frameon=False)
    size = 6.0 + 2.5 * np.sqrt(np.minimum(sample.degree, 400))
    if _well_mixed(sample):  # as many friends each: smaller dots as more share the disc
        size = np.full(len(sample.nodes), min(40.0, 24_000 / len(sample.nodes)))
    ax.scatter(*sample.xy.T, s=size, c=colours, linewidths=0)
    if model.watched is not None and model.watched in sample.nodes:
        spot = sample.xy[np.searchsorted(sample.nodes, model.watched)]
        ax.scatter(*spot, s=220, facecolors="none", edgecolors="black", linewidths=2)
    brands = model.scenario.brand_names
    suffix = f" ({brands[brand]})" if len(brands) > 1 else ""
    fig.suptitle(f"Customers and their friends, day {model.steps}{suffix}", fontsize=11)
    return fig


@solara.component
def NetworkView(model: LiveModel) -> None:
    """Show the network with its colour and brand choices; a click picks a customer."""
    update_counter.get()
    colour_by, set_colour_by = solara.use_state(COLOUR_BY[0])
    brands = model.scenario.brand_names
    brand, set_brand = solara.use_state(brands[0])
    sample = model.network_sample
    column = brands.index(brand) if brand in brands else 0

    def follow(x: float, y: float) -> None:
        row = pick(sample, x, y)
        if row is not None:
            model.watch(row)
            force_update()

    with solara.Column(gap="4px"):
        with solara.Row(gap="12px", style={"align-items": "center"}):
            solara.ToggleButtonsSingle(colour_by, values=list(COLOUR_BY), on_value=set_colour_by)
            if len(brands) > 1:
                solara.Select("brand", values=brands, value=brands[column], on_value=set_brand)
        figure = network_figure(sample, model, column, colour_by)
        ClickableImage.element(
            src=data_url(figure, "png", DPI),
            alt=f"network of customers on day {model.steps}",
            on_pick=follow,
        )
        solara.Text(caption(sample), style={"font-size": "0.8em"})
