"""Assemble a run: create the world and spawn every component with its rank.

Ranks break ties between components acting at the same virtual instant:
operators first (a human action lands before automation reacts), then the
Planner, Enactors, clean-ups, Route 53, resolvers, then the cascade.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from tui.scenario import Scenario
from tui.sim.cascade import install_cascade
from tui.sim.components.enactor import cleanup, cleanup_id, enactor, enactor_id
from tui.sim.components.operators import operators
from tui.sim.components.planner import planner
from tui.sim.components.resolvers import resolvers
from tui.sim.components.route53 import Route53, propagation
from tui.sim.controller import Controller, Ctx, Signal
from tui.sim.world import DNS_MILESTONES, Plan, World, plan_records

Installer = Callable[[World, Controller], None]

#: Extra installers (the cascade) run after the DNS core, in order.
INSTALLERS: list[Installer] = [install_cascade]


def _on_publish(world: World) -> Callable[[Ctx, str], None]:
    def on_publish(ctx: Ctx, endpoint: str) -> None:
        if endpoint != world.regional:
            return
        if not world.regional_answer():
            world.reach(ctx, "dns.endpoint_empty", endpoint=endpoint)
            world.set_health(ctx, "dns", "down")
        elif world.milestones.get("dns.endpoint_empty") is not None:
            world.reach(ctx, "dns.restored", endpoint=endpoint)
            world.set_health(ctx, "dns", "ok")

    return on_publish


def install_dns(world: World, controller: Controller) -> None:
    scenario = world.scenario
    endpoints = scenario.get("dns.endpoints")
    # Before the run, the plan just before the first one is live everywhere.
    first = scenario.get("dns.first_generation") - 1
    initial = Plan(first, controller.now, plan_records(first, endpoints, scenario.get("dns.addresses_per_plan")))
    world.plans.add(initial)
    for endpoint in endpoints:
        world.route53.repair(endpoint, first, initial.records[endpoint], "initial", controller.now)
    world.route53.publish(controller.now)
    world.health["dns"] = "ok"

    controller.spawn("operators", partial(operators, world=world), rank=0, action="wait for the first operator action")
    controller.spawn("planner", partial(planner, world=world), rank=1, action=f"issue plan {first + 1}")
    for i, az in enumerate(scenario.enactor_names()):
        controller.spawn(enactor_id(az), partial(enactor, world=world, az=az), rank=10 + i, action="start")
    for i, az in enumerate(scenario.enactor_names()):
        world.cleanup_signals[az] = Signal(f"cleanup.{az}")
        body = partial(cleanup, world=world, az=az, signal=world.cleanup_signals[az])
        controller.spawn(cleanup_id(az), body, rank=20 + i, action="start")
    delay = scenario.get("dns.route53.propagation_s")
    controller.spawn(
        "route53", partial(propagation, route53=world.route53, delay=delay, on_publish=_on_publish(world)), rank=30
    )
    controller.spawn("resolvers", partial(resolvers, world=world), rank=31, action="start")


def install_all(scenario: Scenario, controller: Controller) -> World:
    route53 = Route53(scenario.get("dns.endpoints"), scenario.get("fixes.rollback_tolerates_missing"))
    world = World(scenario=scenario, route53=route53)
    world.milestones.update({m: None for m in DNS_MILESTONES})
    install_dns(world, controller)
    for installer in INSTALLERS:
        installer(world, controller)
    return world
