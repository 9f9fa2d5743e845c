"""The choice panel: every component ready to move and what it would do; keys 1-9 pick."""

from __future__ import annotations

import re

from rich.text import Text

from tui.app.widgets.panel import Panel
from tui.session.views import Snapshot

_ENDPOINT = re.compile(r"\.us-east-1\.(amazonaws\.com|api\.aws)\b")


def short_endpoints(action: str) -> str:
    """``dynamodb-fips.us-east-1.api.aws`` -> ``dynamodb-fips/api.aws``: fits a narrow panel, stays unambiguous."""
    return _ENDPOINT.sub(lambda m: "" if m[1] == "amazonaws.com" else "/api.aws", action)


def choices_text(snap: Snapshot, width: int = 100) -> Text:
    """One line per choice; below 60 columns the action goes on its own indented line."""
    narrow = width < 60
    out = Text(no_wrap=True, overflow="ellipsis")
    if snap.done:
        out.append("The window has ended.", style="dim")
        return out
    for choice in snap.choices:
        picked = snap.policy_pick is not None and choice.key - 1 == snap.policy_pick
        key = str(choice.key) if choice.key <= 9 else " "
        out.append(f"{key} ", style="bold reverse" if choice.key <= 9 else "dim")
        out.append("▶ " if picked else "  ", style="bold green")
        out.append(f"{choice.label}: ", style="bold")
        if narrow:
            out.append("\n   ")
            out.append(short_endpoints(choice.action))
        else:
            out.append(choice.action)
        if choice.delay > 0:
            out.append(f"  +{choice.delay:.2f}s", style="dim")
        out.append("\n")
    out.rstrip()
    return out


def choices_title(snap: Snapshot) -> str:
    if snap.waiting_for_pick:
        return f"Choices · pick 1-{min(len(snap.choices), 9)}"
    if snap.policy_pick is not None:
        return f"Choices · {snap.policy} picks {snap.policy_pick + 1}"
    return f"Choices · {snap.policy} policy"


class ChoicePanel(Panel):
    """Lists the runnable components; highlighted while the run waits for a person."""

    snap: Snapshot | None = None

    def show(self, snap: Snapshot) -> None:
        self.snap = snap
        self.set_class(snap.waiting_for_pick, "waiting")
        self.border_title = choices_title(snap)
        self.show_body(choices_text(snap, self.content_size.width or 100))

    def on_resize(self) -> None:
        if self.snap is not None:
            self.show_body(choices_text(self.snap, self.content_size.width or 100))
