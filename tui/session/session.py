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

import math
import time
from bisect import bisect_left
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import trio

from tui.clock import from_sim, hhmm
from tui.errors import BadInput
from tui.scenario import Scenario, load_scenario
from tui.session import commands as cmd
from tui.session import longmove
from tui.session.longmove import Outcome, Target
from tui.session.pacing import Pacer
from tui.session.timeline import Note, Pick, Timeline
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
    #: The world the timelines run in (``"full"`` or ``"dns-core"``), as a session file's header names it.
    world: str = "full"
    #: Opens each timeline's simulation (``tui.record.replay.Opener``); None is the full world's ``open_simulation``.
    opener: Any = None

    @property
    def untimed(self) -> bool:
        """The explorer's DNS core: its recorded moves are stepped through one by one from the first."""
        return self.world == "dns-core"


class Session:
    """The main timeline and its forks; one is current and only it moves."""

    def __init__(self, config: SessionConfig, publish: Callable[[Any], None] | None = None) -> None:
        self.config = config
        self._publish_cb = publish or (lambda _view: None)
        self._send, self._receive = trio.open_memory_channel[tuple[int, cmd.Command]](1000)
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
        #: Recorded moves not yet taken, per timeline: what ``n`` takes next in a reopened DNS-core session.
        self.script: dict[str, tuple[int, ...]] = {}
        self.started = trio.Event()

    # -- the host side ------------------------------------------------------------
    def send(self, command: cmd.Command) -> None:
        """Queue a command (synchronous; never blocks the caller).

        During a long move a pause stops it at its next step, so the person
        at the keyboard never waits it out.
        """
        self._sent += 1
        self._send.send_nowait((self._sent, command))

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
                self._start_recording(self.config.record)
                self.status = f"{reopened} · {self.status}" if reopened else self.status
            self.started.set()
            self._next_at = trio.current_time()
            while True:
                if self._moving():
                    await self._play_once()
                else:
                    self.publish(force=True)
                    await self._handle(await self._receive.receive())

    def _moving(self) -> bool:
        tl = self.timeline
        if not self.playing or tl.sim.done:
            return False
        return not self._waiting_for_pick()

    def _waiting_for_pick(self) -> bool:
        tl = self.timeline
        return tl.sim.policy.name == "manual" and len(tl.sim.choices()) > 1

    async def _play_once(self) -> None:
        now = trio.current_time()
        if now < self._next_at:
            self.publish()
            with trio.move_on_at(self._next_at):
                await self._handle(await self._receive.receive())
            return
        try:
            await self._handle(self._receive.receive_nowait())
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
        tl.on_pick = self._recorded_pick
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

    async def _continue(self, tl: Timeline, base: SimSnapshot, outcome: Outcome | None) -> None:
        """Make ``tl`` what it became from ``base`` through ``outcome`` (None: ``base`` itself).

        Picks, events and checkpoints after ``base`` are replaced by the
        outcome's; the live simulation is restored from where it ended.
        """
        # Forward, the event list grows in place (views holding it stay valid); back, it is cut to a copy.
        events = tl.events if base.events == len(tl.events) else tl.events[: base.events]
        lanes = None if base.events >= tl.lanes.events else tl.lanes_upto(base.events)
        tl.picks = tl.picks[: base.step]
        tl.keep_checkpoints(base.step)
        final = base
        if outcome is not None:
            events += outcome.events
            tl.picks += outcome.picks
            tl.checkpoints.update(outcome.checkpoints)
            final = outcome.final
        old = tl.sim
        tl.attach(await self._host_sim(tl.scenario, final, events), lanes)
        self._release(old)

    async def _continue_from(self, tl: Timeline, outcome: Outcome) -> None:
        """After a move forward from where ``tl`` stood: take its outcome and record every new move."""
        assert outcome.start is not None
        await self._continue(tl, outcome.start, outcome)
        if tl.on_pick is not None and self.recorder is not None:
            for pick in outcome.picks:
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
            numbered = await self._receive.receive()
            if isinstance(numbered[1], cmd.Pause | cmd.TogglePlay):
                progress.cancel()
            else:
                self._deferred.append(numbered)

    async def _run_deferred(self) -> None:
        """Handle what was typed during a long move and was kept for after it, in order."""
        while self._deferred:
            await self._handle(self._deferred.pop(0))

    async def _go_back(self, steps: int) -> None:
        """Go back to ``steps``: restore the nearest checkpoint, replay the moves after it (from the picks)."""
        tl = self.timeline
        base = tl.checkpoint_at_or_before(steps)
        moves = tl.picks[base.step : steps]
        outcome = None
        if moves:
            outcome = await self._long_move(tl, f"going back to step {steps}", Target(moves=moves), base)
        await self._continue(tl, base, outcome)
        tl.replayed = min(tl.replayed, tl.sim.steps)
        self._record("control", "seek", to_step=tl.sim.steps)

    # -- commands -----------------------------------------------------------------
    async def _handle(self, numbered: tuple[int, cmd.Command]) -> None:
        self._handling, command = numbered
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
            case cmd.GoTo(time):
                self._set_playing(False)
                await self._go_to(time)
            case cmd.SetSpeed(speed):
                self.speed = max(0.01, speed)
                self._next_at = trio.current_time()
                self._record("control", "speed", speed=self.speed)
            case cmd.Fork(name, overrides):
                self._set_playing(False)
                await self._fork(name, overrides)
            case cmd.Switch(name):
                self._set_playing(False)
                if name in self.timelines:
                    if self.current is not self.timelines[name]:
                        self.current = self.timelines[name]
                        self._record("switch", name)
                    self.status = f"switched to {name}"
                else:
                    self.status = f"no fork named {name}"
            case cmd.Compare(left, right):
                if left in self.timelines and right in self.timelines:
                    self._publish_cb(compare(self.timelines[left], self.timelines[right]))
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
                    self._stop_recording()
                else:
                    self._start_recording(path)
            case cmd.Sync(callback):
                self.publish(force=True)
                callback()
                return
        self._changed()
        if self._deferred:
            await self._run_deferred()

    def _set_playing(self, playing: bool) -> None:
        if playing and self.timeline.sim.done:
            self.status = "end of the window"
            playing = False
        if playing != self.playing:
            self.playing = playing
            self._recent.clear()
            self._next_at = trio.current_time()
            self.status = "playing" if playing else "paused"
            self._record("control", "resume" if playing else "pause")

    async def _step(self, index: int | None) -> None:
        tl = self.timeline
        choices = tl.sim.choices()
        if not choices:
            self.status = "end of the window"
            return
        if index is not None and not 0 <= index < len(choices):
            self.status = f"no choice {index + 1}: only {len(choices)} can move"
            return
        if index is None:
            index = self._scripted(tl)
        chosen = await tl.step(index)
        self.status = f"step {tl.sim.steps}: {chosen.component} {chosen.action}"

    def _scripted(self, tl: Timeline) -> int | None:
        """The next recorded move while the timeline still follows its recording (None: the policy picks)."""
        script = self.script.get(tl.name, ())
        step = tl.sim.steps
        if step >= len(script) or tuple(p.index for p in tl.picks) != script[:step]:
            return None
        return script[step] if script[step] < len(tl.sim.choices()) else None

    async def _run_until(self, kinds: frozenset[str], what: str) -> None:
        """Run by policy to the next step that emits one of ``kinds`` (a long move)."""
        tl = self.timeline
        if tl.sim.done:
            self.status = f"no {what} before the end of the window"
            return
        outcome = await self._long_move(tl, f"running to the {what}", Target(kinds=kinds))
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
        tl = self.timeline
        if time >= tl.sim.now:
            outcome = await self._long_move(tl, f"going to {hhmm(time)}", Target(until=time))
            await self._continue_from(tl, outcome)
            self._record("control", "seek", to_step=tl.sim.steps)
            stopped = outcome.reason == "cancelled"
            self.status = f"{'stopped at' if stopped else 'at'} step {tl.sim.steps}"
            return
        keep = bisect_left([p.time for p in tl.picks], time)
        await self._go_back(keep)
        self.status = f"at step {self.timeline.sim.steps}"

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
            tl = await self._open(name, scenario, parent.name, extra)
            outcome = await self._long_move(
                tl, f"forking {name}: replaying {at} steps", Target(follow=parent.picks[:at]), tl.checkpoints[0]
            )
            await self._continue(tl, tl.checkpoints[0], outcome)
            tl.replayed = len(outcome.picks)
            stopped = outcome.reason == "cancelled"
        tl.forked_at = at
        self.current = tl
        self._record("fork", tl)
        held = "" if tl.replayed == at else f"; the change diverges at step {tl.replayed}"
        if stopped:
            held = f"; its replay was stopped at step {tl.replayed}"
        self.status = f"forked {name} from {parent.name} at step {at}{held}"

    async def _restore(self, spec: Any, upto: int) -> None:
        """Open a recorded timeline (a ``tui.session.recording.Reopened``) at its first ``upto`` moves."""
        old = self.timelines.get(spec.name)
        tl = await self._replayed_timeline(spec, spec.picks[:upto])
        tl.notes = [note for note in spec.notes if note.step <= upto]
        self.current = tl
        if old is not None and old is not tl:
            self._close(old)
        self.status = f"timeline {spec.name} at step {upto}"

    async def _replayed_timeline(self, spec: Any, picks: Sequence[Pick]) -> Timeline:
        """A timeline that re-takes ``picks`` from the start of ``spec``'s scenario.

        It opens from the recording's nearest checkpoint (a replayed session
        has one every few hundred moves and one at its end), then replays the
        rest as a long move.
        """
        tl = await self._open(spec.name, spec.scenario, spec.parent, spec.overrides)
        upto = len(picks)
        base = tl.checkpoints[0]
        kept = [step for step in spec.checkpoints if 0 < step <= upto]
        if kept:
            base = spec.checkpoints[max(kept)]
            tl.picks = list(picks[: base.step])
            tl.checkpoints.update({k: v for k, v in spec.checkpoints.items() if k <= base.step})
            old = tl.sim
            tl.attach(await self._host_sim(tl.scenario, base, list(spec.events[: base.events])))
            self._release(old)
        rest = picks[base.step : upto]
        if rest:
            outcome = await self._long_move(tl, f"opening {spec.name}: {len(rest)} steps", Target(moves=rest), base)
            await self._continue(tl, base, outcome)
        tl.forked_at, tl.replayed = spec.forked_at, min(spec.held, upto)
        return tl

    async def _take(self, indices: Sequence[int]) -> None:
        """Take recorded moves in order; stop at one that is not on offer."""
        tl = self.timeline
        for n, index in enumerate(indices):
            choices = tl.sim.choices()
            if not 0 <= index < len(choices):
                self.status = f"move {n + 1} of {len(indices)} (choice {index + 1}) is not on offer"
                return
            await tl.step(index)
        self.status = f"step {tl.sim.steps}"

    def _note(self, text: str) -> None:
        text = text.strip()
        if not text:
            return
        tl = self.timeline
        note = Note(tl.sim.steps, tl.time_at(tl.sim.steps), text)
        tl.notes.append(note)
        self._record("note", note)
        self.status = f"note at step {note.step}"

    # -- recording ------------------------------------------------------------------
    def _recorded_pick(self, pick: Pick) -> None:
        self._record("pick", pick)

    def _record(self, what: str, *args: Any, **fields: Any) -> None:
        """Append one line to the recording, if any; a write that fails stops it and says why.

        Lines are only queued here: the recorder's own thread writes them, so
        its write errors arrive late. Each call raises one that happened since
        (``"check"`` only asks), and the status names the file and the reason.
        """
        recorder = self.recorder
        if recorder is None:
            return
        try:
            if what == "check":
                recorder.check()
            elif what == "pick":
                recorder.pick(*args)
            elif what == "control":
                recorder.control(*args, step=self.timeline.sim.steps, **fields)
            elif what == "switch":
                recorder.switch(*args, self.timeline.sim.steps)
            elif what == "fork":
                recorder.fork(*args)
            else:
                recorder.note(*args)
        except OSError as err:
            self.recorder = None
            self.status = f"recording stopped: {recorder.path}: {err.strerror or err}"
            try:
                recorder.close()
            except OSError:
                pass  # the same failure (or a thread stuck after it): the status already says the file stopped

    def _start_recording(self, path: str) -> None:
        from tui.record import Header
        from tui.session.recording import Recorder

        stopping = self.recorder is not None
        self._stop_recording()
        failed = self.status if stopping and self.status.startswith("recording stopped") else ""
        scenario = self.config.scenario
        seed = scenario.get("scenario.seed") if self.config.seed is None else self.config.seed
        # A recording made in the explorer's world must say so, or its indices would replay in the full one.
        header = Header.for_run(
            scenario, seed, self.timeline.sim.policy.name, self.config.scenario_path, self.config.world
        )
        token = trio.lowlevel.current_trio_token()

        def frame() -> None:
            try:
                self.send(cmd.Sync(lambda: None))  # handling it publishes, and publishing raises the error
            except trio.WouldBlock:
                pass  # the session has a thousand commands to handle: it publishes soon anyway

        def wake(_error: OSError) -> None:
            # On the writer's thread, as soon as a write fails: shown now, even if no move follows.
            try:
                token.run_sync_soon(frame)
            except trio.RunFinishedError:
                pass

        try:
            recorder = Recorder(path, header, on_error=wake)
        except BadInput as err:
            self.status = f"cannot record: {err}"
            return
        self.recorder = recorder
        self._record_history()
        if self.recorder is not None:
            self.status = f"recording to {path}" + (f" · {failed}" if failed else "")

    def _record_history(self) -> None:
        recorder = self.recorder
        try:
            recorder.history(self.timelines.values(), self.timeline)
        except OSError as err:
            self.recorder = None
            self.status = f"recording stopped: {recorder.path}: {err.strerror or err}"
            try:
                recorder.close()
            except OSError:
                pass  # the same failure: the status already says the file stopped

    def _stop_recording(self) -> None:
        """Drain and close the recording; a write that failed (or a stuck writer) is said, not swallowed."""
        recorder, self.recorder = self.recorder, None
        if recorder is not None:
            try:
                recorder.close()
            except OSError as err:
                self.status = f"recording stopped: {recorder.path}: {err.strerror or err}"
            else:
                self.status = f"recorded {recorder.path}"

    async def _reopen(self, replay: Any) -> None:
        """Open every recorded timeline with its moves and notes; paused where the file left off."""
        from tui.session.recording import reopen, scenarios_of

        timelines, current, speed = reopen(replay, scenarios_of(replay, self.config.scenario))
        for spec in timelines:
            # A counterexample from the explorer is there to be walked through: open it at its first
            # step with its moves ready for ``n``; a recorded run opens where it left off.
            first = self.config.untimed
            picks = spec.picks[: spec.forked_at] if first else spec.picks
            tl = await self._replayed_timeline(spec, picks)
            tl.notes = [n for n in spec.notes if n.step <= len(picks)] if first else list(spec.notes)
            self.script[spec.name] = tuple(p.index for p in spec.picks)
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
        self._record("check")  # a write that failed on the recorder's thread stops it and shows in this frame
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
            moves=tuple(p.index for p in tl.picks),
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
            notes=tuple(tl.notes),
            recording=None if self.recorder is None else self.recorder.path,
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
            )
            for t in self.timelines.values()
        )

    def comparison(self, left: str, right: str) -> Comparison:
        return compare(self.timelines[left], self.timelines[right])


def hhmm_ss(seconds: float) -> str:
    return from_sim(seconds).strftime("%H:%M:%S")


def _fraction(target: Target, start: float, end: float) -> Callable[[longmove.Progress], float | None]:
    """How far a long move has got, from what it aims at: moves to re-take, or a time to reach."""
    if target.moves is not None or target.follow is not None:
        total = len(target.moves if target.moves is not None else target.follow or ())
        return lambda p: p.steps / total if total else 1.0
    goal = end if target.until is None else min(target.until, end)
    span = goal - start
    return lambda p: min(1.0, max(0.0, (p.now - start) / span)) if span > 0 else None
