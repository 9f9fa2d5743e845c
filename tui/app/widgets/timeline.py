"""Timeline swimlanes: health lanes and component activity, with cursor and milestone markers.

Lanes come from the snapshot's lane index (``world.health`` plus every
component that acted), so new components appear without code changes here.
The view zooms from the whole window down to the seconds of the race, and
pans; by default it follows the cursor.
"""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from tui.clock import from_sim
from tui.session.views import Snapshot, display_name

LABEL = 16
#: Zoom levels as window spans in seconds; 0 stands for the whole scenario.
ZOOMS = (0.0, 4 * 3600.0, 3600.0, 900.0, 300.0, 60.0, 20.0)
HEALTH_STYLE = {"ok": "green", "degraded": "yellow", "down": "bold red"}
#: Spans at or below this many seconds list component activity before service health.
CLOSE_UP = 900.0
#: A speaker note on the milestone row.
NOTE_MARK = "✎"
ACTIVITY = {0: ("·", "grey50"), 1: ("▪", "yellow"), 2: ("✖", "bold red"), 3: ("◆", "bold magenta")}


def tick_format(span: float) -> str:
    return "%H:%M:%S" if span <= 1800 else "%H:%M"


class TimelineView(Widget):
    """Draws lanes for a time window; ``zoom`` indexes :data:`ZOOMS`."""

    zoom: reactive[int] = reactive(2)  # an hour around the cursor: the race shows, the window scrolls
    follow: reactive[bool] = reactive(True)
    centre: reactive[float] = reactive(0.0)

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.snap: Snapshot | None = None

    def show(self, snap: Snapshot) -> None:
        self.snap = snap
        height = len(snap.lanes.health) + len(snap.lanes.activity) + 2
        if self.styles.height is None or self.styles.height.value != height:
            self.styles.height = height  # a new lane appeared: the only case that needs a new layout
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

    def pan(self, direction: int) -> None:
        if self.snap is None:
            return
        lo, hi = self.window()
        self.follow = False
        self.centre = (lo + hi) / 2 + direction * self.span / 4

    def follow_cursor(self) -> None:
        self.follow = True

    # -- drawing ------------------------------------------------------------------
    def render(self) -> Text:
        snap = self.snap
        if snap is None:
            return Text("starting…", style="dim")
        width = max(self.size.width - LABEL, 10)
        lo, hi = self.window()
        step = (hi - lo) / width
        cols = [lo + i * step for i in range(width)]
        cursor = int((snap.now - lo) / step) if lo <= snap.now <= hi else None
        out = Text(no_wrap=True, overflow="crop")
        # Milestone row.
        out.append(f"{'milestones':<{LABEL}}", style="dim")
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
        health = [(name, lane, None) for name, lane in snap.lanes.health.items()]
        activity = [(name, None, lane) for name, lane in snap.lanes.activity.items()]
        # Hours: services' health matters most. Minutes and seconds: who acted, then health.
        rows = health + activity if self.span > CLOSE_UP else health[:1] + activity + health[1:]
        for name, health_lane, activity_lane in rows:
            glyphs, styles = [], []
            if health_lane is not None:
                out.append("\n" + f"{name:<{LABEL}}"[:LABEL], style="bold")
                for start in cols:
                    if start > snap.now:
                        glyphs.append(" ")
                        styles.append("")
                        continue
                    state = health_lane.worst(start, min(start + step, snap.now + 1e-9))
                    glyphs.append("█" if state else " ")
                    styles.append(HEALTH_STYLE.get(state or "", "yellow"))
            else:
                assert activity_lane is not None
                label = display_name(name).replace("Enactor ", "Enact ").replace("Clean-up ", "Clean ")
                out.append("\n" + f"{label:<{LABEL}}"[:LABEL])
                for start in cols:
                    end = min(start + step, snap.now + 1e-9)
                    level = None if start > snap.now else activity_lane.loudest(start, end)
                    glyph, style = ACTIVITY[level] if level is not None else (" ", "")
                    glyphs.append(glyph)
                    styles.append(style)
            self._cells(out, glyphs, styles, cursor)
        out.append("\n" + self._axis(lo, hi, width))
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

    def _axis(self, lo: float, hi: float, width: int) -> str:
        fmt = tick_format(hi - lo)
        label = "full window" if ZOOMS[self.zoom] == 0 else f"zoom {self.zoom}/{len(ZOOMS) - 1}"
        line = [" "] * width
        tick = len(from_sim(lo).strftime(fmt)) + 3
        for i in range(0, width - tick + 3, tick * 2):
            text = from_sim(lo + (hi - lo) * i / width).strftime(fmt)
            line[i : i + len(text)] = list(text)
        return f"{label:<{LABEL}}" + "".join(line[:width])
