"""Headless run speed, snapshot and restore cost, and checkpoint memory, in one run.

What it measures, all on the built-in scenario ``us-east-1-2025-10-20`` with
the canonical policy, each measurement in its own ``trio.run``:

1. **Headless run.** The canonical 15h32m run driven by ``sim.run()`` (the
   baton passes from component to component: one Trio task switch per step),
   against a baseline measured in the same process: the same run taken one
   step at a time (``while not sim.done: await sim.step()``, two task switches
   per step, the way every step was taken before the core kept its state in
   data). Wall seconds are the best of ``--repeat`` runs (after one untimed
   warm-up, the two kinds alternated so that drift in the machine's speed
   hits both) and time the stepping only (building the simulation and
   starting Trio are left out). Both must give the same trace hash.
2. **Snapshot and restore** at 23:48, 06:00 and 15:20 PDT: how long
   ``sim.snapshot()`` takes (median), how big its state is (``snap.size``, the
   pickled controller and world) and how big the whole pickled snapshot is
   (``pickle.dumps(snap)``, which also carries the scenario, as a worker
   process would receive it), how long a restore takes (from entering
   ``open_simulation(..., snapshot=snap)`` until the first ``choices()`` is
   available, median), and whether the restored run, taken to the end, ends
   with the trace hash of the uninterrupted run.
3. **Checkpoint memory.** A snapshot every N steps of a full run, for several
   N: how many, their total bytes (the blobs are ``bytes``, so the sum of
   ``snap.size`` *is* their memory; the scenario is shared and not counted),
   how much longer the run takes with them than a plain driven run (each
   checkpointed run right after a plain one, best of ``--repeat`` of each),
   the time the snapshots themselves take, and the worst-case cost of
   reaching any step from the nearest earlier checkpoint (N steps at the
   driven per-step cost; the restore, under a millisecond, left out). The
   script first checks whether ``sim.snapshot()`` may be called from
   ``sim.run(on_step=...)``. If it may, checkpoints are measured both there
   and between chunks of ``sim.run(max_steps=N)``, and the cost of a no-op
   ``on_step`` is shown, since listening to every step is not free; if it
   raises, only chunks are measured, and the output says why.
4. **A suggested interval**: the smallest N (and the way of taking them)
   whose measured extra run time is under 10% and whose checkpoints take
   under 100 MiB.

Why: snapshots let the UI seek, fork and scrub a run without replaying it from
the start, and let exploration ship a run to another process. These figures
say what that costs (time per snapshot, bytes per checkpoint) and what it
saves (replay from a checkpoint instead of from 23:40), so a checkpoint
interval can be chosen from numbers rather than guessed.

How to read it: ``steps/s`` and ``µs/step`` are throughput of the full run;
``baseline / driven`` above 1 is how much faster driving is than stepping.
``run-to-run spread`` (slowest over fastest driven run) says how noisy the
machine was: ratios closer to 1 than that spread are within noise. Snapshot
and restore costs are in milliseconds; sizes in KiB and MiB (powers of 1024).
In the checkpoint table ``extra time`` is checkpointed over plain run time
(1.05x = 5% slower; a figure under 1.00x just means noise won) and
``in snapshot()`` is the part of it spent inside the snapshots themselves
(checkpoints × median ``snapshot()`` time, over the plain run). The rest is
``on_step``'s own cost (on its rows; the line above the table gives it) and
an after-effect: on CPython 3.11 the steps after a first snapshot run a few
per cent slower, however many follow, because pickling reads the objects'
``__dict__``, which takes them off the interpreter's fast attribute path for
good. ``worst replay`` is the longest a seek would spend stepping after its
restore. When the run-to-run spread is large the suggestion says so: rerun
with a larger ``--repeat`` on a quieter machine. There are no pass/fail
checks and no timing thresholds: the numbers depend on the machine.

Run: ``python benchmarks/snapshot_bench.py [--repeat N]``.
"""

from __future__ import annotations

import argparse
import pickle
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import trio

