"""Markers: the places a talk stops at, read from a session file in the order they were made.

A speaker prepares a talk by recording a session: every note, fork, switch,
milestone jump and explicit slide (``s``) is a *marker*. Presenting walks
them in file order, each shown with the view (zoom, pan, overlay) the screen
had when it was made, and its words as the caption. Markers are plain data
built from the file's structured entries, never from text on a screen.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tui.record.format import MAIN, ChoiceEntry, ControlEntry, ForkEntry, NoteEntry, SlideEntry
from tui.record.reader import SessionFile

#: The kinds of marker, as the file makes them.
KINDS = ("note", "fork", "switch", "milestone", "slide")


@dataclass(frozen=True)
class View:
    """How the screen showed the run: the timeline's span (seconds), its right edge (None: following), an overlay."""

    zoom: float | None = None
    pan: float | None = None
    overlay: str | None = None

    def as_fields(self) -> dict[str, float | str | None]:
        """The fields of a ``view`` control entry."""
        return {"zoom": self.zoom, "pan": self.pan, "overlay": self.overlay}


@dataclass(frozen=True)
class Marker:
    """One stop of a talk: on ``timeline`` at ``step``, with its caption and view."""

    kind: str
    timeline: str
    step: int
    text: str
    view: View = View()


def markers(session: SessionFile) -> list[Marker]:
    """Every marker of ``session``, in file order, with timeline names as they are at the end of the file.

    Only a version 2 file (append-only history) has moves that stay where
    its markers point; a version 1 file's markers are read the same way,
    and a seek back there may have replaced the moves a marker pointed at.
    """
    ids = {MAIN: 0}  # a timeline's name -> a number that survives renames
    names = {0: MAIN}
    lengths = {0: 0}  # moves per timeline so far (the fork point counts as moves)
    current, view = 0, View()
    found: list[tuple[str, int, int, str, View]] = []

    def add(kind: str, timeline: int, step: int, text: str) -> None:
        found.append((kind, timeline, step, text, view))

    for entry in session.entries:
        if isinstance(entry, ChoiceEntry):
            lengths[current] += 1
        elif isinstance(entry, NoteEntry):
            add("note", current, entry.step, entry.text)
        elif isinstance(entry, SlideEntry):
            add("slide", current, entry.step, entry.title or "slide")
        elif isinstance(entry, ForkEntry):
            current = len(names)
            ids[entry.name], names[current], lengths[current] = current, entry.name, entry.at_step
            sets = f" with {' '.join(entry.overrides)}" if entry.overrides else ""
            add("fork", current, entry.at_step, f"fork {entry.name} from {entry.parent} at step {entry.at_step}{sets}")
        elif isinstance(entry, ControlEntry):
            current, view = _control(entry, ids, names, lengths, current, view, add)
    return [Marker(kind, names[tl], step, text, v) for kind, tl, step, text, v in found]


def _control(
    entry: ControlEntry,
    ids: dict[str, int],
    names: dict[int, str],
    lengths: dict[int, int],
    current: int,
    view: View,
    add: Callable[[str, int, int, str], None],
) -> tuple[int, View]:
    """Follow one control entry: which timeline is current and which view is shown after it."""
    action = entry.action
    if action == "switch":
        current = ids[entry.get("to")]
        step = entry.get("step")
        add("switch", current, lengths[current] if step is None else step, f"switch to {entry.get('to')}")
    elif action == "rename":
        number = ids.pop(entry.get("name"))
        ids[entry.get("to")] = number
        names[number] = entry.get("to")
    elif action == "view":
        view = View(entry.get("zoom"), entry.get("pan"), entry.get("overlay"))
    elif action == "seek" and entry.get("milestone"):
        add("milestone", current, entry.get("to_step"), f"milestone {entry.get('milestone')}")
    return current, view
