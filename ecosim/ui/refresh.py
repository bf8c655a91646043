"""The page's redraw signal: views that read it draw again when the model has moved.

Solara redraws a component when a reactive value it read changes; the model's arrays are
not reactive, so the controls that move the model (Step, Play, Reset, a scenario picked)
call :func:`force_update` and every view that shows the model reads :data:`update_counter`.
A reactive value is kept per browser session, so one visitor's Step does not redraw another's.
"""

from __future__ import annotations

import solara

update_counter = solara.reactive(0)
"""How many times the model has moved in this session; read it to redraw with the model."""


def force_update() -> None:
    """Redraw every view that reads :data:`update_counter`."""
    update_counter.value += 1
