"""Errors a user can cause, with messages fit for one line on a terminal."""

from __future__ import annotations


def one_line(text: str) -> str:
    """User text fit for a one-line message: control characters shown escaped."""
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


class BadInput(Exception):
    """Bad input from the user: the CLI prints the message alone and exits 2."""


class ScenarioError(BadInput):
    """A scenario file or override that does not fit the schema.

    The message names the file, the field or line, what was found and what
    was expected: ``scen.toml: dns.planner.interval_s: found -3, expected a number > 0``.
    """

    def __init__(self, source: str, where: str, found: str, expected: str) -> None:
        self.source, self.where, self.found, self.expected = source, where, found, expected
        super().__init__(f"{source}: {where}: found {found}, expected {expected}")
