"""The controller: owner of every choice, of virtual time and of the trace.

Components are Trio tasks in one nursery, but they never block on Trio itself
(no ``trio.sleep``, no channels between components). They block only on a
*gate* that the controller owns: ``await ctx.step("apply plan 146 to ...")``
before an atomic action, ``await ctx.sleep(seconds)`` to let virtual time pass,
``await ctx.wait(signal)`` to wait for another component. Exactly one component
runs at a time: the controller opens one gate, then waits until that component
parks at its next gate (or ends). Which gate opens next is decided by a policy
from the ordered list of :class:`Choice` objects, so Trio's run-queue order,
the wall clock and the global ``random`` module never influence a run.

Ordering of gates is explicit: ``(time, rank, seq)``, where ``rank`` is the
component's declared rank and ``seq`` a counter bumped every time a gate is
created. Both are deterministic because only one component runs at a time.
"""

from __future__ import annotations

import math
import random
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import trio

from tui.sim.trace import Trace

INFINITY = math.inf

ComponentBody = Callable[["Ctx"], Awaitable[None]]


@dataclass(eq=False)
class Gate:
    """A parked component: where it waits, for what, and how it is woken."""

    time: float
    rank: int
    seq: int
    component: str
    action: str
    event: trio.Event = field(default_factory=trio.Event)
    signal: Signal | None = None

    def key(self) -> tuple[float, int, int]:
        return (self.time, self.rank, self.seq)


@dataclass(frozen=True)
class Choice:
    """One runnable component at a decision point, as a policy or a person sees it."""

    index: int
    component: str
    action: str
    time: float


class Signal:
    """A controller-owned condition: components wait on it, another notifies it.

    Waiting gates have an infinite time until the signal is notified, then
    they become runnable at the notifying instant. No Trio primitive crosses
    between components, so wake-up order stays ``(time, rank, seq)``.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self._waiters: list[Gate] = []

    def notify(self, now: float) -> None:
        for gate in self._waiters:
            gate.time = min(gate.time, now)
            gate.signal = None
        self._waiters.clear()


class SimulationError(RuntimeError):
    """A component misbehaved (ran outside its turn, crashed, ...)."""


class Controller:
    """Owns virtual time, the parked gates, the RNG, and the trace.

    ``choices()`` lists the runnable components at the current decision point;
    ``await step(index)`` lets the chosen one run one atomic action. Helpers
    such as :func:`tui.sim.run.run_policy` loop over the two.
    """

    def __init__(
        self,
        nursery: trio.Nursery,
        *,
        seed: int,
        start_time: float = 0.0,
        choice_window: float = 0.0,
        jitter: float = 0.0,
    ) -> None:
        self._nursery = nursery
        self.now = start_time
        self.rng = random.Random(seed)  # the world's randomness: jitter, client arrivals
        # Policies draw from their own stream, exactly once per step (see
        # Simulation.planned_pick), so a recorded list of choices replays the
        # world's randomness exactly whoever made each choice.
        self.choice_rng = random.Random(f"choices:{seed}")
        self.choice_window = choice_window
        self.jitter = jitter
        self.trace = Trace()
        self.steps = 0
        self.choice_log: list[int] = []
        self._gates: list[Gate] = []
        self._seq = 0
        self._ranks: dict[str, int] = {}
        self._running: str | None = None
        self._turn_done = trio.Event()
        self._errors: list[BaseException] = []
        self._observers: list[Callable[[Controller], None]] = []
        self.finished: set[str] = set()

    # -- registering components -------------------------------------------------
    def spawn(
        self,
        name: str,
        body: ComponentBody,
        *,
        rank: int | None = None,
        at: float | None = None,
        action: str = "start",
    ) -> None:
        """Start a component; its first gate is created here, synchronously.

        Creating the gate before the Trio task even starts keeps the order
        independent of when Trio decides to run the new task.
        """
        if name in self._ranks and name not in self.finished:
            raise SimulationError(f"component {name!r} already exists")
        self.finished.discard(name)
        if rank is None:
            rank = self._ranks.get(name, len(self._ranks))
        self._ranks[name] = rank
        gate = self._new_gate(name, action, self.now if at is None else at)
        ctx = Ctx(self, name)
        self._nursery.start_soon(self._host, ctx, gate, body, name=name)

    async def _host(self, ctx: Ctx, gate: Gate, body: ComponentBody) -> None:
        await gate.event.wait()
        try:
            await body(ctx)
        except BaseException as exc:
            if not isinstance(exc, trio.Cancelled):
                self._errors.append(exc)
            raise
        finally:
            if self._running == ctx.name:
                self.finished.add(ctx.name)
                self._running = None
                self._turn_done.set()

    def _new_gate(self, component: str, action: str, time: float) -> Gate:
        self._seq += 1
        gate = Gate(time=time, rank=self._ranks[component], seq=self._seq, component=component, action=action)
        self._gates.append(gate)
        return gate

    def _leave_turn(self, ctx: Ctx, action: str, time: float, signal: Signal | None) -> Gate:
        """Create the gate a component parks at and end its turn (the part every controller shares)."""
        if self._running != ctx.name:
            raise SimulationError(f"{ctx.name} tried to park outside its turn")
        gate = self._new_gate(ctx.name, action, time)
        if signal is not None:
            gate.signal = signal
            signal._waiters.append(gate)
        self._running = None
        return gate

    async def _park(self, ctx: Ctx, action: str, time: float, signal: Signal | None = None) -> None:
        gate = self._leave_turn(ctx, action, time, signal)
        self._turn_done.set()
        await gate.event.wait()

    # -- observers ----------------------------------------------------------------
    def observe(self, callback: Callable[[Controller], None]) -> None:
        """Call ``callback(controller)`` after every step (monitors, milestones)."""
        self._observers.append(callback)

    # -- decision points ----------------------------------------------------------
    def choices(self) -> list[Choice]:
        """Runnable components, earliest first.

        Runnable means parked at a gate whose time is within ``choice_window``
        virtual seconds of the earliest gate. Choosing a later gate delays the
        others: time never runs backwards, so a delayed component acts late,
        which is exactly how a straggling Enactor comes about.
        """
        live = [g for g in self._gates if g.time < INFINITY]
        if not live:
            return []
        live.sort(key=Gate.key)
        horizon = max(live[0].time, self.now) + self.choice_window
        return [
            Choice(index=i, component=g.component, action=g.action, time=max(g.time, self.now))
            for i, g in enumerate(gt for gt in live if gt.time <= horizon)
        ]

    def next_time(self) -> float | None:
        """Virtual time of the earliest runnable gate, or None when nothing can move."""
        live = [g.time for g in self._gates if g.time < INFINITY]
        return max(min(live), self.now) if live else None

    def pending(self) -> list[Gate]:
        """Every parked gate (including ones waiting on a signal), for display."""
        return sorted(self._gates, key=Gate.key)

    def _take(self, index: int) -> tuple[Gate, Choice]:
        """Remove the gate at ``choices()[index]``, advance time and log the choice.

        Builds only the chosen Choice, not the whole list: this is the hot path.
        """
        live = sorted((g for g in self._gates if g.time < INFINITY), key=Gate.key)
        if not live:
            raise SimulationError("no component can move")
        horizon = max(live[0].time, self.now) + self.choice_window
        runnable = sum(1 for g in live if g.time <= horizon)
        if not 0 <= index < runnable:
            raise SimulationError(f"choice {index} out of range 0..{runnable - 1}")
        gate = live[index]
        choice = Choice(index=index, component=gate.component, action=gate.action, time=max(gate.time, self.now))
        self._gates.remove(gate)
        self.now = choice.time
        self.steps += 1
        self.choice_log.append(index)
        self.trace.note_choice(index)
        self._running = gate.component
        return gate, choice

    async def step(self, index: int = 0) -> Choice:
        """Let the component at ``choices()[index]`` run until its next gate."""
        gate, choice = self._take(index)
        self._turn_done = trio.Event()
        gate.event.set()
        await self._turn_done.wait()
        if self._errors:
            raise self._errors[0]
        for observer in self._observers:
            observer(self)
        return choice

    # -- randomness ---------------------------------------------------------------
    def jittered(self, seconds: float) -> float:
        """``seconds`` stretched by up to ``±jitter`` (a fraction), from the run's RNG."""
        if self.jitter <= 0 or seconds <= 0:
            return seconds
        return seconds * (1.0 + self.jitter * (2.0 * self.rng.random() - 1.0))


