"""The randomised strategies: uniform random walks and PCT, over one walk loop.

Both run whole schedules from the root, one after another, choosing each
step by a seeded rule (:class:`Scheduler`): a run is cheap, so neither keeps
snapshots; they count the distinct states they saw and keep the schedules
that first broke an invariant, shortest first, confirmed by replay.
"""

from __future__ import annotations

import random
import time
from typing import Protocol

from tui.explore.bfs import Limits, Progress
from tui.explore.confirm import Target, by_length, confirm
from tui.explore.model import CoreRun, open_core
from tui.explore.results import OnProgress, SearchResult
from tui.explore.scope import EXPLORED_INVARIANTS
from tui.scenario import Scenario


class Scheduler(Protocol):
    """How a randomised strategy picks each step of a run."""

    def begin(self, run: CoreRun) -> None:
        """A new run, before its first (invisible) steps."""

    def pick(self, moves: list[str], taken: int) -> str:
        """The component to move, among ``moves``, after ``taken`` chosen steps."""

    def end(self, taken: int) -> None:
        """The run ended after ``taken`` chosen steps."""


class Uniform:
    """Pick uniformly among the runnable components, from one seeded RNG."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def begin(self, run: CoreRun) -> None:
        pass

    def pick(self, moves: list[str], taken: int) -> str:
        return moves[self.rng.randrange(len(moves))]

    def end(self, taken: int) -> None:
        pass


class Priorities:
    """Probabilistic concurrency testing (Burckhardt et al., 2010).

    Each run gives the components random distinct priorities and draws
    ``changes`` priority-change points among the steps; the runnable component
    with the highest priority moves, and at a change point it drops below
    every initial priority. An Enactor polling for a plan it has already seen
    is never a candidate (it changes nothing), so a high priority cannot let
    it spin and starve the rest.
    """

    def __init__(self, seed: int, changes: int) -> None:
        self.rng = random.Random(seed)
        self.changes = changes
        self.expected = 0  # chosen steps per run, learnt from the runs seen (the first run has no change point)
        self.priority: dict[str, int] = {}
        self.points: list[int] = []

    def begin(self, run: CoreRun) -> None:
        rng, changes, expected = self.rng, self.changes, self.expected
        names = sorted({g.component for g in run.controller.pending()})
        order = rng.sample(names, len(names))
        self.priority = {name: changes + 1 + i for i, name in enumerate(order)}
        self.points = sorted(rng.sample(range(1, expected + 1), min(changes, expected))) if expected else []

    def pick(self, moves: list[str], taken: int) -> str:
        priority, points = self.priority, self.points
        component = max(moves, key=lambda c: priority.get(c, 0))
        if points and taken + 1 == points[0]:
            points.pop(0)
            priority[component] = len(points) + 1 - self.changes
            component = max(moves, key=lambda c: priority.get(c, 0))
        return component

    def end(self, taken: int) -> None:
        self.expected = max(self.expected, taken)


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
        targets: list[Target] = [(len(p), name, p) for name, paths in self.found.items() for p in set(paths)]
        for _, name, comps in by_length(targets)[: keep or None]:
            found = await confirm(self.scenario, name, comps)
            if found is not None:
                out.counterexamples.append(found)
        out.elapsed_s = time.perf_counter() - self.started
        return out


async def walks(
    scenario: Scenario,
    strategy: str,
    scheduler: Scheduler,
    max_runs: int,
    max_depth: int,
    keep: int | None,
    progress: OnProgress | None,
    limits: Limits | None,
) -> SearchResult:
    """Up to ``max_runs`` runs of at most ``max_depth`` chosen steps, each step picked by ``scheduler``."""
    walk = _Walk(scenario, strategy)
    for _ in range(max_runs):
        if walk.stopped(limits):
            break
        walk.result.runs += 1
        async with open_core(scenario) as run:
            scheduler.begin(run)
            await run.settle()
            taken: list[str] = []
            viol = walk.record(run, taken, frozenset())
            while len(taken) < max_depth and (moves := run.moves()):
                component = scheduler.pick(moves, len(taken))
                await run.advance(component)
                taken.append(component)
                walk.result.transitions += 1
                viol = walk.record(run, taken, viol)
            scheduler.end(len(taken))
        if progress is not None:
            walk.tick(progress)
    return await walk.finish(keep)


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
    """Runs that pick uniformly among the runnable components, from one seeded RNG (:class:`Uniform`)."""
    return await walks(scenario, "random", Uniform(seed), max_runs, max_depth, keep, progress, limits)


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
    """Runs that move the runnable component of highest priority, changed at random points (:class:`Priorities`)."""
    return await walks(scenario, "pct", Priorities(seed, changes), max_runs, max_depth, keep, progress, limits)