from tui.clock import parse_sim
from tui.scenario import Scenario, load_scenario
from tui.sim.controller import Choice
from tui.sim.simulation import Simulation, Snapshot, open_simulation

SCENARIO = "us-east-1-2025-10-20"
POLICY = "canonical"
SNAPSHOT_TIMES = ("23:48", "06:00", "15:20")
CHECKPOINT_INTERVALS = (500, 1000, 2000, 5000)
SAMPLES = 9  # samples for the medians of snapshot and restore times
MAX_EXTRA_TIME = 0.10  # the suggestion's limits: under 10% extra run time ...
MAX_CHECKPOINT_MIB = 100.0  # ... and under 100 MiB of checkpoints

KIB = 1024
MIB = 1024 * 1024


@dataclass(frozen=True)
class RunResult:
    """One full run: seconds spent stepping, steps, events, final trace hash."""

    seconds: float
    steps: int
    events: int
    sha256: str

    @property
    def us_per_step(self) -> float:
        return self.seconds / self.steps * 1e6


@dataclass(frozen=True)
class SnapshotResult:
    """Snapshot and restore figures at one point of the run."""

    label: str
    step: int
    events: int
    snapshot_ms: float
    state_kib: float
    pickled_kib: float
    restore_ms: float
    same_hash: bool


@dataclass(frozen=True)
class CheckpointResult:
    """A full run with a snapshot every ``interval`` steps."""

    interval: int
    via: str  # "on_step" or "chunks"
    count: int
    total_bytes: int
    seconds: float  # the checkpointed run, best of its repeats
    plain_seconds: float  # the plain driven runs alternated with it, best of those
    snapshot_median: float  # seconds of one sim.snapshot() during the checkpointed runs, median
    same_hash: bool

    @property
    def extra(self) -> float:
        """Checkpointed run time over plain run time (1.05 = 5% slower)."""
        return self.seconds / self.plain_seconds

    @property
    def snapshot_share(self) -> float:
        """Checkpoints × median ``sim.snapshot()`` time, as a share of the plain run: the snapshots' own cost."""
        return self.count * self.snapshot_median / self.plain_seconds


def timed_run(scenario: Scenario, stepper: Callable[[Simulation], Awaitable[None]]) -> RunResult:
    """A full canonical run in its own ``trio.run``; only ``stepper`` is timed."""

    async def main() -> RunResult:
        async with open_simulation(scenario, POLICY) as sim:
            start = time.perf_counter()
            await stepper(sim)
            seconds = time.perf_counter() - start
            summary = sim.summary()
        return RunResult(seconds, summary["steps"], summary["events"], summary["trace_sha256"])

    return trio.run(main)


async def driven(sim: Simulation) -> None:
    await sim.run()


async def one_at_a_time(sim: Simulation) -> None:
    while not sim.done:
        await sim.step()


def driven_and_stepped(scenario: Scenario, repeat: int) -> tuple[list[RunResult], list[RunResult]]:
    """``repeat`` driven runs and ``repeat`` one-step-at-a-time runs, alternated, after one untimed warm-up."""
    timed_run(scenario, driven)
    fast: list[RunResult] = []
    slow: list[RunResult] = []
    for _ in range(repeat):
        fast.append(timed_run(scenario, driven))
        slow.append(timed_run(scenario, one_at_a_time))
    if len({r.sha256 for r in fast}) != 1 or len({r.sha256 for r in slow}) != 1:
        raise RuntimeError("repeated runs of the same timeline gave different trace hashes")
    return fast, slow


def fastest(runs: list[RunResult]) -> RunResult:
    return min(runs, key=lambda r: r.seconds)


def spread(runs: list[RunResult]) -> float:
    """Slowest over fastest run: how noisy the machine was (1.00 = not at all)."""
    return max(r.seconds for r in runs) / min(r.seconds for r in runs)


