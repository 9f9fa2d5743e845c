"""Shared fixtures: one canonical run per test session, helpers to run scenarios."""

from __future__ import annotations

from typing import Any

import pytest

from tui.scenario import load_scenario
from tui.sim.simulation import run_headless
from tui.sim.trace import Event


class Recorded:
    """A finished run: its summary and every event."""

    def __init__(self, summary: dict[str, Any], events: list[Event]) -> None:
        self.summary = summary
        self.events = events

    def of(self, kind: str, component: str | None = None) -> list[Event]:
        return [e for e in self.events if e.kind == kind and (component is None or e.component == component)]


def record(name: str = "us-east-1-2025-10-20", overrides: list[str] | None = None, **kwargs: Any) -> Recorded:
    events: list[Event] = []
    summary = run_headless(load_scenario(name, overrides or []), on_event=events.append, **kwargs)
    return Recorded(summary, events)


@pytest.fixture(scope="session")
def canonical() -> Recorded:
    """The full canonical run of the built-in scenario, shared by every test that only reads it."""
    return record()
