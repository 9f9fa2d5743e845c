"""The doom meter: from a given state, how many continuations end with the endpoint empty.

A *continuation* is a path of choices from the state that stops when the
regional endpoint has no address (doomed), when nothing can move any more,
or after ``horizon`` choices. The meter explores the state graph within the
horizon once, breadth-first (state hashing and AZ symmetry, no partial-order
reduction: it needs every edge), then counts paths by dynamic programming
over (state, remaining budget), so the counts are exact even when they run
into millions. What a count explored is kept for the next one
(:class:`DoomGraph`): stepping on, a count expands only the states new to
its window.

For each runnable choice it also says whether doom follows on every path,
on some, or on none. No UI here: the app calls :func:`doom_meter` in a worker
thread and shows the numbers; ``cancelled`` lets it drop a count it no longer
wants (the user stepped on) instead of leaving it running.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from tui.explore.collector import cycles_paused
from tui.explore.model import CoreRun, RunState, core_run
from tui.scenario import Scenario

EVERY, SOME, NONE = "every", "some", "none"


@dataclass(frozen=True)
class ChoiceDoom:
    """One runnable component from the state, and what follows if it moves now."""

    component: str
    action: str
    continuations: int
    doomed: int

    @property
    def verdict(self) -> str:
        if self.continuations and self.doomed == self.continuations:
            return EVERY
        return SOME if self.doomed else NONE

    @property
    def share(self) -> float:
        return self.doomed / self.continuations if self.continuations else 0.0


@dataclass(frozen=True)
class DoomMeter:
    """Share of continuations from a state that end with the regional endpoint empty."""

    continuations: int
    doomed: int
    horizon: int
    states: int
    complete: bool
    doomed_now: bool
    choices: tuple[ChoiceDoom, ...]

    @property
    def share(self) -> float:
        return self.doomed / self.continuations if self.continuations else 0.0


class CountCancelled(Exception):
    """The count was no longer wanted (``cancelled()`` said so): no meter, nothing to show."""


class DoomGraph:
    """The explored world's state graph as counts have seen it so far, for one scenario.

    Counts from nearby states share most of their graph: the user steps
    forward one move, and the new 12-move window is the old one shifted by a
    step. So the edges (by canonical move) of every state a count expanded,
    the doomed states, and the snapshots of states reached but not yet
    expanded are kept, and a later count expands only what is new to it.
    The graph is a property of the scenario alone, so the counts are the
    same whether or not it was warm.
    """

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.run = core_run(scenario, publishing=False)
        self.edges: dict[bytes, dict[str, bytes]] = {}
        self.doomed: set[bytes] = set()
        self.blobs: dict[bytes, RunState] = {}
        self.lock = threading.Lock()

    def size(self) -> int:
        return len(self.edges) + len(self.blobs) + len(self.doomed)

    def start(self, prefix: Sequence[int]) -> tuple[bytes, CoreRun]:
        """The state after ``prefix`` (settled), known to the graph, and a run standing in it."""
        run = core_run(self.scenario, publishing=False)
        for index in prefix:
            run.controller.turn(index)
        run.settle_now()
        fp = run.fingerprint()
        self._note(fp, run)
        return fp, run

    def _note(self, fp: bytes, run: CoreRun, *, hand_over: bool = False) -> None:
        if fp in self.edges or fp in self.blobs or fp in self.doomed:
            return
        if _doomed(run):
            self.doomed.add(fp)
        else:
            self.blobs[fp] = run.save(hand_over=hand_over)

    def children(self, fp: bytes) -> dict[str, bytes]:
        """The state's edges, by canonical move: known, or found now by stepping each move from its snapshot."""
        known = self.edges.get(fp)
        if known is not None:
            return known
        blob = self.blobs.pop(fp)
        run = self.run
        run.load(blob)
        moves = run.moves()
        names = [run.abstraction.canonical_name(c) for c in moves]
        out: dict[str, bytes] = {}
        last = len(moves) - 1
        for i, component in enumerate(moves):
            if i:
                run.load(blob, own=i == last)  # the last move takes the snapshot over
            run.advance_now(component)
            child = run.fingerprint()
            out[names[i]] = child
            self._note(child, run, hand_over=True)  # the next move loads another state
        self.edges[fp] = out
        return out


