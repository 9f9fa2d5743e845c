"""Record a headless run, and replay a session's timelines exactly.

Every step draws exactly once from the policy's own RNG stream, whoever
chooses, so a plain list of choice indices replays any run exactly; the
``hand`` flag on a move only says who chose it (and, when a fork's changed
overrides move things around, which way to look for the same move first).

A fork is a fresh simulation (with its extra overrides) that re-takes its
parent's first ``at_step`` moves for as long as each still names a move on
offer, then its own moves. With unchanged overrides every parent move holds;
with changed ones the fork may diverge earlier, and that step is reported.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import trio

from tui.errors import BadInput
from tui.record.format import DNS_CORE, MAIN, ChoiceEntry, ControlEntry, ForkEntry, Header, NoteEntry
from tui.record.reader import SessionFile, scenario_for
from tui.record.writer import SessionWriter
from tui.scenario import Scenario, load_scenario
from tui.sim.controller import Choice
from tui.sim.policies import make_policy
from tui.sim.simulation import Simulation, open_simulation
from tui.sim.trace import Event

#: A headless run syncs the file to disk at most this often (every line is still written at once).
HEADLESS_SYNC_S = 0.2


@dataclass(frozen=True)
class Move:
    """One step as taken: the index, what it named, when, and whether a person chose it."""

    index: int
    component: str
    action: str
    time: float
    hand: bool = False

    def same_move(self, choice: Choice) -> bool:
        return choice.component == self.component and choice.action == self.action


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


@dataclass
class Replayed:
    """One timeline after replay: its moves, events, summary, and where it left its parent."""

    plan: Plan
    start: float
    moves: list[Move]
    events: list[Event]
    summary: dict[str, Any]
    held: int = 0
    diverged_at: int | None = None

    @property
    def name(self) -> str:
        return self.plan.name

    def time_at(self, step: int) -> float:
        """Virtual time once ``step`` moves were made (the start for step 0)."""
        if step <= 0 or not self.moves:
            return self.start
        return self.moves[min(step, len(self.moves)) - 1].time


@dataclass
class SessionReplay:
    """Every timeline of a session, main first, in the order they were forked."""

    session: SessionFile
    scenario: Scenario
    timelines: dict[str, Replayed]

    @property
    def main(self) -> Replayed:
        return self.timelines[MAIN]

    def summary(self) -> dict[str, Any]:
        """The main timeline's summary (as ``run`` prints it), plus each fork's when there are forks."""
        out = dict(self.main.summary)
        forks = [t for t in self.timelines.values() if t.plan.parent is not None]
        if forks:
            out["forks"] = {
                t.name: {
                    "parent": t.plan.parent,
                    "at_step": t.plan.at_step,
                    "overrides": list(t.plan.overrides),
                    "diverged_at": t.diverged_at,
                    **{k: t.summary[k] for k in ("steps", "trace_sha256", "time", "milestones", "violations")},
                }
                for t in forks
            }
        return out


def plans(session: SessionFile) -> dict[str, Plan]:
    """Group entries by timeline: a fork line or a switch makes its timeline the current one."""
    out = {MAIN: Plan(MAIN)}
    current = out[MAIN]
    for entry in session.entries:
        if isinstance(entry, ForkEntry):
            current = Plan(entry.name, entry.parent, entry.at_step, entry.overrides, entry.line)
            out[entry.name] = current
        elif isinstance(entry, ChoiceEntry):
            current.choices.append(entry)
        elif isinstance(entry, NoteEntry):
            current.notes.append(entry)
        else:
            current.controls.append(entry)
            if entry.action == "switch":
                current = out[entry.get("to")]
            elif entry.action == "seek":
                _keep_for_forks(out, current, entry.get("to_step"), entry.line)
                current.go_back(entry.get("to_step"))
    return out


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


def _in_order(plans: dict[str, Plan]) -> list[Plan]:
    """Every plan after the one it follows (a kept earlier version is made after its forks)."""
    pending, done, ordered = list(plans.values()), set(), []
    while pending:
        plan = next(p for p in pending if p.source is None or p.source in done)
        pending.remove(plan)
        done.add(plan.name)
        ordered.append(plan)
    return ordered


async def _take(sim: Simulation, index: int, hand: bool) -> Move:
    choice = await sim.step(index)
    return Move(index, choice.component, choice.action, choice.time, hand)


def _draw(sim: Simulation, choices: list[Choice]) -> int:
    """The policy's pick at this step (drawn once per step, whoever chooses)."""
    pick = sim.planned_pick()
    assert pick is not None
    return pick


async def _follow(sim: Simulation, moves: Sequence[Move]) -> list[Move]:
    """Re-take a parent's moves while each still names a move on offer; stop where one does not."""
    taken: list[Move] = []
    for move in moves:
        choices = sim.controller.choices()
        if not choices:
            break
        index: int | None = None
        if not move.hand:
            guess = _draw(sim, choices)
            if move.same_move(choices[guess]):
                index = guess
        if index is None and move.index < len(choices) and move.same_move(choices[move.index]):
            index = move.index
        if index is None:
            index = next((c.index for c in choices if move.same_move(c)), None)
            if index is None:
                break
        taken.append(await _take(sim, index, move.hand))
    return taken


