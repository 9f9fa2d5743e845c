"""The DNS core as the explorer drives it: the same components, an untimed controller.

Exploration runs the very component functions that run as Trio tasks in the
replay (Planner, Enactors, clean-ups, Route 53 propagation), built by the same
``install_all`` as every run, through a controller that refuses to start
anything outside the DNS core (operators, resolvers, the cascade): they cannot
influence the race and would only multiply the interleavings. Components
block only on controller gates, so this controller resumes their coroutines
itself rather than through Trio's scheduler (see :class:`CoreController`).

**Untimed semantics.** The controller's ``choice_window`` is infinite, so
every parked gate is runnable and any component may be delayed for as long as
the search likes: that is how a model checker sees the system, and it covers
every "unusually high delay". In the DNS core the clock is observable in one
place only: the TXT lock's expiry, which turns an attempt made too early into
a backoff and a retry. Delaying that Enactor already produces the same
changes to the world, so the explorer advances the clock by more than the
lock's lifetime on every step (:class:`CoreController`). Time then influences
nothing, and the state abstraction can leave it out altogether.

**What a state is.** The zones (trees, alias, rollback), the newest plan,
pending clean-up requests, broken invariants, and each component's gate text
plus the locals its text does not show, reconstructed from the events it
emits (the plan an Enactor saw last; whether the lock it read is still the
lock in the zone). Route 53 propagation is left out: what it publishes is read
by nobody in the core, so the explorer steps it as soon as it can move, and
an Enactor polling for a plan it has already seen changes nothing at all.
Enactors differ only by name, so with symmetry on, states that differ by a
permutation of AZs are one state (:meth:`CoreRun.canonical`).
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import heapq
import math
import pickle
import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from tui.scenario import Scenario
from tui.sim.actions import START, Action
from tui.sim.build import install_all
from tui.sim.components.enactor import EnactorState
from tui.sim.controller import Choice, Controller, Ctx, Gate, Proc, Program, SimulationError
from tui.sim.policies import Manual
from tui.sim.simulation import Simulation, Snapshot, thawed
from tui.sim.trace import Event, Trace, TraceState
from tui.sim.world import DNS_MILESTONES, World

#: Invariants the explorer reports: the world's two plus the end-of-run one.
EXPLORED_INVARIANTS = ("NeverDeleteActive", "EndpointNeverEmpty", "EventuallyRepairable")

#: Components of the DNS core, by name or name prefix.
CORE = ("planner", "route53")
CORE_PREFIXES = ("enactor/", "cleanup/")

#: The component whose steps are invisible to the core (taken eagerly).
INVISIBLE = "route53"


def is_core(name: str) -> bool:
    return name in CORE or name.startswith(CORE_PREFIXES)


class _QuietRandom(random.Random):
    """A random stream that knows whether anything drew from it.

    Nothing in the DNS core draws from the run's streams (the explorer's
    controller has no jitter), yet saving a state packs both streams, and
    reading a Mersenne Twister's state costs more than the rest of a small
    snapshot. While a stream is untouched its state is the one it was seeded
    with, which :meth:`getstate` then returns at no cost.
    """

    def __init__(self, seed: int | str) -> None:
        self.drawn = True
        super().__init__(seed)
        self._start = super().getstate()
        self.drawn = False

    def random(self) -> float:
        self.drawn = True
        return super().random()

    def getrandbits(self, k: int, /) -> int:
        self.drawn = True
        return super().getrandbits(k)

    def getstate(self) -> tuple[Any, ...]:
        return super().getstate() if self.drawn else self._start

    def setstate(self, state: tuple[Any, ...]) -> None:
        super().setstate(state)
        self.drawn = state is not self._start

    def rewind(self) -> None:
        """Back to the state it was seeded with (a run restored in place starts from there)."""
        if self.drawn:
            self.setstate(self._start)


class CoreController(Controller):
    """A controller that starts only the DNS core, runs it inline, and ticks.

    * Filtering at ``spawn`` (rather than writing a second installer) keeps
      the explored world identical to the replayed one, whatever
      ``install_all`` grows into.
    * Components are programs over state, so the explorer runs each step by
      calling the chosen program in place (:meth:`Controller.turn`) instead
      of waking a Trio task and waiting for it to park again: the same
      component code, without scheduler round trips.
    * Each step happens at least ``tick`` virtual seconds after the previous
      one; with a tick longer than the lock's lifetime no lock is still held
      when someone else looks at it (see the module docstring).
    """

    def __init__(self, *, tick: float, keep_trace: bool = True, **kwargs: Any) -> None:
        if kwargs.get("choice_window", math.inf) != math.inf:
            raise SimulationError("the explorer's controller is untimed: choice_window must be infinite")
        if not keep_trace:
            given = kwargs.get("trace")
            kwargs["trace"] = ListenOnlyTrace(None if given is None else given.state())
        super().__init__(None, **kwargs)
        self.tick = tick
        seed = kwargs["seed"]
        self.rng = _QuietRandom(seed)
        self.choice_rng = _QuietRandom(f"choices:{seed}")
        self._rng_start = self.rng.getstate()
        self._choice_rng_start = self.choice_rng.getstate()
        self.seed = seed
        self._ctx_cache: dict[str, Ctx] = {}

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
        if is_core(name):
            super().spawn(name, program, state, rank=rank, at=at, action=action)

    def turn(self, index: int = 0) -> Choice:
        self.now += self.tick
        return super().turn(index)

    def move(self, name: str) -> None:
        """Step the runnable component ``name``: :meth:`turn` without the choice index and its words.

        The explorer names components, not indices (it recovers indices by
        replaying a counterexample at the end), so looking the index up and
        rendering the choice's words on every step would be wasted.
        """
        self.now += self.tick
        gate = self.parked[name]
        if gate.time == math.inf:
            raise SimulationError(f"{name} cannot move: it waits for {gate.signal}")
        del self.parked[name]
        if gate.signal is not None:  # taken at its time, before the signal came
            waiting = self._waiters.get(gate.signal)
            if waiting is not None and name in waiting:
                waiting.remove(name)
        if gate.time > self.now:
            self.now = gate.time
        self.steps += 1
        self._act(name)

    def pack(self) -> tuple[Any, ...]:
        """What a search state needs of the controller, as flat tuples: :meth:`unpack` continues from it.

        :meth:`freeze` keeps gates and components as objects (a snapshot any
        controller can thaw); pickled, each costs a reduce call and a
        constructor call. A search saves and restores tens of thousands of
        states in one run whose ranks, timing and trace never change, so it
        keeps one tuple per component instead (its program, state and gate)
        and leaves the constant parts out: a third less to pickle.
        """
        if self._running is not None:
            raise SimulationError("a state can only be saved between steps")
        procs = self.procs
        entries = tuple(
            (
                name,
                procs[name].program,
                procs[name].state,
                g.time,
                g.rank,
                g.seq,
                g.action.kind,
                g.action.args,
                g.signal,
            )
            for name, g in self.parked.items()
        )
        rngs = tuple(None if not r.drawn else r.getstate() for r in (self.rng, self.choice_rng))  # type: ignore[attr-defined]
        return (self.now, self.steps, self._seq, tuple(self.finished), entries, rngs)

    def unpack(self, packed: tuple[Any, ...], world: World) -> None:
        """Continue from :meth:`pack`'s data in this controller (the one that packed it, or one like it)."""
        if not isinstance(self.trace, ListenOnlyTrace):
            raise SimulationError("only a run without a kept trace can be restored in place")
        now, steps, seq, finished, entries, rngs = packed
        for stream, state in zip((self.rng, self.choice_rng), rngs, strict=True):
            if state is None:
                stream.rewind()  # type: ignore[attr-defined]
            else:
                stream.setstate(state)
        self.now, self.steps, self._seq = now, steps, seq
        self.finished = set(finished)
        procs: dict[str, Proc] = {}
        parked: dict[str, Gate] = {}
        heap: list[tuple[float, int, int, Gate]] = []
        waiters: dict[str, list[str]] = {}
        ctxs: dict[str, Ctx] = {}
        known = self._ctx_cache  # a Ctx holds only the controller and a name: one per name will do
        for name, program, state, time, rank, gate_seq, kind, args, signal in entries:
            procs[name] = Proc(program, state)
            gate = Gate(time, rank, gate_seq, name, Action(kind, args), signal)
            parked[name] = gate
            if signal is not None:
                waiters.setdefault(signal, []).append(name)
            if time < math.inf:
                heap.append((time, rank, gate_seq, gate))
            ctx = known.get(name)
            if ctx is None:
                ctx = known[name] = Ctx(self, name)
            ctxs[name] = ctx
        heapq.heapify(heap)
        # Waiters wake in the order they started waiting, as in the original run (as Controller.thaw).
        for names in waiters.values():
            names.sort(key=lambda n: parked[n].seq)
        self.procs, self.parked, self._heap, self._waiters, self._ctxs = procs, parked, heap, waiters, ctxs
        self.choice_log = []
        self._last = None
        self.world = world

    def restore(self, frozen: dict[str, Any], world: World) -> None:
        """Continue from :meth:`freeze`'s data in this very controller, as a new one would.

        Restoring in place skips what building a controller costs (two seeded
        random streams, a trace); the search restores tens of thousands of
        states. Only for a controller whose trace merely forwards events: a
        kept trace would not match the restored state.
        """
        if not isinstance(self.trace, ListenOnlyTrace):
            raise SimulationError("only a run without a kept trace can be restored in place")
        self.rng.rewind()  # type: ignore[attr-defined]
        self.choice_rng.rewind()  # type: ignore[attr-defined]
        self.parked = {}
        self._heap = []
        self._waiters = {}
        self._ctxs = {}
        self.choice_log = []
        self._last = None
        self.world = world
        self.thaw(frozen)


