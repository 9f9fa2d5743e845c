"""The race's decisive writes, told apart from the thousands of routine ones in a trace.

``batch.applied`` is routine (thousands a run), but one that applies a plan
older than the newest already applied to its endpoint is the race itself
(``enactor/use1-az1 batch.applied plan=104``); so is a ``cleanup.deleted`` of
the plan the endpoint currently points at. Both can only be told from what
came before, hence a running state rather than a per-event test. The event
log marks them and ``outage-tui run`` lists them among the key events.
"""

from __future__ import annotations

from collections.abc import Sequence

from tui.sim.trace import Event

#: The race in the log's words: a batch that writes a plan older than the endpoint's newest, and a clean-up
#: that deletes the tree the endpoint points at.
STALE = "stale"
ACTIVE_DELETED = "deletes the active tree"


class RaceMarks:
    """Follows a trace in order and marks its stale batches and deletions of the active tree."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.newest: dict[str, int] = {}
        self.active: dict[str, int] = {}
        self.marks: dict[int, str] = {}
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
                self.marks[i] = mark
        self.seen = count

    def mark(self, event: Event) -> str | None:
        """Take in the next event of the trace; its mark, or None for a routine one."""
        if event.kind == "batch.applied":
            endpoint, plan = str(event.data.get("endpoint")), event.data.get("plan")
            if isinstance(plan, int):
                stale = plan < self.newest.get(endpoint, plan)
                self.newest[endpoint] = max(plan, self.newest.get(endpoint, plan))
                self.active[endpoint] = plan
                return STALE if stale else None
        elif event.kind == "cleanup.deleted":
            plans = event.data.get("plans") or ()
            if self.active.get(str(event.data.get("endpoint"))) in plans:
                return ACTIVE_DELETED
        return None
