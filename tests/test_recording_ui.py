"""Recording in the replay UI: the record and note keys, and a manual session reopened exactly elsewhere."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from textual.pilot import Pilot

from tests.ui_helpers import header_text, plain, send, settle
from tui.app import create_app
from tui.app.app import ReplayApp
from tui.app.screens.dialogs import NoteDialog
from tui.app.widgets.timeline import NOTE_MARK
from tui.clock import parse_sim
from tui.session import commands as c

SIZE = (100, 32)
EARLY_RESTORE = 'operators.restore-dns.at="23:50"'


def entries(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()[1:]]


def summary_in_a_new_process(path: Path) -> dict:
    """``run --session FILE --json`` in a fresh interpreter: nothing shared with the app that recorded it."""
    proc = subprocess.run(
        [sys.executable, "-m", "tui.cli", "run", "--session", str(path), "--json"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return json.loads(proc.stdout.splitlines()[-1])["summary"]


def hashes(app) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {name: tl.sim.controller.trace.sha256() for name, tl in app.session.timelines.items()}


@pytest.mark.asyncio
async def test_record_key_starts_and_stops_recording(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    app = create_app(paused=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await send(pilot, c.Step(), c.Step())
        assert "REC" not in header_text(app)
        await pilot.press("r")
        await settle(pilot)
        assert "● REC" in header_text(app) and app.snapshot is not None
        recording = app.snapshot.recording
        assert recording is not None and recording.startswith("outage-tui-") and recording.endswith(".jsonl")
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert "REC" not in header_text(app) and "recorded" in app.snapshot.status
        await pilot.press("r")  # a second recording in the same second gets a name of its own
        await settle(pilot)
        assert app.snapshot.recording not in (None, recording)
        await pilot.press("r")
        await settle(pilot)
    path = tmp_path / recording
    header = json.loads(path.read_text().splitlines()[0])
    assert header["format"] == "outage-tui-session" and header["policy"] == "canonical"
    # The two moves made before recording started come first, then the one made while recording.
    assert [e["type"] for e in entries(path)] == ["choice", "choice", "choice"]


@pytest.mark.asyncio
async def test_note_key_adds_a_note_on_the_timeline_in_the_log_and_in_the_file(tmp_path: Path) -> None:
    path = tmp_path / "notes.jsonl"
    app = create_app(paused=True, record=str(path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await send(pilot, c.Step(), c.Step(), c.Step())
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, NoteDialog)
        await pilot.press(*"Planner starts", "enter")
        await settle(pilot)
        assert app.snapshot is not None and [(n.step, n.text) for n in app.snapshot.notes] == [(3, "Planner starts")]
        # The milestone row, under the axis.
        assert NOTE_MARK in plain(app.timeline.render(), width=SIZE[0]).splitlines()[1]
        log = "\n".join(strip.text for strip in app.log_view.lines)
        assert "✎ note step 3: Planner starts" in log
        await pilot.press("a")
        await pilot.pause()
        await pilot.press("escape")  # cancelled: no note
        await settle(pilot)
        assert len(app.snapshot.notes) == 1
    assert entries(path)[-1] == {"type": "note", "step": 3, "text": "Planner starts"}


@pytest.mark.asyncio
async def test_manual_session_with_forks_and_notes_reopens_exactly_in_a_new_process(tmp_path: Path) -> None:
    path = tmp_path / "talk.jsonl"
    app = create_app(policy="manual", paused=True, record=str(path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await send(pilot, *[c.Step() for _ in range(12)], c.Note("before the fork"))
        await send(pilot, c.Fork("other-order"), c.Step(1), c.Step(), c.Step(), c.Note("another order"))
        await send(pilot, c.Switch("main"), c.Step(), c.Step(), c.SetSpeed(4.0))
        await send(pilot, c.Fork("early-restore", (EARLY_RESTORE,)), c.Step(), c.Note("restored early"))
        await send(pilot, c.Switch("main"))
        whole = hashes(app)  # every timeline at the end of its history
        # Back to the start of main, then a different move there: main keeps its 14 moves, a fork takes it.
        await send(pilot, c.JumpMilestone(-1), c.Step(1), c.Step())
        recorded = hashes(app)
        forks = [(f.name, f.parent, f.forked_at) for f in app.snapshot.forks]
        notes = {name: [(n.step, n.text) for n in tl.notes] for name, tl in app.session.timelines.items()}
        steps = {name: tl.sim.steps for name, tl in app.session.timelines.items()}
        history = {name: len(tl.picks) for name, tl in app.session.timelines.items()}
        assert app.snapshot.fork == "main~1"
    assert set(recorded) == {"main", "other-order", "early-restore", "main~1"}
    assert steps["main"] == 0 and history["main"] == 14  # main's cursor went back; its moves stay
    assert steps["main~1"] == 2 and ("main~1", "main", 0) in forks
    summary = summary_in_a_new_process(path)
    assert summary["trace_sha256"] == whole["main"]
    assert {name: fork["trace_sha256"] for name, fork in summary["forks"].items()} == {
        k: v for k, v in (whole | {"main~1": recorded["main~1"]}).items() if k != "main"
    }
    assert summary["forks"]["early-restore"]["overrides"] == [EARLY_RESTORE]

    continued = tmp_path / "talk-2.jsonl"
    again = create_app(session=str(path), record=str(continued))
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        snap = again.snapshot
        assert snap is not None and not snap.playing and snap.fork == "main~1" and snap.speed == 4.0
        assert hashes(again) == recorded
        assert [(f.name, f.parent, f.forked_at) for f in snap.forks] == forks
        assert {name: [(n.step, n.text) for n in tl.notes] for name, tl in again.session.timelines.items()} == notes
        assert "reopened" in header_text(again)
        # Carry on from there: fork the reopened main and step it.
        await send(pilot, c.Fork("later"), c.Step())
        assert again.snapshot.fork == "later" and again.snapshot.step == steps["main~1"] + 1
        carried_on = hashes(again)
    # The new recording starts with everything the reopened session held, then what was done after.
    summary = summary_in_a_new_process(continued)
    assert {"main": summary["trace_sha256"]} | {n: f["trace_sha256"] for n, f in summary["forks"].items()} == (
        carried_on | {"main": whole["main"]}  # main's cursor is at its start, its history whole
    )
    # ...and it reopens with every cursor where it was.
    third = create_app(session=str(continued))
    async with third.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert hashes(third) == carried_on


@pytest.mark.asyncio
async def test_a_session_without_moves_opens_paused_at_its_first_step(tmp_path: Path) -> None:
    from tui.record import Header
    from tui.scenario import load_scenario

    scenario = load_scenario()
    path = tmp_path / "header-only.jsonl"
    path.write_text(json.dumps(Header.for_run(scenario, 7, "manual").as_dict()) + "\n")
    app = create_app(session=str(path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        snap = app.snapshot
        assert snap is not None and snap.step == 0 and not snap.playing and snap.policy == "manual"
        assert "paused at its first step" in snap.status
        await send(pilot, c.Step(1))  # and it carries on by hand from there
        assert app.snapshot.step == 1


def test_replay_session_bad_input_is_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "missing.jsonl"
    for args, found in (
        (["--session", str(missing)], "no such session file"),
        (["--session", str(missing), "--policy", "random"], "--session"),
        (["--record", str(tmp_path / "no-dir" / "x.jsonl")], "no such directory"),
    ):
        proc = subprocess.run(
            [sys.executable, "-m", "tui.cli", "replay", *args], capture_output=True, text=True, timeout=60
        )
        assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
        assert found in proc.stderr and "Traceback" not in proc.stderr


# -- the recording is written off the UI's thread, and its failures still reach the screen ------
async def status_becomes(pilot: Pilot[None], what: str) -> str:
    """Let the app run (ten seconds at most), sending it nothing: a command would publish and surface the error."""
    app = pilot.app
    assert isinstance(app, ReplayApp)
    deadline = time.monotonic() + 10.0
    while app.snapshot is None or what not in app.snapshot.status:
        assert time.monotonic() < deadline, f"status still {app.snapshot.status if app.snapshot else None!r}"
        await pilot.pause(0.05)
    await pilot.pause()
    return app.snapshot.status


@pytest.mark.asyncio
async def test_a_write_that_fails_on_the_writer_thread_stops_recording_and_shows_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.test_writer_thread import fail_on

    monkeypatch.chdir(tmp_path)
    app = create_app(paused=True, record="rec.jsonl")
    async with app.run_test(size=(120, 32)) as pilot:
        await settle(pilot)
        await send(pilot, c.Step(), c.Step())
        assert "● REC" in header_text(app)
        deadline = time.monotonic() + 10
        while app.session.recorder.writer.written < 3:  # the header and both moves, in their batch
            assert time.monotonic() < deadline
            await pilot.pause(0.02)
        fail_on(monkeypatch, "write", tmp_path / "rec.jsonl")  # the disk is full from now on
        app.send(c.Step())  # queued at once; its batch fails a moment later, with no key pressed after it
        status = await status_becomes(pilot, "recording stopped")
        assert status == "recording stopped: rec.jsonl: No space left on device"
        assert app.snapshot is not None and app.snapshot.recording is None
        assert "recording stopped: rec.jsonl: No space left on device" in header_text(app)
        assert "REC" not in header_text(app)
        await send(pilot, c.Step(), c.Note("after the failure"))  # the session goes on without the file
        assert app.snapshot.step == 4 and app.session.recorder is None
    assert [e["type"] for e in entries(tmp_path / "rec.jsonl")] == ["choice", "choice"]


@pytest.mark.asyncio
@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (a device that is always full)")
async def test_recording_to_a_full_device_says_so_on_the_status_line() -> None:
    app = create_app(paused=True, record="/dev/full")
    async with app.run_test(size=(120, 32)) as pilot:
        status = await status_becomes(pilot, "recording stopped")
        assert status == "recording stopped: /dev/full: No space left on device"
        assert status in header_text(app) and "REC" not in header_text(app)


@pytest.mark.asyncio
async def test_quitting_while_recording_writes_every_queued_move(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tui.record.writer as writer_module

    monkeypatch.setattr(writer_module, "MAX_DELAY_S", 60.0)  # nothing would reach the file before the app quits
    path = tmp_path / "quit.jsonl"
    app = create_app(paused=True, record=str(path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await send(pilot, *[c.Step() for _ in range(30)])
        assert len(path.read_text().splitlines()) == 1  # the header (at once); the moves wait for their batch
    assert [e["type"] for e in entries(path)] == ["choice"] * 30


@pytest.mark.asyncio
async def test_a_recording_that_cannot_be_finished_at_quit_is_reported_after_the_screen_is_gone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import tui.record.writer as writer_module
    from tests.test_writer_thread import fail_on

    monkeypatch.setattr(writer_module, "MAX_DELAY_S", 60.0)
    monkeypatch.chdir(tmp_path)
    app = create_app(paused=True, record="quit.jsonl")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await send(pilot, c.Step())
        fail_on(monkeypatch, "write", tmp_path / "quit.jsonl")  # the move's batch only goes out at quit, and fails
    assert "outage-tui: recording stopped: quit.jsonl: No space left on device" in capsys.readouterr().err


@pytest.mark.asyncio
async def test_moves_made_by_a_long_move_are_recorded_and_replay_exactly(tmp_path: Path) -> None:
    """A long move runs off the UI's thread; every move it made still goes into the recording."""
    path = tmp_path / "long.jsonl"
    app = create_app(policy="manual", paused=True, record=str(path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await send(pilot, c.GoTo(parse_sim("23:47:49")), c.Step(0), c.Fork("after-the-jump"), c.Step(0))
        await send(pilot, c.JumpMilestone(1))
        live = hashes(app)
        steps = {name: tl.sim.steps for name, tl in app.session.timelines.items()}
        await app.action_quit()
    choices = [e for e in entries(path) if e["type"] == "choice"]
    assert len(choices) >= steps["main"] > 1000
    summary = summary_in_a_new_process(path)
    assert summary["forks"]["after-the-jump"]["trace_sha256"] == live["after-the-jump"]
    assert summary["trace_sha256"] == live["main"]


@pytest.mark.asyncio
async def test_going_to_a_marker_is_recorded_where_it_leads(tmp_path: Path) -> None:
    """A marker's timeline and step are where the session stands after ``<``: the file must reopen there too.

    Going to a marker moved the cursor without a word to the recording, which
    then reopened where the timeline had stood before (its history's end here).
    """
    path = tmp_path / "talk.jsonl"
    app = create_app(policy="manual", paused=True, record=str(path))
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, c.Step(), c.Step(), c.Step(), c.Slide("three"), c.Step(), c.Step())
        await send(pilot, c.Fork("other"), c.Step(), c.Step())
        await pilot.press("less_than_sign")  # from the fork's marker back to the slide's: main, step 3
        await settle(pilot)
        snap = app.snapshot
        assert snap is not None and (snap.fork, snap.step) == ("main", 3) and snap.status.startswith("marker 1 of")
        assert len(app.session.timelines["main"].picks) == 5
    again = create_app(session=str(path))
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        snap = again.snapshot
        assert snap is not None and (snap.fork, snap.step) == ("main", 3)


@pytest.mark.asyncio
@pytest.mark.parametrize("how", ["played", "stepped"])
async def test_moves_taken_again_behind_the_history_move_the_recorded_cursor(tmp_path: Path, how: str) -> None:
    """Back at the start, a manual session plays its recorded moves back (space) or steps through them (n).

    Those moves are in the file already, so nothing was written as they were
    taken again, and the file reopened where the cursor had last been sent:
    at the start, not where the session stood.
    """
    path = tmp_path / "talk.jsonl"
    app = create_app(policy="manual", paused=True, record=str(path))
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, *[c.Step() for _ in range(6)], c.JumpMilestone(-1))  # six moves, then back to the start
        assert app.snapshot is not None and app.snapshot.step == 0
        if how == "played":
            await pilot.press("space")  # the recorded moves play; then the session waits for a pick
            for _ in range(400):
                await pilot.pause(0.01)
                if app.snapshot.step == 6:
                    break
            await settle(pilot)
        else:
            await pilot.press("n", "n")
            await settle(pilot)
        where = 6 if how == "played" else 2
        assert app.snapshot.step == where and len(app.session.timeline.picks) == 6
    again = create_app(session=str(path))
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert again.snapshot is not None and (again.snapshot.fork, again.snapshot.step) == ("main", where)
