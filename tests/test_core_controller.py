"""The controller alone: ordering, one-at-a-time, delays, signals, trace hash."""

from __future__ import annotations

import pytest
import trio

from tui.sim.controller import Controller, Ctx, Signal, SimulationError


async def drive(setup, choose=lambda choices: 0, limit: int = 1000) -> Controller:
    """Build a controller, let ``setup`` spawn components, step until nothing can move."""
    async with trio.open_nursery() as nursery:
        ctl = Controller(nursery, seed=1)
        setup(ctl)
        for _ in range(limit):
            options = ctl.choices()
            if not options:
                break
            await ctl.step(choose(options))
        nursery.cancel_scope.cancel()
    return ctl


def test_same_instant_gates_run_by_rank_not_spawn_order() -> None:
    order: list[str] = []

    def setup(ctl: Controller) -> None:
        for name, rank in (("c", 3), ("a", 1), ("b", 2)):

            async def body(ctx: Ctx, name: str = name) -> None:
                await ctx.sleep(5, action="act")
                order.append(name)

            ctl.spawn(name, body, rank=rank)

    trio.run(drive, setup)
    assert order == ["a", "b", "c"]


def test_exactly_one_component_runs_at_a_time() -> None:
    running: list[str] = []
    overlaps: list[tuple[str, ...]] = []

    def setup(ctl: Controller) -> None:
        for i in range(4):

            async def body(ctx: Ctx) -> None:
                for _ in range(20):
                    running.append(ctx.name)
                    if len(running) > 1:
                        overlaps.append(tuple(running))
                    await trio.lowlevel.checkpoint()  # give Trio every chance to interleave
                    running.remove(ctx.name)
                    await ctx.step("again")

            ctl.spawn(f"c{i}", body, rank=i)

    ctl = trio.run(drive, setup, lambda options: len(options) - 1)
    assert ctl.steps > 80
    assert overlaps == []


def test_choosing_a_later_gate_delays_the_others_and_time_never_goes_back() -> None:
    seen: list[tuple[str, float]] = []

    def setup(ctl: Controller) -> None:
        async def early(ctx: Ctx) -> None:
            await ctx.sleep(1, action="early act")
            seen.append(("early", ctx.now))

        async def late(ctx: Ctx) -> None:
            await ctx.sleep(4, action="late act")
            seen.append(("late", ctx.now))

        ctl.spawn("early", early, rank=0)
        ctl.spawn("late", late, rank=1)
        ctl.choice_window = 10

    def pick_late(options):
        names = [c.component for c in options]
        return names.index("late") if "late" in names else 0

    trio.run(drive, setup, pick_late)
    # "late" went first at 4 s; "early" only started then, so its 1 s sleep ends at 5 s.
    assert seen == [("late", 4.0), ("early", 5.0)]


def test_signal_wakes_waiters_at_the_notifying_instant() -> None:
    log: list[tuple[str, float]] = []

    def setup(ctl: Controller) -> None:
        signal = Signal("go")

        async def waiter(ctx: Ctx) -> None:
            await ctx.wait(signal, action="wait for go")
            log.append(("woken", ctx.now))

        async def notifier(ctx: Ctx) -> None:
            await ctx.sleep(7, action="say go")
            ctx.notify(signal)

        ctl.spawn("waiter", waiter, rank=0)
        ctl.spawn("notifier", notifier, rank=1)

    trio.run(drive, setup)
    assert log == [("woken", 7.0)]


def test_parking_outside_its_turn_is_refused() -> None:
    async def main() -> None:
        async with trio.open_nursery() as nursery:
            ctl = Controller(nursery, seed=1)
            with pytest.raises(SimulationError):
                await Ctx(ctl, "ghost").step("sneak")
            nursery.cancel_scope.cancel()

    trio.run(main)


def test_trace_hash_depends_on_choices_and_is_stable() -> None:
    def setup(ctl: Controller) -> None:
        for i in range(3):

            async def body(ctx: Ctx) -> None:
                for n in range(3):
                    await ctx.sleep(1, action="tick")
                    ctx.emit("tick", n=n)

            ctl.spawn(f"t{i}", body, rank=i)

    def first(options):
        return 0

    def last(options):
        return len(options) - 1

    a = trio.run(drive, setup, first).trace.sha256()
    b = trio.run(drive, setup, first).trace.sha256()
    c = trio.run(drive, setup, last).trace.sha256()
    assert a == b
    assert a != c


def test_a_crashing_component_fails_the_step() -> None:
    def setup(ctl: Controller) -> None:
        async def broken(ctx: Ctx) -> None:
            await ctx.step("explode")
            raise ValueError("boom")

        ctl.spawn("broken", broken)

    with pytest.raises(BaseException) as info:
        trio.run(drive, setup)
    assert "boom" in repr(info.value) or any("boom" in repr(e) for e in getattr(info.value, "exceptions", []))


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
