"""Search strategies over the DNS core: exhaustive (breadth- or depth-first), random walks, PCT.

Both exhaustive searches are *stateful*: component state is data, so a state
still to be expanded keeps a snapshot of the run (:meth:`CoreRun.save`), and
the search goes on from there by restoring it instead of replaying the path
from the root.

**Breadth-first** (the default, :mod:`tui.explore.bfs`) keeps only the
reductions that preserve distances (state hashing and AZ symmetry), so the
first schedule it finds to a violation is a shortest one: the shortest
counterexample is exact in the one search, and the search splits over worker
processes or a Ray cluster with the same result (:mod:`tui.explore.parallel`).

**Depth-first** (``method="dfs"``) adds partial-order reduction, for fewer
steps when a variant is to be verified rather than debugged:

* **state hashing** at every decision point (:meth:`CoreRun.fingerprint`),
  so a state reached again is not explored again, up to a permutation of
  AZs (symmetry),
* **persistent sets**: the Planner or a clean-up waits while nothing it could
  ever do conflicts with the steps the others are parked at, and
* **sleep sets** (Godefroid's partial-order reduction): after exploring a
  step ``a`` from a state, a later sibling ``b`` that commutes with ``a``
  passes ``a`` on asleep, so the interleaving ``b·a`` is not run again once
  ``a·b`` was. With state caching the sleep set stored with a state is
  intersected on every visit, and only steps that were asleep before but are
  awake now are explored again, which keeps the search complete for safety.

Commuting steps are read off each step's footprint (:meth:`CoreRun.footprint`):
steps of different components touching different endpoints, records or
requests commute. Its paths to violations are bounds only (the reductions
reorder and lengthen them), so when it finds violations a breadth-first search
up to the depth of the last one it needs makes them exact.

Counterexamples are replayed at the end to confirm them and to recover the
controller's choice indices.
"""

from __future__ import annotations

import dataclasses
import random
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import trio

from tui.explore.bfs import BITS, BfsOutcome, Limits, Progress, bfs, names_of
from tui.explore.model import EXPLORED_INVARIANTS, CoreRun, core_run, open_core
from tui.scenario import Scenario

STRATEGIES = ("exhaustive", "random", "pct")

#: Hears the counters of a search in progress (a few times a second at most).
OnProgress = Callable[[Progress], None]


@dataclass(frozen=True)
class Counterexample:
    """A schedule from the root to a state where ``invariant`` is broken."""

    invariant: str
    components: tuple[str, ...]
    indices: tuple[int, ...]
    steps: tuple[str, ...]  # "component: action", in plain words

    def __len__(self) -> int:
        return len(self.indices)


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
class SearchResult:
    """Numbers and findings of one search, as the command prints them."""

    strategy: str
    runs: int = 0
    states: int = 0
    transitions: int = 0
    complete: bool = False
    elapsed_s: float = 0.0
    first_counterexample_s: float | None = None
    violations: dict[str, int] = field(default_factory=dict)
    counterexamples: list[Counterexample] = field(default_factory=list)
    #: Processes (or cluster actors) the search ran in.
    workers: int = 1
    #: Is ``shortest`` the shortest there is (a complete breadth-first search), or the shortest found?
    exact: bool = False

    @property
    def shortest(self) -> Counterexample | None:
        """Fewest chosen steps first (what a breadth-first search minimises), then fewest steps in all."""
        return min(self.counterexamples, key=_shortness, default=None)

    @property
    def states_per_s(self) -> float:
        return self.states / self.elapsed_s if self.elapsed_s > 0 else 0.0

    def summary(self) -> dict[str, object]:
        """The JSON summary: scripts read these names, so fields are only ever added."""
        shortest = self.shortest
        return {
            "strategy": self.strategy,
            "runs": self.runs,
            "states": self.states,
            "violations": {name: self.violations.get(name, 0) for name in EXPLORED_INVARIANTS},
            "shortest_counterexample": None if shortest is None else list(shortest.steps),
            "elapsed_s": round(self.elapsed_s, 3),
            "complete": self.complete,
            "transitions": self.transitions,
            "states_per_s": round(self.states_per_s, 1),
            "workers": self.workers,
        }


