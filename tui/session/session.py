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
"""

from __future__ import annotations

import dataclasses
import math
import shlex
import time
from bisect import bisect_left, bisect_right
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import trio

from tui.clock import from_sim, hhmm
from tui.errors import BadInput
from tui.record.format import World
from tui.record.markers import Marker, View
from tui.record.picks import Pick
from tui.scenario import Scenario, load_scenario
from tui.session import commands as cmd
from tui.session import longmove
from tui.session.inbox import Inbox
from tui.session.longmove import Outcome, Target
from tui.session.pacing import Pacer
from tui.session.recorder import SessionRecorder
from tui.session.timeline import Note, Timeline
from tui.session.views import (
    Comparison,
    ForkInfo,
    Snapshot,
    choice_views,
    compare,
    dns_view,
    milestones,
)
from tui.sim.simulation import Simulation, open_simulation
from tui.sim.simulation import Snapshot as SimSnapshot

#: Event kinds that end a "step to next event".
NOTABLE_KINDS = frozenset(
    {
        "milestone",
        "violation",
        "health",
        "operator.action",
        "operator.repaired",
        "plan.applied",
        "cleanup.deleted",
        "dns.published",
        "enactor.stopped",
        "planner.stopped",
    }
)
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


@dataclass
class Busy:
    """A long move under way: what it is, where it is, and how to tell how far it has got."""

    label: str
    progress: longmove.Progress
    fraction: Callable[[longmove.Progress], float | None]


@dataclass(frozen=True)
class SessionConfig:
    """How a session starts: the scenario, the policy, and how it is shown."""

    scenario: Scenario
    policy: str = "canonical"
    seed: int | None = None
    speed: float = 1.0
    paused: bool = False
    pacer: Pacer = field(default_factory=Pacer)
    frame_interval: float = 1 / 30
    #: Write the session to this file from the start (``replay --record``).
    record: str | None = None
    #: Where a file-based scenario lives, for the session file's header (None for a built-in).
    scenario_path: str | None = None
    #: A recorded session (``tui.record.SessionReplay``, replayed headless) to reopen, paused at its end.
    reopen: Any = None
    #: The world the timelines run in, as a session file's header names it.
    world: World = World.FULL
    #: Opens each timeline's simulation (``tui.record.replay.Opener``); None is the full world's ``open_simulation``.
    opener: Any = None

    @property
    def untimed(self) -> bool:
        """The explorer's DNS core: its recorded moves are stepped through one by one from the first."""
        return self.world == World.DNS_CORE


