"""EC2 DropletWorkflow Manager (DWFM): droplet leases and their metastable recovery queue.

Every droplet (a physical EC2 host) holds a lease from DWFM, renewed by state
checks that depend on DynamoDB. The fleet is an aggregate:

* a *renewal wheel*: how many leases fall due in each coming tick. Due leases
  are renewed with the share of DWFM hosts that can reach DynamoDB; the rest
  lapse. With DynamoDB gone, leases lapse evenly over one lease lifetime,
  which is AWS's "slowly time out across the fleet" from 23:48 to 02:24;
* a FIFO *re-establishment queue* of attempts, in cohorts (enqueued at, count).
  DWFM completes ``capacity_per_s`` attempts per second. A droplet whose
  attempt has waited ``attempt_timeout_s`` gives up on it and queues a new
  one; the abandoned attempt stays in the queue and is still worked on, for
  nothing. Once the lapsed fleet outnumbers what DWFM can finish within one
  timeout, the head of the queue is always an abandoned attempt, useful work
  drops to zero and the queue grows: **congestive collapse**. DNS is fine by
  then; nothing in here lets the queue drain by itself.

The ``dwfm-throttle-restart`` operator action restarts DWFM hosts (the queue is
dropped) and throttles admission to what DWFM can finish within the timeout,
so every attempt completes and leases come back at DWFM's real capacity.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

from tui.scenario import milestones
from tui.sim.actions import Action, act
from tui.sim.components.operators import action
from tui.sim.components.region import DEGRADED, DOWN, OK, Ticking, region, tick_step
from tui.sim.controller import Ctx, Park
from tui.sim.world import World

MILESTONES = milestones.DWFM


@action("dwfm-throttle-restart", "throttle incoming work and restart DWFM hosts to empty their queues")
def dwfm_throttle_restart(ctx: Ctx, world: World) -> None:
    reg = region(world)
    if reg.leased_fraction >= 1.0:
        ctx.emit("operator.no_need", id="dwfm-throttle-restart", reason="every droplet holds a lease")
        return
    reg.dwfm_throttled = True
    reg.dwfm_restart_requested = True
    reg.ec2_request_throttled = True
    world.reach(ctx, "dwfm.throttled")


@dataclass
class Cohort:
    """Re-establishment attempts queued in the same tick; ``live`` until their droplets give up on them."""

    enqueued_at: float
    count: float
    live: bool = True


@dataclass(frozen=True)
class TickReport:
    """What one tick of DWFM did, for the trace and the milestones."""

    lapsed: float
    established: float
    wasted: float
    queued: float
    oldest_wait_s: float


class LeaseFleet:
    """The droplet fleet's leases and DWFM's re-establishment queue, as counts."""

    def __init__(
        self, droplets: int, lifetime_s: float, capacity_per_s: float, timeout_s: float, admit_share: float, tick: float
    ) -> None:
        self.droplets = float(droplets)
        self.capacity_per_s = capacity_per_s
        self.timeout_s = timeout_s
        self.admit_share = admit_share
        bins = max(1, math.ceil(lifetime_s / tick))
        self.wheel: deque[float] = deque([self.droplets / bins] * bins)
        self.waiting = 0.0  # droplets without a lease and without a live attempt
        self.queue: deque[Cohort] = deque()  # every attempt, FIFO
        self.live: deque[Cohort] = deque()  # live attempts only, oldest first
        self.ever_short = False  # whether a tick ever ended with a droplet or more without a lease

    @property
    def leased(self) -> float:
        """Droplets holding a lease: everything on the renewal wheel."""
        return sum(self.wheel)

    @property
    def leased_fraction(self) -> float:
        return min(1.0, self.leased / self.droplets)

    @property
    def without_lease(self) -> float:
        """Droplets that cannot take launches: waiting for an attempt or with one in the queue."""
        return max(0.0, self.droplets - self.leased)

    def queued(self) -> float:
        """Attempts in DWFM's queue, live and abandoned alike: all of them cost work."""
        return sum(c.count for c in self.queue)

    def restart(self) -> None:
        """Restarted DWFM hosts forget their queues; the droplets will ask again."""
        self.waiting += sum(c.count for c in self.live)
        self.queue.clear()
        self.live.clear()

    def _enqueue(self, now: float, count: float, throttled: bool) -> float:
        """Queue ``count`` attempts (or, throttled, as many as fit); return how many were admitted."""
        if throttled:
            room = self.capacity_per_s * self.timeout_s * self.admit_share - self.queued()
            count = min(count, max(0.0, room))
        if count > 0:
            cohort = Cohort(now, count)
            self.queue.append(cohort)
            self.live.append(cohort)
        return count

    def tick(self, now: float, dt: float, reachable: float, throttled: bool) -> TickReport:
        """Advance one tick; ``reachable`` is the share of DWFM's DynamoDB calls that succeed."""
        # Renew the leases that fall due; those that cannot be checked lapse.
        due = self.wheel.popleft()
        renewed = due * reachable
        lapsed = due - renewed
        self.waiting += lapsed
        # Droplets whose attempt waited past the timeout give up on it and ask again.
        retries = 0.0
        while self.live and now - self.live[0].enqueued_at >= self.timeout_s:
            cohort = self.live.popleft()
            cohort.live = False
            retries += cohort.count
        self.waiting += retries
        # Droplets without an attempt ask DWFM (which needs DynamoDB to start one).
        self.waiting -= self._enqueue(now, self.waiting * reachable, throttled)
        # DWFM works through the queue from its head.
        budget = self.capacity_per_s * dt
        established = wasted = 0.0
        while budget > 1e-9 and self.queue:
            head = self.queue[0]
            take = min(budget, head.count)
            budget -= take
            head.count -= take
            if head.live:
                ok = take * reachable
                established += ok
                self.waiting += take - ok
            else:
                wasted += take
            if head.count <= 1e-9:
                self.queue.popleft()
                if head.live:
                    self.live.popleft()  # the oldest live cohort is the queue's oldest
        self.wheel.append(renewed + established)
        # Leases that lapsed and came back within the tick never left a droplet unable to take launches.
        self.ever_short = self.ever_short or self.without_lease >= 1
        oldest = now - self.queue[0].enqueued_at if self.queue else 0.0
        return TickReport(lapsed, established, wasted, self.queued(), oldest)


