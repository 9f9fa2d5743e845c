"""The explorer's controller: starts only the DNS core, runs it inline, ticks, and saves states compactly.

Components block only on controller gates, so this controller resumes their
programs itself rather than through Trio's scheduler. Its ``choice_window``
is infinite (every parked gate is runnable) and it advances the clock by
more than the TXT lock's lifetime on every step, so time influences nothing
the core does (see :mod:`tui.explore.model`).
"""

from __future__ import annotations

import math
import random
from typing import Any

from tui.explore.scope import is_core
from tui.explore.statecopy import plain_copy
from tui.sim.actions import START, Action
from tui.sim.controller import Choice, Controller, Gate, Park, Proc, Program, SimulationError
from tui.sim.trace import Event, Trace, TraceState
from tui.sim.world import World


class _QuietRandom(random.Random):
    """A random stream that knows whether anything drew from it.

    Nothing in the DNS core draws from the run's streams (the explorer's
    controller has no jitter), yet saving a state packs both streams, and
    reading a Mersenne Twister's state costs more than the rest of a small
    snapshot. While a stream is untouched its state is the one it was seeded
    with, which :meth:`getstate` then returns at no cost.
    """

    def __init__(self, seed: int | str) -> None:
        self.drawn = True
        super().__init__(seed)
        self._start = super().getstate()
        self.drawn = False

    def random(self) -> float:
        self.drawn = True
        return super().random()

    def getrandbits(self, k: int, /) -> int:
        self.drawn = True
        return super().getrandbits(k)

    def getstate(self) -> tuple[Any, ...]:
        return super().getstate() if self.drawn else self._start

    def setstate(self, state: tuple[Any, ...]) -> None:
        super().setstate(state)
        self.drawn = state is not self._start

    def rewind(self) -> None:
        """Back to the state it was seeded with (a run restored in place starts from there)."""
        if self.drawn:
            self.setstate(self._start)


