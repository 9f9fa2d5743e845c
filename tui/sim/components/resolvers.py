"""Recursive resolvers in front of clients, with positive and negative caching.

Each resolver caches the regional endpoint's answer: a positive answer for
``positive_ttl_s``, the empty ``NOERROR`` answer (no records) for
``negative_ttl_s``. After an entry expires the resolver asks Route 53 again
when its next client query arrives (a gap drawn from the run's RNG), so the
fleet's negative entries drift out of step and recover one by one after DNS
is restored: the 02:25 to 02:40 tail.

While the authoritative answer is positive and unchanged, refreshing a
positive entry changes nothing anyone can see, so it costs no step: a
positive entry is refreshed only after Route 53 publishes a change, at the
end of its current TTL.

The caches themselves live in the world (``World.resolvers``); the
component's own state is only which publication it has taken in and which
resolver it is parked for.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from tui.sim.actions import act
from tui.sim.components.route53 import PUBLISHED
from tui.sim.controller import Ctx, Park
from tui.sim.world import ResolverCache, World


@dataclass
class ResolversState:
    phase: str = "start"
    seen: int = 0  # Route 53's publication count last taken in
    due: int = 0  # index of the resolver the current gate is for


def _store(ctx: Ctx, world: World, cache: ResolverCache) -> None:
    cfg = world.scenario
    records, plan, _writer = world.route53.authoritative[world.regional]
    cache.records, cache.plan = records, plan
    if records:
        cache.negative = False
        cache.expires_at = ctx.now + cfg.get("dns.resolvers.positive_ttl_s")
        cache.refresh_at = math.inf
    else:
        cache.negative = True
        cache.expires_at = ctx.now + cfg.get("dns.resolvers.negative_ttl_s")
        gap = ctx.rng.expovariate(1.0 / cfg.get("dns.resolvers.client_gap_s"))
        cache.refresh_at = cache.expires_at + gap


def _next(ctx: Ctx, world: World, state: ResolversState) -> Park:
    due = min(range(len(world.resolvers)), key=lambda i: (world.resolvers[i].refresh_at, world.resolvers[i].name))
    state.due = due
    cache = world.resolvers[due]
    if cache.refresh_at < math.inf:
        action = act("resolvers.query", resolver=cache.name, endpoint=world.regional)
    else:
        action = act("resolvers.wait")
    return ctx.until(cache.refresh_at, action, signal=PUBLISHED)


def _start(ctx: Ctx, world: World, state: ResolversState) -> Park:
    cfg = world.scenario
    ttl = cfg.get("dns.resolvers.positive_ttl_s")
    count = cfg.get("dns.resolvers.count")
    world.resolvers = [ResolverCache(name=f"resolver-{i + 1:02d}") for i in range(count)]
    records, plan, _writer = world.route53.authoritative[world.regional]
    for i, cache in enumerate(world.resolvers):
        # Every resolver already holds the live answer, filled at staggered
        # moments before the run started; it refetches only after a change.
        cache.records, cache.plan = records, plan
        cache.expires_at = ctx.now + ttl * (i + 1) / count
    state.seen = world.route53.publications
    state.phase = "wait"
    return _next(ctx, world, state)


def resolvers(ctx: Ctx, world: World, state: ResolversState) -> Park:
    if state.phase == "start":
        return _start(ctx, world, state)
    ttl = world.scenario.get("dns.resolvers.positive_ttl_s")
    if world.route53.publications != state.seen:
        state.seen = world.route53.publications
        records, plan, _writer = world.route53.authoritative[world.regional]
        for cache in world.resolvers:
            if cache.negative:
                continue
            if records:
                # Positive to positive: nobody can tell a refresh happened,
                # so the new records are taken in without a step each.
                cache.records, cache.plan = records, plan
            else:
                # The endpoint went empty: each resolver notices at the end of its TTL.
                cycles = max(0.0, math.ceil((ctx.now - cache.expires_at) / ttl))
                cache.refresh_at = min(cache.refresh_at, cache.expires_at + cycles * ttl)
        return _next(ctx, world, state)
    due = world.resolvers[state.due]
    if due.refresh_at > ctx.now:
        return _next(ctx, world, state)
    _store(ctx, world, due)
    if due.negative:
        negative_ttl = world.scenario.get("dns.resolvers.negative_ttl_s")
        ctx.emit("resolver.nodata", resolver=due.name, negative_ttl_s=negative_ttl)
        world.reach(ctx, "ddb.errors_start", resolver=due.name)
    else:
        ctx.emit("resolver.answer", resolver=due.name, plan=due.plan, records=len(due.records))
    return _next(ctx, world, state)
