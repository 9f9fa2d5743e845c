"""The exhaustive search: every interleaving of the DNS core, and its shortest counterexamples.

**Breadth-first** (the default, :mod:`tui.explore.bfs`) keeps only the
reductions that preserve distances (state hashing and AZ symmetry), so the
first schedule it finds to a violation is a shortest one: the shortest
counterexample is exact in the one search, and the search splits over worker
processes or a Ray cluster with the same result (:mod:`tui.explore.parallel`).

**Depth-first** (``method="dfs"``, :mod:`tui.explore.dfs`) adds partial-order
reduction, for fewer steps when a variant is to be verified rather than
debugged. Its paths to violations are bounds only, so when it finds
violations a breadth-first search up to the depth of the last one it needs
makes them exact.

Counterexamples are replayed at the end to confirm them and to recover the
controller's choice indices (:mod:`tui.explore.confirm`).
"""

from __future__ import annotations

import dataclasses

from tui.explore.bfs import BfsOutcome, Limits, bfs, names_of
from tui.explore.confirm import Target, confirmed
from tui.explore.dfs import DepthFirst, StateGraph, explore_graph
from tui.explore.results import Counterexample, OnProgress, SearchResult, shortness
from tui.explore.scope import EXPLORED_INVARIANTS
from tui.scenario import Scenario


async def counterexamples_from(scenario: Scenario, graph: StateGraph, limit: int | None = None) -> list[Counterexample]:
    """Shortest schedule (within what a depth-first search saw) to each violating state, confirmed by replay."""
    if not any(graph.first_violations.values()):
        return []  # a verified variant: no distances to work out over its whole graph
    paths = graph.shortest_paths()
    targets: list[Target] = []
    for name in EXPLORED_INVARIANTS:
        for fp in graph.first_violations.get(name, ()):
            if fp in paths:
                targets.append((len(paths[fp]), name, paths[fp]))
    return await confirmed(scenario, targets, limit)


async def counterexamples_of(scenario: Scenario, outcome: BfsOutcome, limit: int | None = None) -> list[Counterexample]:
    """The breadth-first parent path to each state that first breaks an invariant, confirmed by replay."""
    targets: list[Target] = []
    for name, fps in outcome.first_violations().items():
        for fp in fps:
            path = outcome.path(fp)
            targets.append((len(path), name, path))
    return await confirmed(scenario, targets, limit)


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
    how = DepthFirst(reduction=reduction, hashing=hashing, max_runs=max_runs, order_seed=order_seed, symmetry=sym)
    graph, result = await explore_graph(scenario, how, progress=progress, limits=limits)
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
        if example.invariant not in best or shortness(example) < shortness(best[example.invariant]):
            best[example.invariant] = example
    rest = [e for e in found if e not in best.values()]
    return sorted([*best.values(), *rest], key=shortness)[: keep or None]