class CoreController(Controller):
    """A controller that starts only the DNS core, runs it inline, and ticks.

    * Filtering at ``spawn`` (rather than writing a second installer) keeps
      the explored world identical to the replayed one, whatever
      ``install_all`` grows into.
    * Components are programs over state, so the explorer runs each step by
      calling the chosen program in place (:meth:`Controller.turn`) instead
      of waking a Trio task and waiting for it to park again: the same
      component code, without scheduler round trips.
    * Each step happens at least ``tick`` virtual seconds after the previous
      one; with a tick longer than the lock's lifetime no lock is still held
      when someone else looks at it (see the module docstring).
    """

    def __init__(self, *, tick: float, keep_trace: bool = True, **kwargs: Any) -> None:
        if kwargs.get("choice_window", math.inf) != math.inf:
            raise SimulationError("the explorer's controller is untimed: choice_window must be infinite")
        if not keep_trace:
            given = kwargs.get("trace")
            kwargs["trace"] = ListenOnlyTrace(None if given is None else given.state())
        super().__init__(None, **kwargs)  # no nursery: programs run inline (Controller.turn)
        self.tick = tick
        seed = kwargs["seed"]
        # Seeded like the base class's streams, so a snapshot's streams are the same either way.
        self.rng: _QuietRandom = _QuietRandom(seed)
        self.choice_rng: _QuietRandom = _QuietRandom(f"choices:{seed}")
        #: Components whose state (and :class:`Proc`) no saved state shares: the others are copied before
        #: they step (see :meth:`pack`).
        self._private: set[str] = set()

    def spawn(
        self,
        name: str,
        program: Program,
        state: Any,
        *,
        rank: int,
        at: float | None = None,
        action: Action = START,
    ) -> None:
        if is_core(name):
            super().spawn(name, program, state, rank=rank, at=at, action=action)

    def turn(self, index: int = 0) -> Choice:
        self.now += self.tick
        return super().turn(index)

    def move(self, name: str) -> None:
        """Step the runnable component ``name``: :meth:`turn` without the choice index and its words.

        The explorer names components, not indices (it recovers indices by
        replaying a counterexample at the end), so looking the index up and
        rendering the choice's words on every step would be wasted.
        """
        self.now += self.tick
        self.turn_named(name)

    def _act(self, name: str) -> Park | None:
        """Run ``name``'s program, on a private copy of its state if a saved state shares it."""
        private = self._private
        if name not in private:
            private.add(name)
            proc = self.procs[name]
            self.procs[name] = Proc(proc.program, plain_copy(proc.state))  # the shared Proc stays as it was
        return super()._act(name)

    def pack(self) -> tuple[Any, ...]:
        """What a search state needs of the controller, as flat tuples: :meth:`unpack` continues from it.

        :meth:`freeze` keeps gates and components as objects (a snapshot any
        controller can thaw). A search saves and restores tens of thousands of
        states in one run whose ranks, timing and trace never change, so it
        keeps the gates and the components (program and state) and leaves
        the constant parts out. Programs run inline, inside a
        call, so between calls the run is always between steps.

        Nothing is copied here: a step changes only the stepping component's
        state (and the world), so component states are shared between the
        run and every state saved from it, and a component's state is copied
        just before it next steps (:meth:`_act`), in a :class:`Proc` of its
        own. A gate changes only when a
        signal it waits on comes (:meth:`notify`), so only such gates are
        copied; the others are shared as they are.
        """
        gates = tuple([g if g.signal is None else _gate_copy(g) for g in self.parked.values()])
        self._private.clear()  # every state is shared with the saved one from now on
        rngs = (self._rng_state(self.rng), self._rng_state(self.choice_rng))
        return (self.now, self.steps, self.seq, tuple(self.finished), gates, self.procs.copy(), rngs)

    @staticmethod
    def _rng_state(stream: _QuietRandom) -> tuple[Any, ...] | None:
        return stream.getstate() if stream.drawn else None

    def unpack(self, packed: tuple[Any, ...], world: World) -> None:
        """Continue from :meth:`pack`'s data in this controller (the one that packed it, or one like it).

        ``packed`` is not changed: states and gates are shared as :meth:`pack` says, so it
        can be unpacked again.
        """
        self._in_place()
        now, steps, seq, finished, gates, procs, rngs = packed
        for stream, state in zip((self.rng, self.choice_rng), rngs, strict=True):
            if state is None:
                stream.rewind()
            else:
                stream.setstate(state)
        self._private = set()
        own_gates = [g if g.signal is None else _gate_copy(g) for g in gates]
        self.resume(now, steps, seq, set(finished), procs.copy(), own_gates)
        self.world = world

    def restore(self, frozen: dict[str, Any], world: World) -> None:
        """Continue from :meth:`freeze`'s data in this very controller, as a new one would.

        Restoring in place skips what building a controller costs (two seeded
        random streams, a trace); the search restores tens of thousands of
        states.
        """
        self._in_place()
        self.rng.rewind()
        self.choice_rng.rewind()
        self.world = world
        self._private = set()
        self.thaw(frozen)

    def _in_place(self) -> None:
        """Refuse to restore a run that keeps its trace: the kept trace would not match the restored state."""
        if not isinstance(self.trace, ListenOnlyTrace):
            raise SimulationError("only a run without a kept trace can be restored in place")


def _gate_copy(gate: Gate) -> Gate:
    return Gate(gate.time, gate.rank, gate.seq, gate.component, gate.action, gate.signal)


class ListenOnlyTrace(Trace):
    """A trace that only forwards events to listeners: a search needs no history and no hash."""

    def __init__(self, state: TraceState | None = None) -> None:
        super().__init__(state)

    def add(self, time: float, step: int, component: str, kind: str, data: dict[str, Any]) -> Event | None:  # type: ignore[override]
        """The event for the listeners; without any (a search), no event is made at all."""
        listeners = self._listeners
        if not listeners:
            return None
        event = Event(time, step, component, kind, data)
        for listener in listeners:
            listener(event)
        return event

    def note_choice(self, index: int) -> None:
        pass
