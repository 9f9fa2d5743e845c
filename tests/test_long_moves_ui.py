"""Pilot tests of the replay app during a long move: the progress row, refused keys, stopping, dialogs.

A long move runs in a worker thread (``tui.session.longmove.run``). Here it
is held at a gate the test opens, so the move lasts exactly as long as the
test needs, with no sleeps standing in for synchronisation: the test waits
for the busy view to arrive (``app.settle()`` would wait for the move to
end: the session runs a ``Sync`` sent during a move after it).
"""

from __future__ import annotations

import asyncio
import dataclasses
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from textual import events
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input, Label

from tests.ui_helpers import header_text, plain, send, settle
from tui.app import create_app
from tui.app.app import ReplayApp
from tui.app.messages import SessionUpdated
from tui.app.screens.compare import CompareScreen
from tui.app.screens.dialogs import GoToDialog, NoteDialog
from tui.app.widgets.busy import eta_text
from tui.clock import parse_sim
from tui.session import commands as c
from tui.session import longmove
from tui.session.views import Snapshot

SIZE = (100, 32)
#: Longest a gated move waits for the test (a failing test opens the gate on its way out anyway).
GATE_TIMEOUT_S = 60.0
#: Idle rounds to wait for a view from the session before giving up (each round is a ``pilot.pause()``).
ROUNDS = 2000


class Gate:
    """Holds every long move at its start until :meth:`open`; optionally again after its first step."""

    def __init__(self) -> None:
        self.opened = threading.Event()
        #: With ``hold_after_first_step``: set once the move took a step and published it; ``resume`` lets it go on.
        self.stepped = threading.Event()
        self.resume = threading.Event()
        self.hold_after_first_step = False
        self.progress: longmove.Progress | None = None
        self._real = longmove.run

    def run(
        self, move: longmove.Move, progress: longmove.Progress, report: Callable[[], None] | None = None
    ) -> longmove.Outcome:
        self.progress = progress
        self.opened.wait(GATE_TIMEOUT_S)
        if not self.hold_after_first_step:
            return self._real(move, progress, report)

        def reported() -> None:
            if report is not None:
                report()
            if not self.stepped.is_set():
                self.stepped.set()
                self.resume.wait(GATE_TIMEOUT_S)

        return self._real(move, progress, reported)

    def open(self) -> None:
        self.opened.set()
        self.resume.set()


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch) -> Gate:
    held = Gate()
    monkeypatch.setattr(longmove, "run", held.run)
    return held


@asynccontextmanager
async def gated_app(gate: Gate, **options: Any) -> AsyncIterator[Pilot[None]]:
    """A paused app whose long moves wait at ``gate``; the gate opens before the app goes (its worker must end)."""
    app = create_app(paused=True, **options)
    async with app.run_test(size=SIZE) as pilot:
        try:
            await settle(pilot)
            yield pilot
        finally:
            gate.open()


async def until(pilot: Pilot[Any], done: Callable[[], bool], what: str) -> None:
    """Let the app run until ``done()``, a bounded number of idle rounds."""
    for _ in range(ROUNDS):
        if done():
            return
        await pilot.pause()
    raise AssertionError(f"never happened: {what}")


async def until_busy(pilot: Pilot[Any]) -> Snapshot:
    app = pilot.app
    assert isinstance(app, ReplayApp)
    await until(pilot, lambda: app.busy is not None and app.busy_bar.display, "a busy view")
    assert app.snapshot is not None
    return app.snapshot


async def wait_thread_event(event: threading.Event) -> None:
    """Wait for an event set by the worker thread without blocking the app's loop."""
    assert await asyncio.get_running_loop().run_in_executor(None, event.wait, GATE_TIMEOUT_S)


def notices(app: ReplayApp) -> list[str]:
    return [n.message for n in app._notifications]


def regions(app: ReplayApp) -> dict[str, object]:
    return {name: app.query_one(f"#{name}").region for name in ("header", "timeline", "middle", "doom", "log")}


@pytest.mark.asyncio
async def test_a_long_move_shows_its_progress_row_until_it_ends(gate: Gate) -> None:
    async with gated_app(gate) as pilot:
        app = pilot.app
        assert isinstance(app, ReplayApp)
        assert not app.busy_bar.display
        before = regions(app)
        await pilot.press("m")
        snap = await until_busy(pilot)
        await pilot.pause()
        assert snap.busy == "running to the milestone"
        row = app.busy_bar
        assert "running to the milestone" in plain(row.label.body)
        assert row.bar.percentage == snap.progress == 0.0
        # Just above the footer, over the log's last line: no panel moved to make room.
        assert row.region.y == SIZE[1] - 2 and row.region.width == SIZE[0]
        assert regions(app) == before
        assert "moving" in header_text(app)
        # The footer offers space as Stop; the moves are listed, greyed out.
        bindings = app.screen.active_bindings
        assert bindings["space"].binding.action == "stop" and bindings["space"].enabled
        assert not bindings["n"].enabled and not bindings["m"].enabled
        assert bindings["question_mark"].enabled and bindings["a"].enabled
        gate.open()
        await settle(pilot)
        assert app.snapshot is not None and app.snapshot.busy is None
        assert app.snapshot.status.startswith("milestone dns.endpoint_empty at step")
        assert not row.display
        assert regions(app) == before
        assert app.screen.active_bindings["space"].binding.action == "toggle_play"


