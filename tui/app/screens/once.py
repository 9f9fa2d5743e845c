"""Overlays that close once, and close themselves: keys typed faster than the screen closes do no harm.

Enter pressed twice in a dialog (or escape twice on an overlay) reaches the
screen again before Textual has popped it; a second ``dismiss`` then pops a
screen that is no longer on top and fails with ``ScreenStackError``.

Textual's ``dismiss`` pops whichever screen is on top. Enter in a dialog
followed at once by ctrl+p can open the palette over the dialog before the
dialog handles its Enter: the dismissal then closed the palette and left the
dialog open for good, deaf to Escape, taking every key (``q`` included) as
text. Here a dialog that is not on top when it is dismissed waits until it is
on top again (the screen over it closed), then closes with its result.
"""

from __future__ import annotations

import asyncio
from typing import Any, TypeVar

from textual.await_complete import AwaitComplete
from textual.screen import ModalScreen

ResultType = TypeVar("ResultType")


class OnceModal(ModalScreen[ResultType]):
    """A modal screen whose first dismissal wins; later ones do nothing."""

    _dismissed_once = False
    #: A result to close with once this screen is on top again (a one-item tuple: the result may be None).
    _closing_with: tuple[Any] | None = None

    def dismiss(self, result: Any = None) -> AwaitComplete:
        if self._dismissed_once:
            return AwaitComplete(asyncio.sleep(0))  # nothing to wait for: the first dismissal is under way
        self._dismissed_once = True
        if self.is_attached and self.app.screen is not self:
            self._closing_with = (result,)
            return AwaitComplete(asyncio.sleep(0))
        return super().dismiss(result)

    def on_screen_resume(self) -> None:
        """On top again: finish a dismissal that came while another screen covered this one."""
        if self._closing_with is not None:
            (result,), self._closing_with = self._closing_with, None
            super().dismiss(result)
