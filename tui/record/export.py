"""Exports derived from a replayed session: a postmortem timeline and a Perfetto trace.

Both are built from a :class:`SessionReplay`, never from the screen, so they
say exactly what the recorded run did: ``md`` is a Markdown timeline to paste
into a postmortem document, naming the decisive events first; ``trace`` is
Chrome trace-event JSON that Perfetto (ui.perfetto.dev) and ``chrome://tracing``
load: every event as an instant on its component's track, and duration slices
for each lane's impaired spans and the DNS endpoint's empty span.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from tui.clock import from_sim
from tui.errors import BadInput
from tui.record.decisive import decisive_events, divergence_words
from tui.record.format import NoteEntry
from tui.record.replay import Replayed, SessionReplay
from tui.record.spans import Span, empty_endpoint_span, impaired_spans, run_end
from tui.sim.kinds import Kind
from tui.sim.racemarks import race_marks
from tui.sim.trace import Event

#: Event kinds a postmortem timeline lists: what happened, not every lock read.
POSTMORTEM_KINDS = frozenset(
    {
        Kind.MILESTONE,
        Kind.VIOLATION,
        Kind.OPERATOR_ACTION,
        Kind.OPERATOR_REPAIRED,
        Kind.PLANNER_STOPPED,
        Kind.ENACTOR_STOPPED,
        Kind.HEALTH,
    }
)
#: The track in the trace that carries session entries (notes, forks), not components.
SESSION_TRACK = "session"
#: Its thread id; components follow. Ids start at 1, as some trace viewers read 0 as "no thread".
SESSION_TID = 1


def pdt(seconds: float) -> str:
    """A table's time cell: ``Sun 19 Oct 23:47:53`` (PDT, the incident's own clock)."""
    return from_sim(seconds).strftime("%a %d %b %H:%M:%S")


def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").strip()


def _event_name(event: Event) -> str:
    if event.kind == Kind.MILESTONE:
        return f"milestone {event.data.get('id')}"
    if event.kind == Kind.VIOLATION:
        return f"violation {event.data.get('invariant')}"
    if event.kind == Kind.OPERATOR_ACTION:
        return f"operator action {event.data.get('id')}"
    if event.kind == Kind.HEALTH:
        return f"health {event.data.get('lane')} {event.data.get('state')}"
    return event.kind


def _value(value: Any) -> str:
    """An event field as a reader of the postmortem would write it: lists without Python's brackets."""
    if isinstance(value, list | tuple):
        return ", ".join(_value(v) for v in value) or "none"
    return str(value)


def _event_notes(event: Event) -> str:
    skip = {"milestone": "id", "violation": "invariant", "operator.action": "id", "health": "state"}.get(event.kind)
    details = [
        f"{k}={_value(v)}"
        for k, v in event.data.items()
        if k not in (skip, "at") and not (event.kind == Kind.HEALTH and k == "lane")
    ]
    return "; ".join([f"step {event.step}", *details])


def _shared_steps(timeline: Replayed, parent: Replayed | None) -> int:
    """How many leading moves a fork shares with its parent (0 for the main timeline)."""
    if parent is None:
        return 0
    if timeline.diverged_at is not None:
        return timeline.diverged_at
    return min(len(timeline.moves), len(parent.moves))


def _rows(replay: SessionReplay, timeline: Replayed) -> list[tuple[float, int, str, str, str]]:
    """(time, order, component, event, notes) rows of one timeline, shared prefix left out."""
    parent = replay.timelines.get(timeline.plan.parent) if timeline.plan.parent else None
    shared = _shared_steps(timeline, parent)
    rows: list[tuple[float, int, str, str, str]] = []
    marks = race_marks(timeline.events).marks
    for i, event in enumerate(timeline.events):
        if event.step <= shared:
            continue
        if i in marks:  # the race's decisive writes, as the event log marks them
            rows.append((event.time, 0, event.component, f"{event.kind} {marks[i]}", _event_notes(event)))
        elif event.kind in POSTMORTEM_KINDS:
            rows.append((event.time, 0, event.component, _event_name(event), _event_notes(event)))
    for note in timeline.plan.notes:
        rows.append((timeline.time_at(note.step), 1, SESSION_TRACK, "note", f"step {note.step}; {note.text}"))
    for child in replay.timelines.values():
        if child.plan.parent == timeline.name:
            rows.append((timeline.time_at(child.plan.at_step), 2, SESSION_TRACK, f"fork {child.name}", _fork(child)))
    rows.sort(key=lambda r: (r[0], r[1]))
    return rows


