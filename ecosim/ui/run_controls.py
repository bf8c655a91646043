"""Reset, play, pause and step: the model's run controls, paced in simulated days per second.

Simulating a day of 10,000 customers takes milliseconds; drawing the views takes far
longer. So Play does not draw every day: it keeps the pace asked for (days per second of
wall time) by simulating the days due since it started, then drawing once and waiting
until the picture is drawn, and so on. The slower the drawing, the more days each picture
moves on; the pace holds, and the page stays free to answer a click between pictures. At the horizon
the model stops and the page says so. A new day's views are drawn in one render of the page,
not one render per view.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

import reacton.core
import solara
import solara.lab

from ecosim.ui.live_model import LiveModel
from ecosim.ui.refresh import force_update, update_counter

__all__ = ["DEFAULT_PACE", "PACES", "RunControls", "days_due", "end_message"]

PACES = (1, 2, 5, 10, 30, 100)
"""Days per second offered for Play."""
DEFAULT_PACE = 10
"""Days per second when playing: a year in about 37 seconds."""
DRAW_TIMEOUT = 10.0
"""Seconds Play waits at most for the views to draw a day before it goes on."""
BREATH = 0.05
"""Seconds between two pictures at least, for the page to answer clicks while playing."""


def days_due(first: int, elapsed: float, pace: float, horizon: int) -> int:
    """Return the day a run that started on day ``first`` should be on after ``elapsed`` s.

    Examples
    --------
    >>> days_due(0, 1.05, 10, 365)
    11
    >>> days_due(360, 10.0, 10, 365)
    365
    """
    return min(first + int(elapsed * pace) + 1, horizon)


def end_message(model: LiveModel) -> str:
    """Say that the run reached the scenario's horizon ("" before it)."""
    if model.steps < model.scenario.days:
        return ""
    return (
        f"The scenario's {model.scenario.days} days are over. "
        "Press Reset to run it again (or pick another scenario)."
    )


@solara.component
def RunControls(current: solara.Reactive[LiveModel], on_reset: Callable[[], None]) -> None:
    """Show Reset, Play/Pause, Step and the pace; run the current model while playing.

    Parameters
    ----------
    current : solara.Reactive of LiveModel
        The model to run, read when a button is pressed; a new one (after a Reset, a
        scenario picked, a network uploaded) stops the play.
    on_reset : callable
        Builds the new model from the scenario and the settings.
    """
    # The page's render context: a day's views, each following the day, redraw in one
    # render when the day changes inside it (several renders, one per view, otherwise).
    views = reacton.core.get_render_context()
    playing = solara.use_reactive(False)
    pace = solara.use_reactive(DEFAULT_PACE)
    frame = update_counter.get()
    model = current.value
    horizon = model.scenario.days
    over = model.steps >= horizon
    stop = solara.use_memo(threading.Event, [model])
    drawn = solara.use_memo(threading.Event, [])
    solara.use_effect(drawn.set, [frame])

    def run() -> None:
        if not playing.value:
            return
        stop.clear()
        started, first = time.perf_counter(), model.steps
        while playing.value and not stop.is_set() and model.steps < horizon:
            due = days_due(first, time.perf_counter() - started, pace.value, horizon)
            while model.steps < due and playing.value and not stop.is_set():
                model.step()
            drawn.clear()
            with views:
                force_update()
            drawn.wait(DRAW_TIMEOUT)  # the next picture only once this one is drawn
            ahead = (model.steps - first) / pace.value - (time.perf_counter() - started)
            stop.wait(max(ahead, BREATH))
        if model.steps >= horizon:
            playing.set(False)

    solara.lab.use_task(run, dependencies=[playing.value, model], prefer_threaded=True)

    def new_model() -> Callable[[], None]:
        """Stop playing when another model comes (a Reset, a scenario, an upload)."""
        playing.set(False)
        return stop.set

    solara.use_effect(new_model, [model])

    def step() -> None:
        stepped = current.value
        if stepped.steps < stepped.scenario.days:
            stepped.step()
            with views:
                force_update()

    def reset() -> None:
        playing.set(False)
        stop.set()
        on_reset()

    action = "Pause" if playing.value else "Play"  # the button's name, read aloud and on hover
    with solara.Card("Run"), solara.Column(gap="6px"):
        with solara.Row(justify="space-between"):
            solara.Button("Reset", color="primary", on_click=reset)
            solara.Button(
                "❚❚" if playing.value else "▶",
                color="primary",
                on_click=lambda: playing.set(not playing.value),
                disabled=over,
                attributes={"aria-label": action, "title": action},
            )
            solara.Button("Step", color="primary", on_click=step, disabled=playing.value or over)
        solara.ToggleButtonsSingle(pace.value, values=list(PACES), on_value=pace.set, dense=True)
        solara.Text(
            f"Play: {pace.value} simulated days per second "
            f"({horizon} days in about {math.ceil(horizon / pace.value)} s)",
            style={"font-size": "0.85em"},
        )
        if over:
            solara.Info(end_message(model), dense=True)
