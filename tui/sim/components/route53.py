"""Route 53 as the DNS automation uses it: hosted zones, record trees, atomic change batches.

One hosted zone per endpoint. Each plan generation is a *tree* of records in
the zone; a stable top-level *alias* points at the active tree; a *rollback*
record points at the previously active tree and is repointed in the same
transaction as the alias; a TXT record is the per-endpoint *lock* (holder +
expiry). A change batch applies all of its operations or none.

The control plane (``zones``) changes at once; what DNS servers answer
(``authoritative``) follows after the propagation component publishes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from tui.sim.actions import act
from tui.sim.controller import Ctx, Park

#: Notified when the control plane changed and has not been published yet.
DIRTY = "route53.dirty"
#: Notified when what authoritative servers answer changed.
PUBLISHED = "route53.published"


@dataclass(frozen=True)
class Lock:
    """The TXT lock record's value: who holds it and until when (virtual seconds)."""

    holder: str | None = None
    expiry: float = float("-inf")

    def held_by_other(self, me: str, now: float) -> bool:
        return self.holder not in (None, me) and self.expiry > now

    def text(self) -> str:
        return "free" if self.holder is None else f"{self.holder} {self.expiry:.0f}"


@dataclass(frozen=True)
class Zone:
    """One endpoint's hosted zone, as a value: a change batch or a repair puts a new zone in its place.

    Nothing changes a zone, nor its ``trees``, once it is in
    ``Route53.zones``; so a search's saved states share zones instead of
    copying them (:mod:`tui.explore.statecopy` shares frozen dataclasses),
    and a zone's identity tells whether it changed.
    """

    endpoint: str
    trees: dict[int, tuple[str, ...]] = field(default_factory=dict)
    alias: int | None = None
    rollback: int | None = None
    lock: Lock = field(default_factory=Lock)
    writer: str | None = None  # who last flipped the alias
    fallback_to_rollback: bool = False  # the fix: serve the rollback tree if the active one is gone

    def changed(self, **fields: Any) -> Zone:
        """A new zone with ``fields`` replaced (``dataclasses.replace`` without its checks and ``__init__``).

        Every change batch makes one, and an exploration runs hundreds of
        thousands of batches.
        """
        new = object.__new__(Zone)
        state = new.__dict__
        state.update(self.__dict__)
        state.update(fields)
        return new

    def answer(self) -> tuple[str, ...]:
        """Addresses the alias resolves to: none when its tree has been deleted.

        With ``fallback_to_rollback`` (the tolerant-rollback fix) a missing
        active tree falls back to the rollback tree, which is what the
        rollback record is for.
        """
        if self.alias is None:
            return ()
        records = self.trees.get(self.alias, ())
        if not records and self.fallback_to_rollback and self.rollback is not None:
            return self.trees.get(self.rollback, ())
        return records


# -- change batch operations -------------------------------------------------------
# Named tuples rather than frozen dataclasses: a batch builds several on every
# Enactor step, and a search takes hundreds of thousands of steps.
class TakeLock(NamedTuple):
    """The preamble: delete the TXT lock exactly as read, recreate it as ours."""

    expected: Lock
    holder: str
    expiry: float


class RequireNewer(NamedTuple):
    """Fix: re-check freshness inside the batch (abort if the zone has a newer plan)."""

    generation: int


class CreateTree(NamedTuple):
    generation: int
    records: tuple[str, ...]


class FlipAlias(NamedTuple):
    """Point the alias at ``generation`` and the rollback record at the previous tree."""

    generation: int
    writer: str
    tolerate_missing_rollback: bool = False


class DeleteTrees(NamedTuple):
    """Plan clean-up: delete trees older than ``below``; optionally spare alias and rollback."""

    below: int
    protect_active: bool = False


Operation = TakeLock | RequireNewer | CreateTree | FlipAlias | DeleteTrees


class BatchResult(NamedTuple):
    """What a change batch did; ``changed`` means the zone's answer changed (propagation must run)."""

    ok: bool
    reason: str = ""
    deleted: tuple[int, ...] = ()
    deleted_active: bool = False
    changed: bool = False


class BatchAborted(Exception):
    pass


