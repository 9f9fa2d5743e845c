"""Pilot tests of the replay app: every key binding and the flows people use."""

from __future__ import annotations

import re

import pytest
from textual.command import CommandList, CommandPalette
from textual.widgets import Input, Label

from tests.ui_helpers import choices_text, dns_text, header_text, send, settle
from tui.app import create_app
from tui.app.keymap import BINDINGS
from tui.app.screens.compare import CompareScreen
from tui.app.screens.dialogs import ForkDialog, GoToDialog
from tui.app.screens.forks import ForkTreeScreen
from tui.app.screens.help import HelpScreen
from tui.app.screens.palette import CommandPalette as SafePalette
from tui.app.widgets.eventlog import EventLog
from tui.app.widgets.timeline import ZOOMS, TimelineView
from tui.clock import parse_sim
from tui.session import commands as c

SIZE = (100, 32)


async def go_to(pilot, when: str) -> None:  # type: ignore[no-untyped-def]
    """Use the go-to dialog like a person: g, type the time, enter."""
    await pilot.press("g")
    await pilot.pause()
    assert isinstance(pilot.app.screen, GoToDialog)
    await pilot.press(*when, "enter")
    await settle(pilot)


def stale_key(text: str) -> str:
    """The key listed for the delayed Enactor's retry of its stale plan."""
    match = re.search(r"^(\d)\s+(?:▶\s+)?Enactor use1-az1:\s+retry plan", text, re.M)
    assert match, text
    return match[1]


