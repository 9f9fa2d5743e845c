"""Display pacing: how much wall time each simulated step is shown for.

Pacing never changes a run. The session steps the simulation exactly as a
headless run would; the pacer only says how long the screen should linger on
the result. The whole 15h32m window plays in a few minutes: virtual time is
compressed by a base rate, every step costs a little wall time (so stretches
dense with actions, like the race, slow down on their own), and notable
events (a milestone, a broken invariant, a lane changing health) hold the
screen for a moment so a viewer sees them happen.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from tui.sim.trace import Event

#: Virtual seconds per wall second at speed 1: 15h32m plus the lead-in in about 2 minutes of quiet time.
BASE_RATE = 500.0
#: Wall seconds every step costs at speed 1, so a burst of actions is visible.
STEP_COST = 0.0015
#: Extra wall seconds an event of this kind holds the screen, at speed 1.
DWELL = {"milestone": 1.0, "violation": 1.0, "health": 0.3, "operator.action": 0.5, "operator.repaired": 0.5}
#: Speed factors offered by the speed keys.
SPEEDS = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 64.0)


@dataclass(frozen=True)
class Pacer:
    """Wall-clock cost of steps; the owner divides by the user's speed factor."""

    base_rate: float = BASE_RATE
    step_cost: float = STEP_COST
    dwell: dict[str, float] = field(default_factory=lambda: dict(DWELL))

    def cost(self, virtual_delta: float, events: Iterable[Event], speed: float = 1.0) -> float:
        """Wall seconds to show one step that advanced ``virtual_delta`` and emitted ``events``."""
        hold = sum(self.dwell.get(e.kind, 0.0) for e in events)
        return (max(virtual_delta, 0.0) / self.base_rate + self.step_cost + hold) / speed

    def compression(self, speed: float) -> float:
        """Nominal virtual seconds per wall second, as the header shows it."""
        return self.base_rate * speed


def faster(speed: float) -> float:
    """The next speed up from ``speed`` (stays at the top)."""
    return next((s for s in SPEEDS if s > speed), SPEEDS[-1])


def slower(speed: float) -> float:
    """The next speed down from ``speed`` (stays at the bottom)."""
    return next((s for s in reversed(SPEEDS) if s < speed), SPEEDS[0])