def _shortness(example: Counterexample) -> tuple[int, int]:
    return (len(example.components), len(example))


@dataclass
class _Frame:
    fp: bytes
    todo: list[str]
    sleep: frozenset[str]
    violations: frozenset[str]
    done: list[str] = field(default_factory=list)
    postponed: list[str] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)  # component -> its name in the canonical frame
    blob: bytes | None = None  # the run in this state, while more than one move is left to try from it


def _ended(run: CoreRun) -> bool:
    return not run.moves()


async def explore_graph(
    scenario: Scenario,
    *,
    prefix: Sequence[int] = (),
    reduction: bool = True,
    hashing: bool = True,
    horizon: int | None = None,
    max_runs: int | None = None,
    stop_at_first: bool = False,
    mark: Callable[[CoreRun], bool] | None = None,
    order_seed: int | None = None,
    symmetry: bool = True,
    progress: OnProgress | None = None,
    result: SearchResult | None = None,
    limits: Limits | None = None,
) -> tuple[StateGraph, SearchResult]:
    """Depth-first search of every interleaving from the state after ``prefix``.

    ``reduction`` turns the sleep sets on; ``hashing`` the visited-state
    cache (without it only cycles on the current path are cut, so runs are
    the raw interleavings). ``horizon`` bounds the depth below the start
    state; with a horizon a state reached again at a smaller depth is
    explored again, so everything within the bound is seen. States for
    which ``mark`` says True are recorded in ``graph.marked`` and not
    explored further. ``order_seed`` shuffles the order in which each
    state's moves are tried (the search stays exhaustive; a bounded one
    reaches deep races sooner). ``symmetry`` identifies states that differ
    only by which AZ is which (:meth:`CoreRun.canonical`); sleep sets and
    edges are then kept in the canonical frame.

    A *run* here is one stretch of steps without going back: the search goes
    down from the root, and each time it backs up to a state with a move left
    it restores that state's snapshot (kept only for states with more than
    one move to try) and counts a new run.
    """
    out = result or SearchResult("exhaustive")
    limits = limits or Limits()
    graph = StateGraph()
    visited: dict[bytes, frozenset[str]] = {}
    depth_seen: dict[bytes, int] = {}
    stack: list[_Frame] = []
    path: list[str] = []
    started = time.perf_counter()
    run = core_run(scenario)
    run.symmetry = symmetry

    def open_state(fp: bytes, sleep: frozenset[str], viol: frozenset[str], on_path: set[bytes]) -> _Frame:
        frame = _open(fp, sleep, viol, on_path)
        frame.names = {g.component: run.canonical_name(g.component) for g in run.gates()}
        if reduction and frame.todo:
            kept, postponed = run.persistent(frame.todo)
            frame.todo, frame.postponed = kept, postponed
        if order_seed is not None:
            random.Random(fp + order_seed.to_bytes(8, "big")).shuffle(frame.todo)
        if len(frame.todo) > 1 or (frame.todo and frame.postponed):
            frame.blob = run.save()
        return frame

    def _open(fp: bytes, sleep: frozenset[str], viol: frozenset[str], on_path: set[bytes]) -> _Frame:
        order = run.moves()
        depth = len(path)
        if not order:
            graph.ended.add(fp)
        marked = mark is not None and mark(run)
        if marked:
            graph.marked.add(fp)
        if marked or not order:
            visited.setdefault(fp, frozenset())
            return _Frame(fp, [], sleep, viol)
        if not hashing:
            visited.setdefault(fp, frozenset())
            blocked = fp in on_path or (horizon is not None and depth >= horizon)
            return _Frame(fp, [] if blocked else order, sleep, viol)
        if horizon is not None:
            if depth >= horizon:
                visited.setdefault(fp, frozenset())
                depth_seen.setdefault(fp, horizon)
                return _Frame(fp, [], sleep, viol)
            if depth < depth_seen.get(fp, horizon + 1):
                visited.pop(fp, None)  # seen only deeper: explore again with more budget
                depth_seen[fp] = depth
        canon = frozenset(run.canonical_name(c) for c in sleep)
        if fp in visited:
            old = visited[fp]
            if old <= canon:
                return _Frame(fp, [], sleep, viol)
            visited[fp] = old & canon
            todo = [c for c in order if run.canonical_name(c) in old and c not in sleep]
            return _Frame(fp, todo, sleep, viol)
        visited[fp] = canon
        return _Frame(fp, [c for c in order if c not in sleep], sleep, viol)

    last_tick = started
    while True:
        if max_runs is not None and out.runs >= max_runs:
            break
        if limits.reached(started, len(visited), out.runs):
            break
        out.runs += 1
        if not stack:
            for index in prefix:
                run.controller.turn(index)
            run.settle_now()
            fp = run.fingerprint()
            viol = run.violations()
            graph.root = fp
            graph.add_state(fp, viol, frozenset())
            stack.append(open_state(fp, frozenset(), viol, set()))
        else:
            blob = stack[-1].blob
            assert blob is not None
            run.load(blob)
        while True:
            frame = stack[-1]
            if not frame.todo:
                break
            component = frame.todo.pop(0)
            if not frame.todo and not frame.postponed:
                frame.blob = None  # its last move: nothing to come back for
            if reduction:
                gates = {g.component: g for g in run.gates()}
                chosen = gates[component]
                sleep = frozenset(
                    t for t in (*frame.sleep, *frame.done) if t in gates and run.independent(gates[t], chosen)
                )
            else:
                sleep = frozenset()
            frame.done.append(component)
            run.advance_now(component)
            path.append(component)
            out.transitions += 1
            fp = run.fingerprint()
            viol = run.violations()
            graph.add_edge(frame.fp, frame.names.get(component, component), fp)
            graph.add_state(fp, viol, frame.violations)
            if viol - frame.violations and out.first_counterexample_s is None:
                out.first_counterexample_s = time.perf_counter() - started
                if stop_at_first:
                    out.states = len(visited)
                    out.elapsed_s = time.perf_counter() - started
                    return graph, out
            on_path = {f.fp for f in stack}
            if fp in on_path and frame.postponed:
                # A cycle closes: nothing may be postponed around it for ever.
                frame.todo.extend(frame.postponed)
                frame.postponed = []
            stack.append(open_state(fp, sleep, viol, on_path))
        while stack and not stack[-1].todo:
            stack.pop()
            if path:
                path.pop()
        if progress is not None and time.perf_counter() - last_tick >= 0.2:
            last_tick = time.perf_counter()
            progress(Progress(len(visited), out.transitions, len(path), len(stack), last_tick - started))
        if not stack:
            out.complete = True
            break
    out.states = len(visited)
    out.elapsed_s = time.perf_counter() - started
    return graph, out


