"""Colours, names and figure output shared by the app's views."""

from __future__ import annotations

import base64
import io

import ipyvuetify as v
import numpy as np
import PIL.Image
import solara
import traitlets
from matplotlib import colormaps
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import Colormap
from matplotlib.figure import Figure

from ecosim.metrics import split_column
from ecosim.population import STAGES

__all__ = [
    "AWARE_COLOUR",
    "BRAND_COLOURS",
    "NEGATIVE",
    "OUTCOME_NAMES",
    "POSITIVE",
    "STAGE_COLOURS",
    "STAGE_LABELS",
    "STAGE_NAMES",
    "TABLE_BOX",
    "UNAWARE_COLOUR",
    "KeepInView",
    "Picture",
    "data_url",
    "experience_colormap",
    "experience_colours",
    "money",
    "outcome_name",
    "png_url",
    "stage_colours",
    "unsigned_zero",
]

STAGE_NAMES = STAGES[1:]
"""Evans's four engagement stages, lowest first."""

STAGE_LABELS = {
    "consumption": "Consumption (reads, watches)",
    "curation": "Curation (rates, comments)",
    "creation": "Creation (makes content)",
    "collaboration": "Collaboration (co-creates)",
}
"""Each 4C stage named for a class, with what a customer at that stage does (see the About tab)."""

STAGE_COLOURS = ("#6baed6", "#4292c6", "#08519c", "#08306b")
"""One colour per 4C stage (consumption, curation, creation, collaboration), darker as the
stage is deeper; consumption's pale blue (``#9ecae1``) was hard to tell from the unaware's
grey among the network's dots."""

UNAWARE_COLOUR = "#e0e0e0"
AWARE_COLOUR = "#fdae6b"
"""Customers who know the brand but are not (or no longer) engaged."""

POSITIVE, NEGATIVE = "#1a9850", "#d73027"
"""Positive and negative word of mouth."""

BRAND_COLOURS = ("#7b3294", "#c51b7d", "#8c510a", "#01665e", "#4d4d4d", "#b8860b")
"""One colour per brand: purple, magenta, brown, teal, grey, gold -- never a stage's blue,
the aware orange, or the green and red of word of mouth."""

_EXPERIENCE = colormaps["RdYlGn"]

TABLE_BOX = {"max-width": "100%", "overflow-x": "auto"}
"""The style of the box around a wide table: as wide as the page, which it never widens; a
table wider than that (a 1024-pixel window) scrolls sideways in it, each row kept on one line."""


OUTCOME_NAMES = {
    "aware_share": "aware of the brand (share)",
    "adopted_share": "bought at least once (share)",
    **{f"stage_{stage}": f"{stage} stage (share)" for stage in STAGE_NAMES},
    "engaged_share": "engaged customers (share)",
    "presence_physical": "physical presence",
    "presence_cognitive": "cognitive presence",
    "presence_emotional": "emotional presence",
    "mean_experience": "mean experience (-1 to +1)",
    "rating": "average rating (stars)",
    "active_customers": "active customers",
    "churned_customers": "churned customers",
    "members": "paid members",
    "points_outstanding": "loyalty points held",
    "pending_complaints": "complaints not yet answered",
    "reached_share": "reached by the brand (share)",
    "affected_share": "reached only indirectly (share)",
    "net_sentiment": "net sentiment (-1 to +1)",
    "exposures": "exposures",
    "shares": "posts shared",
    "wom_positive": "word of mouth, positive",
    "wom_negative": "word of mouth, negative",
    "amplified": "shown a trending story",
    "reviews": "reviews written",
    "purchases": "purchases",
    "units": "units sold",
    "first_purchases": "first purchases",
    "first_purchases_after_wom": "first buys after word of mouth",
    "switches": "switches from another brand",
    "abandoned_checkouts": "abandoned checkouts",
    "revenue": "revenue",
    "fee_revenue": "membership fees",
    "gross_margin": "gross margin",
    "marketing_cost": "marketing cost",
    "service_cost": "service cost",
    "programme_cost": "programme cost",
    "profit": "profit",
    "rewards_value": "value of rewards redeemed",
    "points_earned": "loyalty points earned",
    "points_redeemed": "loyalty points redeemed",
    "incidents": "service incidents",
    "complaints": "complaints",
    "public_complaints": "public complaints",
    "answered": "complaints answered",
    "churned": "customers lost",
    "won_back": "customers won back",
}
"""Short plain names of the outcome columns (:data:`ecosim.metrics.OUTCOMES` says what each
measures); other columns are named by :func:`outcome_name`."""


