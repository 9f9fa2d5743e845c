"""Assemble a run: create the world and spawn every component with its rank.

Ranks break ties between components acting at the same virtual instant:
operators first (a human action lands before automation reacts), then the
Planner, Enactors, clean-ups, Route 53, resolvers, then the cascade.
"""

from __future__ import annotations

from collections.abc import Callable

from tui.scenario import Scenario
from tui.sim.actions import act
from tui.sim.cascade import install_cascade
from tui.sim.components.enactor import CleanupState, EnactorState, cleanup, cleanup_id, enactor, enactor_id
from tui.sim.components.operators import OperatorsState, operators
from tui.sim.components.planner import PlannerState, planner
from tui.sim.components.resolvers import ResolversState, resolvers
from tui.sim.components.route53 import Propagation, Route53, propagation
from tui.sim.controller import Controller
from tui.sim.world import DNS_MILESTONES, Plan, World, plan_records

Installer = Callable[[World, Controller], None]

#: Extra installers (the cascade) run after the DNS core, in order.
INSTALLERS: list[Installer] = [install_cascade]


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

    controller.spawn("operators", operators, OperatorsState(), rank=0, action=act("operators.first"))
    controller.spawn("planner", planner, PlannerState(first + 1), rank=1, action=act("planner.issue", plan=first + 1))
    for i, az in enumerate(scenario.enactor_names()):
        controller.spawn(enactor_id(az), enactor, EnactorState(az), rank=10 + i)
    for i, az in enumerate(scenario.enactor_names()):
        controller.spawn(cleanup_id(az), cleanup, CleanupState(az), rank=20 + i)
    controller.spawn("route53", propagation, Propagation(), rank=30)
    controller.spawn("resolvers", resolvers, ResolversState(), rank=31)


def install_all(scenario: Scenario, controller: Controller) -> World:
    """Build the world of ``scenario`` and spawn every component into ``controller``."""
    route53 = Route53(scenario.get("dns.endpoints"), scenario.get("fixes.rollback_tolerates_missing"))
    world = World(scenario=scenario, route53=route53)
    world.milestones.update({m: None for m in DNS_MILESTONES})
    controller.world = world
    install_dns(world, controller)
    for installer in INSTALLERS:
        installer(world, controller)
    return world
