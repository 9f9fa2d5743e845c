"""Frozen views of a session for display: what a screen draws, nothing it can change.

The Trio side builds these and posts them; the UI never reads a component or
the controller directly. Two references are shared rather than copied for
cost: the trace (append-only, read up to ``event_count``) and the lane index
(append-only, read up to ``now``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tui.record.format import World
from tui.record.picks import divergence
from tui.session.lanes import LaneIndex
from tui.session.timeline import Note, Timeline
from tui.sim.trace import Event

if TYPE_CHECKING:
    from tui.record.markers import Marker
    from tui.scenario import Scenario



def display_name(component: str) -> str:
    """A component as the AWS summary would name it: ``enactor/use1-az2`` -> ``Enactor use1-az2``, ``dwfm`` -> ``DWFM``.

    One spelling everywhere (choices, timeline, palette): the actions already
    say "DWFM: …" and "NLB: …", and a label reading "Dwfm" beside them looks
    like two different things.
    """
    kind, _, where = component.partition("/")
    names = {
        "enactor": "Enactor",
        "cleanup": "Clean-up",
        "route53": "Route 53",
        "planner": "Planner",
        "dwfm": "DWFM",
        "ec2": "EC2",
        "nlb": "NLB",
        "dynamodb-clients": "DynamoDB clients",
        "network-manager": "Network Manager",
        "resolvers": "Resolvers",
        "services": "Services",
        "operators": "Operators",
    }
    label = names.get(kind, kind[:1].upper() + kind[1:])
    return f"{label} {where}" if where else label


def own_words(label: str, action: str) -> str:
    """The action without a leading ``"<label>: "``: shown beside its label, the name would read twice."""
    head, sep, rest = action.partition(": ")
    return rest if sep and head.lower() == label.lower() else action


@dataclass(frozen=True)
class ChoiceView:
    """One runnable component and its next action, in plain words."""

    key: int
    component: str
    label: str
    action: str
    delay: float
    kind: str = ""  # the structured action's kind (``enactor.retry``, ...): what code tests, never the words


@dataclass(frozen=True)
class ResolverSummary:
    """What the resolver fleet has cached for the regional endpoint."""

    total: int
    positive: int
    negative: int
    plans: tuple[tuple[int | None, int], ...]
    negative_until: float | None


@dataclass(frozen=True)
class DnsView:
    """The authoritative answer for the regional endpoint, as ``dig`` would print it."""

    endpoint: str
    records: tuple[str, ...]
    ttl: int
    plan: int | None
    writer: str | None
    resolvers: ResolverSummary

    @property
    def empty(self) -> bool:
        return not self.records


@dataclass(frozen=True)
class ForkInfo:
    """One node of the fork tree."""

    name: str
    parent: str | None
    forked_at: int
    overrides: tuple[str, ...]
    step: int
    now: float
    current: bool
    #: The seed of a timeline opened from a sweep's run (or a fork of one); None: the session's.
    seed: int | None = None


@dataclass(frozen=True)
class ForkSummary:
    """What one timeline came to, for the compare view."""

    name: str
    step: int
    now: float
    milestones: tuple[tuple[str, float | None], ...]
    dns: DnsView
    failed: tuple[tuple[str, float], ...]
    violations: tuple[str, ...]
    #: The ``--set`` overrides this timeline runs under on top of the session's (a fork's own and its parents').
    overrides: tuple[str, ...] = ()


@dataclass(frozen=True)
class Comparison:
    """Two forks side by side and where their moves first differed."""

    left: ForkSummary
    right: ForkSummary
    diverged_at: int | None
    #: When both are shown, in words ("both at 23:55:00", or which one has not got there).
    when: str = ""


@dataclass(frozen=True)
class Snapshot:
    """Everything the screen shows at one instant of one timeline."""

    scenario_id: str
    title: str
    fork: str
    policy: str
    step: int
    now: float
    start: float
    end: float
    done: bool
    playing: bool
    waiting_for_pick: bool
    speed: float
    compression: float
    live_compression: float | None
    choices: tuple[ChoiceView, ...]
    policy_pick: int | None
    dns: DnsView
    milestones: tuple[tuple[str, float | None], ...]
    violations: tuple[str, ...]
    forks: tuple[ForkInfo, ...]
    events: Sequence[Event]
    event_count: int
    lanes: LaneIndex
    status: str
    generation: int
    notes: tuple[Note, ...] = ()
    #: The session file being written, if recording.
    recording: str | None = None
    #: A long move in progress (go to, jump, fork, reopen), run at headless speed off the UI:
    #: what it is, how far (0..1, None when unknown), and the estimated wall seconds left.
    busy: str | None = None
    progress: float | None = None
    eta_s: float | None = None
    #: The world the timeline runs in: the full one or the explorer's untimed DNS core.
    world: World = World.FULL
    #: The choice indices taken so far on this timeline: with ``scenario``, enough to rebuild its state elsewhere.
    moves: tuple[int, ...] = ()
    #: The timeline's scenario (a ``tui.scenario.Scenario``, with a fork's own overrides).
    scenario: Scenario | None = None
    #: Where a talk stops (``tui.record.markers.Marker``), and the one last gone to or made.
    markers: tuple[Marker, ...] = ()
    marker: int | None = None
    #: Goes up by one each time a marker is gone to: the screen then shows that marker's recorded view.
    marker_visits: int = 0
    #: How many moves the timeline's history holds; ``step`` is the cursor in it.
    history: int = 0


def dns_view(timeline: Timeline, hosted: bool = False) -> DnsView:
    """The regional endpoint's answer as resolvers get it, or with ``hosted`` as the zone holds it.

    The explorer's DNS core leaves propagation out of its verdicts (nobody in
    the core reads it), so its counterexamples end where the zone empties,
    before Route 53 publishes that: there the zone itself is the answer to show.
    """
    world = timeline.sim.world
    records, plan, writer = world.route53.authoritative[world.regional]
    if hosted:
        zone = world.route53.zones[world.regional]
        records, plan, writer = zone.answer(), zone.alias, zone.writer
    caches = world.resolvers
    negative = [c for c in caches if c.negative]
    plans = Counter(c.plan for c in caches if not c.negative and c.records)
    return DnsView(
        endpoint=world.regional,
        records=tuple(records),
        ttl=int(world.scenario.get("dns.record_ttl_s")),
        plan=plan,
        writer=writer,
        resolvers=ResolverSummary(
            total=len(caches),
            positive=len(caches) - len(negative),
            negative=len(negative),
            plans=tuple(sorted(plans.items(), key=lambda kv: (-kv[1], kv[0] or 0))),
            negative_until=max((c.expires_at for c in negative), default=None),
        ),
    )


def choice_views(timeline: Timeline) -> tuple[tuple[ChoiceView, ...], int | None]:
    sim = timeline.sim
    choices = sim.choices()
    views = tuple(
        ChoiceView(c.index + 1, c.component, display_name(c.component), c.action, c.time - sim.now, c.move.kind)
        for c in choices
    )
    pick: int | None = None
    recorded = timeline.recorded_next()
    if recorded is not None:
        pick = recorded.index  # behind the end of the history, the next move is the recorded one
    elif choices:
        pick = sim.planned_pick()  # drawn once per step: previewing never changes the run
    return views, pick


def milestones(timeline: Timeline) -> tuple[tuple[str, float | None], ...]:
    return tuple(timeline.sim.world.milestones.items())


def fork_summary(timeline: Timeline) -> ForkSummary:
    world = timeline.sim.world
    return ForkSummary(
        name=timeline.name,
        step=timeline.sim.steps,
        now=timeline.sim.now,
        milestones=milestones(timeline),
        dns=dns_view(timeline),
        failed=tuple(timeline.lanes.failed().items()),
        violations=tuple(sorted(world.violations)),
        overrides=tuple(timeline.extra_overrides),
    )


def compare(left: Timeline, right: Timeline) -> Comparison:
    return Comparison(fork_summary(left), fork_summary(right), divergence(left.picks, right.picks))
