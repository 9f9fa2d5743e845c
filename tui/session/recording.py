"""Write a live session to a session file as it is played, and reopen one.

A recording may start at any moment (the ``r`` key, or ``replay --record``
from the start), so it first writes what the session already holds, as if it
had been recorded from the beginning: every timeline in the order it was
made, its moves and its notes, then a switch to the current one. From then
on every move, control, fork, switch and note goes to the file as it happens,
through a :class:`tui.record.writer.ThreadedSessionWriter`: the session's
thread (which the UI shares) only queues each line; the writer's own thread
writes and syncs moves in batches within 0.1 s, and controls, forks, switches
and notes at once. A write that fails is not lost from view: the next call,
:meth:`Recorder.check` and ``on_error`` all say so.

Reopening goes the other way: a :class:`tui.record.SessionReplay` (replayed
headless beforehand, so a bad file fails before any screen is drawn) becomes
timelines whose picks are the recorded moves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from tui.record import MAIN, Header, SessionReplay
from tui.record.picks import Pick, divergence
from tui.record.writer import ThreadedSessionWriter
from tui.scenario import Scenario
from tui.session.timeline import Note, Timeline
from tui.sim.simulation import Snapshot
from tui.sim.trace import Event


class Recorder:
    """An open session file that follows a live session.

    Every method raises the ``OSError`` of a write that failed on the
    writer's thread, so the session stops recording and says why; ``on_error``
    is called from that thread as soon as it fails, to wake the session when
    no move is coming (it must only schedule work on the session's thread).
    """

    def __init__(self, path: str, header: Header, on_error: Callable[[OSError], None] | None = None) -> None:
        self.path = path
        self.writer = ThreadedSessionWriter(path, header, on_error=on_error)

    @property
    def error(self) -> OSError | None:
        """The write error that stopped the file (None while every line is going out)."""
        return self.writer.error

    def check(self) -> None:
        """Raise the write error, if any: cheap enough for every frame the session publishes."""
        self.writer.check()

    def history(self, timelines: Iterable[Timeline], current: Timeline) -> None:
        """Write everything so far, so the file replays to exactly this state."""
        by_name: dict[str, Timeline] = {}
        for tl in timelines:
            if tl.parent is None:
                own = tl.picks
            else:
                parent = by_name[tl.parent]
                at, own = fork_point(tl, parent)
                self.writer.fork(tl.name, tl.parent, at, tl.extra_overrides)
            by_name[tl.name] = tl
            done = len(tl.picks) - len(own)
            notes = sorted(tl.notes, key=lambda n: n.step)
            for note in (n for n in notes if n.step <= done):
                self.writer.note(note.step, note.text)
            for step, pick in enumerate(own, start=done + 1):
                self.pick(pick)
                for note in (n for n in notes if n.step == step):
                    self.writer.note(note.step, note.text)
            for note in (n for n in notes if n.step > len(tl.picks)):
                self.writer.note(note.step, note.text)
            if tl.behind:  # its cursor stands before the end of its moves
                self.control("seek", tl.sim.steps, to_step=tl.sim.steps)
        if current.name != list(by_name)[-1]:
            self.switch(current.name, current.sim.steps)

    def pick(self, pick: Pick) -> None:
        self.writer.choice(pick.index, hand=not pick.by_policy)

    def control(self, action: str, step: int, **fields: Any) -> None:
        self.writer.control(action, **fields, step=step)

    def switch(self, name: str, step: int) -> None:
        self.writer.control("switch", to=name, step=step)

    def fork(self, tl: Timeline) -> None:
        self.writer.fork(tl.name, tl.parent or MAIN, tl.forked_at, tl.extra_overrides)

    def note(self, note: Note) -> None:
        self.writer.note(note.step, note.text)

    def slide(self, step: int, title: str) -> None:
        self.writer.slide(step, title)

    def close(self) -> None:
        """Drain the queue, sync and join the writer's thread; raise its error or that it is stuck."""
        self.writer.close()


def fork_point(tl: Timeline, parent: Timeline) -> tuple[int, list[Pick]]:
    """Where a fork leaves its parent as the parent is now, and the moves that are its own.

    A fork re-takes the parent's moves it held when it was made (all of them
    with the parent's scenario; with changed overrides, as many as still
    existed). The parent may have gone back and moved differently since, so
    only the part both still share is taken from it; the fork's later moves
    follow by index, which replays them exactly under the fork's scenario.
    """
    same = tl.scenario.overrides == parent.scenario.overrides
    held = tl.forked_at if same else min(tl.replayed, tl.forked_at)
    shared = divergence(parent.picks[:held], tl.picks[:held])
    at = min(held if shared is None else shared, len(parent.picks), len(tl.picks))
    return at, tl.picks[at:]


@dataclass(frozen=True)
class Reopened:
    """One recorded timeline, ready to be opened live: its scenario, picks, notes and place in the tree."""

    name: str
    scenario: Scenario
    picks: tuple[Pick, ...]
    parent: str | None
    forked_at: int
    overrides: tuple[str, ...]
    held: int
    notes: tuple[Note, ...]
    #: The replay's checkpoints (step -> snapshot) and events: a timeline opens from the nearest checkpoint.
    checkpoints: dict[int, Snapshot] = field(default_factory=dict)
    events: tuple[Event, ...] = ()
    #: Where its cursor stood when the file ended (None: at the end of its moves).
    cursor: int | None = None


def scenarios_of(replay: SessionReplay, base: Scenario) -> dict[str, Scenario]:
    """Each timeline's scenario: the session's, plus a fork's own ``--set`` overrides."""
    from tui.scenario import load_scenario

    return {
        name: load_scenario(base.source, [*base.overrides, *tl.plan.overrides]) if tl.plan.overrides else base
        for name, tl in replay.timelines.items()
    }


def reopen(replay: SessionReplay, scenarios: dict[str, Scenario]) -> tuple[list[Reopened], str, float | None]:
    """The timelines of a replayed session, the one that was current at its end, and its last speed."""
    out: list[Reopened] = []
    for tl in replay.timelines.values():
        picks = tuple(tl.moves)
        notes = tuple(Note(n.step, tl.time_at(n.step), n.text) for n in tl.plan.notes)
        out.append(
            Reopened(
                tl.name,
                scenarios[tl.name],
                picks,
                tl.plan.parent,
                tl.plan.at_step,
                tl.plan.overrides,
                tl.held,
                notes,
                tl.checkpoints,
                tuple(tl.events),
                tl.plan.cursor,
            )
        )
    plan = replay.session.plan
    return out, plan.current, plan.speed
