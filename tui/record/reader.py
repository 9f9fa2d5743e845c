"""Read a session file back, refusing anything that would not replay exactly.

Every problem is a :class:`BadInput` of one line naming the file, the line,
what was found and what was expected. The one exception is a torn last line:
the writer puts out whole lines, so a last line without its newline (or that
is not JSON) can only be a recording cut short by a crash. It is skipped and
reported as a warning; everything before it replays.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from tui.errors import BadInput
from tui.record.format import (
    FORMAT,
    Entry,
    EntryError,
    Header,
    parse_entry,
    parse_header,
    shorten,
)
from tui.record.plan import SessionPlan, walk
from tui.scenario import Scenario, load_scenario


@dataclass(frozen=True)
class SessionFile:
    """A session as read: header, complete entries, and the torn last line if one was skipped."""

    path: str
    header: Header
    entries: tuple[Entry, ...]
    torn_line: int | None = None

    @cached_property
    def plan(self) -> SessionPlan:
        """The entries walked once into each timeline's plan (see :mod:`tui.record.plan`)."""
        return walk(self.path, self.header.version, self.entries)

    def warning(self) -> str | None:
        """What a reader should be told about a skipped torn line (None when the file is whole)."""
        if self.torn_line is None:
            return None
        return (
            f"{self.path}: line {self.torn_line}: skipped a torn last line (the recording stopped while "
            f"writing it); replaying the {len(self.entries)} complete entries before it"
        )


def _problem(path: str, line: int, found: str, expected: str) -> BadInput:
    return BadInput(f"{path}: line {line}: found {found}, expected {expected}")


def read_session(path: str | Path) -> SessionFile:
    """Parse and check ``path``; raise :class:`BadInput` at the first bad line."""
    label = str(path)
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise BadInput(f"{label}: no such session file") from None
    except OSError as err:
        raise BadInput(f"{label}: cannot read: {err.strerror}") from None
    if not raw.strip():
        raise _problem(label, 1, "an empty file", "an outage-tui session header")
    pieces = raw.split(b"\n")
    whole = raw.endswith(b"\n")
    if whole:
        pieces.pop()
    last = len(pieces)
    torn: int | None = None
    header: Header | None = None
    entries: list[Entry] = []
    for number, piece in enumerate(pieces, start=1):
        is_last = number == last
        try:
            text = piece.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        data = None
        valid = False
        if text is not None:
            try:
                data = json.loads(text)
                valid = True
            except (ValueError, RecursionError):  # not JSON, or nested deeper than the parser goes
                pass
        if number == 1:
            header = _header(label, text, data, valid, torn=is_last and not whole)
            continue
        if is_last and (not whole or not valid):
            torn = number
            break
        if not valid:
            found = "bytes that are not UTF-8 text" if text is None else f"a line that is not JSON ({shorten(text)})"
            raise _problem(label, number, found, "one JSON object per line")
        try:
            entries.append(parse_entry(data, number))
        except EntryError as err:
            raise _problem(label, number, err.found, err.expected) from None
    assert header is not None
    session = SessionFile(label, header, tuple(entries), torn)
    _ = session.plan  # walked once now, so a bad fork, switch or rename is refused before any replay
    return session


def _header(label: str, text: str | None, data: object, valid: bool, torn: bool) -> Header:
    if not valid:
        if text is not None and FORMAT in text and torn:
            raise _problem(label, 1, "a torn header (the recording stopped while writing it)", "a whole header")
        found = "bytes that are not UTF-8 text" if text is None else f"{shorten(text)}, not JSON"
        raise _problem(label, 1, found, f'an outage-tui session header (JSON with "format": "{FORMAT}")')
    try:
        return parse_header(data)
    except EntryError as err:
        raise _problem(label, 1, err.found, err.expected) from None


def scenario_for(session: SessionFile) -> Scenario:
    """Load the session's scenario (file or built-in) and refuse it if its content changed since."""
    header = session.header
    source = header.scenario
    if header.scenario_path is not None:
        source = header.scenario_path
        if not Path(source).is_file():
            beside = Path(session.path).parent / Path(source).name
            if not beside.is_file():
                raise BadInput(
                    f"{session.path}: line 1: scenario_path {source!r}: no such file "
                    f"(nor {beside}), expected the scenario file the session was recorded with"
                )
            source = str(beside)
    try:
        scenario = load_scenario(source, header.overrides)
    except BadInput as err:  # the header names a scenario that cannot be loaded: say which file says so
        raise BadInput(f"{session.path}: line 1: {err}") from None
    if scenario.id != header.scenario:
        raise BadInput(f"{session.path}: line 1: scenario {header.scenario!r}, but {source} now has id {scenario.id!r}")
    if scenario.sha256 != header.scenario_sha256:
        raise BadInput(
            f"{session.path}: scenario {source} changed since the session was recorded: "
            f"its sha256 is now {scenario.sha256}, the session was recorded with {header.scenario_sha256}"
        )
    return scenario
