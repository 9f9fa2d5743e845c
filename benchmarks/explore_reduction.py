"""Runs, states and steps of the exhaustive searches with and without their reductions.

On the same configuration:

* ``bfs``: the breadth-first search ``outage-tui explore`` runs: state
  hashing and symmetry (AZs renamed canonically), the reductions that keep
  distances, so its counterexamples are the shortest;
* ``bfs-hash``: the same without symmetry (``explore --no-reduction``);
* ``full``: the depth-first search with state hashing, symmetry and
  partial-order reduction (sleep sets, postponing the Planner and clean-ups
  when nothing they do conflicts): fewest steps to verify a variant;
* ``por``: the same without symmetry;
* ``hash``: depth-first, state hashing only;
* ``none``: neither: every interleaving is its own run, only cycles on the
  current path are cut; capped by ``--cap`` runs (then the counts are lower
  bounds).

Seconds are CPU seconds of this process (``time.process_time``).

    python benchmarks/explore_reduction.py [--scope small|four|brief] [--fix NAME] [--cap N]
"""

from __future__ import annotations

import argparse
import time

import trio

from tui.explore.exhaustive import exhaustive
from tui.scenario import load_scenario

ONE_ENDPOINT = 'dns.endpoints=["dynamodb.us-east-1.amazonaws.com"]'
SCOPES = {
    "small": ["dns.enactors=2", "dns.max_plans=3", "dns.cleanup_threshold=1", ONE_ENDPOINT],
    "four": ["dns.enactors=2", "dns.max_plans=4", "dns.cleanup_threshold=2", ONE_ENDPOINT],
    "brief": ["dns.enactors=2", "dns.max_plans=5", "dns.cleanup_threshold=2", ONE_ENDPOINT],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scope", choices=sorted(SCOPES), default="small")
    parser.add_argument("--fix", default=None, help="e.g. recheck_in_batch")
    parser.add_argument("--cap", type=int, default=20000, help="run cap for the setting without any reduction")
    args = parser.parse_args()
    overrides = SCOPES[args.scope] + ([f"fixes.{args.fix}=true"] if args.fix else [])
    scenario = load_scenario("us-east-1-2025-10-20", overrides)
    print(f"scope {args.scope}: {' '.join(overrides)}")
    print(f"{'setting':<8} {'runs':>9} {'states':>9} {'steps':>9} {'complete':>9} {'seconds':>8}  violations")
    settings = [
        ("bfs", "bfs", True, True, True, None),
        ("bfs-hash", "bfs", False, False, True, None),
        ("full", "dfs", True, True, True, None),
        ("por", "dfs", True, False, True, None),
        ("hash", "dfs", False, False, True, None),
        ("none", "dfs", False, False, False, args.cap),
    ]
    for name, method, reduction, symmetry, hashing, cap in settings:
        started = time.process_time()
        result = trio.run(
            lambda m=method, r=reduction, s=symmetry, h=hashing, c=cap: exhaustive(
                scenario, method=m, reduction=r, symmetry=s, hashing=h, max_runs=c, keep=0
            )
        )
        elapsed = time.process_time() - started
        violations = {k: v for k, v in result.violations.items() if v}
        print(
            f"{name:<8} {result.runs:>9} {result.states:>9} {result.transitions:>9} {result.complete!s:>9} "
            f"{elapsed:>8.1f}  {violations or '-'}"
        )


if __name__ == "__main__":
    main()
