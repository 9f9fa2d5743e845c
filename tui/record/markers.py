"""Markers: the places a talk stops at, read from a session file in the order they were made.

A speaker prepares a talk by recording a session: every note, fork, switch,
milestone jump and explicit slide (``s``) is a *marker*. Presenting walks
them in file order, each shown with the view (zoom, pan, overlay) the screen
had when it was made, and its words as the caption. Markers are plain data
built from the file's structured entries, never from text on a screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
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

    They are gathered by the one walk of the file's entries (:func:`tui.record.plan.walk`).
    Only a version 2 file (append-only history) has moves that stay where
    its markers point; a version 1 file's markers are read the same way,
    and a seek back there may have replaced the moves a marker pointed at.
    """
    return session.plan.markers
