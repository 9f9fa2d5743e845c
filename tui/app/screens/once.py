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
from collections.abc import Callable
from typing import Any, TypeVar

from textual.await_complete import AwaitComplete
from textual.screen import ModalScreen, Screen

ResultType = TypeVar("ResultType")


def _nothing() -> AwaitComplete:
    return AwaitComplete(asyncio.sleep(0))


def close_once(screen: Screen[Any], result: Any, close: Callable[[Any], AwaitComplete]) -> AwaitComplete:
    """``screen``'s dismissal by ``close`` (its base class's ``dismiss``), the first time only, and only on top.

    Covered by another screen, it waits: :func:`close_when_on_top`, called as
    the screen resumes, finishes it. Shared by :class:`OnceModal` and the
    command palette (:mod:`tui.app.screens.palette`), which cannot inherit it.
    """
    if getattr(screen, "_dismissed_once", False):
        return _nothing()  # the first dismissal is under way
    screen._dismissed_once = True  # type: ignore[attr-defined]
    if screen.is_attached and screen.app.screen is not screen:
        screen._closing_with = (result,)  # type: ignore[attr-defined]
        return _nothing()
    return close(result)


def close_when_on_top(screen: Screen[Any], close: Callable[[Any], AwaitComplete]) -> None:
    """On top again: finish a dismissal that came while another screen covered ``screen``."""
    waiting = getattr(screen, "_closing_with", None)
    if waiting is not None:
        screen._closing_with = None  # type: ignore[attr-defined]
        close(waiting[0])


class OnceModal(ModalScreen[ResultType]):
    """A modal screen whose first dismissal wins; later ones do nothing."""

    def dismiss(self, result: Any = None) -> AwaitComplete:
        return close_once(self, result, super().dismiss)

    def on_screen_resume(self) -> None:
        close_when_on_top(self, super().dismiss)