class ListenOnlyTrace(Trace):
    """A trace that only forwards events to listeners: a search needs no history and no hash."""

    def __init__(self, state: TraceState | None = None) -> None:
        super().__init__(state)

    def add(self, time: float, step: int, component: str, kind: str, data: dict[str, Any]) -> Event:
        event = Event(time, step, component, kind, data)
        for listener in self._listeners:
            listener(event)
        return event

    def note_choice(self, index: int) -> None:
        pass


_CORE_SCENARIOS: dict[int, tuple[Scenario, Scenario]] = {}


def core_scenario(scenario: Scenario) -> Scenario:
    """The scenario as explored: without the timed slow-Enactor fault.

    With every gate runnable the explorer already delays any Enactor by any
    amount; a fault tied to clock times would make time observable again.
    """
    cached = _CORE_SCENARIOS.get(id(scenario))
    if cached is not None and cached[0] is scenario:
        return cached[1]
    explored = scenario
    if scenario.get("faults").get("slow_enactor"):
        data = copy.deepcopy(scenario.data)
        data["faults"].pop("slow_enactor", None)
        explored = dataclasses.replace(scenario, data=data)
    _CORE_SCENARIOS.clear()
    _CORE_SCENARIOS[id(scenario)] = (scenario, explored)
    return explored


