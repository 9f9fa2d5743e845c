"""SVG snapshots of paused or stepped states at 80x24 (no wall clock is ever on screen)."""

from __future__ import annotations

from typing import Any

from tests.ui_helpers import send, settle
from tui.app import create_app
from tui.clock import parse_sim
from tui.session import commands as c

SIZE = (80, 24)


def test_paused_at_the_start(snap_compare: Any) -> None:
    async def before(pilot: Any) -> None:
        await settle(pilot)

    assert snap_compare(create_app(paused=True), terminal_size=SIZE, run_before=before)


def test_empty_answer_after_the_race(snap_compare: Any) -> None:
    async def before(pilot: Any) -> None:
        await send(pilot, c.GoTo(parse_sim("23:48:30")))

    assert snap_compare(create_app(paused=True), terminal_size=SIZE, run_before=before)


def test_manual_decision_point_zoomed_in(snap_compare: Any) -> None:
    async def before(pilot: Any) -> None:
        await send(pilot, c.GoTo(parse_sim("23:47:49")), c.Step(0))
        await pilot.press("plus", "plus", "plus", "plus", "plus")
        await settle(pilot)

    assert snap_compare(create_app(paused=True, policy="manual"), terminal_size=SIZE, run_before=before)


def test_help_overlay(snap_compare: Any) -> None:
    async def before(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(create_app(paused=True), terminal_size=SIZE, run_before=before)
