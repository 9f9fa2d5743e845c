"""Helpers shared by the UI tests: settle the session, read panels as plain text."""

from __future__ import annotations

import io
from typing import Any

from rich.console import Console
from textual.pilot import Pilot

from tui.app.app import ReplayApp
from tui.session import commands as c


async def settle(pilot: Pilot[Any]) -> None:
    """Wait until the session handled every command, then until Textual drew the result."""
    app = pilot.app
    assert isinstance(app, ReplayApp)
    await app.settle()
    await pilot.pause()
    await pilot.pause()


async def send(pilot: Pilot[Any], *commands: c.Command) -> None:
    app = pilot.app
    assert isinstance(app, ReplayApp)
    for command in commands:
        app.send(command)
    await settle(pilot)


def plain(renderable: Any, width: int = 140) -> str:
    console = Console(width=width, file=io.StringIO(), record=True, color_system=None)
    console.print(renderable)
    return console.export_text()


def dns_text(app: ReplayApp) -> str:
    return plain(app.dns.body)


def choices_text(app: ReplayApp) -> str:
    return plain(app.choices.body)


def header_text(app: ReplayApp) -> str:
    return plain(app.header.body)


def screen_text(app: ReplayApp) -> str:
    """Every character on the screen as the terminal would show it, overlays included, one line per row."""
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    return "\n".join("".join(strip.text for strip in line) for line in update.strips)  # type: ignore[union-attr]
