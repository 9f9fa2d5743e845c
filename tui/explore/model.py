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
import math
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Generator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from tui.scenario import Scenario
from tui.sim.build import install_all
from tui.sim.components.route53 import Lock
from tui.sim.controller import Choice, Controller, Ctx, Gate, Signal, SimulationError
from tui.sim.policies import Manual
from tui.sim.simulation import Simulation
from tui.sim.trace import Event, Trace
from tui.sim.world import World

#: Invariants the explorer reports: the world's two plus the end-of-run one.
EXPLORED_INVARIANTS = ("NeverDeleteActive", "EndpointNeverEmpty", "EventuallyRepairable")

#: Components of the DNS core, by name or name prefix.
CORE = ("planner", "route53")
CORE_PREFIXES = ("enactor/", "cleanup/")

#: The component whose steps are invisible to the core (taken eagerly).
INVISIBLE = "route53"

_APPLY = re.compile(r"^apply plan (\d+) to (\S+)$")
_READ = re.compile(r"^read the lock on (\S+) for plan (\d+)$")
_RETRY = re.compile(r"^retry plan (\d+) on (\S+) \(attempt \d+\)$")
_DELETE = re.compile(r"^delete plans older than -?\d+ from (\S+)$")


def is_core(name: str) -> bool:
    return name in CORE or name.startswith(CORE_PREFIXES)


class _Parked:
    """What a component's coroutine yields when it parks at a gate (see :class:`CoreController`)."""

    __slots__ = ()

    def __await__(self) -> Generator[_Parked, None, None]:
        yield self


_PARKED = _Parked()


class CoreController(Controller):
    """A controller that starts only the DNS core, drives it directly, and ticks.

    * Filtering at ``spawn`` (rather than writing a second installer) keeps
      the explored world identical to the replayed one, whatever
      ``install_all`` grows into; cascade monitors (``observe``) do not run.
    * Components block only on the controller's gates, never on Trio itself,
      so the explorer resumes each component's coroutine by hand (``send``)
      instead of waking a Trio task and waiting for it to park again: the same
      component code, without two scheduler round trips per step. Searches
      replay thousands of runs from the root, so this is most of their cost.
    * Each step happens at least ``tick`` virtual seconds after the previous
      one; with a tick longer than the lock's lifetime no lock is still held
      when someone else looks at it (see the module docstring).
    """

    def __init__(self, *, tick: float, keep_trace: bool = True, **kwargs: Any) -> None:
        if kwargs.get("choice_window", math.inf) != math.inf:
            raise SimulationError("the explorer's controller is untimed: choice_window must be infinite")
        super().__init__(None, **kwargs)  # type: ignore[arg-type]  # no nursery: nothing runs as a Trio task
        self.tick = tick
        self._coros: dict[str, Coroutine[Any, Any, None]] = {}
        if not keep_trace:
            self.trace = ListenOnlyTrace()

    def spawn(
        self,
        name: str,
        body: Callable[[Ctx], Awaitable[None]],
        *,
        rank: int | None = None,
        at: float | None = None,
        action: str = "start",
    ) -> None:
        if not is_core(name):
            return
        if name in self._ranks and name not in self.finished:
            raise SimulationError(f"component {name!r} already exists")
        self.finished.discard(name)
        if rank is None:
            rank = self._ranks.get(name, len(self._ranks))
        self._ranks[name] = rank
        self._new_gate(name, action, self.now if at is None else at)
        coro = body(Ctx(self, name))
        if not isinstance(coro, Coroutine):
            raise SimulationError(f"component {name!r} is not a coroutine function")
        self._coros[name] = coro

    def observe(self, callback: Callable[[Controller], None]) -> None:
        """Cascade monitors do not run during exploration."""

    async def _park(self, ctx: Ctx, action: str, time: float, signal: Signal | None = None) -> None:
        self._leave_turn(ctx, action, time, signal)
        await _PARKED

    async def step(self, index: int = 0) -> Choice:
        """Run the chosen component until it parks again (or ends), in this very call."""
        self.now += self.tick
        gate, choice = self._take(index)  # the window is infinite: every live gate is a choice
        name = gate.component
        try:
            yielded = self._coros[name].send(None)
        except StopIteration:
            self.finished.add(name)
            self._running = None
            del self._coros[name]
        else:
            if yielded is not _PARKED:
                raise SimulationError(f"{name} waited on something other than the controller: {yielded!r}")
        return choice

    def close(self) -> None:
        """Close every component coroutine still parked (the run is over)."""
        for coro in self._coros.values():
            coro.close()
        self._coros.clear()


