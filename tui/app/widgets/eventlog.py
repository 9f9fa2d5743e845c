"""The event log: the trace as it grows, filterable by component, with the speaker notes among it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.widgets import RichLog

from tui.clock import from_sim
from tui.session.lanes import severity
from tui.session.session import NOTABLE_KINDS
from tui.session.timeline import Note
from tui.session.views import Snapshot
from tui.sim.kinds import Kind
from tui.sim.racemarks import RaceMarks
from tui.sim.trace import Event

KEEP = 300
#: Lines drawn again when the log is redrawn (another fork, going back, a new filter): enough to scroll a few
#: pages back, few enough that the redraw stays well under a frame's worth of a long move.
REDRAW = 120
STYLES = {0: "", 1: "yellow", 2: "bold red", 3: "bold magenta"}
#: The filter that shows only notable events; "all" shows every event; anything else is a component.
KEY_FILTER = "key events"
ALL_FILTER = "all"


def event_line(event: Event, mark: str | None = None) -> Text:
    details = " ".join(f"{k}={v}" for k, v in event.data.items() if k != "records")
    line = Text.assemble(
        (from_sim(event.time).strftime("%H:%M:%S"), "dim"),
        f" {event.component} ",
        (event.kind, STYLES[severity(event)] or "cyan"),
        f" {details}",
    )
    if mark is not None:
        line.append(f"  {mark}", style="bold white on red")
    return line


def note_line(note: Note) -> Text:
    """A speaker note, shown under every filter: it is what the presenter wants seen."""
    return Text.assemble(
        (from_sim(note.time).strftime("%H:%M:%S"), "dim"),
        " ",
        ("✎ note", "bold cyan"),
        f" step {note.step}: ",
        (note.text, "bold"),
    )


def matches(event: Event, flt: str, mark: str | None = None) -> bool:
    if flt == ALL_FILTER:
        return True
    if flt == KEY_FILTER:
        return event.kind in NOTABLE_KINDS or event.kind == Kind.VIOLATION or mark is not None
    return event.component == flt


class EventLog(RichLog):
    """Keeps the newest matching lines; redraws from the trace when the filter or fork changes.

    Focused (Tab), the arrow, page, Home and End keys scroll it; scrolling up
    holds the view where it is while new lines arrive, and End follows the
    newest line again. Escape gives the arrow keys back to the timeline.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "unfocus", "Back", tooltip="Give the arrow keys back to the timeline", id="log.unfocus"),
        Binding("end", "follow", "Follow", tooltip="Follow the newest line again", id="log.follow"),
    ]

    def __init__(self, **kwargs: object) -> None:
        super().__init__(max_lines=KEEP, wrap=False, markup=False, auto_scroll=True, **kwargs)  # type: ignore[arg-type]
        self.filter = KEY_FILTER
        self._shown = 0
        self._fork: str | None = None
        self._events: Sequence[Event] = ()
        self._notes: Sequence[Note] = ()
        self.race = RaceMarks()

    def on_mount(self) -> None:
        # Anchored, the log stays on its newest line through every layout pass. ``auto_scroll`` alone
        # scrolls once after the next refresh: when the horizontal scrollbar appears later (a long
        # line arrived), the view is left one line short of the end, differently from run to run.
        self.anchor()

    def action_unfocus(self) -> None:
        self.screen.set_focus(None)

    def action_follow(self) -> None:
        """End: to the newest line, and stay there as lines arrive."""
        self.scroll_end(animate=False, immediate=True)
        self.anchor()

    def show(self, snap: Snapshot) -> None:
        stale = snap.fork != self._fork or snap.events is not self._events or snap.event_count < self._shown
        if stale or len(snap.notes) != len(self._notes):
            # A new note may belong before lines already written: redraw, so the log stays in time order.
            self._fork, self._events, self._notes = snap.fork, snap.events, snap.notes
            self._redraw(snap.events, snap.event_count)
            return
        self.race.follow(snap.events, snap.event_count)
        marks = self.race.marks
        start = self._shown
        fresh = [
            (e, marks.get(start + i))
            for i, e in enumerate(snap.events[start : snap.event_count])
            if matches(e, self.filter, marks.get(start + i))
        ]
        if fresh:
            # One write for the lot: after a long move there may be hundreds of new lines.
            self.write(Text("\n").join(event_line(event, mark) for event, mark in fresh[-REDRAW:]))
        self._shown = snap.event_count

    def set_filter(self, flt: str) -> None:
        self.filter = flt
        self._retitle()
        self._redraw(self._events, self._shown)

    def _redraw(self, events: Sequence[Event], count: int) -> None:
        self.clear()
        self.race.follow(events, count)
        marks = self.race.marks
        picked: list[tuple[Event, str | None]] = []
        for i in range(count - 1, -1, -1):
            event = events[i]
            if matches(event, self.filter, marks.get(i)):
                picked.append((event, marks.get(i)))
                if len(picked) >= REDRAW:
                    break
        lines: list[tuple[float, int, int, Text]] = [
            (e.time, e.step, 0, event_line(e, mark)) for e, mark in reversed(picked)
        ]
        first = picked[-1][0].step if len(picked) >= REDRAW else -1
        lines += [(n.time, n.step, 1, note_line(n)) for n in self._notes if n.step >= first]
        lines.sort(key=lambda line: line[:3])
        if lines:
            # One write of every line: a write per line measures and renders 300 times (a quarter second).
            self.write(Text("\n").join(text for *_, text in lines))
        self._shown = count
        self._retitle()

    def _retitle(self) -> None:
        """The filter, and the keys that scroll: Tab first, then the arrows once focused."""
        keys = "↑↓ PgUp End · esc" if self.has_focus else "tab to scroll"
        self.border_title = f"Events · {self.filter} · {keys}"

    def watch_has_focus(self, _focused: bool) -> None:
        self._retitle()
