"""Breadth-first search over the DNS core's state graph, from snapshots.

Why breadth-first: the first time a search reaches a state it has found a
shortest schedule to it, so the shortest counterexample comes out of the same
search that proves the others absent, with no second, unreduced search to
tighten it. The reductions it keeps are the ones that preserve distances:

* **state hashing**: a state reached again is not expanded again. Every
  schedule to a state explored later is at least as long as the one found
  first, so nothing shorter is lost.
* **AZ symmetry** (:meth:`~tui.explore.abstraction.StateAbstraction.canonical`):
  renaming AZs maps schedules to schedules of the same length and violations
  to the same violations, so one state per orbit has the same distances as
  the orbit.

Partial-order reduction is left out: sleep sets and persistent sets keep every
reachable violation but may reach it only by a longer, reordered schedule, so
the lengths they report are bounds, not distances.

**Level-synchronous.** The search goes one depth at a time: expand every state
of depth ``d`` (restore its snapshot once per move, take the move, hash the
result), then merge what was reached into the states of depth ``d + 1``. A
state's parent is the smallest (parent fingerprint, move) among the edges that
reached it at its own depth, which does not depend on the order in which
states were expanded. That is what lets the same search run in one process or
split over many (:mod:`tui.explore.parallel`) and give the same states,
violations and counterexamples. Each :class:`Partition` *owns* the states
whose fingerprint hashes to it (its share of the visited set: depths, parent
edges, violations) and *expands* the new states whose parent edge it took,
whoever owns them: it kept the snapshot at the end of that edge, so the
snapshot stays where it was made. What a partition reaches for another is
sent to the owner as one small record per state (its smallest edge from
there, violations); the owner hands each new state back to the partition
that took its parent edge, with its violations; only to even out the work of
the next depth are a few snapshots sent on, pickled.

Memory: per visited state its parent pointer (some 150 bytes); snapshots only
for the states of the current and the next depth.

Why one module of this size: the partition's rounds, the one-process driver
and the outcome they build are one protocol, read together.
"""

from __future__ import annotations

import pickle
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from tui.explore.collector import cycles_paused
from tui.explore.model import CoreRun, RunState, core_run
from tui.explore.scope import EXPLORED_INVARIANTS
from tui.scenario import Scenario

#: An invariant's bit in a violations mask.
BITS = {name: 1 << i for i, name in enumerate(EXPLORED_INVARIANTS)}


def mask_of(names: frozenset[str]) -> int:
    out = 0
    for name in names:
        out |= BITS.get(name, 0)
    return out


def names_of(mask: int) -> frozenset[str]:
    return frozenset(name for name, bit in BITS.items() if mask & bit)


def owner(fp: bytes, count: int) -> int:
    """The partition that owns a state: its fingerprint's leading bytes, modulo the partitions."""
    return int.from_bytes(fp[:8], "big") % count if count > 1 else 0


#: A state as a search keeps it: the run's state (:meth:`CoreRun.save`), its AZ renaming and its moves, so
#: that expanding it names its moves without working out its canonical form or its moves again.
Saved = tuple[RunState, dict[str, str], list[str]]

#: A state to expand: fingerprint, saved state, violations mask, marked. The last two are its owner's
#: record of it, carried along because the partition that expands a state need not be its owner.
Entry = tuple[bytes, Saved, int, bool]

#: What one partition reached at the next depth, for one owner: per state, the partition's smallest
#: edge into it (parent fingerprint, move), its violations mask, the invariants its edges from here break
#: first (a mask, or-ed over those edges) and whether it is marked. The sender is the edge's generator.
Reached = dict[bytes, list[Any]]

#: New states an owner hands to the partition that generated their parent edge, to expand next:
#: (fingerprint, violations mask, marked).
Grant = tuple[bytes, int, bool]


def pack(value: object) -> bytes:
    """A batch for another partition, pickled once by its sender (the coordinator only passes bytes on)."""
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


@dataclass
class Info:
    """What the search keeps of a visited state: depth, parent pointer, violations."""

    depth: int
    parent: bytes | None
    move: str
    violations: int


