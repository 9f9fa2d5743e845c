"""EC2 launches and API requests, as the customers' side sees them.

Customers ask for ``launch_demand_per_s`` new instances; a request that fails
stays pending and ``retry_share_per_min`` of the pending requests are asked
again each minute (auto scaling groups and client retries), so demand piles
up while launches fail. Each tick:

* the request limit admits at most ``request_limit_per_s`` launches (times
  ``throttled_share`` while the operators' throttles are in force); the rest
  get "request limit exceeded";
* an admitted launch needs a droplet with a lease (and DWFM's DynamoDB
  checks): the rest get "insufficient capacity";
* a launch counts as healthy only if the instance gets its network state in
  normal time, which Network Manager decides.

Other API traffic runs at ``api_load_share`` of the normal limit, so while the
throttles hold it below that, some calls are rejected. ``ec2-relax-throttles``
raises the limit by ``relax_share_per_h`` of the normal limit an hour until it
is back to normal.
"""

from __future__ import annotations

from dataclasses import dataclass

from tui.scenario import milestones
from tui.sim.actions import Action, act
from tui.sim.components.operators import action
from tui.sim.components.region import DEGRADED, DOWN, OK, Ticking, region, set_milestone, tick_step
from tui.sim.controller import Ctx, Park
from tui.sim.world import World

MILESTONES = milestones.EC2


@action("ec2-relax-throttles", "start relaxing EC2 request throttles, step by step")
def ec2_relax_throttles(ctx: Ctx, world: World) -> None:
    reg = region(world)
    if not reg.ec2_request_throttled:
        ctx.emit("operator.no_need", id="ec2-relax-throttles", reason="no request throttle in force")
        return
    reg.ec2_relaxing = True
    world.reach(ctx, "ec2.throttles_relaxed")


@dataclass
class Ec2State(Ticking):
    """Launch requests still pending, the request limit's current share, whether EC2 was ever impaired."""

    pending: float = 0.0
    share: float = 1.0
    impaired: bool = False


def _tick(ctx: Ctx, world: World, state: Ec2State, dt: float) -> None:
    cfg = world.scenario
    reg = region(world)
    demand = cfg.get("ec2.launch_demand_per_s")
    limit = cfg.get("ec2.request_limit_per_s")
    api_load = cfg.get("ec2.api_load_share")
    retry = cfg.get("ec2.retry_share_per_min")
    if reg.ec2_request_throttled:
        if reg.ec2_relaxing:
            state.share = min(1.0, state.share + cfg.get("ec2.relax_share_per_h") * dt / 3600)
            if state.share >= 1.0:
                reg.ec2_request_throttled = reg.ec2_relaxing = False
                ctx.emit("ec2.throttles_lifted")
        else:
            state.share = cfg.get("ec2.throttled_share")
    else:
        state.share = 1.0
    share = state.share
    offered = demand * dt + state.pending * min(1.0, retry * dt / 60)
    admitted = min(offered, limit * share * dt)
    limited = offered - admitted
    placeable = reg.leased_fraction * reg.ddb_public
    launched = admitted * placeable
    no_capacity = admitted - launched
    state.pending += demand * dt - launched
    reg.launches = launched
    api_rejected = max(0.0, api_load - share) / api_load
    reg.ec2_requests_ok = limited < 0.5 and api_rejected <= 0.0
    reg.launches_ok = no_capacity < 0.5 and reg.netmgr_ok and reg.ddb_public >= 1.0
    reg.ec2_ok = reg.launches_ok and reg.ec2_requests_ok
    if not reg.ec2_ok:
        state.impaired = True
        ctx.emit(
            "ec2.tick",
            launched=round(launched),
            insufficient_capacity=round(no_capacity),
            request_limit_exceeded=round(limited),
            pending=round(state.pending),
            limit_share=round(share, 3),
            api_rejected_share=round(api_rejected, 3),
        )
    if state.impaired:
        set_milestone(world, ctx, "ec2.launches_recovered", reg.launches_ok)
        set_milestone(world, ctx, "ec2.recovered", reg.ec2_ok)
    health = OK if reg.ec2_ok else (DOWN if launched <= 0 and offered > 0 else DEGRADED)
    world.set_health(ctx, "ec2", health)


def _label(world: World, state: Ec2State) -> Action:
    return act("ec2.tick", pending=round(state.pending))


def ec2(ctx: Ctx, world: World, state: Ec2State) -> Park:
    """Admit, place and count launches each tick; publish whether EC2 is healthy."""
    return tick_step(ctx, world, state, _tick, _label)
