"""The fork and go-to dialogs explain a mistake in place and keep the text; forks show their overrides.

Also: the fork field's ``--set`` words and key completion, and the doom meter's
hint living in the help screen rather than on every frame of the full world.
"""

from __future__ import annotations

import math
from typing import Any

import pytest
from textual.widgets import Input, Label, Static, Tree

from tests.ui_helpers import plain, send, settle
from tui.app import create_app
from tui.app.screens.compare import CompareScreen, compare_table
from tui.app.screens.dialogs import ForkDialog, GoToDialog, NoteDialog
from tui.app.screens.forks import ForkTreeScreen
from tui.app.screens.help import HelpScreen
from tui.app.screens.overrides import KeySuggester, split_sets
from tui.clock import parse_sim, window_words
from tui.errors import BadInput
from tui.scenario import load_scenario
from tui.scenario.keys import dotted_keys
from tui.scenario.overrides import parse_override
from tui.session import commands as c

SIZE = (100, 32)
BOTH = ("fixes.cleanup_protects_active=true", "operators.restore-dns.at=01:00")


async def open_fork(pilot: Any) -> ForkDialog:
    await pilot.press("f")
    await pilot.pause()
    dialog = pilot.app.screen
    assert isinstance(dialog, ForkDialog)
    return dialog


def said(dialog: Any, label_id: str) -> str:
    return str(dialog.query_one(label_id, Label).render())


def wraps_inside(dialog: Any, label: Label) -> bool:
    """The whole message is on screen: the label stays inside the dialog and has a row for every line of it."""
    box = dialog.query_one("#dialog").region
    text = str(label.render())
    rows_needed = math.ceil(len(text) / max(label.size.width, 1))
    return box.x <= label.region.x and label.region.right <= box.right and label.size.height >= rows_needed > 1


@pytest.mark.asyncio
async def test_a_refused_override_is_explained_in_the_dialog_which_keeps_the_text() -> None:
    app = create_app(paused=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        dialog = await open_fork(pilot)
        typed = "--set operators.restore-dns.at=99:00"
        await pilot.press("ctrl+u", *"what-if", "tab", *typed, "enter")
        await settle(pilot)
        assert app.screen is dialog
        assert dialog.query_one("#fork-sets", Input).value == typed
        assert dialog.query_one("#fork-name", Input).value == "what-if"
        message = said(dialog, "#fork-error")
        assert message.startswith("--set operators.restore-dns.at=99:00: operators.restore-dns.at: found '99:00'")
        assert message.endswith("expected a time HH:MM or HH:MM:SS (PDT) or an ISO-8601 timestamp")
        assert wraps_inside(dialog, dialog.query_one("#fork-error", Label))
        assert wraps_inside(dialog, dialog.query_one("#fork-hint", Label))
        assert app.snapshot is not None and [f.name for f in app.snapshot.forks] == ["main"]
        # A name already taken is refused the same way, with the cursor back in the name.
        await pilot.press("shift+tab", "ctrl+u", *"main", "enter")
        await settle(pilot)
        assert app.screen is dialog and said(dialog, "#fork-error") == "a fork named main exists: choose another name"
        assert dialog.query_one("#fork-name", Input).has_focus
        # Fixed in place, the same dialog forks.
        dialog.query_one("#fork-name", Input).value = "what-if"
        dialog.query_one("#fork-sets", Input).value = "--set operators.restore-dns.at=01:00"
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, ForkDialog)
        assert app.snapshot.fork == "what-if" and app.snapshot.forks[-1].overrides == (
            "operators.restore-dns.at=01:00",
        )


def test_the_overrides_field_takes_set_words_one_or_many() -> None:
    assert split_sets("") == ()
    assert split_sets("a.b=1") == ("a.b=1",)
    assert split_sets(" --set a.b=1  c.d=2 --set=e.f=3 ") == ("a.b=1", "c.d=2", "e.f=3")
    with pytest.raises(BadInput, match="--set: expected KEY=VALUE after it"):
        split_sets("a.b=1 --set")


