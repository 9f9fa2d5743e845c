"""History is append-only: going back moves a cursor, forward follows the recorded moves, a different move forks."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_app import go_to, stale_key
from tests.ui_helpers import choices_text, dns_text, send, settle
from tui.app import create_app
from tui.session import commands as c

SIZE = (120, 40)


def picks(app) -> list[tuple[int, str, str, float]]:  # type: ignore[no-untyped-def]
    return [(p.index, p.component, p.action, p.time) for p in app.session.timeline.picks]


def trace(app) -> str:  # type: ignore[no-untyped-def]
    return app.session.timeline.sim.controller.trace.sha256()


async def at_the_race(pilot) -> str:  # type: ignore[no-untyped-def]
    """Manual policy, just before the race with the delayed Enactor listed: its key."""
    await settle(pilot)
    await go_to(pilot, "23:47:49")
    await pilot.press("1")
    await settle(pilot)
    return stale_key(choices_text(pilot.app))


async def stale_first(pilot) -> None:  # type: ignore[no-untyped-def]
    """At the race, a fork named stale-first whose first move is the delayed Enactor's."""
    key = await at_the_race(pilot)
    await send(pilot, c.Fork("stale-first"))
    await pilot.press(key)


@pytest.mark.asyncio
async def test_back_then_forward_follows_the_recorded_moves_hand_picks_included() -> None:
    app = create_app(paused=True, policy="manual")
    async with app.run_test(size=SIZE) as pilot:
        key = await at_the_race(pilot)
        await pilot.press(key, "n", "n", "n")  # a hand pick the policy would not make, then three more
        await settle(pilot)
        moves, where, hashed = picks(app), app.snapshot.step, trace(app)
        await pilot.press("backspace", "backspace", "backspace", "backspace")
        await settle(pilot)
        assert app.snapshot.step == where - 4 and app.snapshot.history == where
        assert picks(app) == moves  # nothing was dropped
        assert "stays recorded" in app.snapshot.status
        await pilot.press("n", "n", "n", "n")
        await settle(pilot)
        assert app.snapshot.step == where and trace(app) == hashed and picks(app) == moves
        assert [f.name for f in app.snapshot.forks] == ["main"]
        # Going back by time and forward again by time re-takes the same moves too.
        await go_to(pilot, "23:47:00")
        await go_to(pilot, "23:49:00")
        assert picks(app)[:where] == moves and app.session.timeline.picks[where - 4].by_policy is False


@pytest.mark.asyncio
async def test_a_different_move_at_the_cursor_starts_a_fork_and_u_undoes(tmp_path: Path) -> None:
    path = tmp_path / "history.jsonl"
    app = create_app(paused=True, policy="manual", record=str(path))
    async with app.run_test(size=SIZE) as pilot:
        key = await at_the_race(pilot)
        at = app.snapshot.step
        await pilot.press("1", "n", "n")  # the policy's order: the fresh plan first
        await settle(pilot)
        main_moves = picks(app)
        await pilot.press("backspace", "backspace", "backspace")
        await settle(pilot)
        assert app.snapshot.step == at
        await pilot.press(key)  # not what main recorded here
        await settle(pilot)
        snap = app.snapshot
        assert snap.fork == "main~1" and snap.step == at + 1
        assert "starts fork main~1" in snap.status and "main keeps its moves" in snap.status
        main = app.session.timelines["main"]
        assert [(p.index, p.component, p.action, p.time) for p in main.picks] == main_moves
        assert main.sim.steps == at  # main's cursor stayed where the fork left it
        assert ("main~1", "main", at) in [(f.name, f.parent, f.forked_at) for f in snap.forks]
        # u: back to where that move started, on main; the fork stays in the tree.
        await pilot.press("u")
        await settle(pilot)
        assert app.snapshot.fork == "main" and app.snapshot.step == at
        assert "undone" in app.snapshot.status and {f.name for f in app.snapshot.forks} == {"main", "main~1"}
        # The automatic fork can be given a name that says why: the fork tree's r.
        await pilot.press("t", "down", "r", "ctrl+u", *"main", "enter")
        await pilot.pause()
        assert "main is taken" in str(app.screen.query_one("#rename-problem").content)  # the dialog stays open
        await pilot.press("ctrl+u", *"stale-first", "enter")
        await settle(pilot)
        assert {f.name for f in app.snapshot.forks} == {"main", "stale-first"}
        assert ("stale-first", "main", at) in [(f.name, f.parent, f.forked_at) for f in app.snapshot.forks]
        hashes = {n: t.sim.controller.trace.sha256() for n, t in app.session.timelines.items()}
        lengths = {n: len(t.picks) for n, t in app.session.timelines.items()}
    # The file says it all: the automatic fork, its new name, and where each cursor stood.
    again = create_app(session=str(path))
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert {n: t.sim.controller.trace.sha256() for n, t in again.session.timelines.items()} == hashes
        assert {n: len(t.picks) for n, t in again.session.timelines.items()} == lengths
        assert again.snapshot.fork == "main" and again.snapshot.step == at


