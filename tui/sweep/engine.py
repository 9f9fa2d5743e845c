"""Where a sweep's runs execute: this process, local worker processes, or Ray tasks.

Every engine calls the same :func:`run_job` on the same :class:`Job`, so a
run's result depends on the job alone, never on where or in which order it
ran; results are handed to ``on_result`` as they finish (in any order) and
the caller sorts them by run index. Worker processes are started with
``forkserver`` (``spawn`` where there is none), never a plain ``fork``: the
parent may hold Trio state and threads (Rich's progress refresher) that a
forked child must not inherit.

Ctrl-C stops the sweep: runs not started are cancelled, running ones are
abandoned, and the engine returns ``False`` so the caller can summarise what
finished. Workers ignore SIGINT themselves so only the parent decides.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from functools import lru_cache
from typing import Any

from tui.errors import BadInput
from tui.sweep.spec import Job

OnResult = Callable[[dict[str, Any]], None]

CLUSTER_HINT = "pip install 'outage-tui[cluster]'"


@lru_cache(maxsize=64)
def _scenario(name: str, overrides: tuple[str, ...]) -> Any:
    """Each worker loads a scenario (with given overrides) once and keeps it for later runs.

    With ``--vary`` every run has its own overrides; loading one is about 3 ms
    against about a second for the run, so only repeated ones are kept.
    """
    from tui.scenario import load_scenario

    return load_scenario(name, list(overrides))


def run_job(job: Job) -> dict[str, Any]:
    """Run one job headless and return its per-run record (the JSON line of ``sweep --json``)."""
    from tui.sim.simulation import run_headless

    try:
        scenario = _scenario(job.scenario, job.overrides)
    except BadInput as err:
        # A drawn value can break a cross-field rule (e.g. a slow Enactor's end before its start).
        raise BadInput(f"run {job.run} (seed {job.seed}, {' '.join(job.drawn)}): {err}") from None
    summary = run_headless(scenario, job.policy, job.seed, job.until)
    return {
        "run": job.run,
        "variant": job.variant,
        "seed": job.seed,
        "set": list(job.drawn),
        "steps": summary["steps"],
        "trace_sha256": summary["trace_sha256"],
        "milestones": summary["milestones"],
        "violations": summary["violations"],
    }


def default_workers() -> int:
    """All cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _quiet_worker() -> None:
    """Worker initializer: leave ctrl-c to the parent, which stops the sweep cleanly."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _context() -> multiprocessing.context.BaseContext:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def run_inline(jobs: Sequence[Job], on_result: OnResult) -> bool:
    """One worker: run the jobs here, one after another (no process to start)."""
    try:
        for job in jobs:
            on_result(run_job(job))
    except KeyboardInterrupt:
        return False
    return True


def run_local(jobs: Sequence[Job], workers: int, on_result: OnResult) -> bool:
    """Spread the jobs over ``workers`` processes; True when every job finished."""
    if workers <= 1 or len(jobs) <= 1:
        return run_inline(jobs, on_result)
    executor = ProcessPoolExecutor(
        max_workers=min(workers, len(jobs)), mp_context=_context(), initializer=_quiet_worker
    )
    pending: set[Future[dict[str, Any]]] = set()
    try:
        pending = {executor.submit(run_job, job) for job in jobs}
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in sorted(done, key=id):
                on_result(future.result())
    except KeyboardInterrupt:
        _abandon(executor)
        return False
    except BaseException:
        _abandon(executor)
        raise
    executor.shutdown(wait=True)
    return True


def _abandon(executor: ProcessPoolExecutor) -> None:
    """Cancel what has not started and end the workers now rather than after their current run."""
    processes = list(getattr(executor, "_processes", {}).values())
    executor.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()


def _ray() -> Any:
    try:
        import ray
    except ImportError:
        raise BadInput(f"--cluster needs Ray: {CLUSTER_HINT}") from None
    return ray


def run_cluster(jobs: Sequence[Job], address: str, on_result: OnResult) -> bool:
    """Run the jobs as Ray tasks; ``address`` ``local`` starts a Ray on this machine.

    Every node must have outage-tui installed (the same version): a task
    imports ``tui`` and loads the scenario by name or path like a local worker.
    """
    import logging

    ray = _ray()
    try:
        ray.init(
            address=address,
            ignore_reinit_error=True,
            log_to_driver=False,
            logging_level=logging.ERROR,
            include_dashboard=False,
        )
    except (ConnectionError, ValueError, RuntimeError) as err:
        raise BadInput(f"--cluster {address}: cannot connect to Ray: {err}") from None
    remote = ray.remote(run_job)
    refs: list[Any] = []
    try:
        refs = [remote.remote(job) for job in jobs]
        pending = list(refs)
        while pending:
            done, pending = ray.wait(pending, num_returns=1, timeout=1.0)
            for ref in done:
                on_result(ray.get(ref))
    except KeyboardInterrupt:
        for ref in refs:
            ray.cancel(ref, force=True)
        return False
    except ray.exceptions.RayTaskError as err:
        cause = err.as_instanceof_cause()
        if isinstance(cause, BadInput):
            raise BadInput(str(cause)) from None
        raise
    finally:
        if address == "local":
            ray.shutdown()  # the Ray this sweep started ends with it
    return True


def execute(jobs: Sequence[Job], workers: int | None, cluster: str | None, on_result: OnResult) -> bool:
    """Run every job on the chosen engine; True when all finished, False after ctrl-c."""
    if cluster is not None:
        return run_cluster(jobs, cluster, on_result)
    return run_local(jobs, workers or default_workers(), on_result)
