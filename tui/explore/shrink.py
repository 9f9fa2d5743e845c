"""Shrinking: the shortest schedule that breaks the same invariant as a given one.

A schedule found by a random walk, or recorded by hand in the replay UI, is
usually long. The breadth-first search of :mod:`tui.explore.exhaustive`,
stopped at the first depth where some state breaks the same invariant, finds
a shortest one and proves it shortest; if limits cut it short, a greedy pass
drops the chosen steps the violation does not need.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence
from dataclasses import dataclass

from tui.explore.bfs import BITS, BfsOutcome, Limits, bfs
from tui.explore.confirm import Target, confirm, confirmed
from tui.explore.model import open_core
from tui.explore.results import Counterexample, OnProgress
from tui.explore.scope import EXPLORED_INVARIANTS
from tui.scenario import Scenario


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

    The breadth-first search of :func:`tui.explore.exhaustive.exhaustive`, stopped at the first depth
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
        targets: list[Target] = [(len(p), invariant, p) for p in (outcome.path(fp) for fp in hits)]
        shortest = await confirmed(scenario, targets, 1)
        best = shortest[0] if shortest else None
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
