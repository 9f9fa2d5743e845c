"""The choice panel: every component ready to move and what it would do; keys 1-9 pick."""

from __future__ import annotations

import re

from rich.text import Text

from tui.app.widgets.panel import Panel
from tui.session.views import Snapshot, own_words

_ENDPOINT = re.compile(r"\.us-east-1\.(amazonaws\.com|api\.aws)\b")


def short_endpoints(action: str) -> str:
    """``dynamodb-fips.us-east-1.api.aws`` -> ``dynamodb-fips/api.aws``: fits a narrow panel, stays unambiguous."""
    return _ENDPOINT.sub(lambda m: "" if m[1] == "amazonaws.com" else "/api.aws", action)


def rows_per_choice(width: int) -> int:
    """Below 60 columns the action goes on its own indented line."""
    return 2 if width < 60 else 1


def fitting(snap: Snapshot, width: int, height: int) -> int:
    """How many choices the panel shows in full (key, label and action), at most nine."""
    if height <= 0:
        return min(len(snap.choices), 9)
    return max(min(len(snap.choices), 9, height // rows_per_choice(width)), min(len(snap.choices), 1))


def choices_text(snap: Snapshot, width: int = 100, height: int = 0) -> Text:
    """One line per choice (two when narrow), only as many as fit whole: the title names the rest."""
    narrow = rows_per_choice(width) == 2
    out = Text(no_wrap=True, overflow="ellipsis")
    if snap.done:
        out.append("The window has ended.", style="dim")
        return out
    for choice in snap.choices[: fitting(snap, width, height)]:
        picked = snap.policy_pick is not None and choice.key - 1 == snap.policy_pick
        out.append(f"{choice.key} ", style="bold reverse")
        out.append("▶ " if picked else "  ", style="bold green")
        out.append(f"{choice.label}: ", style="bold")
        action = short_endpoints(own_words(choice.label, choice.action))
        if narrow:
            out.append("\n   ")
        out.append(action)
        if choice.delay > 0 and snap.world == "full":  # an untimed world has no delays to show
            out.append(f"  +{choice.delay:.2f}s", style="dim")
        out.append("\n")
    out.rstrip()
    return out


def choices_title(snap: Snapshot, shown: int | None = None) -> str:
    """What the keys do, naming only the choices on screen; the others are counted (ctrl+p lists every one)."""
    total = len(snap.choices)
    shown = min(total, 9) if shown is None else shown
    more = f" · {total - shown} more: ctrl+p" if shown < total else ""
    if snap.waiting_for_pick:
        keys = "pick 1" if shown == 1 else f"pick 1-{shown}"
        return f"Choices · {keys} of {total}{more}" if more else f"Choices · {keys}"
    if snap.policy_pick is not None:
        return f"Choices · {snap.policy} picks {snap.policy_pick + 1}{more}"
    return f"Choices · {snap.policy} policy{more}"


class ChoicePanel(Panel):
    """Lists the runnable components; highlighted while the run waits for a person."""

    snap: Snapshot | None = None

    def show(self, snap: Snapshot) -> None:
        self.snap = snap
        self.set_class(snap.waiting_for_pick, "waiting")
        self._draw()

    def _draw(self) -> None:
        snap = self.snap
        if snap is None:
            return
        width, height = self.content_size.width or 100, self.content_size.height
        self.border_title = choices_title(snap, fitting(snap, width, height))
        self.show_body(choices_text(snap, width, height))

    def on_resize(self) -> None:
        self._draw()
