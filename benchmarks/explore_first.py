"""Why a depth-first search that stops at its first violation leaves the persistent sets out.

For each scope, the depth-first search in controller order runs until its
first violation twice: with sleep sets only (what ``stop_at_first`` does by
default) and with the persistent sets as well (what verification uses).
Printed: the states and steps each took, whether it found a violation
within ``--max-runs`` runs, its wall time, and the ratio of steps.

The persistent sets let the Planner and the clean-ups wait while nothing
they could do conflicts with the others' next steps; the race needs a
clean-up at the right moment, so with them the search goes deep into
interleavings where the clean-ups wait.

    python benchmarks/explore_first.py [--max-runs 300000] [--scope NAME ...]
"""

from __future__ import annotations

import argparse
import os
import time
from typing import Any

import trio

from tui.explore.dfs import DepthFirst, explore_graph
from tui.scenario import load_scenario

ONE_ENDPOINT = 'dns.endpoints=["dynamodb.us-east-1.amazonaws.com"]'
SCOPES = {
    "small": ["dns.enactors=2", "dns.max_plans=3", "dns.cleanup_threshold=1", ONE_ENDPOINT],
    "brief": ["dns.enactors=2", "dns.max_plans=5", "dns.cleanup_threshold=2", ONE_ENDPOINT],
    "3x4": ["dns.enactors=3", "dns.max_plans=4", "dns.cleanup_threshold=2", ONE_ENDPOINT],
    "brief-4-endpoints": ["dns.enactors=2", "dns.max_plans=5", "dns.cleanup_threshold=2"],
}


def first(overrides: list[str], persistent: bool, max_runs: int) -> dict[str, Any]:
    """Depth-first in controller order until the first violation (or ``max_runs`` runs)."""
    scenario = load_scenario("us-east-1-2025-10-20", overrides)
    how = DepthFirst(stop_at_first=True, persistent=persistent, max_runs=max_runs)
    started = time.perf_counter()
    _graph, result = trio.run(lambda: explore_graph(scenario, how))
    return {
        "states": result.states,
        "steps": result.transitions,
        "found": result.first_counterexample_s is not None,
        "wall_s": time.perf_counter() - started,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--max-runs", type=int, default=300_000)
    parser.add_argument("--scope", choices=sorted(SCOPES), nargs="*", default=list(SCOPES))
    args = parser.parse_args()
    load = os.getloadavg()
    print(f"load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; at most {args.max_runs:,} runs each")
    print(f"{'scope':<18} {'persistent sets':<16} {'states':>9} {'steps':>10} {'found':>6} {'wall':>8}")
    for name in args.scope:
        rows = {p: first(SCOPES[name], p, args.max_runs) for p in (False, True)}
        for persistent, row in rows.items():
            print(
                f"{name:<18} {'with' if persistent else 'without':<16} {row['states']:>9,} {row['steps']:>10,} "
                f"{'yes' if row['found'] else 'no':>6} {row['wall_s']:>7.2f}s",
                flush=True,
            )
        ratio = rows[True]["steps"] / rows[False]["steps"]
        bound = "" if rows[True]["found"] else " (with them: not found within the bound)"
        print(f"{'':<18} steps with / without: {ratio:.2f}x{bound}")
    load = os.getloadavg()
    print(f"load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main()
