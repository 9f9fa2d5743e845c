"""The replay app: one screen of panels over a session hosted as a Trio guest run.

The session runs in Trio and posts snapshots; this module turns keys into
session commands and snapshots into widget updates. Widgets never see Trio.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path

import trio
from rich.text import Text
from textual import work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer

from tui.app.guest import TrioGuest
from tui.app.messages import ComparisonReady, SessionUpdated
from tui.app.screens.compare import CompareScreen
from tui.app.screens.dialogs import ForkDialog, GoToDialog, NoteDialog
from tui.app.screens.forks import ForkTreeScreen
from tui.app.screens.help import HelpScreen
from tui.app.widgets.choices import ChoicePanel
from tui.app.widgets.dns import DnsPanel
from tui.app.widgets.doom import DoomPanel
from tui.app.widgets.eventlog import ALL_FILTER, KEY_FILTER, EventLog
from tui.app.widgets.header import IncidentHeader
from tui.app.widgets.timeline import ZOOMS, TimelineView
from tui.clock import pdt_clock
from tui.session import commands as cmd
from tui.session.pacing import faster, slower
from tui.session.session import Session, SessionConfig
from tui.session.views import Comparison, Snapshot

PICK_KEYS = tuple(str(n) for n in range(1, 10))

BINDINGS: list[Binding] = [
    Binding("space", "toggle_play", "Play", tooltip="Play or pause the paced replay", id="play"),
    Binding("n", "step", "Step", tooltip="One atomic action, picked by the policy", id="step"),
    Binding("e", "step_event", "Event", tooltip="Step until the next notable event", id="step-event"),
    Binding("m", "milestone(1)", "Milestone", tooltip="Run to the next milestone", id="milestone-next"),
    Binding("b", "milestone(-1)", "Back", tooltip="Go back to the previous milestone", id="milestone-prev", show=False),
    Binding("1", "pick(1)", "Pick", key_display="1-9", tooltip="Let the listed component move next", id="pick-1"),
    *(Binding(k, f"pick({k})", f"Pick {k}", show=False, id=f"pick-{k}") for k in PICK_KEYS[1:]),
    Binding("f", "fork", "Fork", tooltip="Fork this timeline here (optionally with --set changes)", id="fork"),
    Binding("t", "fork_tree", "Forks", tooltip="Fork tree: switch or compare", id="fork-tree"),
    Binding("v", "compare", "Compare", tooltip="Compare this fork with its parent", id="compare"),
    Binding("g", "go_to", "Go to", tooltip="Go to a PDT time (forward or back)", id="go-to", show=False),
    Binding("right_square_bracket", "speed(1)", "Faster", key_display="]", tooltip="Display faster", id="faster"),
    Binding("left_square_bracket", "speed(-1)", "Slower", key_display="[", tooltip="Display slower", id="slower"),
    Binding("plus,equals_sign", "zoom(1)", "Zoom in", key_display="+", tooltip="Timeline: zoom in", id="zoom-in"),
    Binding("minus", "zoom(-1)", "Zoom out", key_display="-", tooltip="Timeline: zoom out", id="zoom-out"),
    Binding("left", "pan(-1)", "Earlier", key_display="←", tooltip="Timeline: pan earlier", id="pan-left"),
    Binding("right", "pan(1)", "Later", key_display="→", tooltip="Timeline: pan later", id="pan-right"),
    Binding("c", "follow", "Follow", tooltip="Timeline: follow the cursor again", id="follow"),
    Binding("l", "log_filter", "Log filter", tooltip="Event log: key, all, then one component", id="log-filter"),
    Binding("a", "note", "Note", tooltip="Add a speaker note at this step", id="note"),
    Binding("r", "record", "Record", tooltip="Start or stop recording the session to a file", id="record"),
    Binding("question_mark", "help", "Help", key_display="?", tooltip="Every key", id="help"),
    Binding("q", "quit", "Quit", tooltip="Quit", id="quit"),
]
#: Shown in the footer when they apply; the rest are in the help overlay and the palette.
FOOTER = {"play", "step", "step-event", "milestone-next", "pick-1", "fork", "fork-tree", "compare", "help", "quit"}
BINDINGS = [b if b.id in FOOTER else dataclasses.replace(b, show=False) for b in BINDINGS]


def fresh_name(stem: str) -> str:
    """``stem.jsonl`` in the working directory, or ``stem-2.jsonl``... if that exists: never overwrite a recording."""
    path, n = Path(f"{stem}.jsonl"), 1
    while path.exists():
        n += 1
        path = Path(f"{stem}-{n}.jsonl")
    return str(path)


class ReplayApp(App[None]):
    """``outage-tui replay``: watch, pause, step, pick, fork and compare timelines."""

    CSS_PATH = "app.tcss"
    TITLE = "outage-tui"
    BINDINGS = BINDINGS

    def __init__(
        self, config: SessionConfig, trio_clock: trio.abc.Clock | None = None, record_default: str | None = None
    ) -> None:
        super().__init__()
        self.config = config
        #: Where ``r`` records when ``--record`` named no file: a fresh time-stamped name in the working directory.
        self.record_default = record_default
        self.session = Session(config, self._from_trio)
        self.snapshot: Snapshot | None = None
        self.last_comparison: Comparison | None = None
        self._guest = TrioGuest(self.session.run, clock=trio_clock)

    # -- layout -------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield IncidentHeader(id="header")
        with VerticalScroll(id="timeline-box") as box:
            box.border_title = "Timeline"
            yield TimelineView(id="timeline")
        with Horizontal(id="middle"):
            yield DnsPanel(id="dns")
            yield ChoicePanel(id="choices")
        yield DoomPanel(id="doom")
        yield EventLog(id="log")
        yield Footer(compact=True)

    # -- the Trio guest -----------------------------------------------------------
    def on_mount(self) -> None:
        # Kept, not queried: overlays cover the main screen and queries go to the top screen.
        self.header = self.query_one(IncidentHeader)
        self.timeline = self.query_one(TimelineView)
        self.dns = self.query_one(DnsPanel)
        self.choices = self.query_one(ChoicePanel)
        self.doom = self.query_one(DoomPanel)
        self.log_view = self.query_one(EventLog)
        self._guest.start()
        self._watch_guest()

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
        recorder, self.session.recorder = self.session.recorder, None
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
        snap = message.snapshot
        before = self.snapshot
        self.snapshot = snap
        self.header.show(snap)
        self.timeline.show(snap)
        self.dns.show(snap.dns)
        self.choices.show(snap)
        self.doom.show(snap)
        self.log_view.show(snap)
        if before is None or self._binding_state(before) != self._binding_state(snap):
            self.refresh_bindings()

    @staticmethod
    def _binding_state(snap: Snapshot) -> tuple[object, ...]:
        return (snap.done, bool(snap.choices), len(snap.forks) > 1, any(at is not None for _, at in snap.milestones))

    def on_comparison_ready(self, message: ComparisonReady) -> None:
        if not self.is_running:
            return
        self.last_comparison = message.comparison
        self.push_screen(CompareScreen(message.comparison))

    # -- which keys apply ---------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        snap = self.snapshot
        if snap is None:
            return action in ("quit", "help", "command_palette")
        if action in ("toggle_play", "step", "step_event") or (action == "milestone" and parameters == (1,)):
            return not snap.done
        if action == "milestone":
            return any(at is not None for _, at in snap.milestones)
        if action == "pick":
            return not snap.done and int(str(parameters[0])) <= len(snap.choices)
        if action == "compare":
            return len(snap.forks) > 1
        if action == "zoom":
            view = self.timeline
            return view.zoom < len(ZOOMS) - 1 if parameters == (1,) else view.zoom > 0
        if action == "pan":
            return self.timeline.zoom > 0
        return True

    # -- actions ------------------------------------------------------------------
    def action_toggle_play(self) -> None:
        """Play or pause the paced replay."""
        self.send(cmd.TogglePlay())

    def action_step(self) -> None:
        """One atomic action, picked by the policy."""
        self.send(cmd.Step())

    def action_step_event(self) -> None:
        """Step until something notable happens."""
        self.send(cmd.StepToEvent())

    def action_milestone(self, direction: int) -> None:
        """Run to the next milestone, or go back to the previous one."""
        self.send(cmd.JumpMilestone(direction))

    def action_pick(self, number: int) -> None:
        """Let the component listed as ``number`` move next."""
        self.send(cmd.Step(int(number) - 1))

    def action_speed(self, direction: int) -> None:
        """Change the display speed; the run itself is unaffected."""
        self.send(cmd.SetSpeed(faster(self.session.speed) if direction > 0 else slower(self.session.speed)))

    def action_zoom(self, direction: int) -> None:
        view = self.timeline
        view.zoom_in() if direction > 0 else view.zoom_out()
        self.refresh_bindings()

    def action_pan(self, direction: int) -> None:
        self.timeline.pan(direction)

    def action_follow(self) -> None:
        self.timeline.follow_cursor()

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
            if result is not None:
                self.send(cmd.Fork(result[0] or None, result[1]))

        self.push_screen(ForkDialog(suggested), done)

    def action_fork_tree(self) -> None:
        """Show the fork tree; switch to a fork or compare it with the current one."""
        if self.snapshot is None:
            return
        current = self.snapshot.fork

        def done(result: tuple[str, str] | None) -> None:
            if result is None:
                return
            verb, name = result
            if verb == "switch":
                self.send(cmd.Switch(name))
            elif name != current:
                self.send(cmd.Compare(current, name))

        self.push_screen(ForkTreeScreen(self.snapshot.forks), done)

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
            if time is not None:
                self.send(cmd.GoTo(time))

        self.push_screen(GoToDialog(), done)

    def action_note(self) -> None:
        """Add a speaker note at the current step (a small dialog asks for the text)."""
        snap = self.snapshot
        where = "the start" if snap is None else f"step {snap.step}, {pdt_clock(snap.now)}"

        def done(text: str | None) -> None:
            if text:
                self.send(cmd.Note(text))

        self.push_screen(NoteDialog(where), done)

    def action_record(self) -> None:
        """Start recording (everything so far first) or stop; the header shows ● REC while it runs."""
        if self.snapshot is not None and self.snapshot.recording is not None:
            self.send(cmd.Record(None))
            return
        path = self.record_default or fresh_name(time.strftime("outage-tui-%Y%m%d-%H%M%S"))
        self.record_default = None  # a second recording must not overwrite the first
        self.send(cmd.Record(path))

    def action_help(self) -> None:
        self.push_screen(HelpScreen(list(BINDINGS)))

    # -- command palette ----------------------------------------------------------
    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        seen: set[str] = set()
        for binding in BINDINGS:
            if binding.description in seen or binding.action.startswith("pick("):
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
                f"Pick {choice.key}: {choice.label}",
                choice.action,
                self._palette_action(f"pick({choice.key})"),
            )
        for fork in snap.forks:
            if not fork.current:
                yield SystemCommand(f"Switch to fork {fork.name}", "make it current", self._switch(fork.name))
                yield SystemCommand(f"Compare with fork {fork.name}", "side by side", self._compare(fork.name))
        for flt in (KEY_FILTER, ALL_FILTER, *snap.lanes.activity):
            yield SystemCommand(f"Filter log: {flt}", "event log", self._filter(flt))

    def _palette_action(self, action: str) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            await self.run_action(action)

        return run

    def _switch(self, name: str) -> Callable[[], None]:
        return lambda: self.send(cmd.Switch(name))

    def _compare(self, name: str) -> Callable[[], None]:
        def run() -> None:
            if self.snapshot is not None:
                self.send(cmd.Compare(self.snapshot.fork, name))

        return run

    def _filter(self, flt: str) -> Callable[[], None]:
        return lambda: self.set_log_filter(flt)
