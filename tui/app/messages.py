"""Messages from the session (posted by Trio code) to the app."""

from __future__ import annotations

from textual.message import Message

from tui.session.views import Comparison, Snapshot


class SessionUpdated(Message):
    """A new snapshot; a newer one replaces an unhandled older one, so a burst of steps costs one repaint."""

    def __init__(self, snapshot: Snapshot) -> None:
        super().__init__()
        self.snapshot = snapshot

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, SessionUpdated)


class ComparisonReady(Message):
    """The session answered a compare request."""

    def __init__(self, comparison: Comparison) -> None:
        super().__init__()
        self.comparison = comparison
