"""DynamoDB clients: new connections need an address for the regional endpoint.

Existing connections were not the problem; every *new* connection resolves
``dynamodb.us-east-1.amazonaws.com`` through a resolver first. A resolver that
holds the empty answer (NOERROR, no records) in its negative cache sends its
clients nowhere until that entry expires, so the share of resolvers with a
positive answer is the share of new connections that succeed. When Route 53
has the records again, clients recover one resolver at a time as negative
entries expire: the 02:25 to 02:40 tail comes from ``negative_ttl_s``.

Internal callers (STS, IAM sign-in, ...) use the same endpoint until the
``mitigate-internal`` operator action gives them a temporary path.
"""

from __future__ import annotations

from dataclasses import dataclass

from tui.scenario import milestones
from tui.sim.actions import Action, act
from tui.sim.components.operators import action
from tui.sim.components.region import Ticking, health_of, region, tick_step
from tui.sim.controller import Ctx, Park
from tui.sim.world import World

MILESTONES = milestones.DYNAMODB


@action("identify-dns-cause", "name DynamoDB's DNS state as the source of the errors")
def identify_dns_cause(ctx: Ctx, world: World) -> None:
    if world.milestones.get("ddb.errors_start") is None:
        ctx.emit("operator.no_need", id="identify-dns-cause", reason="no DynamoDB errors to explain")
        return
    world.reach(ctx, "ddb.cause_identified")


@action("mitigate-internal", "give internal services a temporary path to DynamoDB")
def mitigate_internal(ctx: Ctx, world: World) -> None:
    region(world).internal_mitigation = True


def positive_share(world: World) -> float:
    """Share of resolvers whose cached answer has addresses (1.0 before the resolvers start)."""
    if not world.resolvers:
        return 1.0
    return sum(1 for cache in world.resolvers if not cache.negative) / len(world.resolvers)


@dataclass
class ClientsState(Ticking):
    """The share of resolvers with an answer at the last tick (to trace only changes)."""

    last_share: float = 1.0


def _tick(ctx: Ctx, world: World, state: ClientsState, dt: float) -> None:
    reg = region(world)
    share = positive_share(world)
    if share != state.last_share:
        ctx.emit("ddb.reachability", resolvers_positive=round(share, 3))
        state.last_share = share
    reg.ddb_public = share
    reg.ddb_internal = 1.0 if reg.internal_mitigation else share
    world.set_health(ctx, "dynamodb", health_of(share), resolvers_positive=round(share, 3))
    if share >= 1.0 and world.milestones.get("ddb.errors_start") is not None:
        world.reach(ctx, "ddb.recovered")


def _label(world: World, state: ClientsState) -> Action:
    return act("dynamodb.tick")


def dynamodb_clients(ctx: Ctx, world: World, state: ClientsState) -> Park:
    """Publish DynamoDB reachability each tick; mark errors and the recovery."""
    return tick_step(ctx, world, state, _tick, _label)
