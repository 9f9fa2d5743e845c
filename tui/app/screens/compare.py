"""Two forks side by side: overrides, milestones, DNS answer, failed services, violations, divergence."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from tui.app.literal import literal
from tui.app.screens.once import OnceModal
from tui.clock import from_sim
from tui.session.views import Comparison, ForkSummary


def _at(seconds: float | None) -> Text:
    if seconds is None:
        return Text("not reached", style="green")
    return Text(from_sim(seconds).strftime("%H:%M:%S"), style="bold red")


def _dns(fork: ForkSummary) -> Text:
    if fork.dns.empty:
        return Text("ANSWER: 0", style="bold white on red")
    return Text(f"ANSWER: {len(fork.dns.records)} (plan {fork.dns.plan})", style="green")


def _overrides(fork: ForkSummary) -> Text:
    """A fork's ``--set`` overrides, one a line: what makes it differ from its parent besides its moves."""
    if not fork.overrides:
        return Text("none", style="dim")
    return Text("\n".join(fork.overrides), style="bold yellow")


def compare_table(cmp: Comparison) -> Table:
    left, right = cmp.left, cmp.right
    table = Table(expand=True, show_lines=False, header_style="bold", caption=cmp.when or None)
    table.add_column("", style="bold", no_wrap=True)
    table.add_column(left.name, overflow="fold")
    table.add_column(right.name, overflow="fold")
    table.add_row(
        "now", f"step {left.step}, {from_sim(left.now):%H:%M:%S}", f"step {right.step}, {from_sim(right.now):%H:%M:%S}"
    )
    if left.overrides or right.overrides:  # forks that differ only by their moves need no row saying so
        table.add_row("--set", _overrides(left), _overrides(right))
    # The step counter as the header shows it: both timelines were at this step, and their next moves differ
    # (the same number as ``run --session``'s ``diverged_at`` and the fork's "diverges at step").
    div = "never (one extends the other)" if cmp.diverged_at is None else f"step {cmp.diverged_at} (next moves differ)"
    table.add_row("diverged at", div, div)
    table.add_row("DNS answer", _dns(left), _dns(right))

    def failed(fork: ForkSummary) -> Text:
        if not fork.failed:
            return Text("none", style="green")
        return Text(", ".join(f"{n} {from_sim(t):%H:%M}" for n, t in fork.failed), style="red")

    table.add_row("failed", failed(left), failed(right))
    table.add_row(
        "violations",
        Text(", ".join(left.violations) or "none", style="red" if left.violations else "green"),
        Text(", ".join(right.violations) or "none", style="red" if right.violations else "green"),
    )
    lm, rm = dict(left.milestones), dict(right.milestones)
    names = list(lm) + [m for m in rm if m not in lm]
    reached = [m for m in names if lm.get(m) is not None or rm.get(m) is not None]
    for name in reached:
        table.add_row(name, _at(lm.get(name)), _at(rm.get(name)))
    if len(reached) < len(names):
        rest = Text(f"{len(names) - len(reached)} more milestones reached by neither", style="dim")
        table.add_row("", rest, "")
    return table


class CompareScreen(OnceModal[None]):
    """The compare view; escape or v closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,v,q", "dismiss", "Close", id="compare.close"),
        Binding("s", "app.slide", "Slide", id="compare.slide"),  # a talk can stop on this view
    ]

    def __init__(self, comparison: Comparison) -> None:
        super().__init__()
        self.comparison = comparison

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="compare-box") as box:
            box.border_title = literal(f"Compare {self.comparison.left.name} ↔ {self.comparison.right.name}")
            yield Static(compare_table(self.comparison), id="compare-table")
