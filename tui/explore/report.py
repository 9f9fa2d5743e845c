"""Counterexamples people can read, and saved where the replay can open them.

:func:`explain` replays a counterexample step by step and, from snapshots of
each pair of consecutive states, says what the step changed: a record tree
created or deleted, the alias or the rollback record repointed, the TXT lock
taken, the newest plan, the plan an Enactor holds, a clean-up request, an
invariant broken. Everything is read from the structured state (zones, plan
store, component states), never from the words of the step.

:func:`save_all` writes each counterexample as a session file through the
recorder's own writer (:class:`tui.record.SessionWriter`: one writer and one
reader for every session file), and beside it a Markdown file with a Mermaid
``sequenceDiagram`` (one participant per component plus Route 53) and the
per-step changes.
"""

from __future__ import annotations

import dataclasses
import math
import pickle
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tui.clock import iso
from tui.errors import BadInput
from tui.explore.model import CoreRun, core_run
from tui.explore.results import Counterexample
from tui.explore.scope import EXPLORED_INVARIANTS
from tui.record.format import DNS_CORE, Header
from tui.record.writer import SessionWriter
from tui.scenario import Scenario
from tui.sim.components.enactor import CleanupState, EnactorState
from tui.sim.simulation import Snapshot

#: The participant that stands for the hosted zones (records, alias, rollback, lock) in the diagram.
ROUTE53 = "Route 53"
#: What a zone is made of, as :func:`view` names it (``alias of <endpoint>``, ...).
ZONE_PARTS = ("trees", "alias", "rollback", "lock", "answer")


@dataclass(frozen=True)
class Change:
    """One thing a step changed: what (``alias of E``, ``trees of E``, ...), before and after, as text."""

    what: str
    before: str
    after: str

    def words(self) -> str:
        return f"{self.what}: {self.before} → {self.after}"


@dataclass(frozen=True)
class Step:
    """One step of a counterexample: who moved, what it did in words, and what changed."""

    number: int
    component: str
    action: str
    kind: str
    changes: tuple[Change, ...]
    broken: tuple[str, ...]

    def zone_changes(self) -> list[Change]:
        """The changes to hosted zones: record trees, alias, rollback record, lock, published answer."""
        return [c for c in self.changes if c.what.split(" of ", 1)[0] in ZONE_PARTS]

    def requests(self) -> list[Change]:
        """Clean-up requests this step left (not the ones it took)."""
        return [c for c in self.changes if c.what.startswith("clean-up request of ") and c.after != "none"]


def _generation(plan: Any) -> str:
    return "none" if plan is None else str(plan.generation)


def _lock(lock: Any) -> str:
    """The TXT record's value: its holder and expiry (in the untimed core every lock has expired by
    the time another Enactor reads it; what a batch checks is that the record is still the one read)."""
    if lock.holder is None:
        return "free"
    return f"{lock.holder} until {iso(lock.expiry)[11:19]}"


def view(snapshot: Snapshot) -> dict[str, str]:
    """What a reader follows in a state, as ``name -> value`` text, from a snapshot (not the live run).

    Zones (record trees, alias, rollback record, lock), the newest plan, each
    Enactor's plan in hand and the plan it saw last, each clean-up's pending
    request, and the invariants broken so far.
    """
    frozen, world, _plan = pickle.loads(snapshot.blob)
    out: dict[str, str] = {}
    for endpoint, zone in sorted(world.route53.zones.items()):
        out[f"trees of {endpoint}"] = ", ".join(str(g) for g in sorted(zone.trees)) or "none"
        out[f"alias of {endpoint}"] = "none" if zone.alias is None else f"plan {zone.alias}"
        out[f"rollback of {endpoint}"] = "none" if zone.rollback is None else f"plan {zone.rollback}"
        out[f"lock of {endpoint}"] = _lock(zone.lock)
        records, generation, _writer = world.route53.authoritative[endpoint]
        out[f"answer of {endpoint}"] = f"plan {generation}, {len(records)} addresses" if records else "empty"
    out["newest plan"] = _generation(world.plans.newest)
    for name, proc in sorted(frozen["procs"].items()):
        state = proc.state
        if isinstance(state, EnactorState):
            out[f"plan held by {name}"] = _generation(state.plan)
            out[f"plan seen by {name}"] = "none" if state.last_seen is None else str(state.last_seen)
        elif isinstance(state, CleanupState):
            az = state.az
            request = world.cleanup_requests.get(az)
            out[f"clean-up request of {name}"] = "none" if request is None else f"below plan {request}"
    broken = [v for v in EXPLORED_INVARIANTS if v in world.violations]
    out["invariants broken"] = ", ".join(broken) or "none"
    return out


def diff(before: dict[str, str], after: dict[str, str]) -> tuple[Change, ...]:
    """What differs between two views, in the views' order (a key only one has counts as ``none``)."""
    keys = list(before) + [k for k in after if k not in before]
    return tuple(
        Change(k, before.get(k, "none"), after.get(k, "none"))
        for k in keys
        if before.get(k, "none") != after.get(k, "none")
    )


