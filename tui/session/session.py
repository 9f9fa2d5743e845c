"""A session: timelines (the main run and its forks) driven by commands, inside one Trio nursery.

The session is the only owner of its simulations. A front end sends
:mod:`tui.session.commands` through :meth:`Session.send` (a synchronous call,
safe from the host loop of a Trio guest run) and receives frozen views
through the ``publish`` callback it passed in. Nothing here knows about
Textual.

Playback is paced against absolute wall-clock deadlines from Trio's clock
(see :mod:`tui.session.pacing`), so a slow frame never shifts the ones after
it; the simulation itself advances by the same steps it would take headless.

Every move longer than a step (go to, milestone and event jumps, going back,
forks, reopening) is a *long move* (:mod:`tui.session.longmove`): it runs at
headless speed in a worker thread from a snapshot of the timeline, while
this task keeps publishing progress and reading commands. A pause stops the
move where it is; every other command waits for the move to end and then
runs in the order sent (the app drops movement keys pressed meanwhile, with
a notice, so nothing typed turns into a surprise move). Going back restores
the timeline's nearest checkpoint and replays the rest.

The session's jobs are split by layer: its state and the hosting of its
simulations (:mod:`tui.session.core`), markers and slides
(:mod:`tui.session.talk`), forks and renames (:mod:`tui.session.forks`),
history moves (:mod:`tui.session.history`), reopening a recording
(:mod:`tui.session.reopen`) and what goes to a recording
(:mod:`tui.session.recorder`). This module runs the command loop and the
play loop, and publishes views.
"""

from __future__ import annotations

import time
from typing import Any

import trio

from tui.clock import hhmm
from tui.session import commands as cmd
from tui.session.core import SessionConfig
from tui.session.history import NOTABLE_KINDS, HistoryMoves
from tui.session.reopen import Reopening
from tui.session.views import (
    Comparison,
    ForkInfo,
    Snapshot,
    choice_views,
    compare,
    dns_view,
    milestones,
)
from tui.sim.kinds import Kind

__all__ = ["NOTABLE_KINDS", "Session", "SessionConfig"]

#: Commands that move a timeline's cursor or change the current one: undo goes back to before them.
MOVES = (
    cmd.Step,
    cmd.StepToEvent,
    cmd.JumpMilestone,
    cmd.GoTo,
    cmd.Fork,
    cmd.OpenRun,
    cmd.Switch,
    cmd.Take,
    cmd.Restore,
    cmd.StepBack,
    cmd.GoToMarker,
)
#: How far behind its deadlines playback may fall before it stops trying to catch up.
MAX_LAG = 0.25


