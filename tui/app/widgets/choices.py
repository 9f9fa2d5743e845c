"""The choice panel: every component ready to move and what it would do; keys 1-9 pick."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from tui.session.views import Snapshot


def choices_text(snap: Snapshot) -> Text:
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


class ChoicePanel(Static):
    """Lists the runnable components; highlighted while the run waits for a person."""

    def show(self, snap: Snapshot) -> None:
        self.set_class(snap.waiting_for_pick, "waiting")
        self.border_title = choices_title(snap)
        self.update(choices_text(snap))
