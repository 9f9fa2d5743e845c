"""A session file's entries, walked once: what each timeline is, and where the session stood at the end.

The entries say which timeline is current only by the fork lines, switches
and renames before them, so every reader of a session needs the same walk.
It is done here, once per file, and checked as it goes: each fork names a
new timeline and starts within what its parent had done by then, a switch
or a rename names a known timeline, and every problem is one line naming
the file, the line, what was found and what was expected. Replaying a
session, reopening it live, presenting it (its markers: notes, forks,
switches, milestone jumps and slides, each with the view recorded before it)
and reading the explorer's counterexamples all use the result, a
:class:`SessionPlan`.

In a version 2 file history is append-only: a seek only moves the cursor.
In a version 1 file a seek back dropped the moves after it; a fork made past
that point keeps following the moves it saw, through a hidden copy of its
parent as it was.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from tui.errors import BadInput
from tui.record.format import MAIN, ChoiceEntry, ControlEntry, Entry, ForkEntry, NoteEntry, SlideEntry
from tui.record.markers import Marker, View


@dataclass
class Plan:
    """What the file says about one timeline, before it is replayed."""

    name: str
    parent: str | None = None
    at_step: int = 0
    overrides: tuple[str, ...] = ()
    line: int = 1
    #: How many of the parent's moves it re-takes: ``at_step``, unless it went back before that.
    prefix: int = -1
    #: The plan whose moves it re-takes: its parent, or the parent as it was when it went back past the fork.
    source: str | None = None
    #: A parent's earlier version, replayed only for the forks made from it.
    hidden: bool = False
    choices: list[ChoiceEntry] = field(default_factory=list)
    notes: list[NoteEntry] = field(default_factory=list)
    controls: list[ControlEntry] = field(default_factory=list)
    #: Where the timeline's cursor was at the end of the file (None: at the end of its moves).
    cursor: int | None = None

    @property
    def length(self) -> int:
        """How many moves the timeline has: the ones it re-takes, then its own."""
        return self.prefix + len(self.choices)

    def __post_init__(self) -> None:
        if self.prefix < 0:
            self.prefix = self.at_step
        if self.source is None:
            self.source = self.parent

    def go_back(self, to_step: int) -> None:
        """A seek back: keep the first ``to_step`` moves; the choices that follow replace the rest."""
        if to_step >= self.prefix + len(self.choices):
            return
        if to_step <= self.prefix:
            self.prefix, self.choices = to_step, []
        else:
            del self.choices[to_step - self.prefix :]


@dataclass(frozen=True)
class _Stop:
    """A marker as the walk meets it: its timeline is a plan, named only once every rename is read."""

    kind: str
    plan: Plan
    step: int
    text: str
    view: View


@dataclass
class SessionPlan:
    """Every timeline's plan (hidden earlier versions included), the current one at the end, the last speed."""

    timelines: dict[str, Plan]
    #: The timeline that was current when the file ended.
    current: str = MAIN
    #: The last speed the file set (None: it never did).
    speed: float | None = None
    stops: list[_Stop] = field(default_factory=list)

    @property
    def markers(self) -> list[Marker]:
        """Where a talk stops, in file order, each timeline named as it is at the end of the file."""
        return [Marker(s.kind, s.plan.name, s.step, s.text, s.view) for s in self.stops]

    def known(self) -> list[str]:
        """The session's timelines by name, in the order they were made (renamed ones last)."""
        return [name for name, plan in self.timelines.items() if not plan.hidden]

    def in_order(self) -> list[Plan]:
        """Every plan after the one it follows (a kept earlier version is made after its forks)."""
        pending, done, ordered = list(self.timelines.values()), set(), []
        while pending:
            plan = next(p for p in pending if p.source is None or p.source in done)
            pending.remove(plan)
            done.add(plan.name)
            ordered.append(plan)
        return ordered