@pytest.mark.asyncio
async def test_a_recorded_stale_first_fork_keeps_answer_4_after_going_back_and_forth(tmp_path: Path) -> None:
    path = tmp_path / "talk.jsonl"
    app = create_app(paused=True, policy="manual", record=str(path))
    async with app.run_test(size=SIZE) as pilot:
        await stale_first(pilot)
        await go_to(pilot, "23:48:30")
        assert "ANSWER: 4" in dns_text(app)
        await send(pilot, c.Switch("main"))
        await go_to(pilot, "23:48:30")
        assert "ANSWER: 0" in dns_text(app)
        await send(pilot, c.Switch("stale-first"))
    again = create_app(session=str(path))
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert again.snapshot.fork == "stale-first" and "ANSWER: 4" in dns_text(again)
        await go_to(pilot, "23:47:50")
        await go_to(pilot, "23:48:30")
        assert "ANSWER: 4" in dns_text(again) and "ANSWER: 0" not in dns_text(again)
        await pilot.press("backspace", "backspace")
        await pilot.press("n", "n")
        await settle(pilot)
        assert "ANSWER: 4" in dns_text(again) and again.snapshot.fork == "stale-first"
        await go_to(pilot, "23:48:10")
        await pilot.press("v")
        await settle(pilot)
        comparison = again.last_comparison
        assert comparison is not None and comparison.diverged_at is not None
        assert comparison.left.now == comparison.right.now and comparison.when.startswith("both at 23:48:")
        assert comparison.left.dns.empty and not comparison.right.dns.empty
        # Further on, main's recording stops short of stale-first's cursor, and compare says so.
        await pilot.press("escape")
        await go_to(pilot, "23:48:30")
        await pilot.press("n", "n", "n")
        await pilot.press("v")
        await settle(pilot)
        assert again.last_comparison is not None and "main has not reached" in again.last_comparison.when


@pytest.mark.asyncio
async def test_space_plays_a_manual_recording_back_through_its_recorded_moves(tmp_path: Path) -> None:
    path = tmp_path / "manual.jsonl"
    app = create_app(paused=True, policy="manual", record=str(path))
    async with app.run_test(size=SIZE) as pilot:
        key = await at_the_race(pilot)
        await pilot.press(key, "n", "n")
        await settle(pilot)
        end, hashed = app.snapshot.step, trace(app)
        await go_to(pilot, "23:47:00")  # back: the cursor moves, the moves stay
        assert app.snapshot.step < end and app.snapshot.history == end
        await pilot.press("space")  # plays the recorded moves, hand picks included, then waits for a pick
        for _ in range(400):
            await pilot.pause(0.05)
            if app.snapshot.step == end and app.snapshot.waiting_for_pick:
                break
        await settle(pilot)
        assert app.snapshot.step == end and trace(app) == hashed and app.snapshot.waiting_for_pick


@pytest.mark.asyncio
async def test_automatic_forks_of_automatic_forks_keep_short_names() -> None:
    app = create_app(paused=True, policy="manual")
    async with app.run_test(size=SIZE) as pilot:
        key = await at_the_race(pilot)
        await pilot.press(key, "backspace", "1")  # main recorded the delayed Enactor: 1 differs
        await settle(pilot)
        assert app.snapshot.fork == "main~1"
        await pilot.press("backspace", key)  # main~1 recorded 1 here: the delayed Enactor differs again
        await settle(pilot)
        assert app.snapshot.fork == "main~2"
        assert ("main~2", "main~1") in [(f.name, f.parent) for f in app.snapshot.forks]


@pytest.mark.asyncio
async def test_a_comparison_moves_the_other_timelines_cursor_and_the_file_says_so(tmp_path: Path) -> None:
    path = tmp_path / "compare.jsonl"
    app = create_app(paused=True, policy="manual", record=str(path))
    async with app.run_test(size=SIZE) as pilot:
        await stale_first(pilot)
        await send(pilot, c.Switch("main"))
        await go_to(pilot, "23:48:30")
        await go_to(pilot, "23:47:00")  # main's moves to 23:48:30 stay recorded ahead of its cursor
        await send(pilot, c.Switch("stale-first"))
        await go_to(pilot, "23:48:10")
        main = app.session.timelines["main"]
        behind = main.sim.steps
        await pilot.press("v")  # puts main at stale-first's time
        await settle(pilot)
        assert app.last_comparison is not None and app.last_comparison.when.startswith("both at 23:48:")
        moved = main.sim.steps
        assert moved > behind
        await pilot.press("escape")
        await settle(pilot)
    again = create_app(session=str(path))
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert again.snapshot.fork == "stale-first"
        assert again.session.timelines["main"].sim.steps == moved
