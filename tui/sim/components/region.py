"""What the cascade's components tell each other: the region's aggregate signals.

The cascade models fleets as aggregates (counts, queues, rates), advanced in
fixed ticks of ``cascade.tick_s`` virtual seconds. Each component reads what
the ones it depends on published and publishes its own view here. Components
tick in rank order at the same instant, so a component sees the current tick
of those ranked before it and the previous tick of those ranked after it:
a one-tick delay, like a monitoring interval.

Nothing here knows when anything is meant to happen: the only inputs are the
resolvers' caches, the operators' actions (flags set on this object) and the
other components' signals.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from tui.clock import iso
from tui.sim.actions import Action
from tui.sim.controller import Ctx, Park
from tui.sim.world import World

#: Health of a lane, as the timeline colours it.
OK, DEGRADED, DOWN = "ok", "degraded", "down"


@dataclass
class Region:
    """Aggregate signals of us-east-1.

    Each group is written by the component named in its comment; the flags
    marked as set by an operator action are the operators' only way in. A
    component never writes another group's signals, so what it reacts to is
    always what the component upstream last published.
    """

    # DynamoDB clients (written by the DynamoDB component).
    ddb_public: float = 1.0  # share of resolvers that answer the regional endpoint with addresses
    ddb_internal: float = 1.0  # the same for internal callers, who may have a temporary path
    internal_mitigation: bool = False  # set by the mitigate-internal operator action
    # EC2 DropletWorkflow Manager.
    leased_fraction: float = 1.0
    leases_established: float = 0.0  # leases re-established during the last tick
    dwfm_throttled: bool = False  # set by the dwfm-throttle-restart operator action
    dwfm_restart_requested: bool = False
    # EC2 launches and API.
    launches: float = 0.0  # successful launches during the last tick
    launches_ok: bool = True  # every launch lands on a droplet with network connectivity
    ec2_request_throttled: bool = False  # set with DWFM's throttle; EC2 clears it once fully relaxed
    ec2_relaxing: bool = False  # set by the ec2-relax-throttles operator action
    ec2_requests_ok: bool = True  # no request rejected by the request limit during the last tick
    ec2_ok: bool = True  # every EC2 API and new launch normal
    # Network Manager.
    propagation_latency_s: float = 0.0
    unpropagated_launches: float = 0.0  # launched instances still waiting for their network state
    netmgr_ok: bool = True
    # NLB.
    nlb_failover_enabled: bool = True  # switched by the nlb-*-failover operator actions
    nlb_removed_fraction: float = 0.0  # capacity taken out of service by AZ DNS failover
    # Dependent services.
    services: dict[str, bool] | None = None  # name -> healthy
    sqs_poller_ok: bool = True  # fails with DynamoDB; only the fix-lambda-sqs-poller action restores it
    lambda_invoke_ok: bool = True  # Lambda can run invocations (Connect depends on it)


def region(world: World) -> Region:
    """The run's shared :class:`Region`, created on first use."""
    found = world.flags.get("region")
    if found is None:
        found = world.flags["region"] = Region()
    return found


def first_tick(now: float, tick: float) -> float:
    """The first tick boundary at or after ``now``: ticks fall on whole multiples from 23:48."""
    return math.ceil(now / tick) * tick


def health_of(fraction_ok: float) -> str:
    """Lane health from the share of work that succeeds."""
    if fraction_ok >= 1.0:
        return OK
    return DOWN if fraction_ok <= 0.0 else DEGRADED


@dataclass
class Ticking:
    """A cascade component's state between ticks: when the next tick falls (None before the first)."""

    next_at: float | None = None


T = TypeVar("T", bound=Ticking)


def tick_step(
    ctx: Ctx,
    world: World,
    state: T,
    tick_fn: Callable[[Ctx, World, T, float], Any],
    label: Callable[[World, T], Action],
) -> Park:
    """One gate of a ticking component: tick (except at its first gate), then park until the next tick.

    Ticks fall every ``cascade.tick_s`` of virtual time; ``label`` names the
    next tick's work for the choice panel.
    """
    tick = float(world.scenario.get("cascade.tick_s"))
    if state.next_at is None:
        state.next_at = first_tick(ctx.now, tick)
    else:
        tick_fn(ctx, world, state, tick)
        state.next_at += tick
    return ctx.until(state.next_at, label(world, state))


def set_milestone(world: World, ctx: Ctx, milestone: str, reached: bool, **data: object) -> None:
    """Keep a *latest state* milestone: set when ``reached`` turns true, cleared when it turns false.

    Recoveries can be undone by a later wave (STS recovered at 01:19 and
    failed again at 08:31), so ``<service>.recovered`` is the last recovery
    of the run and ``null`` when the run ends impaired.
    """
    current = world.milestones.get(milestone)
    if reached and current is None:
        world.milestones[milestone] = ctx.now
        ctx.emit("milestone", id=milestone, at=iso(ctx.now), **data)
    elif not reached and current is not None:
        world.milestones[milestone] = None
        ctx.emit("milestone.undone", id=milestone, **data)