def walk(path: str, version: int, entries: Iterable[Entry]) -> SessionPlan:
    """Group entries by timeline, checking each fork, switch and rename; raise :class:`BadInput` at a bad one."""
    out = {MAIN: Plan(MAIN)}
    plan = SessionPlan(out)
    current = out[MAIN]
    append_only = version >= 2
    view = View()

    def stop(kind: str, step: int, text: str) -> None:
        plan.stops.append(_Stop(kind, current, step, text, view))

    for entry in entries:
        if isinstance(entry, ForkEntry):
            _check_fork(path, plan, entry)
            current = Plan(entry.name, entry.parent, entry.at_step, entry.overrides, entry.line)
            out[entry.name] = current
            sets = f" with {' '.join(entry.overrides)}" if entry.overrides else ""
            stop("fork", entry.at_step, f"fork {entry.name} from {entry.parent} at step {entry.at_step}{sets}")
        elif isinstance(entry, ChoiceEntry):
            current.choices.append(entry)
            current.cursor = None
        elif isinstance(entry, NoteEntry):
            current.notes.append(entry)
            stop("note", entry.step, entry.text)
        elif isinstance(entry, SlideEntry):
            stop("slide", entry.step, entry.title or "slide")
        elif isinstance(entry, ControlEntry):
            current.controls.append(entry)
            if entry.action == "switch":
                target = entry.get("to")
                if target not in plan.known():
                    raise _problem(path, entry.line, f"switch to {target!r}", f"one of {', '.join(plan.known())}")
                current = out[target]
                step = entry.get("step")
                stop("switch", current.length if step is None else step, f"switch to {target}")
            elif entry.action == "rename":
                name, to = entry.get("name"), entry.get("to")
                if name not in plan.known():
                    raise _problem(path, entry.line, f"rename of {name!r}", f"one of {', '.join(plan.known())}")
                if to in plan.known():
                    raise _problem(path, entry.line, f"rename to {to!r}", "a name no timeline has")
                _rename(out, name, to)
            elif entry.action == "speed":
                plan.speed = float(entry.get("speed"))
            elif entry.action == "view":
                view = View(entry.get("zoom"), entry.get("pan"), entry.get("overlay"))
            elif entry.action == "seek":
                if entry.get("milestone"):
                    stop("milestone", entry.get("to_step"), f"milestone {entry.get('milestone')}")
                moved = current
                named = entry.get("timeline")  # another timeline's cursor (a comparison moved it)
                if named is not None:
                    if named not in plan.known():
                        raise _problem(path, entry.line, f"seek of {named!r}", f"one of {', '.join(plan.known())}")
                    moved = out[named]
                if append_only:
                    to_step = entry.get("to_step")
                    moved.cursor = None if to_step >= moved.length else to_step
                else:
                    _keep_for_forks(out, moved, entry.get("to_step"), entry.line)
                    moved.go_back(entry.get("to_step"))
    plan.current = current.name
    return plan


def _problem(path: str, line: int, found: str, expected: str) -> BadInput:
    return BadInput(f"{path}: line {line}: found {found}, expected {expected}")


def _check_fork(path: str, plan: SessionPlan, entry: ForkEntry) -> None:
    """A fork names a new timeline and starts within what its parent had done by then."""
    known = plan.known()
    if entry.name in known:
        raise _problem(path, entry.line, f"fork name {entry.name!r} again", "a new timeline name")
    if entry.parent not in known:
        raise _problem(path, entry.line, f"fork parent {entry.parent!r}", f"one of {', '.join(known)}")
    done = plan.timelines[entry.parent].length
    if entry.at_step > done:
        raise _problem(
            path,
            entry.line,
            f"at_step {entry.at_step}",
            f"a step <= {done}, the moves {entry.parent!r} had made by then",
        )


def _rename(out: dict[str, Plan], name: str, to: str) -> None:
    """A timeline renamed: its plan, and every fork's record of its parent."""
    plan = out.pop(name)
    plan.name = to
    out[to] = plan
    for other in out.values():
        if other.parent == name:
            other.parent = to
        if other.source == name:
            other.source = to


def _keep_for_forks(out: dict[str, Plan], plan: Plan, to_step: int, line: int) -> None:
    """Before ``plan`` goes back to ``to_step``: forks made past that point keep following the moves they saw."""
    forks = [p for p in out.values() if p.source == plan.name and p.prefix > to_step]
    if not forks or to_step >= plan.prefix + len(plan.choices):
        return
    kept = Plan(
        f"{plan.name}@{line}",
        plan.parent,
        plan.at_step,
        plan.overrides,
        plan.line,
        plan.prefix,
        plan.source,
        hidden=True,
        choices=list(plan.choices),
    )
    out[kept.name] = kept
    for fork in forks:
        fork.source = kept.name