async def confirm(scenario: Scenario, invariant: str, components: Sequence[str]) -> Counterexample | None:
    """Replay a schedule by component names; return it with indices and words if it breaks ``invariant``.

    Names may be canonical (``enactor/#0``, from a symmetric search's graph):
    each is mapped to the component playing that part at that moment.
    """
    log: list[tuple[int, str]] = []
    taken: list[str] = []
    async with open_core(scenario) as run:
        await run.settle(log)
        for name in components:
            component = run.concrete_name(name)
            if component not in run.moves():
                return None
            await run.take(component, log)
            taken.append(component)
            if invariant in run.violations():
                indices = tuple(i for i, _ in log)
                words = tuple(w for _, w in log)
                return Counterexample(invariant, tuple(taken), indices, words)
            await run.settle(log)
    return None


async def _confirmed(
    scenario: Scenario, targets: list[tuple[int, str, tuple[str, ...]]], limit: int | None
) -> list[Counterexample]:
    """Replay (length, invariant, canonical moves) targets, shortest first; keep the distinct ones that break it."""
    targets.sort(key=lambda t: (t[0], EXPLORED_INVARIANTS.index(t[1]), t[2]))
    out: list[Counterexample] = []
    seen: set[tuple[str, tuple[str, ...]]] = set()
    for _, name, comps in targets:
        if limit is not None and len(out) >= limit:
            break
        found = await confirm(scenario, name, comps)
        if found is not None and (name, found.components) not in seen:
            seen.add((name, found.components))
            out.append(found)
    return sorted(out, key=_shortness)


