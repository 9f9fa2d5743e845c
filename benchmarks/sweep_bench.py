"""Sweep throughput: runs/s at 1 and 2 local workers, and the wall time of a big sweep, in one run.

What it measures, on the built-in scenario ``us-east-1-2025-10-20`` with the
sweep's defaults (the scenario's ``[sweep]`` policy, ranges and condition),
every run the full 15h32m window:

1. **runs/s at 1 worker** (runs in this process, as ``--workers 1`` does) and
   **at 2 workers** (a ``forkserver`` process pool, as ``--workers 2``), on
   the same ``--sample`` seeds, wall time including the pool's start. Both
   must give the same per-run records (checked; the script says so).
2. **A ``--runs`` sweep** (default 1,000) at all cores, as
   ``outage-tui sweep --runs N`` runs it, without printing: its wall time,
   runs/s, and the time the statistics take. ``--out DIR`` also writes its
   ``runs.jsonl`` and ``summary.json`` there, as ``outage-tui sweep --out``
   would (after the clock stops), so the same runs can feed the fidelity
   table (``python -m tui.sweep.fidelity DIR``).

Why: a sweep is thousands of runs; these figures say what one machine gives
(and whether a second core doubles it) before reaching for ``--cluster``.

How to read it: ``2 workers / 1 worker`` near 2.0 means the runs scale with
cores; less means the machine was busy or pool start-up dominated a small
sample (raise ``--sample``). Numbers depend on the machine and its load; read
the ratios, measured in the same run, more than the absolute figures.

Run: ``python benchmarks/sweep_bench.py [--runs 1000] [--sample 20] [--out DIR]``.
"""

from __future__ import annotations

import argparse
import os
import time
from typing import Any

from tui.sweep.command import make_summary
from tui.sweep.engine import default_workers, execute
from tui.sweep.output import OutDir, run_line
from tui.sweep.spec import SweepSpec, build_spec

SCENARIO = "us-east-1-2025-10-20"


def sweep(runs: int, seed_from: int = 0) -> SweepSpec:
    """The sweep ``outage-tui sweep --runs N --seed-from S`` would run."""
    spec, _ = build_spec(SCENARIO, runs, seed_from, None, [], [], [], None)
    return spec


def timed(spec: SweepSpec, workers: int) -> tuple[float, list[dict[str, Any]]]:
    """Wall seconds to run every job of ``spec`` on ``workers`` local workers, and the sorted records."""
    records: list[dict[str, Any]] = []
    start = time.perf_counter()
    complete = execute(spec.jobs(), workers, None, records.append)
    elapsed = time.perf_counter() - start
    assert complete
    return elapsed, sorted(records, key=lambda r: (r["run"], r["variant"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000, help="runs of the big sweep (default 1000)")
    parser.add_argument("--sample", type=int, default=20, help="runs of the 1- and 2-worker measurements")
    parser.add_argument("--out", metavar="DIR", help="also write the big sweep's runs.jsonl and summary.json here")
    args = parser.parse_args()
    cores = default_workers()
    defaults = sweep(1)
    print(f"machine: {os.cpu_count()} cores ({cores} usable); scenario {SCENARIO}, {defaults.policy} policy, "
          "full window")  # fmt: skip
    print(f"ranges: {', '.join(r.describe() for r in defaults.ranges)}")
    print(f"milestone times given: {', '.join(defaults.given) or 'nothing'}\n")

    sample = sweep(args.sample, seed_from=1000)
    one_s, one = timed(sample, 1)
    two_s, two = timed(sample, 2)
    same = one == two
    print("| measure | value |")
    print("|---|---|")
    print(f"| 1 worker, {args.sample} runs | {one_s:.1f} s, {args.sample / one_s:.2f} runs/s |")
    print(f"| 2 workers, {args.sample} runs | {two_s:.1f} s, {args.sample / two_s:.2f} runs/s |")
    print(f"| 2 workers / 1 worker | {one_s / two_s:.2f}x runs/s |")
    print(f"| same per-run records at 1 and 2 workers | {'yes' if same else 'NO'} |")

    big = sweep(args.runs)
    big_s, records = timed(big, cores)
    start = time.perf_counter()
    summary = make_summary(big, records, True)
    stats_s = time.perf_counter() - start
    broke = summary["variants"][0]["violations"]["EndpointNeverEmpty"]
    given = summary["variants"][0]["given"]
    print(f"| {args.runs}-run sweep at {cores} workers | {big_s:.0f} s wall ({big_s / 60:.1f} min), "
          f"{args.runs / big_s:.2f} runs/s |")  # fmt: skip
    print(f"| statistics of {args.runs} runs | {stats_s * 1000:.0f} ms |")
    print(f"| its EndpointNeverEmpty rate | {broke['count']} of {args.runs}, 95% CI {broke['ci95']} |")
    if given:
        print(f"| runs that reached {' and '.join(given['milestones'])} | {given['runs']} of {args.runs}, "
              f"95% CI {given['ci95']} |")  # fmt: skip
    if args.out:
        write(args.out, big, records, summary)
    if not same:
        raise SystemExit("per-run records differ between 1 and 2 workers")


def write(path: str, spec: SweepSpec, records: list[dict[str, Any]], summary: dict[str, Any]) -> None:
    """The big sweep's files, as ``outage-tui sweep --out`` writes them (without the plots)."""
    names = [v.name for v in spec.variants]
    commands = {(j.run, j.variant): spec.command(j) for j in spec.jobs()}
    directory = OutDir(path)
    for record in records:
        directory.write_run(run_line(record, names, commands[(record["run"], record["variant"])]))
    directory.finish(summary)
    print(f"\nwrote {path}/runs.jsonl and summary.json")


if __name__ == "__main__":
    main()