@dataclass(frozen=True)
class Footprint:
    """What one atomic action may read and write, for deciding whether two commute.

    Resources: ``plans`` (the newest plan), ``alias:E`` (alias and rollback
    record of endpoint E), ``trees:E`` (its record trees), ``lock:E`` (its TXT
    lock) and ``cleanup:AZ`` (the clean-up request an Enactor leaves for its
    clean-up). Recording a broken invariant is a set union and commutes.
    """

    reads: frozenset[str]
    writes: frozenset[str]

    def conflicts(self, other: Footprint) -> bool:
        return bool(self.writes & (other.reads | other.writes) or other.writes & self.reads)


class CoreRun:
    """One explored run: the controller, the world and the reconstructed locals."""

    def __init__(self, controller: Controller, world: World, seed: int) -> None:
        self.controller = controller
        self.world = world
        self.seed = seed
        self.endpoints: list[str] = list(world.scenario.get("dns.endpoints"))
        self.tolerant = bool(world.scenario.get("fixes.rollback_tolerates_missing"))
        self.azs: list[str] = world.scenario.enactor_names()
        self._blocks = [(az, f"enactor/{az}", f"cleanup/{az}") for az in self.azs]
        self.symmetry = True
        self._canon: tuple[str, dict[str, str]] | None = None
        self._renames: dict[tuple[int, ...], dict[str, str]] = {}
        self._footprints: dict[tuple[str, Action], Footprint] = {}
        self._independent: dict[tuple[str, Action, str, Action], bool] = {}
        self._canon_at = -1
        self._cached_at = -1
        self._pending: list[Gate] = []
        self._gates: list[Gate] = []

    # -- component states ---------------------------------------------------------
    def enactor_state(self, component: str) -> EnactorState | None:
        """An Enactor's own state (None for another component, or one that has ended)."""
        proc = self.controller.procs.get(component)
        return proc.state if proc is not None and isinstance(proc.state, EnactorState) else None

    # -- what can move ---------------------------------------------------------
    def pending(self) -> list[Gate]:
        """Every parked gate, in the controller's order; cached until the next step."""
        if self._cached_at != self.controller.steps:
            self._pending = self.controller.pending()
            self._gates = [g for g in self._pending if g.time < math.inf]
            self._cached_at = self.controller.steps
        return self._pending

    def gates(self) -> list[Gate]:
        """Runnable gates in the controller's own order (``choices()[i]`` is ``gates()[i]``)."""
        self.pending()
        return self._gates

    def gate_of(self, component: str) -> Gate:
        for gate in self.gates():
            if gate.component == component:
                return gate
        raise KeyError(component)

    def index_of(self, component: str) -> int:
        for i, gate in enumerate(self.gates()):
            if gate.component == component:
                return i
        raise KeyError(component)

    async def step(self, component: str) -> int:
        """Run ``component``'s next atomic action; return the choice index it had."""
        index = self.index_of(component)
        await self.controller.step(index)
        return index

    async def step_index(self, index: int) -> str:
        gate = self.gates()[index]
        await self.controller.step(index)
        return gate.component

    def is_idle_poll(self, gate: Gate) -> bool:
        """An Enactor about to look for a plan it has already seen: a step that changes nothing."""
        if gate.action.kind != "enactor.poll":
            return False
        state = self.enactor_state(gate.component)
        seen = None if state is None else state.last_seen
        latest = self.world.plans.latest_generation
        return latest is None or seen == latest

    def moves(self) -> list[str]:
        """The components worth choosing here, in the controller's order.

        Route 53 propagation alone when it can move (it is invisible to the
        core, so taking it at once loses nothing); never an idle poll.
        """
        gates = self.gates()
        eager = self._eager(gates)
        if eager is not None:
            return [eager]
        return [g.component for g in gates if not self.is_idle_poll(g)]

    @staticmethod
    def _eager(gates: list[Gate]) -> str | None:
        for gate in gates:
            if gate.component == INVISIBLE or gate.action.kind == "start":
                return gate.component
        return None

    # -- stepping: the searches call these directly, no Trio involved ---------------
    def settle_now(self, log: list[tuple[int, str]] | None = None) -> None:
        """Take invisible steps until a real choice is due (``log`` gets index and words of each).

        Invisible: Route 53 propagation, and every component's first step
        (an Enactor parks for its first poll, a clean-up for its first request;
        neither touches anything another component reads).
        """
        while (eager := self._eager(self.gates())) is not None:
            self.take_now(eager, log)

    def take_now(self, component: str, log: list[tuple[int, str]] | None = None) -> None:
        """One step of ``component``, logged as (choice index, "component: action") if ``log`` is given."""
        if log is None:
            self.controller.move(component)  # type: ignore[attr-defined]
            return
        gate = self.gate_of(component)
        index = self.index_of(component)
        self.controller.turn(index)
        log.append((index, f"{component}: {gate.action.words()}"))

    def advance_now(self, component: str, log: list[tuple[int, str]] | None = None) -> None:
        """A chosen step, then the invisible ones it enabled: one edge of the explored graph."""
        self.take_now(component, log)
        self.settle_now(log)

    async def settle(self, log: list[tuple[int, str]] | None = None) -> None:
        """:meth:`settle_now`, awaitable like every opener's API."""
        self.settle_now(log)

    async def take(self, component: str, log: list[tuple[int, str]] | None = None) -> None:
        """:meth:`take_now`, awaitable."""
        self.take_now(component, log)

    async def advance(self, component: str, log: list[tuple[int, str]] | None = None) -> None:
        """:meth:`advance_now`, awaitable."""
        self.advance_now(component, log)

    # -- copying ---------------------------------------------------------------------
    def save(self) -> bytes:
        """This state as bytes, what a search keeps per open state and ships to its workers.

        Not a :class:`Snapshot`'s blob: the controller's part is packed
        compactly (:meth:`CoreController.pack`), and every state of the search
        shares the scenario, which a snapshot would carry along when pickled.
        :meth:`load` continues from it in a run of the same scenario.
        """
        packed = self.controller.pack()  # type: ignore[attr-defined]
        return pickle.dumps((packed, self.world), protocol=pickle.HIGHEST_PROTOCOL)

    def load(self, blob: bytes) -> None:
        """Continue from a :meth:`save`'d state of the same scenario and seed, in this very run."""
        packed, world = pickle.loads(blob)
        world.attach(self.world.scenario)
        self.controller.unpack(packed, world)  # type: ignore[attr-defined]
        self.world = world
        self._cached_at = self._canon_at = -1

    def snapshot(self) -> Snapshot:
        """Copy this run here; :func:`core_run` with ``snapshot=`` (or :meth:`restore`) continues it."""
        c = self.controller
        blob = pickle.dumps((c.freeze(), self.world, None), protocol=pickle.HIGHEST_PROTOCOL)
        return Snapshot(self.world.scenario, "manual", self.seed, c.steps, c.now, len(c.trace), blob)

    def restore(self, snapshot: Snapshot) -> None:
        """Continue from ``snapshot`` in this run (same scenario and seed; a run without a kept trace)."""
        if snapshot.seed != self.seed:
            raise SimulationError(f"a snapshot of seed {snapshot.seed} cannot continue a run of seed {self.seed}")
        frozen, world, _plan = pickle.loads(snapshot.blob)
        world.attach(self.world.scenario)
        self.controller.restore(frozen, world)  # type: ignore[attr-defined]
        self.world = world
        self._cached_at = self._canon_at = -1

    def planner_done(self) -> bool:
        return "planner" in self.controller.finished

    def quiescent(self) -> bool:
        """Nothing left that could change the state (the Planner may still be running)."""
        return not self.moves()

    # -- invariants ------------------------------------------------------------
    def stuck_zones(self) -> list[str]:
        """Zones where a batch for any other plan would abort on the rollback record."""
        out = []
        for endpoint, zone in self.world.route53.zones.items():
            if zone.alias is not None and zone.alias not in zone.trees and not self.tolerant:
                out.append(endpoint)
        return out

    def _repairs(self, endpoint: str, generation: int) -> bool:
        """Could some Enactor still rebuild ``generation``'s tree in ``endpoint`` (the only way out)?"""
        latest = self.world.plans.latest_generation
        for gate in self.pending():
            if not gate.component.startswith("enactor/"):
                continue
            action = gate.action
            if action.kind in ("enactor.apply", "enactor.retry", "enactor.read_lock"):
                if action["plan"] == generation:
                    return True
            elif action.kind == "enactor.poll" and latest == generation and not self.is_idle_poll(gate):
                return True
        return False

    def unrepairable(self) -> list[str]:
        """Stuck zones that no Enactor can repair any more, once the Planner has stopped.

        An Enactor that finds a zone stuck retries its batch forever, so the
        run never goes quiet; what decides is whether any Enactor still holds
        (or will pick up) the very plan whose tree is missing.
        """
        if not self.planner_done():
            return []
        zones = self.world.route53.zones
        return [ep for ep in self.stuck_zones() if not self._repairs(ep, zones[ep].alias)]  # type: ignore[arg-type]

    def violations(self) -> frozenset[str]:
        """Invariants broken so far, plus ``EventuallyRepairable`` for a zone no Enactor can repair."""
        found = {v for v in self.world.violations if v in EXPLORED_INVARIANTS}
        if self.unrepairable():
            found.add("EventuallyRepairable")
        return frozenset(found)

    def regional_empty(self) -> bool:
        """Does the regional endpoint's zone resolve to no address right now?"""
        return not self.world.route53.zones[self.world.regional].answer()

    # -- the state abstraction ---------------------------------------------------
    def fingerprint(self) -> bytes:
        """A digest of :meth:`abstract_state` (of :meth:`canonical`'s text with symmetry on)."""
        text = self.canonical()[0] if self.symmetry else repr(self.abstract_state())
        return hashlib.blake2b(text.encode(), digest_size=16).digest()

    def _gate_info(self, gate: Gate) -> tuple[Any, ...]:
        """A gate as the abstraction sees it: action, waiting on a signal, locals not in the action."""
        local: tuple[Any, ...] = ()
        action = gate.action
        kind = action.kind
        if kind in ("enactor.apply", "enactor.poll", "enactor.retry"):
            state = self.enactor_state(gate.component)
            if state is not None and state.last_seen is not None:  # else it has nothing of its own yet
                if kind == "enactor.apply":
                    local = (state.read_lock == self.world.route53.zones[action["endpoint"]].lock,)
                elif kind == "enactor.poll":
                    # Only whether a newer plan is waiting matters, not which one was seen.
                    local = (self.is_idle_poll(gate),)
                else:
                    # A retry reads the lock and goes on exactly like a first attempt.
                    kind, args = "enactor.read_lock", (("endpoint", action["endpoint"]), ("plan", action["plan"]))
                    return (kind, args, gate.time == math.inf, local)
        # Kind and arguments identify the action exactly.
        return (kind, action.args, gate.time == math.inf, local)

    def _zones(self) -> tuple[Any, ...]:
        return tuple(
            (ep, tuple(sorted(z.trees)), z.alias, z.rollback) for ep, z in sorted(self.world.route53.zones.items())
        )

    def _world(self) -> tuple[Any, ...]:
        return (
            self.world.plans.latest_generation,
            tuple(sorted(v for v in self.world.violations if v in EXPLORED_INVARIANTS)),
            self.planner_done(),
        )

    def abstract_state(self) -> tuple[Any, ...]:
        """Everything that can influence the core's future or its invariants (see the module docstring)."""
        gates = tuple(
            (g.component, *self._gate_info(g))
            for g in sorted(self.pending(), key=lambda g: g.component)
            if g.component != INVISIBLE
        )
        requests = tuple(sorted(self.world.cleanup_requests.items()))
        return (self._zones(), gates, requests, self._world())

    def canonical(self) -> tuple[str, dict[str, str]]:
        """The abstract state up to renaming Availability Zones, as text, and the renaming used.

        The Enactors (each with its clean-up) run the same code and differ
        only by name, which nothing in the core reads (the lock holder's name
        is not part of the state: see the module docstring). So each AZ's
        block (its Enactor's gate, its clean-up's gate, the pending request)
        is sorted, and AZs are renamed ``#0``, ``#1``, ... in that order: two
        states that differ by a permutation of AZs hash the same. Sorting
        by any total order of the blocks gives the same classes; sorting by
        their ``repr`` needs no order between unlike values, and the sorted
        texts are the state's text as they are (it is hashed on every step,
        so each part is rendered once).
        """
        if self._canon_at == self.controller.steps and self._canon is not None:
            return self._canon
        parked = self.controller.parked
        info = self._gate_info
        requests = self.world.cleanup_requests
        blocks = []
        for i, (az, enactor, cleanup) in enumerate(self._blocks):
            e, c = parked.get(enactor), parked.get(cleanup)
            block = (None if e is None else info(e), None if c is None else info(c), requests.get(az))
            blocks.append((repr(block), i))
        blocks.sort()
        order = tuple(i for _, i in blocks)
        rename = self._renames.get(order)
        if rename is None:
            rename = self._renames[order] = self._rename(order)
        others = sorted((c, info(g)) for c, g in parked.items() if c != INVISIBLE and not c.startswith(CORE_PREFIXES))
        text = "|".join((repr(self._zones()), repr(others), *(b for b, _ in blocks), repr(self._world())))
        self._canon, self._canon_at = (text, rename), self.controller.steps
        return self._canon

    def _rename(self, order: tuple[int, ...]) -> dict[str, str]:
        """The renaming that puts AZ ``order[0]`` first (``#0``), then ``order[1]``, and so on."""
        rename: dict[str, str] = {}
        for position, i in enumerate(order):
            az = self.azs[i]
            rename[f"enactor/{az}"] = f"enactor/#{position}"
            rename[f"cleanup/{az}"] = f"cleanup/#{position}"
        return rename

    def canonical_name(self, component: str) -> str:
        """``component``'s name in the canonical frame (itself without symmetry)."""
        return self.canonical()[1].get(component, component) if self.symmetry else component

    def concrete_name(self, canonical: str) -> str:
        """The component that plays the part of ``canonical`` in this run's current state."""
        if not self.symmetry:
            return canonical
        for name, canon in self.canonical()[1].items():
            if canon == canonical:
                return name
        return canonical

    # -- commutation ---------------------------------------------------------------
    def footprint(self, gate: Gate) -> Footprint:
        """Resources the component's next atomic action may touch, read off its structured action.

        An action of a kind not listed here may touch everything: a new
        component or a new kind of step can make the search slower, never
        unsound. A footprint depends on the component and its action only,
        and the depth-first search asks for the same few many times: each is
        worked out once per run.
        """
        key = (gate.component, gate.action)
        known = self._footprints.get(key)
        if known is None:
            known = self._footprints[key] = self._footprint(*key)
        return known

    def _footprint(self, comp: str, action: Action) -> Footprint:
        kind = action.kind
        none: frozenset[str] = frozenset()
        if kind == "planner.issue":
            return Footprint(none, frozenset({"plans"}))
        if kind in ("route53.wait", "route53.propagate") or (comp == INVISIBLE and kind == "start"):
            return Footprint(none, none)
        last = self.endpoints[-1]
        own = f"cleanup:{comp.split('/', 1)[1]}" if "/" in comp else ""
        if kind == "cleanup.delete":
            ep = action["endpoint"]
            writes = {f"trees:{ep}"} | ({own} if ep == last else set())
            return Footprint(frozenset({f"alias:{ep}"}), frozenset(writes))
        if kind in ("cleanup.wait",) or (kind == "start" and comp.startswith("cleanup/")):
            return Footprint(none, frozenset({own}))
        if kind == "enactor.poll":
            return Footprint(frozenset({"plans"} | {f"alias:{e}" for e in self.endpoints}), none)
        if kind == "enactor.apply":
            ep = action["endpoint"]
            writes = {f"lock:{ep}", f"trees:{ep}", f"alias:{ep}"} | ({own} if ep == last else set())
            return Footprint(none, frozenset(writes))
        if kind in ("enactor.read_lock", "enactor.retry"):
            return Footprint(frozenset({f"lock:{action['endpoint']}"}), none)
        if kind == "start" and comp.startswith("enactor/"):
            return Footprint(none, none)  # parks for its first poll
        everything = frozenset(
            {"plans"}
            | {f"{k}:{e}" for k in ("alias", "trees", "lock") for e in self.endpoints}
            | {f"cleanup:{az}" for az in self.world.scenario.enactor_names()}
        )
        return Footprint(everything, everything)

    def _future(self, gate: Gate) -> Footprint | None:
        """Everything a postponable component could still touch, or None if it is not postponable.

        Only the Planner (it only ever writes ``plans``) and the clean-ups
        (pop their own request, read aliases, delete trees) have a future small
        enough to be worth it; an Enactor's future is everything.
        """
        if gate.component == "planner":
            return Footprint(frozenset(), frozenset({"plans"}))
        if gate.component.startswith("cleanup/"):
            own = f"cleanup:{gate.component.split('/', 1)[1]}"
            return Footprint(
                frozenset(f"alias:{e}" for e in self.endpoints),
                frozenset({own} | {f"trees:{e}" for e in self.endpoints}),
            )
        return None

    def persistent(self, moves: list[str]) -> tuple[list[str], list[str]]:
        """Split ``moves`` into a persistent set to explore and the moves it may postpone.

        A component may wait if nothing it could ever do conflicts with the
        steps the others are parked at, including Enactors polling for a plan
        they have seen (a new plan would wake them): then every interleaving
        that moves it first has an equivalent one that moves it later.
        """
        gates = {g.component: g for g in self.gates()}
        postponed = []
        for component in moves:
            future = self._future(gates[component])
            if future is None:
                continue
            others = [g for name, g in gates.items() if name != component]
            if not any(future.conflicts(self.footprint(g)) for g in others):
                postponed.append(component)
        if not postponed:
            return moves, []
        kept = [c for c in moves if c not in postponed]
        if not kept:
            kept, postponed = moves[:1], moves[1:]
        return kept, postponed

    def independent(self, a: Gate, b: Gate) -> bool:
        """Do the two runnable steps commute? (Time is unobservable, so footprints decide.)"""
        if a.component == b.component:
            return False
        key = (a.component, a.action, b.component, b.action)
        known = self._independent.get(key)
        if known is None:
            known = self._independent[key] = not self.footprint(a).conflicts(self.footprint(b))
        return known


