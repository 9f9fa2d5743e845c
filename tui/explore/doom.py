"""The doom meter: from a given state, how many continuations end with the endpoint empty.

A *continuation* is a path of choices from the state that stops when the
regional endpoint has no address (doomed), when nothing can move any more,
or after ``horizon`` choices. The meter explores the state graph within the
horizon once, breadth-first (state hashing and AZ symmetry, no partial-order
reduction: it needs every edge), then counts paths by dynamic programming
over (state, remaining budget), so the counts are exact even when they run
into millions.

For each runnable choice it also says whether doom follows on every path,
on some, or on none. No UI here: the app calls :func:`doom_meter` in a worker
thread and shows the numbers; ``cancelled`` lets it drop a count it no longer
wants (the user stepped on) instead of leaving it running.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from tui.explore.bfs import Limits, bfs
from tui.explore.model import CoreRun, core_run
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


def _doomed(run: CoreRun) -> bool:
    return run.regional_empty()


def doom_meter(
    scenario: Scenario,
    prefix: Sequence[int] = (),
    *,
    horizon: int = 12,
    max_runs: int | None = None,
    cancelled: Callable[[], bool] | None = None,
    max_seconds: float | None = None,
) -> DoomMeter:
    """The meter for the state reached by ``prefix`` (choice indices in the explored world).

    One breadth-first search to ``horizon`` (every state once, at its
    smallest depth, every edge kept), then path counts by dynamic programming
    over (state, moves left). ``cancelled`` is asked between states: once it
    says True the count stops and raises :class:`CountCancelled`, so a thread
    counting for a state the user has already left does not run on. A count
    stopped by ``max_runs`` (states expanded) or ``max_seconds`` is returned
    with ``complete`` False.
    """
    limits = Limits(max_expanded=max_runs, max_seconds=max_seconds, cancelled=cancelled)
    graph = bfs(scenario, prefix=tuple(prefix), horizon=horizon, mark=_doomed, keep_edges=True, limits=limits)
    if cancelled is not None and cancelled():
        raise CountCancelled
    edges = graph.edges
    marked = graph.marked
    memo: dict[tuple[bytes, int], tuple[int, int]] = {}

    def count(fp: bytes, budget: int) -> tuple[int, int]:
        if fp in marked:
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

    root = graph.root
    assert root is not None
    total, doomed = count(root, horizon)
    run = core_run(scenario)
    for index in prefix:
        run.controller.turn(index)
    run.settle_now()
    actions = {g.component: g.action for g in run.gates()}
    choices = []
    for canon, child in edges.get(root, {}).items():
        t, d = count(child, horizon - 1)
        component = run.concrete_name(canon)
        choices.append(ChoiceDoom(component, actions[component].words(), t, d))
    return DoomMeter(
        continuations=total,
        doomed=doomed,
        horizon=horizon,
        states=graph.states,
        complete=graph.complete,
        doomed_now=root in marked,
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
