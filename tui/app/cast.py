"""Play a recorded session in the replay UI with no terminal: an asciicast v2 recording, or SVG frames.

The app runs headless, but under :class:`CastDriver`, a headless driver that
keeps every byte Textual writes. Each frame is stamped with the time the UI
would show it at the chosen speed (the same pacing as live playback: virtual
time compressed, a cost per step, a hold on milestones), not with how long
rendering took here, so the cast is the same on any machine and a 15-hour
window renders in seconds of wall time.

Every timeline plays in the order it was made: main from its start, each
fork from where it left its parent. A marker (asciicast ``"m"`` event) falls
on every milestone, fork, speaker note and slide; the SVG export captures the
screen at each and lets :func:`tui.record.frames.select_frames` choose the
frames. Where the recording says how the screen looked at a marker (its zoom,
pan, and an open compare or fork tree: :mod:`tui.record.markers`), the cast
and the frames show it that way.

This relies on Textual's driver interface (``write`` and ``is_headless``),
which is semi-private: Textual is pinned, and a test plays a cast back.

Why one module of this size: the cast and the SVG frames are one playback loop (the
pacing, every timeline in order, each marker in its recorded view) with two ways of
keeping what it shows; split, the loop would be written twice.
"""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from textual.driver import Driver
from textual.drivers.headless_driver import HeadlessDriver

from tui.app.app import ReplayApp
from tui.errors import BadInput
from tui.record import Replayed, SessionReplay
from tui.record.frames import DEFAULT_FRAMES, Moment, check_frames, frame_title, select_frames
from tui.record.markers import Marker, markers
from tui.session import commands as cmd
from tui.session.pacing import Pacer
from tui.session.recording import Reopened, reopen, scenarios_of
from tui.session.session import SessionConfig
from tui.sim.kinds import Kind

#: Frames per second of the cast at most (quiet stretches write fewer: only what changed is written).
FPS = 5.0
#: Seconds a fork or a note holds the screen, at speed 1, so the audience can read it.
HOLD = 2.0
#: Default terminal size of a cast.
SIZE = (100, 30)


@dataclass
class CastLog:
    """What the driver wrote, stamped with the cast's clock."""

    clock: float = 0.0
    events: list[tuple[float, str, str]] = field(default_factory=list)
    #: Set once the session has played: what the app writes as it shuts down is not part of the cast.
    closed: bool = False

    def output(self, data: str) -> None:
        if not data or self.closed:
            return
        if self.events and self.events[-1][0] == self.clock and self.events[-1][1] == "o":
            t, code, old = self.events[-1]
            self.events[-1] = (t, code, old + data)
        else:
            self.events.append((self.clock, "o", data))

    def marker(self, label: str) -> None:
        self.events.append((self.clock, "m", label))


class CastDriver(HeadlessDriver):
    """No terminal, yet not headless to Textual: every screen update comes through :meth:`write`."""

    @property
    def is_headless(self) -> bool:
        return False

    def write(self, data: str) -> None:
        app = self._app
        if isinstance(app, CastApp):
            app.cast.output(data)


class CastApp(ReplayApp):
    """The replay app writing to a :class:`CastLog` instead of a terminal."""

    def get_driver_class(self) -> type[Driver]:
        return CastDriver

    def __init__(self, config: SessionConfig, size: tuple[int, int]) -> None:
        super().__init__(config)
        self.cast = CastLog()
        self.console.size = size  # not headless, Textual would ask the (absent) terminal for a size


#: Called at each marker with its kind (``milestone``, ``fork``, ``note``), its label and the app showing it
#: (the SVG export takes a screenshot).
OnMarker = Callable[[str, str, ReplayApp], None]


def _costs(timeline: Replayed, pacer: Pacer, speed: float) -> list[float]:
    """Wall seconds each move of a timeline is shown for, as live playback paces it."""
    by_step: dict[int, list[Any]] = {}
    for event in timeline.events:
        by_step.setdefault(event.step, []).append(event)
    out = []
    for step in range(1, len(timeline.moves) + 1):
        delta = timeline.time_at(step) - timeline.time_at(step - 1)
        out.append(pacer.cost(delta, by_step.get(step, ()), speed))
    return out


