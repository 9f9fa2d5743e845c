"""What a live session tells its recording, one typed method per kind of line.

The session calls these as things happen (a move, a pause, a seek, a fork,
a note...); while nothing is being recorded each call does nothing, so the
session never asks first. The file itself is a
:class:`tui.session.recording.Recorder`, kept as the session's ``recorder``
(None while not recording), whose lines are only queued here: its own thread
writes them, so a write error arrives late. Every call here raises one that
happened since (:meth:`SessionRecorder.check` only asks); the recording then
stops and the session's status names the file and the reason.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import trio

from tui.errors import BadInput
from tui.record.markers import View
from tui.record.picks import Pick
from tui.session import commands as cmd
from tui.session.timeline import Note, Timeline

if TYPE_CHECKING:
    from tui.session.core import SessionCore
    from tui.session.recording import Recorder


class SessionRecorder:
    """Follows one session: starts and stops its recording, and writes what it is told."""

    def __init__(self, session: SessionCore) -> None:
        self.session = session
        #: Moves taken again behind the current timeline's end since the file last placed its cursor.
        self._moved = False

    # -- lines ----------------------------------------------------------------------
    def pick(self, pick: Pick) -> None:
        """A move the current timeline took."""
        self._moved = False  # a move at the end of the history: the cursor is there
        self._write(lambda r: r.pick(pick))

    def moved(self) -> None:
        """The current timeline's cursor moved over moves it had made before: none of them goes to the file."""
        self._moved = True

    def cursor(self) -> None:
        """Say where the current timeline's cursor stands, if moves taken again moved it since the file last did.

        Called before the session handles a command, whenever it goes idle,
        and before the file closes: a line per key or pause, never per move
        of a playback through recorded moves.
        """
        if self._moved and self.session.current is not None:
            self.seek(self.session.timeline.sim.steps)

    def playing(self, playing: bool) -> None:
        """Playback resumed or paused."""
        self._control("resume" if playing else "pause")

    def speed(self, speed: float) -> None:
        self._control("speed", speed=speed)

    def seek(self, to_step: int, milestone: str | None = None) -> None:
        """The current timeline's cursor moved to ``to_step`` (to a milestone, when named)."""
        self._moved = False
        if milestone is None:
            self._control("seek", to_step=to_step)
        else:
            self._control("seek", to_step=to_step, milestone=milestone)

    def cursor_of(self, tl: Timeline) -> None:
        """Another timeline's cursor moved (a comparison put it at the current one's time): a seek naming it."""
        self._control("seek", to_step=tl.sim.steps, timeline=tl.name)

    def view(self, view: View) -> None:
        """What the screen shows of the run from now on."""
        self._control("view", **view.as_fields())

    def rename(self, name: str, to: str) -> None:
        self._control("rename", name=name, to=to)

    def switch(self, name: str) -> None:
        """Timeline ``name`` is current again."""
        self._write(lambda r: r.switch(name, self.session.timeline.sim.steps))

    def fork(self, tl: Timeline) -> None:
        self._moved = False  # the fork is current, at the end of its moves
        self._write(lambda r: r.fork(tl))

    def note(self, note: Note) -> None:
        self._write(lambda r: r.note(note))

    def slide(self, step: int, title: str) -> None:
        self._write(lambda r: r.slide(step, title))

    def check(self) -> None:
        """Only ask: a write that failed on the file's thread stops the recording and says why."""
        self._write(lambda r: r.check())

    def _control(self, action: str, **fields: Any) -> None:
        self._write(lambda r: r.control(action, self.session.timeline.sim.steps, **fields))

    def _write(self, line: Callable[[Recorder], None]) -> None:
        recorder = self.session.recorder
        if recorder is None:
            return
        try:
            line(recorder)
        except OSError as err:
            self._stopped(recorder, err)

    def _stopped(self, recorder: Recorder, err: OSError) -> None:
        session = self.session
        session.recorder = None
        session.status = f"recording stopped: {recorder.path}: {err.strerror or err}"
        try:
            recorder.close()
        except OSError:
            pass  # the same failure (or a thread stuck after it): the status already says the file stopped

    # -- starting and stopping -------------------------------------------------------
    def start(self, path: str) -> None:
        """Record to ``path`` from now on, the session so far written first (a recording under way stops)."""
        from tui.record import Header
        from tui.session.recording import Recorder

        session = self.session
        if session.run_seeds:
            names = ", ".join(session.run_seeds)
            session.status = f"cannot record: {names} run(s) with a seed of its own, and a session file keeps one"
            return
        stopping = session.recorder is not None
        self.stop()
        failed = session.status if stopping and session.status.startswith("recording stopped") else ""
        config = session.config
        scenario = config.scenario
        seed = scenario.get("scenario.seed") if config.seed is None else config.seed
        # A recording made in the explorer's world must say so, or its indices would replay in the full one.
        header = Header.for_run(scenario, seed, session.timeline.sim.policy.name, config.scenario_path, config.world)
        token = trio.lowlevel.current_trio_token()

        def frame() -> None:
            session.send(cmd.Sync(lambda: None))  # handling it publishes, and publishing raises the error

        def wake(_error: OSError) -> None:
            # On the writer's thread, as soon as a write fails: shown now, even if no move follows.
            try:
                token.run_sync_soon(frame)
            except trio.RunFinishedError:
                pass

        try:
            recorder = Recorder(path, header, on_error=wake)
        except BadInput as err:
            session.status = f"cannot record: {err}"
            return
        session.recorder = recorder
        self._moved = False  # the history says where every cursor stands
        try:
            recorder.history(session.timelines.values(), session.timeline)
        except OSError as err:
            self._stopped(recorder, err)
            return
        session.status = f"recording to {path}" + (f" · {failed}" if failed else "")

    def stop(self) -> None:
        """Drain and close the recording; a write that failed (or a stuck writer) is said, not swallowed."""
        session = self.session
        recorder = session.take_recorder()
        if recorder is not None:
            try:
                recorder.close()
            except OSError as err:
                session.status = f"recording stopped: {recorder.path}: {err.strerror or err}"
            else:
                session.status = f"recorded {recorder.path}"
