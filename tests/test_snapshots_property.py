"""Snapshots: copy a run at any decision point, continue it elsewhere, get the very same run.

The property is equivalence with never stopping: for any scenario variant,
policy, seed and split point, running to the split, snapshotting, restoring
in a fresh Trio run (new nursery, new tasks; optionally after a pickle round
trip, as a worker process would receive it) and finishing gives the same
choices on offer at the split and the same trace hash, steps and milestones
at the end as the uninterrupted run. The same holds in the explorer's
untimed DNS core.
"""

from __future__ import annotations

import pickle
import random

import pytest
import trio
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.clock import parse_sim
from tui.scenario import load_scenario
from tui.sim.simulation import Simulation, Snapshot, open_simulation

VARIANTS = {
    "original": ("us-east-1-2025-10-20", ()),
    "fixed": ("us-east-1-2025-10-20-fixed", ()),
    "faster-planner": ("us-east-1-2025-10-20", ("dns.planner.interval_s=7",)),
    "short-lock": ("us-east-1-2025-10-20", ("dns.enactor.lock_ttl_s=5",)),
    "early-restore": ("us-east-1-2025-10-20", ("operators.restore-dns.at=01:30",)),
    "recheck": ("us-east-1-2025-10-20", ("fixes.recheck_in_batch=true",)),
}
UNTIL = parse_sim("00:30")


async def advance(sim: Simulation, until: float, hand_every: int, max_steps: int | None = None) -> None:
    """Step by policy, with a hand pick (the last choice) every ``hand_every`` steps."""
    taken = 0
    while not sim.done and (upcoming := sim.controller.next_time()) is not None and upcoming <= until:
        if max_steps is not None and taken >= max_steps:
            return
        index = None
        if hand_every and sim.steps % hand_every == 0:
            index = len(sim.choices()) - 1
        await sim.step(index)
        taken += 1


def offered(sim: Simulation) -> list[tuple[str, str, float]]:
    return [(c.component, c.action, c.time) for c in sim.choices()]


def outcome(sim: Simulation) -> tuple[str, int, int, dict[str, str | None]]:
    summary = sim.summary()
    return summary["trace_sha256"], summary["steps"], summary["events"], summary["milestones"]


@settings(max_examples=12, deadline=None)
@given(
    variant=st.sampled_from(sorted(VARIANTS)),
    policy=st.sampled_from(["canonical", "random", "manual"]),
    seed=st.integers(0, 10_000),
    split=st.floats(0.0, 1.0),
    hand_every=st.sampled_from([0, 3, 17]),
    through_pickle=st.booleans(),
)
def test_restoring_a_snapshot_continues_the_run_exactly(
    variant: str, policy: str, seed: int, split: float, hand_every: int, through_pickle: bool
) -> None:
    scenario_id, overrides = VARIANTS[variant]
    scenario = load_scenario(scenario_id, list(overrides))

    async def whole() -> tuple[int, tuple[str, int, int, dict[str, str | None]]]:
        async with open_simulation(scenario, policy, seed) as sim:
            await advance(sim, UNTIL, hand_every)
            return sim.steps, outcome(sim)

    total, expected = trio.run(whole)
    at = int(total * split)

    async def first_half() -> tuple[Snapshot, list[tuple[str, str, float]]]:
        async with open_simulation(scenario, policy, seed) as sim:
            await advance(sim, UNTIL, hand_every, max_steps=at)
            assert sim.steps == at
            return sim.snapshot(), offered(sim)

    snapshot, before = trio.run(first_half)
    if through_pickle:
        snapshot = pickle.loads(pickle.dumps(snapshot))

    async def second_half() -> tuple[list[tuple[str, str, float]], tuple[str, int, int, dict[str, str | None]]]:
        async with open_simulation(snapshot.scenario, policy, seed, snapshot=snapshot) as sim:
            after = offered(sim)
            await advance(sim, UNTIL, hand_every)
            return after, outcome(sim)

    after, got = trio.run(second_half)
    assert after == before
    assert got == expected