def _fork(child: Replayed) -> str:
    parts = [f"from step {child.plan.at_step}"]
    if child.plan.overrides:
        parts.append("overrides " + ", ".join(child.plan.overrides))
    if child.diverged_at is None:
        parts.append("makes the same moves as its parent")
    else:
        first = child.time_at(child.diverged_at + 1)
        parts.append(f"same moves as its parent up to step {child.diverged_at}, diverges at {pdt(first)} PDT")
    return "; ".join(parts)


def _decisive(replay: SessionReplay, timeline: Replayed) -> list[str]:
    """The bullet list that opens a timeline: where a fork left its parent, then the race's decisive events."""
    lines = ["Decisive events:", ""]
    parent = timeline.plan.parent
    if parent is not None:
        words = divergence_words(timeline)
        if words is None or timeline.diverged_at is None:
            lines.append(f"- **Diverges from `{parent}`**: never; it makes the same moves as its parent.")
        else:
            when = pdt(timeline.time_at(timeline.diverged_at + 1))  # the time of its first own move
            lines.append(f"- **Diverges from `{parent}`** at {when} PDT, {words}.")
    shared = _shared_steps(timeline, replay.timelines.get(parent) if parent else None)
    for item in decisive_events(timeline.events, replay.scenario.get("dns.regional_endpoint")):
        if item.event is None:
            lines.append(f"- **{item.title}**: {item.words}.")
            continue
        before = f" (before it left `{parent}`)" if parent is not None and item.event.step <= shared else ""
        lines.append(f"- **{item.title}** at {pdt(item.event.time)} PDT, step {item.event.step}: {item.words}{before}.")
    return [*lines, ""]


def to_markdown(replay: SessionReplay) -> str:
    """A postmortem timeline: per timeline, its decisive events, then a table (time PDT, component, event, notes)."""
    header = replay.session.header
    scenario = replay.scenario
    overrides = ", ".join(f"`{o}`" for o in header.overrides) or "none"
    lines = [
        f"# {scenario.get('scenario.title')}",
        "",
        f"Session `{replay.session.path}`: scenario `{header.scenario}` (sha256 `{header.scenario_sha256[:12]}`), "
        f"policy {header.policy}, seed {header.seed}, overrides {overrides}; "
        f"recorded with outage-tui {header.tool_version}. Times are PDT (UTC-7).",
    ]
    for timeline in replay.timelines.values():
        summary = timeline.summary
        lines += ["", f"## Timeline `{timeline.name}`", ""]
        if timeline.plan.parent is not None:
            lines += [f"Forked from `{timeline.plan.parent}`: {_fork(timeline)}.", ""]
        violations = ", ".join(summary["violations"]) or "none"
        lines += [
            f"{summary['steps']} steps up to {pdt(timeline.time_at(summary['steps']))} PDT; "
            f"violations: {violations}; trace sha256 `{summary['trace_sha256']}`.",
            "",
            *_decisive(replay, timeline),
            "| Time (PDT) | Component | Event | Notes |",
            "| --- | --- | --- | --- |",
        ]
        for time, _, component, event, notes in _rows(replay, timeline):
            lines.append(f"| {pdt(time)} | {_cell(component)} | {_cell(event)} | {_cell(notes)} |")
    return "\n".join(lines) + "\n"


def _components(events: Iterable[Event]) -> list[str]:
    return sorted({e.component for e in events})


def _spans(timeline: Replayed) -> list[Span]:
    """A timeline's duration slices: the DNS endpoint's empty span first, then each lane's impaired spans."""
    steps = len(timeline.moves)
    end = run_end(timeline.events, timeline.time_at(steps))
    empty = empty_endpoint_span(timeline.events, end, steps)
    return [*([empty] if empty else []), *impaired_spans(timeline.events, end, steps)]


