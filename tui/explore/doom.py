"""The doom meter: from a given state, how many continuations end with the endpoint empty.

A *continuation* is a path of choices from the state that stops when the
regional endpoint has no address (doomed), when nothing can move any more,
or after ``horizon`` choices. The meter explores the state graph within the
horizon once (state hashing, no sleep sets: it needs every edge), then counts
paths by dynamic programming over (state, remaining budget), so the counts
are exact even when they run into millions.

For each runnable choice it also says whether doom follows on every path,
on some, or on none. No UI here: the app calls :func:`doom_meter` in a worker
thread or task and shows the numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import trio

from tui.explore.model import CoreRun, open_core
from tui.explore.search import explore_graph
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


def _doomed(run: CoreRun) -> bool:
    return run.regional_empty()


async def doom_meter_async(
    scenario: Scenario, prefix: Sequence[int] = (), *, horizon: int = 12, max_runs: int | None = None
) -> DoomMeter:
    """The meter for the state reached by ``prefix`` (choice indices in the explored world)."""
    graph, result = await explore_graph(
        scenario, prefix=prefix, reduction=False, horizon=horizon, max_runs=max_runs, mark=_doomed
    )
    edges = graph.edges

    @cache
    def count(fp: bytes, budget: int) -> tuple[int, int]:
        if fp in graph.marked:
            return 1, 1
        children = edges.get(fp)
        if budget == 0 or not children:
            return 1, 0
        total = doomed = 0
        for child in children.values():
            t, d = count(child, budget - 1)
            total += t
            doomed += d
        return total, doomed

    root = graph.root
    assert root is not None
    total, doomed = count(root, horizon)
    choices = []
    async with open_core(scenario) as run:
        for index in prefix:
            await run.step_index(index)
        await run.settle()
        actions = {g.component: g.action for g in run.gates()}
        names = {canon: run.concrete_name(canon) for canon in edges.get(root, {})}
    for canon, child in edges.get(root, {}).items():
        t, d = count(child, horizon - 1)
        component = names[canon]
        choices.append(ChoiceDoom(component, actions.get(component, ""), t, d))
    count.cache_clear()
    return DoomMeter(
        continuations=total,
        doomed=doomed,
        horizon=horizon,
        states=result.states,
        complete=result.complete,
        doomed_now=root in graph.marked,
        choices=tuple(choices),
    )


def doom_meter(
    scenario: Scenario, prefix: Sequence[int] = (), *, horizon: int = 12, max_runs: int | None = None
) -> DoomMeter:
    """:func:`doom_meter_async` under its own ``trio.run`` (for a worker thread or a script)."""
    return trio.run(lambda: doom_meter_async(scenario, prefix, horizon=horizon, max_runs=max_runs))