def _milestones(timeline: Replayed, first: int) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for event in timeline.events:
        if event.kind == Kind.MILESTONE and event.step > first:
            out.setdefault(event.step, []).append(f"milestone {event.data.get('id')}")
    return out


async def play(
    replay: SessionReplay,
    size: tuple[int, int] = SIZE,
    speed: float = 1.0,
    on_marker: OnMarker | None = None,
    fps: float = FPS,
) -> CastLog:
    """Play every timeline of ``replay`` in a headless app; return what it wrote, with markers."""
    header = replay.session.header
    pacer = Pacer()
    config = SessionConfig(replay.scenario, policy=header.policy, seed=header.seed, paused=True, speed=speed)
    specs, _, _ = reopen(replay, scenarios_of(replay, replay.scenario))
    app = CastApp(config, size)
    log = app.cast
    async with app.run_test(size=size, headless=False) as pilot:

        async def show() -> None:
            await app.settle()
            await pilot.pause()
            await pilot.pause()

        talk = markers(replay.session)

        async def mark(kind: str, label: str) -> None:
            overlay = await _show_view(app, show, talk, kind)
            log.marker(label)
            if on_marker is not None:
                on_marker(kind, label, app)
            if overlay:
                app.pop_screen()
                await show()

        for spec in specs:
            timeline = replay.timelines[spec.name]
            start = spec.held if spec.parent is not None else 0
            app.send(cmd.Restore(spec, start))
            notes = _notes(spec)  # those up to ``start`` come with the restored timeline
            slides = _slides(talk, spec.name)
            await show()
            if spec.parent is not None:
                await mark("fork", f"fork {spec.name} from {spec.parent} at step {spec.forked_at}")
                log.clock += HOLD / speed
            for text in _notes_upto(notes, start):
                await mark("note", f"note: {text}")
            for text in _notes_upto(slides, start):
                await mark("slide", f"slide: {text}")
            costs = _costs(timeline, pacer, speed)
            await _play_moves(app, show, mark, spec, timeline, start, costs, notes, slides, fps)
        await show()
        log.clock += 1.0
        log.output("\x1b[?25l")  # the last frame stays up for a second (the cursor stays hidden)
        log.closed = True
    return log


async def _show_view(app: ReplayApp, show: Callable[[], Any], talk: list[Marker], kind: str) -> bool:
    """Show the view the recording gave the marker of ``kind`` here, if any; True if it opened an overlay."""
    snap = app.snapshot
    if snap is None:
        return False
    found = [m for m in talk if m.timeline == snap.fork and m.step == snap.step and m.kind == kind]
    if not found:
        return False
    if not app.show_view(found[0].view):
        await show()
        return False
    await show()
    await show()  # the comparison comes back from the session, then the screen is pushed
    return app.screen is not app.screen_stack[0]


def _slides(talk: list[Marker], timeline: str) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for marker in talk:
        if marker.kind == "slide" and marker.timeline == timeline:
            out.setdefault(marker.step, []).append(marker.text)
    return out


def _notes(spec: Reopened) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for note in spec.notes:
        out.setdefault(note.step, []).append(note.text)
    return out


def _notes_upto(notes: dict[int, list[str]], step: int) -> list[str]:
    """Notes at or before ``step`` (already on screen): marked once, then forgotten."""
    out = []
    for at in sorted(s for s in notes if s <= step):
        out += notes.pop(at)
    return out


async def _play_moves(
    app: CastApp,
    show: Callable[[], Any],
    mark: Callable[[str, str], Any],
    spec: Reopened,
    timeline: Replayed,
    start: int,
    costs: list[float],
    notes: dict[int, list[str]],
    slides: dict[int, list[str]],
    fps: float,
) -> None:
    """Take a timeline's moves from ``start``, one frame per 1/fps of cast time and one at each marker."""
    log = app.cast
    milestones = _milestones(timeline, start)
    pending: list[int] = []
    next_frame = log.clock + 1 / fps
    moves = spec.picks
    clock = log.clock
    for step in range(start + 1, len(moves) + 1):
        pending.append(moves[step - 1].index)
        clock += costs[step - 1]
        labels = milestones.get(step, [])
        texts = notes.pop(step, [])
        shown = slides.pop(step, [])
        if clock < next_frame and not labels and not texts and not shown and step != len(moves):
            continue
        app.send(cmd.Take(tuple(pending)))
        pending = []
        for text in texts:
            app.send(cmd.Note(text))
        log.clock = clock
        await show()
        for label in labels:
            await mark("milestone", label)
        for text in texts:
            await mark("note", f"note: {text}")
            clock += HOLD / max(app.session.speed, 0.01)
        for text in shown:
            await mark("slide", f"slide: {text}")
            clock += HOLD / max(app.session.speed, 0.01)
        next_frame = max(next_frame + 1 / fps, clock)
    log.clock = clock