async def counterexamples_from(scenario: Scenario, graph: StateGraph, limit: int | None = None) -> list[Counterexample]:
    """Shortest schedule (within what a depth-first search saw) to each violating state, confirmed by replay."""
    paths = graph.shortest_paths()
    targets: list[tuple[int, str, tuple[str, ...]]] = []
    for name in EXPLORED_INVARIANTS:
        for fp in graph.first_violations.get(name, ()):
            if fp in paths:
                targets.append((len(paths[fp]), name, paths[fp]))
    return await _confirmed(scenario, targets, limit)


async def counterexamples_of(scenario: Scenario, outcome: BfsOutcome, limit: int | None = None) -> list[Counterexample]:
    """The breadth-first parent path to each state that first breaks an invariant, confirmed by replay."""
    targets: list[tuple[int, str, tuple[str, ...]]] = []
    for name, fps in outcome.first_violations().items():
        for fp in fps:
            path = outcome.path(fp)
            targets.append((len(path), name, path))
    return await _confirmed(scenario, targets, limit)


def _bfs_result(outcome: BfsOutcome, workers: int) -> SearchResult:
    result = SearchResult("exhaustive")
    result.runs = outcome.expanded
    result.states = outcome.states
    result.transitions = outcome.transitions
    result.complete = outcome.complete
    result.elapsed_s = outcome.elapsed_s
    result.first_counterexample_s = outcome.first_violation_s
    result.workers = workers
    firsts = outcome.first_violations()
    result.violations = {name: len(firsts.get(name, ())) for name in EXPLORED_INVARIANTS}
    return result


def breadth_first(
    scenario: Scenario,
    *,
    symmetry: bool = True,
    limits: Limits | None = None,
    progress: OnProgress | None = None,
    workers: int | None = 1,
    cluster: str | None = None,
) -> tuple[BfsOutcome, int]:
    """The breadth-first search in this process, over local worker processes, or on a Ray cluster.

    ``workers`` None is one process locally, and every CPU of the cluster with ``cluster``.
    """
    if cluster is None and (workers or 1) <= 1:
        return bfs(scenario, symmetry=symmetry, limits=limits, progress=progress), 1
    from tui.explore.parallel import parallel_bfs

    return parallel_bfs(scenario, workers=workers, cluster=cluster, symmetry=symmetry, limits=limits, progress=progress)


async def exhaustive(
    scenario: Scenario,
    *,
    reduction: bool = True,
    hashing: bool = True,
    max_runs: int | None = None,
    order_seed: int | None = None,
    symmetry: bool | None = None,
    keep: int | None = 50,
    progress: OnProgress | None = None,
    method: str | None = None,
    limits: Limits | None = None,
    workers: int | None = 1,
    cluster: str | None = None,
) -> SearchResult:
    """Every interleaving of the DNS core; violations and shortest counterexamples.

    ``method`` ``"bfs"`` (the default) is one breadth-first search with state
    hashing and, with ``reduction``, AZ symmetry: its counterexamples are
    the shortest there are, and it runs over ``workers`` processes or a
    ``cluster`` with the same result. ``"dfs"`` (the default when
    ``order_seed`` is given or ``hashing`` is off) is the depth-first search
    with partial-order reduction as well (sleep and persistent sets): fewer
    steps to verify a variant without violations; when it finds some, a
    breadth-first search up to the depth of the last invariant it broke
    makes the lengths exact. ``max_runs`` bounds the runs of the depth-first
    search and the states expanded by the breadth-first one.
    ``symmetry`` defaults to ``reduction``.
    """
    sym = reduction if symmetry is None else symmetry
    method = method or ("dfs" if order_seed is not None or not hashing else "bfs")
    if method not in ("bfs", "dfs"):
        raise ValueError(f"method {method!r}: expected bfs or dfs")
    if method == "bfs":
        bounded = dataclasses.replace(limits or Limits(), max_expanded=max_runs)
        outcome, count = breadth_first(
            scenario, symmetry=sym, limits=bounded, progress=progress, workers=workers, cluster=cluster
        )
        result = _bfs_result(outcome, count)
        result.counterexamples = await counterexamples_of(scenario, outcome, keep)
        result.exact = outcome.complete or bool(result.counterexamples)
        return result
    graph, result = await explore_graph(
        scenario,
        reduction=reduction,
        hashing=hashing,
        max_runs=max_runs,
        order_seed=order_seed,
        symmetry=sym,
        progress=progress,
        limits=limits,
    )
    result.violations = {name: len(graph.first_violations.get(name, ())) for name in EXPLORED_INVARIANTS}
    result.counterexamples = await counterexamples_from(scenario, graph, keep)
    if result.complete and result.counterexamples:
        result.counterexamples = await _exact(scenario, result.counterexamples, keep, sym)
        result.exact = True
    return result


