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


def _needs_repair(world: World) -> list[str]:
    """Endpoints with no answer, or whose active or rollback tree is gone."""
    return [
        endpoint
        for endpoint, zone in world.route53.zones.items()
        if not (zone.answer() and zone.alias in zone.trees and (zone.rollback in zone.trees or zone.rollback is None))
    ]


@action("restore-dns", "stop the DNS automation, then install a healthy tree of the newest plan where one is broken")
def restore_dns(ctx: Ctx, world: World) -> None:
    """Repair by hand, with the Planner and Enactors stopped first.

    The Enactors blocked since the race still hold the plans they checked
    then, and retry them: left running, the first batch to go in after the
    repair would put a plan hours old back and their clean-up would delete
    it again. AWS disabled the DNS automation and kept it off until the race
    was fixed (AWS summary; DAT453: frozen in every Region by 05:38), so the
    repair is made with it stopped.
    """
    plan = world.plans.latest()
    broken = _needs_repair(world)
    if not broken or plan is None:
        return
    if not world.automation_disabled:
        world.automation_disabled = True
        ctx.emit("operator.automation_stopped", reason="repair DNS by hand")
    for endpoint in broken:
        world.route53.repair(endpoint, plan.generation, plan.records[endpoint], "operator", ctx.now)
        ctx.notify(DIRTY)
        ctx.emit("operator.repaired", endpoint=endpoint, plan=plan.generation)


@action("disable-dns-automation", "disable the DNS Planner and Enactors in every Region")
def disable_dns_automation(ctx: Ctx, world: World) -> None:
    if world.automation_disabled:
        ctx.emit("operator.no_need", id="disable-dns-automation", reason="stopped here when DNS was repaired")
        return
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