class Route53:
    """The hosted zones plus what authoritative servers currently answer."""

    def __init__(self, endpoints: list[str], fallback_to_rollback: bool = False) -> None:
        self.zones = {ep: Zone(ep, fallback_to_rollback=fallback_to_rollback) for ep in endpoints}
        self.authoritative: dict[str, tuple[tuple[str, ...], int | None, str | None]] = {
            ep: ((), None, None) for ep in endpoints
        }
        self.publications = 0
        self.unpublished = False
        self.batches = 0
        self.deleted_active: list[tuple[str, int]] = []

    def applied_generation(self) -> int:
        """The newest generation any zone's alias points at (the Enactor's one-time check)."""
        gens = [z.alias for z in self.zones.values() if z.alias is not None]
        return max(gens, default=0)

    def change_batch(self, endpoint: str, ops: list[Operation], now: float) -> BatchResult:
        """Apply ``ops`` to one zone atomically: all or nothing.

        The caller notifies :data:`DIRTY` when the result says the answer changed.
        """
        self.batches += 1
        zone = self.zones[endpoint]
        trees = dict(zone.trees)
        alias, rollback, lock, writer = zone.alias, zone.rollback, zone.lock, zone.writer
        deleted: list[int] = []
        deleted_active = False
        try:
            for op in ops:
                if isinstance(op, TakeLock):
                    if lock != op.expected:
                        raise BatchAborted(f"lock changed since read (now {lock.text()})")
                    lock = Lock(op.holder, op.expiry)
                elif isinstance(op, RequireNewer):
                    if alias is not None and alias >= op.generation:
                        raise BatchAborted(f"plan {op.generation} is not newer than active plan {alias}")
                elif isinstance(op, CreateTree):
                    trees.setdefault(op.generation, op.records)
                elif isinstance(op, FlipAlias):
                    previous = alias
                    if previous is not None and previous not in trees:
                        if not op.tolerate_missing_rollback:
                            raise BatchAborted(f"rollback record cannot point at deleted plan {previous}")
                        previous = None
                    if op.generation not in trees:
                        raise BatchAborted(f"alias target plan {op.generation} has no records")
                    if previous != op.generation:
                        rollback = previous if previous is not None else op.generation
                    alias = op.generation
                    writer = op.writer
                elif isinstance(op, DeleteTrees):
                    spared = {alias, rollback} if op.protect_active else set()
                    for gen in sorted(trees):
                        if gen < op.below and gen not in spared:
                            del trees[gen]
                            deleted.append(gen)
                            deleted_active = deleted_active or gen == alias
        except BatchAborted as abort:
            return BatchResult(ok=False, reason=str(abort))
        draft = zone.changed(trees=trees, alias=alias, rollback=rollback, lock=lock, writer=writer)
        self.zones[endpoint] = draft
        if deleted_active and draft.alias is not None:
            self.deleted_active.append((endpoint, draft.alias))
        changed = zone.answer() != draft.answer() or zone.alias != draft.alias
        if changed:
            self.unpublished = True
        return BatchResult(ok=True, deleted=tuple(deleted), deleted_active=deleted_active, changed=changed)

    def repair(self, endpoint: str, generation: int, records: tuple[str, ...], writer: str, now: float) -> None:
        """What an operator does by hand: install a healthy tree and point alias and rollback at it.

        The caller notifies :data:`DIRTY`.
        """
        zone = self.zones[endpoint]
        trees = {**zone.trees, generation: records}
        self.zones[endpoint] = zone.changed(
            trees=trees, alias=generation, rollback=generation, writer=writer, lock=Lock()
        )
        self.unpublished = True

    def publish(self, now: float) -> list[str]:
        """Make the control plane visible to resolvers; return endpoints whose answer changed.

        The caller notifies :data:`PUBLISHED` when the list is not empty.
        """
        changed = []
        for ep, zone in self.zones.items():
            record = (zone.answer(), zone.alias, zone.writer)
            if record != self.authoritative[ep]:
                self.authoritative[ep] = record
                changed.append(ep)
        self.unpublished = False
        if changed:
            self.publications += 1
        return changed


@dataclass
class Propagation:
    """Route 53's propagation to its authoritative servers: waiting for a change, or propagating one."""

    phase: str = "start"


def propagation(ctx: Ctx, world: Any, state: Propagation) -> Park:
    """Changes show on the authoritative servers ``dns.route53.propagation_s`` after a batch."""
    route53: Route53 = world.route53
    if state.phase == "propagate":
        changed = route53.publish(ctx.now)
        if changed:
            ctx.notify(PUBLISHED)
        for ep in changed:
            answer, gen, writer = route53.authoritative[ep]
            ctx.emit("dns.published", endpoint=ep, plan=gen, writer=writer, records=list(answer))
            world.on_publish(ctx, ep)
    if state.phase in ("start", "propagate"):
        state.phase = "wait"
        return ctx.on(DIRTY, act("route53.wait"))
    state.phase = "propagate"
    delay = world.scenario.get("dns.route53.propagation_s")
    return ctx.after(ctx.jittered(delay), act("route53.propagate"))