@pytest.mark.asyncio
async def test_moves_typed_during_a_long_move_are_refused_with_a_notice(gate: Gate) -> None:
    async with gated_app(gate) as pilot:
        app = pilot.app
        assert isinstance(app, ReplayApp)
        await pilot.press("m")
        await until_busy(pilot)
        keys = ("n", "1", "m", "e", "b", "g", "f", "t")
        await pilot.press(*keys)
        await pilot.pause()
        assert type(app.screen) is Screen  # g, f and t opened no dialog
        said = notices(app)
        assert len(said) == len(keys), said
        assert all("ignored: still running to the milestone — space stops it" in n for n in said)
        assert said[0].startswith("Step ignored") and said[5].startswith("Go to ignored")
        # The palette's entries for the same moves are refused the same way.
        step = next(cmd for cmd in app.get_system_commands(app.screen) if cmd.title == "Step")
        await step.callback()
        await pilot.pause()
        assert len(notices(app)) == len(keys) + 1
        # Keys that only change the display keep working during the move.
        zoom, log_filter = app.timeline.zoom, app.log_view.filter
        await pilot.press("minus", "l")
        await pilot.pause()
        assert app.timeline.zoom == zoom - 1 and app.log_view.filter != log_filter
        gate.open()
        await settle(pilot)
        snap = app.snapshot
        assert snap is not None and snap.busy is None
        # Where the milestone jump alone leads: one milestone reached, and nothing moved after it.
        assert snap.status.startswith(f"milestone dns.endpoint_empty at step {snap.step} (")
        assert sum(at is not None for _, at in snap.milestones) == 1
        assert len(notices(app)) == len(keys) + 1