# -- snapshot and restore ------------------------------------------------------------
def snapshot_at(scenario: Scenario, label: str) -> tuple[Snapshot, float]:
    """Run to ``label`` (PDT), then snapshot it ``SAMPLES`` times; the last snapshot and the median ms."""

    async def main() -> tuple[Snapshot, float]:
        async with open_simulation(scenario, POLICY) as sim:
            await sim.run(until=parse_sim(label))
            times: list[float] = []
            snap: Snapshot | None = None
            for _ in range(SAMPLES):
                start = time.perf_counter()
                snap = sim.snapshot()
                times.append(time.perf_counter() - start)
            assert snap is not None
            return snap, statistics.median(times) * 1e3

    return trio.run(main)


def restore_ms(scenario: Scenario, snap: Snapshot) -> float:
    """Milliseconds from entering ``open_simulation(snapshot=...)`` to the first ``choices()``."""

    async def main() -> float:
        start = time.perf_counter()
        async with open_simulation(scenario, POLICY, snapshot=snap) as sim:
            sim.choices()
            return (time.perf_counter() - start) * 1e3

    return trio.run(main)


def restored_hash(scenario: Scenario, snap: Snapshot) -> str:
    """The trace hash of ``snap`` restored and run to the end."""

    async def main() -> str:
        async with open_simulation(scenario, POLICY, snapshot=snap) as sim:
            await sim.run()
            return sim.summary()["trace_sha256"]

    return trio.run(main)


def measure_snapshot(scenario: Scenario, label: str, reference: str) -> SnapshotResult:
    snap, snap_ms = snapshot_at(scenario, label)
    restore = statistics.median(restore_ms(scenario, snap) for _ in range(SAMPLES))
    return SnapshotResult(
        label=label,
        step=snap.step,
        events=snap.events,
        snapshot_ms=snap_ms,
        state_kib=snap.size / KIB,
        pickled_kib=len(pickle.dumps(snap, protocol=pickle.HIGHEST_PROTOCOL)) / KIB,
        restore_ms=restore,
        same_hash=restored_hash(scenario, snap) == reference,
    )


# -- checkpoints ----------------------------------------------------------------------
def on_step_snapshot_error(scenario: Scenario, interval: int) -> str | None:
    """Try ``sim.snapshot()`` inside ``sim.run(on_step=...)``; None if it works, else the error."""

    async def main() -> str | None:
        async with open_simulation(scenario, POLICY) as sim:

            def on_step(_choice: Choice) -> None:
                if sim.steps % interval == 0:
                    sim.snapshot()

            try:
                await sim.run(max_steps=interval + 1, on_step=on_step)
            except Exception as exc:  # noqa: BLE001  # any failure means: use the other way
                return f"{type(exc).__name__}: {exc}"
            if sim.steps <= interval:
                return f"the run ended before step {interval}"
            return None

    return trio.run(main)


class Checkpoints:
    """The snapshots a checkpointed run kept, and the seconds each ``sim.snapshot()`` took."""

    def __init__(self) -> None:
        self.snaps: list[Snapshot] = []
        self.times: list[float] = []

    def take(self, sim: Simulation) -> None:
        start = time.perf_counter()
        self.snaps.append(sim.snapshot())
        self.times.append(time.perf_counter() - start)


def checkpoint_stepper(interval: int, via: str, store: Checkpoints) -> Callable[[Simulation], Awaitable[None]]:
    """A stepper that runs to the end keeping a snapshot at every multiple of ``interval`` steps.

    ``via="on_step"`` snapshots from ``sim.run(on_step=...)``; ``via="chunks"``
    between calls of ``sim.run(max_steps=interval)``.
    """

    async def with_on_step(sim: Simulation) -> None:
        def on_step(_choice: Choice) -> None:
            if sim.steps % interval == 0:
                store.take(sim)

        await sim.run(on_step=on_step)

    async def in_chunks(sim: Simulation) -> None:
        while not sim.done:
            await sim.run(max_steps=interval)
            if sim.steps % interval == 0:
                store.take(sim)

    return with_on_step if via == "on_step" else in_chunks