async def _own(sim: Simulation, entries: Sequence[ChoiceEntry], path: str, taken: list[Move]) -> BadInput | None:
    """Take a timeline's own moves into ``taken``; return (not raise, inside the nursery) a move not on offer."""
    for entry in entries:
        choices = sim.controller.choices()
        if not choices:
            return BadInput(f"{path}: line {entry.line}: found a choice after the run ended, expected no more choices")
        if not entry.hand:
            _draw(sim, choices)
        if entry.index >= len(choices):
            return BadInput(
                f"{path}: line {entry.line}: found choice index {entry.index}, "
                f"expected 0..{len(choices) - 1} (the choices on offer at step {sim.steps})"
            )
        taken.append(await _take(sim, entry.index, entry.hand))
    return None


def _diverged(mine: Sequence[Move], parent: Sequence[Move]) -> int | None:
    """The first step at which a fork's moves differ from its parent's (None if one extends the other)."""
    for step, (a, b) in enumerate(zip(mine, parent, strict=False)):
        if (a.component, a.action, a.time) != (b.component, b.action, b.time):
            return step
    return None


#: How a timeline's simulation is opened: ``open_simulation`` for recorded runs; another world
#: (an untimed exploration core, say) passes its own.
Opener = Callable[[Scenario, str, int], AbstractAsyncContextManager[Simulation]]


def opener_for(world: str) -> Opener:
    """How to open a timeline of a session recorded in ``world`` (its header's ``world``)."""
    if world == DNS_CORE:
        # Imported here: only explorer counterexamples need the untimed core.
        from tui.explore.model import open_core_simulation

        return open_core_simulation
    return open_simulation


async def replay_session_async(
    session: SessionFile,
    scenario: Scenario,
    on_event: Callable[[Event], None] | None = None,
    opener: Opener = open_simulation,
) -> SessionReplay:
    """Replay every timeline in turn; ``on_event`` hears the main timeline's events as they happen."""
    header = session.header
    done: dict[str, Replayed] = {}
    for plan in _in_order(plans(session)):
        loaded = scenario
        if plan.overrides:
            try:
                loaded = load_scenario(scenario.source, (*header.overrides, *plan.overrides))
            except BadInput as err:
                raise BadInput(f"{session.path}: line {plan.line}: fork {plan.name!r}: {err}") from None
        async with opener(loaded, header.policy, header.seed) as sim:
            if on_event is not None and plan.parent is None:
                sim.controller.trace.listen(on_event)
            start = sim.now
            parent = done[plan.source] if plan.source is not None else None
            moves = await _follow(sim, parent.moves[: plan.prefix]) if parent is not None else []
            held = len(moves)
            problem = await _own(sim, plan.choices, session.path, moves)
            result = Replayed(plan, start, moves, list(sim.events), sim.summary(), held)
            if parent is not None:
                result.diverged_at = _diverged(moves, parent.moves)
            done[plan.name] = result
        if problem is not None:
            raise problem
    return SessionReplay(session, scenario, {name: tl for name, tl in done.items() if not tl.plan.hidden})


def replay_session(
    session: SessionFile, scenario: Scenario | None = None, on_event: Callable[[Event], None] | None = None
) -> SessionReplay:
    """Check the scenario hash, then replay the session with plain ``trio.run`` in the world it names."""
    loaded = scenario_for(session) if scenario is None else scenario
    return trio.run(replay_session_async, session, loaded, on_event, opener_for(session.header.world))


def scenario_path_of(scenario: Scenario, given: str) -> str | None:
    """Where a file-based scenario lives (None for a built-in, which is found by its id)."""
    path = Path(given)
    if path.suffix == ".toml" or "/" in given or path.is_file():
        return str(path.resolve())
    return None


def record_headless(
    scenario: Scenario,
    out: str | Path,
    policy: str = "canonical",
    seed: int | None = None,
    until: float | None = None,
    on_event: Callable[[Event], None] | None = None,
    scenario_path: str | None = None,
) -> dict[str, Any]:
    """Run like ``run_headless``, writing the header first and each move as it is made.

    The file is opened before the simulation starts, so a path that cannot be
    written is bad input, not an error inside the components' nursery.
    """
    run_seed = scenario.get("scenario.seed") if seed is None else seed
    header = Header.for_run(scenario, run_seed, make_policy(policy).name, scenario_path)

    async def main(writer: SessionWriter) -> dict[str, Any]:
        async with open_simulation(scenario, policy, run_seed) as sim:
            if on_event is not None:
                sim.controller.trace.listen(on_event)
            await sim.run(until=until, on_step=lambda choice: writer.choice(choice.index))
            return sim.summary()

    with SessionWriter(out, header, sync_every=HEADLESS_SYNC_S) as writer:
        return trio.run(main, writer)
