"""Long moves at headless speed, in a worker thread, from a snapshot.

Going to a time, jumping to a milestone or an event, replaying a fork's or a
recording's moves: anything longer than a step runs here, as a plain
``trio.run`` in a worker thread that restores the timeline's snapshot,
drives the steps (the baton passes from component to component: one task
switch per step) and returns what happened: the moves, the events, the
checkpoints taken on the way, and a snapshot of where it stopped. The
session then continues its live simulation from that snapshot. The UI's
thread never runs a step of a long move, so it keeps drawing and reading
keys, and the move goes as fast as ``outage-tui run``.

A move can be cancelled from any thread (:meth:`Progress.cancel`); it stops
at its next step, and what it did so far is kept: every prefix of a run is
a run.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any, Protocol

import trio

from tui.record.picks import Pick
from tui.scenario import Scenario
from tui.sim.simulation import Simulation, Snapshot
from tui.sim.trace import Event

#: How often a long move reports where it is (wall seconds): often enough for a progress bar, rarely
#: enough that redrawing the screen never competes with the move for the interpreter.
PROGRESS_EVERY_S = 0.25


class Opener(Protocol):
    """Opens a run (fresh, or from a snapshot): ``open_simulation`` or the explorer's DNS core."""

    def __call__(
        self,
        scenario: Scenario,
        policy: str = ...,
        seed: int | None = ...,
        *,
        snapshot: Snapshot | None = ...,
        events: list[Event] | None = ...,
    ) -> AbstractAsyncContextManager[Simulation]: ...


@dataclass
class Progress:
    """Where a running move is; written by the worker, read by anyone (plain attribute reads)."""

    steps: int = 0
    now: float = 0.0
    cancelled: bool = False
    started: float = field(default_factory=time.monotonic)

    def cancel(self) -> None:
        self.cancelled = True


@dataclass(frozen=True)
class Target:
    """Where a long move stops; whichever comes first.

    ``moves``: re-take these picks by index (exact for the same scenario);
    ``follow``: re-take these picks while each still names a move on offer
    (a fork with changed overrides); otherwise the policy picks until
    ``until`` (virtual seconds, exclusive), a step that emits an event of one
    of ``kinds``, or the end of the window. With ``beyond``, the policy goes
    on once ``moves`` are re-taken (a timeline's recorded moves, then new
    ones); a step of ``kinds`` stops the move either way.
    """

    moves: Sequence[Pick] | None = None
    follow: Sequence[Pick] | None = None
    until: float | None = None
    kinds: frozenset[str] = frozenset()
    beyond: bool = False


@dataclass
class Outcome:
    """What a long move did: its moves, events, checkpoints, and where it stopped."""

    picks: list[Pick]
    events: list[Event]
    checkpoints: dict[int, Snapshot]
    final: Snapshot
    reason: str  # "target", "end", "cancelled" or "diverged"
    start: Snapshot | None = None  # where it started (None: a fresh run)


@dataclass(frozen=True)
class Move:
    """A long move to run: from ``snapshot`` (or a fresh run), towards ``target``."""

    scenario: Scenario
    policy: str
    seed: int | None
    snapshot: Snapshot | None
    target: Target
    checkpoint_every: int
    opener: Opener


def run(move: Move, progress: Progress, report: Callable[[], None] | None = None) -> Outcome:
    """Run ``move`` with plain ``trio.run`` (call it from a worker thread); ``report`` is called ~10 times a second."""
    return trio.run(_run, move, progress, report)


async def _run(move: Move, progress: Progress, report: Callable[[], None] | None) -> Outcome:
    async with move.opener(move.scenario, move.policy, move.seed, snapshot=move.snapshot) as sim:
        outcome = await drive(sim, move.target, move.checkpoint_every, progress, report)
    outcome.start = move.snapshot
    return outcome


