"""NLB health checks, automatic AZ DNS failover, and the connection errors they cause.

NLB's health-check subsystem brings new instances into service before their
network state has propagated, so their checks fail, pass, fail: they *flap*,
and every flip adds or removes nodes and targets in DNS. The flapping share
of targets is the unpropagated launches over ``targets``. Above
``failover_trigger_share`` the extra load delays the checks enough to set off
automatic AZ DNS failover, again and again: every hour removes
``removal_per_h`` of capacity per unit of flapping share above the trigger,
healthy capacity included, up to ``max_removed_share``. Below the trigger,
passing checks bring back ``restore_per_h`` of capacity an hour. A load
balancer whose spare capacity (its headroom) is smaller than what was removed
returns connection errors; ``headroom_share`` is the thinnest of them.

Monitoring raises its alarm when the failing share of checks passes
``alarm_share``. ``nlb-disable-failover`` stops the removal (every healthy node
comes back), ``nlb-enable-failover`` switches it on again: safe only once
propagation is normal, which this component does not check.
"""

from __future__ import annotations

from dataclasses import dataclass

from tui.scenario import milestones
from tui.sim.actions import Action, act
from tui.sim.components.operators import action
from tui.sim.components.region import DEGRADED, DOWN, OK, Ticking, region, tick_step
from tui.sim.controller import Ctx, Park
from tui.sim.world import World

MILESTONES = milestones.NLB


@action("nlb-disable-failover", "disable automatic health-check DNS failover for NLB")
def nlb_disable_failover(ctx: Ctx, world: World) -> None:
    region(world).nlb_failover_enabled = False
    world.reach(ctx, "nlb.failover_disabled")


@action("nlb-enable-failover", "re-enable automatic health-check DNS failover for NLB")
def nlb_enable_failover(ctx: Ctx, world: World) -> None:
    reg = region(world)
    if reg.nlb_failover_enabled:
        ctx.emit("operator.no_need", id="nlb-enable-failover", reason="automatic failover is already on")
        return
    reg.nlb_failover_enabled = True
    world.reach(ctx, "nlb.failover_reenabled")


def next_removed(removed: float, flapping: float, trigger: float, rates: tuple[float, float], cap: float) -> float:
    """Capacity out of service after one hour-fraction step; ``rates`` are (removal, restore) per step."""
    removal, restore = rates
    if flapping > trigger:
        return min(cap, removed + removal * (flapping - trigger))
    return max(0.0, removed - restore)


@dataclass
class NlbState(Ticking):
    """Whether connection errors are showing, and the capacity failover has taken out."""

    errors: bool = False
    removed: float = 0.0


def _tick(ctx: Ctx, world: World, state: NlbState, dt: float) -> None:
    cfg = world.scenario
    reg = region(world)
    flapping = min(1.0, reg.unpropagated_launches / cfg.get("nlb.targets"))
    if reg.nlb_failover_enabled:
        rates = (cfg.get("nlb.removal_per_h") * dt / 3600, cfg.get("nlb.restore_per_h") * dt / 3600)
        trigger = cfg.get("nlb.failover_trigger_share")
        removed = next_removed(state.removed, flapping, trigger, rates, cfg.get("nlb.max_removed_share"))
    else:
        removed = 0.0  # every healthy node and target comes back into service
    state.removed = removed
    reg.nlb_removed_fraction = removed
    errors = removed > cfg.get("nlb.headroom_share")
    if flapping > 0 or removed > 0:
        ctx.emit("nlb.tick", flapping_share=round(flapping, 4), removed_share=round(removed, 4))
    if errors != state.errors:
        state.errors = errors
        ctx.emit("nlb.errors" if errors else "nlb.errors_end", removed_share=round(removed, 4))
    if errors:
        world.reach(ctx, "nlb.errors_start", removed_share=round(removed, 4))
    if flapping > cfg.get("nlb.alarm_share"):
        world.reach(ctx, "nlb.failures_detected", flapping_share=round(flapping, 4))
    world.set_health(ctx, "nlb", DOWN if errors else (DEGRADED if flapping > 0 else OK))


def _label(world: World, state: NlbState) -> Action:
    return act("nlb.tick")


def nlb(ctx: Ctx, world: World, state: NlbState) -> Park:
    """Derive flapping, failover and connection errors from propagation each tick."""
    return tick_step(ctx, world, state, _tick, _label)
