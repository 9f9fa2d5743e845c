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
nothing, and the state abstraction (:mod:`tui.explore.abstraction`) can leave
it out altogether. Which steps commute is :mod:`tui.explore.footprint`'s job.

Why one module of this size: what can move, stepping, saving and the
invariants all read the same controller and world of one run, and the
openers that build such a run belong with it.
"""

from __future__ import annotations

import math
import pickle
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from tui.explore.abstraction import StateAbstraction
from tui.explore.controller import CoreController
from tui.explore.footprint import Commutation
from tui.explore.scope import EXPLORED_INVARIANTS, INVISIBLE, core_scenario
from tui.explore.statecopy import plain_copy
from tui.scenario import Scenario
from tui.sim.build import install_all
from tui.sim.components.enactor import EnactorState
from tui.sim.controller import GATE_ORDER, Gate, SimulationError
from tui.sim.policies import Manual
from tui.sim.simulation import Simulation, Snapshot, thawed
from tui.sim.trace import Event
from tui.sim.world import DNS_MILESTONES, World

RunState = tuple[tuple[Any, ...], World]  # what CoreRun.save keeps: the packed controller and the world


class CoreRun:
    """One explored run: the controller, the world and the reconstructed locals."""

    def __init__(self, controller: CoreController, world: World, seed: int, *, publishing: bool = True) -> None:
        self.controller = controller
        self.world = world
        self.seed = seed
        #: Take Route 53's propagation steps. A replay does, to show what resolvers get; a search need not:
        #: nothing in the core reads what Route 53 publishes, so a search leaves them parked (a fifth of
        #: its steps) and reaches the same states, violations and shortest counterexamples.
        self.publishing = publishing
        self.endpoints: list[str] = list(world.scenario.get("dns.endpoints"))
        self.tolerant = bool(world.scenario.get("fixes.rollback_tolerates_missing"))
        self.azs: list[str] = world.scenario.enactor_names()
        self.abstraction = StateAbstraction(self)
        self.commutation = Commutation(self.endpoints, self.azs)
        self._cached_at = -1
        self._settled_at = -1
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
        steps = self.controller.steps
        if self._cached_at != steps:
            inf = math.inf
            self._pending = self.controller.pending()
            self._gates = [g for g in self._pending if g.time < inf]
            self._cached_at = steps
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

        A component's first step alone when one is due, and so is Route 53
        propagation when the run is ``publishing`` (it is invisible to
        the core, so taking it at once loses nothing); never an idle poll.
        """
        eager = None if self._settled_at == self.controller.steps else self._eager()
        if eager is not None:
            return [eager]
        return [
            g.component
            for g in self.gates()
            if g.component != INVISIBLE and (g.action.kind != "enactor.poll" or not self.is_idle_poll(g))
        ]

    # -- stepping: the searches call these directly, no Trio involved ---------------
    def settle_now(self, log: list[tuple[int, str]] | None = None) -> None:
        """Take invisible steps until a real choice is due (``log`` gets index and words of each).

        Invisible: Route 53 propagation (only in a ``publishing`` run), and every component's first step
        (an Enactor parks for its first poll, a clean-up for its first request;
        neither touches anything another component reads).
        """
        while (eager := self._eager()) is not None:
            self.take_now(eager, log)
        self._settled_at = self.controller.steps  # nothing eager left: moves() need not look again

    def _eager(self) -> str | None:
        """The first eager gate in the controller's order, found without ordering all gates (after every step)."""
        publishing = self.publishing
        eager = (
            g
            for g in self.controller.parked.values()
            if (publishing if g.component == INVISIBLE else g.action.kind == "start")
        )
        found = [g for g in eager if g.time < math.inf]
        if len(found) > 1:
            found.sort(key=GATE_ORDER)
        return found[0].component if found else None

    def take_now(self, component: str, log: list[tuple[int, str]] | None = None) -> None:
        """One step of ``component``, logged as (choice index, "component: action") if ``log`` is given."""
        if log is None:
            self.controller.move(component)
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
    def save(self, *, hand_over: bool = False) -> RunState:
        """This state as a search keeps it, as objects sharing every value (a third of a pickle's cost:
        :mod:`tui.explore.statecopy`), without the scenario. ``hand_over`` gives the run's own world away
        uncopied, for a caller that loads another state before this run steps again."""
        return self.controller.pack(), self.world if hand_over else plain_copy(self.world)

    def load(self, state: RunState, *, own: bool = False) -> None:
        """Continue from a :meth:`save`'d state in this very run; ``own``: its last use, taken over uncopied."""
        packed, world = state[0], state[1] if own else plain_copy(state[1])
        world.attach(self.world.scenario)
        self.controller.unpack(packed, world)
        self.world = world
        self._cached_at = self._settled_at = -1
        self.abstraction.forget()

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
        self.controller.restore(frozen, world)
        self.world = world
        self._cached_at = self._settled_at = -1
        self.abstraction.forget()

    def planner_done(self) -> bool:
        return "planner" in self.controller.finished

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

    # -- the state abstraction -----------------------------------------------------
    def fingerprint(self) -> bytes:
        """This state's digest, as every search compares states (see :class:`StateAbstraction`)."""
        return self.abstraction.fingerprint()


def core_run(
    scenario: Scenario,
    seed: int | None = None,
    *,
    keep_trace: bool = False,
    snapshot: Snapshot | None = None,
    events: list[Event] | None = None,
    lean: bool | None = None,
    publishing: bool = True,
) -> CoreRun:
    """The DNS core of ``scenario``, untimed: fresh, or continued from ``snapshot`` (see :meth:`CoreRun.snapshot`).

    Searches run thousands of these, so by default the trace only feeds the
    explorer's listeners; ``keep_trace`` keeps the full, hashed trace.
    ``lean`` (the default without a kept trace) builds the world with the
    same installers, then drops what only the cascade uses (see
    :func:`lean_world`): a search saves and restores the world on every step.
    A run for the replay (``keep_trace``) keeps the whole world, which the
    replay UI's panels read. A search passes ``publishing=False``: Route 53
    propagation then never moves (see ``CoreRun.__init__``).
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
    return CoreRun(controller, world, run_seed, publishing=publishing)


def lean_world(world: World) -> World:
    """Drop the cascade's part of a freshly installed world: its region flags, milestones and health lanes.

    The explorer's controller never starts a cascade component, and no
    component of the DNS core reads or writes ``world.flags``, nor any
    milestone or health lane but the DNS ones; yet the cascade's entries are
    most of a world's objects, and a search copies the world for every state
    it keeps and restores it for every step it takes. Milestones and lanes are
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
