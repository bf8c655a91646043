"""The error every kind of bad input raises: one message, every problem by its field path."""

from __future__ import annotations

__all__ = ["InputError"]


class InputError(ValueError):
    """Input that cannot be used, with every problem named by its field path.

    The message reads ``<source>: <n> problem(s)`` followed by one line per problem,
    ``<path>: <what was wrong and what was expected>``; the command line prints it as
    it is, without a traceback.

    Parameters
    ----------
    source : str
        Where the input came from (a file name, ``--set``, a results folder).
    problems : list of (str, str)
        Pairs of field path (``campaign[2].channel``) and what was wrong.

    Examples
    --------
    >>> print(InputError("plan.toml", [("days", "must be >= 1"), ("", "no brands")]))
    plan.toml: 2 problems
      days: must be >= 1
      no brands
    """

    def __init__(self, source: str, problems: list[tuple[str, str]]):
        self.source = source
        self.problems = problems
        lines = [f"  {path}: {message}" if path else f"  {message}" for path, message in problems]
        noun = "problem" if len(problems) == 1 else "problems"
        super().__init__(f"{source}: {len(problems)} {noun}\n" + "\n".join(lines))
