"""The scenario card's upload: a file that stops arriving."""

import pytest

from ecosim.ui.scenario_panel import received


class _Reader:
    def __init__(self, outcome):
        self.outcome = outcome

    def read(self):
        if isinstance(self.outcome, Exception):
            raise self.outcome
        return self.outcome


@pytest.mark.parametrize(
    ("outcome", "given", "refused"),
    [
        (b"0,1\n", [("edges.csv", b"0,1\n")], []),
        (Exception("File changed"), [], []),  # another file was chosen: it follows
        (
            Exception("Timeout"),
            [],
            [
                "edges.csv: the upload stopped before the whole file arrived (Timeout); choose "
                "the file again"
            ],
        ),
    ],
)
def test_an_upload_cut_short_is_named_or_left_to_the_next(outcome, given, refused):
    """The reader's exceptions went to the server's log as tracebacks."""
    files, messages = [], []
    received(
        {"name": "edges.csv", "file_obj": _Reader(outcome)},
        lambda name, content: files.append((name, content)),
        messages.append,
    )
    assert (files, messages) == (given, refused)


def test_an_unexpected_failure_of_the_reader_is_not_hidden():
    with pytest.raises(ValueError, match="other"):
        received({"name": "e.csv", "file_obj": _Reader(ValueError("other"))}, print, print)