async def _exact(
    scenario: Scenario, found: list[Counterexample], keep: int | None, symmetry: bool
) -> list[Counterexample]:
    """The shortest counterexample of each invariant a depth-first search broke, by a breadth-first search.

    Partial-order reduction skips edges (that is the point), so the depth-first
    search's paths are bounds. A breadth-first search stopped at the first
    depth by which it has broken every one of those invariants gives the
    true lengths.
    """
    wanted = {e.invariant for e in found}
    seen: set[str] = set()

    def until(_outcome: BfsOutcome, learnt: dict[bytes, int]) -> bool:
        for mask in learnt.values():
            seen.update(names_of(mask))
        return wanted <= seen

    outcome = bfs(scenario, symmetry=symmetry, until=until)
    shortest = await counterexamples_of(scenario, outcome, None)
    best: dict[str, Counterexample] = {}
    for example in shortest:
        if example.invariant not in best or _shortness(example) < _shortness(best[example.invariant]):
            best[example.invariant] = example
    rest = [e for e in found if e not in best.values()]
    return sorted([*best.values(), *rest], key=_shortness)[: keep or None]


# -- randomised ---------------------------------------------------------------------
class _Walk:
    """Bookkeeping shared by the randomised strategies."""

    def __init__(self, scenario: Scenario, strategy: str) -> None:
        self.scenario = scenario
        self.result = SearchResult(strategy)
        self.seen: set[bytes] = set()
        self.first: dict[str, set[bytes]] = {}
        self.found: dict[str, list[tuple[str, ...]]] = {}
        self.started = time.perf_counter()
        self._ticked = self.started

    def stopped(self, limits: Limits | None) -> bool:
        """Is a limit reached (asked before each run: a run is short)?"""
        return limits is not None and limits.reached(self.started, len(self.seen), self.result.runs)

    def tick(self, progress: OnProgress) -> None:
        """Tell ``progress`` the counters, at most five times a second."""
        now = time.perf_counter()
        if now - self._ticked >= 0.2:
            self._ticked = now
            out = self.result
            progress(Progress(len(self.seen), out.transitions, 0, 0, now - self.started))

    def record(self, run: CoreRun, taken: list[str], before: frozenset[str]) -> frozenset[str]:
        fp = run.fingerprint()
        self.seen.add(fp)
        viol = run.violations()
        for name in viol - before:
            self.first.setdefault(name, set()).add(fp)
            self.found.setdefault(name, []).append(tuple(taken))
            if self.result.first_counterexample_s is None:
                self.result.first_counterexample_s = time.perf_counter() - self.started
        return viol

    async def finish(self, keep: int | None) -> SearchResult:
        out = self.result
        out.states = len(self.seen)
        out.complete = False
        out.violations = {name: len(self.first.get(name, ())) for name in EXPLORED_INVARIANTS}
        schedules = sorted(
            ((len(p), name, p) for name, paths in self.found.items() for p in set(paths)),
            key=lambda t: (t[0], EXPLORED_INVARIANTS.index(t[1]), t[2]),
        )
        for _, name, comps in schedules[: keep or None]:
            found = await confirm(self.scenario, name, comps)
            if found is not None:
                out.counterexamples.append(found)
        out.elapsed_s = time.perf_counter() - self.started
        return out


