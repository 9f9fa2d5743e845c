"""The command palette, safe to page through at any terminal size.

Textual's palette passes PgUp and PgDn to its result list, and the list
raises ``KeyError`` when it has results but no room to lay them out (a
terminal a few rows high, or one resized that small while the palette is
open), or a page key arrives before the palette has drawn its list. And when
a search is typed and Escape follows at once, the search's results (or its
"no matches" timer) can arrive after the palette has taken its widgets down,
and its search worker and watchers raised ``NoMatches``, which ended the
app. Here the page keys do nothing until the list is there and has room, and
a search or watcher does nothing once the widgets it updates are gone;
and it closes once, and only while on top, by the same rule as our own
overlays (:func:`tui.app.screens.once.close_once`): Enter
queued behind Escape no longer pops a screen that is not there. Everything else is Textual's (pinned,
so a change there shows in the tests; the soak test of random keys in tmux
found each of these).
"""

from __future__ import annotations

from typing import ClassVar

from textual import work
from textual.await_complete import AwaitComplete
from textual.binding import Binding, BindingType
from textual.command import CommandList
from textual.command import CommandPalette as TextualPalette
from textual.widgets import LoadingIndicator

from tui.app.screens.once import close_once, close_when_on_top

#: Textual's search, run by ours only while the palette still has its list.
_TEXTUAL_SEARCH = TextualPalette._gather_commands.__wrapped__  # type: ignore[attr-defined]


class CommandPalette(TextualPalette):
    """Textual's command palette, safe against keys that come faster than it draws (see the module)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("pagedown", "page(1)", "Next page", show=False),
        Binding("pageup", "page(-1)", "Previous page", show=False),
    ]

    def dismiss(self, result: object = None) -> AwaitComplete:
        """Close once, and only while on top: a late Enter or Escape must not pop the screen under it."""
        return close_once(self, result, super().dismiss)

    def on_screen_resume(self) -> None:
        close_when_on_top(self, super().dismiss)

    def action_page(self, direction: int) -> None:
        """Move the highlight a page, when the list has any room to show one."""
        found = self.query(CommandList)
        if not found:  # a page key typed before the palette has drawn itself
            return
        results = found.first()
        if not results.option_count or not results.scrollable_content_region:
            return
        if direction > 0:
            results.action_page_down()
        else:
            results.action_page_up()

    def _watch__list_visible(self) -> None:
        if self.query(CommandList):  # gone: the palette is closing
            super()._watch__list_visible()

    async def _watch__show_busy(self) -> None:
        if self.query(CommandList) and self.query(LoadingIndicator):
            await super()._watch__show_busy()

    @work(exclusive=True, group=TextualPalette._GATHER_COMMANDS_GROUP)
    async def _gather_commands(self, search_value: str) -> None:
        if self.query(CommandList):  # gone: the palette closed before this search began
            await _TEXTUAL_SEARCH(self, search_value)
