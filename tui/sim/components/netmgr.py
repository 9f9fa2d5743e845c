"""Network Manager: propagating network state to new instances, as a backlog.

Every launched instance needs its network state (addresses, routes, security
groups) pushed to the hosts that carry its traffic before it can talk to
anyone. Network Manager propagates ``capacity_per_s`` instances' state per
second. Launches that customers could not make during the event pile up as
pending requests; once leases are back they arrive in a burst at the request
limit, faster than propagation, and the backlog grows. The propagation
latency of a change made now is the backlog over the capacity: new instances
launch, but run without connectivity until their state arrives. The latency
falls back when the burst is over and the backlog drains.
"""

from __future__ import annotations

from dataclasses import dataclass

from tui.scenario import milestones
from tui.sim.actions import Action, act
from tui.sim.components.region import DEGRADED, DOWN, OK, Ticking, region, set_milestone, tick_step
from tui.sim.controller import Ctx, Park
from tui.sim.world import World

MILESTONES = milestones.NETWORK_MANAGER


@dataclass
class NetworkManagerState(Ticking):
    """Instances still waiting for their network state."""

    backlog: float = 0.0


def _tick(ctx: Ctx, world: World, state: NetworkManagerState, dt: float) -> None:
    cfg = world.scenario
    reg = region(world)
    capacity = cfg.get("netmgr.capacity_per_s")
    high = cfg.get("netmgr.latency_high_s")
    backlog = state.backlog + reg.launches
    propagated = min(backlog, capacity * dt)
    backlog -= propagated
    state.backlog = backlog
    latency = backlog / capacity
    reg.propagation_latency_s = latency
    reg.unpropagated_launches = backlog
    reg.netmgr_ok = latency <= cfg.get("netmgr.latency_normal_s")
    if backlog >= 1:
        ctx.emit("netmgr.tick", backlog=round(backlog), propagated=round(propagated), latency_s=round(latency))
    if latency > high:
        world.reach(ctx, "netmgr.latency_high", latency_s=round(latency))
    if world.milestones.get("netmgr.latency_high") is not None:
        set_milestone(world, ctx, "netmgr.recovered", reg.netmgr_ok)
    world.set_health(ctx, "netmgr", OK if reg.netmgr_ok else (DOWN if latency > high else DEGRADED))


def _label(world: World, state: NetworkManagerState) -> Action:
    return act("netmgr.tick", backlog=round(state.backlog))


def network_manager(ctx: Ctx, world: World, state: NetworkManagerState) -> Park:
    """Queue the tick's launches, propagate what capacity allows, publish the latency."""
    return tick_step(ctx, world, state, _tick, _label)
