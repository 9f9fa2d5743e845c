"""Small dialogs: name a fork (with optional --set overrides), go to a time, write a speaker note.

A mistake (a bad time, a time outside the window, a refused override) is
explained inside the dialog under its field, which keeps what was typed.

Each is a modal screen: while one is open, the replay screen's keys do not
apply (Textual stops the binding chain at a modal screen), so a ``q`` or an
``n`` typed into a field is text, never a command. The session's views keep
arriving behind a dialog and never touch it: the app only updates the note
dialog's "at" line, not its field.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, Label

from tui.app.literal import literal
from tui.app.screens.once import OnceModal
from tui.app.screens.overrides import KeySuggester, split_sets
from tui.clock import TimeFormatError, outside_window, parse_sim, window_words
from tui.errors import BadInput

#: Why a dialog cannot act now (a long move is running), or None when it can.
Blocker = Callable[[], str | None]


def _never() -> str | None:
    return None


#: Why a fork would be refused, or None: called with the name and the overrides, it names the field at fault
#: (``"name"`` or ``"sets"``) and says why.
ForkCheck = Callable[[str, tuple[str, ...]], tuple[str, str] | None]


def _fine(_name: str, _sets: tuple[str, ...]) -> tuple[str, str] | None:
    return None


class ForkDialog(OnceModal[tuple[str, tuple[str, ...]] | None]):
    """Enter forks; the overrides field takes ``KEY=VALUE`` words, each optionally after ``--set``.

    The fork is checked before it is sent (``check``): a taken name or an
    override the scenario refuses is explained under the fields, and the
    dialog stays open with both as typed. The overrides field completes
    scenario keys (→ takes the suggestion). Opened just before a long move
    started, it refuses to fork until the move ends (the fork would happen
    somewhere the person did not see), keeping the fields too.
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", id="fork.cancel")]

    def __init__(
        self, suggested: str, blocked: Blocker = _never, keys: Sequence[str] = (), check: ForkCheck = _fine
    ) -> None:
        super().__init__()
        self.suggested = suggested
        self.blocked = blocked
        self.keys = keys
        self.check = check

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as box:
            box.border_title = "Fork here · enter to fork · esc cancel"
            yield Label("Name")
            yield Input(value=self.suggested, id="fork-name")
            yield Label(
                "--set overrides (optional, → completes a key), e.g. fixes.cleanup_protects_active=true "
                "--set operators.restore-dns.at=01:00. They hold from the start of the run; the fork "
                "follows this timeline's moves for as long as they still exist, then diverges.",
                id="fork-hint",
            )
            yield Input(placeholder="KEY=VALUE ...", id="fork-sets", suggester=KeySuggester(self.keys))
            yield Label("", id="fork-error", classes="problem", markup=False)  # it quotes what was typed

    @on(Input.Submitted)
    def submit(self) -> None:
        error = self.query_one("#fork-error", Label)
        field = self.query_one("#fork-sets", Input)
        name = self.query_one("#fork-name", Input).value.strip()
        try:
            sets = split_sets(field.value)
        except BadInput as err:
            error.update(str(err))
            field.focus()
            return
        why = self.blocked()
        if why is not None:
            error.update(why)
            return
        refused = self.check(name, sets)
        if refused is not None:
            at, reason = refused
            error.update(reason)
            self.query_one(f"#fork-{at}", Input).focus()
            return
        self.dismiss((name, sets))

    def action_cancel(self) -> None:
        self.dismiss(None)


class GoToDialog(OnceModal[float | None]):
    """Enter a PDT time (HH:MM[:SS]) or ISO-8601; a bad one, or one outside the window, is explained, not fatal.

    ``window`` is the scenario's (start, end) in virtual seconds: a time
    outside it is refused in the dialog, naming the window with its days
    (``16:30`` reads as Mon 20 Oct). Like the fork dialog, it waits out a long
    move that started while it was open, keeping the time typed.
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", id="goto.cancel")]

    def __init__(self, blocked: Blocker = _never, window: tuple[float, float] | None = None) -> None:
        super().__init__()
        self.blocked = blocked
        self.window = window

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as box:
            box.border_title = "Go to time (PDT) · enter · esc cancel"
            if self.window is not None:
                yield Label(f"Window: {window_words(*self.window)}", id="goto-window")
            yield Input(placeholder="23:47:49 or 06:00", id="goto-time")
            yield Label("", id="goto-error", classes="problem", markup=False)  # it quotes what was typed

    @on(Input.Submitted)
    def submit(self, event: Input.Submitted) -> None:
        error = self.query_one("#goto-error", Label)
        try:
            time = parse_sim(event.value)
        except TimeFormatError as err:
            error.update(str(err))
            return
        outside = None if self.window is None else outside_window(event.value, time, *self.window)
        if outside is not None:
            error.update(outside)
            return
        why = self.blocked()
        if why is not None:
            error.update(why)
            return
        self.dismiss(time)

    def action_cancel(self) -> None:
        self.dismiss(None)


class NoteDialog(OnceModal[str | None]):
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
            yield Label(f"At {self.where}", id="note-where", markup=False)  # it may name a fork
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


class RenameDialog(OnceModal[str | None]):
    """A new name for a fork (an automatic ``main~1`` can say what it tried); a taken name is said here."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", id="rename.cancel")]

    def __init__(self, name: str, taken: Sequence[str]) -> None:
        super().__init__()
        self.old = name
        self.taken = set(taken) - {name}

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as box:
            box.border_title = literal(f"Rename {self.old} · enter to rename · esc cancel")
            yield Input(value=self.old, id="rename-name")
            yield Label("", id="rename-problem", classes="problem", markup=False)  # it quotes what was typed

    @on(Input.Submitted)
    def submit(self, event: Input.Submitted) -> None:
        name = event.value.strip()
        problem = ""
        if not name or any(ch.isspace() for ch in name):
            problem = "a name is one word, e.g. stale-first"
        elif name in self.taken:
            problem = f"{name} is taken: every fork has its own name"
        if problem:
            self.query_one("#rename-problem", Label).update(problem)
            return
        self.dismiss(None if name == self.old else name)

    def action_cancel(self) -> None:
        self.dismiss(None)
