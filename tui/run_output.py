"""What ``outage-tui run`` prints without ``--json``: the story of a run in one screenful, then its summary.

A canonical run has some 40,000 events, and even the kinds the replay UI
calls notable (every plan applied, every tree cleaned up) come to thousands
of lines. The key events here are the ones a reader follows the incident by:
the stale batches and the deletions of the active tree (told from what came
before, see :class:`tui.sim.racemarks.RaceMarks`), broken invariants,
milestones undone, what the operators did and the DNS automation stopping.
The milestones reached are listed once, by time, under the summary.
``--events all`` lists every event, milestones included; ``--json`` is a
separate contract and never comes here.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from tui.clock import iso
from tui.errors import BadInput
from tui.sim.kinds import Kind
from tui.sim.racemarks import RaceMarks
from tui.sim.trace import Event

#: The values ``--events`` takes.
EVENT_CHOICES = ("key", "all")
#: Event kinds that are always key events; a routine kind is one only when it carries a race mark.
KEY_KINDS = frozenset(
    {
        Kind.MILESTONE_UNDONE,
        Kind.VIOLATION,
        Kind.OPERATOR_ACTION,
        Kind.OPERATOR_REPAIRED,
        Kind.PLANNER_STOPPED,
        Kind.ENACTOR_STOPPED,
    }
)
#: Data whose value says what it is without its name (``violation NeverDeleteActive``, not ``invariant=...``).
BARE = ("id", "invariant", "reason", "description")


def check_events_option(events: str) -> None:
    if events not in EVENT_CHOICES:
        raise BadInput(f"--events {events}: expected key or all")


class EventRows:
    """Takes a run's events in order and keeps those to print, each with its race mark (or None).

    Called once per event as the run goes, so a run never holds a second
    list of every event just to print a few dozen.
    """

    def __init__(self, events: str = "key", regional: str | None = None) -> None:
        check_events_option(events)
        self.every = events == "all"
        #: The endpoint the incident is about: among the key events, the race is shown on it alone (every
        #: endpoint of a plan gets the same stale batch, a few seconds apart).
        self.regional = regional
        self.marks = RaceMarks()
        self.rows: list[tuple[Event, str | None]] = []

    def __call__(self, event: Event) -> None:
        marked = self.marks.mark(event)
        mark = None if marked is None else marked[0]
        if self.every or event.kind in KEY_KINDS:
            self.rows.append((event, mark))
        elif mark is not None and self.regional in (None, event.data.get("endpoint")):
            self.rows.append((event, mark))

    def take(self, events: Iterable[Event]) -> EventRows:
        for event in events:
            self(event)
        return self


def what(event: Event, mark: str | None) -> str:
    """Kind, race mark and data in one line: ``violation NeverDeleteActive: endpoint=... plan=104``.

    A value that says what it is on its own (an id, an invariant, a reason)
    follows the kind without its name; the time a milestone event carries is
    the row's own time, so it is left out.
    """
    bare = [str(event.data[k]) for k in BARE if k in event.data]
    named = " ".join(f"{k}={v}" for k, v in event.data.items() if k not in BARE and k != "at")
    head = " ".join([event.kind, *([mark] if mark else []), *bare[:1]])
    tail = " · ".join(part for part in (": ".join(bare[1:]), named) if part)
    return f"{head}: {tail}" if tail else head


def milestone_items(milestones: dict[str, str | None]) -> list[str]:
    """``23:47:55 dns.endpoint_empty`` for each milestone reached, in time order; then those not reached."""
    reached = sorted(((at, name) for name, at in milestones.items() if at is not None), key=lambda item: item[0])
    items = [f"{at[11:19]} {name}" for at, name in reached]
    items += [f"   never {name}" for name, at in milestones.items() if at is None]
    return items


def print_run(rows: list[tuple[Event, str | None]], summary: dict[str, Any]) -> None:
    """The events, the summary's fields, then every milestone by time, packed in columns to fit the terminal."""
    from rich import box
    from rich.columns import Columns
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console()
    table = Table(title="Events", box=box.SIMPLE_HEAD, header_style="bold", pad_edge=False, show_edge=False)
    table.add_column("PDT", no_wrap=True)
    table.add_column("step", justify="right", no_wrap=True)
    table.add_column("component", no_wrap=True)
    table.add_column("event", overflow="fold")
    for event, mark in rows:
        line = Text(what(event, mark), style="bold red" if mark or event.kind == Kind.VIOLATION else "")
        table.add_row(iso(event.time)[11:19], str(event.step), event.component, line)
    console.print(table)
    console.print()
    fields = Table.grid(padding=(0, 1))
    fields.title = "Summary"
    fields.add_column(style="bold", no_wrap=True)
    fields.add_column(overflow="fold")
    for key, value in summary.items():
        if key != "milestones":
            fields.add_row(key, Text(json.dumps(value) if isinstance(value, list | dict) else str(value)))
    console.print(fields)
    milestones = summary["milestones"]
    reached = sum(at is not None for at in milestones.values())
    console.print(Text(f"\nMilestones ({reached} of {len(milestones)} reached, PDT)", style="bold"))
    console.print(Columns([Text(item) for item in milestone_items(milestones)], column_first=True, padding=(0, 3)))
