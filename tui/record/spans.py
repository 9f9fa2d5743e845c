"""Spans of a timeline's trace: how long each lane was impaired, and how long the DNS endpoint was empty.

A trace is a list of instants; a postmortem reader (and Perfetto) wants
durations. They are read from structured event data only: ``health`` events
(a lane's state, ``ok``, ``degraded`` or ``down``) and the two DNS milestones
the world reaches when the regional endpoint's published answer goes empty
and comes back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from tui.sim.kinds import Kind
from tui.sim.trace import Event

#: The milestone reached when the regional endpoint's published answer goes empty (``World.on_publish``).
ENDPOINT_EMPTY = "dns.endpoint_empty"
#: The milestone reached when it answers again.
DNS_RESTORED = "dns.restored"
#: The one health state that is not an impairment.
HEALTHY = "ok"


@dataclass(frozen=True)
class Span:
    """``[start, end]`` in virtual seconds on one track; ``closed`` is False when the run ended first."""

    track: str
    name: str
    #: What it measures: ``dns`` (the endpoint empty), ``health`` (a lane impaired), ``health.state`` (a part).
    cat: str
    start: float
    end: float
    start_step: int
    end_step: int
    closed: bool
    args: dict[str, Any] = field(default_factory=dict)
    #: Spans inside this one that tile it (a lane's successive states while impaired).
    parts: tuple[Span, ...] = ()


def health_track(lane: str) -> str:
    """The track of a lane's health (a component's or a service's: ``dns``, ``ec2-dwfm``, ``lambda``)."""
    return f"health {lane}"


def endpoint_track(endpoint: str) -> str:
    """The track of a DNS endpoint's published answer."""
    return f"dns {endpoint}"


def run_end(events: Sequence[Event], last_move: float) -> float:
    """When a timeline ends: its last move, or a later event (none is later in a timed run)."""
    return max([last_move, *(e.time for e in events[-1:])])


@dataclass
class _Open:
    start: float
    step: int
    states: list[tuple[str, float, int]]  # (state, since, step)


def impaired_spans(events: Sequence[Event], end: float, end_step: int) -> list[Span]:
    """Every span a lane spent in a non-``ok`` state, in the order they started.

    A span opens at the first ``health`` event of a lane that is not
    ``ok`` and closes at the next ``ok`` one, or at ``end`` if the run
    ends first. Each span holds one part per state it went through.
    """
    open_: dict[str, _Open] = {}
    done: list[Span] = []
    for event in events:
        if event.kind != "health" or "lane" not in event.data:
            continue
        lane, state = str(event.data["lane"]), str(event.data.get("state", "degraded"))
        current = open_.get(lane)
        if state != HEALTHY:
            if current is None:
                open_[lane] = _Open(event.time, event.step, [(state, event.time, event.step)])
            elif current.states[-1][0] != state:
                current.states.append((state, event.time, event.step))
        elif current is not None:
            done.append(_close(lane, open_.pop(lane), event.time, event.step, closed=True))
    done += [_close(lane, span, end, end_step, closed=False) for lane, span in open_.items()]
    done.sort(key=lambda s: (s.start, s.start_step))
    return done


def _close(lane: str, span: _Open, end: float, end_step: int, closed: bool) -> Span:
    track = health_track(lane)
    bounds = [*span.states[1:], (HEALTHY, end, end_step)]
    parts = tuple(
        Span(track, state, "health.state", since, until, step, until_step, closed or i < len(bounds) - 1)
        for i, ((state, since, step), (_, until, until_step)) in enumerate(zip(span.states, bounds, strict=True))
    )
    states = [s for s, _, _ in span.states]
    worst = "down" if "down" in states else states[0]
    args = {"lane": lane, "states": states, "worst": worst, "healthy_again": closed}
    return Span(track, f"{lane} impaired", "health", span.start, end, span.step, end_step, closed, args, parts)


def empty_endpoint_span(events: Sequence[Event], end: float, end_step: int) -> Span | None:
    """From the endpoint-empty milestone to the restored one (or the end of the run); None if never empty."""
    empty = _milestone(events, ENDPOINT_EMPTY)
    if empty is None:
        return None
    restored = _milestone(events, DNS_RESTORED)
    endpoint = str(empty.data.get("endpoint"))
    args = {"endpoint": endpoint, "from": ENDPOINT_EMPTY, "to": DNS_RESTORED if restored else None}
    until, until_step = (end, end_step) if restored is None else (restored.time, restored.step)
    track = endpoint_track(endpoint)
    return Span(track, "endpoint empty", "dns", empty.time, until, empty.step, until_step, restored is not None, args)


def _milestone(events: Sequence[Event], name: str) -> Event | None:
    return next((e for e in events if e.kind == Kind.MILESTONE and e.data.get("id") == name), None)