def test_a_snapshot_restores_any_number_of_times_and_keeps_the_events_it_is_given() -> None:
    scenario = load_scenario("us-east-1-2025-10-20")

    async def main() -> None:
        async with open_simulation(scenario) as sim:
            await sim.run(until=parse_sim("23:48"))
            snap, events = sim.snapshot(), list(sim.events)
            await sim.run(until=parse_sim("00:10"))
            expected = outcome(sim)
        for _ in range(2):
            async with open_simulation(scenario, snapshot=snap, events=list(events)) as again:
                assert again.milestones()["dns.endpoint_empty"] is not None
                await again.run(until=parse_sim("00:10"))
                assert outcome(again) == expected
                assert len(again.events) == expected[2]

    trio.run(main)


@pytest.mark.slow
@pytest.mark.parametrize("split", ["23:30", "23:48", "06:00", "15:00"])
def test_the_whole_window_restored_at_any_time_ends_with_the_same_hash(split: str) -> None:
    scenario = load_scenario("us-east-1-2025-10-20")

    async def main() -> None:
        async with open_simulation(scenario) as sim:
            await sim.run(until=parse_sim(split))
            snap = pickle.loads(pickle.dumps(sim.snapshot()))
            await sim.run()
            expected = outcome(sim)
        async with open_simulation(scenario, snapshot=snap) as again:
            await again.run()
            assert outcome(again) == expected

    trio.run(main)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), split=st.floats(0.0, 1.0), through_pickle=st.booleans())
def test_the_explorers_dns_core_restores_exactly_too(seed: int, split: float, through_pickle: bool) -> None:
    from tui.explore.model import core_run

    scenario = load_scenario(
        "us-east-1-2025-10-20",
        ["dns.enactors=3", "dns.max_plans=4", "dns.cleanup_threshold=1"],
    )
    rng = random.Random(seed)
    moves = [rng.randrange(100) for _ in range(120)]

    def walk(run, picks):  # take picks (modulo what is on offer) until the core stops moving
        for pick in picks:
            gates = run.gates()
            if not gates:
                return
            run.controller.turn(pick % len(gates))

    whole = core_run(scenario, keep_trace=True)
    walk(whole, moves)
    expected = (whole.controller.trace.sha256(), whole.controller.steps, whole.fingerprint())
    at = int(len(moves) * split)
    first = core_run(scenario, keep_trace=True)
    walk(first, moves[:at])
    snap = first.snapshot()
    if through_pickle:
        snap = pickle.loads(pickle.dumps(snap))
    second = core_run(scenario, keep_trace=True, snapshot=snap)
    assert [g.action for g in second.gates()] == [g.action for g in first.gates()]
    walk(second, moves[at:])
    assert (second.controller.trace.sha256(), second.controller.steps, second.fingerprint()) == expected


def test_lanes_cut_back_to_any_event_equal_lanes_rebuilt_from_the_start() -> None:
    """Going back cuts the lane index instead of feeding it every event again: the two must agree."""
    from tui.session.lanes import LaneIndex

    scenario = load_scenario("us-east-1-2025-10-20")

    async def main() -> None:
        async with open_simulation(scenario) as sim:
            start, initial = sim.now, dict(sim.world.health)
            await sim.run(until=parse_sim("03:00"))
            events = list(sim.events)
        whole = LaneIndex(start, initial)
        for event in events:
            whole.add(event)
        rng = random.Random(3)
        for keep in [0, 1, len(events), *rng.sample(range(len(events)), 25)]:
            rebuilt = LaneIndex(start, initial)
            for event in events[:keep]:
                rebuilt.add(event)
            cut = whole.truncated(events, keep, start, initial)
            assert cut.events == rebuilt.events == keep
            assert {n: (h.times, h.states) for n, h in cut.health.items()} == {
                n: (h.times, h.states) for n, h in rebuilt.health.items()
            }
            assert {n: a.times for n, a in cut.activity.items()} == {n: a.times for n, a in rebuilt.activity.items()}

    trio.run(main)
