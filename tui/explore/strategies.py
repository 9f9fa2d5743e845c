"""The search strategies by name: what ``outage-tui explore --strategy`` runs, and what the tests run.

One table (:data:`STRATEGIES`) maps each name to a callable taking the
scenario and the :class:`Settings` every strategy may be told, so the command
line and the tests reach a strategy the same way (:func:`run_strategy`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import trio

from tui.explore.bfs import Limits
from tui.explore.exhaustive import exhaustive
from tui.explore.randomised import pct, random_walk
from tui.explore.results import OnProgress, SearchResult
from tui.scenario import Scenario

#: Runs of a randomised strategy when ``max_runs`` is not given.
DEFAULT_RANDOM_RUNS = 1000


@dataclass(frozen=True)
class Settings:
    """What a strategy is told: bounds, seed, reduction, PCT's change points, where the exhaustive search runs.

    ``max_runs`` bounds the states the exhaustive search expands and the runs
    of a randomised one (:data:`DEFAULT_RANDOM_RUNS` if not given); ``seed``
    and ``pct_changes`` are for the randomised strategies, ``reduction``,
    ``workers`` and ``cluster`` for the exhaustive one.
    """

    max_runs: int | None = None
    seed: int = 0
    reduction: bool = True
    pct_changes: int = 3
    workers: int | None = 1
    cluster: str | None = None
    limits: Limits | None = None
    progress: OnProgress | None = None

    @property
    def runs(self) -> int:
        """Runs of a randomised strategy."""
        return DEFAULT_RANDOM_RUNS if self.max_runs is None else self.max_runs


#: A strategy: searches the scenario as the settings say.
Strategy = Callable[[Scenario, Settings], Awaitable[SearchResult]]


async def _exhaustive(scenario: Scenario, s: Settings) -> SearchResult:
    return await exhaustive(
        scenario,
        reduction=s.reduction,
        max_runs=s.max_runs,
        progress=s.progress,
        limits=s.limits,
        workers=s.workers,
        cluster=s.cluster,
    )


async def _random(scenario: Scenario, s: Settings) -> SearchResult:
    return await random_walk(scenario, seed=s.seed, max_runs=s.runs, progress=s.progress, limits=s.limits)


async def _pct(scenario: Scenario, s: Settings) -> SearchResult:
    return await pct(
        scenario, seed=s.seed, max_runs=s.runs, changes=s.pct_changes, progress=s.progress, limits=s.limits
    )


#: Every strategy by the name ``--strategy`` takes, in the order the help lists them.
STRATEGIES: dict[str, Strategy] = {"exhaustive": _exhaustive, "random": _random, "pct": _pct}


def run_strategy(scenario: Scenario, strategy: str = "exhaustive", settings: Settings | None = None) -> SearchResult:
    """Run the strategy named ``strategy`` under ``trio.run``."""
    if strategy not in STRATEGIES:
        raise ValueError(f"strategy {strategy!r}: expected one of {', '.join(STRATEGIES)}")
    return trio.run(STRATEGIES[strategy], scenario, settings or Settings())
