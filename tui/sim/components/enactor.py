"""The DNS Enactor (one per AZ) and its plan clean-up.

An Enactor picks up the newest plan, checks **once** that it is newer than
the plan applied before it, then walks the endpoints one by one. For each
endpoint it reads the TXT lock and, if free, submits one atomic change batch:
take the lock, create the plan's record tree, flip the alias and repoint the
rollback record. A contended or aborted batch is retried with exponential
backoff. After the whole plan is applied it asks its clean-up to delete trees
``dns.cleanup_threshold`` generations older than the plan it applied.

The one-time check is the time-of-check; the batch is the time-of-use. Both
live in :class:`EnactorState`: ``checked_generation`` is set at the check and
read, possibly long stale, when the batch goes in. A delayed Enactor can
therefore apply a plan that has long gone stale.
"""

from __future__ import annotations

from dataclasses import dataclass

from tui.clock import parse_sim
from tui.sim.actions import act
from tui.sim.components.route53 import DIRTY, CreateTree, DeleteTrees, FlipAlias, Lock, RequireNewer, TakeLock
from tui.sim.controller import Ctx, Park
from tui.sim.world import Plan, World


def enactor_id(az: str) -> str:
    return f"enactor/{az}"


def cleanup_id(az: str) -> str:
    return f"cleanup/{az}"


def cleanup_signal(az: str) -> str:
    """The signal an Enactor notifies when it leaves its clean-up a request."""
    return f"cleanup.{az}"


@dataclass
class EnactorState:
    """Everything an Enactor keeps between two gates.

    ``phase`` names the gate it is parked at: ``start``, ``poll`` (look for
    a newer plan), ``read`` (read the lock of ``endpoints[endpoint]``),
    ``apply`` (submit the batch) or ``retry`` (read the lock again after a
    backoff).
    """

    az: str
    phase: str = "start"
    last_seen: int | None = None
    plan: Plan | None = None
    checked_generation: int | None = None  # the applied plan seen at the one-time check
    endpoint: int = 0
    attempt: int = 0
    read_lock: Lock | None = None  # the lock as read; the batch's preamble expects exactly this
    complete: bool = True


def _api_latency(world: World, az: str, now: float) -> float:
    """Route 53 API latency for this Enactor, raised while the scenario's fault is active."""
    latency = world.scenario.get("dns.enactor.api_latency_s")
    slow = world.scenario.get("faults").get("slow_enactor")
    if slow and slow["enactor"] == az and parse_sim(slow["from"]) <= now < parse_sim(slow["until"]):
        return slow["api_latency_s"]
    return latency


def _poll(ctx: Ctx, world: World, state: EnactorState) -> Park:
    state.phase = "poll"
    return ctx.after(ctx.jittered(world.scenario.get("dns.enactor.poll_s")), act("enactor.poll"))


def _read(ctx: Ctx, state: EnactorState, endpoint: str) -> Park:
    assert state.plan is not None
    state.phase = "read"
    state.attempt = 0
    return ctx.here(act("enactor.read_lock", endpoint=endpoint, plan=state.plan.generation))


def _try(ctx: Ctx, world: World, state: EnactorState) -> Park:
    """Read the lock: contended means back off; free means wait out the API call, then submit."""
    assert state.plan is not None
    endpoint = world.scenario.get("dns.endpoints")[state.endpoint]
    lock = world.route53.zones[endpoint].lock
    generation = state.plan.generation
    if lock.held_by_other(state.az, ctx.now):
        ctx.emit("lock.contended", endpoint=endpoint, plan=generation, holder=lock.holder)
        return _after_outcome(ctx, world, state, "contended")
    ctx.emit("lock.read", endpoint=endpoint, plan=generation, lock=lock.text())
    state.read_lock = lock
    latency = ctx.jittered(_api_latency(world, state.az, ctx.now))
    state.phase = "apply"
    return ctx.after(latency, act("enactor.apply", plan=generation, endpoint=endpoint))


def _submit(ctx: Ctx, world: World, state: EnactorState) -> str:
    """The atomic change batch; return ``applied``, ``aborted``, ``stale`` or ``stopped``."""
    assert state.plan is not None and state.read_lock is not None
    if world.automation_disabled:
        return "stopped"
    cfg = world.scenario
    plan = state.plan
    endpoint = cfg.get("dns.endpoints")[state.endpoint]
    ops = [TakeLock(state.read_lock, state.az, ctx.now + cfg.get("dns.enactor.lock_ttl_s"))]
    if cfg.get("fixes.recheck_in_batch"):
        ops.append(RequireNewer(plan.generation))
    ops += [
        CreateTree(plan.generation, plan.records[endpoint]),
        FlipAlias(plan.generation, state.az, cfg.get("fixes.rollback_tolerates_missing")),
    ]
    result = world.route53.change_batch(endpoint, ops, ctx.now)
    if result.changed:
        ctx.notify(DIRTY)
    if result.ok:
        ctx.emit("batch.applied", endpoint=endpoint, plan=plan.generation)
        return "applied"
    ctx.emit("batch.aborted", endpoint=endpoint, plan=plan.generation, reason=result.reason)
    return "stale" if result.reason.startswith("plan ") else "aborted"