def asciicast(log: CastLog, size: tuple[int, int], title: str) -> str:
    """asciicast v2: a header line, then ``[time, code, data]`` lines in time order."""
    duration = max((t for t, _, _ in log.events), default=0.0)
    head = {
        "version": 2,
        "width": size[0],
        "height": size[1],
        "duration": math.ceil(duration * 1000) / 1000,  # rounded up: never before the last event
        "title": title,
        "env": {"TERM": "xterm-256color", "SHELL": "/bin/sh"},
    }
    lines = [json.dumps(head)]
    lines += [json.dumps([round(t, 6), code, data], ensure_ascii=False) for t, code, data in log.events]
    return "\n".join(lines) + "\n"


def _title(replay: SessionReplay) -> str:
    return f"outage-tui · {replay.scenario.get('scenario.title')} · {Path(replay.session.path).name}"


def to_cast(replay: SessionReplay, size: tuple[int, int] = SIZE, speed: float = 1.0) -> str:
    """The session as an asciicast v2 recording (for asciinema-player), markers included."""
    import asyncio

    log = asyncio.run(play(replay, size, speed))
    return asciicast(log, size, _title(replay))


def _slug(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")[:48] or "marker"


#: The title every moment's screen is captured with, so that identical screens give identical SVG; each
#: frame's own title replaces it when the frame is written.
TITLE_SLOT = "outage-tui-frame-title"


def _titled(svg: str, title: str) -> str:
    """``svg`` (captured with :data:`TITLE_SLOT`) with its title, escaped as Rich writes SVG text."""
    return svg.replace(f">{TITLE_SLOT}</text>", f">{html.escape(title).replace(' ', '&#160;')}</text>", 1)


def to_svg(
    replay: SessionReplay, out: str | Path, size: tuple[int, int] = SIZE, frames: str = DEFAULT_FRAMES
) -> list[Path]:
    """SVG frames in directory ``out`` for the moments ``frames`` chooses (see :mod:`tui.record.frames`).

    Every milestone, fork and note is captured; consecutive moments with
    the same screen make one frame titled with all their labels. Returns the
    files written.
    """
    import asyncio

    check_frames(frames)
    directory = Path(out)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise BadInput(f"-o {out}: cannot create the directory: {err.strerror}") from None
    moments: list[Moment] = []

    def shoot(kind: str, label: str, app: ReplayApp) -> None:
        moments.append(Moment(kind, label, app.export_screenshot(title=TITLE_SLOT)))

    asyncio.run(play(replay, size, 1.0, on_marker=shoot))
    written = []
    for n, frame in enumerate(select_frames(moments, frames), start=1):
        path = directory / f"{n:03d}-{_slug(frame.labels[0])}.svg"
        path.write_text(_titled(frame.screen, frame_title(frame.labels, size[0])), encoding="utf-8")
        written.append(path)
    return written


def cast_export(replay: SessionReplay, size: tuple[int, int] = SIZE, speed: float = 1.0, **_options: Any) -> str:
    """``export --to cast``, as :data:`tui.record.export.EXPORTERS` calls it."""
    return to_cast(replay, size, speed)


def svg_export(
    replay: SessionReplay,
    output: str = "-",
    size: tuple[int, int] = SIZE,
    frames: str = DEFAULT_FRAMES,
    **_options: Any,
) -> list[Path]:
    """``export --to svg -o DIR``, as :data:`tui.record.export.EXPORTERS` calls it."""
    if output == "-":
        raise BadInput("--to svg: writes one file per frame, expected -o DIR")
    return to_svg(replay, output, size, frames)