@dataclass
class LevelStats:
    """What one partition did at one depth, for the coordinator's counters and progress line."""

    expanded: int = 0
    transitions: int = 0
    new_states: int = 0
    #: States that learnt at this depth's merge of an invariant they are the first to break.
    new_violations: int = 0
    stopped: bool = False


class Partition:
    """One worker's share of the search: the states it owns and the states it expands.

    *Owning* a state (its fingerprint hashes here, :func:`owner`) means
    keeping its visited entry: depth, parent edge, violations, first
    violations, mark. *Expanding* it means holding its snapshot and taking
    its moves. The two differ: a new state is expanded by the partition that
    generated its parent edge, which already holds the snapshot at the end of
    that edge, so snapshots do not travel between partitions except to even
    out the work (:meth:`adopt`, :meth:`accept`). One depth is four rounds,
    batches between partitions going as pickled bytes:

    1. :meth:`expand` the frontier: what was reached, per owner;
    2. :meth:`merge` (owner): dedupe against the visited set, pick each new
       state's parent edge, hand the state to that edge's generator;
    3. :meth:`adopt` (generator): the handed states become the next frontier,
       from the snapshots kept at :meth:`expand`; some may be sent on;
    4. :meth:`accept` what was sent on (only when there is any).

    A single-process search is one partition that owns and expands everything
    (``count=1``): the same code, so the same results.
    """

    def __init__(
        self,
        scenario: Scenario,
        *,
        index: int = 0,
        count: int = 1,
        symmetry: bool = True,
        horizon: int | None = None,
        mark: Callable[[CoreRun], bool] | None = None,
        keep_edges: bool = False,
    ) -> None:
        self.index = index
        self.count = count
        self.horizon = horizon
        self.mark = mark
        self.keep_edges = keep_edges
        self.run = core_run(scenario, publishing=False)
        self.run.abstraction.symmetry = symmetry
        #: The owned states.
        self.visited: dict[bytes, Info] = {}
        #: Invariants each state is the first to break on some edge into it (a mask), for the owned states.
        self.first: dict[bytes, int] = {}
        self.marked: set[bytes] = set()
        #: States expanded here that have no moves (whoever owns them).
        self.ended: set[bytes] = set()
        #: Every edge out of the states expanded here (``keep_edges``).
        self.edges: dict[bytes, dict[str, bytes]] = {}
        self.depth = 0
        #: The states of ``depth`` this partition expands (owned here or not).
        self.frontier: list[Entry] = []
        self._done = 0  # how many of the frontier are expanded
        #: Snapshots at the end of this partition's smallest edge into each state of the next depth that may
        #: be new, taken at :meth:`expand`: a new state's parent edge was generated here if it is here.
        self._blobs: dict[bytes, Saved] = {}
        #: What this partition reached for itself (kept here, never pickled), and the states it handed itself.
        self._reached: Reached = {}
        self._granted: list[Grant] = []
        #: What the last merge taught: state -> invariants it is now known to break first.
        self.learnt: dict[bytes, int] = {}

    # -- the root ----------------------------------------------------------------------
    def root(self, prefix: tuple[int, ...] = ()) -> tuple[bytes, Saved, int, bool]:
        """Fingerprint, saved state, violations mask and mark of the state after ``prefix`` (then settled)."""
        run = self.run
        for index in prefix:
            run.controller.turn(index)
        run.settle_now()
        return run.fingerprint(), saved(run), mask_of(run.violations()), bool(self.mark and self.mark(run))

    def plant(self, fp: bytes | None, blob: Saved | None, violations: int, marked: bool) -> None:
        """Make the root this partition's only state at depth 0 (None: the root is another partition's)."""
        if fp is None or blob is None:
            return
        self.visited[fp] = Info(0, None, "", violations)
        if violations:
            self.first[fp] = violations
        if marked:
            self.marked.add(fp)
        self.frontier = [(fp, blob, violations, marked)]
        self._done = 0

    # -- one depth ---------------------------------------------------------------------------
    @cycles_paused()
    def expand(
        self,
        stop: Callable[[], bool] | None = None,
        tick: Callable[[LevelStats], None] | None = None,
        budget_s: float | None = None,
    ) -> tuple[list[bytes | None], LevelStats]:
        """Expand the frontier: what was reached for each other partition (pickled; None for this one), and counts.

        Per state reached, only this partition's smallest edge into it goes to
        its owner (the owner keeps the smallest over all partitions), and none
        for an owned state seen before whose edges break nothing new. The
        snapshot at the end of that smallest edge is kept, should the state
        turn out new. It ends early when ``stop()`` says so or after
        ``budget_s`` seconds (a worker process cannot be handed a callable);
        ``tick`` hears the counts every 64 states (a progress line).
        """
        run = self.run
        count, here = self.count, self.index
        visited, first = self.visited, self.first
        reached: list[Reached] = [{} for _ in range(count)]
        mine = reached[here]
        stats = LevelStats()
        deep = self.horizon is not None and self.depth >= self.horizon
        deadline = None if budget_s is None else time.perf_counter() + budget_s
        blobs = self._blobs = {}
        frontier = self.frontier
        while self._done < len(frontier):
            if (stop is not None and stop()) or (deadline is not None and time.perf_counter() >= deadline):
                stats.stopped = True
                break
            fp, (blob, rename, moves), before, marked_here = frontier[self._done]
            self._done += 1
            if deep or marked_here:
                continue
            stats.expanded += 1
            if not moves:
                self.ended.add(fp)
                continue
            names = [rename.get(c, c) for c in moves]
            edges = self.edges.setdefault(fp, {}) if self.keep_edges else None
            last = len(moves) - 1
            for i, component in enumerate(moves):
                run.load(blob, own=i == last)  # the last move takes the snapshot over
                run.advance_now(component)
                stats.transitions += 1
                child = run.fingerprint()
                viol = mask_of(run.violations())
                name = names[i]
                if edges is not None:
                    edges[name] = child
                home = owner(child, count) if count > 1 else here
                if home == here and child in visited:
                    # Seen before: it can only learn what this edge breaks first.
                    new = viol & ~before & ~first.get(child, 0)
                    if new:
                        entry = mine.get(child)
                        if entry is None:
                            mine[child] = [fp, name, viol, new, False]
                        else:
                            entry[3] |= new
                    continue
                batch = reached[home]
                entry = batch.get(child)
                if entry is None:
                    entry = batch[child] = [fp, name, viol, viol & ~before, False]
                else:
                    entry[3] |= viol & ~before
                    if (fp, name) >= (entry[0], entry[1]):
                        continue
                    entry[0], entry[1] = fp, name
                # This partition's smallest edge into the state so far: if the state is new, it may be
                # its parent edge (see merge), and the snapshot at its end is the one to expand.
                if self.mark is not None:
                    entry[4] = bool(self.mark(run))
                blobs[child] = saved(run, hand_over=True)  # the next move loads another state
            if tick is not None and stats.expanded % 64 == 0:
                tick(stats)
        self._reached = mine
        return [None if home == here else pack(batch) for home, batch in enumerate(reached)], stats

    @cycles_paused()
    def merge(self, inbound: Sequence[bytes | None] = ()) -> tuple[list[bytes | None], list[int], LevelStats]:
        """Take in what every partition reached for this one; hand each new state to its parent edge's generator.

        ``inbound[i]`` is what partition ``i`` reached for this one, pickled
        (None: nothing, or this partition's own, which stayed here). A state
        seen before only learns which invariants an edge into it breaks
        first. A new one gets the smallest (parent, move) among the edges
        that reached it at this depth as its parent edge, and goes to the
        partition that took that edge: it holds the snapshot at its end.
        Parent and snapshot then depend on the state graph only, never on how
        states were shared out, so every number of partitions explores the
        very same concrete states. Returns the grants for each generator
        (pickled; None for this one, kept here), how many each gets, counts.
        """
        stats = LevelStats()
        visited, first = self.visited, self.first
        fresh: dict[bytes, list[Any]] = {}
        learnt = self.learnt = {}
        for source in range(self.count):
            if source == self.index:
                batch = self._reached
            else:
                data = inbound[source] if source < len(inbound) else None
                batch = {} if data is None else pickle.loads(data)
            for child, (parent, move, viol, new, marked) in batch.items():
                if child in visited:
                    new &= ~first.get(child, 0)
                    if new:
                        first[child] = first.get(child, 0) | new
                        learnt[child] = learnt.get(child, 0) | new
                    continue
                entry = fresh.get(child)
                if entry is None:
                    fresh[child] = [parent, move, viol, new, marked, source]
                    continue
                entry[3] |= new
                if (parent, move) < (entry[0], entry[1]):
                    entry[0], entry[1], entry[4], entry[5] = parent, move, marked, source
        self._reached = {}
        grants: list[list[Grant]] = [[] for _ in range(self.count)]
        depth = self.depth + 1
        for child, (parent, move, viol, new, marked, source) in fresh.items():
            visited[child] = Info(depth, parent, move, viol)
            if new:
                first[child] = new
                learnt[child] = new
            if marked:
                self.marked.add(child)
            grants[source].append((child, viol, marked))
        stats.new_states = len(fresh)
        stats.new_violations = len(learnt)
        self._granted = grants[self.index]
        packed = [None if g == self.index or not batch else pack(batch) for g, batch in enumerate(grants)]
        return packed, [len(batch) for batch in grants], stats

    @cycles_paused()
    def adopt(self, grants: Sequence[bytes | None] = (), send: Sequence[int] = ()) -> list[bytes | None]:
        """Start the next depth with the new states handed to this partition, and send some of them on.

        ``grants[i]``: the states owner ``i`` handed here, pickled (None:
        none, or this partition's own). Their snapshots were kept at
        :meth:`expand`. ``send[j]`` of them go on to partition ``j``, pickled
        here, once (the coordinator evens out the next depth's work with
        them); the rest are this partition's next frontier.
        """
        blobs = self._blobs
        frontier = [(child, blobs[child], viol, marked) for child, viol, marked in self._granted]
        for source, data in enumerate(grants):
            if data is not None and source != self.index:
                frontier.extend((child, blobs[child], viol, marked) for child, viol, marked in pickle.loads(data))
        # Expansion order does not change the result; sorted, it does not depend on arrival order either.
        frontier.sort(key=_fingerprint)
        out: list[bytes | None] = [None] * self.count
        for dest, many in enumerate(send):
            if many > 0 and dest != self.index:
                out[dest] = pack(frontier[-many:])
                del frontier[-many:]
        self.frontier = frontier
        self._done = 0
        self._blobs = {}
        self._granted = []
        self.depth += 1
        return out

    @cycles_paused()
    def accept(self, sent: Sequence[bytes | None]) -> int:
        """Add the states other partitions sent on (pickled) to this depth's frontier; its size."""
        frontier = self.frontier
        for data in sent:
            if data is not None:
                frontier.extend(pickle.loads(data))
        frontier.sort(key=_fingerprint)
        return len(frontier)

    # -- after the search ----------------------------------------------------------------
    def left(self) -> int:
        """States of the current depth not expanded yet."""
        return len(self.frontier) - self._done

    def reached(self) -> int:
        """States of the next depth reached so far by this partition that may be new (for a partition owning all)."""
        return len(self._blobs)

    def parents(self) -> dict[bytes, tuple[bytes | None, str]]:
        return {fp: (info.parent, info.move) for fp, info in self.visited.items()}

    def violating(self) -> dict[bytes, int]:
        return dict(self.first)


