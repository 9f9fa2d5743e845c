"""The header: scenario, fork, incident clock (PDT), elapsed of 15h32m, compression, play state."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from tui.app.widgets.panel import Panel
from tui.clock import WINDOW_SECONDS, pdt_clock
from tui.record.format import World
from tui.session.views import Snapshot

#: How the header names a world other than the full timed run.
WORLD_NAMES = {World.DNS_CORE: "DNS core (untimed)"}


def elapsed(seconds: float) -> str:
    """Signed ``h:mm:ss`` since 23:48 PDT (negative in the lead-in)."""
    sign = "-" if seconds < 0 else "+"
    whole = int(abs(seconds))
    return f"{sign}{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}"


def window() -> str:
    whole = int(WINDOW_SECONDS)
    return f"{whole // 3600}h{whole // 60 % 60:02d}m"


def play_state(snap: Snapshot) -> Text:
    if snap.busy is not None:
        # A long move runs at headless speed, neither paced nor parked: "paused" would be wrong.
        return Text("» moving", style="bold cyan")
    if snap.done:
        return Text("■ ended", style="bold")
    if snap.waiting_for_pick:
        return Text("? your pick", style="bold black on yellow")
    if snap.playing:
        return Text("▶ playing", style="bold green")
    return Text("⏸ paused", style="bold yellow")


def header_text(snap: Snapshot) -> Table:
    grid = Table.grid(expand=True, padding=(0, 1))
    grid.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
    grid.add_column(justify="right", no_wrap=True)
    left = Text.assemble((snap.scenario_id, "bold"), "  fork ", (snap.fork, "bold cyan"), f"  {snap.policy}")
    clock = Text.assemble((pdt_clock(snap.now), "bold"), f"  {elapsed(snap.now)}/{window()}")
    if snap.world != "full":  # untimed: moves are counted, not seconds
        clock = Text.assemble((f"move {snap.step} of {snap.history}", "bold"), " recorded")
    grid.add_row(left, clock)
    live = "" if snap.live_compression is None else f" (now ×{snap.live_compression:,.0f})"
    right = Text.assemble(f"step {snap.step}  ×{snap.compression:,.0f}{live}  ", play_state(snap))
    if snap.world != World.FULL:
        # An untimed world has no pace to show; which world it is matters more (it fits at 80 columns).
        world = WORLD_NAMES.get(snap.world, snap.world)
        right = Text.assemble(f"step {snap.step}  ", (world, "bold magenta"), "  ", play_state(snap))
    if snap.recording is not None:
        right = Text.assemble(("● REC", "bold white on red"), " ", right)
    status = snap.status or "space plays · n steps · 1-9 pick · ? lists every key"
    grid.add_row(Text(status, style="italic", overflow="ellipsis"), right)
    return grid


class IncidentHeader(Panel):
    """Two lines at the top; shows no wall clock, so screenshots are stable."""

    def show(self, snap: Snapshot) -> None:
        self.show_body(header_text(snap))
