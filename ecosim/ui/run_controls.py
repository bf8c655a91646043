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
from typing import Any

import reacton.core
import solara
import solara.lab

from ecosim.ui.calendar import day_count
from ecosim.ui.live_model import LiveModel
from ecosim.ui.refresh import force_update, update_counter

__all__ = ["DEFAULT_PACE", "PACES", "Pacing", "RunControls", "days_due", "end_message"]

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


class Pacing:
    """A play's schedule: the day due at a moment, at a pace that may change while it plays.

    A new pace counts from the day and the moment it is chosen, not from the start of the
    play: the days already played at the old pace neither hold the play back (a slower
    pace) nor make it leap (a faster one).

    Examples
    --------
    >>> pacing = Pacing(day=0, now=0.0, pace=10)
    >>> pacing.due(day=0, now=8.0, pace=10, horizon=365)
    81
    >>> pacing.due(day=81, now=8.1, pace=1, horizon=365)  # slower: one more day, not a wait
    82
    >>> round(pacing.ahead(day=82, now=8.1), 6)  # ...then a second a day
    1.0
    """

    def __init__(self, day: int, now: float, pace: float) -> None:
        self.first, self.started, self.pace = day, now, pace

    def due(self, day: int, now: float, pace: float, horizon: int) -> int:
        """Return the day the play should be on at ``now`` (on ``day``, at ``pace``)."""
        if pace != self.pace:
            self.first, self.started, self.pace = day, now, pace
        return days_due(self.first, now - self.started, self.pace, horizon)

    def ahead(self, day: int, now: float) -> float:
        """Return the seconds until ``day`` is due (negative: late)."""
        return (day - self.first) / self.pace - (now - self.started)


def end_message(model: LiveModel) -> str:
    """Say that the run reached the scenario's horizon ("" before it)."""
    if model.steps < model.scenario.days:
        return ""
    return (
        f"The scenario's {day_count(model.scenario.days)} "
        f"{'is' if model.scenario.days == 1 else 'are'} over. "
        "Press Reset to run it again (or pick another scenario)."
    )


@solara.component
def RunControls(
    current: solara.Reactive[LiveModel],
    on_reset: Callable[[], None],
    busy: solara.Reactive[Any] | None = None,
) -> None:
    """Show Reset, Play/Pause, Step and the pace; run the current model while playing.

    Parameters
    ----------
    current : solara.Reactive of LiveModel
        The model to run, read when a button is pressed; a new one (after a Reset, a
        scenario picked, a network uploaded) stops the play.
    on_reset : callable
        Builds the new model from the scenario and the settings.
    busy : solara.Reactive, optional
        Not None while a new model is being built: the buttons wait for it.
    """
    # The page's render context: a day's views, each following the day, redraw in one
    # render when the day changes inside it (several renders, one per view, otherwise).
    views = reacton.core.get_render_context()
    played = solara.use_reactive(None)  # the model Play was pressed for, until paused
    pace = solara.use_reactive(DEFAULT_PACE)
    frame = update_counter.get()
    model = current.value
    horizon = model.scenario.days
    over = model.steps >= horizon
    stop = solara.use_memo(threading.Event, [model])
    drawn = solara.use_memo(threading.Event, [])
    solara.use_effect(drawn.set, [frame])

    def playing() -> bool:
        """Whether this model is playing (a new model is not, until Play is pressed)."""
        return played.value is model and not stop.is_set()

    def run() -> None:
        if played.value is not model:
            return
        stop.clear()
        pacing = Pacing(model.steps, time.perf_counter(), pace.value)
        while playing() and model.steps < horizon:
            due = pacing.due(model.steps, time.perf_counter(), pace.value, horizon)
            while model.steps < due and playing():
                model.step()
            drawn.clear()
            with views:
                force_update()
            drawn.wait(DRAW_TIMEOUT)  # the next picture only once this one is drawn
            stop.wait(max(pacing.ahead(model.steps, time.perf_counter()), BREATH))
        if model.steps >= horizon:
            played.set(None)

    solara.lab.use_task(run, dependencies=[played.value, model], prefer_threaded=True)

    def new_model() -> Callable[[], None]:
        """Stop playing when another model comes (a Reset, a scenario, an upload)."""
        if played.value is not None and played.value is not model:
            played.set(None)  # not playing the new one, nor holding the old one in memory
        return stop.set

    solara.use_effect(new_model, [model])

    def step() -> None:
        stepped = current.value
        if stepped.steps < stepped.scenario.days:
            stepped.step()
            with views:
                force_update()

    def reset() -> None:
        played.set(None)
        stop.set()
        on_reset()

    is_playing = played.value is model
    waiting = busy is not None and busy.value is not None

    def pause_for_a_build() -> None:
        """Stop playing once a new model is asked for: its build would wait for the days."""
        if waiting and played.value is not None:
            played.set(None)

    solara.use_effect(pause_for_a_build, [waiting])
    action = "Pause" if is_playing else "Play"  # the button's name, read aloud and on hover
    with solara.Card("Run"), solara.Column(gap="6px"):
        with solara.Row(justify="space-between"):
            solara.Button("Reset", color="primary", on_click=reset, disabled=waiting)
            solara.Button(
                "❚❚" if is_playing else "▶",
                color="primary",
                on_click=lambda: played.set(None if is_playing else model),
                disabled=over or waiting,
                attributes={"aria-label": action, "title": action},
            )
            solara.Button(
                "Step", color="primary", on_click=step, disabled=is_playing or over or waiting
            )
        solara.ToggleButtonsSingle(pace.value, values=list(PACES), on_value=pace.set, dense=True)
        solara.Text(
            f"Play: {pace.value} simulated days per second "
            f"({day_count(horizon)} in about {math.ceil(horizon / pace.value)} s)",
            style={"font-size": "0.85em"},
        )
        if over:
            solara.Info(end_message(model), dense=True)
