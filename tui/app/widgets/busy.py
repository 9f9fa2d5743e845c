"""The long-move row: what the session is doing, a progress bar, and the time left.

Going to a time, jumping to a milestone, going back, forking with changes and
reopening a recording run at headless speed off the UI; they can take
seconds. While one runs, the session's views carry ``busy``, ``progress``
and ``eta_s``, and this row shows them over the bottom line of the event log,
on a layer of its own: appearing and going away moves no panel.

Textual's ``ProgressBar`` draws the bar and the percentage (or its sliding
indeterminate bar when the progress is unknown). Its own ETA is left off: it
estimates from the bar's updates with a wall clock of its own and prints
``hh:mm:ss``; the session's estimate comes from the move itself, so this row
prints that one, in seconds.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import ProgressBar

from tui.app.widgets.panel import Panel
from tui.session.views import Snapshot


def eta_text(eta_s: float | None) -> str:
    """``· 1.3 s left``; nothing while the session has no estimate yet (the first moments of a move)."""
    if eta_s is None:
        return ""
    if eta_s < 10:
        return f"· {eta_s:.1f} s left"
    if eta_s < 90:
        return f"· {eta_s:.0f} s left"
    minutes, seconds = divmod(round(eta_s), 60)
    return f"· {minutes} min {seconds:02d} s left"


def busy_head(label: str) -> str:
    """What the move is, without how far it has got: ``going to 06:00 · 03:12 reached`` -> ``going to 06:00``."""
    return label.split(" · ")[0]


class BusyBar(Horizontal):
    """Shown only while ``snapshot.busy`` is set; updated in place as progress views arrive."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.label = Panel(id="busy-label")
        self.bar = ProgressBar(total=1.0, show_eta=False, id="busy-bar")
        self.eta = Panel(id="busy-eta")
        self.busy: str | None = None

    def compose(self) -> ComposeResult:
        yield self.label
        yield self.bar
        yield self.eta

    def show(self, snap: Snapshot) -> None:
        """Follow the view; the row's children keep their sizes, so an update repaints them without a new layout."""
        busy = snap.busy
        if (busy is None) != (self.busy is None):
            self.display = busy is not None
        self.busy = busy
        if busy is None:
            return
        self.label.show_body(Text(busy, style="bold", no_wrap=True, overflow="ellipsis"))
        if snap.progress is None:
            self.bar.update(total=None)
        else:
            self.bar.update(total=1.0, progress=snap.progress)
        self.eta.show_body(Text(eta_text(snap.eta_s), no_wrap=True, overflow="ellipsis"))