def core_run(
    scenario: Scenario,
    seed: int | None = None,
    *,
    keep_trace: bool = False,
    snapshot: Snapshot | None = None,
    events: list[Event] | None = None,
    lean: bool | None = None,
) -> CoreRun:
    """The DNS core of ``scenario``, untimed: fresh, or continued from ``snapshot`` (see :meth:`CoreRun.snapshot`).

    Searches run thousands of these, so by default the trace only feeds the
    explorer's listeners; ``keep_trace`` keeps the full, hashed trace.
    ``lean`` (the default without a kept trace) builds the world with the
    same installers, then drops what only the cascade uses (see
    :func:`lean_world`): a search saves and restores the world on every step.
    A run for the replay (``keep_trace``) keeps the whole world, which the
    replay UI's panels read.
    """
    explored = core_scenario(scenario)
    run_seed = scenario.get("scenario.seed") if seed is None else seed
    if snapshot is not None:
        run_seed = snapshot.seed
    restored = None if snapshot is None else thawed(snapshot, events, explored)
    controller = CoreController(
        keep_trace=keep_trace,
        tick=explored.get("dns.enactor.lock_ttl_s") + 1.0,
        seed=run_seed,
        start_time=explored.time("scenario.start"),
        choice_window=math.inf,
        jitter=0.0,
        trace=None if restored is None else restored[3],
    )
    if restored is None:
        world = install_all(explored, controller)
        if not keep_trace if lean is None else lean:
            lean_world(world)
    else:
        frozen, world, _plan, _trace = restored
        controller.world = world
        controller.thaw(frozen)
    return CoreRun(controller, world, run_seed)