class Session(HistoryMoves, Reopening):
    """The main timeline and its forks; one is current and only it moves."""

    async def run(self) -> None:
        """Open the main timeline and serve commands until cancelled."""
        async with trio.open_nursery() as nursery:
            self._nursery = nursery
            if self.config.reopen is not None:
                await self._reopen(self.config.reopen)
            else:
                self.current = await self._open("main", self.config.scenario)
            if self.config.record is not None:
                reopened = self.status
                self._recording.start(self.config.record)
                self.status = f"{reopened} · {self.status}" if reopened else self.status
            self.started.set()
            self._next_at = trio.current_time()
            while True:
                if self._deferred:  # sent while opening (a long move): handled first, in order
                    await self._run_deferred()
                elif self._moving():
                    await self._play_once()
                else:
                    self._recording.cursor()  # idle: a playback through recorded moves may have stopped
                    self.publish(force=True)
                    await self._handle(await self._inbox.get())

    def _moving(self) -> bool:
        tl = self.timeline
        if not self.playing or tl.sim.done:
            return False
        return not self._waiting_for_pick()

    def _waiting_for_pick(self) -> bool:
        """A manual run waits for a person, except where its recorded moves lie ahead: those play."""
        tl = self.timeline
        return tl.sim.policy.name == "manual" and not tl.behind and len(tl.sim.choices()) > 1

    async def _play_once(self) -> None:
        now = trio.current_time()
        if now < self._next_at:
            self.publish()
            numbered = None
            # Only the wait ends when the frame is due: a command read in it runs to its end outside the
            # deadline, or a long move would be cut off there, and a step after it moved but before the
            # history and the recording had it.
            with trio.move_on_at(self._next_at):
                numbered = await self._inbox.get()
            if numbered is not None:
                await self._handle(numbered)
            return
        try:
            await self._handle(self._inbox.get_nowait())
            return
        except trio.WouldBlock:
            pass
        tl = self.timeline
        before, at = len(tl.events), tl.sim.now
        await tl.step()
        cost = self.config.pacer.cost(tl.sim.now - at, tl.events[before:], self.speed)
        self._next_at = max(self._next_at, now - MAX_LAG) + cost
        self._recent.append((now, tl.sim.now))
        while self._recent and now - self._recent[0][0] > 2.0:
            self._recent.popleft()
        self._changed()
        if tl.sim.done:
            self.playing = False
            self.status = "end of the window"
        self.publish()

    async def _handle(self, numbered: tuple[int, cmd.Command]) -> None:
        self._handling, command = numbered
        self._stop_asked = False  # a pause stops the command it arrived during, not the ones after it
        self._recording.cursor()  # the file places the cursor before anything the command writes
        before = self._position()
        await self._dispatch(command)
        if isinstance(command, MOVES) and self.current is not None and self._position() != before:
            self._remember(before)
        if isinstance(command, cmd.Sync):
            return
        self._changed()
        if self._deferred:
            await self._run_deferred()

    async def _dispatch(self, command: cmd.Command) -> None:
        match command:
            case cmd.Play():
                self._set_playing(True)
            case cmd.Pause():
                self._set_playing(False)
            case cmd.TogglePlay():
                self._set_playing(not self.playing)
            case cmd.Step(index):
                self._set_playing(False)
                await self._step(index)
            case cmd.StepToEvent():
                self._set_playing(False)
                await self._run_until(NOTABLE_KINDS, "next event")
            case cmd.JumpMilestone(direction):
                self._set_playing(False)
                if direction >= 0:
                    await self._run_until(frozenset({Kind.MILESTONE}), "milestone")
                else:
                    await self._previous_milestone()
                self._milestone_marker()
            case cmd.GoTo(time):
                self._set_playing(False)
                await self._go_to(time)
            case cmd.SetSpeed(speed):
                self.speed = max(0.01, speed)
                self._next_at = trio.current_time()
                self._recording.speed(self.speed)
            case cmd.Fork(name, overrides):
                self._set_playing(False)
                await self._fork(name, overrides)
            case cmd.OpenRun():
                self._set_playing(False)
                await self._open_run(command)
            case cmd.Switch(name):
                self._set_playing(False)
                if name in self.timelines:
                    if self.current is not self.timelines[name]:
                        self.current = self.timelines[name]
                        self._recording.switch(name)
                        self._mark("switch", f"switch to {name}")
                    self.status = f"switched to {name}"
                else:
                    self.status = f"no fork named {name}"
            case cmd.Compare(left, right):
                if left in self.timelines and right in self.timelines:
                    self._publish_cb(await self._compare(left, right))
                else:
                    self.status = f"cannot compare {left} with {right}"
            case cmd.Restore(spec, upto):
                self._set_playing(False)
                await self._restore(spec, upto)
            case cmd.Take(indices):
                self._set_playing(False)
                await self._take(indices)
            case cmd.Note(text):
                self._note(text)
            case cmd.Record(path):
                if path is None:
                    self._recording.stop()
                else:
                    self._recording.start(path)
            case cmd.StepBack():
                self._set_playing(False)
                await self._step_back()
            case cmd.Undo():
                self._set_playing(False)
                await self._undo()
            case cmd.Rename(name, to):
                self._rename(name, to)
            case cmd.SetView(view):
                if view != self.view:
                    self.view = view
                    self._recording.view(view)
            case cmd.Slide(title):
                self._slide(title)
            case cmd.GoToMarker(number):
                self._set_playing(False)
                await self._go_to_marker(number)
            case cmd.Sync(callback):
                self.publish(force=True)
                callback()

    def _set_playing(self, playing: bool) -> None:
        if playing and self.timeline.sim.done:
            self.status = "end of the window"
            playing = False
        if playing and not self.playing:
            self._remember(self._position())  # undo after playing comes back here
        if playing != self.playing:
            self.playing = playing
            self._recent.clear()
            self._next_at = trio.current_time()
            self.status = "playing" if playing else "paused"
            self._recording.playing(playing)

    def publish(self, force: bool = False) -> None:
        """Post a snapshot: at most one per frame while playing, always when forced."""
        self._recording.check()  # a write that failed on the recorder's thread stops it and shows in this frame
        if self.current is None:
            return  # still opening the first timeline (reopening a recording): nothing to show yet
        now = trio.current_time()
        if not force and now - self._last_frame < self.config.frame_interval:
            return
        self._last_frame = now
        self._publish_cb(self.snapshot())

    def snapshot(self) -> Snapshot:
        tl = self.timeline
        sim = tl.sim
        views, pick = choice_views(tl)
        return Snapshot(
            scenario_id=tl.scenario.id,
            world=self.config.world,
            moves=tuple(p.index for p in tl.picks[: sim.steps]),
            scenario=tl.scenario,
            title=str(tl.scenario.get("scenario.title")),
            fork=tl.name,
            policy=sim.policy.name,
            step=sim.steps,
            now=sim.now,
            start=tl.scenario.time("scenario.start"),
            end=sim.end,
            done=sim.done,
            playing=self.playing and not sim.done,
            waiting_for_pick=self._waiting_for_pick() and not sim.done,
            speed=self.speed,
            compression=self.config.pacer.compression(self.speed),
            live_compression=self._live_compression(),
            choices=views,
            policy_pick=pick,
            dns=dns_view(tl, hosted=self.config.untimed),
            milestones=milestones(tl),
            violations=tuple(sorted(sim.world.violations)),
            forks=self.forks(),
            events=tl.events,
            event_count=len(tl.events),
            lanes=tl.lanes,
            status=self.status,
            generation=self._generation,
            notes=tuple(n for n in tl.notes if n.step <= sim.steps),  # those ahead of the cursor come later
            recording=None if self.recorder is None else self.recorder.path,
            markers=tuple(self.markers),
            marker=self.marker,
            marker_visits=self._marker_visits,
            history=len(tl.picks),
            **self._busy_view(),
        )

    def _busy_view(self) -> dict[str, Any]:
        busy = self._busy
        if busy is None:
            return {}
        progress = busy.progress
        fraction = busy.fraction(progress)
        elapsed = time.monotonic() - progress.started
        eta = elapsed * (1 - fraction) / fraction if fraction and fraction > 0.02 and elapsed > 0.2 else None
        label = f"{busy.label} · {hhmm(progress.now)} reached" if progress.steps else busy.label
        return {"busy": label, "progress": fraction, "eta_s": eta}

    def _live_compression(self) -> float | None:
        """Virtual seconds per wall second over the last two seconds of play (None unless playing)."""
        if not self.playing or len(self._recent) < 2:
            return None
        (w0, v0), (w1, v1) = self._recent[0], self._recent[-1]
        return (v1 - v0) / (w1 - w0) if w1 - w0 >= 0.5 else None

    def forks(self) -> tuple[ForkInfo, ...]:
        return tuple(
            ForkInfo(
                name=t.name,
                parent=t.parent,
                forked_at=t.forked_at,
                overrides=t.extra_overrides,
                step=t.sim.steps,
                now=t.sim.now,
                current=t is self.current,
                seed=self.run_seeds.get(t.name),
            )
            for t in self.timelines.values()
        )

    def comparison(self, left: str, right: str) -> Comparison:
        return compare(self.timelines[left], self.timelines[right])
