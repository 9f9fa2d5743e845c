"""The session layer without any UI: commands, forks, pacing, comparison."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
import trio
import trio.testing

from tui.clock import parse_sim
from tui.scenario import load_scenario
from tui.session import Session, SessionConfig
from tui.session import commands as c
from tui.session.pacing import Pacer, faster, slower
from tui.sim.trace import Event

RACE = parse_sim("23:47:49")


def with_session(policy: str, body: Callable[[Session, Callable[[], Awaitable[Any]]], Awaitable[None]]) -> None:
    """Run ``body(session, sync)`` against a paused session inside ``trio.run``."""
    snaps: list[Any] = []

    async def main() -> None:
        session = Session(SessionConfig(load_scenario(), policy=policy, paused=True), snaps.append)
        async with trio.open_nursery() as nursery:
            nursery.start_soon(session.run)
            await session.started.wait()

            async def sync() -> Any:
                done = trio.Event()
                session.send(c.Sync(done.set))
                await done.wait()
                return snaps[-1]

            await body(session, sync)
            nursery.cancel_scope.cancel()

    trio.run(main)


def test_manual_picks_reproduce_and_avoid_the_empty_answer() -> None:
    async def body(session: Session, sync: Callable[[], Awaitable[Any]]) -> None:
        session.send(c.GoTo(RACE))
        session.send(c.Step(0))
        snap = await sync()
        stale = [v.key - 1 for v in snap.choices if v.component == "enactor/use1-az1" and v.kind == "enactor.retry"]
        assert stale, "the delayed Enactor should be waiting to retry its stale plan here"
        at = snap.step
        session.send(c.Fork("stale-first"))
        session.send(c.Step(stale[0]))
        session.send(c.GoTo(parse_sim("23:48:30")))
        avoided = await sync()
        assert avoided.dns.records and avoided.milestones[0] == ("dns.endpoint_empty", None)
        session.send(c.Switch("main"))
        session.send(c.GoTo(parse_sim("23:48:30")))
        raced = await sync()
        assert raced.dns.records == ()
        assert {"EndpointNeverEmpty", "NeverDeleteActive"} <= set(raced.violations)
        assert session.comparison("main", "stale-first").diverged_at == at


@pytest.mark.parametrize("policy", ["random", "canonical", "manual"])
def test_fork_replays_the_prefix_exactly(policy: str) -> None:
    async def body(session: Session, sync: Callable[[], Awaitable[Any]]) -> None:
        session.send(c.GoTo(parse_sim("23:50")))
        await sync()
        parent = session.timeline
        session.send(c.Fork())
        await sync()
        child = session.timeline
        assert child.name == "fork-1" and child.parent == "main"
        assert child.sim.controller.trace.sha256() == parent.sim.controller.trace.sha256()
        for tl in (parent, child):
            session.send(c.Switch(tl.name))
            session.send(c.GoTo(parse_sim("23:55")))
        await sync()
        assert child.sim.controller.trace.sha256() == parent.sim.controller.trace.sha256()

    with_session(policy, body)


def test_milestones_forward_and_back() -> None:
    async def body(session: Session, sync: Callable[[], Awaitable[Any]]) -> None:
        session.send(c.JumpMilestone(1))
        first = await sync()
        assert first.milestones[0][1] is not None and first.now == pytest.approx(-5.0)
        session.send(c.JumpMilestone(1))
        second = await sync()
        session.send(c.JumpMilestone(-1))
        back = await sync()
        assert back.step < second.step and back.fork == "main"

    with_session("canonical", body)


def test_fork_with_an_override_reports_where_it_diverges() -> None:
    async def body(session: Session, sync: Callable[[], Awaitable[Any]]) -> None:
        session.send(c.GoTo(parse_sim("23:47:30")))
        session.send(c.Fork("fixed", ("fixes.cleanup_protects_active=true",)))
        session.send(c.GoTo(parse_sim("23:49")))
        snap = await sync()
        assert snap.fork == "fixed" and snap.dns.records
        session.send(c.Fork("bad", ("no.such.key=1",)))
        snap = await sync()
        assert snap.fork == "fixed" and "fork refused" in snap.status

    with_session("canonical", body)


def test_pacer_plays_the_window_in_minutes_and_dwells_on_milestones() -> None:
    pacer = Pacer()
    quiet = pacer.cost(60.0, [], 1.0)
    milestone = pacer.cost(0.0, [Event(0.0, 1, "route53", "milestone", {})], 1.0)
    assert milestone > quiet > 0
    whole = pacer.cost(56400.0, [], 1.0) + 42000 * pacer.step_cost
    assert 60 < whole < 600
    assert pacer.cost(60.0, [], 4.0) == pytest.approx(quiet / 4)
    assert faster(1.0) == 2.0 and slower(1.0) == 0.5 and slower(0.25) == 0.25


def test_random_policy_preview_is_the_pick_it_then_makes() -> None:
    async def body(session: Session, sync: Callable[[], Awaitable[Any]]) -> None:
        session.send(c.GoTo(parse_sim("23:47:40")))
        for _ in range(20):
            snap = await sync()
            assert snap.policy_pick is not None
            expected = snap.choices[snap.policy_pick]
            session.send(c.Step())
            after = await sync()
            assert f": {expected.component} {expected.action}" in after.status

    with_session("random", body)


def test_session_and_sim_never_import_the_ui() -> None:
    import subprocess
    import sys

    code = (
        "import sys, tui.session, tui.sim.simulation, tui.session.views;"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_pause_sent_after_a_long_run_cuts_it_short() -> None:
    async def body(session: Session, sync: Callable[[], Awaitable[Any]]) -> None:
        session.send(c.GoTo(parse_sim("15:00")))
        session.send(c.Pause())
        snap = await sync()
        assert "stopped at step" in snap.status and snap.now < parse_sim("01:00")
        session.send(c.JumpMilestone(1))
        snap = await sync()
        assert re.match(r"milestone [a-z.\-_]+ (.* )?at step \d+ \(", snap.status), snap.status
        session.send(c.GoTo(parse_sim("15:00")))
        session.send(c.TogglePlay())  # space during a long run stops it, and only stops it
        snap = await sync()
        assert "stopped at step" in snap.status and not snap.playing

    with_session("canonical", body)


def test_a_fork_can_move_an_operator_action() -> None:
    async def body(session: Session, sync: Callable[[], Awaitable[Any]]) -> None:
        session.send(c.GoTo(parse_sim("23:50")))
        session.send(c.Fork("early-restore", ("operators.restore-dns.at=01:00",)))
        session.send(c.GoTo(parse_sim("03:00")))
        early = dict((await sync()).milestones)["dns.restored"]
        session.send(c.Switch("main"))
        session.send(c.GoTo(parse_sim("03:00")))
        actual = dict((await sync()).milestones)["dns.restored"]
        assert early is not None and actual is not None
        assert parse_sim("01:00") <= early < parse_sim("01:05") < parse_sim("02:25") <= actual
        assert session.comparison("main", "early-restore").diverged_at is not None

    with_session("canonical", body)


def test_thousands_of_commands_sent_at_once_are_all_handled_in_order() -> None:
    """Sending never fails, however far the session is behind: 5,000 commands before it reads one."""

    async def body(session: Session, sync: Callable[[], Awaitable[Any]]) -> None:
        start = session.timeline.sim.steps
        for n in range(5000):  # never awaited in between: the session reads none of them meanwhile
            session.send(c.Step() if n % 10 == 0 else c.SetSpeed(1 + n / 1000))
        snap = await sync()
        assert snap.step == start + 500
        assert snap.speed == 1 + 4999 / 1000  # the last speed sent is the one in force: handled in order

    with_session("canonical", body)


def test_a_command_read_during_playback_runs_to_its_end_after_the_next_frame_is_due() -> None:
    """Between two frames of playback the session waits for a command; the one it reads then runs to its end.

    The wait was bounded by the next frame's deadline, and so was the command
    read in it: a go-to (a long move, seconds of wall time) was cut off when
    the frame came due and came to nothing, and a step cut off after the move
    was made left it out of the history and the recording. The clock here
    jumps to the next deadline whenever the session waits (for a long move's
    thread, say), so the frame always comes due while the go-to runs.
    """
    snaps: list[Any] = []
    target = parse_sim("01:00")

    async def main() -> None:
        session = Session(SessionConfig(load_scenario()), snaps.append)  # playing from the start
        async with trio.open_nursery() as nursery:
            nursery.start_soon(session.run)
            await session.started.wait()
            await trio.sleep(1.0)  # a second of playback: the session is between two frames
            assert session.playing and 0 < session.timeline.sim.steps
            session.send(c.GoTo(target))
            done = trio.Event()
            session.send(c.Sync(done.set))
            await done.wait()
            nursery.cancel_scope.cancel()

    trio.run(main, clock=trio.testing.MockClock(autojump_threshold=0))
    snap = snaps[-1]
    assert snap.status == f"at step {snap.step}" and not snap.playing
    assert parse_sim("00:59") <= snap.now <= target  # the last step before it
