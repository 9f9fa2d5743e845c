"""The race's full breadth-first search in one process and over ``--workers N`` local processes, in one run.

The same comparison as the last lines of ``explore_vs_spin.py`` without
Spin and the other rows: the exhaustive search of the race (two Enactors,
five plans, clean-up threshold two, one endpoint; ``--scope small`` for three
plans and threshold one) with its exact shortest counterexample, then the
same over N workers, then whether the two found the very same states (their
parent edges and first violations, digested), steps, violating states and
shortest length. Each search is run ``--repeat`` times, alternating, and the
fastest wall of each is compared. The load average is printed before and
after: on a shared machine, compare runs made at a low load only.

    python benchmarks/explore_workers.py [--scope brief|small] [--workers 2] [--repeat 1]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import time
from typing import Any

import trio

from tui.explore.exhaustive import breadth_first, counterexamples_of
from tui.scenario import load_scenario

ONE_ENDPOINT = 'dns.endpoints=["dynamodb.us-east-1.amazonaws.com"]'
SCOPES = {
    "brief": ["dns.enactors=2", "dns.max_plans=5", "dns.cleanup_threshold=2", ONE_ENDPOINT],
    "small": ["dns.enactors=2", "dns.max_plans=3", "dns.cleanup_threshold=1", ONE_ENDPOINT],
}


def search(overrides: list[str], workers: int) -> dict[str, Any]:
    """One full search (scenario loading and the confirmed shortest counterexample included), timed."""
    wall, cpu = time.perf_counter(), time.process_time()
    scenario = load_scenario("us-east-1-2025-10-20", overrides)
    outcome, _ = breadth_first(scenario, workers=workers)
    examples = trio.run(lambda: counterexamples_of(scenario, outcome, 1))
    total_s, cpu_s = time.perf_counter() - wall, time.process_time() - cpu
    digest = hashlib.sha256()
    for fp in sorted(outcome.parents):
        parent, move = outcome.parents[fp]
        digest.update(fp + (parent or b"-") + move.encode() + outcome.first.get(fp, 0).to_bytes(4, "big"))
    return {
        "total_s": total_s,
        "cpu_s": cpu_s,
        "search_s": outcome.elapsed_s,
        "states": outcome.states,
        "transitions": outcome.transitions,
        "complete": outcome.complete,
        "violations": {name: len(fps) for name, fps in sorted(outcome.first_violations().items())},
        "shortest": len(examples[0].components) if examples else None,
        "digest": digest.hexdigest(),
    }


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} CPUs"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scope", choices=sorted(SCOPES), default="brief")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    overrides = SCOPES[args.scope]
    print(f"scope: {args.scope} ({' '.join(overrides)})", flush=True)
    print(f"load average before: {load()}", flush=True)
    ones: list[dict[str, Any]] = []
    manys: list[dict[str, Any]] = []
    for _ in range(args.repeat):
        ones.append(search(overrides, 1))
        manys.append(search(overrides, args.workers))
    one = min(ones, key=lambda r: r["total_s"])
    many = min(manys, key=lambda r: r["total_s"])
    same = all(one[k] == many[k] for k in ("states", "transitions", "violations", "shortest", "digest"))
    print(
        f"1 process: {one['total_s']:.2f} s wall, {one['cpu_s']:.2f} s CPU, {one['states']} states, "
        f"{one['transitions']} steps, complete={one['complete']}, violating states {one['violations']}, "
        f"shortest counterexample {one['shortest']} chosen steps; {one['states'] / one['search_s']:,.0f} states/s"
    )
    print(
        f"{args.workers} worker processes: {many['total_s']:.2f} s wall ({one['total_s'] / many['total_s']:.2f}x), "
        f"{many['states'] / many['search_s']:,.0f} states/s, identical states, parents, steps, violations and "
        f"shortest length: {same}"
    )
    if args.repeat > 1:
        print(
            "all walls: 1 process "
            + ", ".join(f"{r['total_s']:.2f}" for r in ones)
            + f"; {args.workers} workers "
            + ", ".join(f"{r['total_s']:.2f}" for r in manys)
        )
    print(f"load average after: {load()}")


if __name__ == "__main__":
    main()
