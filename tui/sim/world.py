"""The shared state of one run: plans, Route 53, resolvers, flags, milestones, violations.

Components read and change the world only during their own turn, so no lock
is needed: the controller runs exactly one component at a time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tui.clock import iso
from tui.scenario import Scenario, milestones
from tui.sim.components.route53 import Route53
from tui.sim.controller import Ctx

#: Milestones of the DNS core; cascade modules add theirs to ``World.milestone_ids``.
DNS_MILESTONES = milestones.DNS

#: Invariants checked on every run; a broken one is listed in the summary.
INVARIANTS = ("NeverDeleteActive", "EndpointNeverEmpty")


@dataclass(frozen=True)
class Plan:
    """One regional DNS plan: per endpoint, the load-balancer addresses to serve.

    Immutable, so snapshots share plans instead of copying them.
    """

    generation: int
    issued_at: float
    records: dict[str, tuple[str, ...]]

    def __deepcopy__(self, memo: dict[int, Any]) -> Plan:
        return self


def plan_records(generation: int, endpoints: list[str], count: int) -> dict[str, tuple[str, ...]]:
    """Deterministic addresses for a generation: the Planner shifts capacity a little each time."""
    out: dict[str, tuple[str, ...]] = {}
    for e, endpoint in enumerate(endpoints):
        addrs = []
        for i in range(count):
            n = (generation * 7 + i * 37 + e * 11) % 250 + 3
            if ".api.aws" in endpoint:
                addrs.append(f"2600:1f18:{4 + e:x}a0:{n:x}::{i + 1:x}")
            elif "fips" in endpoint:
                addrs.append(f"52.46.{140 + i}.{n}")
            else:
                addrs.append(f"3.218.{180 + i}.{n}")
        out[endpoint] = tuple(addrs)
    return out


@dataclass
class PlanStore:
    """The Planner's output (kept in S3 in AWS's design): its newest plan.

    Enactors read only the newest plan and keep the one they are applying in
    their own state, so older plans need not be kept: a snapshot at 06:00
    would otherwise carry some 1,500 of them.
    """

    newest: Plan | None = None
    issued: int = 0

    @property
    def latest_generation(self) -> int | None:
        return None if self.newest is None else self.newest.generation

    def add(self, plan: Plan) -> None:
        self.newest = plan
        self.issued += 1

    def latest(self) -> Plan | None:
        return self.newest


@dataclass
class ResolverCache:
    """One resolver's cached answer for the regional endpoint."""

    name: str
    records: tuple[str, ...] = ()
    negative: bool = False
    expires_at: float = 0.0
    refresh_at: float = float("inf")
    plan: int | None = None


@dataclass
class World:
    """Everything the components share in one run."""

    scenario: Scenario
    route53: Route53
    plans: PlanStore = field(default_factory=PlanStore)
    resolvers: list[ResolverCache] = field(default_factory=list)
    automation_disabled: bool = False
    flags: dict[str, Any] = field(default_factory=dict)
    milestones: dict[str, float | None] = field(default_factory=dict)
    violations: dict[str, float] = field(default_factory=dict)
    cleanup_requests: dict[str, int] = field(default_factory=dict)
    health: dict[str, str] = field(default_factory=dict)

    def __getstate__(self) -> dict[str, Any]:
        """Everything but the scenario, which is immutable and given back by :meth:`attach`."""
        state = dict(self.__dict__)
        state["scenario"] = None
        return state

    def attach(self, scenario: Scenario) -> World:
        """The scenario a restored world runs (snapshots leave it out)."""
        self.scenario = scenario
        return self

    @property
    def regional(self) -> str:
        return self.scenario.get("dns.regional_endpoint")

    def reach(self, ctx: Ctx, milestone: str, **data: Any) -> bool:
        """Record a milestone the first time it happens; return True if it was new."""
        if self.milestones.get(milestone) is not None:
            return False
        self.milestones[milestone] = ctx.now
        ctx.emit("milestone", id=milestone, at=iso(ctx.now), **data)
        return True

    def violate(self, ctx: Ctx, invariant: str, **data: Any) -> None:
        """Record a broken invariant (the first time is kept, every time is traced)."""
        self.violations.setdefault(invariant, ctx.now)
        ctx.emit("violation", invariant=invariant, **data)

    def set_health(self, ctx: Ctx, component: str, state: str, **data: Any) -> None:
        """Health of a lane for the timeline: ``ok``, ``degraded`` or ``down``."""
        if self.health.get(component) != state:
            self.health[component] = state
            ctx.emit("health", lane=component, state=state, **data)

    def on_publish(self, ctx: Ctx, endpoint: str) -> None:
        """Route 53 published ``endpoint``: mark the regional endpoint going empty and coming back."""
        if endpoint != self.regional:
            return
        if not self.regional_answer():
            self.reach(ctx, "dns.endpoint_empty", endpoint=endpoint)
            self.set_health(ctx, "dns", "down")
        elif self.milestones.get("dns.endpoint_empty") is not None:
            self.reach(ctx, "dns.restored", endpoint=endpoint)
            self.set_health(ctx, "dns", "ok")

    def regional_answer(self) -> tuple[str, ...]:
        return self.route53.authoritative[self.regional][0]
