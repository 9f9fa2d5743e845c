"""A run of a scenario: world + controller + components, stepped by its owner.

This is the small API the CLI, the UI, recordings and exploration use::

    async with open_simulation(scenario, policy="random", seed=7) as sim:
        while not sim.done:
            await sim.step()  # or sim.step(i) for a hand pick; sim.planned_pick() previews
        print(sim.summary())

``run_headless`` wraps that in ``trio.run`` for the command line.

``sim.snapshot()`` copies the run at a decision point (a :class:`Snapshot`:
picklable bytes); ``open_simulation(..., snapshot=snap)`` continues it in
fresh Trio tasks exactly as the original would have gone on.
"""

from __future__ import annotations

import pickle
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import trio

from tui.clock import iso
from tui.scenario import Scenario
from tui.sim.build import install_all
from tui.sim.controller import Choice, Controller
from tui.sim.policies import Policy, make_policy
from tui.sim.trace import Event, Trace
from tui.sim.world import INVARIANTS, World


@dataclass(frozen=True)
class Snapshot:
    """A run copied at a decision point: everything needed to continue it exactly.

    ``blob`` is the pickled controller data (gates, component states, RNG
    streams, virtual time, step count, the trace's hash state and length)
    and world (zones, resolvers, the cascade's aggregates, milestones). The
    scenario is kept out of the blob (every snapshot of a run shares it) but
    travels with the snapshot when it is pickled, so a worker process can
    restore it on its own. Restoring never changes the snapshot: it can be
    restored any number of times.
    """

    scenario: Scenario
    policy: str
    seed: int
    step: int
    time: float
    events: int
    blob: bytes

    @property
    def size(self) -> int:
        """Bytes of state this snapshot holds (the scenario, shared, not counted)."""
        return len(self.blob)


@dataclass(frozen=True)
class Timing:
    """How loosely the controller may order components, by policy."""

    choice_window: float
    jitter: float


def timing_for(policy: str, scenario: Scenario) -> Timing:
    """Canonical runs keep the scenario's exact timing; random and manual runs may reorder."""
    if policy == "canonical":
        return Timing(scenario.get("controller.choice_window_s"), 0.0)
    if policy == "manual":
        return Timing(scenario.get("controller.random_window_s"), 0.0)
    return Timing(scenario.get("controller.random_window_s"), scenario.get("controller.random_jitter"))


class Simulation:
    """One timeline in progress. Only the owner of the nursery may step it."""

    def __init__(self, controller: Controller, world: World, policy: Policy, seed: int) -> None:
        self.controller = controller
        self.world = world
        self.policy = policy
        self.seed = seed
        self.end = world.scenario.time("scenario.end")
        self._plan: tuple[int, int] | None = None  # (step, the policy's pick at that step)

    # -- copying -------------------------------------------------------------------
    def snapshot(self) -> Snapshot:
        """Copy the run here (between steps); see :class:`Snapshot`."""
        frozen = self.controller.freeze()
        blob = pickle.dumps((frozen, self.world, self._plan), protocol=pickle.HIGHEST_PROTOCOL)
        return Snapshot(
            scenario=self.scenario,
            policy=self.policy.name,
            seed=self.seed,
            step=self.steps,
            time=self.now,
            events=len(self.controller.trace),
            blob=blob,
        )

    # -- reading -----------------------------------------------------------------
    @property
    def scenario(self) -> Scenario:
        return self.world.scenario

    @property
    def now(self) -> float:
        return self.controller.now

    @property
    def steps(self) -> int:
        return self.controller.steps

    @property
    def events(self) -> list[Event]:
        return self.controller.trace.events

    @property
    def choice_log(self) -> list[int]:
        return self.controller.choice_log

    def planned_pick(self) -> int | None:
        """The policy's pick at this decision point, or None when nothing can move.

        It is drawn once per step from the run's choice RNG and remembered, so
        previewing it never changes the run, and every step consumes exactly
        one draw whether the policy or a person makes the choice. That is what
        lets a plain list of choice indices replay any run exactly.
        """
        choices = self.controller.choices()
        if not choices:
            return None
        if self._plan is None or self._plan[0] != self.controller.steps:
            pick = self.policy.choose(choices, self.controller.choice_rng) if self.policy.draws else 0
            self._plan = (self.controller.steps, pick)
        return self._plan[1]

    def choices(self) -> list[Choice]:
        """What can move next, earliest first; empty once the run has ended."""
        if self.done:
            return []
        return self.controller.choices()

    @property
    def done(self) -> bool:
        upcoming = self.controller.next_time()
        return upcoming is None or upcoming > self.end

    # -- moving ------------------------------------------------------------------
    async def step(self, index: int | None = None) -> Choice:
        """One atomic action: by ``index`` into ``choices()``, or the policy's pick."""
        if self.policy.draws:
            pick = self.planned_pick()
            if index is None:
                index = pick
        if index is None:
            index = 0
        return await self.controller.step(index)

    def _policy_pick(self) -> int:
        return (self.planned_pick() or 0) if self.policy.draws else 0

    def find(self, component: str, action: str, index: int, by_policy: bool) -> tuple[int, bool] | None:
        """Where a recorded move is on offer now, and whether it is the policy's pick there; None if nowhere.

        Takes this step's one draw from the policy's RNG. It looks first where
        the move was made (the policy's pick for a policy move, its index for a
        hand pick), then among every choice: a fork whose ``--set`` overrides
        moved things around may offer the same move elsewhere, or not at all
        (it diverges there).
        """
        choices = self.choices()
        if not choices:
            return None
        guess = self._policy_pick()

        def same(i: int) -> bool:
            return 0 <= i < len(choices) and choices[i].component == component and choices[i].action == action

        for i in (guess, index) if by_policy else (index,):
            if same(i):
                return i, i == guess
        found = next((c.index for c in choices if same(c.index)), None)
        return None if found is None else (found, found == guess)

    async def run(
        self,
        until: float | None = None,
        max_steps: int | None = None,
        on_step: Callable[[Choice], None] | None = None,
        stop: Callable[[], bool] | None = None,
    ) -> None:
        """Step by policy until ``until`` (virtual seconds), the scenario's end, ``max_steps`` or ``stop()``.

        The steps are driven (the baton passes from component to component),
        so this goes at full speed; ``on_step`` hears each step as it is taken
        and ``stop`` is asked before each one.
        """
        limit = self.end if until is None else min(until, self.end)
        taken = 0
        controller = self.controller

        def driver() -> int | None:
            nonlocal taken
            if taken and on_step is not None:
                on_step(controller.last_choice())
            upcoming = controller.next_time()
            if upcoming is None or upcoming > limit or (max_steps is not None and taken >= max_steps):
                return None
            if stop is not None and stop():
                return None
            taken += 1
            return self._policy_pick()

        await controller.drive(driver)

    async def replay(self, choices: Sequence[int], stop: Callable[[], bool] | None = None) -> int:
        """Re-take a recorded list of choices (a fork replays its prefix this way); return how many.

        Every step still consumes its one draw of the policy's RNG, as when it was first taken.
        """
        moves = iter(choices)
        taken = 0

        def driver() -> int | None:
            nonlocal taken
            index = next(moves, None)
            if index is None or (stop is not None and stop()):
                return None
            if self.policy.draws:
                self.planned_pick()
            taken += 1
            return index

        await self.controller.drive(driver)
        return taken

    # -- results -----------------------------------------------------------------
    def milestones(self) -> dict[str, str | None]:
        return {k: (None if v is None else iso(v)) for k, v in self.world.milestones.items()}

    def summary(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario.id,
            "scenario_sha256": self.scenario.sha256,
            "overrides": list(self.scenario.overrides),
            "policy": self.policy.name,
            "seed": self.seed,
            "steps": self.controller.steps,
            "events": len(self.controller.trace),
            "trace_sha256": self.controller.trace.sha256(),
            "time": iso(self.now),
            "milestones": self.milestones(),
            "dns_answer": list(self.world.regional_answer()),
            "violations": sorted(v for v in INVARIANTS if v in self.world.violations),
        }


