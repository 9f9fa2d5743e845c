"""SVG snapshots of paused or stepped states at 80x24 (no wall clock is ever on screen)."""

from __future__ import annotations

from typing import Any

import pytest

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


SIZES = [(80, 24), (120, 40), (200, 50)]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_race_zoomed_in_with_the_axis(snap_compare: Any, size: tuple[int, int]) -> None:
    async def before(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("m")  # the first milestone: the view zooms to the race
        await settle(pilot)

    assert snap_compare(create_app(paused=True), terminal_size=size, run_before=before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_cascade_at_0600_with_scrolled_lanes(snap_compare: Any, size: tuple[int, int]) -> None:
    async def before(pilot: Any) -> None:
        await send(pilot, c.GoTo(parse_sim("06:00")))
        await pilot.press("down", "down", "down", "down")
        await settle(pilot)

    assert snap_compare(create_app(paused=True), terminal_size=size, run_before=before)


@pytest.fixture(scope="module")
def counterexample(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The explorer's shortest EndpointNeverEmpty counterexample on the smallest scope with a race (2 s)."""
    from typer.testing import CliRunner

    from tui.cli import app as cli

    out = tmp_path_factory.mktemp("cx")
    scope = [
        "dns.enactors=2",
        "dns.max_plans=3",
        "dns.cleanup_threshold=1",
        'dns.endpoints=["dynamodb.us-east-1.amazonaws.com"]',
    ]
    result = CliRunner().invoke(cli, ["explore", *[w for s in scope for w in ("--set", s)], "--save", str(out)])
    assert result.exit_code == 0, result.output
    return str(sorted(out.glob("*EndpointNeverEmpty*.jsonl"))[0])


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_a_counterexample_at_its_violation(
    snap_compare: Any, size: tuple[int, int], counterexample: str, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    monkeypatch.chdir(tmp_path)
    shutil.copy(counterexample, "counterexample.jsonl")  # a path that reads the same on every machine

    async def before(pilot: Any) -> None:
        await settle(pilot)
        for _ in range(pilot.app.snapshot.history):
            await pilot.press("n")
        await settle(pilot)
        assert "end of counterexample" in pilot.app.snapshot.status

    assert snap_compare(create_app(session="counterexample.jsonl"), terminal_size=size, run_before=before)
