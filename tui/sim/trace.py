"""The trace: every observable change of a run, with a stable SHA-256.

The hash covers every event (virtual time rounded to the millisecond, step,
component, kind and data, encoded with ``repr``, which is exact and stable
for the numbers, strings, lists and dicts events carry) and every choice the
controller made, so the same scenario and the same choices give the same
hash on any machine.

The hash is *chained* per step: at each choice the events of the previous
step are folded into a 32-byte digest (``digest = sha256(digest + pending)``).
Its whole state is therefore two small byte strings and a count, which a
snapshot copies and pickles (a ``hashlib`` object can do neither), and the
result does not depend on where snapshots were taken.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

_sha256 = hashlib.sha256


@dataclass(frozen=True, slots=True)
class Event:
    """One observable change: when (virtual seconds), at which step, by whom, what."""

    time: float
    step: int
    component: str
    kind: str
    data: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {
            "t": round(self.time, 3),
            "step": self.step,
            "component": self.component,
            "kind": self.kind,
            **self.data,
        }


@dataclass(frozen=True)
class TraceState:
    """What a snapshot keeps of a trace: the chained digest, the unfolded tail, the length."""

    digest: bytes
    pending: bytes
    length: int


class Trace:
    """Append-only list of events plus a running hash of events and choices.

    ``events`` holds the events this trace has seen; a trace restored from a
    snapshot may be given the earlier ones (``events=``) or start without
    them, and ``len()`` counts from the start of the run either way.
    """

    def __init__(self, state: TraceState | None = None, events: list[Event] | None = None) -> None:
        if state is None:
            state = TraceState(b"", b"", 0)
        self._digest = state.digest
        self._pending: list[bytes] = [state.pending] if state.pending else []
        self.events: list[Event] = [] if events is None else events
        self._offset = state.length - len(self.events)
        if self._offset < 0:
            raise ValueError(f"{len(self.events)} events given for a trace of {state.length}")
        self._listeners: list[Callable[[Event], None]] = []

    def add(self, time: float, step: int, component: str, kind: str, data: dict[str, Any]) -> Event:
        event = Event(time, step, component, kind, data)
        self.events.append(event)
        self._pending.append(repr((round(time, 3), step, component, kind, data)).encode())
        for listener in self._listeners:
            listener(event)
        return event

    def note_choice(self, index: int) -> None:
        """Fold the previous step's events into the digest, then start the next with the choice."""
        self._digest = _sha256(self._digest + b"\n".join(self._pending)).digest()
        self._pending = [b"C%d" % index]

    def listen(self, callback: Callable[[Event], None]) -> None:
        """Call ``callback(event)`` for every event added from now on."""
        self._listeners.append(callback)

    def state(self) -> TraceState:
        return TraceState(self._digest, b"\n".join(self._pending), len(self))

    def sha256(self) -> str:
        return _sha256(self._digest + b"\n".join(self._pending)).hexdigest()

    def __len__(self) -> int:
        return self._offset + len(self.events)
