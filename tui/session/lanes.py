"""Per-lane history for the timeline: health changes and component activity.

Lanes are discovered, not listed: every key of ``world.health`` and every
``health`` event's ``lane`` becomes a health lane, every component that emits
an event becomes an activity lane. New cascade components therefore show up
without any change here.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field

from tui.sim.kinds import Kind
from tui.sim.trace import Event

#: Health states, worst last.
HEALTH_ORDER = ("ok", "degraded", "down")

#: Activity severities: 0 = it acted, 1 = it struggled, 2 = it broke something, 3 = a milestone.
WARN_KINDS = frozenset(
    {Kind.BATCH_ABORTED, Kind.LOCK_CONTENDED, Kind.BACKOFF, Kind.PLAN_ABANDONED, Kind.RESOLVER_NODATA}
)
ALARM_KINDS = frozenset({Kind.VIOLATION})
NOTE_KINDS = frozenset({Kind.MILESTONE, Kind.OPERATOR_ACTION, Kind.OPERATOR_REPAIRED})
SEVERITIES = 4


def severity(event: Event) -> int:
    """How loudly an event should show on its component's lane."""
    if event.kind in ALARM_KINDS:
        return 2
    if event.kind in NOTE_KINDS:
        return 3
    if event.kind in WARN_KINDS or event.kind.endswith((".failed", ".error", ".errors")):
        return 1
    return 0


@dataclass
class HealthLane:
    """A lane's health over time as a list of changes (time, state)."""

    name: str
    times: list[float] = field(default_factory=list)
    states: list[str] = field(default_factory=list)

    def add(self, time: float, state: str) -> None:
        if self.states and self.states[-1] == state:
            return
        self.times.append(time)
        self.states.append(state)

    def state_at(self, time: float) -> str | None:
        i = bisect_right(self.times, time) - 1
        return self.states[i] if i >= 0 else None

    def worst(self, start: float, end: float) -> str | None:
        """The worst state the lane was in at any moment of ``[start, end)``."""
        first = self.state_at(start)
        lo, hi = bisect_right(self.times, start), bisect_left(self.times, end)
        seen = [first] if first is not None else []
        seen += self.states[lo:hi]
        if not seen:
            return None
        return max(seen, key=lambda s: HEALTH_ORDER.index(s) if s in HEALTH_ORDER else 1)

    def ever(self, state: str) -> float | None:
        """When the lane first entered ``state``, if it ever did."""
        return next((t for t, s in zip(self.times, self.states, strict=True) if s == state), None)


@dataclass
class ActivityLane:
    """When a component acted, one sorted list of times per severity."""

    name: str
    times: tuple[list[float], ...] = field(default_factory=lambda: tuple([] for _ in range(SEVERITIES)))

    def add(self, time: float, level: int) -> None:
        self.times[level].append(time)

    def loudest(self, start: float, end: float) -> int | None:
        """The highest severity of any event in ``[start, end)``, or None when idle."""
        for level in (3, 2, 1, 0):
            times = self.times[level]
            i = bisect_left(times, start)
            if i < len(times) and times[i] < end:
                return level
        return None


class LaneIndex:
    """Every lane of one timeline, fed event by event from the trace."""

    def __init__(self, start: float, initial_health: dict[str, str]) -> None:
        self.health: dict[str, HealthLane] = {}
        self.activity: dict[str, ActivityLane] = {}
        self.events = 0  # how many events it has taken in
        for name, state in initial_health.items():
            self.health_lane(name).add(start, state)

    def copy(self) -> LaneIndex:
        """An independent copy (a fork goes on from its parent's lanes)."""
        other = LaneIndex.__new__(LaneIndex)
        other.events = self.events
        other.health = {n: HealthLane(n, list(h.times), list(h.states)) for n, h in self.health.items()}
        other.activity = {n: ActivityLane(n, tuple(list(t) for t in a.times)) for n, a in self.activity.items()}
        return other

    def health_lane(self, name: str) -> HealthLane:
        lane = self.health.get(name)
        if lane is None:
            lane = self.health[name] = HealthLane(name)
        return lane

    def truncated(self, events: Sequence[Event], keep: int, start: float, initial: dict[str, str]) -> LaneIndex:
        """A copy as it was after the first ``keep`` of ``events`` (the events it was fed), for going back.

        Virtual time never runs backwards, so everything a lane holds from
        before the last kept event's instant came from kept events: cut each
        lane there (a bisect), then feed again the kept events of that very
        instant. That costs a few lanes' worth of copying, not a replay of
        every event since the start.
        """
        if keep <= 0 or not events:
            return LaneIndex(start, initial)
        cut = events[keep - 1].time
        if cut <= start:
            fresh = LaneIndex(start, initial)
            for event in events[:keep]:
                fresh.add(event)
            return fresh
        other = LaneIndex.__new__(LaneIndex)
        other.health = {}
        for name, lane in self.health.items():
            i = bisect_left(lane.times, cut)
            if i:
                other.health[name] = HealthLane(name, lane.times[:i], lane.states[:i])
        other.activity = {}
        for name, act in self.activity.items():
            cuts = tuple(times[: bisect_left(times, cut)] for times in act.times)
            if any(cuts):
                other.activity[name] = ActivityLane(name, cuts)
        first = keep
        while first > 0 and events[first - 1].time == cut:
            first -= 1
        other.events = first
        for event in events[first:keep]:
            other.add(event)
        return other

    def add(self, event: Event) -> None:
        self.events += 1
        if event.kind == Kind.HEALTH and "lane" in event.data:
            self.health_lane(str(event.data["lane"])).add(event.time, str(event.data.get("state", "degraded")))
        lane = self.activity.get(event.component)
        if lane is None:
            lane = self.activity[event.component] = ActivityLane(event.component)
        lane.add(event.time, severity(event))

    def failed(self) -> dict[str, float]:
        """Lanes that went down (or degraded), with when they first did."""
        out: dict[str, float] = {}
        for name, lane in self.health.items():
            when = lane.ever("down")
            if when is None:
                when = lane.ever("degraded")
            if when is not None:
                out[name] = when
        return out


#: The timeline's lane groups, in the order the incident unfolds: the race, what it took down, then the
#: network and the services behind them. A lane nobody listed lands in the last group, so a new
#: component still shows.
GROUPS = ("DNS automation", "DynamoDB and EC2", "network", "services")
_HEALTH_GROUP = {"dns": 0, "dynamodb": 1, "ec2-dwfm": 1, "ec2": 1, "netmgr": 2, "nlb": 2}
_COMPONENT_GROUP = {
    "planner": 0,
    "enactor": 0,
    "route53": 0,
    "cleanup": 0,
    "resolvers": 0,
    "dynamodb-clients": 1,
    "dwfm": 1,
    "ec2": 1,
    "network-manager": 2,
    "nlb": 2,
}


def lane_group(name: str, health: bool) -> int:
    """Index into :data:`GROUPS` for a health lane or a component's activity lane."""
    if health:
        return _HEALTH_GROUP.get(name, len(GROUPS) - 1)
    return _COMPONENT_GROUP.get(name.partition("/")[0], len(GROUPS) - 1)
