"""Dependent services: each one's health follows from what it uses.

A service is impaired while any of its dependencies fails; it builds up a
backlog of deferred work meanwhile (queued events, retries, stuck workflows)
and stays impaired after its dependencies recover until that backlog is
worked off: ``catch_up_ratio`` seconds of catching up per second impaired.
Load balancers differ in spare capacity, so each service that sits behind an
NLB has its own ``nlb_headroom_share``: it sees connection errors once AZ
failover removes more than that.

AWS dates each service's impact from when that service's errors showed in
what it reports (its own error rate, its status posts), which trails the
failure underneath by a different time per service: callers retry, cached
credentials and warm connections carry some work for a while, and each team
noticed at its own pace. ``report_lag_s`` is that lag: a service's
``impact_start`` is when it has been impaired that long without a break.
Its health, backlog and recovery do not wait for it.

The dependency graph is the one AWS describes: STS and IAM sign-in reach
DynamoDB like internal callers (so the temporary internal path helps them);
Lambda needs DynamoDB, its SQS poller (which failed and did not come back by
itself) and its own capacity, lost when NLB health checks terminated
instances and regained once EC2 would launch past the request throttles;
Connect needs Lambda's invocations and its NLBs; ECS, EKS and Fargate need
EC2 launches; Redshift and Support need DynamoDB through internal callers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from tui.scenario import milestones
from tui.scenario.spec import SERVICE_IDS
from tui.sim.actions import Action, act
from tui.sim.components.operators import action
from tui.sim.components.region import DEGRADED, DOWN, OK, Region, Ticking, region, set_milestone, tick_step
from tui.sim.controller import Ctx, Park
from tui.sim.world import World

#: What each service needs, by name of a check in :func:`checks`.
DEPENDENCIES: dict[str, tuple[str, ...]] = {
    "lambda": ("dynamodb", "sqs-poller", "lambda-invoke"),
    "sts": ("dynamodb-internal", "nlb"),
    "iam-signin": ("dynamodb-internal",),
    "ecs-eks-fargate": ("dynamodb", "ec2"),
    "connect": ("dynamodb", "nlb", "lambda-invoke"),
    "redshift": ("dynamodb-internal",),
    "support": ("dynamodb-internal",),
}

MILESTONES = milestones.SERVICES


@action("fix-lambda-sqs-poller", "restore Lambda's SQS polling subsystem by hand")
def fix_lambda_sqs_poller(ctx: Ctx, world: World) -> None:
    region(world).sqs_poller_ok = True


def checks(reg: Region, headroom: float) -> dict[str, Callable[[], bool]]:
    """Named dependency checks against the region's signals, for one service's NLB headroom."""
    return {
        "dynamodb": lambda: reg.ddb_public >= 1.0,
        "dynamodb-internal": lambda: reg.ddb_internal >= 1.0,
        "nlb": lambda: reg.nlb_removed_fraction <= headroom,
        "ec2": lambda: reg.ec2_ok,
        "sqs-poller": lambda: reg.sqs_poller_ok,
        "lambda-invoke": lambda: reg.lambda_invoke_ok,
    }


@dataclass
class ServicesState(Ticking):
    """Per service: seconds of deferred work still to catch up; whether Lambda lost its capacity.

    Whether each service is healthy lives in the region (``Region.services``),
    where the other components read it.
    """

    backlog: dict[str, float] = field(default_factory=lambda: dict.fromkeys(SERVICE_IDS, 0.0))
    capacity_lost: bool = False
    impaired_since: dict[str, float] = field(default_factory=dict)  # service -> start of its current impairment


def new_state(world: World) -> ServicesState:
    region(world).services = dict.fromkeys(SERVICE_IDS, True)
    return ServicesState()


def _update_lambda_capacity(world: World, state: ServicesState) -> None:
    # NLB health-check failures terminate Lambda's instances; replacing them
    # needs launches that the request throttles let through.
    reg = region(world)
    lambda_headroom = world.scenario.get("services")["lambda"].get("nlb_headroom_share", 1.0)
    if reg.nlb_removed_fraction > lambda_headroom:
        state.capacity_lost = True
    elif state.capacity_lost and reg.launches_ok and (reg.ec2_relaxing or not reg.ec2_request_throttled):
        state.capacity_lost = False
    reg.lambda_invoke_ok = reg.ddb_public >= 1.0 and not state.capacity_lost


def _tick(ctx: Ctx, world: World, state: ServicesState, dt: float) -> None:
    cfg = world.scenario
    reg = region(world)
    params = cfg.get("services")
    healthy = reg.services
    assert healthy is not None
    backlog = state.backlog
    if reg.ddb_public < 1.0 and reg.sqs_poller_ok:
        reg.sqs_poller_ok = False
        ctx.emit("lambda.sqs_poller_failed")
    _update_lambda_capacity(world, state)
    for name in SERVICE_IDS:
        p = params[name]
        named = checks(reg, p.get("nlb_headroom_share", 1.0))
        failing = [dep for dep in DEPENDENCIES[name] if not named[dep]()]
        if failing:
            backlog[name] += dt
        elif p["catch_up_ratio"] > 0:
            backlog[name] = max(0.0, backlog[name] - dt / p["catch_up_ratio"])
        else:
            backlog[name] = 0.0
        ok = not failing and backlog[name] <= 0.0
        if ok != healthy[name]:
            healthy[name] = ok
            ctx.emit("service.recovered" if ok else "service.impaired", service=name, failing=failing)
        if ok:
            state.impaired_since.pop(name, None)
        else:
            since = state.impaired_since.setdefault(name, ctx.now)
            if ctx.now - since >= p.get("report_lag_s", 0):
                world.reach(ctx, f"{name}.impact_start", failing=failing)
        if world.milestones.get(f"{name}.impact_start") is not None:
            set_milestone(world, ctx, f"{name}.recovered", ok)
        world.set_health(ctx, name, OK if ok else (DOWN if failing else DEGRADED))
    if world.milestones.get("ddb.errors_start") is not None:
        everything = all(healthy.values()) and reg.ec2_ok and reg.ddb_public >= 1.0 and reg.netmgr_ok
        everything = everything and reg.nlb_removed_fraction <= cfg.get("nlb.headroom_share")
        set_milestone(world, ctx, "event.end", everything)


def _label(world: World, state: ServicesState) -> Action:
    healthy = region(world).services or {}
    return act("services.tick", impaired=tuple(n for n in SERVICE_IDS if not healthy.get(n, True)))


def services(ctx: Ctx, world: World, state: ServicesState) -> Park:
    """Evaluate every dependent service each tick; keep their milestones and lanes."""
    return tick_step(ctx, world, state, _tick, _label)
