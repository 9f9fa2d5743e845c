"""Talk exports: an asciicast of the session played in the UI, and one SVG frame per marker."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pyte
import pytest

from tui.clock import parse_sim
from tui.record import record_headless
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


def test_svg_export_writes_one_parseable_frame_per_marker(talk: Path, cast: tuple[dict, list[list]]) -> None:
    out = talk.parent / "frames"
    proc = cli("export", str(talk), "--to", "svg", "-o", str(out))
    frames = sorted(out.glob("*.svg"))
    markers = [e[2] for e in cast[1] if e[1] == "m"]
    assert len(frames) == len(markers) and f"{len(frames)} SVG frames" in proc.stdout
    for frame in frames:
        root = ET.parse(frame).getroot()
        assert root.tag.endswith("svg")
    assert any(f.name.endswith("-fork-what-if-from-main-at-step-1200.svg") for f in frames)
    assert "DiG" in frames[0].read_text(encoding="utf-8").replace("&#160;", " ")


def test_bad_size_and_speed_are_one_line_errors(talk: Path, tmp_path: Path) -> None:
    for option, value in (("--size", "100by30"), ("--speed", "0")):
        proc = cli("export", str(talk), "--to", "cast", option, value, "-o", str(tmp_path / "x.cast"), check=False)
        assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
        assert option in proc.stderr
    proc = cli("export", str(talk), "--to", "svg", check=False)
    assert proc.returncode == 2 and "-o" in proc.stderr
