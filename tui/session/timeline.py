"""One timeline (the main run or a fork): a Simulation plus what the UI needs of it.

A timeline records each step as a :class:`Pick`: which index was taken, what
it named, and whether the policy or a person chose it. Replaying picks, not
bare indices, is what makes forks exact for every policy: a policy pick is
re-made through the policy so a random policy draws from its RNG exactly as
the original run did (``Simulation.replay`` alone would skip those draws).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from tui.scenario import Scenario
from tui.session.lanes import LaneIndex
from tui.sim.controller import Choice
from tui.sim.simulation import Simulation
from tui.sim.trace import Event


@dataclass(frozen=True)
class Pick:
    """One step as taken: index into the choices, what it named, who chose it."""

    index: int
    component: str
    action: str
    time: float
    by_policy: bool

    def same_move(self, choice: Choice) -> bool:
        return choice.component == self.component and choice.action == self.action


@dataclass(frozen=True)
class Note:
    """A speaker note: ``text`` at ``step`` (virtual ``time``) of one timeline."""

    step: int
    time: float
    text: str


@dataclass
class Timeline:
    """A named, running simulation and its history; owned by a Session."""

    name: str
    scenario: Scenario
    sim: Simulation
    parent: str | None = None
    forked_at: int = 0
    extra_overrides: tuple[str, ...] = ()
    picks: list[Pick] = field(default_factory=list)
    replayed: int = 0
    notes: list[Note] = field(default_factory=list)
    #: Hears every move taken by :meth:`step` (not replays): how a recording follows the timeline.
    on_pick: Callable[[Pick], None] | None = None
    lanes: LaneIndex = field(init=False)
    start: float = field(init=False)

    def __post_init__(self) -> None:
        self.start = self.sim.now
        self.lanes = LaneIndex(self.sim.now, dict(self.sim.world.health))
        for event in self.sim.events:
            self.lanes.add(event)
        self.sim.controller.trace.listen(self.lanes.add)

    @property
    def events(self) -> list[Event]:
        return self.sim.events

    async def step(self, index: int | None = None) -> Choice:
        """Take one step: ``index`` is a hand pick, None lets the policy choose."""
        choices = self.sim.choices()
        by_policy = index is None
        if index is None:
            index = self.sim.planned_pick()
            assert index is not None
        chosen = choices[index]
        await self.sim.step(index)
        pick = Pick(index, chosen.component, chosen.action, chosen.time, by_policy)
        self.picks.append(pick)
        if self.on_pick is not None:
            self.on_pick(pick)
        return chosen

    def time_at(self, step: int) -> float:
        """Virtual time once ``step`` moves were made (the start for step 0), as session exports say it."""
        if step <= 0 or not self.picks:
            return self.start
        return self.picks[min(step, len(self.picks)) - 1].time

    async def replay_exact(self, picks: Sequence[Pick]) -> int:
        """Re-take ``picks`` by index alone: exact for the same scenario under any policy.

        Twice as fast as :meth:`replay` (no per-step check), which is what
        keeps a fork at the end of the window cheap.
        """
        await self.sim.replay([p.index for p in picks])
        self.picks.extend(picks)
        return len(picks)

    async def replay(self, picks: Sequence[Pick]) -> int:
        """Re-take ``picks`` for as long as each still names a move on offer; return how many held.

        With the same scenario every pick holds. With changed ``--set`` values
        the run may differ early; the replay then stops where the parent's
        move no longer exists, which is where the fork diverges.
        """
        for taken, pick in enumerate(picks):
            choices = self.sim.choices()
            if not choices:
                return taken
            index: int | None = None
            if pick.by_policy:
                guess = self.sim.planned_pick()
                assert guess is not None
                if pick.same_move(choices[guess]):
                    index = guess
            elif pick.index < len(choices) and pick.same_move(choices[pick.index]):
                index = pick.index
            if index is None:
                index = next((c.index for c in choices if pick.same_move(c)), None)
                if index is None:
                    return taken
                by_policy = False
            else:
                by_policy = pick.by_policy
            chosen = choices[index]
            await self.sim.controller.step(index)
            self.picks.append(Pick(index, chosen.component, chosen.action, chosen.time, by_policy))
        return len(picks)


def divergence(a: Sequence[Pick], b: Sequence[Pick]) -> int | None:
    """The first step at which two timelines made different moves (None if one extends the other)."""
    for i, (x, y) in enumerate(zip(a, b, strict=False)):
        if (x.component, x.action, x.time) != (y.component, y.action, y.time):
            return i
    return None
