"""The race's decisive writes, told from the trace's structured data: the stale batch and the fatal clean-up.

The replay UI's event log marks them and the postmortem export names them, so
both read the same rule from here, never from displayed text.
"""

from __future__ import annotations

from collections.abc import Sequence

from tui.sim.kinds import Kind
from tui.sim.trace import Event

#: A batch that writes a plan older than the newest already applied to its endpoint.
STALE = "stale"
#: A clean-up that deletes the tree its endpoint points at.
ACTIVE_DELETED = "deletes the active tree"


class RaceMarks:
    """Follows the trace in order and marks the race's decisive writes.

    ``batch.applied`` is routine (thousands a run), but one that applies a
    plan older than the newest already applied to its endpoint is the race
    itself (``enactor/use1-az1 batch.applied plan=104``); so is a
    ``cleanup.deleted`` of the plan the endpoint currently points at. Both
    can only be told from what came before, hence a running state rather
    than a per-event test. ``marks`` and ``plans`` are keyed by the event's
    index in the trace.
    """

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.newest: dict[str, int] = {}
        self.active: dict[str, int] = {}
        self.marks: dict[int, str] = {}
        #: The plan each mark is about: the newer one a stale batch went behind, the active one a clean-up deleted.
        self.plans: dict[int, int] = {}
        self.seen = 0
        self.events: Sequence[Event] | None = None

    def follow(self, events: Sequence[Event], count: int) -> None:
        """Take in ``events[:count]``; a different or shorter list starts over."""
        if events is not self.events or count < self.seen:
            self.reset()
            self.events = events
        for i in range(self.seen, count):
            mark = self.mark(events[i])
            if mark is not None:
                self.marks[i], self.plans[i] = mark
        self.seen = count


    def mark(self, event: Event) -> tuple[str, int] | None:
        """Take in the next event of the trace: its mark and the plan it is about, or None for a routine one."""
        if event.kind == Kind.BATCH_APPLIED:
            endpoint, plan = str(event.data.get("endpoint")), event.data.get("plan")
            if isinstance(plan, int):
                newest = self.newest.get(endpoint, plan)
                self.newest[endpoint] = max(plan, newest)
                self.active[endpoint] = plan
                if plan < newest:
                    return STALE, newest
        elif event.kind == Kind.CLEANUP_DELETED:
            active = self.active.get(str(event.data.get("endpoint")))
            if active is not None and active in (event.data.get("plans") or ()):
                return ACTIVE_DELETED, active
        return None


def race_marks(events: Sequence[Event]) -> RaceMarks:
    """Every mark of a finished trace."""
    marks = RaceMarks()
    marks.follow(events, len(events))
    return marks