def to_chrome_trace(replay: SessionReplay) -> dict[str, Any]:
    """Chrome trace-event JSON: a process per timeline, a thread (track) per component.

    Every event is an instant on its component's track. Durations are
    complete (``"X"``) slices on tracks of their own: the DNS endpoint's
    empty span (from the ``dns.endpoint_empty`` milestone to ``dns.restored``)
    and one track per lane (a component's or a service's health) with a slice
    per impaired span, its successive states nested inside. A span still open
    when the run ends closes there (``"closed": false``). Timestamps are
    microseconds of virtual time since the scenario's start, so the lead-in
    and the whole incident window sit on one axis.
    """
    start = replay.scenario.time("scenario.start")
    out: list[dict[str, Any]] = []

    def ts(seconds: float) -> int:
        return round((seconds - start) * 1_000_000)

    for pid, timeline in enumerate(replay.timelines.values(), start=1):
        out.append(_meta("process_name", pid, SESSION_TID, name=f"timeline {timeline.name}"))
        out.append(_meta("process_sort_index", pid, SESSION_TID, sort_index=pid))
        spans = _spans(timeline)
        # Session first, then the slice tracks in the order their first span starts, then the components.
        names = [SESSION_TRACK, *dict.fromkeys(s.track for s in spans), *_components(timeline.events)]
        tracks = {name: tid for tid, name in enumerate(names, start=SESSION_TID)}
        for name, tid in tracks.items():
            out.append(_meta("thread_name", pid, tid, name=name))
            out.append(_meta("thread_sort_index", pid, tid, sort_index=tid))
        for event in timeline.events:
            scope = "p" if event.kind in (Kind.MILESTONE, Kind.VIOLATION) else "t"
            out.append(
                {
                    "name": _event_name(event),
                    "cat": event.kind,
                    "ph": "i",
                    "s": scope,
                    "ts": ts(event.time),
                    "pid": pid,
                    "tid": tracks[event.component],
                    "args": {"step": event.step, **event.data},
                }
            )
        for span in spans:
            out += [_slice(part, ts, pid, tracks[part.track]) for part in (span, *span.parts)]
        notes: list[NoteEntry] = timeline.plan.notes
        for note in notes:
            out.append(
                _instant(f"note: {note.text}", "note", ts(timeline.time_at(note.step)), pid, {"step": note.step})
            )
        for child in replay.timelines.values():
            if child.plan.parent == timeline.name:
                args = {"at_step": child.plan.at_step, "overrides": list(child.plan.overrides)}
                args["diverged_at"] = child.diverged_at
                out.append(_instant(f"fork {child.name}", "fork", ts(timeline.time_at(child.plan.at_step)), pid, args))
    header = replay.session.header.as_dict()
    return {"traceEvents": out, "displayTimeUnit": "ms", "otherData": {"session": replay.session.path, **header}}


def _slice(span: Span, ts: Callable[[float], int], pid: int, tid: int) -> dict[str, Any]:
    """A complete slice; its duration is the difference of the two rounded stamps, so it ends exactly on them."""
    begin = ts(span.start)
    args = {"from_step": span.start_step, "to_step": span.end_step, "closed": span.closed, **span.args}
    return {
        "name": span.name,
        "cat": span.cat,
        "ph": "X",
        "ts": begin,
        "dur": ts(span.end) - begin,
        "pid": pid,
        "tid": tid,
        "args": args,
    }


def _meta(kind: str, pid: int, tid: int, **args: Any) -> dict[str, Any]:
    return {"name": kind, "ph": "M", "pid": pid, "tid": tid, "args": args}


def _instant(name: str, cat: str, ts: int, pid: int, args: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "cat": cat, "ph": "i", "s": "p", "ts": ts, "pid": pid, "tid": SESSION_TID, "args": args}


def _markdown(replay: SessionReplay, **_options: Any) -> str:
    return to_markdown(replay)


def _trace(replay: SessionReplay, **_options: Any) -> str:
    return json.dumps(to_chrome_trace(replay), separators=(",", ":")) + "\n"


#: An exporter takes the replayed session and the ``export`` options (``output``, ``size``, ``speed``) it
#: needs, and returns the text to write to ``-o``, or the files it wrote itself (one per frame, say).
Exporter = Callable[..., "str | list[Path]"]


def _in_the_ui(module: str, name: str) -> Exporter:
    """An exporter that plays the session in the UI: its module (and Textual) is imported only when it runs."""

    def export(replay: SessionReplay, **options: Any) -> str | list[Path]:
        return getattr(importlib.import_module(module), name)(replay, **options)

    export.__qualname__ = f"{module}.{name}"
    return export


#: ``export --to`` formats, every one listed here. Those that play the session in the UI import their
#: module when they run, so this package never imports Textual.
EXPORTERS: Mapping[str, Exporter] = MappingProxyType(
    {
        "md": _markdown,
        "trace": _trace,
        "cast": _in_the_ui("tui.app.cast", "cast_export"),
        "svg": _in_the_ui("tui.app.cast", "svg_export"),
    }
)
#: Formats whose ``-o`` is a directory.
DIRECTORY_EXPORTS = frozenset({"svg"})


def exporter(name: str) -> Exporter:
    """The exporter for ``--to name``, or a one-line error listing the known ones."""
    try:
        return EXPORTERS[name]
    except KeyError:
        raise BadInput(f"--to {name}: unknown export format, expected one of {', '.join(EXPORTERS)}") from None
