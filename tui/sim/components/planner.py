"""The DNS Planner: one regional plan per generation, covering every endpoint."""

from __future__ import annotations

from tui.sim.controller import Ctx
from tui.sim.world import Plan, World, plan_records


async def planner(ctx: Ctx, world: World) -> None:
    """Issue a new plan every ``dns.planner.interval_s`` until automation is disabled.

    ``dns.max_plans`` (0 = unlimited) bounds the generations, for exhaustive exploration.
    """
    scenario = world.scenario
    interval = scenario.get("dns.planner.interval_s")
    endpoints = scenario.get("dns.endpoints")
    per_plan = scenario.get("dns.addresses_per_plan")
    max_plans = scenario.get("dns.max_plans")
    generation = scenario.get("dns.first_generation")
    issued = 0
    while True:
        if world.automation_disabled:
            ctx.emit("planner.stopped", reason="DNS automation disabled")
            return
        if max_plans and issued >= max_plans:
            ctx.emit("planner.stopped", reason=f"issued {issued} plans (dns.max_plans)")
            return
        plan = Plan(generation, ctx.now, plan_records(generation, endpoints, per_plan))
        world.plans.add(plan)
        ctx.emit("plan.issued", plan=generation)
        issued += 1
        generation += 1
        await ctx.sleep(ctx.jittered(interval), action=f"issue plan {generation}")
