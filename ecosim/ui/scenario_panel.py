"""The scenario card of the sidebar: pick a scenario, upload a network, read what went wrong."""

from __future__ import annotations

import typing
from collections.abc import Callable

import reacton.ipyvuetify as rv
import solara
from ipyvuetify.extra import FileInput

from ecosim.scenario import Scenario
from ecosim.ui.scenarios import UploadError, check_upload_size

__all__ = ["EdgeListUpload", "ScenarioPanel", "received"]


@solara.component
def EdgeListUpload(
    on_file: Callable[[str, bytes], None],
    on_refused: Callable[[str], None],
    on_started: Callable[[], None],
) -> None:
    """Offer a file input for an edge list; ``on_file(name, content)`` receives the file.

    ``on_started`` is called as soon as a file is chosen, before it is sent. A file over
    the upload limit (:func:`ecosim.ui.scenarios.max_upload_bytes`) is refused from its size
    alone, before it is sent: ``on_refused`` gets the message. The file is read and handed
    to ``on_file`` in a thread that is never stopped midway (not ``intrusive_cancel``), as
    ``on_file`` changes the page's state in steps that belong together.
    """
    file_info, set_file_info = solara.use_state(typing.cast(list, []))
    files, set_files = solara.use_state(typing.cast(list, []))
    element = FileInput.element(accept=".csv,.txt", multiple=False, on_file_info=set_file_info)

    def wire() -> None:
        if file_info:
            on_started()
            try:
                check_upload_size(file_info[0]["name"], file_info[0]["size"])
            except UploadError as error:
                on_refused(str(error))
                return
            widget = typing.cast(FileInput, solara.get_widget(element))
            widget.reset_stats()
            set_files(widget.get_files())

    solara.use_effect(wire, [file_info])

    def read(cancel: object) -> None:
        if files:
            received(files[0], on_file, on_refused)

    solara.use_thread(read, [files], intrusive_cancel=False)


_CUT_SHORT = {"File changed", "Timeout", "Invalid file state"}
"""What ipyvuetify's file reader raises (as plain exceptions) when a file stops arriving."""


def received(
    file: dict[str, typing.Any],
    on_file: Callable[[str, bytes], None],
    on_refused: Callable[[str], None],
) -> None:
    """Read an uploaded file and hand it to ``on_file``, or say why it did not arrive.

    A file replaced by another chosen while it was read is dropped without a word (the
    other one follows); one that stopped arriving (the browser did not send it in time)
    is named to ``on_refused``, so that it can be chosen again.
    """
    name = file["name"]
    try:
        content = file["file_obj"].read()
    except Exception as error:  # the reader raises plain exceptions; others go on up
        if str(error) not in _CUT_SHORT:
            raise
        if str(error) != "File changed":
            on_refused(
                f"{name}: the upload stopped before the whole file arrived ({error}); "
                "choose the file again"
            )
        return
    on_file(name, content)


@solara.component
def ScenarioPanel(
    scenario: Scenario,
    choice: str,
    choices: list[str],
    on_choice: Callable[[str], None],
    uploaded: str,
    on_edge_list: Callable[[str, bytes], None],
    on_refused: Callable[[str], None],
    on_upload_started: Callable[[], None],
    on_generated_network: Callable[[], None],
    problem: str,
    changed: list[str],
    plan_edited: bool,
    refusals: int = 0,
) -> None:
    """Show the scenario card: picker, description, edge-list upload, messages, page guide.

    Parameters
    ----------
    scenario : Scenario
        The scenario in use.
    choice : str
        Name of the scenario file picked.
    choices : list of str
        Names of the scenario files to pick from.
    on_choice : callable
        Called with a scenario name when another is picked.
    uploaded : str
        Name of the uploaded edge list in use ("" for the scenario's own network).
    on_edge_list : callable
        Called with a file name and its content when an edge list is uploaded.
    on_refused : callable
        Called with the message when an upload is refused before it is read.
    on_upload_started : callable
        Called when a file is chosen for upload, before it is sent.
    on_generated_network : callable
        Called to go back to the scenario's own network after an upload.
    problem : str
        Why the last scenario picked or network uploaded could not be used ("" if it could).
    changed : list of str
        How the model running differs from the scenario (the settings applied on Reset).
    plan_edited : bool
        Whether the model runs a campaign plan edited in the Campaign tab.
    refusals : int
        How many scenarios picked or networks uploaded were refused: after each the picker
        names the scenario running again, not the file refused.
    """
    with solara.Card("Scenario"), solara.Column(gap="6px"):
        rv.Select(  # not solara.Select, which would keep the refused file as its own value
            label="scenario",
            items=choices,
            v_model=choice,
            on_v_model=on_choice,
            attributes={"data-refusals": str(refusals)},  # a change puts back ``choice``
        )
        if scenario.description:
            solara.Text(scenario.description, style={"font-size": "0.9em"})
        solara.Text(
            "Your own friendship network: a CSV edge list (source,target customer ids)",
            style={"font-size": "0.85em"},
        )
        EdgeListUpload(  # a new input when the network changes: no chip of an old file
            on_file=on_edge_list, on_refused=on_refused, on_started=on_upload_started
        ).key(f"edge list upload for {uploaded!r}")
        if uploaded:
            solara.Text(f"Network: {uploaded} (uploaded)", style={"font-size": "0.85em"})
            solara.Button(
                "use the scenario's own network", on_click=on_generated_network, text=True
            )
        running = [*changed, *(["the campaign plan edited in the Campaign tab"] * plan_edited)]
        if running:
            solara.Text("Running with: " + "; ".join(running), style={"font-size": "0.85em"})
        if problem:
            solara.Warning(problem, style_="white-space: pre-wrap; font-size: 0.85em")
