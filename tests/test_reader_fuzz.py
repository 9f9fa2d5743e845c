"""A damaged session file is replayed or refused in one line, never a crash.

A real recording (a short headless run, with a note, controls and a fork
spliced in where the replay UI would write them) is damaged at random:
truncated, bytes flipped, lines reordered, dropped or repeated, a huge line
put in, a field given a value of the wrong type. Reading and replaying the
result (what ``outage-tui run --session FILE`` does) must either succeed or
raise :class:`tui.errors.BadInput` with a one-line message; any other
exception is a crash the user would see as "internal error".
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui.errors import BadInput
from tui.record import read_session, replay_session

#: Wrong values for a field: each JSON type, and the edges of the right ones.
WRONG_VALUES: list[Any] = [
    None, True, False, 0, -1, 1, 2**63, -(2**63), 10**400, 1.5, -0.0, 1e308, float("nan"), float("inf"),
    "", "x" * 300, "main", "\x00\u2028", [], [1], {}, {"type": "choice"},
]  # fmt: skip


def spliced(recording: list[str]) -> list[str]:
    """The recording with what a person adds in the UI: a note, controls, a fork, a switch and a rename."""
    header, moves = recording[0], recording[1:]
    extra = [
        {"type": "note", "step": 40, "text": "the plan goes stale here"},
        {"type": "control", "action": "pause", "step": 40},
        {"type": "control", "action": "speed", "speed": 4},
        {"type": "fork", "name": "alt", "parent": "main", "at_step": 40, "overrides": []},
        {"type": "choice", "index": 0, "hand": True},
        {"type": "choice", "index": 0},
        {"type": "control", "action": "switch", "to": "main"},
        {"type": "control", "action": "seek", "to_step": 20},
        {"type": "control", "action": "rename", "name": "alt", "to": "other"},
        {"type": "slide", "step": 30, "title": "Before the race"},
    ]
    lines = [json.dumps(e) for e in extra]
    return [header, *moves[:60], *lines[:3], *moves[60:120], *lines[3:], *moves[120:]]


@pytest.fixture(scope="module")
def original(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A real short recording, spliced; it replays as it is, or the fuzzing below proves nothing."""
    path = tmp_path_factory.mktemp("fuzz") / "seed.jsonl"
    subprocess.run(
        [sys.executable, "-m", "tui.cli", "run", "--until", "23:41", "--record", str(path)],
        check=True,
        capture_output=True,
    )
    data = ("\n".join(spliced(path.read_text().splitlines())) + "\n").encode()
    path.write_bytes(data)
    replayed = replay_session(read_session(path))
    assert sorted(replayed.timelines) == ["main", "other"]
    return data


def truncate(data: bytes, draw: st.DrawFn) -> bytes:
    return data[: draw(st.integers(0, len(data)))]


def flip(data: bytes, draw: st.DrawFn) -> bytes:
    at = draw(st.integers(0, len(data) - 1))
    return data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1 :]


def reorder(data: bytes, draw: st.DrawFn) -> bytes:
    lines = data.split(b"\n")
    i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
    lines[i], lines[j] = lines[j], lines[i]
    return b"\n".join(lines)


def drop_or_repeat(data: bytes, draw: st.DrawFn) -> bytes:
    lines = data.split(b"\n")
    i = draw(st.integers(0, len(lines) - 1))
    lines[i : i + 1] = [lines[i]] * draw(st.integers(0, 3))
    return b"\n".join(lines)


def huge_line(data: bytes, draw: st.DrawFn) -> bytes:
    lines = data.split(b"\n")
    size = draw(st.sampled_from([10_000, 1_000_000, 4_000_000]))
    huge = draw(
        st.sampled_from(
            [
                b"x" * size,
                json.dumps({"type": "note", "step": 1, "text": "y" * size}).encode(),
                json.dumps({"type": "choice", "index": 0, "pad": list(range(size // 8))}).encode(),
                b"[" * size,  # nested deeper than the JSON parser goes
            ]
        )
    )
    lines.insert(draw(st.integers(0, len(lines))), huge)
    return b"\n".join(lines)


def wrong_type(data: bytes, draw: st.DrawFn) -> bytes:
    """A field of a JSON line (the header's too) set to a value of another type, or removed."""
    lines = data.split(b"\n")
    i = draw(st.integers(0, max(0, len(lines) - 2)))
    try:
        entry = json.loads(lines[i])
    except (ValueError, RecursionError):  # damaged already, or nested deeper than the parser goes (huge_line)
        return data
    if not isinstance(entry, dict):
        return data
    key = draw(st.sampled_from([*sorted(entry), "type", "extra"]))
    if draw(st.booleans()) and key in entry:
        del entry[key]
    else:
        entry[key] = draw(st.sampled_from(WRONG_VALUES))
    if draw(st.integers(0, 9)) == 0:
        entry = draw(st.sampled_from(WRONG_VALUES))  # the whole line not an object
    lines[i] = json.dumps(entry).encode()
    return b"\n".join(lines)


DAMAGE = [truncate, flip, reorder, drop_or_repeat, huge_line, wrong_type]


@st.composite
def damaged(draw: st.DrawFn, data: bytes) -> bytes:
    for damage in draw(st.lists(st.sampled_from(DAMAGE), min_size=1, max_size=3)):
        if data:
            data = damage(data, draw)
    return data


TRIED: list[str] = []


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.data_too_large, HealthCheck.too_slow],
)
@given(data=st.data())
def test_a_damaged_recording_is_replayed_or_refused_in_one_line(
    original: bytes, tmp_path: Path, data: st.DataObject
) -> None:
    path = tmp_path / "damaged.jsonl"
    path.write_bytes(data.draw(damaged(original)))
    try:
        recorded = read_session(path)
        recorded.warning()
        replay_session(recorded).summary()
        TRIED.append("replayed")
    except BadInput as err:
        message = str(err)
        assert message and "\n" not in message, message
        TRIED.append("refused" if message.startswith(str(path)) else f"refused without naming the file: {message}")


def test_the_fuzzing_tried_both_outcomes() -> None:
    """Run after the test above (file order): a fuzzer that only ever hit one outcome damaged too little or too much."""
    if not TRIED:
        pytest.skip("the fuzz test did not run in this session")
    assert {"replayed", "refused"} <= set(TRIED), TRIED[:5]
    unnamed = sorted({t for t in TRIED if t.startswith("refused without")})
    print(f"\n{len(TRIED)} damaged files: {TRIED.count('replayed')} replayed, {TRIED.count('refused')} refused")
    print("\n".join(unnamed))


def test_a_line_nested_deeper_than_the_json_parser_goes_is_refused_in_one_line(original: bytes, tmp_path: Path) -> None:
    """Found by the fuzzing above (a RecursionError escaped); such lines are now part of its mix too."""
    path = tmp_path / "deep.jsonl"
    path.write_bytes(original + b"[" * 100_000 + b"\n" + b'{"type": "choice", "index": 0}\n')
    with pytest.raises(BadInput):
        read_session(path)


def test_an_unknown_scenario_in_the_header_is_refused_naming_the_session_file(original: bytes, tmp_path: Path) -> None:
    """Found by the fuzzing above: a flipped byte in the header's scenario id."""
    path = tmp_path / "unknown.jsonl"
    path.write_bytes(original.replace(b'"us-east-1-2025-10-20"', b'"us-eVst-1-2025-10-20"', 1))
    with pytest.raises(BadInput) as refused:
        replay_session(read_session(path))
    assert str(refused.value).startswith(f"{path}: line 1: "), str(refused.value)
