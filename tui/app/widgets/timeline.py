"""Timeline swimlanes: a PDT axis, milestones, then lanes in groups, with the cursor on every row.

Lanes come from the snapshot's lane index (``world.health`` plus every
component that acted), so new components appear without code changes here;
:func:`tui.session.lanes.lane_group` puts each in one of four groups (DNS
automation, DynamoDB and EC2, network, services), each under a header row.

The axis and milestone rows stay put and the lanes scroll under them (keys
and mouse wheel), so every lane is reachable on a small terminal and the
time of a column is always readable. The widget draws its own viewport
rather than living in a scroll container: the axis must never scroll away.

The view zooms from the whole window down to the seconds of the race, and
pans; by default it follows the cursor. Wider than :data:`CLOSE_UP`, the
race's components (Planner, Enactors, Route 53, clean-ups) are folded into
one lane, since their seconds-apart moves are a blur at that scale; the
title then says that ``+`` shows them.

Why one module of this size: the axis, milestone row, lane groups, zoom, pan and
folding all draw into one viewport from one set of column arithmetic; split, each
part would need that arithmetic passed in.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import events
from textual.reactive import reactive
from textual.widget import Widget

from tui.clock import from_sim
from tui.session.lanes import GROUPS, ActivityLane, HealthLane, lane_group
from tui.session.views import Snapshot, display_name

LABEL = 16
#: Zoom levels as window spans in seconds; 0 stands for the whole scenario.
ZOOMS = (0.0, 4 * 3600.0, 3600.0, 900.0, 300.0, 60.0, 20.0)
#: The zoom level (60 s) a jump to the race lands on: every move of the race gets its own columns.
RACE_ZOOM = 5
HEALTH_STYLE = {"ok": "green", "degraded": "yellow", "down": "bold red"}
#: Spans at or below this many seconds show each DNS automation component on its own lane.
CLOSE_UP = 900.0
#: A speaker note on the milestone row.
NOTE_MARK = "✎"
ACTIVITY = {0: ("·", "grey50"), 1: ("▪", "yellow"), 2: ("✖", "bold red"), 3: ("◆", "bold magenta")}
#: The components whose lanes a jump to the race brings into view.
RACERS = ("enactor/", "cleanup/")
#: Rows that never scroll: the axis and the milestones.
FIXED_ROWS = 2
#: Axis tick spacings in seconds, finest first; the finest whose labels do not collide is used.
TICKS = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600)
#: Seconds from the sim's zero (23:48:00 PDT) back to midnight PDT: ticks fall on round clock times.
_MIDNIGHT = 23 * 3600 + 48 * 60


def tick_format(span: float) -> str:
    return "%H:%M:%S" if span <= 1800 else "%H:%M"


def tick_spacing(seconds_per_col: float, label: int) -> int:
    """The finest tick spacing that leaves room for a label and two blanks between ticks."""
    for spacing in TICKS:
        if spacing / seconds_per_col >= label + 2:
            return spacing
    return TICKS[-1]


def span_words(span: float) -> str:
    """``1 min``, ``15 min``, ``4 h``, ``20 s``: the zoom in the title."""
    if span < 60:
        return f"{span:.0f} s"
    if span < 3600:
        return f"{span / 60:.0f} min"
    hours = span / 3600
    return f"{hours:.0f} h" if hours == int(hours) else f"{hours:.1f} h"


@dataclass(frozen=True)
class Row:
    """One scrolling row: a group header, a health lane, or one or more components' activity (folded)."""

    label: str
    group: bool = False
    health: HealthLane | None = None
    activity: tuple[ActivityLane, ...] = ()


