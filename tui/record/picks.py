"""One move as taken, the same record wherever a move is kept: a live timeline, a replay, a long move.

A move is its index into the choices on offer, what it named (component,
action, virtual time) and who chose it. The index alone replays it, since
every step draws once from the policy's RNG whoever chooses; who chose it
tells a fork with changed overrides where to look for the same move first
(where the policy would make it, or at the index a person chose).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Pick:
    """One step as taken: index into the choices, what it named, who chose it."""

    index: int
    component: str
    action: str
    time: float
    by_policy: bool

    @property
    def hand(self) -> bool:
        """A person chose it (a session file's ``"hand": true``)."""
        return not self.by_policy


def divergence(a: Sequence[Pick], b: Sequence[Pick]) -> int | None:
    """The first step at which two timelines made different moves (None if one extends the other)."""
    for i, (x, y) in enumerate(zip(a, b, strict=False)):
        if (x.component, x.action, x.time) != (y.component, y.action, y.time):
            return i
    return None
