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
violations and counterexamples: each :class:`Partition` owns the states whose
fingerprint hashes to it (its share of the visited set) and expands them; what
one partition reaches for another is sent to the owner as an *arrival*
(fingerprint, parent, move, violations); the owner asks for the snapshot of a
new state only once it knows the state is new.

Memory: per visited state its parent pointer (some 150 bytes); snapshots only
for the states of the current and the next depth.

Why one module of this size: the partition's rounds, the one-process driver
and the outcome they build are one protocol, read together.
"""

from __future__ import annotations

import pickle
import time
from collections.abc import Callable
from dataclasses import dataclass, field

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

#: A state reached at the next depth, as its owner hears of it:
#: (fingerprint, parent fingerprint, move, violations mask, newly broken mask, marked, generator).
Arrival = tuple[bytes, bytes, str, int, int, bool, int]


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
    """The states one worker owns: its share of the visited set, their parents, the frontier it expands.

    A single-process search is one partition that owns everything
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
        self.run = core_run(scenario)
        self.run.abstraction.symmetry = symmetry
        self.visited: dict[bytes, Info] = {}
        #: Invariants each state is the first to break on some edge into it (a mask), for the owned states.
        self.first: dict[bytes, int] = {}
        self.marked: set[bytes] = set()
        self.ended: set[bytes] = set()
        self.edges: dict[bytes, dict[str, bytes]] = {}
        self.depth = 0
        #: (fingerprint, saved state) of the owned states at ``depth``, still to expand.
        self.frontier: list[tuple[bytes, Saved]] = []
        self._done = 0  # how many of the frontier are expanded
        #: Snapshots of owned states reached at the next depth, saved when first reached here.
        self._blobs: dict[bytes, Saved] = {}
        self._next_frontier: list[tuple[bytes, Saved]] = []
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
        self.frontier = [(fp, blob)]
        self._done = 0

    # -- one depth ---------------------------------------------------------------------------
    @cycles_paused()
    def expand(
        self,
        stop: Callable[[], bool] | None = None,
        tick: Callable[[LevelStats], None] | None = None,
        budget_s: float | None = None,
    ) -> tuple[list[list[Arrival]], LevelStats]:
        """Expand the frontier: what was reached, by owner, and the counts.

        It ends early when ``stop()`` says so or after ``budget_s`` seconds (a
        worker process cannot be handed a callable); ``tick`` hears the counts
        every 64 states (a progress line).
        """
        run = self.run
        count = self.count
        out: list[list[Arrival]] = [[] for _ in range(count)]
        stats = LevelStats()
        deep = self.horizon is not None and self.depth >= self.horizon
        deadline = None if budget_s is None else time.perf_counter() + budget_s
        blobs = self._blobs = {}
        keys: dict[bytes, tuple[bytes, str]] = {}
        while self._done < len(self.frontier):
            if (stop is not None and stop()) or (deadline is not None and time.perf_counter() >= deadline):
                stats.stopped = True
                break
            fp, (blob, rename, moves) = self.frontier[self._done]
            self._done += 1
            if deep or fp in self.marked:
                continue
            stats.expanded += 1
            if not moves:
                self.ended.add(fp)
                continue
            names = [rename.get(c, c) for c in moves]
            before = self.visited[fp].violations
            edges = self.edges.setdefault(fp, {}) if self.keep_edges else None
            last = len(moves) - 1
            for i, component in enumerate(moves):
                run.load(blob, own=i == last)  # the last move takes the snapshot over
                run.advance_now(component)
                stats.transitions += 1
                child = run.fingerprint()
                viol = mask_of(run.violations())
                marked = bool(self.mark and self.mark(run))
                name = names[i]
                if edges is not None:
                    edges[name] = child
                home = owner(child, count)
                # Keep the snapshot at the end of this partition's smallest edge into the state: if
                # the state is new, that edge may be its parent edge (see merge). A state owned here
                # and seen before needs none; another partition's may be new, and saving it now
                # costs less than taking the edge again should its owner ask for it.
                if (home != self.index or child not in self.visited) and (
                    child not in keys or (fp, name) < keys[child]
                ):
                    keys[child] = (fp, name)
                    blobs[child] = saved(run, hand_over=True)  # the next move loads another state
                out[home].append((child, fp, name, viol, viol & ~before, marked, self.index))
            if tick is not None and stats.expanded % 64 == 0:
                tick(stats)
        return out, stats

    @cycles_paused()
    def merge(self, arrivals: list[list[Arrival]]) -> tuple[list[list[bytes]], LevelStats]:
        """Take in what every partition reached for this one; the snapshots to ask each generator for.

        A state seen before only learns which invariants an edge into it
        breaks first. A new one gets the smallest (parent, move) among the
        edges that reached it at this depth as its parent edge, and the
        snapshot taken at the end of that edge: saved here if this partition
        took it, else asked of the partition that did. Parent and
        snapshot then depend on the state graph only, never on how states
        were shared out, so every number of partitions explores the very
        same concrete states.
        """
        stats = LevelStats()
        fresh: dict[bytes, list[object]] = {}
        depth = self.depth + 1
        learnt = self.learnt = {}
        for batch in arrivals:
            for child, parent, move, viol, new, marked, generator in batch:
                info = self.visited.get(child)
                if info is not None:
                    if new & ~self.first.get(child, 0):
                        self.first[child] = self.first.get(child, 0) | new
                        learnt[child] = learnt.get(child, 0) | new
                    continue
                entry = fresh.get(child)
                if entry is None:
                    fresh[child] = [parent, move, viol, new, marked, generator]
                    continue
                entry[3] = entry[3] | new  # type: ignore[operator]
                if (parent, move) < (entry[0], entry[1]):  # type: ignore[operator]
                    entry[0], entry[1], entry[5] = parent, move, generator
        requests: list[list[bytes]] = [[] for _ in range(self.count)]
        frontier: list[tuple[bytes, Saved]] = []
        for child, (parent, move, viol, new, marked, generator) in fresh.items():
            self.visited[child] = Info(depth, parent, move, viol)  # type: ignore[arg-type]
            if new:
                self.first[child] = new  # type: ignore[assignment]
                learnt[child] = new  # type: ignore[assignment]
            if marked:
                self.marked.add(child)
            if generator == self.index:
                frontier.append((child, self._blobs[child]))
            else:
                requests[generator].append(child)  # type: ignore[index]
        stats.new_states = len(fresh)
        stats.new_violations = len(learnt)
        self._next_frontier = frontier
        return requests, stats

    @cycles_paused()
    def produce(self, requests: list[bytes]) -> list[list[tuple[bytes, bytes]]]:
        """The snapshots other partitions asked for (their new states, reached here), by owner.

        Each is pickled here, once, into bytes: the coordinator only passes
        them on, and bytes cost it nothing to read and write again.
        """
        out: list[list[tuple[bytes, bytes]]] = [[] for _ in range(self.count)]
        for child in requests:
            blob = pickle.dumps(self._blobs[child], protocol=pickle.HIGHEST_PROTOCOL)
            out[owner(child, self.count)].append((child, blob))
        return out

    @cycles_paused()
    def accept(self, produced: list[list[tuple[bytes, bytes]]]) -> int:
        """Start the next depth: the new states' snapshots, saved here or sent (pickled) by other partitions."""
        frontier = self._next_frontier
        for batch in produced:
            frontier.extend((child, pickle.loads(blob)) for child, blob in batch)
        # Expansion order does not change the result; sorted, it does not depend on arrival order either.
        frontier.sort()
        self.frontier = frontier
        self._done = 0
        self._blobs = {}
        self.depth += 1
        return len(frontier)

    # -- after the search ----------------------------------------------------------------
    def left(self) -> int:
        """States of the current depth not expanded yet."""
        return len(self.frontier) - self._done

    def reached(self) -> int:
        """New states of the next depth reached so far by this partition (for a partition owning all)."""
        return len(self._blobs)

    def parents(self) -> dict[bytes, tuple[bytes | None, str]]:
        return {fp: (info.parent, info.move) for fp, info in self.visited.items()}

    def violating(self) -> dict[bytes, int]:
        return dict(self.first)


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
        arrivals, level = part.expand(stop, tick)
        out.expanded += level.expanded
        out.transitions += level.transitions
        _, merged = part.merge(arrivals)  # stopped or not: what was reached was seen
        states += merged.new_states
        if merged.new_violations and out.first_violation_s is None:
            out.first_violation_s = time.perf_counter() - started
        if level.stopped:
            break
        if not part.accept([]):
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
