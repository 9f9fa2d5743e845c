"""The trace: every observable change of a run, with a stable SHA-256.

The hash covers each event's canonical JSON (sorted keys, no spaces, virtual
time rounded to the millisecond) and every choice the controller made, so the
same scenario and the same choices give the same hash on any machine.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
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


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


class Trace:
    """Append-only list of events plus a running hash of events and choices."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self._hash = hashlib.sha256()
        self._listeners: list[Any] = []

    def add(self, time: float, step: int, component: str, kind: str, data: dict[str, Any]) -> Event:
        event = Event(time, step, component, kind, data)
        self.events.append(event)
        self._hash.update(b"E")
        self._hash.update(canonical_json(event.as_dict()).encode())
        self._hash.update(b"\n")
        for listener in self._listeners:
            listener(event)
        return event

    def note_choice(self, index: int) -> None:
        self._hash.update(b"C%d\n" % index)

    def listen(self, callback: Any) -> None:
        """Call ``callback(event)`` for every event added from now on."""
        self._listeners.append(callback)

    def sha256(self) -> str:
        return self._hash.hexdigest()

    def __len__(self) -> int:
        return len(self.events)
