"""Presenting a recorded talk: markers in order, each with its caption and recorded view; a speaker view follows."""

from __future__ import annotations

import asyncio
import gc
import json
from pathlib import Path

import pytest

from tests.test_app import go_to, stale_key
from tests.ui_helpers import choices_text, plain, send, settle
from tui.app import create_app, create_presenter
from tui.app.present import Caption
from tui.app.screens.compare import CompareScreen
from tui.app.speaker import SpeakerApp
from tui.app.widgets.timeline import ZOOMS
from tui.clock import parse_sim
from tui.record import read_session, record_headless
from tui.record.markers import markers
from tui.scenario import load_scenario
from tui.session import commands as c

SIZE = (120, 40)
LONG_NOTE = (
    "The delayed Enactor's one-time check said its plan 104 was newer than what it had applied; by the time its "
    "batch went in, plan 109 was live, and this write put the stale plan back on the regional endpoint."
)


async def record_talk(path: Path) -> None:
    """A talk as a speaker would prepare it: zoom in, notes, a fork, a slide on the compare view."""
    app = create_app(paused=True, policy="manual", record=str(path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await go_to(pilot, "23:47:49")  # zooms in on the race
        await pilot.press("1")
        await settle(pilot)
        key = stale_key(choices_text(app))
        await send(pilot, c.Note("Two Enactors are about to apply plans to the same endpoint."))
        await pilot.press("1", "1", "1")
        await send(pilot, c.Note(LONG_NOTE))
        await send(pilot, c.Switch("main"))  # no-op: already current
        await pilot.press("u")  # back before the three moves
        await settle(pilot)
        await send(pilot, c.Fork("stale-first"))
        await pilot.press(key)
        await go_to(pilot, "23:48:30")
        await pilot.press("v")  # compare open while the slide is placed
        await settle(pilot)
        assert isinstance(app.screen, CompareScreen)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("minus")  # a wider view for the last slide
        await pilot.press("s")
        await settle(pilot)


@pytest.mark.asyncio
async def test_present_walks_the_markers_with_their_captions_and_views(tmp_path: Path) -> None:
    path = tmp_path / "talk.jsonl"
    await record_talk(path)
    talk = markers(read_session(path))
    assert [m.kind for m in talk] == ["note", "note", "fork", "slide"]
    app = create_presenter(str(path), link=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await settle(pilot)
        snap = app.snapshot
        assert snap is not None and snap.marker == 0  # opens at its first marker
        kinds = [m.kind for m in snap.markers]
        assert "note" in kinds and "fork" in kinds and kinds[-1] == "slide"
        # Every marker in turn: the screen stands on its timeline and step, the caption names it.
        for number, marker in enumerate(snap.markers):
            if number:
                await pilot.press("right")
                await settle(pilot)
            now = app.snapshot
            assert now.marker == number and now.fork == marker.timeline and now.step == marker.step
            caption = str(app.query_one(Caption).content)
            assert caption.startswith(f"{number + 1}/{len(snap.markers)} ")
        # The long note is shown whole, wrapped, never cut.
        note = next(i for i, m in enumerate(snap.markers) if m.text == LONG_NOTE)
        await pilot.press("home")
        await settle(pilot)
        assert app.snapshot.marker == 0
        await pilot.press(*str(note + 1), "enter")
        await settle(pilot)
        shown = app.query_one(Caption)
        assert app.snapshot.marker == note and LONG_NOTE in str(shown.content)
        assert shown.size.height >= 1 + -(-len(LONG_NOTE) // shown.size.width)  # every wrapped line shows
        # The last marker (a slide) shows the view it was placed with: wider zoom, compare closed.
        await pilot.press("end")
        await settle(pilot)
        last = app.snapshot.markers[-1]
        assert app.snapshot.marker == len(snap.markers) - 1
        assert ZOOMS[app.timeline.zoom] == last.view.zoom and last.view.overlay is None
        # Back one: at once, on the recorded moves (never the policy's), and nothing new is recorded.
        await pilot.press("left")
        await settle(pilot)
        assert app.snapshot.marker == len(snap.markers) - 2
        before = {n: len(t.picks) for n, t in app.session.timelines.items()}
        for key in ("n", "e", "m", "1", "f", "g"):
            await pilot.press(key)
        await settle(pilot)
        assert {n: len(t.picks) for n, t in app.session.timelines.items()} == before


@pytest.mark.slow  # presents, then exports the talk frame by frame
@pytest.mark.asyncio
async def test_a_slide_placed_on_compare_reopens_compare(tmp_path: Path) -> None:
    path = tmp_path / "talk.jsonl"
    app = create_app(paused=True, policy="manual", record=str(path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await send(pilot, c.GoTo(0.0), c.Fork("other"), c.Step(0))
        await pilot.press("v")
        await settle(pilot)
        assert isinstance(app.screen, CompareScreen)
        await pilot.press("s")  # the compare screen lets it through to the app
        await settle(pilot)
    talk = markers(read_session(path))
    assert talk[-1].kind == "slide" and talk[-1].view.overlay == "compare"
    presenter = create_presenter(str(path), link=False)
    async with presenter.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("end")
        await settle(pilot)
        await pilot.pause(0.2)
        assert isinstance(presenter.screen, CompareScreen)
    # The exported frame of that slide shows the compare view too.
    from tui.app.cast import to_svg
    from tui.record import replay_session, scenario_for

    recorded = read_session(path)
    written = await asyncio.to_thread(
        to_svg, replay_session(recorded, scenario_for(recorded)), tmp_path / "frames", SIZE, "notes"
    )
    assert "slide" in written[-1].name and "diverged&#160;at" in written[-1].read_text()


@pytest.mark.asyncio
async def test_the_speaker_view_follows_the_presenter_and_drives_it(tmp_path: Path) -> None:
    path = tmp_path / "talk.jsonl"
    await record_talk(path)
    presenter = create_presenter(str(path))
    speaker = SpeakerApp(str(path))
    async with presenter.run_test(size=SIZE) as shown, speaker.run_test(size=(80, 20)) as aside:
        await settle(shown)
        total = len(presenter.snapshot.markers)

        async def speaker_says(text: str) -> str:
            for _ in range(100):
                said = " ".join(plain(speaker.view.render(), width=80).split())
                if text in said:
                    return said
                await asyncio.sleep(0.05)
            raise AssertionError(f"{text!r} not in {said!r}")

        said = await speaker_says(f"marker 1 of {total}")
        assert "next" in said and "incident" in said
        await shown.press("right")
        await settle(shown)
        await speaker_says(f"marker 2 of {total}")
        # The speaker drives: the presenter goes to the last marker.
        await aside.press("end")
        for _ in range(100):
            if presenter.snapshot.marker == total - 1:
                break
            await asyncio.sleep(0.05)
        assert presenter.snapshot.marker == total - 1
        said = await speaker_says(f"marker {total} of {total}")
        assert "(the end)" in said


@pytest.mark.slow  # plays the talk in a headless app, frame by frame: 8 s
def test_svg_frames_of_a_talk_show_each_marker_in_its_recorded_view(tmp_path: Path) -> None:
    import asyncio

    from tui.app.cast import to_svg
    from tui.record import replay_session, scenario_for

    path = tmp_path / "talk.jsonl"
    asyncio.run(record_talk(path))
    recorded = read_session(path)
    talk = markers(recorded)
    replay = replay_session(recorded, scenario_for(recorded))
    written = to_svg(replay, tmp_path / "frames", size=SIZE, frames="notes")
    # One frame per marker (two notes, the fork, the slide): each shows a different screen.
    assert len(written) == len(talk) == 4
    slide = written[-1].read_text()
    assert "slide" in written[-1].name
    zoom = talk[-1].view.zoom
    assert zoom is not None and zoom > 60  # the last slide was placed zoomed out from the race's minute
    assert "(1&#160;min)" in written[0].read_text() and "(1&#160;min)" not in slide


@pytest.mark.asyncio
async def test_each_marker_is_a_checkpoint_restored_with_nothing_replayed(tmp_path: Path) -> None:
    path = tmp_path / "talk.jsonl"
    record_headless(load_scenario(), path, until=parse_sim("00:25"))
    stops = (700, 1500)  # neither is one of the checkpoints kept every 1000 moves
    with path.open("a") as file:
        for step in stops:
            file.write(json.dumps({"type": "note", "step": step, "text": f"at step {step}"}) + "\n")
    app = create_presenter(str(path), link=False)
    long_moves: list[str] = []
    original = app.session._long_move

    async def long_move(*args: object, **kwargs: object) -> object:
        long_moves.append(str(args[1]))
        return await original(*args, **kwargs)  # type: ignore[arg-type]

    app.session._long_move = long_move  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.snapshot.marker == 0 and app.snapshot.step == stops[0]
        assert gc.get_freeze_count() > 0  # the opened recording is kept out of the collector's walks
        for key, number in (("end", 1), ("left", 0), ("right", 1)):
            await pilot.press(key)
            await settle(pilot)
            assert app.snapshot.marker == number and app.snapshot.step == stops[number]
            tl = app.session.timeline  # restored exactly: the history's events up to that step, no more
            assert len(tl.events) == sum(1 for e in tl.history_events if e.step <= stops[number])
    assert long_moves == []  # every marker was a restore: no move replayed, no progress shown
    assert gc.get_freeze_count() == 0  # and closing the presenter hands them back
