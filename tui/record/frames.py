"""Which moments of a played session become slides, and which of them say nothing new.

The SVG export plays the session in the replay UI and captures the screen at
every moment worth a slide (a milestone, a fork, a speaker note). Here they
are chosen (``--frames``) and each run of consecutive moments whose screens
are identical is merged into one frame that names them all: two milestones
reached in the same step, or a note written where a fork starts, show the
same screen and make one slide. Screens are compared as rendered, never by
label or file name. Kept apart from the player so that any list of moments
(another kind of marker, say) can be fed to the same choice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from tui.errors import BadInput

#: ``--frames`` values: the presenter's own moments (notes, slides, and the forks they made), milestones, or all.
FRAME_CHOICES = ("notes", "milestones", "all")
#: The default: a frame at every moment, as the SVG export always made.
DEFAULT_FRAMES = "all"
#: The moment kinds each choice keeps (None: every kind, including kinds added later).
_KINDS: dict[str, frozenset[str] | None] = {
    "notes": frozenset({"note", "fork", "slide"}),
    "milestones": frozenset({"milestone"}),
    "all": None,
}


@dataclass(frozen=True)
class Moment:
    """A point of the played session: its kind (``milestone``, ``fork``, ``note``), label, and screen then."""

    kind: str
    label: str
    #: The screen as rendered at that moment, with nothing that depends on the label: what frames compare.
    screen: str


@dataclass
class Frame:
    """One slide: a screen and every moment that showed it."""

    screen: str
    labels: list[str] = field(default_factory=list)


def check_frames(which: str) -> str:
    """``which`` if it is a ``--frames`` value, else a one-line error naming the values."""
    if which not in _KINDS:
        raise BadInput(f"--frames {which}: expected one of {', '.join(FRAME_CHOICES)}")
    return which


def select_frames(moments: Sequence[Moment], which: str = DEFAULT_FRAMES) -> list[Frame]:
    """The moments ``which`` keeps, in order, each run of identical consecutive screens merged into one frame."""
    kinds = _KINDS[check_frames(which)]
    frames: list[Frame] = []
    for moment in moments:
        if kinds is not None and moment.kind not in kinds:
            continue
        if frames and frames[-1].screen == moment.screen:
            frames[-1].labels.append(moment.label)
        else:
            frames.append(Frame(moment.screen, [moment.label]))
    return frames


def frame_title(labels: Sequence[str], width: int) -> str:
    """A frame's title: every label it stands for, or the first and how many more when they do not fit."""
    title = "outage-tui · " + " · ".join(labels)
    if len(labels) > 1 and len(title) > width:
        title = f"outage-tui · {labels[0]} and {len(labels) - 1} more"
    return title
