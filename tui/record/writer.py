"""Append a session to disk as it happens, so a crash loses at most the last line.

Every line goes out in one ``write`` of an unbuffered file, so once the call
returns the line is in the operating system's hands: a crash or ``kill -9`` of
the process can only tear a line that was being written. ``fsync`` then makes
the line survive a crash of the machine too. A person at the keyboard makes a
few moves a second, so the UI syncs every line; a headless run makes tens of
thousands of moves a second, so it may sync at most every ``sync_every``
seconds instead (a power cut then loses that much, a killed process nothing).
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from types import TracebackType
from typing import Any

from tui.errors import BadInput
from tui.record.format import (
    CONTROL_ACTIONS,
    ChoiceEntry,
    ControlEntry,
    Entry,
    EntryError,
    ForkEntry,
    Header,
    NoteEntry,
    encode,
    parse_entry,
)


class SessionWriter:
    """An open session file: the header is on disk, entries follow one line at a time."""

    def __init__(self, path: str | Path, header: Header, sync_every: float = 0.0) -> None:
        self.path = Path(path)
        self.sync_every = sync_every
        self.lines = 0
        try:
            self._fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND, 0o644)
        except OSError as err:
            raise BadInput(f"{path}: cannot write the session: {err.strerror}") from None
        self._last_sync = time.monotonic()
        self._write(encode(header), force_sync=True)

    # -- entries -------------------------------------------------------------------
    def choice(self, index: int, hand: bool = False) -> None:
        """A move: ``index`` into the choices on offer (``hand`` if a person overrode a drawing policy)."""
        self.append(ChoiceEntry(index, hand))

    def control(self, action: str, **fields: Any) -> None:
        """How the run is watched: ``pause``/``resume``, ``speed`` (speed=x), ``seek`` (to_step=n)."""
        if action not in CONTROL_ACTIONS:
            raise ValueError(f"control action {action!r}: expected one of {', '.join(CONTROL_ACTIONS)}")
        self.append(ControlEntry(action, tuple(fields.items())))

    def fork(self, name: str, parent: str, at_step: int, overrides: tuple[str, ...] | list[str] = ()) -> None:
        """A new timeline; the moves and notes after it are its own."""
        self.append(ForkEntry(name, parent, at_step, tuple(overrides)), force_sync=True)

    def note(self, step: int, text: str) -> None:
        """A speaker note at ``step`` of the current timeline."""
        self.append(NoteEntry(step, text), force_sync=True)

    def append(self, entry: Entry, force_sync: bool = False) -> None:
        """Write one entry; one the reader would refuse is a bug in the caller, raised before it reaches the file."""
        try:
            parse_entry(entry.as_dict(), 0)
        except EntryError as err:
            raise ValueError(f"not a valid session entry: {err}") from None
        self._write(encode(entry), force_sync)

    # -- lifetime ------------------------------------------------------------------
    def _write(self, line: str, force_sync: bool = False) -> None:
        data = line.encode("utf-8")
        written = os.write(self._fd, data)
        while written < len(data):  # a short write only happens on a full disk or a signal
            written += os.write(self._fd, data[written:])
        self.lines += 1
        now = time.monotonic()
        if force_sync or now - self._last_sync >= self.sync_every:
            os.fsync(self._fd)
            self._last_sync = now

    def close(self) -> None:
        if self._fd >= 0:
            os.fsync(self._fd)
            os.close(self._fd)
            self._fd = -1

    def __enter__(self) -> SessionWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> None:
        self.close()