@pytest.mark.asyncio
async def test_space_stops_a_long_move_early(gate: Gate, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(longmove, "PROGRESS_EVERY_S", 0.0)  # report after every step: the first one is held
    gate.hold_after_first_step = True
    async with gated_app(gate) as pilot:
        app = pilot.app
        assert isinstance(app, ReplayApp)
        await pilot.press("m")
        await until_busy(pilot)
        gate.opened.set()
        await wait_thread_event(gate.stepped)  # one step taken, the worker holds before the next
        await pilot.press("space")
        await until(pilot, lambda: gate.progress is not None and gate.progress.cancelled, "the move told to stop")
        gate.open()
        await settle(pilot)
        snap = app.snapshot
        assert snap is not None and snap.busy is None
        assert snap.status == f"stopped at step {snap.step}"
        assert 1 <= snap.step < 10  # the first milestone is over a thousand steps away
        assert all(at is None for _, at in snap.milestones)
        assert not snap.playing and not notices(app)  # space stopped the move: it did not start playing


@pytest.mark.asyncio
async def test_space_stops_a_go_to_past_the_history_while_it_retakes_the_history(
    gate: Gate, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Going to a time past a history's end is two moves: re-take the history, then let the policy go on.

    Space during the first must stop the go-to there: the second move must
    not start, neither from where the first stopped nor from the history's end.
    """
    monkeypatch.setattr(longmove, "PROGRESS_EVERY_S", 0.0)  # report after every step: the first one is held
    async with gated_app(gate, policy="manual") as pilot:
        app = pilot.app
        assert isinstance(app, ReplayApp)
        gate.open()
        await send(pilot, c.GoTo(parse_sim("23:50")), c.GoTo(parse_sim("23:40")))  # a history, then its start
        history = app.session.timeline.picks[:]
        assert app.snapshot is not None and app.snapshot.step == 0 and len(history) > 1000
        gate.opened.clear()
        gate.resume.clear()
        gate.hold_after_first_step = True
        await pilot.press("g")
        await pilot.pause()
        assert isinstance(app.screen, GoToDialog)
        await pilot.press(*"00:30", "enter")
        await until_busy(pilot)
        gate.opened.set()
        await wait_thread_event(gate.stepped)  # re-taking the history: one step taken, held before the next
        await pilot.press("space")
        await until(pilot, lambda: gate.progress is not None and gate.progress.cancelled, "the move told to stop")
        gate.open()
        await settle(pilot)
        snap = app.snapshot
        assert snap is not None and snap.busy is None and not snap.playing
        assert snap.status == f"stopped at step {snap.step}"
        assert 0 < snap.step < len(history) and snap.now < parse_sim("23:50")
        assert app.session.timeline.picks == history  # nothing re-taken differently, nothing added


@pytest.mark.asyncio
async def test_a_note_typed_during_a_long_move_keeps_its_text_and_lands_where_it_stops(gate: Gate) -> None:
    async with gated_app(gate) as pilot:
        app = pilot.app
        assert isinstance(app, ReplayApp)
        await pilot.press("m")
        await until_busy(pilot)
        await pilot.press("a")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, NoteDialog)
        where = dialog.query_one("#note-where", Label)
        assert "where the move stops" in str(where.render())
        text = "quick question: q or n?"
        await pilot.press(*text)
        await pilot.pause()
        field = dialog.query_one(Input)
        assert app.is_running and app.screen is dialog and field.value == text
        gate.open()
        await settle(pilot)  # the move ends; views with its result arrive behind the dialog
        await send(pilot, c.SetSpeed(2.0))  # and another one
        snap = app.snapshot
        assert snap is not None and snap.busy is None and snap.step > 0
        assert app.screen is dialog and field.value == text
        assert f"step {snap.step}," in str(where.render())
        await pilot.press("enter")
        await settle(pilot)
        assert app.is_running and type(app.screen) is Screen
        note = app.snapshot.notes[-1]
        assert note.text == text and note.step == snap.step


@pytest.mark.asyncio
async def test_keys_typed_right_after_a_never_quit() -> None:
    app = create_app(paused=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for key in ("a", "q", "n"):  # one burst, as a paste or a fast typist sends it
            app.post_message(events.Key(key, key))
        await settle(pilot)
        assert app.is_running and isinstance(app.screen, NoteDialog)
        assert app.snapshot is not None and app.snapshot.step == 0
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


@pytest.mark.asyncio
async def test_a_comparison_waits_for_the_note_being_typed(gate: Gate) -> None:
    async with gated_app(gate) as pilot:
        app = pilot.app
        assert isinstance(app, ReplayApp)
        await send(pilot, c.Fork("other"), c.Switch("main"))
        await pilot.press("m")
        await until_busy(pilot)
        await pilot.press("v", "a")  # compare runs after the move; the note dialog opens now
        await pilot.press(*"same")
        gate.open()
        await settle(pilot)
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, NoteDialog) and dialog.query_one(Input).value == "same"
        assert app.last_comparison is not None
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CompareScreen)
        assert app.snapshot is not None and app.snapshot.notes[-1].text == "same"


@pytest.mark.asyncio
async def test_a_go_to_dialog_open_when_a_move_starts_waits_for_it(gate: Gate) -> None:
    async with gated_app(gate) as pilot:
        app = pilot.app
        assert isinstance(app, ReplayApp)
        await pilot.press("g", *"23:50")
        dialog = app.screen
        assert isinstance(dialog, GoToDialog)
        app.send(c.JumpMilestone(1))  # a move that began while the dialog was open (sent just before it)
        await until_busy(pilot)
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is dialog and dialog.query_one(Input).value == "23:50"
        assert "still running to the milestone" in str(dialog.query_one("#goto-error", Label).render())
        gate.open()
        await settle(pilot)
        assert (
            app.screen is dialog
            and app.snapshot is not None
            and app.snapshot.status.startswith("milestone dns.endpoint_empty at")
        )
        await pilot.press("enter")
        await settle(pilot)
        assert type(app.screen) is Screen
        assert app.snapshot.status == f"at step {app.snapshot.step}"
        assert parse_sim("23:48:30") < app.snapshot.now <= parse_sim("23:50")  # past the first milestone


def test_eta_text() -> None:
    assert eta_text(None) == ""
    assert eta_text(1.26) == "· 1.3 s left"
    assert eta_text(42.4) == "· 42 s left"
    assert eta_text(125) == "· 2 min 05 s left"


def test_busy_row_snapshot(snap_compare: Any) -> None:
    """The row as a view with a frozen estimate draws it (a live one carries a wall-clock ETA)."""

    async def before(pilot: Any) -> None:
        app = pilot.app
        await settle(pilot)
        busy = dataclasses.replace(app.snapshot, busy="going to 06:00 · 03:12 reached", progress=0.58, eta_s=1.3)
        app.post_message(SessionUpdated(busy))
        await pilot.pause()
        await pilot.pause()

    assert snap_compare(create_app(paused=True), terminal_size=(80, 24), run_before=before)
