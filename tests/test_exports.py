"""Exports that tell the story: Perfetto duration slices, and a postmortem naming the decisive events.

The session is the canonical race recorded headless past the DNS restore
(02:30), a note on the stale write, and a fork that lets a fresh Enactor move
where main's delayed one wrote its stale plan. Every expected step and time
is worked out here from the replayed events, with rules written out again
in the test, not taken from the exporter.
"""

from __future__ import annotations

import json
import subprocess
import sys
from itertools import pairwise
from pathlib import Path

import pytest

from tui.clock import from_sim, parse_sim
from tui.record import read_session, record_headless, replay_session
from tui.record.replay import SessionReplay
from tui.record.spans import impaired_spans
from tui.scenario import load_scenario
from tui.sim.trace import Event

FORK = "fresh-first"
EMPTY, RESTORED = "dns.endpoint_empty", "dns.restored"


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tui.cli", *args], capture_output=True, text=True, timeout=120)


def first_stale(events: list[Event]) -> tuple[Event, int] | None:
    """The first batch that applies a plan older than the newest its endpoint already had (and that plan)."""
    newest: dict[str, int] = {}
    for e in events:
        if e.kind == "batch.applied":
            endpoint, plan = e.data["endpoint"], e.data["plan"]
            if plan < newest.get(endpoint, plan):
                return e, newest[endpoint]
            newest[endpoint] = max(plan, newest.get(endpoint, plan))
    return None


def first_active_deleted(events: list[Event]) -> tuple[Event, int] | None:
    """The first clean-up that deletes the plan its endpoint's last applied batch wrote."""
    active: dict[str, int] = {}
    for e in events:
        if e.kind == "batch.applied":
            active[e.data["endpoint"]] = e.data["plan"]
        elif e.kind == "cleanup.deleted" and active.get(e.data["endpoint"]) in e.data["plans"]:
            return e, active[e.data["endpoint"]]
    return None


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SessionReplay]:
    path = tmp_path_factory.mktemp("story") / "story.jsonl"
    record_headless(load_scenario(), path, until=parse_sim("02:30"))
    main = replay_session(read_session(path)).main
    stale = first_stale(main.events)
    assert stale is not None
    at = stale[0].step - 1  # the fork stands where main's next move writes the stale plan
    assert main.moves[at].index == 0
    extra = [
        {"type": "note", "step": stale[0].step, "text": "The stale plan goes in"},
        {"type": "fork", "name": FORK, "parent": "main", "at_step": at, "overrides": []},
        {"type": "choice", "index": 1},  # someone else moves first
        *({"type": "choice", "index": 0} for _ in range(80)),
    ]
    with path.open("a", encoding="utf-8") as out:
        out.writelines(json.dumps(entry) + "\n" for entry in extra)
    return path, replay_session(read_session(path))


