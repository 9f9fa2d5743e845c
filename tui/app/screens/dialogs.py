"""Small dialogs: name a fork (with optional --set overrides), go to a time, write a speaker note.

Each is a modal screen: while one is open, the replay screen's keys do not
apply (Textual stops the binding chain at a modal screen), so a ``q`` or an
``n`` typed into a field is text, never a command. The session's views keep
arriving behind a dialog and never touch it: the app only updates the note
dialog's "at" line, not its field.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from tui.clock import TimeFormatError, parse_sim

#: Why a dialog cannot act now (a long move is running), or None when it can.
Blocker = Callable[[], str | None]


def _never() -> str | None:
    return None


class ForkDialog(ModalScreen[tuple[str, tuple[str, ...]] | None]):
    """Enter forks; the overrides field takes ``KEY=VALUE`` pairs separated by spaces.

    Opened just before a long move started, it refuses to fork until the
    move ends (the fork would happen somewhere the person did not see), and
    keeps both fields as typed.
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", id="fork.cancel")]

    def __init__(self, suggested: str, blocked: Blocker = _never) -> None:
        super().__init__()
        self.suggested = suggested
        self.blocked = blocked

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as box:
            box.border_title = "Fork here · enter to fork · esc cancel"
            yield Label("Name")
            yield Input(value=self.suggested, id="fork-name")
            yield Label(
                "--set overrides (optional), e.g. fixes.cleanup_protects_active=true or "
                "operators.restore-dns.at=01:00. They hold from the start of the run; the fork "
                "follows this timeline's moves for as long as they still exist, then diverges."
            )
            yield Input(placeholder="KEY=VALUE ...", id="fork-sets")
            yield Label("", id="fork-wait")

    @on(Input.Submitted)
    def submit(self) -> None:
        why = self.blocked()
        if why is not None:
            self.query_one("#fork-wait", Label).update(why)
            return
        name = self.query_one("#fork-name", Input).value.strip()
        sets = tuple(self.query_one("#fork-sets", Input).value.split())
        self.dismiss((name, sets))

    def action_cancel(self) -> None:
        self.dismiss(None)


class GoToDialog(ModalScreen[float | None]):
    """Enter a PDT time (HH:MM[:SS]) or ISO-8601; a bad one is explained, not fatal.

    Like the fork dialog, it waits out a long move that started while it was
    open, keeping the time typed.
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", id="goto.cancel")]

    def __init__(self, blocked: Blocker = _never) -> None:
        super().__init__()
        self.blocked = blocked

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as box:
            box.border_title = "Go to time (PDT) · enter · esc cancel"
            yield Input(placeholder="23:47:49 or 06:00", id="goto-time")
            yield Label("", id="goto-error")

    @on(Input.Submitted)
    def submit(self, event: Input.Submitted) -> None:
        try:
            time = parse_sim(event.value)
        except TimeFormatError as err:
            self.query_one("#goto-error", Label).update(str(err))
            return
        why = self.blocked()
        if why is not None:
            self.query_one("#goto-error", Label).update(why)
            return
        self.dismiss(time)

    def action_cancel(self) -> None:
        self.dismiss(None)


class NoteDialog(ModalScreen[str | None]):
    """A speaker note at the current step: it shows on the timeline and in the log, and goes into the recording.

    It may be opened during a long move: the note then lands where the move
    stops, and the "at" line says so until the move ends and then names the
    step (:meth:`show_where`); the text typed so far is never touched.
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", id="note.cancel")]

    def __init__(self, where: str) -> None:
        super().__init__()
        self.where = where

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as box:
            box.border_title = "Speaker note · enter to add · esc cancel"
            yield Label(f"At {self.where}", id="note-where")
            yield Input(placeholder="What the audience should see here", id="note-text")

    def show_where(self, where: str) -> None:
        """Say where the note will land; called as views arrive, a no-op unless that changed."""
        if where != self.where and self.is_mounted:
            self.where = where
            self.query_one("#note-where", Label).update(f"At {where}")

    @on(Input.Submitted)
    def submit(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)
