"""The controller alone: ordering, one-at-a-time, delays, signals, trace hash, driving, snapshots."""

from __future__ import annotations

import pickle
from dataclasses import dataclass, field
from typing import Any

import pytest
import trio

from tui.sim.actions import act
from tui.sim.controller import Controller, Ctx, Park, SimulationError


async def drive(setup, choose=lambda choices: 0, limit: int = 1000) -> Controller:
    """Build a controller, let ``setup`` spawn components, step until nothing can move."""
    async with trio.open_nursery() as nursery:
        ctl = Controller(nursery, seed=1)
        ctl.world = {}
        setup(ctl)
        for _ in range(limit):
            options = ctl.choices()
            if not options:
                break
            await ctl.step(choose(options))
        nursery.cancel_scope.cancel()
    return ctl


@dataclass
class Counter:
    """A test component's state: how many times it has acted, and a log shared by the test."""

    log: list[Any] = field(default_factory=list)
    n: int = 0


def once_after_5(ctx: Ctx, world: Any, state: Counter) -> Park | None:
    if state.n == 0:
        state.n = 1
        return ctx.after(5, act("act"))
    state.log.append(ctx.name)
    return None


def test_same_instant_gates_run_by_rank_not_spawn_order() -> None:
    order: list[str] = []

    def setup(ctl: Controller) -> None:
        for name, rank in (("c", 3), ("a", 1), ("b", 2)):
            ctl.spawn(name, once_after_5, Counter(order), rank=rank)

    trio.run(drive, setup)
    assert order == ["a", "b", "c"]


def test_exactly_one_component_runs_at_a_time() -> None:
    """Each program runs in its own Trio task, and only while the controller says it is its turn."""
    seen: list[tuple[str, str | None, int, int]] = []
    holder: list[Controller] = []

    def body(ctx: Ctx, world: Any, state: Counter) -> Park | None:
        ctl = holder[0]
        seen.append((ctx.name, ctl._running, len(ctl._sleepers), len(ctl.procs) - 1))
        state.n += 1
        return ctx.here(act("again")) if state.n < 20 else None

    def setup(ctl: Controller) -> None:
        holder.append(ctl)
        for i in range(4):
            ctl.spawn(f"c{i}", body, Counter(), rank=i)

    ctl = trio.run(drive, setup, lambda options: len(options) - 1)
    assert ctl.steps == 80
    assert all(name == running for name, running, _, _ in seen)
    # Once every task has started, all the others sleep in Trio while one runs.
    assert all(sleepers == others for _, _, sleepers, others in seen[4:])


def test_choosing_a_later_gate_delays_the_others_and_time_never_goes_back() -> None:
    seen: list[tuple[str, float]] = []

    def sleeper(seconds: float):
        def program(ctx: Ctx, world: Any, state: Counter) -> Park | None:
            if state.n == 0:
                state.n = 1
                return ctx.after(seconds, act(f"{ctx.name} act"))
            seen.append((ctx.name, ctx.now))
            return None

        return program

    def setup(ctl: Controller) -> None:
        ctl.spawn("early", sleeper(1), Counter(), rank=0)
        ctl.spawn("late", sleeper(4), Counter(), rank=1)
        ctl.choice_window = 10

    def pick_late(options):
        names = [c.component for c in options]
        return names.index("late") if "late" in names else 0

    trio.run(drive, setup, pick_late)
    # "late" went first at 4 s; "early" only started then, so its 1 s sleep ends at 5 s.
    assert seen == [("late", 4.0), ("early", 5.0)]


def waiter(ctx: Ctx, world: Any, state: Counter) -> Park | None:
    if state.n == 0:
        state.n = 1
        return ctx.on("go", act("wait for go"))
    state.log.append(("woken", ctx.now))
    return None


def notifier(ctx: Ctx, world: Any, state: Counter) -> Park | None:
    if state.n == 0:
        state.n = 1
        return ctx.after(7, act("say go"))
    ctx.notify("go")
    return None


def test_signal_wakes_waiters_at_the_notifying_instant() -> None:
    log: list[tuple[str, float]] = []

    def setup(ctl: Controller) -> None:
        ctl.spawn("waiter", waiter, Counter(log), rank=0)
        ctl.spawn("notifier", notifier, Counter(), rank=1)

    trio.run(drive, setup)
    assert log == [("woken", 7.0)]


def test_a_second_step_while_one_runs_is_refused() -> None:
    async def main() -> None:
        async with trio.open_nursery() as nursery:
            ctl = Controller(nursery, seed=1)
            ctl._running = "ghost"
            with pytest.raises(SimulationError):
                await ctl._hand_over("ghost")
            nursery.cancel_scope.cancel()

    trio.run(main)


