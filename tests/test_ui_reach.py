"""Pilot tests: every lane and log line reachable, the time axis, the race zoom, dialogs that keep their text."""

from __future__ import annotations

import pytest
from textual import events

from tests.ui_helpers import send, settle
from tui.app import create_app
from tui.app.widgets.timeline import RACE_ZOOM, TimelineView, tick_spacing
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
        assert "+ zooms in" in str(view.border_title)  # the race's lanes are folded at an hour
        assert not any(r.label.startswith("Enact") for r in view.rows())
        for _ in range(3):
            await pilot.press("plus")
        await pilot.pause()
        assert "(1 min)" in str(view.border_title) and "+ zooms in" not in str(view.border_title)
        assert any(r.label.startswith("Enact") for r in view.rows())


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
