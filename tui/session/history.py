"""Moves along a timeline's history: stepping, running to an event, going to a time, back, undo.

History is append-only (see :mod:`tui.session.timeline`): going back moves
the cursor and keeps the moves ahead of it, and going forward re-takes them
first. A hand pick behind the end of the history that is not the recorded
move forks (``main~1``) rather than rewrite it. Undo returns to where the
last move started, on whichever timeline that was.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence

from tui.clock import hhmm
from tui.session.core import hhmm_ss
from tui.session.forks import ForkMoves
from tui.session.longmove import Target
from tui.sim.kinds import Kind

#: Event kinds that end a "step to next event".
NOTABLE_KINDS = frozenset(
    {
        Kind.MILESTONE,
        Kind.VIOLATION,
        Kind.HEALTH,
        Kind.OPERATOR_ACTION,
        Kind.OPERATOR_REPAIRED,
        Kind.PLAN_APPLIED,
        Kind.CLEANUP_DELETED,
        Kind.DNS_PUBLISHED,
        Kind.ENACTOR_STOPPED,
        Kind.PLANNER_STOPPED,
    }
)


class HistoryMoves(ForkMoves):
    """Steps, runs to the next event or milestone, go to a time, step back and undo."""

    async def _step(self, index: int | None) -> None:
        tl = self.timeline
        choices = tl.sim.choices()
        if not choices:
            self.status = "end of the window"
            return
        if index is not None and not 0 <= index < len(choices):
            self.status = f"no choice {index + 1}: only {len(choices)} can move"
            return
        forked = await self._fork_if_different(index)
        tl = self.timeline
        was_behind = tl.behind
        # A step taken by a key is a place a person may step back to: keep it (a snapshot is ~0.3 ms and
        # stays valid for good, since history is append-only), so ⌫ is a restore with nothing replayed.
        tl.checkpoints.setdefault(tl.sim.steps, tl.sim.snapshot())
        chosen = await tl.step(index)
        self.status = forked or f"step {tl.sim.steps}: {chosen.component} {chosen.action}"
        if was_behind and not tl.behind and self.config.untimed:
            broken = ", ".join(sorted(tl.sim.world.violations)) or "no invariant"
            self.status = f"end of counterexample: {broken} broken at step {tl.sim.steps}"

    async def _fork_if_different(self, index: int | None) -> str:
        """Before a hand pick behind the end of the history: fork if it is not the recorded move.

        The recorded history stays as it was; the different move goes to a
        new fork named after its parent (``main~1``), which becomes current.
        Returns the status that says so ("" when the move is the recorded one).
        """
        tl = self.timeline
        recorded = tl.recorded_next()
        if recorded is None or index is None or index == recorded.index:
            return ""
        chosen = tl.sim.choices()[index]
        name = self._auto_name(tl.name)
        await self._fork(name, ())
        return (
            f"{tl.name} has {recorded.component} moving at step {tl.sim.steps + 1}: your move"
            f" ({chosen.component}) starts fork {name}; {tl.name} keeps its moves"
        )

    def _auto_name(self, parent: str) -> str:
        """``main~1``, ``main~2``...: the first free number after the parent's own name (rename it with the tree).

        A fork of ``main~1`` is ``main~2``, not ``main~1~1``: names stay short
        however often one goes back and moves differently, and the fork tree
        shows who came from whom.
        """
        stem = re.sub(r"~\d+$", "", parent)
        n = 1
        while f"{stem}~{n}" in self.timelines:
            n += 1
        return f"{stem}~{n}"

    async def _run_until(self, kinds: frozenset[str], what: str) -> None:
        """Run by policy to the next step that emits one of ``kinds`` (a long move)."""
        tl = self.timeline
        if tl.sim.done:
            self.status = f"no {what} before the end of the window"
            return
        recorded = tl.picks[tl.sim.steps :]  # the history ahead is re-taken first
        outcome = await self._long_move(tl, f"running to the {what}", Target(moves=recorded, kinds=kinds, beyond=True))
        await self._continue_from(tl, outcome)
        steps = tl.sim.steps
        if outcome.reason == "cancelled":
            self.status = f"stopped at step {steps}"
        elif outcome.reason == "target":
            self.status = f"{what} {self._reached(kinds)}at step {steps} ({hhmm_ss(tl.sim.now)})"
        else:
            self.status = f"no {what} before the end of the window"

    def _reached(self, kinds: frozenset[str]) -> str:
        """What the last step emitted of ``kinds``, by name (``dns.endpoint_empty ``), or nothing.

        "milestone at step 8433" leaves the reader to guess which one; the
        milestone's own id is what the docs, the compare view and AWS's
        summary use.
        """
        events = self.timeline.events
        last = events[-1].step if events else None
        names: list[str] = []
        for event in reversed(events):
            if event.step != last:
                break
            if event.kind in kinds:
                names.append(str(event.data.get("id") or event.kind))
        return "".join(f"{name} " for name in reversed(names)) if names and kinds == {"milestone"} else ""

    async def _previous_milestone(self) -> None:
        tl = self.timeline
        steps = [e.step for e in tl.events if e.kind == Kind.MILESTONE and e.step < tl.sim.steps]
        target = steps[-1] if steps else 0
        await self._go_back(target)
        self.status = f"back to step {target}" + ("" if steps else " (no earlier milestone)")

    async def _go_to(self, time: float) -> None:
        """Stand just before ``time``: within the history by its recorded moves, past it by the policy."""
        tl = self.timeline
        label = f"going {'back ' if time < tl.sim.now else ''}to {hhmm(time)}"
        inside = bisect_left([p.time for p in tl.picks], time)
        if inside < len(tl.picks):
            await self._seek(tl, inside, label)
            self._recording.seek(tl.sim.steps)
            self.status = f"{'stopped at' if self._stop_asked else 'at'} step {tl.sim.steps}"
            return
        await self._seek(tl, len(tl.picks), label)
        if self._stop_asked:
            # Stopped while re-taking the history: the policy must not go on, neither from where that
            # stopped (behind the history, it would take moves other than the recorded ones) nor from its end.
            self._recording.seek(tl.sim.steps)
            self.status = f"stopped at step {tl.sim.steps}"
            return
        outcome = await self._long_move(tl, label, Target(until=time))
        await self._continue_from(tl, outcome)
        self._recording.seek(tl.sim.steps)
        stopped = outcome.reason == "cancelled"
        self.status = f"{'stopped at' if stopped else 'at'} step {tl.sim.steps}"

    async def _go_back(self, steps: int) -> None:
        """Move the cursor back to ``steps``: the moves after it stay recorded, ahead of it."""
        tl = self.timeline
        await self._seek(tl, steps, f"going back to step {steps}")
        self._recording.seek(tl.sim.steps)

    async def _step_back(self) -> None:
        tl = self.timeline
        if tl.sim.steps == 0:
            self.status = "at the first step: nothing before it"
            return
        await self._go_back(tl.sim.steps - 1)
        self.status = f"back one move to step {tl.sim.steps}; the move stays recorded (n re-takes it)"

    async def _undo(self) -> None:
        """Return to where the last move started; a fork it made stays in the tree."""
        here = self._position()
        while self._positions and self._positions[-1] == here:
            self._positions.pop()
        if not self._positions:
            self.status = "nothing to undo"
            return
        name, step = self._positions.pop()
        tl = self.timelines[name]
        if tl is not self.current:
            self.current = tl
            self._recording.switch(name)
        await self._seek(tl, step, f"undoing: back to {name} step {step}")
        self._recording.seek(tl.sim.steps)
        self.status = f"undone: {name} at step {tl.sim.steps}"

    async def _take(self, indices: Sequence[int]) -> None:
        """Take recorded moves in order; stop at one that is not on offer (a different one forks)."""
        forked = ""
        for n, index in enumerate(indices):
            choices = self.timeline.sim.choices()
            if not 0 <= index < len(choices):
                self.status = f"move {n + 1} of {len(indices)} (choice {index + 1}) is not on offer"
                return
            forked = await self._fork_if_different(index) or forked
            await self.timeline.step(index)
        self.status = forked or f"step {self.timeline.sim.steps}"
