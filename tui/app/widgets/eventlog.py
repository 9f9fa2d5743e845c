"""The event log: the trace as it grows, filterable by component."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import RichLog

from tui.clock import from_sim
from tui.session.lanes import severity
from tui.session.session import NOTABLE_KINDS
from tui.session.views import Snapshot
from tui.sim.trace import Event

KEEP = 300
STYLES = {0: "", 1: "yellow", 2: "bold red", 3: "bold magenta"}
#: The filter that shows only notable events; "all" shows every event; anything else is a component.
KEY_FILTER = "key events"
ALL_FILTER = "all"


def event_line(event: Event) -> Text:
    details = " ".join(f"{k}={v}" for k, v in event.data.items() if k != "records")
    return Text.assemble(
        (from_sim(event.time).strftime("%H:%M:%S"), "dim"),
        f" {event.component} ",
        (event.kind, STYLES[severity(event)] or "cyan"),
        f" {details}",
    )


def matches(event: Event, flt: str) -> bool:
    if flt == ALL_FILTER:
        return True
    if flt == KEY_FILTER:
        return event.kind in NOTABLE_KINDS or event.kind == "violation"
    return event.component == flt


class EventLog(RichLog):
    """Keeps the newest matching lines; redraws from the trace when the filter or fork changes."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(max_lines=KEEP, wrap=False, markup=False, auto_scroll=True, **kwargs)  # type: ignore[arg-type]
        self.filter = KEY_FILTER
        self._shown = 0
        self._fork: str | None = None
        self._events: Sequence[Event] = ()

    def show(self, snap: Snapshot) -> None:
        if snap.fork != self._fork or snap.events is not self._events or snap.event_count < self._shown:
            self._fork, self._events = snap.fork, snap.events
            self._redraw(snap.events, snap.event_count)
            return
        fresh = [e for e in snap.events[self._shown : snap.event_count] if matches(e, self.filter)]
        for event in fresh[-KEEP:]:
            self.write(event_line(event))
        self._shown = snap.event_count

    def set_filter(self, flt: str) -> None:
        self.filter = flt
        self.border_title = f"Events · {flt}"
        self._redraw(self._events, self._shown)

    def _redraw(self, events: Sequence[Event], count: int) -> None:
        self.clear()
        picked: list[Event] = []
        for event in reversed(events[:count]):
            if matches(event, self.filter):
                picked.append(event)
                if len(picked) >= KEEP:
                    break
        for event in reversed(picked):
            self.write(event_line(event))
        self._shown = count
        self.border_title = f"Events · {self.filter}"
