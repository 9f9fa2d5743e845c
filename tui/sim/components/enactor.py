"""The DNS Enactor (one per AZ) and its plan clean-up.

An Enactor picks up the newest plan, checks **once** that it is newer than
the plan applied before it, then walks the endpoints one by one. For each
endpoint it reads the TXT lock and, if free, submits one atomic change batch:
take the lock, create the plan's record tree, flip the alias and repoint the
rollback record. A contended or aborted batch is retried with exponential
backoff. After the whole plan is applied it asks its clean-up to delete trees
``dns.cleanup_threshold`` generations older than the plan it applied.

The one-time check is the time-of-check; the batch is the time-of-use. A
delayed Enactor can therefore apply a plan that has long gone stale.
"""

from __future__ import annotations

from tui.clock import parse_sim
from tui.sim.components.route53 import CreateTree, DeleteTrees, FlipAlias, RequireNewer, TakeLock
from tui.sim.controller import Ctx, Signal
from tui.sim.world import Plan, World


def enactor_id(az: str) -> str:
    return f"enactor/{az}"


def cleanup_id(az: str) -> str:
    return f"cleanup/{az}"


def _api_latency(world: World, az: str, now: float) -> float:
    """Route 53 API latency for this Enactor, raised while the scenario's fault is active."""
    latency = world.scenario.get("dns.enactor.api_latency_s")
    slow = world.scenario.get("faults").get("slow_enactor")
    if slow and slow["enactor"] == az and parse_sim(slow["from"]) <= now < parse_sim(slow["until"]):
        return slow["api_latency_s"]
    return latency


async def _apply_endpoint(ctx: Ctx, world: World, az: str, plan: Plan, endpoint: str) -> str:
    """One attempt at one endpoint; return ``applied``, ``contended``, ``aborted`` or ``stale``."""
    cfg = world.scenario
    zone = world.route53.zones[endpoint]
    lock = zone.lock
    if lock.held_by_other(az, ctx.now):
        ctx.emit("lock.contended", endpoint=endpoint, plan=plan.generation, holder=lock.holder)
        return "contended"
    ctx.emit("lock.read", endpoint=endpoint, plan=plan.generation, lock=lock.text())
    latency = ctx.jittered(_api_latency(world, az, ctx.now))
    await ctx.sleep(latency, action=f"apply plan {plan.generation} to {endpoint}")
    if world.automation_disabled:
        return "stopped"
    ops = [TakeLock(lock, az, ctx.now + cfg.get("dns.enactor.lock_ttl_s"))]
    if cfg.get("fixes.recheck_in_batch"):
        ops.append(RequireNewer(plan.generation))
    ops += [
        CreateTree(plan.generation, plan.records[endpoint]),
        FlipAlias(plan.generation, az, cfg.get("fixes.rollback_tolerates_missing")),
    ]
    result = world.route53.change_batch(endpoint, ops, ctx.now)
    if result.ok:
        ctx.emit("batch.applied", endpoint=endpoint, plan=plan.generation)
        return "applied"
    ctx.emit("batch.aborted", endpoint=endpoint, plan=plan.generation, reason=result.reason)
    return "stale" if result.reason.startswith("plan ") else "aborted"


async def enactor(ctx: Ctx, world: World, az: str) -> None:
    cfg = world.scenario
    poll = cfg.get("dns.enactor.poll_s")
    base, factor, cap = (cfg.get(f"dns.enactor.backoff_{k}") for k in ("base_s", "factor", "cap_s"))
    endpoints = cfg.get("dns.endpoints")
    last_seen: int | None = None
    while True:
        await ctx.sleep(ctx.jittered(poll), action="look for a newer plan")
        if world.automation_disabled:
            ctx.emit("enactor.stopped", reason="DNS automation disabled")
            return
        plan = world.plans.latest()
        if plan is None or plan.generation == last_seen:
            continue
        last_seen = plan.generation
        applied = world.route53.applied_generation()
        if plan.generation <= applied:
            ctx.emit("plan.skipped", plan=plan.generation, applied=applied)
            continue
        ctx.emit("plan.checked", plan=plan.generation, applied=applied)  # the one-time check
        complete = True
        for endpoint in endpoints:
            attempt = 0
            await ctx.step(f"read the lock on {endpoint} for plan {plan.generation}")
            while True:
                outcome = await _apply_endpoint(ctx, world, az, plan, endpoint)
                if outcome == "applied":
                    break
                if outcome in ("stale", "stopped") or world.automation_disabled:
                    complete = False
                    break
                delay = ctx.jittered(min(cap, base * factor**attempt))
                attempt += 1
                ctx.emit("backoff", endpoint=endpoint, plan=plan.generation, attempt=attempt, delay_s=round(delay, 3))
                await ctx.sleep(delay, action=f"retry plan {plan.generation} on {endpoint} (attempt {attempt + 1})")
            if not complete:
                break
        if complete:
            ctx.emit("plan.applied", plan=plan.generation)
            world.cleanup_requests[az] = plan.generation
            ctx.notify(world.cleanup_signals[az])
        else:
            ctx.emit("plan.abandoned", plan=plan.generation)


async def cleanup(ctx: Ctx, world: World, az: str, signal: Signal) -> None:
    """Delete plan trees ``cleanup_threshold`` generations older than the plan just applied.

    Deletions go zone by zone, one atomic batch each, without the lock: old
    trees were thought to be nobody's. With ``fixes.cleanup_protects_active``
    the batch spares the active and the rollback tree.
    """
    cfg = world.scenario
    threshold = cfg.get("dns.cleanup_threshold")
    protect = cfg.get("fixes.cleanup_protects_active")
    while True:
        if az not in world.cleanup_requests:
            await ctx.wait(signal, action="wait for a fully applied plan")
        applied = world.cleanup_requests.pop(az)
        below = applied - threshold
        ctx.emit("cleanup.started", plan=applied, below=below)
        for endpoint in cfg.get("dns.endpoints"):
            await ctx.step(f"delete plans older than {below} from {endpoint}")
            before = world.route53.zones[endpoint].alias
            result = world.route53.change_batch(endpoint, [DeleteTrees(below, protect)], ctx.now)
            if result.deleted:
                ctx.emit("cleanup.deleted", endpoint=endpoint, plans=list(result.deleted))
            if result.deleted_active:
                world.violate(ctx, "NeverDeleteActive", endpoint=endpoint, plan=before)
            if not world.route53.zones[endpoint].answer():
                world.violate(ctx, "EndpointNeverEmpty", endpoint=endpoint)
