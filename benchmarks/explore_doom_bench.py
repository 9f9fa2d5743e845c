"""The doom meter at a 12-move horizon over the states of a saved counterexample.

Saves the counterexamples of an exhaustive search as ``explore --save`` does,
reads one back with the recorder's reader, and counts from every state along
it (the state after 0, 1, ... of its choices), two ways:

* ``stepping``: one count after the other, as the replay UI counts while a
  person steps through the session; the graph a count explored is kept for
  the next one (:class:`tui.explore.doom.DoomGraph`);
* ``cold``: every count with an empty graph, as when the session is opened
  at that step.

Prints the median, 95th percentile and maximum seconds per count (CPU time of
this process, ``time.process_time``; wall clock beside it) and the states in
the largest window. The UI's target is a p95 under 0.5 s.

    python benchmarks/explore_doom_bench.py [--scope small|brief] [--which shortest|longest] [--horizon 12]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import trio

from tui.explore.doom import DoomGraph, doom_meter
from tui.explore.exhaustive import exhaustive
from tui.explore.report import save_all
from tui.record import read_session, scenario_for
from tui.record.format import ChoiceEntry

ONE_ENDPOINT = 'dns.endpoints=["dynamodb.us-east-1.amazonaws.com"]'
SCOPES = {
    "small": ["dns.enactors=2", "dns.max_plans=3", "dns.cleanup_threshold=1", ONE_ENDPOINT],
    "brief": ["dns.enactors=2", "dns.max_plans=5", "dns.cleanup_threshold=2", ONE_ENDPOINT],
}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scope", choices=sorted(SCOPES), default="small")
    parser.add_argument("--which", choices=("shortest", "longest"), default="longest")
    parser.add_argument("--horizon", type=int, default=12)
    args = parser.parse_args()
    from tui.scenario import load_scenario

    scenario = load_scenario("us-east-1-2025-10-20", SCOPES[args.scope])
    result = trio.run(lambda: exhaustive(scenario, keep=50))
    with tempfile.TemporaryDirectory() as tmp:
        paths = save_all(Path(tmp), scenario, scenario.get("scenario.seed"), result.counterexamples)
        sizes = [(len(read_session(p).entries), p) for p in paths]
        _, path = min(sizes) if args.which == "shortest" else max(sizes)
        session = read_session(path)
        loaded = scenario_for(session)
        moves = tuple(e.index for e in session.entries if isinstance(e, ChoiceEntry))
        name = path.name
    load = os.getloadavg()
    print(f"scope {args.scope}, counterexample {name} ({len(moves)} steps), horizon {args.horizon}")
    print(f"load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} CPUs")
    for mode in ("stepping", "cold"):
        kept = DoomGraph(loaded)
        cpu: list[float] = []
        wall: list[float] = []
        states = 0
        for k in range(len(moves) + 1):
            graph = kept if mode == "stepping" else DoomGraph(loaded)
            w, c = time.perf_counter(), time.process_time()
            meter = doom_meter(loaded, moves[:k], horizon=args.horizon, graph=graph)
            cpu.append(time.process_time() - c)
            wall.append(time.perf_counter() - w)
            states = max(states, meter.states)
        print(
            f"{mode:<9} counts {len(cpu):>3}  CPU p50 {percentile(cpu, 0.5):.3f} s  p95 {percentile(cpu, 0.95):.3f} s  "
            f"max {max(cpu):.3f} s | wall p50 {percentile(wall, 0.5):.3f} s  p95 {percentile(wall, 0.95):.3f} s  "
            f"max {max(wall):.3f} s | largest window {states:,} states"
        )
    load = os.getloadavg()
    print(f"load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main()