@pytest.fixture(scope="module")
def trace(story: tuple[Path, SessionReplay]) -> dict:
    path, _ = story
    out = path.parent / "story.trace.json"
    proc = cli("export", str(path), "--to", "trace", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    return json.loads(out.read_text())


@pytest.fixture(scope="module")
def postmortem(story: tuple[Path, SessionReplay]) -> dict[str, str]:
    """The Markdown export, cut into its timelines' sections."""
    path, _ = story
    out = path.parent / "story.md"
    proc = cli("export", str(path), "--to", "md", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    sections = out.read_text().split("\n## Timeline `")[1:]
    return {s.split("`", 1)[0]: s for s in sections}


def tracks_of(events: list[dict], pid: int) -> dict[int, str]:
    return {e["tid"]: e["args"]["name"] for e in events if e["name"] == "thread_name" and e["pid"] == pid}


def pid_of(events: list[dict], timeline: str) -> int:
    return next(e["pid"] for e in events if e["name"] == "process_name" and e["args"]["name"] == f"timeline {timeline}")


def us(seconds: float, replay: SessionReplay) -> int:
    return round((seconds - replay.scenario.time("scenario.start")) * 1_000_000)


# -- Perfetto ------------------------------------------------------------------------------------
def test_dns_empty_slice_runs_from_the_empty_milestone_to_the_restored_one(
    story: tuple[Path, SessionReplay], trace: dict
) -> None:
    _, replay = story
    events = trace["traceEvents"]
    pid = pid_of(events, "main")
    tracks = tracks_of(events, pid)
    milestones = {e["args"]["id"]: e for e in events if e["pid"] == pid and e.get("cat") == "milestone"}
    assert EMPTY in milestones and RESTORED in milestones
    empty = [e for e in events if e["pid"] == pid and e["ph"] == "X" and e["name"] == "endpoint empty"]
    assert len(empty) == 1
    (span,) = empty
    assert span["ts"] == milestones[EMPTY]["ts"]
    assert span["ts"] + span["dur"] == milestones[RESTORED]["ts"]
    assert span["dur"] > 0
    regional = replay.scenario.get("dns.regional_endpoint")
    assert tracks[span["tid"]] == f"dns {regional}"
    assert span["args"]["closed"] is True and span["args"]["endpoint"] == regional


def expected_impaired(events: list[Event], end: float) -> list[tuple[str, float, float]]:
    """(lane, start, end) of every span a lane spent away from ``ok``, by the rule written out again."""
    opened: dict[str, float] = {}
    out = []
    for e in events:
        if e.kind != "health":
            continue
        lane, state = e.data["lane"], e.data["state"]
        if state != "ok":
            opened.setdefault(lane, e.time)
        elif lane in opened:
            out.append((lane, opened.pop(lane), e.time))
    out += [(lane, start, end) for lane, start in opened.items()]
    return sorted(out, key=lambda s: (s[1], s[0]))


@pytest.mark.parametrize("timeline", ["main", FORK])
def test_each_lane_has_a_slice_per_impaired_span_on_its_own_track(
    story: tuple[Path, SessionReplay], trace: dict, timeline: str
) -> None:
    _, replay = story
    events = trace["traceEvents"]
    pid = pid_of(events, timeline)
    tracks = tracks_of(events, pid)
    assert len(set(tracks.values())) == len(tracks)
    played = replay.timelines[timeline]
    end = played.time_at(len(played.moves))
    slices = [e for e in events if e["pid"] == pid and e["ph"] == "X"]
    impaired = [e for e in slices if e["cat"] == "health"]
    got = sorted(
        ((tracks[e["tid"]].removeprefix("health "), e["ts"], e["ts"] + e["dur"]) for e in impaired),
        key=lambda s: (s[1], s[0]),
    )
    want = [(lane, us(a, replay), us(b, replay)) for lane, a, b in expected_impaired(played.events, end)]
    assert got == want and len(want) >= 5
    for e in impaired:
        assert tracks[e["tid"]] == f"health {e['args']['lane']}" and e["name"] == f"{e['args']['lane']} impaired"
        # Its states tile it, on the same track.
        parts = sorted(
            (p for p in slices if p["cat"] == "health.state" and p["tid"] == e["tid"]), key=lambda p: p["ts"]
        )
        inside = [p for p in parts if e["ts"] <= p["ts"] and p["ts"] + p["dur"] <= e["ts"] + e["dur"]]
        assert inside and inside[0]["ts"] == e["ts"] and inside[-1]["ts"] + inside[-1]["dur"] == e["ts"] + e["dur"]
        assert all(a["ts"] + a["dur"] == b["ts"] for a, b in pairwise(inside))
        assert [p["name"] for p in inside] == e["args"]["states"]
    # Instants stay: one per event, on the component's track.
    instants = [e for e in events if e["pid"] == pid and e["ph"] == "i" and e["cat"] not in ("note", "fork")]
    assert len(instants) == len(played.events)


def test_a_lane_still_impaired_at_the_end_closes_there() -> None:
    def health(time: float, step: int, lane: str, state: str) -> Event:
        return Event(time, step, "c", "health", {"lane": lane, "state": state})

    events = [
        health(1, 1, "a", "degraded"),
        health(2, 2, "a", "down"),
        health(3, 3, "b", "down"),
        health(4, 4, "a", "ok"),
    ]
    spans = impaired_spans(events, 10.0, 9)
    assert [(s.args["lane"], s.start, s.end, s.closed) for s in spans] == [("a", 1, 4, True), ("b", 3, 10.0, False)]
    assert [(p.name, p.start, p.end) for p in spans[0].parts] == [("degraded", 1, 2), ("down", 2, 4)]
    assert [p.closed for p in spans[1].parts] == [False]


# -- the postmortem's decisive events -------------------------------------------------------------
def when(event: Event) -> str:
    return f"at {from_sim(event.time).strftime('%a %d %b %H:%M:%S')} PDT, step {event.step}"


@pytest.mark.parametrize("timeline", ["main", FORK])
def test_postmortem_names_the_stale_write_the_deleted_plan_and_the_first_failed_lookup(
    story: tuple[Path, SessionReplay], postmortem: dict[str, str], timeline: str
) -> None:
    _, replay = story
    text = postmortem[timeline]
    events = replay.timelines[timeline].events
    regional = replay.scenario.get("dns.regional_endpoint")
    stale = first_stale(events)
    assert stale is not None
    e, newer = stale
    line = (
        f"- **Stale plan written** {when(e)}: {e.component} applies plan {e.data['plan']} to {e.data['endpoint']}, "
        f"older than plan {newer} already applied there."
    )
    assert line in text.splitlines()
    deleted = first_active_deleted(events)
    assert deleted is not None
    e, active = deleted
    assert f"- **Active plan deleted** {when(e)}: {e.component} deletes plan {active}, the tree {regional}" in text
    nodata = next(e for e in events if e.kind == "resolver.nodata")
    assert f"- **First failed resolution** {when(nodata)}: {nodata.data['resolver']} looks up {regional}" in text
    # The table lists the marked writes too, as the event log marks them.
    assert f"| batch.applied stale | step {stale[0].step};" in text
    assert f"| cleanup.deleted deletes the active tree | step {deleted[0].step};" in text


def test_postmortem_says_where_each_fork_leaves_its_parent_in_words(
    story: tuple[Path, SessionReplay], postmortem: dict[str, str]
) -> None:
    path, replay = story
    proc = cli("run", "--session", str(path), "--json")
    assert proc.returncode == 0, proc.stderr
    diverged = json.loads(proc.stdout.splitlines()[-1])["summary"]["forks"][FORK]["diverged_at"]
    assert diverged is not None
    mine, theirs = replay.timelines[FORK].moves[diverged], replay.main.moves[diverged]
    assert (mine.component, mine.action) != (theirs.component, theirs.action)
    words = f"step {diverged}: {mine.component} {mine.action} instead of {theirs.component} {theirs.action}."
    line = next(x for x in postmortem[FORK].splitlines() if x.startswith("- **Diverges from `main`**"))
    assert line.endswith(words)
    assert from_sim(mine.time).strftime("%H:%M:%S") in line
    assert "Diverges" not in postmortem["main"]


def test_postmortem_of_the_fixed_scenario_says_the_race_never_happened(tmp_path: Path) -> None:
    path = tmp_path / "fixed.jsonl"
    record_headless(load_scenario("us-east-1-2025-10-20-fixed"), path, until=parse_sim("23:50"))
    proc = cli("export", str(path), "--to", "md")
    assert proc.returncode == 0, proc.stderr
    for title in ("Stale plan written", "Active plan deleted", "First failed resolution"):
        assert f"- **{title}**: never" in proc.stdout