def outcome_name(column: str) -> str:
    """Return an outcome column's short plain name, with its brand.

    Examples
    --------
    >>> outcome_name("wom_negative__modaku"), outcome_name("tier_gold")
    ('modaku: word of mouth, negative', 'tier gold')
    """
    outcome, brand = split_column(column)
    name = OUTCOME_NAMES.get(outcome, outcome.replace("_", " "))
    return f"{brand}: {name}" if brand else name


def stage_colours(aware: np.ndarray, stage: np.ndarray) -> np.ndarray:
    """Colour per customer: grey if unaware, orange if aware only, else its 4C stage's colour.

    Examples
    --------
    >>> stage_colours(np.array([False, True, True]), np.array([0, 0, 3])).tolist()
    ['#e0e0e0', '#fdae6b', '#08519c']
    """
    palette = np.array([AWARE_COLOUR, *STAGE_COLOURS])
    return np.where(aware | (stage > 0), palette[stage], UNAWARE_COLOUR)


def experience_colours(aware: np.ndarray, experience: np.ndarray) -> np.ndarray:
    """RGBA per customer: red (-1) to green (+1) by experience; grey if unaware."""
    colours = _EXPERIENCE((np.clip(experience, -1.0, 1.0) + 1.0) / 2.0)
    colours[~aware] = (0.88, 0.88, 0.88, 1.0)
    return colours


def experience_colormap() -> Colormap:
    """Return the colour map of :func:`experience_colours` (for a colour bar)."""
    return _EXPERIENCE


def data_url(figure: Figure, format: str = "svg", dpi: float = 100) -> str:
    """Return the figure as a ``data:`` URL, for an image the browser shows directly.

    SVG suits charts (small, sharp, quick to write); PNG suits pictures with many marks,
    lightly compressed since it is sent over a local network every step. The figure keeps
    its own size (it is not cropped), so positions in it hold in the picture.
    """
    buffer = io.BytesIO()
    options = {"pil_kwargs": {"compress_level": 1}} if format == "png" else {}
    figure.savefig(buffer, format=format, dpi=dpi, **options)
    mime = "image/svg+xml" if format == "svg" else f"image/{format}"
    return f"data:{mime};base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def png_url(canvas: FigureCanvasAgg) -> str:
    """Return what an Agg canvas holds now as a PNG ``data:`` URL (lightly compressed).

    Unlike :func:`data_url` it does not draw the figure again: artists drawn onto the
    canvas since its last full draw (blitting) are in the picture.
    """
    width, height = canvas.get_width_height()
    image = PIL.Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    buffer = io.BytesIO()
    image.save(buffer, format="png", compress_level=1)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def Picture(src: str, alt: str) -> solara.Element:
    """Return an image element for a ``data:`` URL, described by ``alt``."""
    style = "width: 100%; display: block"
    return solara.HTML(tag="img", attributes={"src": src, "alt": alt, "style": style})


class KeepInView(v.VuetifyTemplate):
    """An empty mark that scrolls the page, as little as it must, until the mark shows.

    Put after the answer a button gives, it brings the answer into the window when the
    button sat at the window's bottom edge. It scrolls when it appears and whenever
    ``token`` changes, so an answer given twice is brought into view twice.
    """

    template = traitlets.Unicode(
        """
<template>
  <span></span>
</template>
<script>
module.exports = {
  mounted() { this.show(); },
  watch: { token() { this.show(); } },
  methods: {
    show() { this.$nextTick(() => this.$el.scrollIntoView({ block: "nearest" })); },
  },
};
</script>
"""
    ).tag(sync=True)
    token = traitlets.Int(0).tag(sync=True)


def unsigned_zero(x: float, digits: int) -> float:
    """Return 0 for a value that rounds to zero at ``digits`` decimals (never written -0).

    Examples
    --------
    >>> f"{unsigned_zero(-0.004, 2):.2f}", f"{unsigned_zero(-0.4, 0):.0f}"
    ('0.00', '0')
    """
    return 0.0 if round(x, digits) == 0 else x


def money(value: float) -> str:
    """Write money in thousands of rupiah, with a decimal below 10 thousand, never "-0".

    Examples
    --------
    >>> money(1234.4), money(0.5), money(-0.04), money(0.0)
    ('Rp 1,234k', 'Rp 0.5k', 'Rp 0k', 'Rp 0k')
    """
    digits = 1 if abs(value) < 9.95 and round(value, 1) != 0 else 0
    return f"Rp {unsigned_zero(value, digits):,.{digits}f}k"
