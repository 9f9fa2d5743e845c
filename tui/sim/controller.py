"""The controller: owner of every choice, of virtual time, of the parked gates and of the trace.

A component is a *program* (a plain function) plus a *state* object (plain
data). Its Trio task is a loop: park at the gate its state names, and when
the controller opens that gate, call the program, which applies one atomic
transition to the state and the world and returns the next :class:`Park`
(or ``None`` when the component is done). Nothing a component needs after a
gate lives in a coroutine frame, so :meth:`Controller.freeze` can copy a run
at any decision point and :meth:`Controller.thaw` can continue it in fresh
Trio tasks (see :class:`tui.sim.simulation.Snapshot`).

Components never block on Trio itself (no ``trio.sleep``, no channels
between components). Exactly one component runs at a time: the controller
opens one gate, and the component's turn ends when its program returns.
Which gate opens next is decided by a policy from the ordered list of
:class:`Choice` objects, so Trio's run-queue order, the wall clock and the
global ``random`` module never influence a run.

Gates are ordered by ``(time, rank, seq)``: ``rank`` is the component's
declared rank, ``seq`` a counter bumped for every gate created. They are kept
in a heap; a gate waiting on a signal has an infinite time and joins the heap
when the signal is notified.

**Passing the baton.** :meth:`step` opens one gate and waits for the turn to
end: two task switches. :meth:`drive` lets the component whose turn just
ended open the next gate itself when a driver callback (the policy) says
which: one task switch per step, which is how headless runs and long moves
go at full speed. Either way, one component runs at a time.

The explorer runs the same programs without Trio (:meth:`turn`), since a
program never awaits anything.

Why one module of this size: the gate heap, the baton passing, the choice order,
freeze/thaw and the explorer's synchronous turn all touch the same few fields of one
object; split, each part would have to reach into another's privates, and the
proof that one component runs at a time would be spread over several files.
"""

from __future__ import annotations

import heapq
import math
import random
from array import array
from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter
from typing import Any, Protocol

import trio

from tui.sim.actions import START, Action
from tui.sim.trace import Trace

INFINITY = math.inf


@dataclass(frozen=True, slots=True)
class Park:
    """Where a component waits next: until ``time`` (or ``signal``), before ``action``."""

    time: float
    action: Action
    signal: str | None = None


class Program(Protocol):
    """A component's transition function: act on ``state`` and ``world``, say where to park next."""

    def __call__(self, ctx: Ctx, world: Any, state: Any, /) -> Park | None: ...


@dataclass(slots=True)
class Gate:
    """A parked component, as plain data: when, in what order, before which action, on which signal."""

    time: float
    rank: int
    seq: int
    component: str
    action: Action
    signal: str | None = None

    def key(self) -> tuple[float, int, int]:
        return (self.time, self.rank, self.seq)

    def __reduce__(self) -> tuple[type[Gate], tuple[Any, ...]]:
        # A constructor call pickles several times faster than the slots protocol (snapshots hold every gate).
        return (Gate, (self.time, self.rank, self.seq, self.component, self.action, self.signal))


#: :meth:`Gate.key` without a Python call per gate.
GATE_ORDER = attrgetter("time", "rank", "seq")


@dataclass(slots=True)
class Proc:
    """A component as data: its program (a module-level function, so it pickles by name) and state."""

    program: Program
    state: Any

    def __reduce__(self) -> tuple[type[Proc], tuple[Any, ...]]:
        return (Proc, (self.program, self.state))


@dataclass(frozen=True)
class Choice:
    """One runnable component at a decision point, as a policy or a person sees it."""

    index: int
    component: str
    action: str
    time: float
    move: Action = START


class SimulationError(RuntimeError):
    """A component misbehaved (ran outside its turn, crashed, ...)."""


