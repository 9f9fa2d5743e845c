"""What a search reports: counterexamples, and the numbers and findings of one search.

The JSON summary (:meth:`SearchResult.summary`) is a contract with scripts:
fields are only ever added.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from tui.explore.bfs import Progress
from tui.explore.scope import EXPLORED_INVARIANTS

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


def shortness(example: Counterexample) -> tuple[int, int]:
    """Fewest chosen steps first (what a breadth-first search minimises), then fewest steps in all."""
    return (len(example.components), len(example))


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
        """The shortest counterexample found, by :func:`shortness`."""
        return min(self.counterexamples, key=shortness, default=None)

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
