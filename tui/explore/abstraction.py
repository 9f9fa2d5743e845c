"""The state abstraction: what of a run decides its future, as text and a digest, up to renaming AZs.

**What a state is.** The zones (trees, alias, rollback), the newest plan,
pending clean-up requests, broken invariants, and each component's gate text
plus the locals its text does not show, reconstructed from the events it
emits (the plan an Enactor saw last; whether the lock it read is still the
lock in the zone). Time is left out: the explorer's controller makes it
unobservable (see :mod:`tui.explore.model`). Route 53 propagation is left
out: what it publishes is read by nobody in the core, so a replay steps it
as soon as it can move and a search never does; and an Enactor polling for a
plan it has already seen changes nothing at all. Enactors differ only by
name, so with symmetry on, states that differ by a permutation of AZs are one
state (:meth:`StateAbstraction.canonical`).
"""

from __future__ import annotations

import hashlib
import math
from typing import TYPE_CHECKING, Any

from tui.explore.scope import CORE_PREFIXES, EXPLORED_INVARIANTS, INVISIBLE
from tui.sim.controller import Gate

if TYPE_CHECKING:
    from tui.explore.model import CoreRun
    from tui.sim.components.route53 import Zone

#: Texts and digests kept by value (some 600 bytes each) before the caches start again empty.
_MAX_KEPT = 100_000


def _digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode(), digest_size=16).digest()


