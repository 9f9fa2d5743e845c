"""The breadth-first search split over worker processes (``--workers N``) or a Ray cluster (``--cluster``).

Each worker holds one :class:`~tui.explore.bfs.Partition`. A partition
*owns* the states whose fingerprint hashes to it (their visited entries:
depth, parent edge, violations) and *expands* the states of the current depth
whose parent edge it took, whoever owns them, from the snapshots it made when
it took those edges. The coordinator (this process) only routes batches
between workers, one depth at a time; every batch for another partition is
pickled once, by its sender, into bytes that the coordinator passes on
without reading, and a partition's batch for itself never leaves it:

1. ``expand``: every worker expands its states at depth ``d``; per state
   reached it keeps the snapshot at the end of its smallest edge into it, and
   tells the state's owner of that edge and the violations (not the
   snapshot; nothing at all for a state it owns and has seen, unless an edge
   breaks an invariant first);
2. ``merge``: every owner checks these against its share of the visited set,
   picks each new state's parent edge (the smallest over all workers) and
   hands the state, with its violations, to the worker that took that edge;
3. ``adopt``: every worker makes the states handed to it its frontier for
   depth ``d + 1``, from the snapshots it kept, and drops the others' snapshots;
   when one worker would have more than its share (:func:`shares`, from the
   counts alone), it sends the excess on, pickled;
4. ``accept``: only then, the workers take in the states sent on to them.

Evening out is not optional: a worker expands the states whose parent edge it
took, so a worker that is ahead stays ahead, and the one that expands the
root would otherwise expand everything. It is cheap: on the race some 4 % of
the states travel as snapshots (about 50 µs each to pickle and read back,
against some 170 µs to expand one), and the rest of the traffic is a few dozen
bytes per state a worker reaches for another. The merge rule (see
:meth:`Partition.merge`) makes states, violations and counterexamples the
same for any number of workers, whichever worker expands a state.

Local workers are ``concurrent.futures.ProcessPoolExecutor`` processes
started with ``spawn`` (no fork of a process that may hold threads), one
executor of one process per partition so that a partition's state stays in
its process between calls. Ray workers are actors, one per partition; Ray is
imported only when ``--cluster`` is given, and is an optional extra.
"""

from __future__ import annotations

import atexit
import gc
import multiprocessing
import os
import signal
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Protocol

from tui.errors import BadInput
from tui.explore.bfs import BfsOutcome, Limits, Partition, Progress, mask_of, owner, saved
from tui.explore.collector import cycles_paused
from tui.explore.model import core_run
from tui.scenario import Scenario

#: What ``pip install`` needs for ``--cluster``.
CLUSTER_EXTRA = "outage-tui[cluster]"

#: How far above the mean the busiest partition's next depth may be before states are sent on to even it
#: out (sending one costs a pickle and an unpickle, under a third of expanding it).
SLACK = 0.02

_PART: Partition | None = None


