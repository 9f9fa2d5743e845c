"""The depth-first search with partial-order reduction: fewer steps to verify a variant.

The search is *stateful*: component state is data, so a state still to be
expanded keeps a snapshot of the run (:meth:`~tui.explore.model.CoreRun.save`),
and the search goes on from there by restoring it instead of replaying the
path from the root. Its reductions:

* **state hashing** at every decision point
  (:meth:`~tui.explore.model.CoreRun.fingerprint`), so a state reached again
  is not explored again, up to a permutation of AZs (symmetry),
* **persistent sets** (not when stopping at the first violation: see
  :class:`DepthFirst`): the Planner or a clean-up waits while nothing it
  could ever do conflicts with the steps the others are parked at, and
* **sleep sets** (Godefroid's partial-order reduction): after exploring a
  step ``a`` from a state, a later sibling ``b`` that commutes with ``a``
  passes ``a`` on asleep, so the interleaving ``b·a`` is not run again once
  ``a·b`` was. With state caching the sleep set stored with a state is
  intersected on every visit, and only steps that were asleep before but are
  awake now are explored again, which keeps the search complete for safety.

Commuting steps are read off each step's footprint (:mod:`tui.explore.footprint`).
Its paths to violations are bounds only (the reductions reorder and lengthen
them); :func:`tui.explore.exhaustive.exhaustive` makes them exact.
"""

from __future__ import annotations

import math
import random
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from tui.explore.bfs import Limits, Progress
from tui.explore.collector import cycles_paused
from tui.explore.model import CoreRun, RunState, core_run
from tui.explore.results import OnProgress, SearchResult
from tui.scenario import Scenario


@dataclass(frozen=True)
class DepthFirst:
    """How a depth-first search runs.

    ``prefix`` is the choice indices to the start state. ``reduction`` turns
    the sleep and persistent sets on; ``hashing`` the visited-state cache
    (without it only cycles on the current path are cut, so runs are the raw
    interleavings). ``horizon`` bounds the depth below the start state; with
    a horizon a state reached again at a smaller depth is explored again, so
    everything within the bound is seen. ``max_runs`` bounds the runs.

    ``stop_at_first`` stops at the first violation. Such a search hunts a
    bug rather than proving there is none, so by default (``persistent``)
    it keeps the sleep sets but not the persistent sets: those postpone the
    Planner and the clean-ups while nothing they could do conflicts with the
    others' next steps, and the race needs a clean-up at the right moment.
    In controller order they delay the first violation on every scope
    measured, by 1.3x to 4.8x the steps; with four endpoints a million
    steps did not find it, against 275,000 without them
    (``python benchmarks/explore_first.py``).

    States for which ``mark`` says True are recorded in
    :attr:`StateGraph.marked` and not explored further. ``order_seed``
    shuffles the order in which each state's moves are tried (the search
    stays exhaustive; a bounded one reaches deep races sooner). ``symmetry``
    identifies states that differ only by which AZ is which; sleep sets and
    edges are then kept in the canonical frame.
    """

    prefix: Sequence[int] = ()
    reduction: bool = True
    hashing: bool = True
    horizon: int | None = None
    max_runs: int | None = None
    stop_at_first: bool = False
    mark: Callable[[CoreRun], bool] | None = None
    order_seed: int | None = None
    symmetry: bool = True
    #: Persistent sets on top of the sleep sets (with ``reduction``); None: unless ``stop_at_first``.
    persistent: bool | None = None

    @property
    def persistent_sets(self) -> bool:
        return not self.stop_at_first if self.persistent is None else self.persistent


@dataclass
class StateGraph:
    """What a search saw: states, edges by component, violations per state."""

    root: bytes | None = None
    edges: dict[bytes, dict[str, bytes]] = field(default_factory=dict)
    violations: dict[bytes, frozenset[str]] = field(default_factory=dict)
    first_violations: dict[str, set[bytes]] = field(default_factory=dict)
    marked: set[bytes] = field(default_factory=set)
    ended: set[bytes] = field(default_factory=set)

    def add_state(self, fp: bytes, violations: frozenset[str], before: frozenset[str]) -> None:
        self.violations.setdefault(fp, violations)
        if violations != before:
            for name in violations - before:
                self.first_violations.setdefault(name, set()).add(fp)

    def add_edge(self, parent: bytes, component: str, child: bytes) -> None:
        self.edges.setdefault(parent, {})[component] = child

    def shortest_paths(self) -> dict[bytes, tuple[str, ...]]:
        """Breadth-first distances from the root, as component sequences."""
        if self.root is None:
            return {}
        paths: dict[bytes, tuple[str, ...]] = {self.root: ()}
        queue = deque([self.root])
        while queue:
            fp = queue.popleft()
            for component, child in self.edges.get(fp, {}).items():
                if child not in paths:
                    paths[child] = (*paths[fp], component)
                    queue.append(child)
        return paths


