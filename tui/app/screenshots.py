"""Write the README screenshots: ``python -m tui.app.screenshots [DIR]`` (default ``screenshots/``).

Every picture is of a paused session reached by commands, never by waiting,
so the files only change when the model or the UI does.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

from textual.pilot import Pilot

from tui.app import create_app
from tui.app.app import ReplayApp
from tui.app.widgets.timeline import TimelineView
from tui.clock import parse_sim
from tui.session import commands as cmd

SIZE = (120, 36)

Scene = Callable[[ReplayApp, Pilot[None]], Awaitable[None]]


async def _settle(app: ReplayApp, pilot: Pilot[None]) -> None:
    await app.settle()
    await pilot.pause()
    await pilot.pause()


async def _run(app: ReplayApp, pilot: Pilot[None], *commands: cmd.Command) -> None:
    for command in commands:
        app.send(command)
    await _settle(app, pilot)


async def race(app: ReplayApp, pilot: Pilot[None]) -> None:
    """The seconds of the race: the stale plan applied, then deleted by clean-up."""
    await _run(app, pilot, cmd.GoTo(parse_sim("23:47:54")))
    app.query_one(TimelineView).zoom = 5


async def empty_answer(app: ReplayApp, pilot: Pilot[None]) -> None:
    """NOERROR with no records, resolvers caching the empty answer."""
    await _run(app, pilot, cmd.GoTo(parse_sim("23:49:30")))
    app.query_one(TimelineView).zoom = 3


async def cascade(app: ReplayApp, pilot: Pilot[None]) -> None:
    """06:00 PDT: DNS long restored, EC2 and the services behind it still failing."""
    await _run(app, pilot, cmd.GoTo(parse_sim("06:00:30")))
    app.query_one(TimelineView).zoom = 0


async def fork_compare(app: ReplayApp, pilot: Pilot[None]) -> None:
    """Two hand-picked interleavings: the policy's, and the delayed Enactor moving first."""
    await _run(app, pilot, cmd.GoTo(parse_sim("23:47:49")), cmd.Step(0))
    snap = app.snapshot
    assert snap is not None
    stale = next(c.key - 1 for c in snap.choices if c.component == "enactor/use1-az1" and c.kind == "enactor.retry")
    await _run(app, pilot, cmd.Fork("stale-first"), cmd.Step(stale), cmd.GoTo(parse_sim("23:55")))
    await _run(app, pilot, cmd.Switch("main"), cmd.GoTo(parse_sim("23:55")), cmd.Compare("main", "stale-first"))


SCENES: dict[str, tuple[str, Scene]] = {
    "overview-race": ("canonical", race),
    "dns-empty-answer": ("canonical", empty_answer),
    "cascade-0600": ("canonical", cascade),
    "fork-compare": ("manual", fork_compare),
}


async def shoot(name: str) -> str:
    """Play one scene in a headless app and return the SVG."""
    policy, scene = SCENES[name]
    app = create_app(policy=policy, paused=True)
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app, pilot)
        await scene(app, pilot)
        await _settle(app, pilot)
        return app.export_screenshot(title=f"outage-tui replay · {name}")


def write_all(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name in SCENES:
        path = out / f"{name}.svg"
        path.write_text(asyncio.run(shoot(name)), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for written in write_all(Path(sys.argv[1] if len(sys.argv) > 1 else "screenshots")):
        print(written)