@pytest.mark.asyncio
async def test_space_plays_and_pauses() -> None:
    app = create_app(paused=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.snapshot is not None and not app.snapshot.playing and "paused" in header_text(app)
        await pilot.press("space")
        await app.settle()  # no idle wait: a playing session keeps posting frames
        await pilot.pause(0.2)
        assert app.snapshot.playing and "playing" in header_text(app)
        await pilot.press("space")
        await settle(pilot)
        assert not app.snapshot.playing and app.snapshot.step > 0


@pytest.mark.asyncio
async def test_step_event_and_milestone_keys() -> None:
    app = create_app(paused=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert app.snapshot is not None and app.snapshot.step == 1
        await pilot.press("e")
        await settle(pilot)
        assert app.snapshot.step > 1 and "next event" in app.snapshot.status
        await pilot.press("m")
        await settle(pilot)
        first = app.snapshot
        assert first.milestones[0][1] is not None
        assert "Sun 19 Oct 23:47:55 PDT" in header_text(app)
        await pilot.press("m")
        await settle(pilot)
        assert app.snapshot.step > first.step
        await pilot.press("b")
        await settle(pilot)
        assert app.snapshot.step < parse_sim("00:00") or app.snapshot.step <= first.step + 100
        assert "back to step" in app.snapshot.status


@pytest.mark.asyncio
async def test_digits_pick_each_listed_component() -> None:
    app = create_app(paused=True, policy="manual")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.snapshot is not None and app.snapshot.waiting_for_pick
        for key in "123456789":
            listed = app.snapshot.choices
            if int(key) > len(listed):
                assert app.check_action("pick", (int(key),)) is False
                continue
            expected = listed[int(key) - 1].component
            await pilot.press(key)
            await settle(pilot)
            assert f": {expected} " in app.snapshot.status


@pytest.mark.asyncio
async def test_manual_picks_at_the_race_reproduce_or_avoid_the_empty_answer() -> None:
    app = create_app(paused=True, policy="manual")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await go_to(pilot, "23:47:49")
        await pilot.press("1")
        await settle(pilot)
        decision = choices_text(app)
        key = stale_key(decision)
        assert re.search(r"Enactor use1-az2:\s+apply plan", decision)
        # Every runnable component at this decision point can be picked by its key.
        assert app.snapshot is not None
        for choice in app.snapshot.choices:
            await send(pilot, c.Fork(f"pick-{choice.key}"))
            await pilot.press(str(choice.key))
            await settle(pilot)
            assert f": {choice.component} {choice.action}" in app.snapshot.status
            await send(pilot, c.Switch("main"))
        # The delayed Enactor moves first: its stale plan is live, the endpoint never goes empty.
        await pilot.press("f")
        await pilot.pause()
        assert isinstance(app.screen, ForkDialog)
        await pilot.press("ctrl+u", *"stale-first", "enter")
        await settle(pilot)
        assert app.snapshot.fork == "stale-first"
        await pilot.press(key)
        await settle(pilot)
        await go_to(pilot, "23:48:30")
        avoided = dns_text(app)
        assert "status: NOERROR" in avoided and "ANSWER: 4" in avoided and "ANSWER: 0" not in avoided
        assert "written by Enactor use1-az1" in avoided
        # The policy's picks (key 1) let clean-up delete the plan just applied: NOERROR, no records.
        await send(pilot, c.Switch("main"))
        await go_to(pilot, "23:48:30")
        raced = dns_text(app)
        assert "status: NOERROR" in raced and "ANSWER: 0" in raced
        assert "tree deleted" in raced and "NODATA" in raced


@pytest.mark.asyncio
async def test_fork_tree_switch_and_compare() -> None:
    app = create_app(paused=True, policy="manual")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.check_action("compare", ()) is False
        await send(pilot, c.GoTo(parse_sim("23:47:49")), c.Step(0))
        key = stale_key(choices_text(app))
        await pilot.press("f")
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        assert app.snapshot is not None and app.snapshot.fork == "fork-1"
        assert app.check_action("compare", ()) is True
        await pilot.press(key)
        await send(pilot, c.GoTo(parse_sim("23:48:30")))
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, ForkTreeScreen)
        await pilot.press("up", "enter")
        await settle(pilot)
        assert app.snapshot.fork == "main"
        await send(pilot, c.GoTo(parse_sim("23:48:30")))
        await pilot.press("v")
        await settle(pilot)
        assert isinstance(app.screen, CompareScreen)
        comparison = app.last_comparison
        assert comparison is not None
        assert comparison.left.name == "main" and comparison.right.name == "fork-1"
        assert comparison.left.dns.empty and not comparison.right.dns.empty
        assert comparison.diverged_at is not None
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("t")
        await pilot.pause()
        await pilot.press("down", "c")
        await settle(pilot)
        assert isinstance(app.screen, CompareScreen)
        await pilot.press("escape")
        await pilot.press("t", "escape")
        await pilot.pause()
        assert not isinstance(app.screen, ForkTreeScreen)


@pytest.mark.asyncio
async def test_fork_dialog_takes_overrides_and_refuses_bad_ones() -> None:
    app = create_app(paused=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await send(pilot, c.GoTo(parse_sim("23:47:30")))
        await pilot.press("f")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ForkDialog)
        await pilot.press("ctrl+u", *"fixed", "tab")
        dialog.query_one("#fork-sets", Input).value = "fixes.cleanup_protects_active=true"
        await pilot.press("enter")
        await settle(pilot)
        assert app.snapshot is not None and app.snapshot.fork == "fixed"
        await send(pilot, c.GoTo(parse_sim("23:49")))
        assert "ANSWER: 4" in dns_text(app)
        # A bad override is refused inside the dialog, which stays open with the text as typed.
        await pilot.press("f")
        await pilot.pause()
        await pilot.press("tab", *"no.such=1", "enter")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ForkDialog) and dialog.query_one("#fork-sets", Input).value == "no.such=1"
        assert "'no.such' is not a scenario value" in str(dialog.query_one("#fork-error", Label).render())
        assert app.snapshot.fork == "fixed" and len(app.snapshot.forks) == 2
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ForkDialog)