@dataclass
class _Frame:
    fp: bytes
    todo: list[str]
    sleep: frozenset[str]
    violations: frozenset[str]
    done: list[str] = field(default_factory=list)
    postponed: list[str] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)  # component -> its name in the canonical frame
    blob: RunState | None = None  # the run in this state, while more than one move is left to try from it


async def explore_graph(
    scenario: Scenario,
    how: DepthFirst = DepthFirst(),
    *,
    progress: OnProgress | None = None,
    limits: Limits | None = None,
) -> tuple[StateGraph, SearchResult]:
    """Depth-first search of every interleaving from the state after ``how.prefix``.

    A *run* here is one stretch of steps without going back: the search goes
    down from the root, and each time it backs up to a state with a move left
    it restores that state's snapshot (kept only for states with more than
    one move to try) and counts a new run.
    """
    return _Search(scenario, how, limits or Limits()).explore(progress)


class _Search:
    """One depth-first search: the run it steps, the stack of open states, what it has seen."""

    def __init__(self, scenario: Scenario, how: DepthFirst, limits: Limits) -> None:
        self.how = how
        self.limits = limits
        self.out = SearchResult("exhaustive")
        self.graph = StateGraph()
        self.visited: dict[bytes, frozenset[str]] = {}
        self.depth_seen: dict[bytes, int] = {}
        self.stack: list[_Frame] = []
        #: How many times each state is on the stack.
        self.on_path: dict[bytes, int] = {}
        self.path: list[str] = []
        self.started = time.perf_counter()
        self.run = core_run(scenario, publishing=False)
        self.run.abstraction.symmetry = how.symmetry

    @cycles_paused()
    def explore(self, progress: OnProgress | None) -> tuple[StateGraph, SearchResult]:
        out, stack = self.out, self.stack
        last_tick = self.started
        while not self._stopped():
            out.runs += 1
            if stack:
                top = stack[-1]
                assert top.blob is not None
                # The last move to try from it: the snapshot is not needed again, so it is taken, not copied.
                self.run.load(top.blob, own=len(top.todo) == 1 and not top.postponed)
            else:
                self._enter_root()
            if self._descend():
                break  # stopped at the first violation
            while stack and not stack[-1].todo:
                self._leave(stack.pop())
                if self.path:
                    self.path.pop()
            if progress is not None and time.perf_counter() - last_tick >= 0.2:
                last_tick = time.perf_counter()
                progress(
                    Progress(len(self.visited), out.transitions, len(self.path), len(stack), last_tick - self.started)
                )
            if not stack:
                out.complete = True
                break
        out.states = len(self.visited)
        out.elapsed_s = time.perf_counter() - self.started
        return self.graph, out

    def _stopped(self) -> bool:
        max_runs = self.how.max_runs
        if max_runs is not None and self.out.runs >= max_runs:
            return True
        return self.limits.reached(self.started, len(self.visited), self.out.runs)

    def _enter_root(self) -> None:
        run = self.run
        for index in self.how.prefix:
            run.controller.turn(index)
        run.settle_now()
        fp = run.fingerprint()
        viol = run.violations()
        self.graph.root = fp
        self.graph.add_state(fp, viol, frozenset())
        self._enter(self._open_state(fp, frozenset(), viol))

    def _descend(self) -> bool:
        """Go down from the top state while it has moves to try; True if stopped at the first violation."""
        run, out, graph, stack = self.run, self.out, self.graph, self.stack
        while stack[-1].todo:
            frame = stack[-1]
            component = frame.todo.pop(0)
            if not frame.todo and not frame.postponed:
                frame.blob = None  # its last move: nothing to come back for
            sleep = self._sleep_after(frame, component)
            frame.done.append(component)
            run.advance_now(component)
            self.path.append(component)
            out.transitions += 1
            fp = run.fingerprint()
            known = graph.violations.get(fp)  # a state's digest covers what its violations depend on
            viol = run.violations() if known is None else known
            graph.add_edge(frame.fp, frame.names.get(component, component), fp)
            graph.add_state(fp, viol, frame.violations)
            if viol != frame.violations and viol - frame.violations and out.first_counterexample_s is None:
                out.first_counterexample_s = time.perf_counter() - self.started
                if self.how.stop_at_first:
                    return True
            if frame.postponed and fp in self.on_path:
                # A cycle closes: nothing may be postponed around it for ever.
                frame.todo.extend(frame.postponed)
                frame.postponed = []
            self._enter(self._open_state(fp, sleep, viol))
        return False

    def _enter(self, frame: _Frame) -> None:
        """Push ``frame``; the states on the stack are counted, to tell a cycle without a pass over the stack."""
        self.stack.append(frame)
        self.on_path[frame.fp] = self.on_path.get(frame.fp, 0) + 1

    def _leave(self, frame: _Frame) -> None:
        left = self.on_path[frame.fp] - 1
        if left:
            self.on_path[frame.fp] = left
        else:
            del self.on_path[frame.fp]

    def _sleep_after(self, frame: _Frame, component: str) -> frozenset[str]:
        """The sleep set ``component``'s step passes on: earlier siblings and sleepers it commutes with."""
        if not self.how.reduction or not (frame.sleep or frame.done):
            return frozenset()
        parked = self.run.controller.parked
        chosen = parked[component]
        independent = self.run.commutation.independent
        asleep = []
        for t in (*frame.sleep, *frame.done):
            gate = parked.get(t)
            if gate is not None and gate.time < math.inf and independent(gate, chosen):  # runnable and commuting
                asleep.append(t)
        return frozenset(asleep)

    def _open_state(self, fp: bytes, sleep: frozenset[str], viol: frozenset[str]) -> _Frame:
        """A new frame for the state the run is in: its moves to try, reduced and ordered, and its snapshot."""
        run, how = self.run, self.how
        frame = self._frame(fp, sleep, viol)
        if not frame.todo:
            return frame
        # Names of moves in the canonical frame: the renaming the fingerprint used (none without symmetry).
        frame.names = run.abstraction.canonical()[1] if how.symmetry else {}
        if how.reduction and how.persistent_sets:
            frame.todo, frame.postponed = run.commutation.persistent(run.gates(), frame.todo)
        if how.order_seed is not None:
            random.Random(fp + how.order_seed.to_bytes(8, "big")).shuffle(frame.todo)
        if len(frame.todo) > 1 or (frame.todo and frame.postponed):
            frame.blob = run.save()
        return frame

    def _frame(self, fp: bytes, sleep: frozenset[str], viol: frozenset[str]) -> _Frame:
        """The moves to try from here: none if seen (with a sleep set no smaller) or out of bounds."""
        run, how, graph, visited = self.run, self.how, self.graph, self.visited
        if fp in visited and how.hashing and how.horizon is None and how.mark is None:
            # Seen, and its moves, end and mark are the state's own: settle the sleep sets before working them out.
            if visited[fp] <= self._canonical_sleep(sleep)[1]:
                return _Frame(fp, [], sleep, viol)
        order = run.moves()
        depth = len(self.path)
        if not order:
            graph.ended.add(fp)
        marked = how.mark is not None and how.mark(run)
        if marked:
            graph.marked.add(fp)
        if marked or not order:
            visited.setdefault(fp, frozenset())
            return _Frame(fp, [], sleep, viol)
        horizon = how.horizon
        if not how.hashing:
            visited.setdefault(fp, frozenset())
            blocked = fp in self.on_path or (horizon is not None and depth >= horizon)
            return _Frame(fp, [] if blocked else order, sleep, viol)
        if horizon is not None:
            if depth >= horizon:
                visited.setdefault(fp, frozenset())
                self.depth_seen.setdefault(fp, horizon)
                return _Frame(fp, [], sleep, viol)
            if depth < self.depth_seen.get(fp, horizon + 1):
                visited.pop(fp, None)  # seen only deeper: explore again with more budget
                self.depth_seen[fp] = depth
        rename, canon = self._canonical_sleep(sleep)
        if fp in visited:
            old = visited[fp]
            if old <= canon:
                return _Frame(fp, [], sleep, viol)
            visited[fp] = old & canon
            todo = [c for c in order if rename.get(c, c) in old and c not in sleep]
            return _Frame(fp, todo, sleep, viol)
        visited[fp] = canon
        return _Frame(fp, [c for c in order if c not in sleep], sleep, viol)

    def _canonical_sleep(self, sleep: frozenset[str]) -> tuple[dict[str, str], frozenset[str]]:
        """The renaming into the canonical frame (none without symmetry), and ``sleep`` renamed by it."""
        rename = self.run.abstraction.canonical()[1] if self.how.symmetry else {}
        return rename, frozenset(rename.get(c, c) for c in sleep) if sleep else sleep