def lean_world(world: World) -> World:
    """Drop the cascade's part of a freshly installed world: its region flags, milestones and health lanes.

    The explorer's controller never starts a cascade component, and no
    component of the DNS core reads or writes ``world.flags``, nor any
    milestone or health lane but the DNS ones; yet the cascade's entries are
    most of a world's objects, and a search pickles the world for every state
    it keeps and unpickles it for every step it takes. Milestones and lanes are
    looked up with ``get`` and set on first use, so the core behaves the same
    without the others (a test walks both worlds side by side).
    """
    world.flags = {}
    world.milestones = {k: v for k, v in world.milestones.items() if k in DNS_MILESTONES}
    world.health = {k: v for k, v in world.health.items() if k == "dns"}
    return world


@asynccontextmanager
async def open_core(
    scenario: Scenario, seed: int | None = None, *, keep_trace: bool = False, snapshot: Snapshot | None = None
) -> AsyncIterator[CoreRun]:
    """:func:`core_run` as a context, the shape every opener of a run has."""
    yield core_run(scenario, seed, keep_trace=keep_trace, snapshot=snapshot)


@asynccontextmanager
async def open_core_simulation(
    scenario: Scenario,
    policy: str = "manual",
    seed: int | None = None,
    *,
    snapshot: Snapshot | None = None,
    events: list[Event] | None = None,
) -> AsyncIterator[Simulation]:
    """The explored world as a :class:`Simulation`, to replay an explorer's session.

    Matches :func:`tui.sim.simulation.open_simulation`'s signature, so a
    session whose header says ``"world": "dns-core"`` replays, forks and
    restores checkpoints in it. Choices are taken by index, so ``policy``
    only names the run.
    """
    run = core_run(scenario, seed, keep_trace=True, snapshot=snapshot, events=events)
    yield Simulation(run.controller, run.world, Manual(), run.seed)
