"""Counterexamples confirmed by replay: a schedule of component names becomes choice indices and words.

Every search finds schedules as component names (canonical ones, with
symmetry); replaying them in a fresh run confirms each one and recovers what a
session file and a reader need: the controller's choice indices and each
step in plain words.
"""

from __future__ import annotations

from collections.abc import Sequence

from tui.explore.model import open_core
from tui.explore.results import Counterexample, shortness
from tui.explore.scope import EXPLORED_INVARIANTS
from tui.scenario import Scenario

#: A schedule to confirm: its length (for the order), the invariant, the component names.
Target = tuple[int, str, tuple[str, ...]]


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
            component = run.abstraction.concrete_name(name)
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


def by_length(targets: list[Target]) -> list[Target]:
    """Shortest first, then in the order of :data:`EXPLORED_INVARIANTS`, then by the schedule itself."""
    return sorted(targets, key=lambda t: (t[0], EXPLORED_INVARIANTS.index(t[1]), t[2]))


async def confirmed(scenario: Scenario, targets: list[Target], limit: int | None) -> list[Counterexample]:
    """Replay targets shortest first; keep up to ``limit`` distinct ones that break their invariant."""
    out: list[Counterexample] = []
    seen: set[tuple[str, tuple[str, ...]]] = set()
    for _, name, comps in by_length(targets):
        if limit is not None and len(out) >= limit:
            break
        found = await confirm(scenario, name, comps)
        if found is not None and (name, found.components) not in seen:
            seen.add((name, found.components))
            out.append(found)
    return sorted(out, key=shortness)
