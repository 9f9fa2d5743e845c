"""The DNS Planner: one regional plan per generation, covering every endpoint."""

from __future__ import annotations

from dataclasses import dataclass

from tui.sim.actions import act
from tui.sim.controller import Ctx, Park
from tui.sim.world import Plan, World, plan_records


@dataclass
class PlannerState:
    """The generation the Planner issues next, and how many it has issued."""

    generation: int
    issued: int = 0


def planner(ctx: Ctx, world: World, state: PlannerState) -> Park | None:
    """Issue a new plan every ``dns.planner.interval_s`` until automation is disabled.

    ``dns.max_plans`` (0 = unlimited) bounds the generations, for exhaustive exploration.
    """
    scenario = world.scenario
    max_plans = scenario.get("dns.max_plans")
    if world.automation_disabled:
        ctx.emit("planner.stopped", reason="DNS automation disabled")
        return None
    if max_plans and state.issued >= max_plans:
        ctx.emit("planner.stopped", reason=f"issued {state.issued} plans (dns.max_plans)")
        return None
    records = plan_records(state.generation, scenario.get("dns.endpoints"), scenario.get("dns.addresses_per_plan"))
    world.plans.add(Plan(state.generation, ctx.now, records))
    ctx.emit("plan.issued", plan=state.generation)
    state.issued += 1
    state.generation += 1
    return ctx.after(ctx.jittered(scenario.get("dns.planner.interval_s")), act("planner.issue", plan=state.generation))