@pytest.mark.asyncio
async def test_zoom_pan_and_follow_keys() -> None:
    app = create_app(paused=True)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, c.GoTo(parse_sim("23:47:56")))
        view = app.query_one(TimelineView)
        assert view.zoom == 2
        await pilot.press("minus", "minus")
        await pilot.pause()
        assert view.zoom == 0 and view.span == app.snapshot.end - app.snapshot.start
        assert app.check_action("zoom", (-1,)) is False and app.check_action("pan", (1,)) is False
        for _ in range(len(ZOOMS) - 1):
            await pilot.press("plus")
        await pilot.pause()
        assert view.zoom == len(ZOOMS) - 1 and view.span == ZOOMS[-1]
        assert app.check_action("zoom", (1,)) is False
        assert "▼" in str(view.render())
        lo, _ = view.window()
        await pilot.press("left")
        await pilot.pause()
        assert not view.follow and view.window()[0] < lo
        await pilot.press("right", "right")
        await pilot.pause()
        assert view.window()[0] > lo
        await pilot.press("c")
        await pilot.pause()
        assert view.follow and view.window()[0] == lo
        await pilot.press("minus")
        await pilot.pause()
        assert view.zoom == len(ZOOMS) - 2


@pytest.mark.asyncio
async def test_speed_keys_change_only_the_display() -> None:
    app = create_app(paused=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert app.snapshot is not None and app.snapshot.speed == 2.0 and "×1,000" in header_text(app)
        await pilot.press("left_square_bracket", "left_square_bracket")
        await settle(pilot)
        assert app.snapshot.speed == 0.5 and app.snapshot.step == 0


@pytest.mark.asyncio
async def test_log_filter_cycles_through_components() -> None:
    app = create_app(paused=True)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, c.GoTo(parse_sim("23:47:56")))
        log = app.query_one(EventLog)
        assert str(log.border_title).startswith("Events · key events")
        await pilot.press("l")
        await pilot.pause()
        assert log.filter == "all"
        await pilot.press("l")
        await pilot.pause()
        component = log.filter
        assert app.snapshot is not None and component in app.snapshot.lanes.activity
        assert all(component in str(line.text) for line in log.lines)


@pytest.mark.asyncio
async def test_help_overlay_and_palette_list_every_action() -> None:
    app = create_app(paused=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)
        titles = {cmd.title for cmd in app.get_system_commands(app.screen)}
        for binding in BINDINGS:
            if not binding.action.startswith("pick(") and binding.action != "sweep":
                assert binding.description in titles
        assert "Sweep" not in titles  # offered once a sweep is open (replay --sweep DIR)
        assert any(t.startswith("Pick 1: ") for t in titles)
        assert "Filter log: all" in titles
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"Milestone")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert app.snapshot is not None and app.snapshot.milestones[0][1] is not None


