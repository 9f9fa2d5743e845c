"""The replay app: one screen of panels over a session hosted as a Trio guest run.

The session runs in Trio and posts snapshots; this module turns keys into
session commands and snapshots into widget updates. Widgets never see Trio.

While the session runs a long move (a view with ``busy`` set), the keys that
move the simulation are refused here with a notice rather than queued: the
session would run them after the move, from a place the person has not seen
yet. ``space`` stops the move instead of toggling play; the keys that only
change the display, notes, recording and help keep working.

Why one module of this size: Textual finds a key's action by method name on the App
class, so every ``action_*`` lives on :class:`ReplayApp`; the keys themselves are in
:mod:`tui.app.keymap`, the dialogs, screens and widgets in their own modules, and what
is left here is the routing between keys, the session and the widgets.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any

import trio
from rich.text import Text
from textual import actions, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widgets import Footer

from tui.app.guest import TrioGuest
from tui.app.keymap import BINDINGS, DESCRIPTIONS, MOVES
from tui.app.literal import literal
from tui.app.messages import ComparisonReady, SessionUpdated
from tui.app.notices import Notices
from tui.app.screens.compare import CompareScreen
from tui.app.screens.dialogs import ForkDialog, GoToDialog, NoteDialog, RenameDialog
from tui.app.screens.forks import ForkTreeScreen
from tui.app.screens.help import HelpScreen
from tui.app.screens.overrides import check_fork
from tui.app.screens.palette import CommandPalette
from tui.app.widgets.busy import BusyBar, busy_head
from tui.app.widgets.choices import ChoicePanel
from tui.app.widgets.dns import DnsPanel
from tui.app.widgets.doom import DoomPanel
from tui.app.widgets.eventlog import ALL_FILTER, KEY_FILTER, EventLog
from tui.app.widgets.header import IncidentHeader
from tui.app.widgets.timeline import RACE_ZOOM, ZOOMS, TimelineView
from tui.clock import pdt_clock
from tui.record.markers import View
from tui.scenario.keys import dotted_keys
from tui.session import commands as cmd
from tui.session.pacing import faster, slower
from tui.session.session import Session, SessionConfig
from tui.session.views import Comparison, Snapshot, own_words

#: A jump landing this close to the race (seconds) zooms in on it.
RACE_NEAR_S = 60.0


def race_time(snap: Snapshot) -> float:
    """When the endpoint went empty: the first milestone once reached, else 23:48:00 PDT (AWS's time)."""
    first = snap.milestones[0][1] if snap.milestones else None
    return 0.0 if first is None else first


def fresh_name(stem: str) -> str:
    """``stem.jsonl`` in the working directory, or ``stem-2.jsonl``... if that exists: never overwrite a recording."""
    path, n = Path(f"{stem}.jsonl"), 1
    while path.exists():
        n += 1
        path = Path(f"{stem}-{n}.jsonl")
    return str(path)


class ReplayApp(Notices):
    """``outage-tui replay``: watch, pause, step, pick, fork and compare timelines."""

    CSS_PATH = "app.tcss"
    TITLE = "outage-tui"
    BINDINGS = BINDINGS

    def __init__(
        self,
        config: SessionConfig,
        trio_clock: trio.abc.Clock | None = None,
        record_default: str | None = None,
        sweep: Any = None,
    ) -> None:
        super().__init__()
        self.config = config
        #: A sweep's ``--out`` files (``tui.app.screens.sweep.SweepFiles``): ``s`` browses them, Enter opens a run.
        self.sweep = sweep
        #: Where ``r`` records when ``--record`` named no file: a fresh time-stamped name in the working directory.
        self.record_default = record_default
        self.session = Session(config, self._from_trio)
        self.snapshot: Snapshot | None = None
        self.last_comparison: Comparison | None = None
        self._guest = TrioGuest(self.session.run, clock=trio_clock)

    # -- layout -------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield IncidentHeader(id="header")
        yield TimelineView(id="timeline")
        with Horizontal(id="middle"):
            yield DnsPanel(id="dns")
            yield ChoicePanel(id="choices")
        yield DoomPanel(id="doom")
        yield EventLog(id="log")
        yield BusyBar(id="busy")
        yield from self.compose_extra()
        yield Footer(compact=True)

    def compose_extra(self) -> ComposeResult:
        """Widgets a subclass adds above the footer (the presenter's caption)."""
        yield from ()

    # -- the Trio guest -----------------------------------------------------------
    def on_mount(self) -> None:
        # Kept, not queried: overlays cover the main screen and queries go to the top screen.
        self.header = self.query_one(IncidentHeader)
        self.timeline = self.query_one(TimelineView)
        self.dns = self.query_one(DnsPanel)
        self.choices = self.query_one(ChoicePanel)
        self.doom = self.query_one(DoomPanel)
        self.log_view = self.query_one(EventLog)
        self.busy_bar = self.query_one(BusyBar)
        # Nothing is focused until Tab: the arrow keys then scroll the timeline's lanes, and Tab gives
        # them to the event log. Auto-focus would hand them to the log at once, and again after every
        # overlay closes.
        self.screen.AUTO_FOCUS = ""
        self.set_focus(None)
        #: Set by ``m`` and ``g``: the view they lead to is checked for the race (see :meth:`_zoom_to_race`).
        self._jumped = False
        #: The view last sent to the session (what a marker made now would show).
        self._sent_view = View()
        #: How many marker visits the screen has shown (a new one applies that marker's view).
        self._marker_visits = 0
        #: A comparison that arrived while a text dialog was open: shown when the dialog closes.
        self._pending_comparison: Comparison | None = None
        self._guest.start()
        self._watch_guest()
        if self.sweep is not None:
            self.action_sweep()

    @work(exit_on_error=True, group="trio")
    async def _watch_guest(self) -> None:
        """Fail the app if the session dies (a crashed component must not vanish)."""
        await self._guest.result()

    async def on_unmount(self) -> None:
        await self._guest.stop()
        self._close_recording()

    def _close_recording(self) -> None:
        """Quitting while recording: drain the writer's queue to disk; a failure is printed once the screen is gone.

        The session's Trio run is over by now, so nothing else touches its recorder.
        """
        recorder = self.session.take_recorder()
        if recorder is None:
            return
        try:
            recorder.close()
        except OSError as err:
            self.exit(message=Text(f"outage-tui: recording stopped: {recorder.path}: {err.strerror or err}"))

    def _from_trio(self, view: object) -> None:
        """Called from Trio code: hand the view over as a message, touch nothing else."""
        if isinstance(view, Snapshot):
            self.post_message(SessionUpdated(view))
        elif isinstance(view, Comparison):
            self.post_message(ComparisonReady(view))

    async def settle(self) -> None:
        """Wait until the session has handled every command sent so far (tests, screenshots)."""
        loop = asyncio.get_running_loop()
        done: asyncio.Future[None] = loop.create_future()
        self.session.send(cmd.Sync(lambda: done.done() or done.set_result(None)))
        await done

    def send(self, command: cmd.Command) -> None:
        self.session.send(command)

    # -- session -> widgets -------------------------------------------------------
    def on_session_updated(self, message: SessionUpdated) -> None:
        if not self.is_running:
            return
        before = self.snapshot
        self._show(message.snapshot)
        self.after_update(before, message.snapshot)

    def after_update(self, before: Snapshot | None, snap: Snapshot) -> None:
        """Called once the screen shows ``snap`` (``before``: the view it replaced); for subclasses."""

    def _show(self, snap: Snapshot) -> None:
        before = self.snapshot
        self.snapshot = snap
        self.header.show(snap)
        self.busy_bar.show(snap)
        if before is not None and before.generation == snap.generation and before.fork == snap.fork:
            # Nothing moved (a long move's progress, a status line): the panels stay as they are, and
            # repainting them would only take the interpreter from the move running beside the UI.
            if self._binding_state(before) != self._binding_state(snap):
                self.refresh_bindings()
            return
        if self._jumped and snap.busy is None:
            self._jumped = False
            self._zoom_to_race(snap)
        if snap.marker_visits != self._marker_visits and snap.busy is None:
            self._marker_visits = snap.marker_visits
            self._show_marker_view(snap)
        self.timeline.show(snap)
        self.dns.show(snap.dns)
        self.choices.show(snap)
        self.doom.show(snap)
        self.log_view.show(snap)
        for screen in self.screen_stack:
            if isinstance(screen, NoteDialog):
                screen.show_where(self._note_where(snap))
        if before is None or self._binding_state(before) != self._binding_state(snap):
            self.refresh_bindings()

    def _show_marker_view(self, snap: Snapshot) -> None:
        """Show the view recorded with the marker gone to: zoom, pan, and the overlay (compare, fork tree)."""
        if snap.marker is None or not snap.markers:
            return
        self.show_view(snap.markers[snap.marker].view)

    def show_view(self, view: View) -> bool:
        """Show a recorded view: zoom, pan, and its overlay (compare, fork tree) over the current timeline.

        Returns True when an overlay was asked for (a comparison arrives from the session a moment later).
        The presenter and the exports both come here, so a talk looks the same on screen and in its frames.
        """
        snap = self.snapshot
        self.timeline.apply_view(view.zoom, view.pan)
        self._sent_view = view
        for screen in list(self.screen_stack[1:]):
            if isinstance(screen, CompareScreen | ForkTreeScreen) and self.screen is screen:
                screen.dismiss(None)
        opened = True
        if view.overlay == "compare" and snap is not None and len(snap.forks) > 1:
            self.action_compare()
        elif view.overlay == "tree":
            self.action_fork_tree()
        else:
            opened = False
        self.refresh_bindings()
        return opened

    def _zoom_to_race(self, snap: Snapshot) -> None:
        """A jump that lands within a minute of the race zooms in on it, with the DNS automation lanes on top.

        At the default hour the race's moves are a few dots in one column, and
        a newcomer would not know to press ``+`` five times.
        """
        race = race_time(snap)
        if abs(snap.now - race) <= RACE_NEAR_S and self.timeline.zoom < RACE_ZOOM:
            self.timeline.zoom_to(RACE_ZOOM)
            self.refresh_bindings()
            self.send_view()

    @staticmethod
    def _binding_state(snap: Snapshot) -> tuple[object, ...]:
        return (
            snap.done,
            bool(snap.choices),
            len(snap.forks) > 1,
            any(at is not None for _, at in snap.milestones),
            snap.busy is not None,
            bool(snap.markers),
            snap.step > 0,
        )

    @property
    def busy(self) -> str | None:
        """The long move under way, as the latest view names it (None when there is none)."""
        return None if self.snapshot is None else self.snapshot.busy

    def on_comparison_ready(self, message: ComparisonReady) -> None:
        if not self.is_running:
            return
        self.last_comparison = message.comparison
        if self._text_dialog_open():
            # Pushed now, it would take the keys from a field being typed in (a compare asked for during a
            # long move arrives when the move ends); it opens once the dialog closes.
            self._pending_comparison = message.comparison
            return
        self._show_comparison(message.comparison)

    def _show_comparison(self, comparison: Comparison) -> None:
        self.push_screen(CompareScreen(comparison), lambda _result: self.send_view())
        self.send_view()

    def _text_dialog_open(self) -> bool:
        return any(isinstance(s, NoteDialog | GoToDialog | ForkDialog | RenameDialog) for s in self.screen_stack)

    def _dialog_closed(self) -> None:
        """Show a comparison that arrived while a dialog was open."""
        pending, self._pending_comparison = self._pending_comparison, None
        if pending is not None and self.is_running:
            self._show_comparison(pending)

    # -- which keys apply ---------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Which keys apply now; the footer shows these and greys out the moves refused during a long move."""
        snap = self.snapshot
        if snap is None:
            return action in ("quit", "help", "command_palette")
        busy = snap.busy is not None
        if action == "stop":
            return busy
        if action == "toggle_play" and busy:
            return False  # space is Stop meanwhile
        state = self._applies(snap, action, parameters)
        if state and busy and action in MOVES:
            return None  # shown, greyed: the key is known but refused until the move ends
        return state

    def _applies(self, snap: Snapshot, action: str, parameters: tuple[object, ...]) -> bool:
        if action in ("toggle_play", "step", "step_event") or (action == "milestone" and parameters == (1,)):
            return not snap.done
        if action == "milestone":
            return any(at is not None for _, at in snap.milestones)
        if action == "pick":
            return not snap.done and int(str(parameters[0])) <= len(snap.choices)
        if action == "compare":
            return len(snap.forks) > 1
        if action == "step_back":
            return snap.step > 0
        if action == "marker":
            return bool(snap.markers)
        if action == "sweep":
            return self.sweep is not None
        if action == "zoom":
            view = self.timeline
            return view.zoom < len(ZOOMS) - 1 if parameters == (1,) else view.zoom > 0
        if action == "pan":
            return self.timeline.zoom > 0
        return True

    async def run_action(
        self,
        action: str | actions.ActionParseResult,
        default_namespace: DOMNode | None = None,
        namespaces: Any = None,
    ) -> bool:
        """Every key, footer click and palette entry asks for its action here: refuse a move during a long one.

        ``check_action`` alone would drop the key silently; here it is
        dropped once per press, with a notice that says what runs and how to
        stop it. Returning True marks the key handled, so nothing else runs it.
        """
        busy = self.busy
        if busy is not None and default_namespace in (None, self):
            destination, name, _params = actions.parse(action) if isinstance(action, str) else action
            if destination in ("", "app") and name in MOVES:
                what = DESCRIPTIONS.get(action if isinstance(action, str) else name, name)
                self._refuse(what, busy)
                return True
        return await super().run_action(action, default_namespace, namespaces)

    def _refuse(self, what: str, busy: str) -> None:
        self.notice(f"{what} ignored: still {busy_head(busy)} — space stops it", severity="warning", seconds=3)

    def _send_move(self, what: str, command: cmd.Command) -> None:
        """Send a move chosen in an overlay opened before a long move began; refused like a key while it runs."""
        busy = self.busy
        if busy is not None:
            self._refuse(what, busy)
            return
        self.send(command)

    def _wait_reason(self) -> str | None:
        """For dialogs opened just before a long move: why they cannot act yet."""
        busy = self.busy
        return None if busy is None else f"still {busy_head(busy)}: enter again once it ends, or esc"

    # -- actions ------------------------------------------------------------------
    def action_toggle_play(self) -> None:
        """Play or pause the paced replay."""
        self.send(cmd.TogglePlay())

    def action_stop(self) -> None:
        """Stop the long move under way at its next step.

        A pause, not a toggle: if the move has just ended, a pause changes
        nothing, where a toggle would start playing.
        """
        self.send(cmd.Pause())

    def action_step(self) -> None:
        """One atomic action, picked by the policy."""
        self.send(cmd.Step())

    def action_step_event(self) -> None:
        """Step until something notable happens."""
        self.send(cmd.StepToEvent())

    def action_milestone(self, direction: int) -> None:
        """Run to the next milestone, or go back to the previous one."""
        self._jumped = True
        self.send(cmd.JumpMilestone(direction))

    def action_pick(self, number: int) -> None:
        """Let the component listed as ``number`` move next."""
        self.send(cmd.Step(int(number) - 1))

    def action_step_back(self) -> None:
        """One move back: the cursor moves, the move stays recorded ahead of it."""
        self.send(cmd.StepBack())

    def action_undo(self) -> None:
        """Back to where the last move started."""
        self.send(cmd.Undo())

    def action_marker(self, direction: int) -> None:
        """The next or previous marker of the talk: its timeline, step and view."""
        snap = self.snapshot
        if snap is None or not snap.markers:
            return
        here = snap.marker
        target = (0 if direction > 0 else len(snap.markers) - 1) if here is None else here + direction
        if not 0 <= target < len(snap.markers):
            self.notice("no more markers that way", seconds=2)
            return
        self.send(cmd.GoToMarker(target))

    def action_slide(self) -> None:
        """Mark this moment, with the view as it is, as a stop of the talk."""
        self.send_view()
        self.send(cmd.Slide())

    def send_view(self) -> None:
        """Tell the session what the screen shows (recorded, so a talk shows the same view again)."""
        view = self.current_view()
        if view != self._sent_view:
            self._sent_view = view
            self.send(cmd.SetView(view))

    def current_view(self) -> View:
        overlay = None
        for screen in self.screen_stack:
            if isinstance(screen, CompareScreen):
                overlay = "compare"
            elif isinstance(screen, ForkTreeScreen):
                overlay = "tree"
        zoom, centre = self.timeline.view_state()
        return View(zoom, centre, overlay)

    def action_speed(self, direction: int) -> None:
        """Change the display speed; the run itself is unaffected."""
        self.send(cmd.SetSpeed(faster(self.session.speed) if direction > 0 else slower(self.session.speed)))

    def action_zoom(self, direction: int) -> None:
        view = self.timeline
        view.zoom_in() if direction > 0 else view.zoom_out()
        self.refresh_bindings()
        self.send_view()

    def action_pan(self, direction: int) -> None:
        self.timeline.pan(direction)
        self.send_view()

    def action_lanes(self, direction: int) -> None:
        """Scroll the timeline's lanes a row (the axis and the milestones stay)."""
        self.timeline.scroll_lanes(direction)

    def action_lanes_page(self, direction: int) -> None:
        self.timeline.scroll_lanes_page(direction)

    def action_focus_log(self) -> None:
        """Give the arrow and page keys to the event log."""
        self.log_view.focus()

    def action_follow(self) -> None:
        self.timeline.follow_cursor()
        self.send_view()

    def action_log_filter(self) -> None:
        """Cycle the event log: key events, all events, then one component at a time."""
        log = self.log_view
        options = [KEY_FILTER, ALL_FILTER, *(self.snapshot.lanes.activity if self.snapshot else ())]
        nxt = options[(options.index(log.filter) + 1) % len(options)] if log.filter in options else KEY_FILTER
        log.set_filter(nxt)

    def set_log_filter(self, flt: str) -> None:
        self.log_view.set_filter(flt)

    def action_fork(self) -> None:
        """Fork the current timeline here (name it, optionally change --set values)."""
        suggested = f"fork-{len(self.snapshot.forks) if self.snapshot else 1}"

        def done(result: tuple[str, tuple[str, ...]] | None) -> None:
            self._dialog_closed()
            if result is not None:
                self._send_move("Fork", cmd.Fork(result[0] or None, result[1]))

        scenario = self.snapshot.scenario if self.snapshot else None
        keys = dotted_keys(scenario.data) if scenario is not None else ()

        def check(name: str, sets: tuple[str, ...]) -> tuple[str, str] | None:
            return check_fork(self.snapshot, name, sets)  # the latest view when enter is pressed

        self.push_screen(ForkDialog(suggested, self._wait_reason, keys, check), done)

    def action_fork_tree(self) -> None:
        """Show the fork tree; switch to a fork or compare it with the current one."""
        if self.snapshot is None:
            return
        current = self.snapshot.fork

        def done(result: tuple[str, str] | None) -> None:
            self.send_view()
            if result is None:
                return
            verb, name = result
            if verb == "switch":
                self._send_move("Switch", cmd.Switch(name))
            elif verb == "rename":
                self._rename(name)
            elif name != current:
                self.send(cmd.Compare(current, name))

        self.push_screen(ForkTreeScreen(self.snapshot.forks), done)
        self.send_view()

    def _rename(self, name: str) -> None:
        taken = [f.name for f in self.snapshot.forks] if self.snapshot else []

        def done(new: str | None) -> None:
            self._dialog_closed()
            if new:
                self.send(cmd.Rename(name, new))

        self.push_screen(RenameDialog(name, taken), done)

    def action_sweep(self) -> None:
        """Browse the sweep's distributions; Enter on a run opens it as a timeline beside the current one."""
        if self.sweep is None:
            return
        from tui.app.screens.sweep import PickedRun, SweepScreen

        def done(run: PickedRun | None) -> None:
            if run is not None:
                opened = cmd.OpenRun(run.name, run.scenario, tuple(run.overrides), run.seed, run.policy)
                self._send_move("Open run", opened)

        self.push_screen(SweepScreen(self.sweep), done)

    def action_compare(self) -> None:
        """Compare the current fork with its parent (or main with the newest fork)."""
        snap = self.snapshot
        if snap is None or len(snap.forks) < 2:
            return
        me = next(f for f in snap.forks if f.current)
        if me.parent is not None:
            self.send(cmd.Compare(me.parent, me.name))
        else:
            self.send(cmd.Compare(me.name, next(f.name for f in reversed(snap.forks) if f.name != me.name)))

    def action_go_to(self) -> None:
        """Go to a PDT time: forward by policy picks, backward by replaying the prefix."""

        def done(time: float | None) -> None:
            self._dialog_closed()
            if time is not None:
                self._jumped = True
                self._send_move("Go to", cmd.GoTo(time))

        window = (self.snapshot.start, self.snapshot.end) if self.snapshot else None
        self.push_screen(GoToDialog(self._wait_reason, window), done)

    def action_note(self) -> None:
        """Add a speaker note at the current step (a small dialog asks for the text).

        During a long move the dialog opens at once; the note is added where
        the move stops (the session runs it after the move), and says so.
        """

        def done(text: str | None) -> None:
            self._dialog_closed()
            if text:
                self.send(cmd.Note(text))

        self.push_screen(NoteDialog(self._note_where(self.snapshot)), done)

    @staticmethod
    def _note_where(snap: Snapshot | None) -> str:
        if snap is None:
            return "the start"
        if snap.busy is not None:
            return f"the step where the move stops ({busy_head(snap.busy)})"
        return f"step {snap.step}, {pdt_clock(snap.now)}"

    def action_record(self) -> None:
        """Start recording (everything so far first) or stop; the header shows ● REC while it runs."""
        if self.snapshot is not None and self.snapshot.recording is not None:
            self.send(cmd.Record(None))
            return
        path = self.record_default or fresh_name(time.strftime("outage-tui-%Y%m%d-%H%M%S"))
        self.record_default = None  # a second recording must not overwrite the first
        self.send(cmd.Record(path))

    def action_help(self) -> None:
        # ``space`` is listed once: the play binding's text says it also stops a long move.
        self.push_screen(HelpScreen([b for b in BINDINGS if b.id != "stop" and self._offered(b)]))

    def _offered(self, binding: Binding) -> bool:
        """Whether help and the palette list a key: ``w`` only when a sweep was opened."""
        return binding.action != "sweep" or self.sweep is not None

    # -- command palette ----------------------------------------------------------
    def action_command_palette(self) -> None:
        """Open the palette (ctrl+p): Textual's, with page keys safe at any size (:mod:`tui.app.screens.palette`).

        Not while one is open anywhere in the stack: Textual only looks at the
        top screen, and a palette covered by a screen pushed over it (a
        comparison that arrived) made a second one with the same id, which
        ended the app.
        """
        if not self.use_command_palette or CommandPalette.is_open(self):
            return
        if not any(isinstance(screen, CommandPalette) for screen in self.screen_stack):
            self.push_screen(CommandPalette(id="--command-palette"))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        seen: set[str] = set()
        for binding in BINDINGS:
            if binding.description in seen or binding.action.startswith("pick(") or not self._offered(binding):
                continue
            seen.add(binding.description)
            key = binding.key_display or binding.key
            yield SystemCommand(
                binding.description, f"{binding.tooltip} (key {key})", self._palette_action(binding.action)
            )
        snap = self.snapshot
        if snap is None:
            return
        for choice in snap.choices[:9]:
            yield SystemCommand(
                literal(f"Pick {choice.key}: {choice.label}"),
                literal(own_words(choice.label, choice.action)),
                self._palette_action(f"pick({choice.key})"),
            )
        for fork in snap.forks:
            if not fork.current:
                name = literal(fork.name)
                yield SystemCommand(f"Switch to fork {name}", "make it current", self._switch(fork.name))
                yield SystemCommand(f"Compare with fork {name}", "side by side", self._compare(fork.name))
        for flt in (KEY_FILTER, ALL_FILTER, *snap.lanes.activity):
            yield SystemCommand(literal(f"Filter log: {flt}"), "event log", self._filter(flt))

    def _palette_action(self, action: str) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            await self.run_action(action)

        return run

    def _switch(self, name: str) -> Callable[[], None]:
        return lambda: self._send_move("Switch", cmd.Switch(name))

    def _compare(self, name: str) -> Callable[[], None]:
        def run() -> None:
            if self.snapshot is not None:
                self.send(cmd.Compare(self.snapshot.fork, name))

        return run

    def _filter(self, flt: str) -> Callable[[], None]:
        return lambda: self.set_log_filter(flt)
