"""Every milestone a run can report, by the component that reaches it: one list, below the simulation.

A milestone id is part of the scenario's vocabulary as much as the
simulation's: a scenario's ``[sweep] given`` names milestones, and it is
checked when the scenario loads, without loading the simulation. So the ids
live here and each component takes its own group (``MILESTONES =
milestones.DWFM``); what a component does to reach one stays with it.
"""

from __future__ import annotations

from tui.scenario.spec import SERVICE_IDS

#: The DNS core (``tui.sim.world``): the race empties the endpoint, operators restore it.
DNS = ("dns.endpoint_empty", "ddb.errors_start", "dns.restored")
DYNAMODB = ("ddb.cause_identified", "ddb.recovered")
DWFM = ("dwfm.congestive_collapse", "dwfm.throttled", "dwfm.leases_restored")
EC2 = ("ec2.launches_recovered", "ec2.throttles_relaxed", "ec2.recovered")
NETWORK_MANAGER = ("netmgr.latency_high", "netmgr.recovered")
NLB = ("nlb.errors_start", "nlb.failures_detected", "nlb.failover_disabled", "nlb.failover_reenabled")
SERVICES = (*(f"{s}.{m}" for s in SERVICE_IDS for m in ("impact_start", "recovered")), "event.end")

#: What the cascade can reach, in summary order.
CASCADE = (*DYNAMODB, *DWFM, *EC2, *NETWORK_MANAGER, *NLB, *SERVICES)
#: Every milestone, in summary order: the DNS core's, then the cascade's.
ALL = (*DNS, *CASCADE)
