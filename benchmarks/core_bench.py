"""Core throughput, measured against bare Trio in the same run.

Prints three figures and their ratios:

* bare Trio: two tasks handing a token back and forth through ``trio.Event``
  (one handoff = one task wakes the other), the floor for any controller that
  runs components as Trio tasks;
* controller, stepped: two components stepping through the controller's gates
  one ``await step()`` at a time (one handoff there and one back, plus
  ordering and bookkeeping);
* controller, driven: the same steps with ``drive()``, where each turn's end
  opens the next gate (the baton passes directly: one handoff a step);
* the full canonical 15h32m scenario headless: wall time, steps and events per
  second, peak memory (measured in a child process so earlier work does not count).

Run: ``python benchmarks/core_bench.py [--handoffs N]``.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

import trio

from tui.sim.actions import act
from tui.sim.controller import Controller, Ctx, Park


def bare_trio(handoffs: int) -> float:
    """Seconds for ``handoffs`` token passes between two tasks via trio.Event."""

    async def main() -> float:
        events = [trio.Event(), trio.Event()]
        remaining = [handoffs]

        async def player(me: int) -> None:
            while True:
                await events[me].wait()
                events[me] = trio.Event()
                if remaining[0] <= 0:
                    events[1 - me].set()
                    return
                remaining[0] -= 1
                events[1 - me].set()

        start = time.perf_counter()
        async with trio.open_nursery() as nursery:
            nursery.start_soon(player, 0)
            nursery.start_soon(player, 1)
            events[0].set()
        return time.perf_counter() - start

    return trio.run(main)


def _tick(ctx: Ctx, world: object, state: None) -> Park:
    return ctx.after(1.0, act("tick"))


def controller_steps(steps: int, driven: bool = False) -> float:
    """Seconds for ``steps`` controller steps shared by two components."""

    async def main() -> float:
        async with trio.open_nursery() as nursery:
            ctl = Controller(nursery, seed=1)
            ctl.spawn("a", _tick, None, rank=0)
            ctl.spawn("b", _tick, None, rank=1)
            left = [steps]

            def driver() -> int | None:
                left[0] -= 1
                return 0 if left[0] >= 0 else None

            start = time.perf_counter()
            if driven:
                await ctl.drive(driver)
            else:
                for _ in range(steps):
                    await ctl.step(0)
            elapsed = time.perf_counter() - start
            nursery.cancel_scope.cancel()
        return elapsed

    return trio.run(main)


def controller_driven(steps: int) -> float:
    return controller_steps(steps, driven=True)


CHILD = """
import json, resource, time
from tui.scenario import load_scenario
from tui.sim.simulation import run_headless
start = time.perf_counter()
summary = run_headless(load_scenario("us-east-1-2025-10-20"))
wall = time.perf_counter() - start
print(json.dumps({"wall": wall, "steps": summary["steps"], "events": summary["events"],
                  "maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def full_run() -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def best_of(fn, arg: int, repeat: int = 3) -> float:
    return min(fn(arg) for _ in range(repeat))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--handoffs", type=int, default=100_000)
    args = parser.parse_args()
    n = args.handoffs
    bare = best_of(bare_trio, n)
    ctl = best_of(controller_steps, n)
    driven = best_of(controller_driven, n)
    run = full_run()
    bare_rate, ctl_rate, driven_rate = n / bare, n / ctl, n / driven
    print(f"{'measure':<44} {'value':>14}")
    print(f"{'bare Trio handoffs/s (trio.Event ping-pong)':<44} {bare_rate:>14,.0f}")
    print(f"{'controller steps/s, stepped (2 components)':<44} {ctl_rate:>14,.0f}")
    print(f"{'controller steps/s, driven (2 components)':<44} {driven_rate:>14,.0f}")
    print(f"{'stepped step cost / bare handoff':<44} {bare_rate / ctl_rate:>13.2f}x")
    print(f"{'driven step cost / bare handoff':<44} {bare_rate / driven_rate:>13.2f}x")
    print(f"{'canonical 15h32m run, wall s':<44} {run['wall']:>14.2f}")
    print(f"{'canonical run steps/s':<44} {run['steps'] / run['wall']:>14,.0f}")
    print(f"{'canonical run events/s':<44} {run['events'] / run['wall']:>14,.0f}")
    print(f"{'canonical run steps, events':<44} {run['steps']:>7,} {run['events']:>6,}")
    print(f"{'canonical run peak RSS MiB':<44} {run['maxrss_kib'] / 1024:>14.1f}")
    print(f"{'this process peak RSS MiB':<44} {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:>14.1f}")


if __name__ == "__main__":
    main()