class ListenOnlyTrace(Trace):
    """A trace that only forwards events to listeners: a search needs no history and no hash."""

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


@dataclass
class EnactorState:
    """An Enactor's locals that its gate text does not show."""

    last_seen: int | None = None
    read_lock: Lock | None = None


class CoreRun:
    """One explored run: the controller, the world and the reconstructed locals."""

    def __init__(self, controller: Controller, world: World, seed: int) -> None:
        self.controller = controller
        self.world = world
        self.seed = seed
        self.endpoints: list[str] = list(world.scenario.get("dns.endpoints"))
        self.tolerant = bool(world.scenario.get("fixes.rollback_tolerates_missing"))
        self.enactors: dict[str, EnactorState] = {}
        self.symmetry = True
        self._canon: tuple[tuple[Any, ...], dict[str, str]] | None = None
        self._canon_at = -1
        self._cached_at = -1
        self._pending: list[Gate] = []
        self._gates: list[Gate] = []
        controller.trace.listen(self._on_event)

    # -- reconstructing locals from the trace ------------------------------------
    def _on_event(self, event: Event) -> None:
        if not event.component.startswith("enactor/"):
            return
        state = self.enactors.setdefault(event.component, EnactorState())
        if event.kind in ("plan.checked", "plan.skipped"):
            state.last_seen = event.data["plan"]
        elif event.kind == "lock.read":
            # Emitted right after the Enactor read the lock: this is the value its
            # batch's preamble will expect.
            state.read_lock = self.world.route53.zones[event.data["endpoint"]].lock

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
        if not gate.component.startswith("enactor/") or gate.action != "look for a newer plan":
            return False
        state = self.enactors.get(gate.component)
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
            if gate.component == INVISIBLE or gate.action == "start":
                return gate.component
        return None

    async def settle(self, log: list[tuple[int, str]] | None = None) -> None:
        """Take invisible steps until a real choice is due (``log`` gets index and words of each).

        Invisible: Route 53 propagation, and every component's first step
        (an Enactor parks for its first poll, a clean-up for its first request;
        neither touches anything another component reads).
        """
        while (eager := self._eager(self.gates())) is not None:
            await self.take(eager, log)

    async def take(self, component: str, log: list[tuple[int, str]] | None = None) -> None:
        """One step of ``component``, logged as (choice index, "component: action")."""
        gate = self.gate_of(component)
        index = await self.step(component)
        if log is not None:
            log.append((index, f"{component}: {gate.action}"))

    async def advance(self, component: str, log: list[tuple[int, str]] | None = None) -> None:
        """A chosen step, then the invisible ones it enabled: one edge of the explored graph."""
        await self.take(component, log)
        await self.settle(log)

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
            match = _APPLY.match(gate.action) or _RETRY.match(gate.action)
            if match and int(match[1]) == generation:
                return True
            match = _READ.match(gate.action)
            if match and int(match[2]) == generation:
                return True
            if gate.action == "look for a newer plan" and latest == generation and not self.is_idle_poll(gate):
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
        """A digest of :meth:`abstract_state` (of :meth:`canonical` with symmetry on)."""
        state = self.canonical()[0] if self.symmetry else self.abstract_state()
        return hashlib.blake2b(repr(state).encode(), digest_size=16).digest()

    def _gate_info(self, gate: Gate) -> tuple[Any, ...]:
        """A gate as the abstraction sees it: action, waiting on a signal, locals not in the text."""
        local: tuple[Any, ...] = ()
        state = self.enactors.get(gate.component)
        action = gate.action
        if state is not None:
            match = _APPLY.match(action)
            if match:
                local = (state.read_lock == self.world.route53.zones[match[2]].lock,)
            elif action == "look for a newer plan":
                # Only whether a newer plan is waiting matters, not which one was seen.
                local = (self.is_idle_poll(gate),)
            else:
                # A retry reads the lock and goes on exactly like a first attempt.
                retry = _RETRY.match(action)
                if retry:
                    action = f"read the lock on {retry[2]} for plan {retry[1]}"
        return (action, gate.time == math.inf, local)

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

    def canonical(self) -> tuple[tuple[Any, ...], dict[str, str]]:
        """The abstract state up to renaming Availability Zones, and the renaming used.

        The Enactors (each with its clean-up) run the same code and differ
        only by name, which nothing in the core reads (the lock holder's name
        is not part of the state: see the module docstring). So each AZ's
        block (its Enactor's gate, its clean-up's gate, the pending request)
        is sorted, and AZs are renamed ``#0``, ``#1``, ... in that order: two
        states that differ by a permutation of AZs hash the same.
        """
        if self._canon_at == self.controller.steps and self._canon is not None:
            return self._canon
        by_name = {g.component: self._gate_info(g) for g in self.pending() if g.component != INVISIBLE}
        others = tuple(sorted((c, info) for c, info in by_name.items() if not c.startswith(CORE_PREFIXES)))
        blocks = []
        for az in self.world.scenario.enactor_names():
            block = (by_name.get(f"enactor/{az}"), by_name.get(f"cleanup/{az}"), self.world.cleanup_requests.get(az))
            blocks.append((repr(block), block, az))
        blocks.sort(key=lambda b: b[0])
        rename: dict[str, str] = {}
        for i, (_, _, az) in enumerate(blocks):
            rename[f"enactor/{az}"] = f"enactor/#{i}"
            rename[f"cleanup/{az}"] = f"cleanup/#{i}"
        state = (self._zones(), others, tuple(b[1] for b in blocks), self._world())
        self._canon, self._canon_at = (state, rename), self.controller.steps
        return self._canon

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
        """Resources the component's next atomic action may touch (read off its code)."""
        comp, action = gate.component, gate.action
        none: frozenset[str] = frozenset()
        if comp == "planner":
            return Footprint(none, frozenset({"plans"}))
        if comp == INVISIBLE:
            return Footprint(none, none)
        last = self.endpoints[-1]
        if comp.startswith("cleanup/"):
            own = f"cleanup:{comp.split('/', 1)[1]}"
            match = _DELETE.match(action)
            if match:
                ep = match[1]
                writes = {f"trees:{ep}"} | ({own} if ep == last else set())
                return Footprint(frozenset({f"alias:{ep}"}), frozenset(writes))
            return Footprint(none, frozenset({own}))
        if comp.startswith("enactor/"):
            own = f"cleanup:{comp.split('/', 1)[1]}"
            if action == "look for a newer plan":
                return Footprint(frozenset({"plans"} | {f"alias:{e}" for e in self.endpoints}), none)
            match = _APPLY.match(action)
            if match:
                ep = match[2]
                writes = {f"lock:{ep}", f"trees:{ep}", f"alias:{ep}"} | ({own} if ep == last else set())
                return Footprint(none, frozenset(writes))
            match = _READ.match(action)
            if match:
                return Footprint(frozenset({f"lock:{match[1]}"}), none)
            match = _RETRY.match(action)
            if match:
                return Footprint(frozenset({f"lock:{match[2]}"}), none)
            return Footprint(none, none)  # "start": parks for its first poll
        everything = frozenset({"plans"} | {f"{k}:{e}" for k in ("alias", "trees", "lock") for e in self.endpoints})
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
        return a.component != b.component and not self.footprint(a).conflicts(self.footprint(b))