async def drive(
    sim: Simulation,
    target: Target,
    checkpoint_every: int,
    progress: Progress,
    report: Callable[[], None] | None = None,
) -> Outcome:
    """Step ``sim`` towards ``target``; checkpoint every ``checkpoint_every`` steps on the way."""
    walk = _Walk(sim, target, checkpoint_every, progress, report)
    await sim.controller.drive(walk.next_index)
    progress.steps, progress.now = len(walk.picks), sim.now
    return Outcome(walk.picks, sim.events[walk.first_event :], walk.checkpoints, sim.snapshot(), walk.reason)


class _Walk:
    """The driver of a long move: called between steps, it says which choice to take next (None: stop)."""

    def __init__(
        self,
        sim: Simulation,
        target: Target,
        checkpoint_every: int,
        progress: Progress,
        report: Callable[[], None] | None,
    ) -> None:
        self.sim = sim
        self.target = target
        self.checkpoint_every = checkpoint_every
        self.progress = progress
        self.report = report
        self.source = target.moves if target.moves is not None else target.follow
        self.position = 0
        self.picks: list[Pick] = []
        self.checkpoints: dict[int, Snapshot] = {}
        self.reason = "target"
        self.first_event = len(sim.events)
        self._mark = self.first_event
        self._taken: tuple[int, bool] | None = None
        self._recorded: Pick | None = None  # the recorded pick the latest step re-took, if any
        self._next_report = time.monotonic() + PROGRESS_EVERY_S

    def _after_step(self) -> bool:
        """Book-keeping for the step just taken; True if it reached the target."""
        assert self._taken is not None
        index, by_policy = self._taken
        self._taken = None
        sim = self.sim
        if self._recorded is not None:
            self.picks.append(self._recorded)
            self._recorded = None
        else:
            gate, now = self._last()
            self.picks.append(Pick(index, gate.component, gate.action.words(), now, by_policy))
        steps = sim.steps
        if self.checkpoint_every and steps % self.checkpoint_every == 0:
            self.checkpoints[steps] = sim.snapshot()
        progress = self.progress
        progress.steps, progress.now = len(self.picks), sim.now
        if self.report is not None and time.monotonic() >= self._next_report:
            self._next_report = time.monotonic() + PROGRESS_EVERY_S
            self.report()
        kinds = self.target.kinds
        if not kinds:
            return False
        events = sim.events
        hit = any(events[i].kind in kinds for i in range(self._mark, len(events)))
        self._mark = len(events)
        return hit

    def _last(self) -> tuple[Any, float]:
        """The gate taken at the latest step and when: what a pick records (no Choice built)."""
        _index, gate, now = self.sim.controller.last_taken()
        return gate, now

    def next_index(self) -> int | None:
        if self._taken is not None and self._after_step():
            return None
        sim = self.sim
        if self.progress.cancelled:
            self.reason = "cancelled"
            return None
        upcoming = sim.controller.next_time()
        if upcoming is None or upcoming > sim.end:  # the run is over
            behind = self.source is not None and self.position < len(self.source)
            self.reason = "diverged" if behind else ("end" if self.source is None else "target")
            return None
        if self.source is not None and self.position >= len(self.source) and self.target.beyond:
            self.source = None  # the recorded moves are re-taken: the policy goes on
        if self.source is not None:
            if self.position >= len(self.source):
                return None
            pick = self.source[self.position]
            if self.target.moves is not None:
                if sim.policy.draws:
                    sim.planned_pick()  # every step draws once, whoever chose it
                found: tuple[int, bool] | None = (pick.index, pick.by_policy)
                self._recorded = pick
            else:
                found = _matching(sim, pick)
            if found is None:
                self.reason = "diverged"
                return None
            self.position += 1
            self._taken = found
            return found[0]
        if self.target.until is not None and upcoming >= self.target.until:
            return None
        index = (sim.planned_pick() or 0) if sim.policy.draws else 0
        self._taken = (index, True)
        return index


def _matching(sim: Simulation, pick: Pick) -> tuple[int, bool] | None:
    """Where ``pick``'s move is on offer now, and whether the policy still made it."""
    found = sim.find(pick.component, pick.action, pick.index, pick.by_policy)
    return None if found is None else (found[0], pick.by_policy and found[1])
