"""The help overlay: every key of the replay screen, including those the footer hides, and what the doom meter is.

The doom meter's explanation lives here rather than on the main screen: in
the full world, where it cannot count, it would take a row of every frame.
"""

from __future__ import annotations

from typing import ClassVar

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from tui.app.screens.once import OnceModal
from tui.app.widgets.doom import HELP as DOOM_HELP


def help_table(bindings: list[Binding]) -> Table:
    table = Table(box=None, show_header=False, padding=(0, 2))
    table.add_column(style="bold cyan", no_wrap=True)
    table.add_column()
    for binding in bindings:
        if binding.action.startswith("pick(") and binding.key_display is None:
            continue  # listed once as 1-9
        table.add_row(binding.key_display or binding.key, binding.tooltip or binding.description)
    table.add_row("ctrl+p", "Command palette: every action by name")
    return table


def help_body(bindings: list[Binding]) -> RenderableType:
    """The keys, then the doom meter in a few wrapped lines."""
    doom = Text.assemble(("Doom meter", "bold cyan"), "\n", DOOM_HELP)
    return Group(help_table(bindings), Text(""), doom)


class HelpScreen(OnceModal[None]):
    """Lists the keys; escape, q or ? closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "Close", id="help.close"),
    ]

    def __init__(self, bindings: list[Binding]) -> None:
        super().__init__()
        self._keys = bindings

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box") as box:
            box.border_title = "Keys"
            yield Static(help_body(self._keys), id="help-text")
