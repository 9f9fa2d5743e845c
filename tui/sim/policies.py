"""Choice policies: who moves next at each decision point.

A policy only ever sees the ordered list of runnable choices and the run's
own seeded RNG, never Trio's scheduler or the wall clock.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from tui.errors import BadInput
from tui.sim.controller import Choice

POLICY_NAMES = ("canonical", "random", "manual")


@dataclass(frozen=True)
class Policy:
    """Base policy: ``timing`` selects how loosely the controller orders gates."""

    name: str
    timing: str
    draws: bool = False  # whether ``choose`` uses the RNG

    def choose(self, choices: Sequence[Choice], rng: random.Random) -> int:
        return 0


@dataclass(frozen=True)
class Canonical(Policy):
    """The scenario's own schedule: the earliest gate, ties by rank then sequence."""

    name: str = "canonical"
    timing: str = "canonical"


@dataclass(frozen=True)
class RandomPolicy(Policy):
    """A seeded random pick among the runnable components (with jittered delays)."""

    name: str = "random"
    timing: str = "random"
    draws: bool = True

    def choose(self, choices: Sequence[Choice], rng: random.Random) -> int:
        return rng.randrange(len(choices)) if len(choices) > 1 else 0


@dataclass(frozen=True)
class Manual(Policy):
    """A person picks; when asked to choose by itself it behaves canonically."""

    name: str = "manual"
    timing: str = "manual"


def make_policy(name: str) -> Policy:
    if name == "canonical":
        return Canonical()
    if name == "random":
        return RandomPolicy()
    if name == "manual":
        return Manual()
    raise BadInput(f"--policy {name}: expected one of {', '.join(POLICY_NAMES)}")
