"""The link between a presenting app and its speaker view: JSON lines over a local Unix socket.

The presenter listens; a speaker view (``outage-tui present talk.jsonl
--speaker`` in a second terminal) connects. The presenter sends what the
speaker needs each time it changes (marker N of M, the current and next
note, the incident clock, when the talk started); either side sends
``{"go": N}`` to go to marker N, and the presenter carries it out and tells
everyone. A Unix socket stays on this machine: nothing listens on a network.
The socket's path comes from the recording's own path, so both commands find
it from the same argument.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any


def socket_path(recording: str | Path) -> Path:
    """Where the presenter of ``recording`` listens (short enough for a Unix socket's path limit)."""
    key = hashlib.sha256(str(Path(recording).resolve()).encode()).hexdigest()[:16]
    folder = Path(tempfile.gettempdir()) / f"outage-tui-{os.getuid()}"
    return folder / f"{key}.sock"


@dataclass(frozen=True)
class TalkState:
    """What the speaker view shows: sent by the presenter whenever it changes."""

    marker: int | None  # 0-based, None before the first
    count: int
    note: str
    next_note: str
    clock: str
    started: float  # wall time (epoch seconds) the talk started: elapsed time is counted from it

    def line(self) -> bytes:
        return (json.dumps(asdict(self)) + "\n").encode()

    @classmethod
    def parse(cls, data: dict[str, Any]) -> TalkState:
        return cls(
            marker=data.get("marker"),
            count=int(data.get("count", 0)),
            note=str(data.get("note", "")),
            next_note=str(data.get("next_note", "")),
            clock=str(data.get("clock", "")),
            started=float(data.get("started", 0.0)),
        )


def go_line(marker: int) -> bytes:
    return (json.dumps({"go": marker}) + "\n").encode()


class PresenterLink:
    """The presenter's side: listens, sends the talk's state to every speaker view, hears where to go."""

    def __init__(self, recording: str | Path, on_go: Callable[[int], None]) -> None:
        self.path = socket_path(recording)
        self.on_go = on_go
        self.state: TalkState | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._server: asyncio.AbstractServer | None = None

    async def start(self) -> None:
        self.path.parent.mkdir(mode=0o700, exist_ok=True)
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()  # left by a presenter that was killed
        self._server = await asyncio.start_unix_server(self._serve, path=str(self.path))

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            if self.state is not None:
                writer.write(self.state.line())
                await writer.drain()
            while line := await reader.readline():
                go = _go(line)
                if go is not None:
                    self.on_go(go)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            self._writers.discard(writer)
            writer.close()

    def publish(self, state: TalkState) -> None:
        """Send ``state`` to every speaker view (a write that fails drops that view, never the talk)."""
        if state == self.state:
            return
        self.state = state
        for writer in list(self._writers):
            try:
                writer.write(state.line())
            except (ConnectionError, RuntimeError):
                self._writers.discard(writer)

    async def close(self) -> None:
        for writer in list(self._writers):
            writer.close()
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 1.0)
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()


def _go(line: bytes) -> int | None:
    try:
        data = json.loads(line)
    except ValueError:
        return None
    go = data.get("go") if isinstance(data, dict) else None
    return go if isinstance(go, int) and not isinstance(go, bool) else None


class SpeakerLink:
    """The speaker view's side: connects (and reconnects) to the presenter, hears the state, sends where to go."""

    def __init__(self, recording: str | Path, on_state: Callable[[TalkState | None], None]) -> None:
        self.path = socket_path(recording)
        self.on_state = on_state
        self._writer: asyncio.StreamWriter | None = None

    async def run(self) -> None:
        """Follow the presenter until cancelled; ``on_state(None)`` while it is not there."""
        while True:
            try:
                reader, writer = await asyncio.open_unix_connection(str(self.path))
            except (FileNotFoundError, ConnectionError):
                self.on_state(None)
                await asyncio.sleep(0.3)
                continue
            self._writer = writer
            try:
                while line := await reader.readline():
                    with contextlib.suppress(ValueError, TypeError):
                        self.on_state(TalkState.parse(json.loads(line)))
            except ConnectionError:
                pass
            finally:
                self._writer = None
                writer.close()
            self.on_state(None)
            await asyncio.sleep(0.3)

    def go(self, marker: int) -> bool:
        """Ask the presenter to go to ``marker``; False when it is not connected."""
        if self._writer is None:
            return False
        self._writer.write(go_line(marker))
        return True
