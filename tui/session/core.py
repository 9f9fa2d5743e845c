"""What a session keeps, and how its timelines' simulations are hosted and moved.

:class:`SessionCore` holds a session's state (its timelines, which one is
current, playback, markers, undo positions) and the moves every command
builds on: opening a timeline, keeping each live simulation open as a task
of the session's nursery until its timeline moves on, and the *long move*
(:mod:`tui.session.longmove`), run at headless speed in a worker thread
while commands are still read (a pause stops it; the others are handled
after it, in order). :meth:`SessionCore._seek` puts a cursor anywhere in a
timeline's history from its nearest checkpoint.

The commands themselves are layered on top, each layer calling only the ones
below: markers and notes (:mod:`tui.session.talk`), forks
(:mod:`tui.session.forks`), history moves (:mod:`tui.session.history`), then
the session's command loop (:mod:`tui.session.session`).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import trio

from tui.clock import from_sim
from tui.record.format import World
from tui.record.markers import Marker, View
from tui.record.picks import Pick
from tui.scenario import Scenario
from tui.session import commands as cmd
from tui.session import longmove
from tui.session.inbox import Inbox
from tui.session.longmove import Outcome, Target
from tui.session.pacing import Pacer
from tui.session.recorder import SessionRecorder
from tui.session.timeline import Timeline
from tui.sim.simulation import Simulation, open_simulation
from tui.sim.simulation import Snapshot as SimSnapshot

if TYPE_CHECKING:
    from tui.record.replay import SessionReplay
    from tui.session.recording import Recorder
    from tui.sim.trace import Event



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
    reopen: SessionReplay | None = None
    #: The world the timelines run in, as a session file's header names it.
    world: World = World.FULL
    #: Opens each timeline's simulation (``tui.record.replay.Opener``); None is the full world's ``open_simulation``.
    opener: longmove.Opener | None = None

    @property
    def untimed(self) -> bool:
        """The explorer's DNS core: its recorded moves are stepped through one by one from the first."""
        return self.world == World.DNS_CORE


class SessionCore:
    """A session's state and its timelines' hosting: what every layer of commands builds on."""

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
        #: A pause came during a long move of this command: one of several moves (a go-to) starts no more.
        self._stop_asked = False
        self._deferred: list[tuple[int, cmd.Command]] = []
        self.recorder: Recorder | None = None  # set while recording
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

    def send(self, command: cmd.Command) -> None:
        """Queue a command (synchronous; never blocks nor raises, however many are waiting).

        During a long move a pause stops it at its next step, so the person
        at the keyboard never waits it out.
        """
        self._sent += 1
        self._inbox.put((self._sent, command))

    # -- the command loop's, in tui.session.session.Session: long moves publish and run what waited ----
    def publish(self, force: bool = False) -> None:
        raise NotImplementedError

    async def _handle(self, numbered: tuple[int, cmd.Command]) -> None:
        raise NotImplementedError

    @property
    def timeline(self) -> Timeline:
        assert self.current is not None, "session not started"
        return self.current

    async def _open(
        self,
        name: str,
        scenario: Scenario,
        parent: str | None = None,
        extra: tuple[str, ...] = (),
        snapshot: SimSnapshot | None = None,
        events: list[Event] | None = None,
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
        tl.on_retake = self._recording.moved
        self.timelines[name] = tl
        return tl

    async def _host_sim(
        self, scenario: Scenario, snapshot: SimSnapshot | None, events: list[Event] | None
    ) -> Simulation:
        assert self._nursery is not None
        return await self._nursery.start(self._host, scenario, snapshot, events)

    async def _host(
        self,
        scenario: Scenario,
        snapshot: SimSnapshot | None,
        events: list[Event] | None,
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
        if outcome is not None and outcome.picks and not fresh and tl is self.current:
            self._recording.moved()  # only moves it had made before: no line says where it stopped
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
                self._stop_asked = True
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

    def take_recorder(self) -> Recorder | None:
        """The recording under way, if any, once it says where the cursor is; the session records no more (at quit)."""
        self._recording.cursor()
        recorder, self.recorder = self.recorder, None
        return recorder

    def _position(self) -> tuple[str, int]:
        tl = self.timeline
        return tl.name, tl.sim.steps

    def _remember(self, position: tuple[str, int]) -> None:
        if not self._positions or self._positions[-1] != position:
            self._positions.append(position)

    def _changed(self) -> None:
        self._generation += 1


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
