"""Small dialogs: name a fork (with optional --set overrides), go to a time, write a speaker note."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from tui.clock import TimeFormatError, parse_sim


class ForkDialog(ModalScreen[tuple[str, tuple[str, ...]] | None]):
    """Enter forks; the overrides field takes ``KEY=VALUE`` pairs separated by spaces."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", id="fork.cancel")]

    def __init__(self, suggested: str) -> None:
        super().__init__()
        self.suggested = suggested

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

    @on(Input.Submitted)
    def submit(self) -> None:
        name = self.query_one("#fork-name", Input).value.strip()
        sets = tuple(self.query_one("#fork-sets", Input).value.split())
        self.dismiss((name, sets))

    def action_cancel(self) -> None:
        self.dismiss(None)


class GoToDialog(ModalScreen[float | None]):
    """Enter a PDT time (HH:MM[:SS]) or ISO-8601; a bad one is explained, not fatal."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", id="goto.cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as box:
            box.border_title = "Go to time (PDT) · enter · esc cancel"
            yield Input(placeholder="23:47:49 or 06:00", id="goto-time")
            yield Label("", id="goto-error")

    @on(Input.Submitted)
    def submit(self, event: Input.Submitted) -> None:
        try:
            self.dismiss(parse_sim(event.value))
        except TimeFormatError as err:
            self.query_one("#goto-error", Label).update(str(err))

    def action_cancel(self) -> None:
        self.dismiss(None)


class NoteDialog(ModalScreen[str | None]):
    """A speaker note at the current step: it shows on the timeline and in the log, and goes into the recording."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", id="note.cancel")]

    def __init__(self, where: str) -> None:
        super().__init__()
        self.where = where

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as box:
            box.border_title = "Speaker note · enter to add · esc cancel"
            yield Label(f"At {self.where}")
            yield Input(placeholder="What the audience should see here", id="note-text")

    @on(Input.Submitted)
    def submit(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)
