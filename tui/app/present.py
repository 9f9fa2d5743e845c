"""``outage-tui present talk.jsonl``: give the talk a recording prepares, marker by marker.

The presenting app is the replay app opened on a recording, with other
keys: → PgDn space go to the next marker (the compressed clock glides to
it), ← PgUp to the previous one (at once), a number then Enter to marker N,
Home and End to the first and last. Only the recorded moves are ever
played: every key that would let the policy or a person make a new move is
off, so the talk shows what was prepared and nothing else. Each marker's
words are the caption, wrapped, never cut, and its recorded view (zoom, pan,
an open compare or fork tree) is shown again.

A speaker view (``--speaker``, :mod:`tui.app.speaker`) in another terminal
follows over a local socket and may drive too.
"""

from __future__ import annotations

import dataclasses
import gc
import time
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static

from tui.app.app import ReplayApp
from tui.app.speaker_link import PresenterLink, TalkState
from tui.clock import pdt_clock
from tui.session import commands as cmd
from tui.session.views import Snapshot

#: How long the clock takes to glide to a later marker (wall seconds).
GLIDE_S = 0.6

#: What still works while presenting: moving between markers, and looking (no new moves).
PRESENTING = frozenset(
    {
        "next_marker",
        "previous_marker",
        "first_marker",
        "last_marker",
        "digit",
        "go_typed",
        "clear_typed",
        "zoom",
        "lanes",
        "lanes_page",
        "focus_log",
        "follow",
        "log_filter",
        "compare",
        "fork_tree",
        "help",
        "quit",
        "command_palette",
        "stop",
    }
)


def caption_text(snap: Snapshot | None, typed: str = "") -> Text:
    """``3/12 · fork stale-first ...`` then the marker's words: what the audience reads under the screen."""
    if typed:
        return Text.assemble(("go to marker ", "bold"), (f"{typed}_", "bold reverse"), "  enter goes · esc clears")
    if snap is None or not snap.markers:
        return Text("This recording has no markers: notes (a), forks, milestone jumps and slides (s) make them.")
    if snap.marker is None:
        return Text(f"{len(snap.markers)} markers · → or space starts")
    marker = snap.markers[snap.marker]
    head = f"{snap.marker + 1}/{len(snap.markers)} · {marker.kind} · {marker.timeline} · {pdt_clock(snap.now)}"
    body = marker.text if marker.kind in ("note", "slide") else ""
    return Text.assemble((head, "bold"), *(("\n", body) if body else ()))


class Caption(Static):
    """The current marker's words: wrapped to the screen's width, as many lines as they need."""


class PresentApp(ReplayApp):
    """The replay app as a presenter's remote: markers in order, recorded moves only."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("right,pagedown,space", "next_marker", "Next", key_display="→/space", id="present.next"),
        Binding("left,pageup", "previous_marker", "Previous", key_display="←", id="present.previous"),
        Binding("home", "first_marker", "First", id="present.first"),
        Binding("end", "last_marker", "Last", id="present.last"),
        *(Binding(str(d), f"digit({d})", f"Marker {d}", show=False, id=f"present.digit-{d}") for d in range(10)),
        Binding("enter", "go_typed", "Go to N", show=False, id="present.go"),
        Binding("escape", "clear_typed", "Clear", show=False, id="present.clear"),
    ]

    def __init__(self, *args: object, recording: str | None = None, link: bool = True, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.recording = recording
        self._typed = ""
        self._opened = False
        self._started = time.time()
        self._glide: object = None
        self.link = PresenterLink(recording, self._go) if link and recording else None

    def compose_extra(self) -> ComposeResult:
        yield Caption(id="caption")

    async def on_mount(self) -> None:
        # Textual calls each class's own handler (this one first, then the replay app's): no super() here.
        self.caption = self.query_one(Caption)
        self.caption.update(caption_text(None))
        if self.link is not None:
            try:
                await self.link.start()
            except OSError as err:
                self.notice(f"speaker view unavailable: {err}", severity="warning", seconds=5)
                self.link = None

    async def on_unmount(self) -> None:
        if self._opened:
            gc.unfreeze()
        if self.link is not None:
            await self.link.close()

    # -- what applies -------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action not in PRESENTING:
            return False
        snap = self.snapshot
        if action in ("next_marker", "previous_marker", "first_marker", "last_marker", "go_typed"):
            return snap is not None and bool(snap.markers)
        return super().check_action(action, parameters)

    # -- session -> screen --------------------------------------------------------
    def after_update(self, before: Snapshot | None, snap: Snapshot) -> None:
        if not self._opened:
            self._opened = True
            # The recording is open: its moves, events and checkpoints (hundreds of thousands of objects) stay
            # as they are for the whole talk. Frozen, the collector stops walking them, and a full collection
            # no longer stalls a key press for a third of a second.
            gc.freeze()
            if snap.markers:
                self.send(cmd.GoToMarker(0))
        moved = before is not None and before.marker_visits != snap.marker_visits and snap.busy is None
        if moved and before is not None and snap.now > before.now and before.fork == snap.fork:
            self._glide_clock(before.now, snap)
        self.caption.update(caption_text(snap, self._typed))
        if self.link is not None:
            self.link.publish(self.talk_state(snap))

    def talk_state(self, snap: Snapshot) -> TalkState:
        markers, at = snap.markers, snap.marker
        note = markers[at].text if at is not None and markers else ""
        following = (at + 1) if at is not None else 0
        upcoming = markers[following].text if following < len(markers) else "(the end)"
        return TalkState(at, len(markers), note, upcoming, pdt_clock(snap.now), self._started)

    def _glide_clock(self, start: float, snap: Snapshot) -> None:
        """The compressed clock runs from the last marker's time to this one's, so the audience sees time pass."""
        began = time.monotonic()
        header = self.header

        def tick() -> None:
            done = min(1.0, (time.monotonic() - began) / GLIDE_S)
            header.show(dataclasses.replace(snap, now=start + (snap.now - start) * done))
            if done >= 1.0:
                timer.stop()

        timer = self.set_interval(1 / 30, tick)

    # -- keys ---------------------------------------------------------------------
    def _go(self, number: int) -> None:
        snap = self.snapshot
        if snap is None or not snap.markers:
            return
        if not 0 <= number < len(snap.markers):
            self.notice(f"markers are 1 to {len(snap.markers)}", seconds=2)
            return
        self.send(cmd.GoToMarker(number))

    def action_next_marker(self) -> None:
        snap = self.snapshot
        if snap is not None:
            self._go(0 if snap.marker is None else snap.marker + 1)

    def action_previous_marker(self) -> None:
        snap = self.snapshot
        if snap is not None:
            self._go(0 if snap.marker is None else snap.marker - 1)

    def action_first_marker(self) -> None:
        self._go(0)

    def action_last_marker(self) -> None:
        if self.snapshot is not None:
            self._go(len(self.snapshot.markers) - 1)

    def action_digit(self, digit: int) -> None:
        self._typed = (self._typed + str(digit))[-4:]
        self.caption.update(caption_text(self.snapshot, self._typed))

    def action_go_typed(self) -> None:
        typed, self._typed = self._typed, ""
        if typed:
            self._go(int(typed) - 1)
        self.caption.update(caption_text(self.snapshot))

    def action_clear_typed(self) -> None:
        self._typed = ""
        self.caption.update(caption_text(self.snapshot))