class StateAbstraction:
    """A run's state as a search compares states: the text, its digest, and the AZ renaming.

    Worked out once per step (the search hashes every state it reaches), and
    forgotten when the run is restored to another state (:meth:`forget`).
    """

    def __init__(self, run: CoreRun) -> None:
        self.run = run
        #: Identify states that differ only by which AZ is which.
        self.symmetry = True
        self._blocks = [(az, f"enactor/{az}", f"cleanup/{az}") for az in run.azs]
        self._canon: tuple[tuple[Any, ...], dict[str, str]] | None = None
        self._canon_at = -1
        self._renames: dict[tuple[int, ...], dict[str, str]] = {}
        # A search meets the same few blocks, and each state several times (once per edge into it):
        # their texts and the states' digests are kept, by value, so each is rendered and hashed once.
        self._texts: dict[Any, str] = {}
        self._others: list[str] = []
        self._others_of = -1
        self._digests: dict[tuple[Any, ...], bytes] = {}
        self._endpoints = sorted(run.world.route53.zones)
        self._zone_parts: dict[int, tuple[Zone, tuple[Any, ...]]] = {}

    def forget(self) -> None:
        """The run now stands in another state with perhaps the same step count: work it out anew."""
        self._canon_at = -1

    def fingerprint(self) -> bytes:
        """A digest of :meth:`abstract_state` (of :meth:`canonical`'s text with symmetry on).

        With symmetry the digest of a canonical form met before is looked up
        rather than rendered and hashed again (the form's parts are plain
        values, so equal forms have equal texts).
        """
        if not self.symmetry:
            return _digest(repr(self.abstract_state()))
        key = self.canonical()[0]
        digests = self._digests
        known = digests.get(key)
        if known is None:
            if len(digests) >= _MAX_KEPT:
                digests.clear()
            known = digests[key] = _digest(self._text(key))
        return known

    def _text(self, key: tuple[Any, ...]) -> str:
        """The canonical form's text: the parts' texts joined (what the digest is of)."""
        zones, others, blocks, world = key
        return "|".join((self._repr(zones), repr(list(others)), *blocks, self._repr(world)))

    def _repr(self, value: Any) -> str:
        """``repr(value)``, rendered once per value."""
        texts = self._texts
        text = texts.get(value)
        if text is None:
            if len(texts) >= _MAX_KEPT:
                texts.clear()
            text = texts[value] = repr(value)
        return text

    def _gate_info(self, gate: Gate) -> tuple[Any, ...]:
        """A gate as the abstraction sees it: action, waiting on a signal, locals not in the action."""
        local: tuple[Any, ...] = ()
        action = gate.action
        kind = action.kind
        if kind in ("enactor.apply", "enactor.poll", "enactor.retry"):
            state = self.run.enactor_state(gate.component)
            if state is not None and state.last_seen is not None:  # else it has nothing of its own yet
                if kind == "enactor.apply":
                    local = (state.read_lock == self.run.world.route53.zones[action["endpoint"]].lock,)
                elif kind == "enactor.poll":
                    # Only whether a newer plan is waiting matters, not which one was seen.
                    local = (self.run.is_idle_poll(gate),)
                else:
                    # A retry reads the lock and goes on exactly like a first attempt.
                    kind, args = "enactor.read_lock", (("endpoint", action["endpoint"]), ("plan", action["plan"]))
                    return (kind, args, gate.time == math.inf, local)
        # Kind and arguments identify the action exactly.
        return (kind, action.args, gate.time == math.inf, local)

    def _zones(self) -> tuple[Any, ...]:
        """Each zone's part of the state, worked out once per zone: a zone is a value, replaced when it changes."""
        zones = self.run.world.route53.zones
        parts = self._zone_parts
        out = []
        for endpoint in self._endpoints:
            zone = zones[endpoint]
            known = parts.get(id(zone))
            if known is None or known[0] is not zone:  # kept with its zone, so an id is never reused here
                if len(parts) >= _MAX_KEPT:
                    parts.clear()
                known = parts[id(zone)] = (zone, (endpoint, tuple(sorted(zone.trees)), zone.alias, zone.rollback))
            out.append(known[1])
        return tuple(out)

    def _world(self) -> tuple[Any, ...]:
        return (
            self.run.world.plans.latest_generation,
            tuple(sorted(v for v in self.run.world.violations if v in EXPLORED_INVARIANTS)),
            self.run.planner_done(),
        )

    def abstract_state(self) -> tuple[Any, ...]:
        """Everything that can influence the core's future or its invariants (see the module docstring)."""
        gates = tuple(
            (g.component, *self._gate_info(g))
            for g in sorted(self.run.pending(), key=lambda g: g.component)
            if g.component != INVISIBLE
        )
        requests = tuple(sorted(self.run.world.cleanup_requests.items()))
        return (self._zones(), gates, requests, self._world())

    def canonical(self) -> tuple[tuple[Any, ...], dict[str, str]]:
        """The abstract state up to renaming Availability Zones, as a canonical form, and the renaming used.

        The Enactors (each with its clean-up) run the same code and differ
        only by name, which nothing in the core reads (the lock holder's name
        is not part of the state: see the module docstring). So each AZ's
        block (its Enactor's gate, its clean-up's gate, the pending request)
        is sorted, and AZs are renamed ``#0``, ``#1``, ... in that order: two
        states that differ by a permutation of AZs hash the same. Sorting
        by any total order of the blocks gives the same classes; sorting by
        their ``repr`` needs no order between unlike values, and the sorted
        texts are the blocks of the state's text as they are. The form is
        (zones, the other components' gates, the blocks' texts in order, the
        world's part); :meth:`fingerprint` digests its text.
        """
        steps = self.run.controller.steps
        if self._canon_at == steps and self._canon is not None:
            return self._canon
        parked = self.run.controller.parked
        info = self._gate_info
        requests = self.run.world.cleanup_requests
        text = self._repr
        blocks = []
        for i, (az, enactor, cleanup) in enumerate(self._blocks):
            e, c = parked.get(enactor), parked.get(cleanup)
            blocks.append((text((None if e is None else info(e), None if c is None else info(c), requests.get(az))), i))
        blocks.sort()
        order = tuple([i for _, i in blocks])
        rename = self._renames.get(order)
        if rename is None:
            rename = self._renames[order] = self._rename(order)
        others = tuple([(c, info(parked[c])) for c in self._other_names() if c in parked])
        key = (self._zones(), others, tuple([b for b, _ in blocks]), self._world())
        self._canon, self._canon_at = (key, rename), steps
        return self._canon

    def _other_names(self) -> list[str]:
        """The components outside the AZ blocks and other than Route 53 (the Planner), sorted by name."""
        ranks = self.run.controller.ranks  # every component started so far
        if len(ranks) != self._others_of:
            self._others = sorted(c for c in ranks if c != INVISIBLE and not c.startswith(CORE_PREFIXES))
            self._others_of = len(ranks)
        return self._others

    def _rename(self, order: tuple[int, ...]) -> dict[str, str]:
        """The renaming that puts AZ ``order[0]`` first (``#0``), then ``order[1]``, and so on."""
        rename: dict[str, str] = {}
        for position, i in enumerate(order):
            az = self.run.azs[i]
            rename[f"enactor/{az}"] = f"enactor/#{position}"
            rename[f"cleanup/{az}"] = f"cleanup/#{position}"
        return rename

    def canonical_name(self, component: str) -> str:
        """``component``'s name in the canonical frame (itself without symmetry)."""
        return self.canonical()[1].get(component, component) if self.symmetry else component

    def concrete_name(self, canonical: str) -> str:
        """The component that plays the part of ``canonical`` in this run's current state."""
        if not self.symmetry:
            return canonical
        for name, canon in self.canonical()[1].items():
            if canon == canonical:
                return name
        return canonical