@pytest.mark.asyncio
async def test_several_set_overrides_fork_and_show_in_the_tree_and_in_compare() -> None:
    app = create_app(paused=True)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, c.GoTo(parse_sim("23:47:30")))
        dialog = await open_fork(pilot)
        await pilot.press("tab")
        dialog.query_one("#fork-sets", Input).value = f"{BOTH[0]} --set {BOTH[1]}"  # as the README writes it
        await pilot.press("enter")
        await settle(pilot)
        assert app.snapshot is not None and app.snapshot.fork == "fork-1"
        assert app.snapshot.forks[-1].overrides == BOTH
        # A fork of that fork lists only what it adds; its parent's overrides are listed under the parent.
        await send(pilot, c.Fork("later", ("dns.planner.interval_s=20",)))
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, ForkTreeScreen)
        rows = [str(line.node.label) for line in app.screen.query_one(Tree)._tree_lines]
        assert rows[0].startswith("main") and rows[1].startswith("fork-1 ← main @ step")
        assert rows[2:4] == [f"--set {BOTH[0]}", f"--set {BOTH[1]}"]
        assert rows[4].startswith("● later ← fork-1") and rows[5] == "--set dns.planner.interval_s=20"
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("v")
        await settle(pilot)
        assert isinstance(app.screen, CompareScreen)
        comparison = app.last_comparison
        assert comparison is not None and comparison.left.name == "fork-1" and comparison.right.name == "later"
        assert comparison.left.overrides == BOTH and comparison.right.overrides == (*BOTH, "dns.planner.interval_s=20")
        table = plain(compare_table(comparison), width=160)
        assert "--set" in table and "operators.restore-dns.at=01:00" in table and "dns.planner.interval_s=20" in table


@pytest.mark.asyncio
async def test_the_overrides_field_completes_scenario_keys() -> None:
    app = create_app(paused=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        dialog = await open_fork(pilot)
        field = dialog.query_one("#fork-sets", Input)
        for typed, completed in [
            ("fixes.cleanup_p", "fixes.cleanup_protects_active="),
            ("--set operators.rest", "--set operators.restore-dns.at="),
            ("fixes.recheck_in_batch=true dns.planner.int", "fixes.recheck_in_batch=true dns.planner.interval_s="),
        ]:
            field.focus()
            field.value = typed  # as if typed: the field asks its suggester
            field.cursor_position = len(typed)
            await pilot.pause(0.05)
            await pilot.press("right")  # at the end of the field: takes the suggestion
            assert field.value == completed


@pytest.mark.asyncio
async def test_the_suggester_completes_only_the_key_of_the_last_word() -> None:
    suggester = KeySuggester(["dns.planner.interval_s", "fixes.recheck_in_batch"])
    assert await suggester.get_suggestion("dns.pl") == "dns.planner.interval_s="
    assert await suggester.get_suggestion("--set=fixes") == "--set=fixes.recheck_in_batch="
    for done in ("", "dns.pl ", "dns.planner.interval_s=3", "--set", "no.such"):
        assert await suggester.get_suggestion(done) is None


def test_every_completed_key_is_one_set_takes() -> None:
    keys = dotted_keys(load_scenario().data)
    assert "operators.restore-dns.at" in keys and "fixes.cleanup_protects_active" in keys
    assert not any(".sources" in key or key.startswith("sources") for key in keys)
    for key in keys:
        parse_override(f"{key}=1")  # raises BadInput for anything --set would not take


WINDOW = "23:40 Sun 19 Oct to 15:20 Mon 20 Oct PDT"


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("overrides", "typed", "window"),
    [((), "16:30", WINDOW), (("scenario.end=14:20",), "14:30", "23:40 Sun 19 Oct to 14:20 Mon 20 Oct PDT")],
)
async def test_go_to_refuses_a_time_outside_the_window_naming_it(
    overrides: tuple[str, ...], typed: str, window: str
) -> None:
    app = create_app(paused=True, overrides=overrides)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.snapshot is not None and window_words(app.snapshot.start, app.snapshot.end) == window
        await pilot.press("g", *typed, "enter")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, GoToDialog) and dialog.query_one(Input).value == typed
        assert said(dialog, "#goto-window") == f"Window: {window}"
        refused = said(dialog, "#goto-error")
        assert refused == f"{typed} (Mon 20 Oct) is outside the window: expected a time from {window}"
        assert wraps_inside(dialog, dialog.query_one("#goto-error", Label))
        assert app.snapshot.step == 0
        # Corrected in place, the same dialog goes.
        await pilot.press("ctrl+u", *"00:10", "enter")
        await settle(pilot)
        assert not isinstance(app.screen, GoToDialog)
        assert parse_sim("00:09") <= app.snapshot.now <= parse_sim("00:10")  # the last step before it