class Controller:
    """Owns virtual time, the parked gates, the RNGs, the components' states and the trace.

    ``choices()`` lists the runnable components at the current decision point;
    ``await step(index)`` lets the chosen one run one atomic action.
    ``nursery`` is None for a controller that runs programs inline (:meth:`turn`).
    """

    def __init__(
        self,
        nursery: trio.Nursery | None,
        *,
        seed: int,
        start_time: float = 0.0,
        choice_window: float = 0.0,
        jitter: float = 0.0,
        trace: Trace | None = None,
    ) -> None:
        self._nursery = nursery
        self.now = start_time
        self.rng = random.Random(seed)  # the world's randomness: jitter, client arrivals
        # Policies draw from their own stream, exactly once per step (see
        # Simulation.planned_pick), so a recorded list of choices replays the
        # world's randomness exactly whoever made each choice.
        self.choice_rng = random.Random(f"choices:{seed}")
        # Their states as seeded: a snapshot of a stream not drawn from yet stores nothing for it.
        self._rng_start = self.rng.getstate()
        self._choice_rng_start = self.choice_rng.getstate()
        self.choice_window = choice_window
        self.jitter = jitter
        self.trace = trace if trace is not None else Trace()
        self.world: Any = None
        self.steps = 0
        #: The choice indices taken by this controller (a restored run's list starts at its snapshot).
        self.choice_log: list[int] = []
        self.procs: dict[str, Proc] = {}
        self.parked: dict[str, Gate] = {}
        self.ranks: dict[str, int] = {}
        self.finished: set[str] = set()
        self._heap: list[tuple[float, int, int, Gate]] = []
        self._waiters: dict[str, list[str]] = {}
        self._seq = 0
        self._ctxs: dict[str, Ctx] = {}
        # Live (Trio) running: whose turn it is, who sleeps where, who waits for the turn to end.
        self._running: str | None = None
        self._sleepers: dict[str, trio.lowlevel.Task] = {}
        self._owner: trio.lowlevel.Task | None = None
        self._driver: Callable[[], int | None] | None = None
        self._error: BaseException | None = None
        self._last: tuple[int, Gate, float] | None = None

    # -- registering components -------------------------------------------------
    def spawn(
        self,
        name: str,
        program: Program,
        state: Any,
        *,
        rank: int,
        at: float | None = None,
        action: Action = START,
    ) -> None:
        """Add a component parked at its first gate (created here, synchronously).

        Creating the gate before any Trio task starts keeps the order
        independent of when Trio decides to run the new task.
        """
        if name in self.procs:
            raise SimulationError(f"component {name!r} already exists")
        self.ranks[name] = rank
        self.procs[name] = Proc(program, state)
        self._ctxs[name] = Ctx(self, name)
        self._park(name, Park(self.now if at is None else at, action))
        self._start_task(name)

    def _start_task(self, name: str) -> None:
        if self._nursery is not None:
            self._nursery.start_soon(self._host, name, name=name)

    # -- gates --------------------------------------------------------------------
    def _park(self, name: str, park: Park) -> None:
        self._seq += 1
        gate = Gate(park.time, self.ranks[name], self._seq, name, park.action, park.signal)
        self.parked[name] = gate
        if park.signal is not None:
            self._waiters.setdefault(park.signal, []).append(name)
        if gate.time < INFINITY:
            heapq.heappush(self._heap, (gate.time, gate.rank, gate.seq, gate))

    def notify(self, signal: str) -> None:
        """Wake every gate waiting on ``signal``: it becomes runnable at the current instant."""
        for name in self._waiters.pop(signal, ()):
            gate = self.parked.get(name)
            if gate is None or gate.signal != signal:
                continue
            gate.signal = None
            if self.now < gate.time:
                gate.time = self.now
                heapq.heappush(self._heap, (gate.time, gate.rank, gate.seq, gate))

    def _valid(self, entry: tuple[float, int, int, Gate]) -> bool:
        gate = entry[3]
        return self.parked.get(gate.component) is gate and gate.time == entry[0]

    def _top(self) -> Gate | None:
        heap = self._heap
        while heap and not self._valid(heap[0]):
            heapq.heappop(heap)
        return heap[0][3] if heap else None

    def _runnable(self) -> list[Gate]:
        """Gates within ``choice_window`` of the earliest, in ``(time, rank, seq)`` order."""
        first = self._top()
        if first is None:
            return []
        horizon = max(first.time, self.now) + self.choice_window
        heap = self._heap
        taken: list[tuple[float, int, int, Gate]] = []
        while heap and heap[0][0] <= horizon:
            entry = heapq.heappop(heap)
            if self._valid(entry):
                taken.append(entry)
        for entry in taken:
            heapq.heappush(heap, entry)
        return [entry[3] for entry in taken]

    @property
    def seq(self) -> int:
        """The count of gates created so far (it orders gates of equal time and rank): part of a state."""
        return self._seq

    # -- decision points ----------------------------------------------------------
    def choices(self) -> list[Choice]:
        """Runnable components, earliest first.

        Runnable means parked at a gate whose time is within ``choice_window``
        virtual seconds of the earliest gate. Choosing a later gate delays the
        others: time never runs backwards, so a delayed component acts late,
        which is exactly how a straggling Enactor comes about.
        """
        now = self.now
        return [
            Choice(i, g.component, g.action.words(), max(g.time, now), g.action)
            for i, g in enumerate(self._runnable())
        ]

    def next_time(self) -> float | None:
        """Virtual time of the earliest runnable gate, or None when nothing can move."""
        first = self._top()
        return None if first is None else max(first.time, self.now)

    def pending(self) -> list[Gate]:
        """Every parked gate (including ones waiting on a signal), for display."""
        return sorted(self.parked.values(), key=GATE_ORDER)

    def _take(self, index: int) -> Gate:
        """Remove the gate at ``choices()[index]``, advance time and log the choice."""
        if index == 0:
            gate = self._top()
            if gate is None:
                raise SimulationError("no component can move")
        else:
            runnable = self._runnable()
            if not 0 <= index < len(runnable):
                if not runnable:
                    raise SimulationError("no component can move")
                raise SimulationError(f"choice {index} out of range 0..{len(runnable) - 1}")
            gate = runnable[index]
        self._open(gate)
        self.choice_log.append(index)
        self.trace.note_choice(index)
        self._last = (index, gate, self.now)
        return gate

    def _open(self, gate: Gate) -> None:
        """Unpark ``gate`` and advance time to it: the step it opens is under way."""
        del self.parked[gate.component]
        if gate.signal is not None:  # taken at its time, before the signal came
            waiting = self._waiters.get(gate.signal)
            if waiting is not None and gate.component in waiting:
                waiting.remove(gate.component)
        if gate.time > self.now:
            self.now = gate.time
        self.steps += 1

    def last_taken(self) -> tuple[int, Gate, float]:
        """The latest step as taken: its choice index, the gate that opened, the time it happened."""
        if self._last is None:
            raise SimulationError("no step taken yet")
        return self._last

    def last_choice(self) -> Choice:
        """The choice taken at the latest step."""
        if self._last is None:
            raise SimulationError("no step taken yet")
        index, gate, now = self._last
        return Choice(index, gate.component, gate.action.words(), now, gate.action)

    def _act(self, name: str) -> Park | None:
        """Run ``name``'s program for one transition; park it again or retire it."""
        proc = self.procs[name]
        park = proc.program(self._ctxs[name], self.world, proc.state)
        if park is None:
            self.finished.add(name)
            del self.procs[name]
        else:
            if park.time < self.now:
                park = Park(self.now, park.action, park.signal)
            self._park(name, park)
        return park

    # -- running inline (no Trio) ----------------------------------------------------
    def turn(self, index: int = 0) -> Choice:
        """Take one step by running the chosen program in this very call (the explorer's way).

        Only for a controller without a nursery: with Trio tasks, a program
        runs in its own task (:meth:`step`, :meth:`drive`).
        """
        if self._nursery is not None:
            raise SimulationError("turn() runs programs inline: this controller runs them as Trio tasks")
        gate = self._take(index)
        choice = self.last_choice()
        self._act(gate.component)
        return choice

    def turn_named(self, name: str) -> None:
        """:meth:`turn` for the component ``name``, parked at a finite time, without a choice index.

        A search names components, not indices, and recovers indices only for
        the schedules it reports; so the step is not logged as a choice, and
        the choice window is not consulted.
        """
        gate = self.parked[name]
        if gate.time == INFINITY:
            raise SimulationError(f"{name} cannot move: it waits for {gate.signal}")
        self._open(gate)
        self._act(name)

    # -- running as Trio tasks -------------------------------------------------------
    async def _host(self, name: str) -> None:
        """One component's Trio task: wait for the turn, act, pass the baton on."""
        task = trio.lowlevel.current_task()
        while True:
            if self._running != name:
                self._sleepers[name] = task
                await trio.lowlevel.wait_task_rescheduled(self._aborter(name))
            try:
                park = self._act(name)
            except Exception as exc:  # noqa: BLE001  # a crashed component fails the run, in its owner's task
                self._error = exc
                park = None
                self._driver = None
            self._running = None  # between turns: the driver may look at (and snapshot) the run
            upcoming = self._next_turn()
            self._running = upcoming
            if upcoming is None:
                self._wake_owner()
            elif upcoming != name:
                self._wake(upcoming)
            if park is None:
                return

    def _aborter(self, name: str) -> Callable[[Any], trio.lowlevel.Abort]:
        def abort(_raise_cancel: Any) -> trio.lowlevel.Abort:
            self._sleepers.pop(name, None)
            return trio.lowlevel.Abort.SUCCEEDED

        return abort

    def _wake(self, name: str) -> None:
        task = self._sleepers.pop(name, None)
        if task is not None:
            trio.lowlevel.reschedule(task)
        # else: its task has not reached its first wait yet; it will see its turn when it does.

    def _wake_owner(self) -> None:
        owner, self._owner = self._owner, None
        if owner is not None:
            trio.lowlevel.reschedule(owner)

    def _next_turn(self) -> str | None:
        """With a driver, the component whose gate opens next (its gate taken); else None."""
        driver = self._driver
        if driver is None:
            return None
        try:
            index = driver()
            if index is None:
                self._driver = None
                return None
            return self._take(index).component
        except Exception as exc:  # noqa: BLE001  # a failing driver (policy) fails the run, in its owner's task
            self._error = exc
            self._driver = None
            return None

    def _drop_owner(self, _raise_cancel: Any) -> trio.lowlevel.Abort:
        self._owner = None
        self._driver = None
        return trio.lowlevel.Abort.SUCCEEDED

    async def _hand_over(self, name: str) -> None:
        """Give the turn to ``name`` and wait until the turns end (one, or a driven run)."""
        if self._owner is not None or self._running is not None:
            raise SimulationError("the controller is already running a step")
        self._running = name
        self._owner = trio.lowlevel.current_task()
        self._wake(name)
        await trio.lowlevel.wait_task_rescheduled(self._drop_owner)
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    async def step(self, index: int = 0) -> Choice:
        """Let the component at ``choices()[index]`` run until its next gate."""
        if self._nursery is None:
            return self.turn(index)
        gate = self._take(index)
        choice = self.last_choice()
        await self._hand_over(gate.component)
        return choice

    async def drive(self, driver: Callable[[], int | None]) -> None:
        """Step while ``driver()`` returns a choice index; each turn's end opens the next gate.

        ``driver`` runs between steps, in whichever component's task just
        ended its turn; it must not await. None stops the run.
        """
        if self._nursery is None:
            while (index := driver()) is not None:
                self.turn(index)
            return
        index = driver()
        if index is None:
            return
        gate = self._take(index)
        self._driver = driver
        await self._hand_over(gate.component)

    # -- randomness ---------------------------------------------------------------
    def jittered(self, seconds: float) -> float:
        """``seconds`` stretched by up to ``±jitter`` (a fraction), from the run's RNG."""
        if self.jitter <= 0 or seconds <= 0:
            return seconds
        return seconds * (1.0 + self.jitter * (2.0 * self.rng.random() - 1.0))

    # -- snapshots ------------------------------------------------------------------
    def freeze(self) -> dict[str, Any]:
        """Everything of the controller a snapshot needs, as plain data (not yet copied)."""
        if self._running is not None:
            raise SimulationError("a snapshot can only be taken between steps")
        return {
            "now": self.now,
            "steps": self.steps,
            "seq": self._seq,
            "choice_window": self.choice_window,
            "jitter": self.jitter,
            "rng": _pack(self.rng.getstate(), self._rng_start),
            "choice_rng": _pack(self.choice_rng.getstate(), self._choice_rng_start),
            "ranks": self.ranks,
            "finished": self.finished,
            "procs": self.procs,
            "gates": self.pending(),
            "trace": self.trace.state(),
        }

    def thaw(self, frozen: dict[str, Any]) -> None:
        """Continue from :meth:`freeze`'s data (a private copy): same gates, states, RNGs and time."""
        self.choice_window = frozen["choice_window"]
        self.jitter = frozen["jitter"]
        _unpack(self.rng, frozen["rng"])
        _unpack(self.choice_rng, frozen["choice_rng"])
        self.ranks = frozen["ranks"]
        self.resume(frozen["now"], frozen["steps"], frozen["seq"], frozen["finished"], frozen["procs"], frozen["gates"])
        for name in sorted(self.procs, key=lambda n: self.ranks[n]):
            self._start_task(name)

    def resume(
        self, now: float, steps: int, seq: int, finished: set[str], procs: dict[str, Proc], gates: list[Gate]
    ) -> None:
        """Continue from another state of this run between steps: time, counters, components, gates.

        The part of :meth:`thaw` that a search repeats, restoring thousands of
        states into one controller: the gates, signal waiters and the last
        step taken are replaced, and no Trio task is started.
        """
        self.now, self.steps, self._seq = now, steps, seq
        self.finished = finished
        self.procs = procs
        self.choice_log = []
        self._last = None
        parked: dict[str, Gate] = {}
        heap: list[tuple[float, int, int, Gate]] = []
        waiters: dict[str, list[str]] = {}
        ctxs = self._ctxs  # a Ctx holds only the controller and a name: one per name will do, kept
        for gate in gates:
            name = gate.component
            parked[name] = gate
            if gate.signal is not None:
                waiters.setdefault(gate.signal, []).append(name)
            if gate.time < INFINITY:
                heap.append((gate.time, gate.rank, gate.seq, gate))
            if name not in ctxs:
                ctxs[name] = Ctx(self, name)
        heapq.heapify(heap)
        # Waiters wake in the order they started waiting, as in the original run.
        for names in waiters.values():
            if len(names) > 1:
                names.sort(key=lambda n: parked[n].seq)
        self.parked, self._heap, self._waiters = parked, heap, waiters


