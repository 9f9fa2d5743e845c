"""Human operators: the only component that acts at scheduled (real) times.

Each action has an id; the scenario gives its time (``operators.<id>.at``) and
may switch it off (``operators.<id>.enabled = false``). What an action *does*
is a change to the world; what follows from it is up to the other components.
Cascade modules register their own actions in ``ACTIONS``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tui.sim.actions import act
from tui.sim.components.route53 import DIRTY
from tui.sim.controller import Ctx, Park
from tui.sim.world import World

Action = Callable[[Ctx, World], None]

ACTIONS: dict[str, tuple[str, Action]] = {}


def action(op_id: str, description: str) -> Callable[[Action], Action]:
    def register(fn: Action) -> Action:
        ACTIONS[op_id] = (description, fn)
        return fn

    return register


@action("restore-dns", "install a healthy tree for the newest plan on every empty endpoint")
def restore_dns(ctx: Ctx, world: World) -> None:
    plan = world.plans.latest()
    for endpoint, zone in world.route53.zones.items():
        if zone.answer() and zone.alias in zone.trees and (zone.rollback in zone.trees or zone.rollback is None):
            continue
        if plan is None:
            continue
        world.route53.repair(endpoint, plan.generation, plan.records[endpoint], "operator", ctx.now)
        ctx.notify(DIRTY)
        ctx.emit("operator.repaired", endpoint=endpoint, plan=plan.generation)


@action("disable-dns-automation", "disable the DNS Planner and Enactors")
def disable_dns_automation(ctx: Ctx, world: World) -> None:
    world.automation_disabled = True


def schedule(world: World) -> list[tuple[float, str]]:
    """Enabled operator actions as ``(virtual time, id)``, earliest first, ties by id order."""
    from tui.scenario.spec import OPERATOR_IDS

    out = []
    for op_id, cfg in world.scenario.get("operators").items():
        if cfg["enabled"]:
            out.append((world.scenario.time(f"operators.{op_id}.at"), OPERATOR_IDS.index(op_id), op_id))
    return [(t, op_id) for t, _, op_id in sorted(out)]


@dataclass
class OperatorsState:
    """How many of the scheduled actions have been taken."""

    taken: int = 0
    started: bool = False


def _describe(op_id: str) -> str:
    return ACTIONS.get(op_id, ("(no effect in this model)", None))[0]


def operators(ctx: Ctx, world: World, state: OperatorsState) -> Park | None:
    """Take the next scheduled action (after the first gate), then park until the one after."""
    plan = schedule(world)
    if state.started:
        op_id = plan[state.taken][1]
        description = _describe(op_id)
        ctx.emit("operator.action", id=op_id, description=description)
        handler = ACTIONS.get(op_id)
        if handler:
            handler[1](ctx, world)
        state.taken += 1
    state.started = True
    if state.taken >= len(plan):
        return None
    at, op_id = plan[state.taken]
    return ctx.until(at, act("operators.act", id=op_id, description=_describe(op_id)))
