"""Colours, names and figure output shared by the app's views."""

from __future__ import annotations

import base64
import io

import numpy as np
import PIL.Image
import solara
from matplotlib import colormaps
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import Colormap
from matplotlib.figure import Figure

from ecosim.population import STAGES

__all__ = [
    "AWARE_COLOUR",
    "BRAND_COLOURS",
    "NEGATIVE",
    "POSITIVE",
    "STAGE_COLOURS",
    "STAGE_NAMES",
    "UNAWARE_COLOUR",
    "Picture",
    "data_url",
    "experience_colormap",
    "experience_colours",
    "png_url",
    "stage_colours",
]

STAGE_NAMES = STAGES[1:]
"""Evans's four engagement stages, lowest first."""

STAGE_COLOURS = ("#9ecae1", "#4292c6", "#08519c", "#08306b")
"""One colour per 4C stage (consumption, curation, creation, collaboration)."""

UNAWARE_COLOUR = "#e0e0e0"
AWARE_COLOUR = "#fdae6b"
"""Customers who know the brand but are not (or no longer) engaged."""

POSITIVE, NEGATIVE = "#1a9850", "#d73027"
"""Positive and negative word of mouth."""

BRAND_COLOURS = ("#7b3294", "#c51b7d", "#8c510a", "#01665e", "#4d4d4d", "#b8860b")
"""One colour per brand: purple, magenta, brown, teal, grey, gold -- never a stage's blue,
the aware orange, or the green and red of word of mouth."""

_EXPERIENCE = colormaps["RdYlGn"]


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
