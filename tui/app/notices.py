"""Short notices ("Step ignored: still going back…") that clear themselves without Textual's expiry.

Textual (8.2.8) checks that a notification has not expired, then makes its
toast with the time it has left, read again: a notification that expires in
between gets a toast with a negative timer, and that timer spins the event
loop at full CPU for good; the app stops drawing and never sees ``q``. Keys
typed during a long move raise notice after notice, so a burst of them hit
it. Here a notice is raised with an expiry far away, and one timer of ours
clears the notices a few seconds after the last one.
"""

from __future__ import annotations

from textual.app import App
from textual.notifications import SeverityLevel
from textual.timer import Timer

#: Textual's own expiry for a notice: far enough away never to be reached while the app runs.
HELD_S = 24 * 3600.0


class Notices(App[None]):
    """An app whose :meth:`notice` shows a toast and clears it, and any others, ``seconds`` later."""

    _notices_timer: Timer | None = None

    def notice(self, message: str, severity: SeverityLevel = "information", seconds: float = 3.0) -> None:
        """Show ``message`` for about ``seconds``, with every notice still shown, until then."""
        self.notify(message, severity=severity, timeout=HELD_S, markup=False)
        if self._notices_timer is not None:
            self._notices_timer.stop()
        self._notices_timer = self.set_timer(seconds, self.clear_notifications)
