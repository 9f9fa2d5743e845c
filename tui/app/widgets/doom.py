"""The doom meter: in the explorer's DNS core, how many continuations from here empty the endpoint.

Counting continuations can take a good part of a second, so it runs in a
thread worker, one at a time: a newer step cancels the older count
(``exclusive``), the count notices between two states and stops, and a
cancelled count's result is never shown for the wrong state. The session's
Trio code never waits for it. The full timed world cannot be enumerated, so
there the panel is hidden and takes no row of the screen (nor of an exported
frame); the help screen says how to get a world where it can (:data:`HELP`).
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from rich.text import Text
from textual import work
from textual.timer import Timer
from textual.worker import get_current_worker

from tui.app.widgets.panel import Panel
from tui.explore.doom import EVERY, NONE, SOME, DoomMeter, doom_meter
from tui.record.format import World
from tui.session.views import Snapshot

#: How many choices ahead the meter looks: deep enough to see the race, short enough to count in under a second.
HORIZON = 12
#: How long the stepping must pause before a count starts.
SETTLE_S = 0.15
BAR = 12
STYLES = {EVERY: "bold white on red", SOME: "bold black on yellow", NONE: "bold black on green"}
#: What the meter is and how to see it, for the help screen: in the full world it is not shown at all.
HELP = (
    f"Under the choices, in the explorer's DNS core only: how many continuations of the next {HORIZON} moves "
    "empty the endpoint, and each listed choice's verdict (every / some / none). The full timed world cannot be "
    "counted; to see it, save a counterexample with outage-tui explore --save DIR, then open it with "
    "outage-tui replay --session FILE."
)


def verdicts(meter: DoomMeter, snap: Snapshot) -> list[tuple[int, str, str]]:
    """(key, component, every/some/none) for each listed choice.

    The meter counts from the state after the moves the explorer takes at once
    (Route 53 propagation, first steps, polls for a plan already seen), which
    change nothing the race depends on: such a move leads where the meter
    already stands, so it gets the overall verdict.
    """
    overall = EVERY if meter.continuations and meter.doomed == meter.continuations else SOME if meter.doomed else NONE
    by_component = {c.component: c.verdict for c in meter.choices}
    return [(c.key, c.component, by_component.get(c.component, overall)) for c in snap.choices]


def meter_text(meter: DoomMeter, snap: Snapshot) -> Text:
    """A bar and the share, then each listed choice's verdict."""
    filled = round(meter.share * BAR)
    out = Text(no_wrap=True, overflow="ellipsis")
    out.append("█" * filled, style="red")
    out.append("░" * (BAR - filled), style="green")
    paths = "continuation empties" if meter.continuations == 1 else "continuations empty"
    out.append(
        f" doom: {meter.doomed:,} of {meter.continuations:,} {paths} the endpoint ({meter.share:.0%})",
        style="bold",
    )
    bound = "" if meter.complete else ", cut short"
    out.append(f" (next {meter.horizon} moves{bound})", style="dim")
    out.append("\n")
    for n, (key, _component, verdict) in enumerate(verdicts(meter, snap)):
        if n:
            out.append(" ")
        out.append(f"{key}", style="bold reverse")
        out.append(f" {verdict}", style=STYLES[verdict])
    if not snap.choices:
        out.append("no moves left", style="dim")
    return out


class DoomPanel(Panel):
    """Under the choices: the doom share for the current state, recomputed in the background as you step.

    Shown only with the ``meter`` class (the DNS core): the stylesheet hides it otherwise.
    """

    snap: Snapshot | None = None
    #: The state the numbers on screen belong to, and the numbers.
    shown_for: Hashable | None = None
    meter: DoomMeter | None = None
    #: The state being counted now (None when idle).
    pending: Hashable | None = None
    _later: Timer | None = None

    def show(self, snap: Snapshot) -> None:
        self.snap = snap
        if snap.world != World.DNS_CORE or snap.scenario is None:
            self.set_class(False, "meter")  # hidden: nothing to count here
            return
        self.set_class(True, "meter")
        key = (snap.fork, snap.scenario.sha256, tuple(snap.scenario.overrides), snap.moves)
        if key == self.shown_for and self.meter is not None:
            self.show_body(meter_text(self.meter, snap))
            return
        if key != self.pending:
            self.pending = key
            self.show_body(Text(f"doom meter: counting the next {HORIZON} moves…", style="dim italic"))
            # Wait until the stepping pauses: holding ``n`` then starts one count, not one per step.
            if self._later is not None:
                self._later.stop()
            self._later = self.set_timer(SETTLE_S, lambda: self._start(key, snap.scenario, snap.moves))

    def _start(self, key: Hashable, scenario: Any, moves: tuple[int, ...]) -> None:
        self._later = None
        if key == self.pending:
            self.count(key, scenario, moves)

    @work(thread=True, exclusive=True, group="doom", exit_on_error=False)
    def count(self, key: Hashable, scenario: Any, moves: tuple[int, ...]) -> None:
        """Count in a thread; a newer state cancels this one and its result is never shown."""
        worker = get_current_worker()
        try:
            meter = doom_meter(scenario, moves, horizon=HORIZON, cancelled=lambda: worker.is_cancelled)
        except Exception as err:  # noqa: BLE001  # shown, not raised: a meter that fails must not end the replay
            if not get_current_worker().is_cancelled:
                self.app.call_from_thread(self._failed, key, f"{type(err).__name__}: {err}")
            return
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._counted, key, meter)

    def _counted(self, key: Hashable, meter: DoomMeter) -> None:
        if key != self.pending:
            return
        self.pending, self.shown_for, self.meter = None, key, meter
        if self.snap is not None:
            self.show_body(meter_text(meter, self.snap))

    def _failed(self, key: Hashable, why: str) -> None:
        if key == self.pending:
            self.pending = None
            self.show_body(Text(f"doom meter: cannot count from here ({why})", style="dim italic"))