@pytest.mark.asyncio
async def test_go_to_refuses_a_bad_time_and_q_quits() -> None:
    app = create_app(paused=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("g", *"25:99", "enter")
        await pilot.pause()
        assert isinstance(app.screen, GoToDialog)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


@pytest.mark.asyncio
async def test_small_terminal_and_resize_do_not_crash() -> None:
    app = create_app(paused=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await send(pilot, c.GoTo(parse_sim("23:48:30")))
        assert "ANSWER: 0" in dns_text(app)
        for size in ((60, 16), (40, 10), (120, 40), (80, 24)):
            await pilot.resize_terminal(*size)
            await pilot.pause()
        await send(pilot, c.Step())
        assert app.snapshot is not None and app.snapshot.step > 0


@pytest.mark.asyncio
async def test_a_crash_in_the_session_fails_the_app() -> None:
    app = create_app(paused=True)

    async def crash() -> None:
        raise RuntimeError("a component crashed")

    app._guest._main = crash  # the session's Trio program, as the guest runs it
    with pytest.raises(Exception) as info:  # Textual may wrap it; the message is checked below
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause(0.3)
    assert "a component crashed" in repr(info.value) + repr(info.value.__cause__)


@pytest.mark.asyncio
async def test_keys_under_an_overlay_and_updates_behind_it_are_safe() -> None:
    app = create_app(paused=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        await pilot.press("plus", "minus", "left", "c", "l", "n")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert app.snapshot is not None and f"step {app.snapshot.step} " in header_text(app)


@pytest.mark.asyncio
@pytest.mark.parametrize("rows", [32, 4])
async def test_paging_the_palette_works_at_any_height(rows: int) -> None:
    """ctrl+p, a search, then PgUp and PgDn on a terminal shrunk to a few rows: the palette stays, nothing raises.

    Textual's own palette raised ``KeyError: 0`` paging a result list with no room (4 rows here).
    """
    app = create_app(paused=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.resize_terminal(SIZE[0], rows)
        await pilot.press("ctrl+p", "pageup")  # at once: before the palette has drawn its list
        await pilot.pause(0.2)
        await pilot.press("f", "o", "r")
        await pilot.pause(0.3)
        await pilot.press("pageup", "pagedown", "pagedown", "pageup")
        await pilot.pause(0.2)
        assert isinstance(app.screen, CommandPalette)
        if rows > 4:  # room for the results: the page keys still move through them
            results = app.screen.query_one(CommandList)
            await pilot.press("pagedown")
            await pilot.pause(0.1)
            assert results.highlighted is not None and results.highlighted > 0
        await pilot.press("escape")
        await pilot.pause(0.2)
        assert not isinstance(app.screen, CommandPalette)


def test_a_page_key_before_the_palette_has_drawn_its_list_does_nothing() -> None:
    """In a real terminal ctrl+p and PgUp can arrive together: the list is not there yet (Textual raised NoMatches)."""
    palette = SafePalette(id="--command-palette")
    palette.action_page(1)
    palette.action_page(-1)
    assert not palette.query(CommandList)


@pytest.mark.asyncio
async def test_the_palette_closes_once_and_only_itself() -> None:
    """Escape then a queued Enter: two dismissals of the palette; the second must not pop the main screen."""
    app = create_app(paused=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause(0.2)
        palette = app.screen
        assert isinstance(palette, CommandPalette)
        palette.dismiss()
        palette.dismiss()
        await pilot.pause(0.2)
        assert not isinstance(app.screen, CommandPalette) and len(app.screen_stack) == 1
        await pilot.press("q")
        await pilot.pause(0.2)
    assert app.return_code == 0


@pytest.mark.asyncio
async def test_ctrl_p_with_the_palette_covered_opens_no_second_one() -> None:
    """A comparison asked for before ctrl+p arrives over the open palette; ctrl+p then must not open another.

    Textual only asks whether the top screen is a palette: a second one, with
    the same id, ended the app (``DuplicateIds``).
    """
    app = create_app(paused=True)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, c.Fork("other"), c.Switch("main"))
        await pilot.press("ctrl+p")
        await pilot.pause(0.2)
        palette = app.screen
        assert isinstance(palette, SafePalette)
        app.send(c.Compare("main", "other"))  # as if "v" had been pressed just before ctrl+p
        await settle(pilot)
        assert isinstance(app.screen, CompareScreen) and palette in app.screen_stack
        await pilot.press("ctrl+p")
        await pilot.pause(0.2)
        assert app.is_running and isinstance(app.screen, CompareScreen)
        assert [s for s in app.screen_stack if isinstance(s, SafePalette)] == [palette]
        await pilot.press("escape")
        await pilot.pause(0.2)
        assert app.screen is palette
        await pilot.press("escape")
        await pilot.pause(0.2)
        assert len(app.screen_stack) == 1
        await pilot.press("q")
        await pilot.pause(0.2)
    assert app.return_code == 0


@pytest.mark.asyncio
async def test_notices_clear_by_our_timer_not_textual_expiry() -> None:
    """A notice shows, then goes after its seconds; Textual never expires it (its toasts could spin the loop)."""
    app = create_app(paused=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.notice("first", seconds=0.4)
        app.notice("second [x", seconds=0.4)  # plain text, brackets and all
        await pilot.pause(0.1)
        shown = list(app._notifications)
        assert [n.message for n in shown] == ["first", "second [x"]
        assert all(n.timeout > 3600 and not n.markup for n in shown)
        await pilot.pause(0.6)
        assert list(app._notifications) == []
