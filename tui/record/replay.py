"""Record a headless run, and replay a session's timelines exactly.

Every step draws exactly once from the policy's own RNG stream, whoever
chooses, so a plain list of choice indices replays any run exactly; the
``hand`` flag on a move only says who chose it (and, when a fork's changed
overrides move things around, which way to look for the same move first).

A fork is a fresh simulation (with its extra overrides) that re-takes its
parent's first ``at_step`` moves for as long as each still names a move on
offer, then its own moves. With unchanged overrides every parent move holds;
with changed ones the fork may diverge earlier, and that step is reported.
A fork with its parent's scenario starts instead from the parent's nearest
checkpoint before the fork and re-takes only the moves after it.

Each replayed timeline keeps checkpoints (a snapshot every
``CHECKPOINT_EVERY`` moves, and one at its end), so the replay UI reopens a
session without replaying it a second time, and exports start each timeline
from the checkpoint nearest to where they need it. A caller may ask for
checkpoints at more steps (a talk's markers): going there is then a restore
with nothing replayed, for a snapshot's cost (a fraction of a millisecond).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import trio

from tui.errors import BadInput
from tui.record.format import MAIN, ChoiceEntry, Header, World
from tui.record.picks import Pick, divergence
from tui.record.plan import Plan
from tui.record.reader import SessionFile, scenario_for
from tui.record.writer import SessionWriter
from tui.scenario import Scenario, load_scenario
from tui.sim.policies import make_policy
from tui.sim.simulation import Simulation, Snapshot, open_simulation
from tui.sim.trace import Event

#: Moves between two checkpoints of a replayed timeline (the same interval as the replay UI's timelines).
CHECKPOINT_EVERY = 1000

#: A headless run syncs the file to disk at most this often (every line is still written at once).
HEADLESS_SYNC_S = 0.2


@dataclass
class Replayed:
    """One timeline after replay: its moves, events, summary, and where it left its parent."""

    plan: Plan
    start: float
    moves: list[Pick]
    events: list[Event]
    summary: dict[str, Any]
    held: int = 0
    diverged_at: int | None = None
    #: The move its parent made at ``diverged_at`` instead of this timeline's (kept here: the version of the
    #: parent it followed may be one that went back afterwards, which is not among the session's timelines).
    parent_move: Pick | None = None
    #: Snapshots by step: every ``CHECKPOINT_EVERY`` moves, at step 0 and at the end.
    checkpoints: dict[int, Snapshot] = field(default_factory=dict)

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
    """Each timeline's plan by name, hidden earlier versions included (the file's one walk, its ``plan``)."""
    return session.plan.timelines


class _Replay:
    """Takes one timeline's moves as a driver of its run: the parent's first, then its own.

    Driven steps pass the baton from component to component (one task
    switch a step). Every step draws once from the policy's RNG, whoever
    chose it, so a plain index replays a move exactly; a parent's move under
    changed overrides is looked for where the policy would make it first.
    """

    def __init__(
        self,
        sim: Simulation,
        follow: Sequence[Pick],
        own: Sequence[ChoiceEntry],
        path: str,
        stops: Collection[int] = (),
    ) -> None:
        self.sim = sim
        self.stops = stops  # steps to checkpoint besides every CHECKPOINT_EVERY-th
        self.follow = follow
        self.own = own
        self.path = path
        self.exact = False  # the parent's moves hold by index (same scenario)
        self.moves: list[Pick] = []
        self.held = 0
        self.checkpoints: dict[int, Snapshot] = {}
        self.problem: BadInput | None = None
        self._following = True
        self._position = 0
        self._taken: tuple[int, bool] | None = None

    def next_index(self) -> int | None:
        sim = self.sim
        if self._taken is not None:
            index, hand = self._taken
            self._taken = None
            choice = sim.controller.last_choice()
            self.moves.append(Pick(index, choice.component, choice.action, choice.time, not hand))
            if sim.steps % CHECKPOINT_EVERY == 0 or sim.steps in self.stops:
                self.checkpoints[sim.steps] = sim.snapshot()
        if self._following:
            if self._position < len(self.follow):
                found = self._parent_move(self.follow[self._position])
                if found is not None:
                    self._position += 1
                    self.held += 1
                    self._taken = found
                    return found[0]
            self._following = False
            self._position = 0
        if self._position >= len(self.own):
            return None
        entry = self.own[self._position]
        choices = sim.controller.choices()
        if not choices:
            self.problem = BadInput(
                f"{self.path}: line {entry.line}: found a choice after the run ended, expected no more choices"
            )
            return None
        if sim.policy.draws:
            sim.planned_pick()
        if entry.index >= len(choices):
            self.problem = BadInput(
                f"{self.path}: line {entry.line}: found choice index {entry.index}, "
                f"expected 0..{len(choices) - 1} (the choices on offer at step {sim.steps})"
            )
            return None
        self._position += 1
        self._taken = (entry.index, entry.hand)
        return entry.index

    def _parent_move(self, move: Pick) -> tuple[int, bool] | None:
        """Where the parent's ``move`` is on offer now (and who chose it), or None: the fork diverges here."""
        sim = self.sim
        if self.exact:
            if sim.policy.draws:
                sim.planned_pick()
            return move.index, move.hand
        found = sim.find(move.component, move.action, move.index, not move.hand)
        return None if found is None else (found[0], move.hand)


