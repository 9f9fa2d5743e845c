"""A search's saved states: copies that share only values, states shared until a component steps, no collector."""

from __future__ import annotations

import gc
import random
from dataclasses import dataclass, field

from tui.explore.collector import cycles_paused
from tui.explore.model import core_run
from tui.explore.statecopy import plain_copy
from tui.scenario import load_scenario

ONE_ENDPOINT = 'dns.endpoints=["dynamodb.us-east-1.amazonaws.com"]'
SMALL = ["dns.enactors=2", "dns.max_plans=3", "dns.cleanup_threshold=1", ONE_ENDPOINT]


@dataclass(frozen=True)
class Value:
    n: int


@dataclass
class Box:
    items: list[int] = field(default_factory=list)
    table: dict[str, list[int]] = field(default_factory=dict)
    pair: tuple[int, list[int]] = (0, [])
    value: Value = Value(1)


class Plain:
    def __init__(self) -> None:
        self.box = Box([1], {"a": [2]}, (3, [4]))
        self.name = "plain"


def test_plain_copy_copies_what_can_change_and_shares_values() -> None:
    original = Plain()
    copied = plain_copy(original)
    assert copied is not original and copied.box is not original.box
    assert copied.box.value is original.box.value  # a frozen dataclass is a value
    copied.box.items.append(9)
    copied.box.table["a"].append(9)
    copied.box.pair[1].append(9)  # a tuple holding a list is copied too
    assert original.box.items == [1] and original.box.table == {"a": [2]} and original.box.pair == (3, [4])
    values = (1, "a", (2, "b"))
    assert plain_copy(values) is values


def _walk(seed: int):
    """A run of the small scope after a few random moves."""
    run = core_run(load_scenario("us-east-1-2025-10-20", SMALL))
    rng = random.Random(seed)
    run.settle_now()
    for _ in range(rng.randrange(0, 12)):
        moves = run.moves()
        if not moves:
            break
        run.advance_now(rng.choice(moves))
    return run, rng


def test_a_saved_state_does_not_change_when_the_run_goes_on() -> None:
    """States are shared between the run and what it saved until a component steps: stepping must copy first."""
    for seed in range(30):
        run, rng = _walk(seed)
        saved = run.save()
        before = (run.fingerprint(), run.moves(), run.violations())
        for _ in range(8):  # the run goes on from the state it saved
            moves = run.moves()
            if not moves:
                break
            run.advance_now(rng.choice(moves))
        other = core_run(load_scenario("us-east-1-2025-10-20", SMALL))
        for own in (False, False, True):  # loaded twice as a copy, then taken over
            other.load(saved, own=own)
            assert (other.fingerprint(), other.moves(), other.violations()) == before
            for move in other.moves()[:1]:
                other.advance_now(move)  # and stepping the loaded run leaves the saved state alone


def test_a_handed_over_state_is_the_state_it_was() -> None:
    for seed in range(20):
        run, _ = _walk(seed)
        expected = (run.fingerprint(), run.moves())
        saved = run.save(hand_over=True)
        other = core_run(load_scenario("us-east-1-2025-10-20", SMALL))
        other.load(saved)
        assert (other.fingerprint(), other.moves()) == expected


def test_searches_pause_the_cycle_collector_and_give_it_back() -> None:
    assert gc.isenabled()
    with cycles_paused():
        assert not gc.isenabled()
        with cycles_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer search is still running
    assert gc.isenabled()
    gc.disable()
    try:
        with cycles_paused():
            pass
        assert not gc.isenabled()  # it was off before: it stays off
    finally:
        gc.enable()


def test_what_a_search_kept_is_not_left_for_the_next_young_collection_to_walk() -> None:
    """The first collection after a search would otherwise walk all it allocated (0.16 s after a verification)."""
    with cycles_paused():
        kept = [[] for _ in range(20_000)]
    assert gc.isenabled()
    oldest = {id(o) for o in gc.get_objects(generation=2)}
    assert id(kept[0]) in oldest and id(kept[-1]) in oldest  # without the move: in a younger generation
    assert gc.get_freeze_count() == 0  # in the oldest generation, not frozen for good