RngState = tuple[int, bytes, float | None] | None


def _pack(state: tuple[Any, ...], start: tuple[Any, ...]) -> RngState:
    """A Mersenne Twister state compactly (2.5 KiB of bytes, not 625 pickled ints); None if never drawn from."""
    if state == start:
        return None
    version, internal, gauss = state
    return (version, array("I", internal).tobytes(), gauss)


def _unpack(rng: random.Random, packed: RngState) -> None:
    if packed is None:
        return  # as seeded
    version, internal, gauss = packed
    rng.setstate((version, tuple(array("I", internal)), gauss))


class Ctx:
    """What a program may do during its turn: read time and RNG, emit events, notify, say where to park."""

    __slots__ = ("_controller", "name")

    def __init__(self, controller: Controller, name: str) -> None:
        self._controller = controller
        self.name = name

    @property
    def now(self) -> float:
        return self._controller.now

    @property
    def rng(self) -> random.Random:
        return self._controller.rng

    def here(self, action: Action) -> Park:
        """Park before ``action``, runnable at once (an atomic step another component may race)."""
        return Park(self._controller.now, action)

    def after(self, seconds: float, action: Action) -> Park:
        """Let ``seconds`` of virtual time pass, then park before ``action``."""
        if seconds < 0:
            raise SimulationError(f"{self.name}: negative sleep {seconds}")
        return Park(self._controller.now + seconds, action)

    def until(self, time: float, action: Action, signal: str | None = None) -> Park:
        """Park until ``time`` or until ``signal`` is notified, whichever comes first."""
        return Park(max(time, self._controller.now), action, signal)

    def on(self, signal: str, action: Action) -> Park:
        """Park until another component notifies ``signal``."""
        return Park(INFINITY, action, signal)

    def notify(self, signal: str) -> None:
        self._controller.notify(signal)

    def jittered(self, seconds: float) -> float:
        return self._controller.jittered(seconds)

    def emit(self, kind: str, **data: Any) -> None:
        """Record an observable change in the trace."""
        controller = self._controller
        controller.trace.add(controller.now, controller.steps, self.name, kind, data)
