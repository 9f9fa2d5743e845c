"""A base for panels redrawn on every snapshot without a new layout.

``Static.update`` asks the whole screen for a new layout; these panels have
sizes fixed by the stylesheet, so a plain repaint of the one widget is enough
and keeps key-to-screen latency low while stepping.
"""

from __future__ import annotations

from rich.console import RenderableType
from rich.text import Text
from textual.widget import Widget


class Panel(Widget):
    """Shows ``body``; ``show_body`` swaps it and repaints this widget only."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.body: RenderableType = Text("")

    def show_body(self, body: RenderableType) -> None:
        self.body = body
        self.refresh()

    def render(self) -> RenderableType:
        return self.body
