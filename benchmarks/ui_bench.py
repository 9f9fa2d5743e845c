"""Benchmark of the replay UI and its session (figures to print, not a timed test).

    python benchmarks/ui_bench.py            # all measurements
    python benchmarks/ui_bench.py --quick    # fewer steps and forks

Measures: time to first frame; key press to repainted screen when stepping;
forking at the end of the window versus playing the same steps; CPU use while
paused; memory after a full run plus ten forks.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import resource
import statistics
import time
from collections.abc import Callable
from typing import Any

import trio
from textual import events

from tui.app import create_app
from tui.app.app import ReplayApp
from tui.scenario import load_scenario
from tui.session import Session, SessionConfig
from tui.session import commands as cmd
from tui.session.pacing import Pacer

SIZE = (120, 36)


class FrameWatch:
    """Counts screen updates the compositor hands to the driver (what a terminal would repaint)."""

    def __init__(self, app: ReplayApp) -> None:
        self.frames = 0
        self.painted = asyncio.Event()
        original = app._display

        def display(screen: Any, renderable: Any) -> None:
            original(screen, renderable)
            if renderable is not None:
                self.frames += 1
                self.painted.set()

        app._display = display  # type: ignore[method-assign]

    async def until(self, done: Callable[[], bool]) -> None:
        while not done():
            self.painted.clear()
            await self.painted.wait()


async def ui_figures(steps: int) -> dict[str, str]:
    started = time.perf_counter()
    app = create_app(paused=True)
    watch = FrameWatch(app)
    out: dict[str, str] = {}
    async with app.run_test(size=SIZE) as pilot:
        await watch.until(lambda: app.snapshot is not None)
        first = (time.perf_counter() - started) * 1000
        out["time to first frame"] = f"{first:.0f} ms (app start to first painted snapshot, headless)"
        await app.settle()
        await pilot.pause()
        app.send(cmd.GoTo(-60.0))  # just before the race: a busy part of the screen
        await app.settle()
        await pilot.pause()
        driver = app._driver
        assert driver is not None
        latencies = []
        for _ in range(steps):
            before = app.snapshot.step if app.snapshot else 0
            t0 = time.perf_counter()
            key = events.Key("n", "n")
            key.set_sender(app)
            driver.send_message(key)
            await watch.until(lambda before=before: app.snapshot is not None and app.snapshot.step > before)
            latencies.append((time.perf_counter() - t0) * 1000)
        latencies.sort()
        p95 = latencies[max(int(len(latencies) * 0.95) - 1, 0)]
        out["key -> repaint (step)"] = (
            f"median {statistics.median(latencies):.1f} ms, p95 {p95:.1f} ms, max {latencies[-1]:.1f} ms over {steps}"
        )
        await pilot.pause()
        gc.collect()
        cpu0, wall0 = time.process_time(), time.perf_counter()
        await asyncio.sleep(3.0)
        cpu = time.process_time() - cpu0
        out["CPU while paused"] = f"{cpu / (time.perf_counter() - wall0) * 100:.2f}% of one core over 3 s"
    return out


def session_figures(forks: int) -> dict[str, str]:
    out: dict[str, str] = {}
    snaps: list[Any] = []

    rss_start = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    async def main() -> None:
        session = Session(SessionConfig(load_scenario(), paused=True), snaps.append)
        async with trio.open_nursery() as nursery:
            nursery.start_soon(session.run)
            await session.started.wait()

            async def sync() -> None:
                done = trio.Event()
                session.send(cmd.Sync(done.set))
                await done.wait()

            t0 = time.perf_counter()
            session.send(cmd.GoTo(session.timeline.sim.end + 1))
            await sync()
            run_s = time.perf_counter() - t0
            main_tl = session.timeline
            steps = main_tl.sim.steps
            pacer = Pacer()
            paced = 0.0
            previous = main_tl.sim.scenario.time("scenario.start")
            by_step: dict[int, list[Any]] = {}
            for event in main_tl.events:
                by_step.setdefault(event.step, []).append(event)
            for i, pick in enumerate(main_tl.picks):
                paced += pacer.cost(pick.time - previous, by_step.get(i + 1, ()), 1.0)
                previous = pick.time
            out["full run in the session"] = f"{steps} steps, {len(main_tl.events)} events in {run_s:.2f} s"
            times = []
            for n in range(forks):
                t0 = time.perf_counter()
                session.send(cmd.Fork(f"bench-{n}"))
                await sync()
                times.append(time.perf_counter() - t0)
                session.send(cmd.Switch("main"))
            out["fork at the end of the window"] = (
                f"{statistics.median(times):.2f} s median over {forks} "
                f"(a copy of the parent at step {steps}, nothing replayed)"
            )
            out["playing the same steps on screen"] = (
                f"{paced:.0f} s at speed 1 (paced display), {paced / 64:.0f} s at 64x"
            )
            gc.collect()
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            out[f"memory after full run + {forks} forks"] = (
                f"max RSS {rss:.0f} MiB for {forks + 1} live timelines (was {rss_start:.0f} MiB after the UI part)"
            )
            nursery.cancel_scope.cancel()

    trio.run(main)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer steps and forks")
    args = parser.parse_args()
    figures = asyncio.run(ui_figures(20 if args.quick else 100))
    figures.update(session_figures(3 if args.quick else 10))
    width = max(map(len, figures))
    for name, value in figures.items():
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    main()