def _after_outcome(ctx: Ctx, world: World, state: EnactorState, outcome: str) -> Park:
    """Next endpoint, give up on the plan, or back off and try this endpoint again."""
    assert state.plan is not None
    cfg = world.scenario
    endpoints = cfg.get("dns.endpoints")
    if outcome == "applied":
        state.endpoint += 1
        if state.endpoint < len(endpoints):
            return _read(ctx, state, endpoints[state.endpoint])
        return _finish(ctx, world, state)
    if outcome in ("stale", "stopped") or world.automation_disabled:
        state.complete = False
        return _finish(ctx, world, state)
    base, factor, cap = (cfg.get(f"dns.enactor.backoff_{k}") for k in ("base_s", "factor", "cap_s"))
    delay = ctx.jittered(min(cap, base * factor**state.attempt))
    state.attempt += 1
    endpoint = endpoints[state.endpoint]
    generation = state.plan.generation
    ctx.emit("backoff", endpoint=endpoint, plan=generation, attempt=state.attempt, delay_s=round(delay, 3))
    state.phase = "retry"
    return ctx.after(delay, act("enactor.retry", plan=generation, endpoint=endpoint, attempt=state.attempt + 1))


def _finish(ctx: Ctx, world: World, state: EnactorState) -> Park:
    """The plan is applied everywhere (ask the clean-up to run) or abandoned; poll again."""
    assert state.plan is not None
    if state.complete:
        ctx.emit("plan.applied", plan=state.plan.generation)
        world.cleanup_requests[state.az] = state.plan.generation
        ctx.notify(cleanup_signal(state.az))
    else:
        ctx.emit("plan.abandoned", plan=state.plan.generation)
    state.plan = state.read_lock = None
    return _poll(ctx, world, state)


def enactor(ctx: Ctx, world: World, state: EnactorState) -> Park | None:
    """One transition of an Enactor, from the gate its ``phase`` names."""
    phase = state.phase
    if phase == "start":
        return _poll(ctx, world, state)
    if phase == "poll":
        if world.automation_disabled:
            ctx.emit("enactor.stopped", reason="DNS automation disabled")
            return None
        plan = world.plans.latest()
        if plan is None or plan.generation == state.last_seen:
            return _poll(ctx, world, state)
        state.last_seen = plan.generation
        applied = world.route53.applied_generation()
        if plan.generation <= applied:
            ctx.emit("plan.skipped", plan=plan.generation, applied=applied)
            return _poll(ctx, world, state)
        ctx.emit("plan.checked", plan=plan.generation, applied=applied)  # the one-time check
        state.plan, state.checked_generation = plan, applied
        state.endpoint, state.complete = 0, True
        return _read(ctx, state, world.scenario.get("dns.endpoints")[0])
    if phase in ("read", "retry"):
        return _try(ctx, world, state)
    if phase == "apply":
        return _after_outcome(ctx, world, state, _submit(ctx, world, state))
    raise ValueError(f"enactor/{state.az}: unknown phase {phase!r}")


@dataclass
class CleanupState:
    """A clean-up between gates: waiting for a request, or deleting ``below`` zone by zone."""

    az: str
    phase: str = "start"
    below: int = 0
    endpoint: int = 0


def _next_request(ctx: Ctx, world: World, state: CleanupState) -> Park:
    if state.az not in world.cleanup_requests:
        state.phase = "wait"
        return ctx.on(cleanup_signal(state.az), act("cleanup.wait"))
    applied = world.cleanup_requests.pop(state.az)
    state.below = applied - world.scenario.get("dns.cleanup_threshold")
    ctx.emit("cleanup.started", plan=applied, below=state.below)
    state.endpoint = 0
    return _delete_next(ctx, world, state)


def _delete_next(ctx: Ctx, world: World, state: CleanupState) -> Park:
    state.phase = "delete"
    endpoint = world.scenario.get("dns.endpoints")[state.endpoint]
    return ctx.here(act("cleanup.delete", below=state.below, endpoint=endpoint))


def cleanup(ctx: Ctx, world: World, state: CleanupState) -> Park:
    """Delete plan trees ``cleanup_threshold`` generations older than the plan just applied.

    Deletions go zone by zone, one atomic batch each, without the lock: old
    trees were thought to be nobody's. With ``fixes.cleanup_protects_active``
    the batch spares the active and the rollback tree.
    """
    if state.phase in ("start", "wait"):
        return _next_request(ctx, world, state)
    endpoints = world.scenario.get("dns.endpoints")
    endpoint = endpoints[state.endpoint]
    protect = world.scenario.get("fixes.cleanup_protects_active")
    before = world.route53.zones[endpoint].alias
    result = world.route53.change_batch(endpoint, [DeleteTrees(state.below, protect)], ctx.now)
    if result.changed:
        ctx.notify(DIRTY)
    if result.deleted:
        ctx.emit("cleanup.deleted", endpoint=endpoint, plans=list(result.deleted))
    if result.deleted_active:
        world.violate(ctx, "NeverDeleteActive", endpoint=endpoint, plan=before)
    if not world.route53.zones[endpoint].answer():
        world.violate(ctx, "EndpointNeverEmpty", endpoint=endpoint)
    state.endpoint += 1
    if state.endpoint < len(endpoints):
        return _delete_next(ctx, world, state)
    return _next_request(ctx, world, state)