def ticker(ctx: Ctx, world: Any, state: Counter) -> Park | None:
    if state.n:
        ctx.emit("tick", n=state.n)
    state.n += 1
    return ctx.after(1, act("tick")) if state.n <= 3 else None


def test_trace_hash_depends_on_choices_and_is_stable() -> None:
    def setup(ctl: Controller) -> None:
        for i in range(3):
            ctl.spawn(f"t{i}", ticker, Counter(), rank=i)
            ctl.choice_window = 0.5

    def first(options):
        return 0

    def last(options):
        return len(options) - 1

    a = trio.run(drive, setup, first).trace.sha256()
    b = trio.run(drive, setup, first).trace.sha256()
    c = trio.run(drive, setup, last).trace.sha256()
    assert a == b
    assert a != c


def broken(ctx: Ctx, world: Any, state: Counter) -> Park | None:
    if state.n == 0:
        state.n = 1
        return ctx.here(act("explode"))
    raise ValueError("boom")


def test_a_crashing_component_fails_the_step() -> None:
    def setup(ctl: Controller) -> None:
        ctl.spawn("broken", broken, Counter(), rank=0)

    with pytest.raises(BaseException) as info:
        trio.run(drive, setup)
    assert "boom" in repr(info.value) or any("boom" in repr(e) for e in getattr(info.value, "exceptions", []))


def test_a_driven_run_passes_the_baton_and_matches_stepping_one_by_one() -> None:
    def setup(ctl: Controller) -> None:
        for i in range(3):
            ctl.spawn(f"t{i}", ticker, Counter(), rank=i)
        ctl.choice_window = 0.5

    async def driven() -> tuple[int, str]:
        async with trio.open_nursery() as nursery:
            ctl = Controller(nursery, seed=1)
            ctl.world = {}
            setup(ctl)
            await ctl.drive(lambda: len(ctl.choices()) - 1 if ctl.choices() else None)
            nursery.cancel_scope.cancel()
        return ctl.steps, ctl.trace.sha256()

    stepped = trio.run(drive, setup, lambda options: len(options) - 1)
    assert trio.run(driven) == (stepped.steps, stepped.trace.sha256())


def test_a_controller_snapshot_continues_in_fresh_tasks() -> None:
    """Freeze half way, thaw (after a pickle round trip) into a new controller: the same end."""

    def setup(ctl: Controller) -> None:
        for i in range(3):
            ctl.spawn(f"t{i}", ticker, Counter(), rank=i)
        ctl.spawn("waiter", waiter, Counter(), rank=5)
        ctl.spawn("notifier", notifier, Counter(), rank=6)
        ctl.choice_window = 0.5

    async def run(split: int | None) -> str:
        async with trio.open_nursery() as nursery:
            ctl = Controller(nursery, seed=1)
            ctl.world = {}
            setup(ctl)
            frozen = None
            if split is not None:
                for _ in range(split):
                    await ctl.step(len(ctl.choices()) - 1)
                frozen = pickle.loads(pickle.dumps(ctl.freeze()))
            nursery.cancel_scope.cancel()
        async with trio.open_nursery() as nursery:
            from tui.sim.trace import Trace

            fresh = Controller(nursery, seed=1, trace=None if frozen is None else Trace(frozen["trace"]))
            fresh.world = {}
            if frozen is None:
                setup(fresh)
            else:
                fresh.thaw(frozen)
            while fresh.choices():
                await fresh.step(len(fresh.choices()) - 1)
            nursery.cancel_scope.cancel()
        return fresh.trace.sha256()

    whole = trio.run(run, None)
    for split in (0, 1, 4, 7):
        assert trio.run(run, split) == whole


def test_a_plain_list_of_choices_replays_a_random_run_with_hand_picks() -> None:
    """Every step draws once from the choice RNG, so indices alone reproduce the world's randomness."""
    from tui.clock import parse_sim
    from tui.scenario import load_scenario
    from tui.sim.simulation import open_simulation

    scenario = load_scenario("us-east-1-2025-10-20")
    stop = parse_sim("23:45")

    async def original() -> tuple[list[int], str]:
        async with open_simulation(scenario, "random", 11) as sim:
            while not sim.done and sim.now < stop:
                choices = sim.choices()
                preview = sim.planned_pick()
                assert preview == sim.planned_pick()  # previewing changes nothing
                hand = len(choices) - 1 if sim.steps % 7 == 0 else None
                await sim.step(hand)
            return list(sim.choice_log), sim.controller.trace.sha256()

    async def replayed(choices: list[int]) -> str:
        async with open_simulation(scenario, "random", 11) as sim:
            await sim.replay(choices)
            return sim.controller.trace.sha256()

    choices, digest = trio.run(original)
    assert len(choices) > 100 and any(choices)
    assert trio.run(replayed, choices) == digest
