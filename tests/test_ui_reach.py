"""Pilot tests: every lane and log line reachable, the time axis, the race zoom, dialogs that keep their text."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from textual import events
from typer.testing import CliRunner

from tests.ui_helpers import choices_text, plain, send, settle
from tui.app import create_app
from tui.app.screens.compare import compare_table
from tui.app.widgets.eventlog import EventLog
from tui.app.widgets.timeline import RACE_ZOOM, TimelineView, tick_spacing
from tui.cli import app as cli
from tui.clock import parse_sim
from tui.session import commands as c

SMALL = (80, 24)


def test_ticks_adapt_to_the_zoom() -> None:
    assert tick_spacing(1.0, 8) == 10  # a minute over 60 columns: every 10 s
    assert tick_spacing(60.0, 5) == 600  # an hour over 60 columns: every 10 min
    assert tick_spacing(1000.0, 5) == 7200  # the whole window: every 2 h


@pytest.mark.asyncio
async def test_the_axis_names_the_span_and_the_cursor_time() -> None:
    app = create_app(paused=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, c.GoTo(parse_sim("06:00")))
        view = app.query_one(TimelineView)
        assert "PDT (1 h)" in str(view.border_title)
        first = str(view.render()).splitlines()[0]
        assert first.startswith("PDT") and "05:59:" in first and "╵06:10" in first
        assert "+ for Enactor lanes" in str(view.border_title)  # the race's lanes are folded at an hour
        assert not any(r.label.startswith("Enact ") for r in view.rows())
        for _ in range(3):
            await pilot.press("plus")
        await pilot.pause()
        assert "(1 min)" in str(view.border_title) and "+ for Enactor" not in str(view.border_title)
        assert any(r.label.startswith("Enact ") for r in view.rows())


@pytest.mark.asyncio
async def test_lanes_are_grouped_and_scroll_to_the_last_at_80x24() -> None:
    app = create_app(paused=True)
    async with app.run_test(size=SMALL) as pilot:
        await send(pilot, c.GoTo(parse_sim("06:00")))
        view = app.query_one(TimelineView)
        groups = [r.label for r in view.rows() if r.group]
        assert groups == ["DNS automation", "DynamoDB and EC2", "network", "services"]
        last = view.rows()[-1].label
        assert last not in str(view.render())
        for _ in range(40):
            await pilot.press("down")
        await pilot.pause()
        assert last in str(view.render()) and view.offset == view.max_offset
        assert str(view.render()).splitlines()[0].startswith("PDT")  # the axis stays
        await pilot.press(*["pageup"] * 15)
        await pilot.pause()
        assert view.offset == 0
        # The mouse wheel scrolls the lanes too.
        view.on_mouse_scroll_down(events.MouseScrollDown(view, 0, 0, 0, 0, 0, False, False, False))
        assert view.offset == 1
        view.on_mouse_scroll_up(events.MouseScrollUp(view, 0, 0, 0, 0, 0, False, False, False))
        assert view.offset == 0


@pytest.mark.asyncio
async def test_jumping_to_the_race_zooms_on_the_enactors() -> None:
    app = create_app(paused=True)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        view = app.query_one(TimelineView)
        assert view.zoom < RACE_ZOOM
        await pilot.press("m")
        await settle(pilot)
        assert view.zoom == RACE_ZOOM
        assert "Enact use1-az1" in str(view.render())
    app = create_app(paused=True)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("g", *"23:48:30", "enter")
        await settle(pilot)
        assert app.query_one(TimelineView).zoom == RACE_ZOOM
        await pilot.press("minus", "g", *"06:00", "enter")
        await settle(pilot)
        assert app.query_one(TimelineView).zoom == RACE_ZOOM - 1  # far from the race: left as it is


@pytest.mark.asyncio
async def test_the_event_log_scrolls_and_the_stale_write_is_a_key_event() -> None:
    app = create_app(paused=True)
    async with app.run_test(size=SMALL) as pilot:
        await send(pilot, c.GoTo(parse_sim("23:48:30")))
        log = app.query_one(EventLog)
        text = "\n".join(str(line.text) for line in log.lines)
        assert "enactor/use1-az1 batch.applied endpoint=dynamodb.us-east-1.amazonaws.com plan=104  stale" in text
        assert "cleanup.deleted endpoint=dynamodb.us-east-1.amazonaws.com plans=[104]  deletes the active tree" in text
        times = [str(line.text)[:8] for line in log.lines]
        assert times == sorted(times)  # one night: HH:MM:SS sorts as time here
        assert app.focused is None and "tab to scroll" in str(log.border_title)
        await pilot.press("tab")
        await pilot.pause()
        assert app.focused is log and "esc" in str(log.border_title)
        bottom = log.scroll_y
        assert bottom == log.max_scroll_y > 0
        await pilot.press("up")
        await pilot.pause()
        assert log.scroll_y == bottom - 1
        for _ in range(60):
            await pilot.press("pageup")
        await pilot.pause()
        assert log.scroll_y == 0  # the first line kept is reachable
        await send(pilot, c.Step())  # a new line does not pull the view away from what is being read
        assert log.scroll_y == 0
        await pilot.press("end")
        await pilot.pause()
        await send(pilot, c.GoTo(parse_sim("23:49:30")))
        assert log.scroll_y == log.max_scroll_y  # End follows again
        await pilot.press("escape")
        await pilot.pause()
        assert app.focused is None
        view = app.query_one(TimelineView)
        before = view.offset
        await pilot.press("down")  # the arrows are the lanes' again
        await pilot.pause()
        assert view.offset == before + 1


@pytest.mark.asyncio
async def test_a_note_lands_in_time_order() -> None:
    app = create_app(paused=True)
    async with app.run_test(size=SMALL) as pilot:
        await send(pilot, c.GoTo(parse_sim("23:47:00")), c.Note("before the race"), c.GoTo(parse_sim("23:48:30")))
        lines = [str(line.text) for line in app.query_one(EventLog).lines]
        assert any("before the race" in line for line in lines)
        assert [line[:8] for line in lines] == sorted(line[:8] for line in lines)


@pytest.mark.asyncio
async def test_the_choice_panel_names_only_what_it_shows_in_one_naming() -> None:
    app = create_app(paused=True, policy="manual")
    async with app.run_test(size=SMALL) as pilot:
        await send(pilot, c.GoTo(parse_sim("06:00")))
        snap = app.snapshot
        assert snap is not None and len(snap.choices) > 3
        text = choices_text(app)
        shown = [n for n in range(1, 10) if re.search(rf"^{n}\s", text, re.M)]
        title = str(app.choices.border_title)
        assert f"pick 1-{len(shown)} of {len(snap.choices)}" in title
        assert f"{len(snap.choices) - len(shown)} more" in title
        lines = text.splitlines()
        for n in shown:  # every numbered item has its action on the next line (narrow) or its own
            i = next(i for i, line in enumerate(lines) if line.startswith(f"{n} "))
            assert lines[i].rstrip().endswith(":") is False or lines[i + 1].strip()
    app = create_app(paused=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, c.GoTo(parse_sim("06:00")))
        text = choices_text(app)
        for label in (r"DWFM:\s+renew", r"EC2:\s+admit", r"NLB:\s+run", r"DynamoDB clients:\s+open"):
            assert re.search(label, text), text
        for wrong in ("Dwfm", "Ec2:", "Nlb", "Dynamodb-clients", "DWFM: DWFM"):
            assert wrong not in text


@pytest.mark.asyncio
async def test_status_names_the_milestone() -> None:
    app = create_app(paused=True)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        assert app.snapshot is not None
        assert re.fullmatch(r"milestone dns\.endpoint_empty at step \d+ \(23:47:55\)", app.snapshot.status)


@pytest.mark.asyncio
async def test_the_ui_the_cli_and_the_export_agree_on_the_divergence(tmp_path: Path) -> None:
    path = tmp_path / "forks.jsonl"
    app = create_app(paused=True, policy="manual")
    async with app.run_test(size=SMALL) as pilot:
        await send(pilot, c.GoTo(parse_sim("23:47:49")), c.Step(0), c.Record(str(path)))
        snap = app.snapshot
        assert snap is not None
        stale = next(ch.key - 1 for ch in snap.choices if ch.component == "enactor/use1-az1")
        at = snap.step
        await send(pilot, c.Fork("stale-first"), c.Step(stale), c.Switch("main"), c.Step(0))
        await send(pilot, c.Compare("main", "stale-first"))
        comparison = app.last_comparison
        assert comparison is not None and comparison.diverged_at == at
        assert f"step {at} (next moves differ)" in plain(compare_table(comparison))
    result = CliRunner().invoke(cli, ["run", "--session", str(path), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output.splitlines()[-1])["summary"]
    assert summary["forks"]["stale-first"]["diverged_at"] == at
    export = CliRunner().invoke(cli, ["export", str(path), "--to", "md"])
    assert f"same moves as its parent up to step {at}," in export.output