def _fingerprint(entry: Entry) -> bytes:
    return entry[0]


def saved(run: CoreRun, *, hand_over: bool = False) -> Saved:
    """The run's state as a search keeps it, with its renaming and its moves (both worked out already or soon).

    ``hand_over``: the run's own objects go into it (see :meth:`CoreRun.save`).
    """
    rename = run.abstraction.canonical()[1] if run.abstraction.symmetry else {}
    moves = run.moves()
    return run.save(hand_over=hand_over), rename, moves


@dataclass
class BfsOutcome:
    """What a breadth-first search found, merged over its partitions."""

    root: bytes | None = None
    parents: dict[bytes, tuple[bytes | None, str]] = field(default_factory=dict)
    first: dict[bytes, int] = field(default_factory=dict)
    edges: dict[bytes, dict[str, bytes]] = field(default_factory=dict)
    marked: set[bytes] = field(default_factory=set)
    ended: set[bytes] = field(default_factory=set)
    states: int = 0
    transitions: int = 0
    expanded: int = 0
    depth: int = 0
    complete: bool = False
    elapsed_s: float = 0.0
    first_violation_s: float | None = None

    def first_violations(self) -> dict[str, set[bytes]]:
        out: dict[str, set[bytes]] = {}
        for fp, mask in self.first.items():
            for name in names_of(mask):
                out.setdefault(name, set()).add(fp)
        return out

    def path(self, fp: bytes) -> tuple[str, ...]:
        """The moves (canonical names) from the root to ``fp`` along parent pointers: a shortest schedule."""
        moves: list[str] = []
        while True:
            parent, move = self.parents[fp]
            if parent is None:
                break
            moves.append(move)
            fp = parent
        return tuple(reversed(moves))


