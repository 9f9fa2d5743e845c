"""Markers, notes and slides: where a talk stops, and going back to one.

A marker is made by a note, a fork, a switch, a slide (``s``) or, while
recording, a milestone jump that lands on one; each keeps the view the
screen showed then. Going to a marker switches to its timeline and seeks its
step.
"""

from __future__ import annotations

from tui.record.markers import Marker
from tui.session.core import SessionCore
from tui.session.timeline import Note
from tui.sim.kinds import Kind


class TalkMoves(SessionCore):
    """Notes, markers and slides, and going to a marker."""

    def _note(self, text: str) -> None:
        text = text.strip()
        if not text:
            return
        tl = self.timeline
        note = Note(tl.sim.steps, tl.time_at(tl.sim.steps), text)
        tl.notes.append(note)
        self._recording.note(note)
        self._mark("note", text)
        self.status = f"note at step {note.step}"

    def _mark(self, kind: str, text: str) -> None:
        tl = self.timeline
        self.markers.append(Marker(kind, tl.name, tl.sim.steps, text, self.view))
        self.marker = len(self.markers) - 1

    def _milestone_marker(self) -> None:
        """While recording, a milestone jump that landed on one: a marker, and a seek naming it in the file."""
        if self.recorder is None:
            return  # a milestone is a stop of the talk only when a talk is being recorded
        tl = self.timeline
        events = tl.events
        last = tl.sim.steps
        reached = [e for e in reversed(events[-50:]) if e.step == last and e.kind == Kind.MILESTONE]
        if not reached:
            return
        name = str(reached[0].data.get("id"))
        self._recording.seek(last, milestone=name)
        self._mark("milestone", f"milestone {name}")

    def _slide(self, title: str) -> None:
        tl = self.timeline
        self._recording.slide(tl.sim.steps, title.strip())
        self._mark("slide", title.strip() or "slide")
        self.status = f"slide {len(self.markers)} placed at step {tl.sim.steps}"

    async def _go_to_marker(self, number: int) -> None:
        if not self.markers:
            self.status = "no markers: notes, forks, milestones and slides (s) make them"
            return
        number = max(0, min(number, len(self.markers) - 1))
        marker = self.markers[number]
        tl = self.timelines.get(marker.timeline)
        if tl is None:
            self.status = f"marker {number + 1}: no timeline {marker.timeline}"
            return
        if tl is not self.current:
            self.current = tl
            self._recording.switch(tl.name)
        await self._seek(tl, marker.step, f"going to marker {number + 1}")
        self._recording.seek(tl.sim.steps)  # the file must stand where the screen does, as after any move
        self.marker = number
        self._marker_visits += 1
        self.status = f"marker {number + 1} of {len(self.markers)}: {marker.text}"