class Ctx:
    """What a component may do: park at gates, read time, emit events, spawn."""

    def __init__(self, controller: Controller, name: str) -> None:
        self._controller = controller
        self.name = name

    @property
    def now(self) -> float:
        return self._controller.now

    @property
    def rng(self) -> random.Random:
        return self._controller.rng

    async def step(self, action: str) -> None:
        """Park before an atomic action; run it when the controller chooses us."""
        await self._controller._park(self, action, self._controller.now)

    async def sleep(self, seconds: float, action: str = "wait") -> None:
        """Let ``seconds`` of virtual time pass, then park before ``action``."""
        if seconds < 0:
            raise SimulationError(f"{self.name}: negative sleep {seconds}")
        await self._controller._park(self, action, self._controller.now + seconds)

    async def sleep_until(self, time: float, action: str = "wait", signal: Signal | None = None) -> None:
        """Park until ``time`` or until ``signal`` is notified, whichever comes first."""
        await self._controller._park(self, action, max(time, self._controller.now), signal)

    async def wait(self, signal: Signal, action: str = "wait") -> None:
        """Park until another component notifies ``signal``."""
        await self._controller._park(self, action, INFINITY, signal)

    def notify(self, signal: Signal) -> None:
        signal.notify(self._controller.now)

    def jittered(self, seconds: float) -> float:
        return self._controller.jittered(seconds)

    def emit(self, kind: str, **data: Any) -> None:
        """Record an observable change in the trace."""
        self._controller.trace.add(self._controller.now, self._controller.steps, self.name, kind, data)

    def spawn(self, name: str, body: ComponentBody, *, rank: int | None = None, action: str = "start") -> None:
        self._controller.spawn(name, body, rank=rank, action=action)

    def is_alive(self, name: str) -> bool:
        return name in self._controller._ranks and name not in self._controller.finished


def names(choices: Iterable[Choice]) -> list[str]:
    return [c.component for c in choices]