def thawed(
    snapshot: Snapshot, events: list[Event] | None, scenario: Scenario
) -> tuple[dict[str, Any], World, Any, Trace]:
    """A private copy of ``snapshot``'s state (its world running ``scenario``): controller data, world,
    planned pick, and its trace."""
    frozen, world, plan = pickle.loads(snapshot.blob)
    world.attach(scenario)
    if events is not None and len(events) != snapshot.events:
        raise ValueError(f"{len(events)} events given for a snapshot taken after {snapshot.events}")
    return frozen, world, plan, Trace(frozen["trace"], events)


@asynccontextmanager
async def open_simulation(
    scenario: Scenario,
    policy: str | Policy = "canonical",
    seed: int | None = None,
    *,
    snapshot: Snapshot | None = None,
    events: list[Event] | None = None,
) -> AsyncIterator[Simulation]:
    """Start the components in a nursery; cancel them when the block ends.

    With ``snapshot``, the run continues from it (``scenario`` must be the
    one it was taken of; ``events``, if given, are the events before it, which
    the new trace then extends).
    """
    chosen = make_policy(policy) if isinstance(policy, str) else policy
    run_seed = scenario.get("scenario.seed") if seed is None else seed
    if snapshot is not None:
        run_seed = snapshot.seed
    timing = timing_for(chosen.timing, scenario)
    restored = None if snapshot is None else thawed(snapshot, events, scenario)
    async with trio.open_nursery() as nursery:
        controller = Controller(
            nursery,
            seed=run_seed,
            start_time=scenario.time("scenario.start"),
            choice_window=timing.choice_window,
            jitter=timing.jitter,
            trace=None if restored is None else restored[3],
        )
        if restored is None:
            world, plan = install_all(scenario, controller), None
        else:
            frozen, world, plan, _trace = restored
            controller.world = world
            controller.thaw(frozen)
        sim = Simulation(controller, world, chosen, run_seed)
        sim._plan = plan
        try:
            yield sim
        finally:
            nursery.cancel_scope.cancel()


def run_headless(
    scenario: Scenario,
    policy: str = "canonical",
    seed: int | None = None,
    until: float | None = None,
    on_event: Callable[[Event], None] | None = None,
    choices: Sequence[int] = (),
) -> dict[str, Any]:
    """Run to ``until`` (or the end) with plain ``trio.run``; return the summary."""

    async def main() -> dict[str, Any]:
        async with open_simulation(scenario, policy, seed) as sim:
            if on_event is not None:
                sim.controller.trace.listen(on_event)
            await sim.replay(choices)
            await sim.run(until=until)
            return sim.summary()

    return trio.run(main)
