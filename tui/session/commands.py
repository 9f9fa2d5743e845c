"""Commands a front end sends to a running session (small frozen messages)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tui.record.markers import View
    from tui.session.recording import Reopened



@dataclass(frozen=True)
class Play:
    """Resume paced playback."""


@dataclass(frozen=True)
class Pause:
    """Stop playback; the simulation parks where it is."""


@dataclass(frozen=True)
class TogglePlay:
    """Play if paused, pause if playing."""


@dataclass(frozen=True)
class Step:
    """One atomic action: ``index`` (0-based) picks by hand, None lets the policy choose."""

    index: int | None = None


@dataclass(frozen=True)
class StepToEvent:
    """Step by policy until something notable happens (a plan applied, a deletion, a milestone...)."""


@dataclass(frozen=True)
class JumpMilestone:
    """Run to the next milestone (``direction`` 1) or go back to the previous one (-1)."""

    direction: int = 1


@dataclass(frozen=True)
class GoTo:
    """Move to virtual time ``time``: forward by policy picks, backward by replaying the prefix."""

    time: float


@dataclass(frozen=True)
class SetSpeed:
    """Display speed factor (1 = the default compression)."""

    speed: float


@dataclass(frozen=True)
class Fork:
    """Fork the current timeline at the current step, optionally with extra ``--set`` overrides."""

    name: str | None = None
    overrides: tuple[str, ...] = ()


@dataclass(frozen=True)
class OpenRun:
    """Open one run of a sweep beside the current timeline: its scenario, ``--set`` values and seed.

    Its seed draws differently from the first step, so it cannot share the
    current timeline's moves: it starts from the beginning, moves by the
    session's policy to where the current timeline stands, and shows in the
    fork tree under it. Opening a run already open switches to it.
    """

    name: str
    scenario: str
    overrides: tuple[str, ...]
    seed: int
    policy: str


@dataclass(frozen=True)
class Switch:
    """Make another fork the current timeline."""

    name: str


@dataclass(frozen=True)
class Compare:
    """Ask for a side-by-side comparison of two forks."""

    left: str
    right: str


@dataclass(frozen=True)
class Take:
    """Take recorded moves in order, by index (a session file played back on screen)."""

    indices: tuple[int, ...]


@dataclass(frozen=True)
class Restore:
    """Open a recorded timeline (``tui.session.recording.Reopened``) at its first ``upto`` moves; it becomes current."""

    timeline: Reopened
    upto: int


@dataclass(frozen=True)
class Note:
    """A speaker note at the current step of the current timeline."""

    text: str


@dataclass(frozen=True)
class Record:
    """Start writing the session to ``path`` (everything so far first), or stop when None."""

    path: str | None


@dataclass(frozen=True)
class StepBack:
    """Move the cursor back one move; the move stays recorded ahead of it."""


@dataclass(frozen=True)
class Undo:
    """Go back to where the last move started (timeline and step); nothing recorded is removed."""


@dataclass(frozen=True)
class Rename:
    """Rename timeline ``name`` to ``to`` (an automatic fork's ``main~1`` to something that says why)."""

    name: str
    to: str


@dataclass(frozen=True)
class SetView:
    """What the screen shows of the run (a ``tui.record.markers.View``): recorded, so a talk can show it again."""

    view: View


@dataclass(frozen=True)
class Slide:
    """Place a marker here for a talk, with the current view (``title`` optional)."""

    title: str = ""


@dataclass(frozen=True)
class GoToMarker:
    """Go to marker ``number`` (0-based) of the session's markers: its timeline, step and view."""

    number: int


@dataclass(frozen=True)
class Sync:
    """Call ``callback`` once every earlier command has been handled (tests, benchmarks)."""

    callback: Callable[[], None]


Command = (
    Play
    | Pause
    | TogglePlay
    | Step
    | StepToEvent
    | JumpMilestone
    | GoTo
    | SetSpeed
    | Fork
    | OpenRun
    | Switch
    | Compare
    | Restore
    | Take
    | Note
    | Record
    | StepBack
    | Undo
    | Rename
    | SetView
    | Slide
    | GoToMarker
    | Sync
)