#: How a timeline's simulation is opened: ``open_simulation`` for recorded runs; another world
#: (an untimed exploration core, say) passes its own.
Opener = Callable[[Scenario, str, int], AbstractAsyncContextManager[Simulation]]


def opener_for(world: World) -> Opener:
    """How to open a timeline of a session recorded in ``world`` (its header's ``world``)."""
    if world == World.DNS_CORE:
        # Imported here: only explorer counterexamples need the untimed core.
        from tui.explore.model import open_core_simulation

        return open_core_simulation
    return open_simulation


async def replay_session_async(
    session: SessionFile,
    scenario: Scenario,
    on_event: Callable[[Event], None] | None = None,
    opener: Opener = open_simulation,
    checkpoint_at: Mapping[str, Collection[int]] | None = None,
) -> SessionReplay:
    """Replay every timeline in turn; ``on_event`` hears the main timeline's events as they happen.

    ``checkpoint_at`` names steps, per timeline, to keep a checkpoint at
    besides the regular ones (where a talk stops).
    """
    header = session.header
    done: dict[str, Replayed] = {}
    for plan in session.plan.in_order():
        loaded = scenario
        if plan.overrides:
            try:
                loaded = load_scenario(scenario.source, (*header.overrides, *plan.overrides))
            except BadInput as err:
                raise BadInput(f"{session.path}: line {plan.line}: fork {plan.name!r}: {err}") from None
        parent = done[plan.source] if plan.source is not None else None
        prefix = parent.moves[: plan.prefix] if parent is not None else []
        # With its parent's very scenario, a fork starts from the parent's nearest checkpoint.
        base: Snapshot | None = None
        events: list[Event] | None = None
        if parent is not None and parent.checkpoints and loaded.sha256 == parent.checkpoints[0].scenario.sha256:
            base = parent.checkpoints[max(k for k in parent.checkpoints if k <= len(prefix))]
            events = list(parent.events[: base.events])
        async with opener(loaded, header.policy, header.seed, snapshot=base, events=events) as sim:
            if on_event is not None and plan.parent is None:
                sim.controller.trace.listen(on_event)
            stops = frozenset((checkpoint_at or {}).get(plan.name, ()))
            replay = _Replay(sim, prefix[sim.steps :], plan.choices, session.path, stops)
            if parent is not None and base is not None:
                start = parent.start
                replay.exact = True
                replay.moves = list(prefix[: base.step])
                replay.held = base.step
                replay.checkpoints = {k: v for k, v in parent.checkpoints.items() if k <= base.step}
            else:
                start = sim.now
                replay.checkpoints[0] = sim.snapshot()
            await sim.controller.drive(replay.next_index)
            replay.checkpoints[sim.steps] = sim.snapshot()
            moves = replay.moves
            result = Replayed(plan, start, moves, list(sim.events), sim.summary(), replay.held)
            result.checkpoints = replay.checkpoints
            if parent is not None:
                result.diverged_at = divergence(moves, parent.moves)
                if result.diverged_at is not None:
                    result.parent_move = parent.moves[result.diverged_at]
            done[plan.name] = result
        if replay.problem is not None:
            raise replay.problem
    return SessionReplay(session, scenario, {name: tl for name, tl in done.items() if not tl.plan.hidden})


def replay_session(
    session: SessionFile,
    scenario: Scenario | None = None,
    on_event: Callable[[Event], None] | None = None,
    checkpoint_at: Mapping[str, Collection[int]] | None = None,
) -> SessionReplay:
    """Check the scenario hash, then replay the session with plain ``trio.run`` in the world it names."""
    loaded = scenario_for(session) if scenario is None else scenario
    world = opener_for(session.header.world)
    return trio.run(replay_session_async, session, loaded, on_event, world, checkpoint_at)


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
