"""Runs, states and steps of the exhaustive search with and without its reductions.

Three settings on the same configuration:

* ``full``: state hashing, symmetry (AZs renamed canonically) and
  partial-order reduction (sleep sets, postponing the Planner and clean-ups
  when nothing they do conflicts);
* ``por``: the same without symmetry;
* ``hash``: state hashing only (``outage-tui explore --no-reduction``);
* ``none``: neither: every interleaving is its own run, only cycles on the
  current path are cut; capped by ``--cap`` runs (then the counts are lower
  bounds).

    python benchmarks/explore_reduction.py [--scope small|four|brief] [--fix NAME] [--cap N]
"""

from __future__ import annotations

import argparse
import time

import trio

from tui.explore.search import exhaustive
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
    print(f"{'setting':<6} {'runs':>9} {'states':>9} {'steps':>9} {'complete':>9} {'seconds':>8}  violations")
    settings = [
        ("full", True, True, True, None),
        ("por", True, False, True, None),
        ("hash", False, False, True, None),
        ("none", False, False, False, args.cap),
    ]
    for name, reduction, symmetry, hashing, cap in settings:
        started = time.perf_counter()
        result = trio.run(
            lambda r=reduction, s=symmetry, h=hashing, c=cap: exhaustive(
                scenario, reduction=r, symmetry=s, hashing=h, max_runs=c, keep=0
            )
        )
        elapsed = time.perf_counter() - started
        violations = {k: v for k, v in result.violations.items() if v}
        print(
            f"{name:<6} {result.runs:>9} {result.states:>9} {result.transitions:>9} {result.complete!s:>9} "
            f"{elapsed:>8.1f}  {violations or '-'}"
        )


if __name__ == "__main__":
    main()