@asynccontextmanager
async def open_core(scenario: Scenario, seed: int | None = None, *, keep_trace: bool = False) -> AsyncIterator[CoreRun]:
    """Start the DNS core of ``scenario`` untimed; cancel it when the block ends.

    Searches run thousands of these, so by default the trace only feeds the
    explorer's listener; ``keep_trace`` keeps the full, hashed trace.
    """
    explored = core_scenario(scenario)
    run_seed = scenario.get("scenario.seed") if seed is None else seed
    controller = CoreController(
        keep_trace=keep_trace,
        tick=explored.get("dns.enactor.lock_ttl_s") + 1.0,
        seed=run_seed,
        start_time=explored.time("scenario.start"),
        choice_window=math.inf,
        jitter=0.0,
    )
    world = install_all(explored, controller)
    try:
        yield CoreRun(controller, world, run_seed)
    finally:
        controller.close()


@asynccontextmanager
async def open_core_simulation(
    scenario: Scenario, policy: str = "manual", seed: int | None = None
) -> AsyncIterator[Simulation]:
    """The explored world as a :class:`Simulation`, to replay an explorer's session.

    Matches the session replayer's opener signature, so a session whose
    header says ``"world": "dns-core"`` replays with
    ``replay_session_async(..., opener=open_core_simulation)``. Choices are
    taken by index, so ``policy`` only names the run.
    """
    async with open_core(scenario, seed, keep_trace=True) as run:
        yield Simulation(run.controller, run.world, Manual(), run.seed)