def explain(scenario: Scenario, example: Counterexample) -> list[Step]:
    """Replay ``example`` by its choice indices; for each step, its words and what it changed.

    Each state is snapshotted and the changes are computed between the views
    of consecutive snapshots, so the explanation reads exactly the states a
    replay of the session goes through.
    """
    run: CoreRun = core_run(scenario)
    steps: list[Step] = []
    snap = run.snapshot()
    before = view(snap)
    violations = run.violations()
    for number, index in enumerate(example.indices, 1):
        gate = run.gates()[index]
        run.controller.turn(index)
        snap = run.snapshot()
        after = view(snap)
        now = run.violations()
        changes = diff(before, after)
        broken = tuple(v for v in EXPLORED_INVARIANTS if v in now - violations)
        steps.append(Step(number, gate.component, gate.action.words(), gate.action.kind, changes, broken))
        before, violations = after, now
    return steps


# -- Markdown ---------------------------------------------------------------------------
def _participant(component: str) -> tuple[str, str]:
    """(Mermaid id, label) of a component: ids must be plain words."""
    if component == "planner":
        return "Planner", "Planner"
    if component == "route53":
        return "Propagation", "Route 53 propagation"
    kind, _, az = component.partition("/")
    ident = ("Enactor_" if kind == "enactor" else "Cleanup_") + az.replace("-", "_")
    return ident, ("Enactor " if kind == "enactor" else "Clean-up ") + az


def _text(words: str) -> str:
    """A message for Mermaid: no ``;`` (a statement break) or ``#`` (an entity code)."""
    return words.replace(";", ",").replace("#", "no. ")


def sequence_diagram(steps: Sequence[Step], components: Sequence[str]) -> str:
    """A Mermaid ``sequenceDiagram``: one lifeline per component plus Route 53 (the hosted zones).

    A step that changed a zone (records, alias, rollback, lock) is a message to
    Route 53; one that left a clean-up a request is a message to that
    clean-up; one that only read or changed its own state is a note over its
    lifeline. Broken invariants are notes over Route 53.
    """
    lines = ["sequenceDiagram"]
    for component in components:
        ident, label = _participant(component)
        lines.append(f"    participant {ident} as {label}")
    lines.append(f"    participant Route53 as {ROUTE53}")
    for step in steps:
        ident, _ = _participant(step.component)
        zones = step.zone_changes()
        summary = ", ".join(f"{c.what.split(' of ')[0]} {c.before} → {c.after}" for c in zones)
        label = _text(f"{step.number}. {step.action}" + (f" ({summary})" if summary else ""))
        if zones:
            lines.append(f"    {ident}->>Route53: {label}")
        elif step.kind in ("enactor.read_lock", "enactor.retry"):
            lines.append(f"    {ident}-->>Route53: {label}")
        else:
            lines.append(f"    Note over {ident}: {label}")
        if not step.component.startswith("cleanup/"):
            for request in step.requests():
                target, _ = _participant(request.what.removeprefix("clean-up request of "))
                lines.append(f"    {ident}->>{target}: clean up {request.after}")
        for name in step.broken:
            lines.append(f"    Note over Route53: {_text(name)} broken")
    return "\n".join(lines) + "\n"


def markdown(scenario: Scenario, example: Counterexample, session_name: str, steps: Sequence[Step]) -> str:
    """The Markdown beside a saved session: what it shows, the diagram, and each step's changes."""
    components = sorted({s.component for s in steps}, key=_order)
    chosen = len(example.components)
    lines = [
        f"# {example.invariant} in {chosen} chosen steps",
        "",
        f"Session `{session_name}`: scenario `{scenario.id}`"
        + (f" with `{' '.join(scenario.overrides)}`" if scenario.overrides else "")
        + f", {len(steps)} steps in all (the explorer's untimed DNS core). "
        f"Replay it with `outage-tui replay --session {session_name}`.",
        "",
        "```mermaid",
        sequence_diagram(steps, components).rstrip("\n"),
        "```",
        "",
        "## Steps and what each changed",
        "",
        "| # | component | step | changed |",
        "|---|---|---|---|",
    ]
    for step in steps:
        changed = "<br>".join(c.words() for c in step.changes) or "nothing shared (its own state only)"
        cells = [str(step.number), f"`{step.component}`", step.action, changed]
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines) + "\n"


def _order(component: str) -> tuple[int, str]:
    rank = {"planner": 0, "route53": 3}
    return (rank.get(component, 1 if component.startswith("enactor/") else 2), component)


# -- saving -------------------------------------------------------------------------------
def write_session(path: Path, scenario: Scenario, seed: int, example: Counterexample) -> None:
    """One counterexample as a session file of the explorer's world, through the recorder's writer."""
    header = dataclasses.replace(
        Header.for_run(scenario, seed, "manual", world=DNS_CORE),
        extra=(("invariant", example.invariant), ("steps", len(example))),
    )
    with SessionWriter(path, header, sync_every=math.inf) as writer:
        for index in example.indices:
            writer.choice(index)


def save_all(directory: Path, scenario: Scenario, seed: int, examples: Sequence[Counterexample]) -> list[Path]:
    """Every distinct counterexample, shortest first: ``01-EndpointNeverEmpty-17.jsonl`` and its ``.md``.

    Returns the session files (the Markdown files sit beside them, same name).
    """
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise BadInput(f"--save {directory}: cannot create the directory: {err.strerror}") from None
    ordered = sorted(examples, key=lambda e: (len(e.components), len(e)))
    paths = []
    for n, example in enumerate(ordered, 1):
        path = directory / f"{n:02d}-{example.invariant}-{len(example)}.jsonl"
        write_session(path, scenario, seed, example)
        steps = explain(scenario, example)
        path.with_suffix(".md").write_text(markdown(scenario, example, path.name, steps), encoding="utf-8")
        paths.append(path)
    return paths
