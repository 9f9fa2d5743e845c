"""Talk exports: an asciicast of the session played in the UI, and SVG frames of its distinct moments."""

from __future__ import annotations

import asyncio
import html
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from itertools import pairwise
from pathlib import Path

import pyte
import pytest

from tui.app.cast import play
from tui.clock import parse_sim
from tui.record import read_session, record_headless, replay_session
from tui.scenario import load_scenario

FORK_AT = 1200
EARLY_RESTORE = 'operators.restore-dns.at="23:50"'
NOTE = "The endpoint is empty: every resolver caches NODATA"


def cli(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tui.cli", *args], capture_output=True, text=True, check=check, timeout=120
    )


@pytest.fixture(scope="module")
def talk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The race recorded headless to 23:50, a note on it, and a what-if fork with its own moves and note."""
    path = tmp_path_factory.mktemp("talk") / "talk.jsonl"
    summary = record_headless(load_scenario(), path, until=parse_sim("23:50"))
    assert summary["steps"] > FORK_AT
    extra = [
        {"type": "note", "step": FORK_AT - 200, "text": NOTE},
        {"type": "fork", "name": "what-if", "parent": "main", "at_step": FORK_AT, "overrides": [EARLY_RESTORE]},
        *({"type": "choice", "index": 0} for _ in range(60)),
        {"type": "note", "step": FORK_AT + 60, "text": "Restored early"},
    ]
    with path.open("a", encoding="utf-8") as out:
        out.writelines(json.dumps(entry) + "\n" for entry in extra)
    return path


@pytest.fixture(scope="module")
def cast(talk: Path) -> tuple[dict, list[list]]:
    out = talk.parent / "talk.cast"
    cli("export", str(talk), "--to", "cast", "--size", "100x30", "--speed", "4", "-o", str(out))
    header, *events = (json.loads(line) for line in out.read_text(encoding="utf-8").splitlines())
    return header, events


def test_cast_is_asciicast_v2_with_a_marker_per_milestone_fork_and_note(cast: tuple[dict, list[list]]) -> None:
    header, events = cast
    assert header["version"] == 2 and header["width"] == 100 and header["height"] == 30
    assert all(isinstance(e, list) and len(e) == 3 for e in events)
    times = [e[0] for e in events]
    assert all(isinstance(t, int | float) and t >= 0 for t in times)
    assert times == sorted(times) and header["duration"] >= times[-1] > 5
    assert {e[1] for e in events} == {"o", "m"} and all(isinstance(e[2], str) for e in events)
    markers = [e[2] for e in events if e[1] == "m"]
    assert "milestone dns.endpoint_empty" in markers and "milestone ddb.errors_start" in markers
    assert "fork what-if from main at step 1200" in markers
    assert f"note: {NOTE}" in markers and "note: Restored early" in markers
    assert markers.index(f"note: {NOTE}") < markers.index("fork what-if from main at step 1200")


def test_cast_plays_back_to_a_screen_with_the_dns_panel(cast: tuple[dict, list[list]]) -> None:
    header, events = cast
    screen = pyte.Screen(header["width"], header["height"])
    stream = pyte.Stream(screen)
    seen_empty = False
    for _t, code, data in events:
        if code == "o":
            stream.feed(data)
        elif data == "milestone dns.endpoint_empty":
            text = "\n".join(screen.display)
            seen_empty = "ANSWER: 0" in text and "fork main" in text
    assert seen_empty
    text = "\n".join(screen.display)
    assert "DiG <<>> dynamodb.us-east-1.amazonaws.com" in text and "fork what-if" in text
    assert "✎ note step 1260: Restored early" in text


TITLE = re.compile(r'<text class="terminal-\d+-title"[^>]*>(.*?)</text>')


def frame_title(svg: str) -> str:
    return html.unescape(TITLE.search(svg)[1]).replace("\xa0", " ")


def titles_count(title: str) -> int:
    """How many moments a frame stands for, from its title (``A · B``, or ``A and N more``)."""
    more = re.search(r" and (\d+) more$", title)
    return 1 + int(more[1]) if more else len(title.split(" · ")) - 1


@pytest.mark.slow  # plays the whole talk headless, a screenshot per moment: 10 s
def test_svg_export_writes_one_frame_per_distinct_screen(talk: Path, cast: tuple[dict, list[list]]) -> None:
    out = talk.parent / "frames"
    proc = cli("export", str(talk), "--to", "svg", "-o", str(out))
    frames = sorted(out.glob("*.svg"))
    markers = [e[2] for e in cast[1] if e[1] == "m"]
    # The screen at every marker, played here: consecutive identical ones make one frame.
    screens: list[str] = []
    asyncio.run(
        play(replay_session(read_session(talk)), on_marker=lambda _k, _l, app: screens.append(app.export_screenshot()))
    )
    distinct = [s for i, s in enumerate(screens) if i == 0 or screens[i - 1] != s]
    assert len(screens) == len(markers) and len(frames) == len(distinct) < len(markers)
    assert f"{len(frames)} SVG frames" in proc.stdout
    texts = [f.read_text(encoding="utf-8") for f in frames]
    for frame in frames:
        root = ET.parse(frame).getroot()
        assert root.tag.endswith("svg")
    # No two neighbours show the same screen (the title aside), and together they name every marker.
    contents = [TITLE.sub("", t) for t in texts]
    assert all(a != b for a, b in pairwise(contents))
    assert sum(titles_count(frame_title(t)) for t in texts) == len(markers)
    assert frame_title(texts[0]) == f"outage-tui · note: {NOTE}"
    assert any(f.name.endswith("-fork-what-if-from-main-at-step-1200.svg") for f in frames)
    assert "DiG" in texts[0].replace("&#160;", " ")


@pytest.mark.slow  # the same play again, frames chosen differently
def test_svg_frames_notes_keeps_only_the_notes_and_forks(talk: Path) -> None:
    out = talk.parent / "slides"
    proc = cli("export", str(talk), "--to", "svg", "--frames", "notes", "-o", str(out))
    titles = [frame_title(f.read_text(encoding="utf-8")) for f in sorted(out.glob("*.svg"))]
    assert titles == [
        f"outage-tui · note: {NOTE}",
        "outage-tui · fork what-if from main at step 1200",
        "outage-tui · note: Restored early",
    ], proc.stdout


def test_bad_size_and_speed_are_one_line_errors(talk: Path, tmp_path: Path) -> None:
    for option, value in (("--size", "100by30"), ("--speed", "0")):
        proc = cli("export", str(talk), "--to", "cast", option, value, "-o", str(tmp_path / "x.cast"), check=False)
        assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
        assert option in proc.stderr
    proc = cli("export", str(talk), "--to", "svg", check=False)
    assert proc.returncode == 2 and "-o" in proc.stderr
    proc = cli("export", str(talk), "--to", "svg", "--frames", "slides", "-o", str(tmp_path / "f"), check=False)
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1
    assert "--frames slides: expected one of notes, milestones, all" in proc.stderr