@pytest.mark.asyncio
async def test_the_doom_meter_hint_is_in_the_help_not_on_the_main_screen() -> None:
    app = create_app(paused=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert not app.doom.display and app.doom.region.height == 0
        assert "doom" not in app.export_screenshot().lower()  # nor in any exported frame of the full world
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        help_text = plain(app.screen.query_one("#help-text", Static).content, width=80)
        assert "Doom meter" in help_text and "explore --save DIR" in help_text and "replay --session FILE" in help_text


@pytest.mark.asyncio
async def test_keys_faster_than_a_dialog_closes_are_never_a_second_dismissal() -> None:
    from tui.app import create_app

    app = create_app(paused=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for opener, closers in (("f", ("enter", "enter")), ("a", ("escape", "escape")), ("g", ("escape", "escape"))):
            await pilot.press(opener)
            await pilot.pause()
            await pilot.press(*closers)  # the second key arrives before the screen is popped
            await settle(pilot)
            assert app.screen is app.screen_stack[0] and app.is_running
        await pilot.press("t", "escape", "escape", "question_mark", "escape", "escape")
        await settle(pilot)
        assert app.screen is app.screen_stack[0] and app.is_running


@pytest.mark.asyncio
async def test_a_dialog_dismissed_under_another_screen_closes_when_that_one_does() -> None:
    """Enter in the note dialog and ctrl+p at once: the palette may open over the dialog before it handles Enter.

    The dialog's dismissal must not close the palette in its place (it left the note dialog open for
    good, deaf to Escape, taking q as text): the palette stays, and the note closes, with its text,
    once the palette has gone.
    """
    app = create_app(paused=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await pilot.pause(0.1)
        note = app.screen
        assert isinstance(note, NoteDialog)
        await pilot.press(*"seen")
        cover = HelpScreen([])
        await app.push_screen(cover)
        note.dismiss("seen")  # the Enter, handled with the cover on top
        await pilot.pause(0.1)
        assert app.screen is cover and note in app.screen_stack
        await pilot.press("escape")  # the cover closes; the note closes after it, with its text
        await settle(pilot)
        await pilot.pause(0.1)
        assert not isinstance(app.screen, NoteDialog | HelpScreen)
        assert any(n.text == "seen" for n in app.snapshot.notes)
        await pilot.press("q")
        await pilot.pause(0.2)
    assert app.return_code == 0


@pytest.mark.asyncio
async def test_what_was_typed_is_quoted_as_typed_even_with_brackets() -> None:
    """A refusal quotes the text typed; ``[`` and ``]`` in it are text, not styling (they crashed the app)."""
    app = create_app(paused=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("g", *"9[b=", "enter")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, GoToDialog)
        assert said(dialog, "#goto-error").startswith("'9[b=' is not a time")
        await pilot.press("escape", "f", "ctrl+u", *"x[/y]", "enter")  # a fork may be named so
        await settle(pilot)
        assert app.snapshot.fork == "x[/y]" and "x[/y]" in plain(app.header.render())
        await pilot.press("t")
        await settle(pilot)
        tree = app.screen.query_one(Tree)
        assert any("x[/y] ← main" in str(node.label) for node in tree.root.children[0].children)


@pytest.mark.asyncio
async def test_a_fork_name_that_is_not_markup_shows_as_typed_everywhere() -> None:
    """A name like ``[x=main~1`` (typed in the fork or rename dialog) once ended the app in the palette and compare."""
    from textual.command import CommandList

    from tui.app.screens.compare import CompareScreen as Compare

    name = "[x=main~1"
    app = create_app(paused=True, policy="canonical")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("n", "n")
        await send(pilot, c.Fork(name))
        await send(pilot, c.Switch("main"))
        await pilot.press("ctrl+p")
        await pilot.pause(0.3)
        await pilot.press(*"fork")
        await pilot.pause(0.5)
        listed = [plain(str(o.prompt)) for o in app.screen.query_one(CommandList).options]
        assert any(f"Switch to fork {name}" in line for line in listed), listed
        await pilot.press("escape")
        await pilot.pause(0.3)
        await pilot.press("v")
        await settle(pilot)
        assert isinstance(app.screen, Compare)
        title = app.screen.query_one("#compare-box").border_title
        assert plain(str(title)).strip() == f"Compare main ↔ {name}"
        await pilot.press("escape")
        await send(pilot, c.Switch(name))
        await pilot.press("a")
        await pilot.pause(0.3)
        assert isinstance(app.screen, NoteDialog)
        await pilot.press("escape")
        await pilot.pause(0.3)
        assert app.is_running