async def noop_on_step(sim: Simulation) -> None:
    """A driven run with an ``on_step`` callback that does nothing: what listening to every step costs."""

    def on_step(_choice: Choice) -> None:
        pass

    await sim.run(on_step=on_step)


def alternated(
    scenario: Scenario, stepper: Callable[[], Callable[[Simulation], Awaitable[None]]], repeat: int
) -> tuple[float, RunResult]:
    """Best plain driven run and best run of ``stepper()``, taken alternately ``repeat`` times.

    Alternating the two keeps slow drift of the machine's speed out of their ratio.
    """
    plain: list[float] = []
    other: list[RunResult] = []
    for _ in range(repeat):
        plain.append(timed_run(scenario, driven).seconds)
        other.append(timed_run(scenario, stepper()))
    return min(plain), fastest(other)


def measure_checkpoints(scenario: Scenario, interval: int, via: str, repeat: int, reference: str) -> CheckpointResult:
    """Checkpointed runs against plain driven runs, alternated, best of ``repeat`` each."""
    stores: list[Checkpoints] = []

    def stepper() -> Callable[[Simulation], Awaitable[None]]:
        stores.append(Checkpoints())
        return checkpoint_stepper(interval, via, stores[-1])

    plain, best = alternated(scenario, stepper, repeat)
    kept = stores[-1]
    return CheckpointResult(
        interval=interval,
        via=via,
        count=len(kept.snaps),
        total_bytes=sum(s.size for s in kept.snaps),
        seconds=best.seconds,
        plain_seconds=plain,
        snapshot_median=statistics.median(t for store in stores for t in store.times),
        same_hash=best.sha256 == reference,
    )


# -- report ---------------------------------------------------------------------------
def yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


