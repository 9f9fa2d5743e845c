"""A run of a scenario: world + controller + components, stepped by its owner.

This is the small API the CLI, the UI, recordings and exploration use::

    async with open_simulation(scenario, policy="random", seed=7) as sim:
        while not sim.done:
            await sim.step()  # or sim.step(i) for a hand pick; sim.planned_pick() previews
        print(sim.summary())

``run_headless`` wraps that in ``trio.run`` for the command line.
"""

from __future__ import annotations

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
from tui.sim.trace import Event
from tui.sim.world import INVARIANTS, World


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

    async def run(
        self,
        until: float | None = None,
        max_steps: int | None = None,
        on_step: Callable[[Choice], None] | None = None,
    ) -> None:
        """Step by policy until ``until`` (virtual seconds), the scenario's end, or ``max_steps``."""
        limit = self.end if until is None else min(until, self.end)
        taken = 0
        while True:
            upcoming = self.controller.next_time()
            if upcoming is None or upcoming > limit or (max_steps is not None and taken >= max_steps):
                return
            choice = await self.step()
            taken += 1
            if on_step is not None:
                on_step(choice)

    async def replay(self, choices: Sequence[int]) -> None:
        """Re-take a recorded list of choices (a fork replays its prefix this way)."""
        for index in choices:
            await self.step(index)

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


@asynccontextmanager
async def open_simulation(
    scenario: Scenario, policy: str | Policy = "canonical", seed: int | None = None
) -> AsyncIterator[Simulation]:
    """Start the components in a nursery; cancel them when the block ends."""
    chosen = make_policy(policy) if isinstance(policy, str) else policy
    run_seed = scenario.get("scenario.seed") if seed is None else seed
    timing = timing_for(chosen.timing, scenario)
    async with trio.open_nursery() as nursery:
        controller = Controller(
            nursery,
            seed=run_seed,
            start_time=scenario.time("scenario.start"),
            choice_window=timing.choice_window,
            jitter=timing.jitter,
        )
        world = install_all(scenario, controller)
        try:
            yield Simulation(controller, world, chosen, run_seed)
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
