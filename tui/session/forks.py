"""Forks and renames: new timelines from the current one, a sweep's runs beside it, and comparing two.

A fork with its parent's scenario starts as an exact copy of it, here and
now; with changed overrides it replays the parent's moves from step 0 for as
long as each is still on offer (a long move), and says where it diverged. A
sweep's run opens under its own seed, which a session file cannot keep, so
it is never recorded. Renaming keeps every reference to the old name in step:
parents, undo positions, seeds and markers.
"""

from __future__ import annotations

import dataclasses
import shlex
from bisect import bisect_right

from tui.clock import hhmm
from tui.errors import BadInput
from tui.scenario import Scenario, load_scenario
from tui.session import commands as cmd
from tui.session.core import hhmm_ss
from tui.session.longmove import Target
from tui.session.talk import TalkMoves
from tui.session.views import (
    Comparison,
    compare,
)
from tui.sim.simulation import Snapshot as SimSnapshot
from tui.sim.simulation import open_simulation


class ForkMoves(TalkMoves):
    """Forking, opening a sweep's run, renaming and comparing timelines."""

    async def _fork(self, name: str | None, overrides: tuple[str, ...]) -> None:
        parent = self.timeline
        if name is None or not name.strip():
            self._forks_made += 1
            name = f"fork-{self._forks_made}"
            while name in self.timelines:
                self._forks_made += 1
                name = f"fork-{self._forks_made}"
        name = name.strip()
        if name in self.timelines:
            self.status = f"a fork named {name} exists"
            return
        scenario = parent.scenario
        extra = tuple(parent.extra_overrides) + tuple(overrides)
        at = parent.sim.steps
        stopped = False
        if not overrides:
            # Same scenario: the fork starts as an exact copy of its parent, here and now.
            tl = await self._open(
                name, scenario, parent.name, extra, parent.sim.snapshot(), list(parent.events), like=parent
            )
            tl.replayed = at
        else:
            try:
                scenario = load_scenario(parent.scenario.source, [*self.config.scenario.overrides, *extra])
            except BadInput as err:
                self.status = f"fork refused: {err}"
                return
            # Changed values apply from the start: replay the parent's moves while they still exist.
            seed = self.run_seeds.get(parent.name)
            start = None if seed is None else await self._seeded_start(scenario, seed)
            tl = await self._open(name, scenario, parent.name, extra, start, None if start is None else [])
            outcome = await self._long_move(
                tl, f"forking {name}: replaying {at} steps", Target(follow=parent.picks[:at]), tl.checkpoints[0]
            )
            await self._continue(tl, tl.checkpoints[0], outcome)
            tl.replayed = len(outcome.picks)
            stopped = outcome.reason == "cancelled"
        tl.forked_at = at
        if parent.name in self.run_seeds:
            self.run_seeds[name] = self.run_seeds[parent.name]
        self.current = tl
        self._recording.fork(tl)
        sets = f" with {' '.join(overrides)}" if overrides else ""
        self._mark("fork", f"fork {name} from {parent.name} at step {at}{sets}")
        held = "" if tl.replayed == at else f"; the change diverges at step {tl.replayed}"
        if stopped:
            held = f"; its replay was stopped at step {tl.replayed}"
        self.status = f"forked {name} from {parent.name} at step {at}{held}"

    async def _seeded_start(self, scenario: Scenario, seed: int) -> SimSnapshot:
        """Step 0 of ``scenario`` under ``seed``: a timeline opened from it keeps that seed in every snapshot."""
        async with open_simulation(scenario, self.config.policy, seed) as sim:
            return sim.snapshot()

    async def _open_run(self, run: cmd.OpenRun) -> None:
        """A sweep's run as a timeline of its own under the current one (see :class:`cmd.OpenRun`).

        A session file keeps one scenario and seed for every timeline, so a
        run's timeline is never recorded: opening one while recording, or
        recording while one is open, is refused with the command that
        replays the run alone.
        """
        alone = shlex.join(
            ["outage-tui", "replay", run.scenario, "--policy", run.policy, "--seed", str(run.seed)]
            + [w for o in run.overrides for w in ("--set", o)]
        )
        if run.name in self.timelines:
            self.current = self.timelines[run.name]
            self.status = f"switched to {run.name}, opened before"
            return
        if self.config.untimed or run.policy != self.config.policy:
            self.status = f"{run.name} is a {run.policy} run, this session plays {self.config.policy}: {alone}"
            return
        if self.recorder is not None:
            self.status = f"not opened while recording (a session file keeps one seed): {alone}"
            return
        try:
            scenario = load_scenario(run.scenario, list(run.overrides))
        except BadInput as err:
            self.status = f"{run.name} refused: {err}"
            return
        parent = self.timeline
        tl = await self._open(
            run.name, scenario, parent.name, run.overrides, await self._seeded_start(scenario, run.seed), []
        )
        self.run_seeds[run.name] = run.seed
        outcome = await self._long_move(
            tl, f"opening {run.name}: seed {run.seed} to {hhmm(parent.sim.now)}", Target(until=parent.sim.now)
        )
        assert outcome.start is not None
        await self._continue(tl, outcome.start, outcome)
        tl.forked_at = tl.replayed = 0
        self.current = tl
        stopped = " (stopped there)" if outcome.reason == "cancelled" else ""
        self.status = f"opened {run.name} (seed {run.seed}) beside {parent.name}, at step {tl.sim.steps}{stopped}"

    def _rename(self, name: str, to: str) -> None:
        to = to.strip()
        if name not in self.timelines:
            self.status = f"no fork named {name}"
            return
        if not to or to in self.timelines or any(c.isspace() for c in to):
            self.status = f"cannot rename {name} to {to!r}: " + ("taken" if to in self.timelines else "need one word")
            return
        self.timelines = {(to if k == name else k): v for k, v in self.timelines.items()}
        self.timelines[to].name = to
        for tl in self.timelines.values():
            if tl.parent == name:
                tl.parent = to
        self._positions = [(to if n == name else n, s) for n, s in self._positions]
        self.run_seeds = {(to if k == name else k): v for k, v in self.run_seeds.items()}
        self.markers = [dataclasses.replace(m, timeline=to) if m.timeline == name else m for m in self.markers]
        self._recording.rename(name, to)
        self.status = f"renamed {name} to {to}"

    async def _compare(self, left: str, right: str) -> Comparison:
        """Both forks at the same virtual time: the other one's cursor moves to the current one's time."""
        here, other = self.timelines[left], self.timelines[right]
        if other is here:
            return compare(here, other)
        if here is not self.current:
            here, other = other, here
        when = here.sim.now
        upto = bisect_right([p.time for p in other.picks], when)
        before = other.sim.steps
        await self._seek(other, upto, f"putting {other.name} at {hhmm_ss(when)}")
        if other.sim.steps != before:
            self._recording.cursor_of(other)  # the file reopens with both where the comparison left them
        result = compare(self.timelines[left], self.timelines[right])
        if other.sim.now < when and upto == len(other.picks) and not other.sim.done:
            said = f"{other.name} has not reached {hhmm_ss(when)}: shown where it stops, {hhmm_ss(other.sim.now)}"
            return dataclasses.replace(result, when=said)
        # Nothing happens on ``other`` between its last move and ``when``: that is its state at ``when``.
        side = "left" if other.name == left else "right"
        at = dataclasses.replace(getattr(result, side), now=when)
        return dataclasses.replace(result, when=f"both at {hhmm_ss(when)}", **{side: at})