#: Graphs kept between counts, by scenario (content hash and overrides); the newest few only.
_GRAPHS: dict[tuple[str, tuple[str, ...]], DoomGraph] = {}
_GRAPHS_LOCK = threading.Lock()
#: Past this many states a graph starts again empty (some 4 KiB each).
MAX_GRAPH_STATES = 200_000


def graph_for(scenario: Scenario) -> DoomGraph:
    """The kept graph of ``scenario`` (a new one the first time, or once it grew past its bound)."""
    key = (scenario.sha256, tuple(scenario.overrides))
    with _GRAPHS_LOCK:
        graph = _GRAPHS.get(key)
        if graph is None or graph.size() > MAX_GRAPH_STATES:
            while len(_GRAPHS) >= 2:
                _GRAPHS.pop(next(iter(_GRAPHS)))
            graph = _GRAPHS[key] = DoomGraph(scenario)
        return graph


def _doomed(run: CoreRun) -> bool:
    return run.regional_empty()


@cycles_paused()
def doom_meter(
    scenario: Scenario,
    prefix: Sequence[int] = (),
    *,
    horizon: int = 12,
    max_runs: int | None = None,
    cancelled: Callable[[], bool] | None = None,
    max_seconds: float | None = None,
    graph: DoomGraph | None = None,
) -> DoomMeter:
    """The meter for the state reached by ``prefix`` (choice indices in the explored world).

    A breadth-first walk to ``horizon`` over the scenario's kept graph
    (:class:`DoomGraph`; pass ``graph`` for a private one), expanding the
    states it has not expanded before, then path counts by dynamic
    programming over (state, moves left). ``cancelled`` is asked before
    each state is expanded: once it says True the count stops and raises
    :class:`CountCancelled`, so a thread counting for a state the user has
    already left does not run on. A count stopped by ``max_runs`` (states
    expanded) or ``max_seconds`` is returned with ``complete`` False.
    """
    graph = graph or graph_for(scenario)
    started = time.perf_counter()
    with graph.lock:
        root, run = graph.start(prefix)
        depth = {root: 0}
        level = [root]
        expanded = 0
        complete = True
        for d in range(horizon):
            following: list[bytes] = []
            for fp in level:
                if cancelled is not None and cancelled():
                    raise CountCancelled
                if fp in graph.doomed:
                    continue
                if fp not in graph.edges:
                    if (max_runs is not None and expanded >= max_runs) or (
                        max_seconds is not None and time.perf_counter() - started >= max_seconds
                    ):
                        complete = False
                        continue
                    expanded += 1
                for child in graph.children(fp).values():
                    if child not in depth:
                        depth[child] = d + 1
                        following.append(child)
            level = following
        edges = graph.edges
        doomed_states = graph.doomed
        memo: dict[tuple[bytes, int], tuple[int, int]] = {}

        def count(fp: bytes, budget: int) -> tuple[int, int]:
            if fp in doomed_states:
                return 1, 1
            children = edges.get(fp)
            if budget == 0 or not children:
                return 1, 0
            key = (fp, budget)
            known = memo.get(key)
            if known is not None:
                return known
            total = doomed = 0
            for child in children.values():
                t, d = count(child, budget - 1)
                total += t
                doomed += d
            memo[key] = (total, doomed)
            return total, doomed

        total, doomed = count(root, horizon)
        actions = {g.component: g.action for g in run.gates()}
        choices = []
        for canon, child in edges.get(root, {}).items():
            t, d = count(child, horizon - 1)
            component = run.abstraction.concrete_name(canon)
            choices.append(ChoiceDoom(component, actions[component].words(), t, d))
        return DoomMeter(
            continuations=total,
            doomed=doomed,
            horizon=horizon,
            states=len(depth),
            complete=complete,
            doomed_now=root in doomed_states,
            choices=tuple(choices),
        )


async def doom_meter_async(
    scenario: Scenario,
    prefix: Sequence[int] = (),
    *,
    horizon: int = 12,
    max_runs: int | None = None,
    cancelled: Callable[[], bool] | None = None,
    max_seconds: float | None = None,
) -> DoomMeter:
    """:func:`doom_meter` for async callers (it never awaits anything: run it in a thread to stay responsive)."""
    return doom_meter(
        scenario, prefix, horizon=horizon, max_runs=max_runs, cancelled=cancelled, max_seconds=max_seconds
    )