def _start(scenario: Scenario, index: int, count: int, symmetry: bool) -> None:
    """Executor initializer: this process's partition. Ctrl-C is the coordinator's to handle.

    The process does nothing but its partition's work, so the cycle collector
    stays off in it for good, also while batches are read and written between
    calls (see :mod:`tui.explore.collector`). When the pool shuts down it
    ends at once, without freeing its partition object by object: on the
    race that took three seconds the coordinator spent waiting.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    gc.disable()
    atexit.register(os._exit, 0)
    global _PART
    _PART = Partition(scenario, index=index, count=count, symmetry=symmetry)


def _call(method: str, *args: Any) -> Any:
    assert _PART is not None
    return getattr(_PART, method)(*args)


class Pool(Protocol):
    """N partitions somewhere: call one method on each, with its own arguments, and wait for all."""

    count: int

    def call(self, method: str, args: Sequence[tuple[Any, ...]]) -> list[Any]: ...

    def close(self) -> None: ...


class LocalPool:
    """One single-process ``ProcessPoolExecutor`` (``spawn``) per partition."""

    def __init__(self, scenario: Scenario, count: int, symmetry: bool) -> None:
        context = multiprocessing.get_context("spawn")
        self.count = count
        self._executors = [
            ProcessPoolExecutor(1, mp_context=context, initializer=_start, initargs=(scenario, i, count, symmetry))
            for i in range(count)
        ]

    def call(self, method: str, args: Sequence[tuple[Any, ...]]) -> list[Any]:
        futures = [ex.submit(_call, method, *a) for ex, a in zip(self._executors, args, strict=True)]
        return [f.result() for f in futures]

    def close(self) -> None:
        for ex in self._executors:
            ex.shutdown(wait=True, cancel_futures=True)


def import_ray() -> Any:
    """Ray, or a one-line :class:`BadInput` naming the extra that installs it."""
    try:
        import ray  # type: ignore[import-not-found]
    except ImportError:
        raise BadInput(f"--cluster needs Ray: pip install '{CLUSTER_EXTRA}'") from None
    return ray


class RayPool:
    """One Ray actor per partition, on the cluster at ``address`` (``local``: a Ray started here)."""

    def __init__(self, scenario: Scenario, count: int | None, symmetry: bool, address: str) -> None:
        ray = import_ray()
        self._ray = ray
        self._started = not ray.is_initialized()
        if self._started:
            ray.init(**({} if address == "local" else {"address": address}), log_to_driver=False)
        if count is None:
            count = max(1, int(ray.cluster_resources().get("CPU", 1)))
        self.count = count
        actor = ray.remote(num_cpus=1)(Partition)
        self._actors = [actor.remote(scenario, index=i, count=count, symmetry=symmetry) for i in range(count)]

    def call(self, method: str, args: Sequence[tuple[Any, ...]]) -> list[Any]:
        refs = [getattr(a, method).remote(*x) for a, x in zip(self._actors, args, strict=True)]
        return list(self._ray.get(refs))

    def close(self) -> None:
        for a in self._actors:
            self._ray.kill(a)
        if self._started:
            self._ray.shutdown()


def _column(rows: Sequence[Sequence[Any]], j: int) -> list[Any]:
    """What every partition has for partition ``j``: ``rows[i][j]`` for each ``i``."""
    return [row[j] for row in rows]


def shares(loads: Sequence[int], slack: float = SLACK) -> list[list[int]]:
    """``send[i][j]``: how many of its next states partition ``i`` sends on to partition ``j``.

    ``loads[i]`` is how many new states partition ``i`` would expand (it
    generated their parent edges). When the busiest has more than ``slack``
    above the mean, every partition is evened out to the mean (give or take
    one state), moving no more states than that takes: partitions over their
    share send, in index order, to partitions under theirs. Only the counts
    decide, so the same loads always give the same moves; and no move can
    change a result, only who does the work.
    """
    count = len(loads)
    send = [[0] * count for _ in range(count)]
    total = sum(loads)
    if count < 2 or total == 0 or max(loads) * count <= total * (1 + slack):
        return send
    # Even shares; the remainder goes to the busiest partitions, which then keep one more.
    targets = [total // count] * count
    for i in sorted(range(count), key=lambda i: (-loads[i], i))[: total % count]:
        targets[i] += 1
    over = [[i, loads[i] - targets[i]] for i in range(count) if loads[i] > targets[i]]
    under = [[j, targets[j] - loads[j]] for j in range(count) if loads[j] < targets[j]]
    while over and under:
        moved = min(over[0][1], under[0][1])
        send[over[0][0]][under[0][0]] += moved
        over[0][1] -= moved
        under[0][1] -= moved
        if not over[0][1]:
            over.pop(0)
        if not under[0][1]:
            under.pop(0)
    return send


@cycles_paused()
def parallel_bfs(
    scenario: Scenario,
    *,
    workers: int | None = 2,
    cluster: str | None = None,
    symmetry: bool = True,
    limits: Limits | None = None,
    progress: Callable[[Progress], None] | None = None,
) -> tuple[BfsOutcome, int]:
    """The breadth-first search over ``workers`` partitions; the outcome and the number of partitions.

    Limits are checked between depths (seconds also within one: each
    worker's expansion stops when the time left is up), so a bounded search
    may go a little past ``max_states``.
    """
    limits = limits or Limits()
    started = time.perf_counter()
    pool: Pool
    if cluster is not None:
        pool = RayPool(scenario, workers, symmetry, cluster)
    else:
        pool = LocalPool(scenario, workers or 2, symmetry)
    count = pool.count
    out = BfsOutcome()
    try:
        run = core_run(scenario, publishing=False)
        run.abstraction.symmetry = symmetry
        run.settle_now()
        root = run.fingerprint()
        root_viol = mask_of(run.violations())
        out.root = root
        if root_viol:
            out.first_violation_s = time.perf_counter() - started
        home = owner(root, count)
        blob = saved(run)
        pool.call(
            "plant", [(root, blob, root_viol, False) if i == home else (None, None, 0, False) for i in range(count)]
        )
        states, depth, complete = 1, 0, False
        while True:
            left = None
            if limits.max_seconds is not None:
                left = max(0.0, limits.max_seconds - (time.perf_counter() - started))
            expanded = pool.call("expand", [(None, None, left)] * count)
            stopped = False
            for _reached, level in expanded:
                out.transitions += level.transitions
                out.expanded += level.expanded
                stopped = stopped or level.stopped
            reached = [e[0] for e in expanded]
            merged = pool.call("merge", [(_column(reached, j),) for j in range(count)])
            fresh = learnt = 0
            for _grants, _counts, level in merged:
                fresh += level.new_states
                learnt += level.new_violations
            states += fresh
            if learnt and out.first_violation_s is None:
                out.first_violation_s = time.perf_counter() - started
            if stopped:  # what was reached was seen; the next depth is not started
                break
            grants = [m[0] for m in merged]
            loads = [sum(m[1][g] for m in merged) for g in range(count)]
            send = shares(loads)
            sent = pool.call("adopt", [(_column(grants, g), send[g]) for g in range(count)])
            if any(x is not None for row in sent for x in row):
                pool.call("accept", [(_column(sent, j),) for j in range(count)])
            depth += 1
            if progress is not None:
                progress(Progress(states, out.transitions, depth, fresh, time.perf_counter() - started))
            if not fresh:
                complete = True
                break
            if limits.reached(started, states, out.expanded):
                break
        for parents in pool.call("parents", [()] * count):
            out.parents.update(parents)
        for first in pool.call("violating", [()] * count):
            out.first.update(first)
        out.states = len(out.parents)
        out.depth = depth
        out.complete = complete
    finally:
        pool.close()
    out.elapsed_s = time.perf_counter() - started
    return out, count
