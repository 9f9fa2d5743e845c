"""Which moments of a played session become SVG frames: the chosen kinds, identical neighbours merged."""

from __future__ import annotations

import pytest

from tui.errors import BadInput
from tui.record.frames import Moment, check_frames, frame_title, select_frames


def test_frames_are_the_chosen_moments_with_identical_neighbours_merged() -> None:
    moments = [
        Moment("note", "note: a", "screen 1"),
        Moment("fork", "fork f", "screen 1"),
        Moment("milestone", "milestone x", "screen 2"),
        Moment("milestone", "milestone y", "screen 2"),
        Moment("note", "note: b", "screen 2"),
        Moment("milestone", "milestone z", "screen 3"),
        Moment("milestone", "milestone w", "screen 2"),  # seen before, but not just before: a frame of its own
    ]
    every = select_frames(moments, "all")
    distinct = [m.screen for i, m in enumerate(moments) if i == 0 or moments[i - 1].screen != m.screen]
    assert len(every) == len(distinct) == 4
    assert [f.labels for f in every] == [
        ["note: a", "fork f"],
        ["milestone x", "milestone y", "note: b"],
        ["milestone z"],
        ["milestone w"],
    ]
    assert [f.labels for f in select_frames(moments, "notes")] == [["note: a", "fork f"], ["note: b"]]
    assert [f.labels for f in select_frames(moments, "milestones")] == [
        ["milestone x", "milestone y"],
        ["milestone z"],
        ["milestone w"],
    ]
    assert select_frames(moments) == every
    with pytest.raises(BadInput, match="--frames slides: expected one of notes, milestones, all"):
        check_frames("slides")


def test_a_frame_title_names_its_moments_or_counts_them_when_too_long() -> None:
    assert frame_title(["milestone x", "note: b"], 100) == "outage-tui · milestone x · note: b"
    assert frame_title([f"milestone m{i}" for i in range(9)], 60) == "outage-tui · milestone m0 and 8 more"
