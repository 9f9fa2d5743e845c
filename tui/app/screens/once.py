"""Overlays that close once: keys typed faster than the screen closes are never a second dismissal.

Enter pressed twice in a dialog (or escape twice on an overlay) reaches the
screen again before Textual has popped it; a second ``dismiss`` then pops a
screen that is no longer on top and fails with ``ScreenStackError``.
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

    def dismiss(self, result: Any = None) -> AwaitComplete:
        if self._dismissed_once:
            return AwaitComplete(asyncio.sleep(0))  # nothing to wait for: the first dismissal is under way
        self._dismissed_once = True
        return super().dismiss(result)
