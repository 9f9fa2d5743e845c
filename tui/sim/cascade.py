"""Install the cascade: DynamoDB clients, DWFM, EC2, Network Manager, NLB and services.

Each component is its own Trio task ticking every ``cascade.tick_s`` of
virtual time, ranked after the DNS core so that at any instant the DNS
automation and the resolvers act first, then the cascade in dependency
order: DynamoDB clients, DWFM, EC2, Network Manager, NLB, dependent services.

The chain, each link a mechanism with its own parameters:

1. resolvers cache the empty answer, so new DynamoDB connections fail until
   each negative entry expires after DNS is restored;
2. DWFM cannot renew droplet leases without DynamoDB; once DynamoDB is back,
   the lapsed fleet floods DWFM's queue, attempts time out and are retried,
   and useful work stops (congestive collapse) until the operators throttle
   and restart DWFM;
3. launches need leased droplets, so customers' launches pile up; once
   leases are back they arrive at the throttled request limit, faster than
   Network Manager can propagate network state;
4. instances in service without network state make NLB health checks flap,
   the checks slow down, automatic AZ failover removes capacity, and the
   thinnest load balancers return connection errors until failover is off;
5. each dependent service is impaired while any of its dependencies fails,
   then works off the backlog it built.

Milestones that mark a start are kept the first time they happen; those
that mark a recovery (``<service>.recovered``, ``ec2.recovered``,
``event.end``, ...) are the *last* recovery of the run, since a later wave
can undo an earlier one, and ``null`` when the run ends impaired.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tui.sim.actions import act
from tui.sim.components import dwfm, dynamodb, ec2, netmgr, nlb, services
from tui.sim.components.region import region
from tui.sim.controller import Controller, Program
from tui.sim.world import World

#: (name, program, a new state for a world, kind of the first action shown in the choice panel), in rank order.
COMPONENTS: tuple[tuple[str, Program, Callable[[World], Any], str], ...] = (
    ("dynamodb-clients", dynamodb.dynamodb_clients, lambda w: dynamodb.ClientsState(), "dynamodb.first"),
    ("dwfm", dwfm.dwfm, dwfm.new_state, "dwfm.first"),
    ("ec2", ec2.ec2, lambda w: ec2.Ec2State(), "ec2.first"),
    ("network-manager", netmgr.network_manager, lambda w: netmgr.NetworkManagerState(), "netmgr.first"),
    ("nlb", nlb.nlb, lambda w: nlb.NlbState(), "nlb.first"),
    ("services", services.services, services.new_state, "services.first"),
)

#: Every milestone the cascade can reach (``null`` in a summary until it happens).
MILESTONES = (
    *dynamodb.MILESTONES,
    *dwfm.MILESTONES,
    *ec2.MILESTONES,
    *netmgr.MILESTONES,
    *nlb.MILESTONES,
    *services.MILESTONES,
)

#: Rank of the first cascade component; the DNS core uses ranks below it.
FIRST_RANK = 40


def install_cascade(world: World, controller: Controller) -> None:
    """Register the cascade's milestones and lanes, then spawn its components."""
    region(world)
    for milestone in MILESTONES:
        world.milestones.setdefault(milestone, None)
    for lane in ("dynamodb", "ec2-dwfm", "ec2", "netmgr", "nlb", *services.SERVICE_IDS):
        world.health.setdefault(lane, "ok")
    for i, (name, program, new_state, first) in enumerate(COMPONENTS):
        controller.spawn(name, program, new_state(world), rank=FIRST_RANK + i, action=act(first))
