"""Footprints: which steps of the DNS core commute, for the depth-first search's partial-order reduction.

Each step's footprint (the resources it may read and write) is read off its
structured action; steps of different components touching different
endpoints, records or requests commute. An action of a kind not listed may
touch everything, so a new component or kind of step can make the search
slower, never unsound.
"""

from __future__ import annotations

from dataclasses import dataclass

from tui.explore.scope import INVISIBLE
from tui.sim.actions import Action
from tui.sim.controller import Gate


@dataclass(frozen=True)
class Footprint:
    """What one atomic action may read and write, for deciding whether two commute.

    Resources: ``plans`` (the newest plan), ``alias:E`` (alias and rollback
    record of endpoint E), ``trees:E`` (its record trees), ``lock:E`` (its TXT
    lock) and ``cleanup:AZ`` (the clean-up request an Enactor leaves for its
    clean-up). Recording a broken invariant is a set union and commutes.
    """

    reads: frozenset[str]
    writes: frozenset[str]

    def conflicts(self, other: Footprint) -> bool:
        return bool(self.writes & (other.reads | other.writes) or other.writes & self.reads)


class Commutation:
    """Footprints of one run's steps, and what follows from them: independence and persistent sets.

    A footprint depends on the component and its action only, so each is
    worked out once per run, and so is each pair's independence.
    """

    def __init__(self, endpoints: list[str], azs: list[str]) -> None:
        self.endpoints = endpoints
        self.azs = azs
        self._footprints: dict[tuple[str, Action], Footprint] = {}
        self._independent: dict[tuple[str, Action, str, Action], bool] = {}
        self._futures: dict[str, Footprint | None] = {}
        self._waits: dict[tuple[str, str, Action], bool] = {}

    def footprint(self, gate: Gate) -> Footprint:
        """Resources the component's next atomic action may touch, read off its structured action.

        An action of a kind not listed here may touch everything: a new
        component or a new kind of step can make the search slower, never
        unsound. A footprint depends on the component and its action only,
        and the depth-first search asks for the same few many times: each is
        worked out once per run.
        """
        key = (gate.component, gate.action)
        known = self._footprints.get(key)
        if known is None:
            known = self._footprints[key] = self._footprint(*key)
        return known

    def _footprint(self, comp: str, action: Action) -> Footprint:
        kind = action.kind
        none: frozenset[str] = frozenset()
        if kind == "planner.issue":
            return Footprint(none, frozenset({"plans"}))
        if kind in ("route53.wait", "route53.propagate") or (comp == INVISIBLE and kind == "start"):
            return Footprint(none, none)
        last = self.endpoints[-1]
        own = f"cleanup:{comp.split('/', 1)[1]}" if "/" in comp else ""
        if kind == "cleanup.delete":
            ep = action["endpoint"]
            writes = {f"trees:{ep}"} | ({own} if ep == last else set())
            return Footprint(frozenset({f"alias:{ep}"}), frozenset(writes))
        if kind in ("cleanup.wait",) or (kind == "start" and comp.startswith("cleanup/")):
            return Footprint(none, frozenset({own}))
        if kind == "enactor.poll":
            return Footprint(frozenset({"plans"} | {f"alias:{e}" for e in self.endpoints}), none)
        if kind == "enactor.apply":
            ep = action["endpoint"]
            writes = {f"lock:{ep}", f"trees:{ep}", f"alias:{ep}"} | ({own} if ep == last else set())
            return Footprint(none, frozenset(writes))
        if kind in ("enactor.read_lock", "enactor.retry"):
            return Footprint(frozenset({f"lock:{action['endpoint']}"}), none)
        if kind == "start" and comp.startswith("enactor/"):
            return Footprint(none, none)  # parks for its first poll
        everything = frozenset(
            {"plans"}
            | {f"{k}:{e}" for k in ("alias", "trees", "lock") for e in self.endpoints}
            | {f"cleanup:{az}" for az in self.azs}
        )
        return Footprint(everything, everything)

    def _future(self, component: str) -> Footprint | None:
        """Everything a postponable component could still touch, or None if it is not postponable.

        Only the Planner (it only ever writes ``plans``) and the clean-ups
        (pop their own request, read aliases, delete trees) have a future small
        enough to be worth it; an Enactor's future is everything.
        """
        if component == "planner":
            return Footprint(frozenset(), frozenset({"plans"}))
        if component.startswith("cleanup/"):
            own = f"cleanup:{component.split('/', 1)[1]}"
            return Footprint(
                frozenset(f"alias:{e}" for e in self.endpoints),
                frozenset({own} | {f"trees:{e}" for e in self.endpoints}),
            )
        return None

    def _may_wait_for(self, component: str, other: Gate) -> bool:
        """Does nothing ``component`` (whose future is known) could ever do conflict with ``other``'s next step?"""
        key = (component, other.component, other.action)
        known = self._waits.get(key)
        if known is None:
            future = self._futures[component]
            known = self._waits[key] = future is not None and not future.conflicts(self.footprint(other))
        return known

    def persistent(self, runnable: list[Gate], moves: list[str]) -> tuple[list[str], list[str]]:
        """Split ``moves`` into a persistent set to explore and the moves it may postpone.

        A component may wait if nothing it could ever do conflicts with the
        steps the others are parked at, including Enactors polling for a plan
        they have seen (a new plan would wake them): then every interleaving
        that moves it first has an equivalent one that moves it later.
        """
        postponed = []
        futures = self._futures
        for component in moves:
            if component not in futures:
                futures[component] = self._future(component)
            if futures[component] is None:
                continue  # never postponable
            if all(self._may_wait_for(component, g) for g in runnable if g.component != component):
                postponed.append(component)
        if not postponed:
            return moves, []
        kept = [c for c in moves if c not in postponed]
        if not kept:
            kept, postponed = moves[:1], moves[1:]
        return kept, postponed

    def independent(self, a: Gate, b: Gate) -> bool:
        """Do the two runnable steps commute? (Time is unobservable, so footprints decide.)"""
        if a.component == b.component:
            return False
        key = (a.component, a.action, b.component, b.action)
        known = self._independent.get(key)
        if known is None:
            known = self._independent[key] = not self.footprint(a).conflicts(self.footprint(b))
        return known