class Session:
    """The main timeline and its forks; one is current and only it moves."""

    def __init__(self, config: SessionConfig, publish: Callable[[Any], None] | None = None) -> None:
        self.config = config
        self._publish_cb = publish or (lambda _view: None)
        self._inbox: Inbox[tuple[int, cmd.Command]] = Inbox()
        self.timelines: dict[str, Timeline] = {}
        self.current: Timeline | None = None
        self.playing = not config.paused and config.policy != "manual"
        self.speed = config.speed
        self.status = ""
        self._closers: dict[int, trio.Event] = {}
        self._nursery: trio.Nursery | None = None
        self._next_at = 0.0
        self._last_frame = -math.inf
        self._generation = 0
        self._forks_made = 0
        self._recent: deque[tuple[float, float]] = deque()
        self._sent = 0  # commands sent so far; each carries its number
        self._handling = 0  # number of the command being handled
        self._busy: Busy | None = None
        self._deferred: list[tuple[int, cmd.Command]] = []
        self.recorder: Any = None  # a tui.session.recording.Recorder while recording
        #: Where a talk stops, in the order they were made (read from a reopened file, then added live).
        self.markers: list[Marker] = []
        #: The marker last gone to or made (None: none yet), and how many times one was gone to.
        self.marker: int | None = None
        self._marker_visits = 0
        #: What the screen shows of the run, as the front end last said (recorded with each marker).
        self.view = View()
        #: Positions (timeline, step) before each move, for undo; moves never remove history.
        self._positions: list[tuple[str, int]] = []
        #: Timelines opened from a sweep's runs (and their forks), by name: the seed each one runs with.
        self.run_seeds: dict[str, int] = {}
        self.started = trio.Event()
        #: What happens goes to the recording through it (a no-op while not recording).
        self._recording = SessionRecorder(self)

    # -- the host side ------------------------------------------------------------
    def send(self, command: cmd.Command) -> None:
        """Queue a command (synchronous; never blocks nor raises, however many are waiting).

        During a long move a pause stops it at its next step, so the person
        at the keyboard never waits it out.
        """
        self._sent += 1
        self._inbox.put((self._sent, command))

    # -- running ------------------------------------------------------------------
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
            with trio.move_on_at(self._next_at):
                await self._handle(await self._inbox.get())
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

    @property
    def timeline(self) -> Timeline:
        assert self.current is not None, "session not started"
        return self.current

    # -- timelines ----------------------------------------------------------------
    async def _open(
        self,
        name: str,
        scenario: Scenario,
        parent: str | None = None,
        extra: tuple[str, ...] = (),
        snapshot: SimSnapshot | None = None,
        events: list[Any] | None = None,
        like: Timeline | None = None,
    ) -> Timeline:
        """A new timeline, fresh or continuing ``snapshot`` (``like``: the timeline it was taken of)."""
        sim = await self._host_sim(scenario, snapshot, events)
        extras: dict[str, Any] = {}
        if like is not None:
            extras = {
                "start": like.start,
                "initial_health": like.initial_health,
                "lanes": like.lanes.copy(),
                "picks": list(like.picks[: sim.steps]),
                "checkpoints": {k: v for k, v in like.checkpoints.items() if k <= sim.steps},
            }
        tl = Timeline(name, scenario, sim, parent=parent, forked_at=sim.steps, extra_overrides=extra, **extras)
        tl.on_pick = self._recording.pick
        self.timelines[name] = tl
        return tl

    async def _host_sim(self, scenario: Scenario, snapshot: SimSnapshot | None, events: list[Any] | None) -> Simulation:
        assert self._nursery is not None
        return await self._nursery.start(self._host, scenario, snapshot, events)

    async def _host(
        self,
        scenario: Scenario,
        snapshot: SimSnapshot | None,
        events: list[Any] | None,
        task_status: trio.TaskStatus[Simulation] = trio.TASK_STATUS_IGNORED,
    ) -> None:
        """Keep one live simulation open until it is released (a timeline moved on to another)."""
        opener = self.config.opener or open_simulation
        async with opener(scenario, self.config.policy, self.config.seed, snapshot=snapshot, events=events) as sim:
            closed = self._closers[id(sim)] = trio.Event()
            task_status.started(sim)
            await closed.wait()

    def _release(self, sim: Simulation) -> None:
        self._closers.pop(id(sim)).set()

    def _close(self, tl: Timeline) -> None:
        self._release(tl.sim)

    async def _continue(self, tl: Timeline, base: SimSnapshot, outcome: Outcome | None) -> list[Pick]:
        """Put ``tl``'s cursor where ``outcome`` ended from ``base`` (None: at ``base`` itself).

        The history is never cut: moves the outcome re-took are already in
        it, and only the moves past its end are added (they are returned, to
        be recorded). Checkpoints stay valid for good, since the moves they
        follow never change. The live simulation is restored from where the
        move ended.
        """
        history = tl.history_events
        known = len(tl.picks)
        from_cursor = base.step == tl.sim.steps and base.events == len(tl.events)
        # From the cursor the live event list grows in place (views holding it stay valid); else a copy.
        events = tl.events if from_cursor else history[: base.events]
        lanes = None if base.events >= tl.lanes.events else tl.lanes_upto(base.events)
        final, fresh = base, []
        if outcome is not None:
            events += outcome.events
            fresh = outcome.picks[max(0, known - base.step) :]
            tl.picks += fresh
            for step, snap in outcome.checkpoints.items():
                tl.checkpoints.setdefault(step, snap)
            final = outcome.final
        tl.behind_events = None if final.step >= len(tl.picks) else history
        old = tl.sim
        tl.attach(await self._host_sim(tl.scenario, final, events), lanes)
        self._release(old)
        return fresh

    async def _continue_from(self, tl: Timeline, outcome: Outcome) -> None:
        """After a move forward from where ``tl`` stood: take its outcome and record every new move."""
        assert outcome.start is not None
        fresh = await self._continue(tl, outcome.start, outcome)
        if tl.on_pick is not None and self.recorder is not None:
            for pick in fresh:
                tl.on_pick(pick)

    async def _long_move(
        self,
        tl: Timeline,
        label: str,
        target: Target,
        base: SimSnapshot | None = None,
        scenario: Scenario | None = None,
    ) -> Outcome:
        """Run a move at headless speed in a worker thread, from ``base`` (default: where ``tl`` is now)."""
        start = tl.sim.snapshot() if base is None else base
        move = longmove.Move(
            scenario=scenario or tl.scenario,
            policy=self.config.policy,
            seed=self.config.seed,
            snapshot=start,
            target=target,
            checkpoint_every=tl.checkpoint_every,
            opener=self.config.opener or open_simulation,
        )
        progress = longmove.Progress(now=start.time)
        self._busy = Busy(label, progress, _fraction(target, start.time, tl.sim.end))
        self.publish(force=True)
        token = trio.lowlevel.current_trio_token()

        def report() -> None:  # from the worker thread
            try:
                token.run_sync_soon(self.publish)
            except trio.RunFinishedError:
                pass

        try:
            async with trio.open_nursery() as nursery:
                nursery.start_soon(self._commands_while_busy, progress)
                outcome = await trio.to_thread.run_sync(longmove.run, move, progress, report)
                nursery.cancel_scope.cancel()
        finally:
            self._busy = None
        return outcome

    async def _commands_while_busy(self, progress: longmove.Progress) -> None:
        """Read commands during a long move: a pause stops it; the rest wait for it to end."""
        try:
            await self._read_while_busy(progress)
        finally:
            progress.cancel()  # cancelled with the session: the worker stops at its next step

    async def _read_while_busy(self, progress: longmove.Progress) -> None:
        while True:
            numbered = await self._inbox.get()
            if isinstance(numbered[1], cmd.Pause | cmd.TogglePlay):
                progress.cancel()
            else:
                self._deferred.append(numbered)

    async def _run_deferred(self) -> None:
        """Handle what was typed during a long move and was kept for after it, in order."""
        while self._deferred:
            await self._handle(self._deferred.pop(0))

    async def _seek(self, tl: Timeline, step: int, label: str) -> None:
        """Move ``tl``'s cursor to ``step`` of its history: from the nearest checkpoint (or the cursor, if nearer)."""
        step = max(0, min(step, len(tl.picks)))
        here = tl.sim.steps
        if step == here:
            return
        base: SimSnapshot | None = tl.checkpoint_at_or_before(step)
        if base is not None and here < step and here >= base.step:
            base = None  # forward from the cursor is the shorter way
        first = here if base is None else base.step
        moves = tl.picks[first:step]
        if not moves:
            assert base is not None
            await self._continue(tl, base, None)
            return
        outcome = await self._long_move(tl, label, Target(moves=moves), base)
        assert outcome.start is not None
        await self._continue(tl, outcome.start, outcome)

    async def _go_back(self, steps: int) -> None:
        """Move the cursor back to ``steps``: the moves after it stay recorded, ahead of it."""
        tl = self.timeline
        await self._seek(tl, steps, f"going back to step {steps}")
        self._recording.seek(tl.sim.steps)

    # -- commands -----------------------------------------------------------------
    async def _handle(self, numbered: tuple[int, cmd.Command]) -> None:
        self._handling, command = numbered
        before = self._position()
        await self._dispatch(command)
        if isinstance(command, MOVES) and self.current is not None and self._position() != before:
            self._remember(before)
        if isinstance(command, cmd.Sync):
            return
        self._changed()
        if self._deferred:
            await self._run_deferred()

    def _position(self) -> tuple[str, int]:
        tl = self.timeline
        return tl.name, tl.sim.steps

    def _remember(self, position: tuple[str, int]) -> None:
        if not self._positions or self._positions[-1] != position:
            self._positions.append(position)

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
                    await self._run_until(frozenset({"milestone"}), "milestone")
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
        """``main~1``, ``main~2``...: the first free name after the parent's (rename it with the fork tree)."""
        n = 1
        while f"{parent}~{n}" in self.timelines:
            n += 1
        return f"{parent}~{n}"

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
        steps = [e.step for e in tl.events if e.kind == "milestone" and e.step < tl.sim.steps]
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
            self.status = f"at step {tl.sim.steps}"
            return
        await self._seek(tl, len(tl.picks), label)
        outcome = await self._long_move(tl, label, Target(until=time))
        await self._continue_from(tl, outcome)
        self._recording.seek(tl.sim.steps)
        stopped = outcome.reason == "cancelled"
        self.status = f"{'stopped at' if stopped else 'at'} step {tl.sim.steps}"

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

    async def _restore(self, spec: Any, upto: int) -> None:
        """Open a recorded timeline (a ``tui.session.recording.Reopened``) with its cursor at step ``upto``."""
        old = self.timelines.get(spec.name)
        tl = await self._recorded_timeline(spec, upto)
        self.current = tl
        if old is not None and old is not tl:
            self._close(old)
        self.status = f"timeline {spec.name} at step {tl.sim.steps}"

    async def _recorded_timeline(self, spec: Any, cursor: int) -> Timeline:
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

    def _note(self, text: str) -> None:
        text = text.strip()
        if not text:
            return
        tl = self.timeline
        note = Note(tl.sim.steps, tl.time_at(tl.sim.steps), text)
        tl.notes.append(note)
        self._recording.note(note)
        self._mark("note", text)
        self.status = f"note at step {note.step}"

    # -- history, undo and markers ----------------------------------------------------
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

    def _mark(self, kind: str, text: str) -> None:
        tl = self.timeline
        self.markers.append(Marker(kind, tl.name, tl.sim.steps, text, self.view))
        self.marker = len(self.markers) - 1

    def _milestone_marker(self) -> None:
        """While recording, a milestone jump that landed on one: a marker, and a seek naming it in the file."""
        if self.recorder is None:
            return  # a milestone is a stop of the talk only when a talk is being recorded
        tl = self.timeline
        events = tl.events
        last = tl.sim.steps
        reached = [e for e in reversed(events[-50:]) if e.step == last and e.kind == "milestone"]
        if not reached:
            return
        name = str(reached[0].data.get("id"))
        self._recording.seek(last, milestone=name)
        self._mark("milestone", f"milestone {name}")

    def _slide(self, title: str) -> None:
        tl = self.timeline
        self._recording.slide(tl.sim.steps, title.strip())
        self._mark("slide", title.strip() or "slide")
        self.status = f"slide {len(self.markers)} placed at step {tl.sim.steps}"

    async def _go_to_marker(self, number: int) -> None:
        if not self.markers:
            self.status = "no markers: notes, forks, milestones and slides (s) make them"
            return
        number = max(0, min(number, len(self.markers) - 1))
        marker = self.markers[number]
        tl = self.timelines.get(marker.timeline)
        if tl is None:
            self.status = f"marker {number + 1}: no timeline {marker.timeline}"
            return
        if tl is not self.current:
            self.current = tl
            self._recording.switch(tl.name)
        await self._seek(tl, marker.step, f"going to marker {number + 1}")
        self.marker = number
        self._marker_visits += 1
        self.status = f"marker {number + 1} of {len(self.markers)}: {marker.text}"

    async def _compare(self, left: str, right: str) -> Comparison:
        """Both forks at the same virtual time: the other one's cursor moves to the current one's time."""
        here, other = self.timelines[left], self.timelines[right]
        if other is here:
            return compare(here, other)
        if here is not self.current:
            here, other = other, here
        when = here.sim.now
        upto = bisect_right([p.time for p in other.picks], when)
        await self._seek(other, upto, f"putting {other.name} at {hhmm_ss(when)}")
        result = compare(self.timelines[left], self.timelines[right])
        if other.sim.now < when and upto == len(other.picks) and not other.sim.done:
            said = f"{other.name} has not reached {hhmm_ss(when)}: shown where it stops, {hhmm_ss(other.sim.now)}"
            return dataclasses.replace(result, when=said)
        # Nothing happens on ``other`` between its last move and ``when``: that is its state at ``when``.
        side = "left" if other.name == left else "right"
        at = dataclasses.replace(getattr(result, side), now=when)
        return dataclasses.replace(result, when=f"both at {hhmm_ss(when)}", **{side: at})

    async def _reopen(self, replay: Any) -> None:
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

    # -- views --------------------------------------------------------------------
    def _changed(self) -> None:
        self._generation += 1

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


def hhmm_ss(seconds: float) -> str:
    return from_sim(seconds).strftime("%H:%M:%S")


def _fraction(target: Target, start: float, end: float) -> Callable[[longmove.Progress], float | None]:
    """How far a long move has got, from what it aims at: moves to re-take, or a time to reach."""
    if (target.moves is not None or target.follow is not None) and not target.beyond:
        total = len(target.moves if target.moves is not None else target.follow or ())
        return lambda p: p.steps / total if total else 1.0
    goal = end if target.until is None else min(target.until, end)
    span = goal - start
    return lambda p: min(1.0, max(0.0, (p.now - start) / span)) if span > 0 else None
