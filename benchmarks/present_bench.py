"""Going to the previous marker while presenting a talk (figures to print, not a timed test).

    python benchmarks/present_bench.py [--every 45] [--presses 20] [--keep talk.jsonl]

1. **Records a talk** the way a speaker prepares one, in the replay app
   (headless, 120x40, canonical policy, recording from the first frame): a
   note every ``--every`` virtual minutes from 23:40 Sun to 15:20 Mon PDT, the
   jump to the first milestone (the endpoint goes empty) with a note on it, a
   fork at 02:40 with the throttle restarted later (``--set
   operators.dwfm-throttle-restart.at=05:30``) and notes of its own to 06:00, a
   switch back to ``main``, a plain fork at 13:00 with a note, and a slide on a
   wider view at the end. Its markers span the whole incident window on three
   timelines. ``--keep FILE`` keeps the recording (and presents FILE as it is
   when it exists, without recording again).
2. **Presents it**: ``create_presenter(talk, link=False)`` in ``run_test``
   (opening it is timed, from the call to the first marker painted), End
   (the last marker), then ← once per marker back to the first. Each press
   is timed from the key event handed to the driver until the compositor
   paints a frame while the app's snapshot stands on the new marker: the
   session has settled (no long move under way) on the marker's timeline and
   step. Median, p95 (nearest rank) and max over every marker, against the
   aim p95 <= 0.3 s, and the slowest markers.
3. **Baselines in the same run**: the same recording reopened in the replay
   app (``replay --session``), at 12:00 on ``main``: a plain step (``n``) and
   one move back (backspace: the nearest checkpoint restored and the moves
   after it replayed), ``--presses`` of each, timed the same way.

The first line gives the CPU count, the load average and the commit measured
(with "tui/ changed" when the working tree differs); read the ratios more than
the absolute values.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual import events

from tui.app import create_app, create_presenter
from tui.app.app import ReplayApp
from tui.clock import hhmm, parse_sim
from tui.record import read_session
from tui.record.markers import Marker, markers
from tui.session import commands as cmd
from tui.session.views import Snapshot

SIZE = (120, 40)
#: The incident window a talk walks through (PDT).
WINDOW = ("23:40", "15:20")
AIM_S = 0.3
#: The second timeline: the throttle restarted later than AWS did, so leases stay lapsed longer.
LATE_THROTTLE = "operators.dwfm-throttle-restart.at=05:30"


class Painted:
    """Times a key from the driver to the first painted frame whose snapshot satisfies a condition."""

    def __init__(self, app: ReplayApp) -> None:
        self.app = app
        self.wanted: Callable[[Snapshot], bool] | None = None
        self.shown = asyncio.Event()
        self.at = 0.0
        original = app._display

        def display(screen: Any, renderable: Any) -> None:
            original(screen, renderable)
            snap = app.snapshot
            if renderable is not None and self.wanted is not None and snap is not None and self.wanted(snap):
                self.at = time.perf_counter()
                self.wanted = None
                self.shown.set()

        app._display = display  # type: ignore[method-assign]

    def expect(self, wanted: Callable[[Snapshot], bool]) -> None:
        """Watch for a painted frame that shows ``wanted`` from now on."""
        self.shown.clear()
        self.wanted = wanted

    async def painted(self) -> float:
        """When (``perf_counter``) the frame :meth:`expect` watches for was painted (a minute at most)."""
        async with asyncio.timeout(60.0):
            await self.shown.wait()
        return self.at

    async def press(self, key: str, wanted: Callable[[Snapshot], bool]) -> float:
        """Seconds from handing ``key`` to the driver until a painted frame shows ``wanted``."""
        driver = self.app._driver
        assert driver is not None
        event = events.Key(key, None)
        event.set_sender(self.app)
        self.expect(wanted)
        t0 = time.perf_counter()
        driver.send_message(event)
        return await self.painted() - t0


async def settle(app: ReplayApp, pilot: Any) -> None:
    """Every command handled and its frame drawn."""
    await app.settle()
    await pilot.pause()
    await pilot.pause()


async def record_talk(path: Path, every_min: int) -> None:
    """Prepare the talk in the replay app, recording from the first frame."""
    start, end = (parse_sim(t) for t in WINDOW)
    times = [start + 60.0 * every_min * k for k in range(int((end - start) // (60 * every_min)) + 1)]
    fork_at, encore_at = parse_sim("02:40"), parse_sim("13:00")
    app = create_app(paused=True, record=str(path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)

        async def at(when: float, *commands: cmd.Command) -> None:
            app.send(cmd.GoTo(when))
            for command in commands:
                app.send(command)
            await settle(app, pilot)

        def note(when: float, words: str) -> cmd.Note:
            return cmd.Note(f"{hhmm(when)} {words}")

        await at(times[0], note(times[0], "the Planner issues plans; three Enactors apply them"))
        app.send(cmd.JumpMilestone(1))  # m: the endpoint goes empty (a milestone marker), and a note on it
        app.send(cmd.Note("The stale plan overwrote the fresh one; clean-up deleted it"))
        for when in times[1:]:
            if when > fork_at and "late-throttle" not in app.session.timelines:
                await at(fork_at, cmd.Fork("late-throttle", (LATE_THROTTLE,)))
                for later in map(parse_sim, ("03:30", "04:20", "05:10", "06:00")):
                    await at(later, note(later, "(throttle restarted at 05:30): leases still lapsed"))
                app.send(cmd.Switch("main"))
            if when > encore_at and "encore" not in app.session.timelines:
                await at(encore_at, cmd.Fork("encore"), note(encore_at, "an encore from here"))
                app.send(cmd.Switch("main"))
            await at(when, note(when, "where the incident stands"))
        await at(end, note(end, "the end of the window"))
        await pilot.press("minus")  # a wider view for the last slide
        app.send(cmd.Slide("what changed, and what to fix"))
        await settle(app, pilot)


def on_marker(talk: tuple[Marker, ...], number: int) -> Callable[[Snapshot], bool]:
    """The screen stands on marker ``number``: settled, on its timeline and step."""
    marker = talk[number]
    return lambda s: s.busy is None and s.marker == number and s.fork == marker.timeline and s.step == marker.step


async def present(path: Path) -> tuple[float, float, list[tuple[int, float]]]:
    """Opening (to the first marker painted), End from there, and each ← press by the marker it went to."""
    t0 = time.perf_counter()
    app = create_presenter(str(path), link=False)
    painted = Painted(app)
    painted.expect(lambda s: s.busy is None and s.marker == 0)
    presses: list[tuple[int, float]] = []
    async with app.run_test(size=SIZE) as pilot:
        opened = await painted.painted() - t0
        await settle(app, pilot)
        assert app.snapshot is not None
        talk = app.snapshot.markers
        last = len(talk) - 1
        to_end = await painted.press("end", on_marker(talk, last))
        await settle(app, pilot)
        for number in range(last - 1, -1, -1):
            presses.append((number, await painted.press("left", on_marker(talk, number))))
            await settle(app, pilot)
    return opened, to_end, presses


async def baselines(path: Path, presses: int) -> dict[str, list[float]]:
    """A plain step and one move back, key to painted frame, in the replay app on the same recording."""
    app = create_app(session=str(path))
    painted = Painted(app)
    out: dict[str, list[float]] = {"n": [], "backspace": []}
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.send(cmd.Switch("main"))
        app.send(cmd.GoTo(parse_sim("12:00")))
        await settle(app, pilot)
        for key, by in (("n", 1), ("backspace", -1)):
            for _ in range(presses):
                assert app.snapshot is not None
                wanted = app.snapshot.step + by
                out[key].append(await painted.press(key, lambda s, wanted=wanted: s.busy is None and s.step == wanted))
                await settle(app, pilot)
    return out


def p95(seconds: list[float]) -> float:
    """Nearest rank."""
    ordered = sorted(seconds)
    return ordered[max(-(-len(ordered) * 95 // 100) - 1, 0)]


def figures(seconds: list[float]) -> str:
    return (
        f"median {statistics.median(seconds):.3f} s, p95 {p95(seconds):.3f} s, "
        f"max {max(seconds):.3f} s over {len(seconds)}"
    )


def machine() -> str:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    here = Path(__file__).resolve().parent.parent
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=here, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "tui"], cwd=here, capture_output=True, text=True)
    except (OSError, subprocess.CalledProcessError):
        return f"{os.cpu_count()} CPUs, load average {load}"
    changed = " (tui/ changed)" if dirty.stdout.strip() else ""
    return f"{os.cpu_count()} CPUs, load average {load}, commit {commit}{changed}"


async def main_async(args: argparse.Namespace) -> None:
    print(machine())
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(args.keep) if args.keep else Path(tmp) / "talk.jsonl"
        if not path.exists():
            t0 = time.perf_counter()
            await record_talk(path, args.every)
            print(f"recorded in the replay app in {time.perf_counter() - t0:.1f} s")
        talk = markers(read_session(path))
        kinds = {kind: sum(m.kind == kind for m in talk) for kind in dict.fromkeys(m.kind for m in talk)}
        print(
            f"talk: {len(talk)} markers ({', '.join(f'{n} {kind}' for kind, n in kinds.items())}) "
            f"on {len({m.timeline for m in talk})} timelines, steps {min(m.step for m in talk)} "
            f"to {max(m.step for m in talk)}"
        )
        opened, to_end, presses = await present(path)
        seconds = [s for _, s in presses]
        print(f"presenter: opened to the first marker in {opened:.2f} s; End (to the last) {to_end:.3f} s")
        verdict = "met" if p95(seconds) <= AIM_S else "missed"
        print(f"previous marker (←), key to painted frame: {figures(seconds)}; aim p95 <= {AIM_S} s: {verdict}")
        slowest = sorted(presses, key=lambda p: -p[1])[:5]
        said = (f"#{n + 1} {talk[n].kind} on {talk[n].timeline} step {talk[n].step} {s:.3f} s" for n, s in slowest)
        print("slowest: " + "; ".join(said))
        base = await baselines(path, args.presses)
        for key, what in (("n", "a plain step (n)"), ("backspace", "one move back (backspace)")):
            ratio = statistics.median(seconds) / statistics.median(base[key])
            print(f"baseline, replay app on the talk, {what}: {figures(base[key])}; ← median {ratio:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--every", type=int, default=45, help="virtual minutes between two notes (default 45)")
    parser.add_argument("--presses", type=int, default=20, help="presses of each baseline key (default 20)")
    parser.add_argument("--keep", help="record the talk to this file, or present it as it is if it exists")
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