@dataclass
class DwfmState(Ticking):
    """The lease fleet and how long useful work has been stalled."""

    fleet: LeaseFleet | None = None
    stalled_since: float = math.inf


def new_state(world: World) -> DwfmState:
    cfg = world.scenario
    fleet = LeaseFleet(
        droplets=cfg.get("dwfm.droplets"),
        lifetime_s=cfg.get("dwfm.lease_lifetime_s"),
        capacity_per_s=cfg.get("dwfm.capacity_per_s"),
        timeout_s=cfg.get("dwfm.attempt_timeout_s"),
        admit_share=cfg.get("dwfm.throttled_admit_share"),
        tick=cfg.get("cascade.tick_s"),
    )
    return DwfmState(fleet=fleet)


def _tick(ctx: Ctx, world: World, state: DwfmState, dt: float) -> None:
    reg = region(world)
    fleet = state.fleet
    assert fleet is not None
    if reg.dwfm_restart_requested:
        reg.dwfm_restart_requested = False
        dropped = fleet.queued()
        fleet.restart()
        ctx.emit("dwfm.restarted", dropped_attempts=round(dropped))
    report = fleet.tick(ctx.now, dt, reg.ddb_public, reg.dwfm_throttled)
    # Less than one droplet short is rounding in the aggregate, not a droplet.
    reg.leased_fraction = 1.0 if fleet.without_lease < 1 else fleet.leased_fraction
    reg.leases_established = report.established
    if report.lapsed or report.established or report.wasted or report.queued:
        ctx.emit(
            "dwfm.tick",
            without_lease=round(fleet.without_lease),
            lapsed=round(report.lapsed),
            established=round(report.established),
            wasted=round(report.wasted),
            queued=round(report.queued),
            oldest_wait_s=round(report.oldest_wait_s),
        )
    # Collapse: a whole attempt timeout of work in which nothing useful got done.
    if report.wasted > 0 and report.established <= 0 and fleet.without_lease >= 1:
        state.stalled_since = min(state.stalled_since, ctx.now)
        if ctx.now - state.stalled_since >= fleet.timeout_s:
            world.reach(ctx, "dwfm.congestive_collapse", queued=round(report.queued))
    else:
        state.stalled_since = math.inf
    if fleet.ever_short and fleet.without_lease < 1:
        world.reach(ctx, "dwfm.leases_restored")
    share = fleet.leased_fraction
    collapsed = report.wasted > 0 and report.established <= 0
    health = OK if fleet.without_lease < 1 else (DOWN if collapsed or share < 0.5 else DEGRADED)
    world.set_health(ctx, "ec2-dwfm", health)


def _label(world: World, state: DwfmState) -> Action:
    assert state.fleet is not None
    return act("dwfm.tick", queued=round(state.fleet.queued()) if state.fleet.queue else 0)


def dwfm(ctx: Ctx, world: World, state: DwfmState) -> Park:
    """Tick the lease fleet; publish the leased share; mark collapse and restoration."""
    return tick_step(ctx, world, state, _tick, _label)
