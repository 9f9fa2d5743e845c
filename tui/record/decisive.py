"""The moments a postmortem must name: the stale write, the deletion of the active plan, the first failed lookup.

Each is found from the trace's structured data with the same rule the
replay UI's event log marks it by (:class:`tui.sim.racemarks.RaceMarks`),
never from displayed text. For a fork, the move where it left its parent is
put in words with the same convention as ``run --session``'s
``diverged_at``: both stood at step N and their next moves differ.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tui.clock import from_sim
from tui.record.picks import Pick
from tui.record.replay import Replayed
from tui.sim.racemarks import ACTIVE_DELETED, STALE, RaceMarks, race_marks
from tui.sim.trace import Event

#: The event a resolver emits when the endpoint answers NOERROR with no addresses.
NODATA = "resolver.nodata"


@dataclass(frozen=True)
class Decisive:
    """One decisive moment of a timeline: what it is, the event (None if it never happened), in words."""

    title: str
    event: Event | None
    words: str


def decisive_events(events: Sequence[Event], regional: str, marks: RaceMarks | None = None) -> list[Decisive]:
    """The first stale write, the first deletion of an active tree and the first failed resolution."""
    marks = race_marks(events) if marks is None else marks
    stale = _first(marks, STALE)
    deleted = _first(marks, ACTIVE_DELETED)
    nodata = next((e for e in events if e.kind == NODATA), None)
    out = []
    if stale is None:
        out.append(Decisive("Stale plan written", None, "never: no Enactor applied a plan older than one applied"))
    else:
        event = events[stale]
        plan, endpoint = event.data.get("plan"), event.data.get("endpoint")
        words = (
            f"{event.component} applies plan {plan} to {endpoint}, "
            f"older than plan {marks.plans[stale]} already applied there"
        )
        out.append(Decisive("Stale plan written", event, words))
    if deleted is None:
        out.append(Decisive("Active plan deleted", None, "never: no clean-up deleted the tree an endpoint points at"))
    else:
        event = events[deleted]
        active = marks.plans[deleted]
        others = [p for p in event.data.get("plans") or () if p != active]
        words = f"{event.component} deletes plan {active}, the tree {event.data.get('endpoint')} points at"
        if others:
            words += " (and plans " + ", ".join(str(p) for p in others) + ")"
        out.append(Decisive("Active plan deleted", event, words))
    if nodata is None:
        out.append(Decisive("First failed resolution", None, f"never: no resolver got an empty answer for {regional}"))
    else:
        words = f"{nodata.data.get('resolver')} looks up {regional} and gets NOERROR with no addresses"
        ttl = nodata.data.get("negative_ttl_s")
        if ttl is not None:
            words += f", cached for {ttl} s"
        out.append(Decisive("First failed resolution", nodata, words))
    return out


def _first(marks: RaceMarks, mark: str) -> int | None:
    return min((i for i, m in marks.marks.items() if m == mark), default=None)


def move_words(move: Pick) -> str:
    """A move as the choice panel says it, component first: ``enactor/use1-az1 apply plan 104 to ...``."""
    return f"{move.component} {move.action}"


def divergence_words(timeline: Replayed) -> str | None:
    """``step N: <its move> instead of <its parent's>``, or None when it makes its parent's moves."""
    step, theirs = timeline.diverged_at, timeline.parent_move
    if step is None or theirs is None:
        return None
    mine = timeline.moves[step]
    if (mine.component, mine.action) == (theirs.component, theirs.action):
        # The same move at another time (a fork with changed overrides): the times are what differ.
        return f"step {step}: {move_words(mine)} at {_clock(mine.time)} instead of at {_clock(theirs.time)}"
    return f"step {step}: {move_words(mine)} instead of {move_words(theirs)}"


def _clock(seconds: float) -> str:
    return from_sim(seconds).strftime("%H:%M:%S PDT")