@dataclass
class Progress:
    """Counters for a live progress line."""

    states: int
    transitions: int
    depth: int
    queue: int
    elapsed_s: float


@dataclass
class Limits:
    """When a search stops before it is complete: states, seconds, an outside request (ctrl-c, a newer count)."""

    max_states: int | None = None
    max_seconds: float | None = None
    max_expanded: int | None = None
    cancelled: Callable[[], bool] | None = None

    def reached(self, started: float, states: int, expanded: int) -> bool:
        if self.max_states is not None and states >= self.max_states:
            return True
        if self.max_expanded is not None and expanded >= self.max_expanded:
            return True
        if self.max_seconds is not None and time.perf_counter() - started >= self.max_seconds:
            return True
        return self.cancelled is not None and self.cancelled()


@cycles_paused()
def bfs(
    scenario: Scenario,
    *,
    prefix: tuple[int, ...] = (),
    symmetry: bool = True,
    horizon: int | None = None,
    mark: Callable[[CoreRun], bool] | None = None,
    keep_edges: bool = False,
    limits: Limits | None = None,
    until: Callable[[BfsOutcome, dict[bytes, int]], bool] | None = None,
    progress: Callable[[Progress], None] | None = None,
) -> BfsOutcome:
    """Breadth-first search in this process from the state after ``prefix``.

    ``horizon`` stops expanding at that depth; states for which ``mark`` says
    True are recorded (``outcome.marked``) and not expanded; ``keep_edges``
    keeps every edge (the doom meter counts paths over them). ``until(outcome,
    newly_violating)`` is asked after each depth and ends the search early
    when it says True (a shrink stops at the first depth that breaks its
    invariant). Limits end it incomplete.
    """
    limits = limits or Limits()
    started = time.perf_counter()
    part = Partition(scenario, symmetry=symmetry, horizon=horizon, mark=mark, keep_edges=keep_edges)
    fp, blob, viol, marked = part.root(prefix)
    part.plant(fp, blob, viol, marked)
    out = BfsOutcome(root=fp)
    states = 1
    if viol:
        out.first_violation_s = time.perf_counter() - started
    last_tick = [started]

    def stop() -> bool:
        return limits.reached(started, states + part.reached(), out.expanded)

    def tick(level: LevelStats) -> None:
        now = time.perf_counter()
        if progress is not None and now - last_tick[0] >= 0.2:
            last_tick[0] = now
            queue = part.left() + part.reached()
            seen = states + part.reached()
            progress(Progress(seen, out.transitions + level.transitions, part.depth, queue, now - started))

    complete = False
    while True:
        _, level = part.expand(stop, tick)
        out.expanded += level.expanded
        out.transitions += level.transitions
        _, _, merged = part.merge()  # stopped or not: what was reached was seen
        states += merged.new_states
        if merged.new_violations and out.first_violation_s is None:
            out.first_violation_s = time.perf_counter() - started
        if level.stopped:
            break
        part.adopt()
        if not part.left():
            complete = True
            break
        if until is not None and until(out, part.learnt):
            break
        if stop():
            break
    out.complete = complete
    out.states = len(part.visited)
    out.parents = part.parents()
    out.first = part.violating()
    out.edges = part.edges
    out.marked = part.marked
    out.ended = part.ended
    out.depth = part.depth
    out.elapsed_s = time.perf_counter() - started
    if progress is not None:
        progress(Progress(out.states, out.transitions, out.depth, 0, out.elapsed_s))
    return out