def row(label: str, value: str) -> str:
    return f"  {label:<46} {value:>22}"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per wall-time figure; the best is kept")
    args = parser.parse_args()
    repeat = max(1, args.repeat)
    scenario = load_scenario(SCENARIO)

    print(f"scenario {SCENARIO}, policy {POLICY}, best of {repeat} for run times, median of {SAMPLES} otherwise")
    print()

    # 1. Headless run, driven against one step at a time.
    fast_runs, slow_runs = driven_and_stepped(scenario, repeat)
    fast, slow = fastest(fast_runs), fastest(slow_runs)
    reference = fast.sha256
    print("1. headless canonical 15h32m run")
    print(row("steps, events", f"{fast.steps:,} / {fast.events:,}"))
    print(row("driven sim.run(): wall s", f"{fast.seconds:.3f}"))
    print(row("driven sim.run(): steps/s", f"{fast.steps / fast.seconds:,.0f}"))
    print(row("driven sim.run(): events/s", f"{fast.events / fast.seconds:,.0f}"))
    print(row("driven sim.run(): µs/step", f"{fast.us_per_step:.1f}"))
    print(row("baseline await sim.step(): wall s", f"{slow.seconds:.3f}"))
    print(row("baseline await sim.step(): steps/s", f"{slow.steps / slow.seconds:,.0f}"))
    print(row("baseline await sim.step(): µs/step", f"{slow.us_per_step:.1f}"))
    print(row("baseline / driven", f"{slow.seconds / fast.seconds:.2f}x"))
    print(row("same hash (baseline vs driven)", yes_no(slow.sha256 == reference)))
    print(row("trace sha256", reference[:16] + "…"))
    print(row("run-to-run spread, slowest/fastest (driven)", f"{spread(fast_runs):.2f}x"))
    print()

    # 2. Snapshot and restore at three points.
    snaps = [measure_snapshot(scenario, label, reference) for label in SNAPSHOT_TIMES]
    print("2. snapshot and restore (PDT; restore = open_simulation(snapshot=...) until first choices())")
    header = (
        f"  {'at':<6} {'step':>7} {'events':>7} {'snapshot ms':>12} {'snap.size KiB':>14} "
        f"{'pickled KiB':>12} {'restore ms':>11}  same hash"
    )
    print(header)
    for s in snaps:
        print(
            f"  {s.label:<6} {s.step:>7,} {s.events:>7,} {s.snapshot_ms:>12.3f} {s.state_kib:>14.1f} "
            f"{s.pickled_kib:>12.1f} {s.restore_ms:>11.3f}  {yes_no(s.same_hash)}"
        )
    print()

    # 3. Checkpoint memory and run-time cost.
    error = on_step_snapshot_error(scenario, CHECKPOINT_INTERVALS[0])
    print("3. checkpoints over the full run")
    if error is None:
        methods = ("on_step", "chunks")
        print("  sim.snapshot() inside sim.run(on_step=...): works; measured both there and between chunks")
        plain, listened = alternated(scenario, lambda: noop_on_step, repeat)
        print(
            f"  a no-op on_step callback alone costs {listened.seconds / plain:.2f}x the plain run "
            f"({listened.seconds:.3f} s against {plain:.3f} s): on_step rows include it"
        )
    else:
        methods = ("chunks",)
        print(f"  sim.snapshot() inside sim.run(on_step=...): raises ({error})")
        print("  so checkpoints are taken between chunks of sim.run(max_steps=N)")
    checkpoints = [
        measure_checkpoints(scenario, n, via, repeat, reference) for via in methods for n in CHECKPOINT_INTERVALS
    ]
    print(
        f"  {'via':<8} {'every N':>7} {'count':>6} {'total MiB':>10} {'avg KiB':>8} {'plain s':>8} {'ckpt s':>7} "
        f"{'extra time':>11} {'in snapshot()':>14} {'worst replay ms':>16}  same hash"
    )
    for c in checkpoints:
        average = c.total_bytes / c.count / KIB if c.count else 0.0
        replay_ms = c.interval * fast.us_per_step / 1e3
        print(
            f"  {c.via:<8} {c.interval:>7,} {c.count:>6} {c.total_bytes / MIB:>10.2f} {average:>8.1f} "
            f"{c.plain_seconds:>8.3f} {c.seconds:>7.3f} {c.extra:>10.2f}x {c.snapshot_share:>13.1%} "
            f"{replay_ms:>16.1f}  {yes_no(c.same_hash)}"
        )
    print("  extra time: checkpointed / plain driven run, alternated, best of each;")
    print("  in snapshot(): checkpoints × median snapshot() time, as a share of the plain run;")
    print("  the rest of extra time: on_step's own cost, and slower steps after a first snapshot (see the docstring);")
    print(f"  worst replay: N × {fast.us_per_step:.1f} µs/step (driven), restore not included")
    print()

    # 4. Suggestion.
    fitting = [c for c in checkpoints if c.extra - 1.0 < MAX_EXTRA_TIME and c.total_bytes / MIB < MAX_CHECKPOINT_MIB]
    best = min(fitting, key=lambda c: (c.interval, c.extra), default=None)
    if best is not None:
        print(
            f"suggested checkpoint interval: every {best.interval:,} steps, via {best.via} "
            f"({best.count} checkpoints, {best.total_bytes / MIB:.2f} MiB, "
            f"{(best.extra - 1.0) * 100:+.1f}% run time measured, "
            f"seek replays at most {best.interval * fast.us_per_step / 1e3:.0f} ms)"
        )
    else:
        print(
            f"suggested checkpoint interval: none of {', '.join(map(str, CHECKPOINT_INTERVALS))} "
            f"stays under {MAX_EXTRA_TIME:.0%} extra run time and {MAX_CHECKPOINT_MIB:.0f} MiB"
        )
    if spread(fast_runs) - 1.0 > MAX_EXTRA_TIME / 2:
        print(
            f"  (driven runs varied by {spread(fast_runs) - 1.0:.0%} from run to run, a large part of the "
            f"{MAX_EXTRA_TIME:.0%} limit: rerun with a larger --repeat to firm up the choice)"
        )


if __name__ == "__main__":
    main()
