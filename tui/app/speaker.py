"""``outage-tui present talk.jsonl --speaker``: the speaker's own view, in a second terminal.

It shows what only the speaker should see: the current note and the next
one, marker N of M, how long the talk has run, and the incident clock. It
follows the presenting app over a local socket (:mod:`tui.app.speaker_link`)
and drives it with the same keys: → PgDn space next, ← PgUp previous, a
number then Enter, Home, End.
"""

from __future__ import annotations

import time
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Footer, Static

from tui.app.notices import Notices
from tui.app.speaker_link import SpeakerLink, TalkState


def elapsed_words(seconds: float) -> str:
    whole = max(0, int(seconds))
    return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}"


def speaker_text(state: TalkState | None, now: float, recording: str) -> Text:
    """The speaker's screen: where the talk is, what to say now, what comes next."""
    if state is None:
        return Text.assemble(
            ("waiting for the presenter", "bold yellow"),
            f"\nstart it in another terminal: outage-tui present {recording}",
        )
    where = "not started" if state.marker is None else f"marker {state.marker + 1} of {state.count}"
    return Text.assemble(
        (where, "bold"),
        f"   talk {elapsed_words(now - state.started)}   incident {state.clock}\n\n",
        ("now  ", "bold green"),
        state.note or "—",
        "\n\n",
        ("next ", "bold cyan"),
        state.next_note or "—",
    )


class SpeakerApp(Notices):
    """Follows a presenting app; either side may move the talk."""

    TITLE = "outage-tui speaker view"
    CSS = "#speaker { padding: 1 2; }"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("right,pagedown,space", "move(1)", "Next", key_display="→/space"),
        Binding("left,pageup", "move(-1)", "Previous", key_display="←"),
        Binding("home", "first", "First"),
        Binding("end", "last", "Last"),
        *(Binding(str(d), f"digit({d})", show=False) for d in range(10)),
        Binding("enter", "go_typed", "Go to N", show=False),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(self, recording: str) -> None:
        super().__init__()
        self.recording = recording
        self.state: TalkState | None = None
        self.link = SpeakerLink(recording, self._on_state)
        self._typed = ""

    def compose(self) -> ComposeResult:
        yield Static(id="speaker")
        yield Footer()

    def on_mount(self) -> None:
        self.view = self.query_one("#speaker", Static)
        self._redraw()
        self.set_interval(1.0, self._redraw)  # the talk's elapsed time
        self._follow()

    @work(exclusive=True, group="link")
    async def _follow(self) -> None:
        await self.link.run()

    def _on_state(self, state: TalkState | None) -> None:
        self.state = state
        self._redraw()

    def _redraw(self) -> None:
        text = speaker_text(self.state, time.time(), self.recording)
        if self._typed:
            text.append(f"\n\ngo to marker {self._typed}_ (enter)", style="bold reverse")
        self.view.update(text)

    def _go(self, marker: int) -> None:
        state = self.state
        if state is None or not 0 <= marker < state.count:
            return
        if not self.link.go(marker):
            self.notice("the presenter is not connected", severity="warning", seconds=5)

    def action_move(self, step: int) -> None:
        if self.state is not None:
            self._go(0 if self.state.marker is None else self.state.marker + step)

    def action_first(self) -> None:
        self._go(0)

    def action_last(self) -> None:
        if self.state is not None:
            self._go(self.state.count - 1)

    def action_digit(self, digit: int) -> None:
        self._typed = (self._typed + str(digit))[-4:]
        self._redraw()

    def action_go_typed(self) -> None:
        typed, self._typed = self._typed, ""
        if typed:
            self._go(int(typed) - 1)
        self._redraw()