async def random_walk(
    scenario: Scenario,
    *,
    seed: int = 0,
    max_runs: int = 1000,
    max_depth: int = 400,
    keep: int | None = 50,
    progress: OnProgress | None = None,
    limits: Limits | None = None,
) -> SearchResult:
    """Runs that pick uniformly among the runnable components, from one seeded RNG."""
    rng = random.Random(seed)
    walk = _Walk(scenario, "random")
    for _ in range(max_runs):
        if walk.stopped(limits):
            break
        walk.result.runs += 1
        async with open_core(scenario) as run:
            await run.settle()
            taken: list[str] = []
            viol = walk.record(run, taken, frozenset())
            while len(taken) < max_depth and not _ended(run):
                moves = run.moves()
                component = moves[rng.randrange(len(moves))]
                await run.advance(component)
                taken.append(component)
                walk.result.transitions += 1
                viol = walk.record(run, taken, viol)
        if progress is not None:
            walk.tick(progress)
    return await walk.finish(keep)


async def pct(
    scenario: Scenario,
    *,
    seed: int = 0,
    max_runs: int = 1000,
    changes: int = 3,
    max_depth: int = 400,
    keep: int | None = 50,
    progress: OnProgress | None = None,
    limits: Limits | None = None,
) -> SearchResult:
    """Probabilistic concurrency testing (Burckhardt et al., 2010).

    Each run gives the components random distinct priorities and draws
    ``changes`` priority-change points among the steps; the runnable component
    with the highest priority moves, and at a change point it drops below
    every initial priority. An Enactor polling for a plan it has already seen
    is never a candidate (it changes nothing), so a high priority cannot let
    it spin and starve the rest.
    """
    rng = random.Random(seed)
    walk = _Walk(scenario, "pct")
    expected = 0  # chosen steps per run, learnt from the runs seen (the first run has no change point)
    for _ in range(max_runs):
        if walk.stopped(limits):
            break
        walk.result.runs += 1
        async with open_core(scenario) as run:
            names = sorted({g.component for g in run.controller.pending()})
            order = rng.sample(names, len(names))
            priority = {name: changes + 1 + i for i, name in enumerate(order)}
            points = sorted(rng.sample(range(1, expected + 1), min(changes, expected))) if expected else []
            await run.settle()
            taken: list[str] = []
            viol = walk.record(run, taken, frozenset())
            while len(taken) < max_depth and not _ended(run):
                moves = run.moves()
                component = max(moves, key=lambda c: priority.get(c, 0))
                if points and len(taken) + 1 == points[0]:
                    points.pop(0)
                    priority[component] = len(points) + 1 - changes
                    component = max(moves, key=lambda c: priority.get(c, 0))
                await run.advance(component)
                taken.append(component)
                walk.result.transitions += 1
                viol = walk.record(run, taken, viol)
            expected = max(expected, len(taken))
        if progress is not None:
            walk.tick(progress)
    return await walk.finish(keep)


def search(
    scenario: Scenario,
    strategy: str = "exhaustive",
    *,
    max_runs: int | None = None,
    seed: int = 0,
    reduction: bool = True,
    progress: OnProgress | None = None,
) -> SearchResult:
    """Run one strategy under ``trio.run`` (for the command line and tests)."""
    if strategy == "exhaustive":
        return trio.run(lambda: exhaustive(scenario, reduction=reduction, max_runs=max_runs, progress=progress))
    runs = 1000 if max_runs is None else max_runs
    if strategy == "random":
        return trio.run(lambda: random_walk(scenario, seed=seed, max_runs=runs, progress=progress))
    if strategy == "pct":
        return trio.run(lambda: pct(scenario, seed=seed, max_runs=runs, progress=progress))
    raise ValueError(strategy)