class TimelineView(Widget):
    """Draws lanes for a time window; ``zoom`` indexes :data:`ZOOMS`; ``offset`` is the first lane row shown."""

    zoom: reactive[int] = reactive(2)  # an hour around the cursor: the race shows, the window scrolls
    follow: reactive[bool] = reactive(True)
    centre: reactive[float] = reactive(0.0)
    offset: reactive[int] = reactive(0)

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.snap: Snapshot | None = None

    def show(self, snap: Snapshot) -> None:
        self.snap = snap
        self._retitle()
        self.refresh()

    # -- the window ---------------------------------------------------------------
    @property
    def span(self) -> float:
        if self.snap is None:
            return 0.0
        full = self.snap.end - self.snap.start
        return full if ZOOMS[self.zoom] == 0 else min(ZOOMS[self.zoom], full)

    def window(self) -> tuple[float, float]:
        snap = self.snap
        assert snap is not None
        span = self.span
        centre = snap.now if self.follow else self.centre
        lo = min(max(centre - span / 2, snap.start), snap.end - span)
        return lo, lo + span

    def zoom_in(self) -> bool:
        if self.zoom + 1 >= len(ZOOMS):
            return False
        self.zoom += 1
        return True

    def zoom_out(self) -> bool:
        if self.zoom == 0:
            return False
        self.zoom -= 1
        return True

    def zoom_to(self, level: int) -> None:
        """Zoom to ``level`` and follow the cursor, with the Enactor and clean-up lanes in view (the race).

        When the DNS automation group does not fit from the top, the lanes
        scroll so that the Enactors come first: they are who raced.
        """
        self.zoom = max(0, min(level, len(ZOOMS) - 1))
        self.follow = True
        rows = self.rows()
        racers = [i for i, r in enumerate(rows) if r.activity and r.activity[0].name.startswith(RACERS)]
        if racers and racers[-1] >= self.visible_rows:
            self.offset = min(racers[0], self.max_offset)
        else:
            self.offset = 0

    def pan(self, direction: int) -> None:
        if self.snap is None:
            return
        lo, hi = self.window()
        self.follow = False
        self.centre = (lo + hi) / 2 + direction * self.span / 4

    def follow_cursor(self) -> None:
        self.follow = True

    def view_state(self) -> tuple[float, float | None]:
        """The span shown (seconds) and its centre (None while following the cursor): what a marker records."""
        span = ZOOMS[self.zoom] or (0.0 if self.snap is None else self.snap.end - self.snap.start)
        return span or ZOOMS[1], None if self.follow else self.centre

    def apply_view(self, span: float | None, centre: float | None) -> None:
        """Show what a marker recorded: the nearest zoom to ``span``, centred on ``centre`` (None: follow)."""
        if span is not None:
            levels = [z or (self.snap.end - self.snap.start if self.snap else z) for z in ZOOMS]
            self.zoom = min(range(len(ZOOMS)), key=lambda i: abs(levels[i] - span))
        if centre is None:
            self.follow = True
        else:
            self.follow = False
            self.centre = centre

    # -- scrolling the lanes ------------------------------------------------------
    @property
    def visible_rows(self) -> int:
        """Lane rows that fit under the axis and the milestones."""
        return max(self.size.height - FIXED_ROWS, 1)

    @property
    def max_offset(self) -> int:
        return max(len(self.rows()) - self.visible_rows, 0)

    def scroll_lanes(self, delta: int) -> None:
        """Scroll the lanes by ``delta`` rows (the axis and the milestones stay)."""
        self.offset = max(0, min(self.offset + delta, self.max_offset))

    def scroll_lanes_page(self, direction: int) -> None:
        self.scroll_lanes(direction * max(self.visible_rows - 1, 1))

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        self.scroll_lanes(1)
        event.stop()

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        self.scroll_lanes(-1)
        event.stop()

    def on_resize(self) -> None:
        self.offset = max(0, min(self.offset, self.max_offset))
        self._retitle()

    def watch_zoom(self) -> None:
        self.offset = max(0, min(self.offset, self.max_offset))
        self._retitle()

    def watch_offset(self) -> None:
        self._retitle()

    def watch_follow(self) -> None:
        self._retitle()

    def watch_centre(self) -> None:
        self._retitle()

    # -- rows ---------------------------------------------------------------------
    @property
    def folded(self) -> bool:
        """Wider than :data:`CLOSE_UP`, the DNS automation components share one lane."""
        return self.span > CLOSE_UP

    def rows(self) -> list[Row]:
        """Group headers and lanes in order: in each group, services' health first, then who acted."""
        snap = self.snap
        if snap is None:
            return []
        groups: list[list[Row]] = [[] for _ in GROUPS]
        for name, lane in snap.lanes.health.items():
            groups[lane_group(name, True)].append(Row(name, health=lane))
        acted: list[list[ActivityLane]] = [[] for _ in GROUPS]
        for name, activity in snap.lanes.activity.items():
            acted[lane_group(name, False)].append(activity)
        out: list[Row] = []
        for n, title in enumerate(GROUPS):
            if n and snap.world != "full":
                break  # the explorer's DNS core has only the DNS automation: no cascade lanes to show
            lanes = groups[n]
            if n == 0 and self.folded and acted[0]:
                lanes.append(Row("Enactors etc. +", activity=tuple(acted[0])))
            else:
                lanes += [Row(short_label(a.name), activity=(a,)) for a in acted[n]]
            if lanes:
                out.append(Row(title, group=True))
                out += lanes
        return out

    def hidden_below(self) -> int:
        return max(len(self.rows()) - self.offset - self.visible_rows, 0)

    def title(self) -> str:
        """The shown span, which lanes are in view, and what brings the others."""
        snap = self.snap
        if snap is None:
            return "Timeline"
        lo, hi = self.window()
        fmt = tick_format(hi - lo)
        head = f"Timeline · {from_sim(lo).strftime(fmt)}–{from_sim(hi).strftime(fmt)} PDT ({span_words(hi - lo)})"
        rows = self.rows()
        parts = [head]
        if len(rows) > self.visible_rows:
            last = min(self.offset + self.visible_rows, len(rows))
            parts.append(f"rows {self.offset + 1}-{last} of {len(rows)} ↑↓")
        if self.folded:
            parts.append("+ for Enactor lanes")
        return " · ".join(parts)

    def _retitle(self) -> None:
        title = self.title()
        if self.border_title != title:
            self.border_title = title

    # -- drawing ------------------------------------------------------------------
    def render(self) -> Text:
        snap = self.snap
        if snap is None:
            return Text("starting…", style="dim")
        width = max(self.size.width - LABEL - 1, 10)
        lo, hi = self.window()
        step = (hi - lo) / width
        cols = [lo + i * step for i in range(width)]
        cursor = int((snap.now - lo) / step) if lo <= snap.now <= hi else None
        if cursor is not None:
            cursor = min(cursor, width - 1)
        out = Text(no_wrap=True, overflow="crop")
        self._axis(out, snap.now, lo, hi, width, cursor)
        # Milestone row.
        out.append("\n" + f"{'milestones':<{LABEL}}", style="dim")
        row = [" "] * width
        styles = ["bold yellow"] * width
        for _name, at in snap.milestones:
            if at is not None and lo <= at < hi:
                row[min(int((at - lo) / step), width - 1)] = "▼"
        for note in snap.notes:
            if lo <= note.time < hi:
                col = min(int((note.time - lo) / step), width - 1)
                row[col], styles[col] = NOTE_MARK, "bold cyan"
        self._cells(out, row, styles, cursor)
        rows = self.rows()
        for lane in rows[self.offset : self.offset + self.visible_rows]:
            out.append("\n")
            if lane.group:
                out.append(f"─ {lane.label} ".ljust(LABEL + width, "─"), style="bold cyan")
                continue
            glyphs, styles = [], []
            if lane.health is not None:
                out.append(f"{lane.label:<{LABEL}}"[:LABEL], style="bold")
                for start in cols:
                    if start > snap.now:
                        glyphs.append(" ")
                        styles.append("")
                        continue
                    state = lane.health.worst(start, min(start + step, snap.now + 1e-9))
                    glyphs.append("█" if state else " ")
                    styles.append(HEALTH_STYLE.get(state or "", "yellow"))
            else:
                out.append(f"{lane.label:<{LABEL}}"[:LABEL])
                for start in cols:
                    end = min(start + step, snap.now + 1e-9)
                    level = None
                    if start <= snap.now:
                        levels = [x for a in lane.activity if (x := a.loudest(start, end)) is not None]
                        level = max(levels) if levels else None
                    glyph, style = ACTIVITY[level] if level is not None else (" ", "")
                    glyphs.append(glyph)
                    styles.append(style)
            self._cells(out, glyphs, styles, cursor)
        return out

    @staticmethod
    def _cells(out: Text, glyphs: list[str], styles: list[str], cursor: int | None) -> None:
        """Append a row, one span per run of equal style (a row is drawn on every frame)."""
        if cursor is not None and 0 <= cursor < len(glyphs):
            glyph = glyphs[cursor]
            glyphs[cursor] = "┃" if glyph in (" ", "█") else glyph
            styles[cursor] = f"{styles[cursor] or 'white'} on grey30"
        run_start = 0
        for i in range(1, len(glyphs) + 1):
            if i == len(glyphs) or styles[i] != styles[run_start]:
                out.append("".join(glyphs[run_start:i]), style=styles[run_start])
                run_start = i

    def _axis(self, out: Text, now: float, lo: float, hi: float, width: int, cursor: int | None) -> None:
        """PDT ticks on round clock times, and the cursor's own time written beside the cursor."""
        fmt = tick_format(hi - lo)
        per_col = (hi - lo) / width
        spacing = tick_spacing(per_col, len(from_sim(lo).strftime(fmt)))
        if spacing < 60:
            fmt = "%H:%M:%S"
        stamp = f" {from_sim(now).strftime('%H:%M:%S')} "
        # Where the cursor's time goes: right of the cursor, or left of it near the right edge.
        taken = (0, 0)
        if cursor is not None:
            first = cursor + 1 if cursor + 1 + len(stamp) <= width else max(cursor - len(stamp), 0)
            taken = (min(first, cursor), max(first + len(stamp), cursor + 1))
        line = [" "] * width
        t = lo + (-(lo + _MIDNIGHT)) % spacing
        while t < hi:
            col = round((t - lo) / per_col)
            text = "╵" + from_sim(t).strftime(fmt)
            clear = col + len(text) < taken[0] - 1 or col > taken[1]
            if col + len(text) <= width and (cursor is None or clear):
                line[col : col + len(text)] = list(text)
            t += spacing
        where = "cursor ◀" if now < lo else "cursor ▶" if now > hi else "PDT"
        out.append(f"{where:<{LABEL}}", style="dim")
        if cursor is None:
            out.append("".join(line), style="dim")
            return
        a, b = taken
        out.append("".join(line[:a]), style="dim")
        if a == cursor:
            out.append("┃", style="white on grey30")
            out.append(stamp, style="bold black on yellow")
        else:
            out.append(stamp, style="bold black on yellow")
            out.append("┃", style="white on grey30")
        out.append("".join(line[b:]), style="dim")


def short_label(component: str) -> str:
    """A component's lane label, shortened to fit the label column."""
    return display_name(component).replace("Enactor ", "Enact ").replace("Clean-up ", "Clean ")
