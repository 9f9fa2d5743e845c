"""Reopening a recorded session: every timeline opened live with its recorded moves, paused where it ended.

The recording was replayed headless when it was read (so a bad file fails
before any screen is drawn), and its events and checkpoints come with it:
each timeline's cursor is put in place from the nearest checkpoint, never by
replaying its whole history.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui.session.core import SessionCore
from tui.session.timeline import Timeline

if TYPE_CHECKING:
    from tui.record.replay import SessionReplay
    from tui.session.recording import Reopened



class Reopening(SessionCore):
    """Opening recorded timelines: a whole session at start, or one timeline again (``Restore``)."""

    async def _reopen(self, replay: SessionReplay) -> None:
        """Open every recorded timeline with its moves and notes; paused where the file left off."""
        from tui.session.recording import reopen, scenarios_of

        timelines, current, speed = reopen(replay, scenarios_of(replay, self.config.scenario))
        for spec in timelines:
            # A counterexample from the explorer is there to be walked through: open it where it
            # starts, its moves ahead of the cursor for ``n``; a recorded run opens where it left off.
            end = len(spec.picks) if spec.cursor is None else spec.cursor
            await self._recorded_timeline(spec, spec.forked_at if self.config.untimed else end)
        from tui.record.markers import markers

        self.markers = markers(replay.session)
        self.current = self.timelines[current]
        if speed is not None:
            self.speed = speed
        self.playing = False
        where = "its first step" if self.current.sim.steps == 0 else f"step {self.current.sim.steps}"
        self.status = f"reopened {replay.session.path}: {len(self.timelines)} timeline(s), paused at {where}"

    async def _restore(self, spec: Reopened, upto: int) -> None:
        """Open a recorded timeline (a ``tui.session.recording.Reopened``) with its cursor at step ``upto``."""
        old = self.timelines.get(spec.name)
        tl = await self._recorded_timeline(spec, upto)
        self.current = tl
        if old is not None and old is not tl:
            self._close(old)
        self.status = f"timeline {spec.name} at step {tl.sim.steps}"

    async def _recorded_timeline(self, spec: Reopened, cursor: int) -> Timeline:
        """A timeline whose history is ``spec``'s recorded moves, its cursor at step ``cursor``.

        The recording was replayed headless when it was read, so its events
        and checkpoints (one every few hundred moves and one at its end) are
        at hand: the cursor is put in place from the nearest checkpoint,
        never by replaying the whole history.
        """
        tl = await self._open(spec.name, spec.scenario, spec.parent, spec.overrides)
        if spec.picks:
            tl.picks = list(spec.picks)
            tl.behind_events = list(spec.events)
            for step, snap in spec.checkpoints.items():
                tl.checkpoints.setdefault(step, snap)
            await self._seek(tl, cursor, f"opening {spec.name}")
        tl.forked_at, tl.replayed = spec.forked_at, spec.held
        tl.notes = list(spec.notes)
        return tl
