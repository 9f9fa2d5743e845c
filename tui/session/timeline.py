"""One timeline (the main run or a fork): a Simulation plus what the UI needs of it.

A timeline records each step as a :class:`~tui.record.picks.Pick`: which index was taken, what
it named, and whether the policy or a person chose it. Replaying picks, not
bare indices, is what makes forks with changed overrides exact: a policy
pick is looked for where the policy would make it.

**History is append-only.** ``picks`` is every move the timeline has made;
the live simulation stands at a *cursor* (``sim.steps``) somewhere in it.
Going back moves the cursor; going forward again re-takes the recorded moves
(hand picks included) before the policy picks anything new. Only a step at
the end of the history adds to it; a different move at the cursor is the
session's business (it forks), never this timeline's.

It also keeps **checkpoints**: a snapshot of its run every
``checkpoint_every`` steps (and at step 0). Going back, forking and
reopening restore the nearest one at or before the step they need and replay
only the rest, so their cost no longer grows with how far into the incident
the timeline is. Snapshots are immutable, so forks share their parent's.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field

from tui.record.picks import Pick
from tui.scenario import Scenario
from tui.session.lanes import LaneIndex
from tui.sim.controller import Choice
from tui.sim.simulation import Simulation, Snapshot
from tui.sim.trace import Event

#: Steps between two checkpoints. Chosen by ``benchmarks/snapshot_bench.py``: going back replays at
#: most this many steps (a few milliseconds), and a full run's checkpoints stay a few MiB.
CHECKPOINT_EVERY = 1000


@dataclass(frozen=True)
class Note:
    """A speaker note: ``text`` at ``step`` (virtual ``time``) of one timeline."""

    step: int
    time: float
    text: str


@dataclass
class Timeline:
    """A named, running simulation and its history; owned by a Session."""

    name: str
    scenario: Scenario
    sim: Simulation
    parent: str | None = None
    forked_at: int = 0
    extra_overrides: tuple[str, ...] = ()
    picks: list[Pick] = field(default_factory=list)
    replayed: int = 0
    notes: list[Note] = field(default_factory=list)
    #: Hears every move taken by :meth:`step` (not replays): how a recording follows the timeline.
    on_pick: Callable[[Pick], None] | None = None
    #: Hears every recorded move :meth:`step` takes again behind the history's end: the cursor moved, and no
    #: move was added (a recording writes where the cursor stands before its next line, not once a move).
    on_retake: Callable[[], None] | None = None
    #: Snapshots by step, every ``checkpoint_every`` steps and at step 0.
    checkpoints: dict[int, Snapshot] = field(default_factory=dict)
    checkpoint_every: int = CHECKPOINT_EVERY
    #: Where the run started and its lanes' first states (a timeline opened from a snapshot gets its parent's).
    start: float = -1.0
    initial_health: dict[str, str] = field(default_factory=dict)
    lanes: LaneIndex | None = None  # set in __post_init__ when not given
    #: The whole history's events while the cursor is behind its end (None: they are ``sim.events``).
    behind_events: list[Event] | None = None

    def __post_init__(self) -> None:
        if self.sim.steps == 0:
            self.start = self.sim.now
            self.initial_health = dict(self.sim.world.health)
            self.checkpoints.setdefault(0, self.sim.snapshot())
        lanes = self.lanes if self.lanes is not None else LaneIndex(self.start, self.initial_health)
        self.lanes = lanes
        for event in self.sim.events[lanes.events :]:
            lanes.add(event)
        self.sim.controller.trace.listen(lanes.add)

    @property
    def events(self) -> list[Event]:
        """The events up to the cursor: what the screen shows."""
        return self.sim.events

    @property
    def history_events(self) -> list[Event]:
        """The events of the whole history, up to its last move wherever the cursor is."""
        return self.sim.events if self.behind_events is None else self.behind_events

    @property
    def cursor(self) -> int:
        """How many moves of the history the live simulation has made."""
        return self.sim.steps

    @property
    def behind(self) -> bool:
        """True while recorded moves lie ahead of the cursor."""
        return self.sim.steps < len(self.picks)

    def recorded_next(self) -> Pick | None:
        """The recorded move at the cursor, or None at the end of the history."""
        return self.picks[self.sim.steps] if self.behind else None

    def attach(self, sim: Simulation, lanes: LaneIndex | None = None) -> None:
        """Continue in ``sim`` (restored from a snapshot of this timeline, its events given to it).

        ``lanes`` replaces the lane index (after going back); by default the
        current one is extended with the events it has not seen.
        """
        if lanes is None:
            lanes = self.lanes
        for event in sim.events[lanes.events :]:
            lanes.add(event)
        self.sim = sim
        self.lanes = lanes
        sim.controller.trace.listen(lanes.add)

    def lanes_upto(self, events: int) -> LaneIndex:
        """The lane index as it was after the first ``events`` events (for going back)."""
        return self.lanes.truncated(self.history_events, events, self.start, self.initial_health)

    def checkpoint_at_or_before(self, step: int) -> Snapshot:
        """The latest checkpoint not after ``step`` (step 0's always exists)."""
        steps = sorted(self.checkpoints)
        return self.checkpoints[steps[max(0, bisect_right(steps, step) - 1)]]

    def _checkpoint(self) -> None:
        steps = self.sim.steps
        if self.checkpoint_every and steps % self.checkpoint_every == 0:
            self.checkpoints[steps] = self.sim.snapshot()

    async def step(self, index: int | None = None) -> Choice:
        """Take one step: ``index`` is a hand pick, None lets the policy choose.

        Behind the end of the history the recorded move is re-taken (a hand
        ``index`` must be that move's: the session forks for any other).
        """
        choices = self.sim.choices()
        recorded = self.recorded_next()
        if recorded is not None:
            if index is not None and index != recorded.index:
                raise ValueError(f"step {self.sim.steps} of {self.name} is recorded as choice {recorded.index + 1}")
            chosen = choices[recorded.index]
            await self.sim.step(recorded.index)
            if not self.behind:
                self.behind_events = None  # the cursor is back at the end: the live events are the history's
            if self.on_retake is not None:
                self.on_retake()
            return chosen
        by_policy = index is None
        if index is None:
            index = self.sim.planned_pick()
            assert index is not None
        chosen = choices[index]
        await self.sim.step(index)
        pick = Pick(index, chosen.component, chosen.action, chosen.time, by_policy)
        self.picks.append(pick)
        self._checkpoint()
        if self.on_pick is not None:
            self.on_pick(pick)
        return chosen

    def time_at(self, step: int) -> float:
        """Virtual time once ``step`` moves were made (the start for step 0), as session exports say it."""
        if step <= 0 or not self.picks:
            return self.start
        return self.picks[min(step, len(self.picks)) - 1].time