# -- shrinking ------------------------------------------------------------------------
@dataclass
class ShrinkResult:
    """The violation a schedule reaches and the shortest schedule found for it."""

    invariant: str
    original: int
    example: Counterexample
    proven: bool
    runs: int
    states: int
    elapsed_s: float
    transitions: int = 0


async def first_violation(scenario: Scenario, choices: Sequence[int]) -> tuple[str, tuple[str, ...]] | None:
    """Replay choice indices; return the first invariant broken and the components chosen up to it."""
    async with open_core(scenario) as run:
        taken: list[str] = []
        for index in choices:
            if index >= len(run.gates()):
                return None
            component = await run.step_index(index)
            taken.append(component)
            broken = run.violations()
            if broken:
                return min(broken, key=EXPLORED_INVARIANTS.index), tuple(taken)
    return None


async def _reaches(scenario: Scenario, invariant: str, components: Sequence[str]) -> tuple[str, ...] | None:
    """Replay a component schedule loosely (steps that cannot move are skipped); the prefix that breaks it."""
    async with open_core(scenario) as run:
        await run.settle()
        kept: list[str] = []
        for component in components:
            if component not in run.moves():
                continue
            await run.advance(component)
            kept.append(component)
            if invariant in run.violations():
                return tuple(kept)
    return None


async def shrink(
    scenario: Scenario,
    choices: Sequence[int],
    *,
    max_runs: int = 20000,
    limits: Limits | None = None,
    progress: OnProgress | None = None,
) -> ShrinkResult | None:
    """The shortest schedule reaching the same violation as ``choices``.

    The breadth-first search of :func:`exhaustive`, stopped at the first depth
    where some state breaks the same invariant: every shallower depth was
    expanded completely, so nothing shorter exists (``proven``). If limits
    (``max_runs`` expanded states, ``limits``) cut it short first, the
    result is the schedule itself with every chosen step dropped that the
    violation does not need (a greedy pass), not proven minimal.
    """
    started = time.perf_counter()
    found = await first_violation(scenario, choices)
    if found is None:
        return None
    invariant, taken = found
    bit = BITS[invariant]
    hits: list[bytes] = []

    def until(_outcome: BfsOutcome, learnt: dict[bytes, int]) -> bool:
        hits.extend(fp for fp, mask in learnt.items() if mask & bit)
        return bool(hits)

    bounded = dataclasses.replace(limits or Limits(), max_expanded=max_runs)
    outcome = bfs(scenario, symmetry=True, limits=bounded, until=until, progress=progress)
    best: Counterexample | None = None
    if hits:
        targets = [(len(p), invariant, p) for p in (outcome.path(fp) for fp in hits)]
        confirmed = await _confirmed(scenario, targets, 1)
        best = confirmed[0] if confirmed else None
    proven = best is not None
    runs = outcome.expanded
    if best is None:
        best, replays = await _greedy(scenario, invariant, taken)
        runs += replays
    return ShrinkResult(
        invariant=invariant,
        original=len(choices),
        example=best,
        proven=proven,
        runs=runs,
        states=outcome.states,
        elapsed_s=time.perf_counter() - started,
        transitions=outcome.transitions,
    )


async def _greedy(scenario: Scenario, invariant: str, taken: Sequence[str]) -> tuple[Counterexample, int]:
    """Drop one chosen step at a time while the violation still happens: a local minimum, and the replays it took."""
    current = await _reaches(scenario, invariant, taken)
    assert current is not None
    replays = 1
    improved = True
    while improved:
        improved = False
        for i in range(len(current)):
            replays += 1
            shorter = await _reaches(scenario, invariant, current[:i] + current[i + 1 :])
            if shorter is not None and len(shorter) < len(current):
                current = shorter
                improved = True
                break
    best = await confirm(scenario, invariant, current)
    assert best is not None
    return best, replays
