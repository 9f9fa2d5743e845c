"""Explorer counterexamples (``"world": "dns-core"``) replay headless and open in the replay UI."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import pytest
import trio
from typer.testing import CliRunner

from tests.ui_helpers import choices_text, dns_text, header_text, plain, settle
from tui.app import create_app
from tui.cli import app as cli
from tui.errors import BadInput
from tui.explore.model import open_core_simulation
from tui.record import read_session, scenario_for
from tui.record.replay import replay_session_async

ONE_ENDPOINT = 'dns.endpoints=["dynamodb.us-east-1.amazonaws.com"]'
SMALL = ["dns.enactors=2", "dns.max_plans=3", "dns.cleanup_threshold=1", ONE_ENDPOINT]
SIZE = (100, 32)


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Counterexamples as ``explore --save`` writes them, on the smallest scope with a race."""
    out = tmp_path_factory.mktemp("cx")
    args = ["explore", *[a for o in SMALL for a in ("--set", o)], "--strategy", "random", "--max-runs", "60"]
    result = CliRunner().invoke(cli, [*args, "--json", "--save", str(out)])
    assert result.exit_code == 0, result.output
    files = sorted(out.glob("*EndpointNeverEmpty*.jsonl"))
    assert files
    return files


def explorer_summary(path: Path) -> dict:
    """The run as the explorer's own world replays it."""
    recorded = read_session(path)
    replayed = trio.run(lambda: replay_session_async(recorded, scenario_for(recorded), opener=open_core_simulation))
    return replayed.summary()


def test_reader_keeps_the_world_and_refuses_an_unknown_one(saved: list[Path], tmp_path: Path) -> None:
    assert read_session(saved[0]).header.world == "dns-core"
    lines = saved[0].read_text().splitlines()
    head = json.loads(lines[0])
    del head["world"]
    plain = tmp_path / "plain.jsonl"
    plain.write_text("\n".join([json.dumps(head), *lines[1:]]) + "\n")
    assert read_session(plain).header.world == "full"
    head["world"] = "moon"
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join([json.dumps(head), *lines[1:]]) + "\n")
    with pytest.raises(BadInput) as err:
        read_session(bad)
    message = str(err.value)
    assert "\n" not in message and f"{bad}: line 1:" in message and '"moon"' in message and "dns-core" in message


def test_run_session_replays_a_counterexample_in_the_explorer_world(saved: list[Path]) -> None:
    path = saved[0]
    proc = subprocess.run(
        [sys.executable, "-m", "tui.cli", "run", "--session", str(path), "--json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout.splitlines()[-1])["summary"]
    expected = explorer_summary(path)
    assert "EndpointNeverEmpty" in summary["violations"]
    assert summary["trace_sha256"] == expected["trace_sha256"]
    assert summary["steps"] == len(read_session(path).entries)


@pytest.mark.asyncio
async def test_counterexample_opens_at_its_first_step_and_steps_to_the_violation(
    saved: list[Path], tmp_path: Path
) -> None:
    path = saved[0]
    moves = [e.index for e in read_session(path).entries]
    again = tmp_path / "again.jsonl"
    app = create_app(session=str(path), record=str(again))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        snap = app.snapshot
        assert snap is not None and snap.step == 0 and not snap.playing
        assert "DNS core (untimed)" in header_text(app) and "PDT" not in header_text(app).splitlines()[0]
        assert f"move 0 of {len(moves)} recorded" in header_text(app)
        assert "+" not in choices_text(app)  # no delays in an untimed world
        assert [r.label for r in app.timeline.rows() if r.group] == ["DNS automation"]
        # The recorded move is the one marked; the digit keys pick it by hand, ``n`` takes the rest as recorded.
        assert app.snapshot.policy_pick == moves[0]
        await pilot.press(str(moves[0] + 1))
        await settle(pilot)
        assert app.snapshot.step == 1
        for move in moves[1:]:
            assert app.snapshot.policy_pick == move
            await pilot.press("n")
            await settle(pilot)
        assert app.snapshot.moves == tuple(moves)
        assert "EndpointNeverEmpty" in app.snapshot.violations
        status = app.snapshot.status
        assert status.startswith("end of counterexample: ") and status.endswith(f" broken at step {len(moves)}")
        assert "EndpointNeverEmpty" in status
        assert "ANSWER: 0" in dns_text(app)
    # Recorded again from the replay UI, the walk-through is still a DNS-core session and replays the same.
    assert read_session(again).header.world == "dns-core"
    assert [e.index for e in read_session(again).entries if hasattr(e, "index")] == moves
    assert explorer_summary(again)["trace_sha256"] == explorer_summary(path)["trace_sha256"]


async def meter_for(pilot, moves: tuple[int, ...], within_s: float = 60.0):  # type: ignore[no-untyped-def]
    """Wait (polling, so the app keeps handling input) until the doom panel shows the state after ``moves``."""
    doom = pilot.app.doom
    for _ in range(int(within_s / 0.05)):
        if doom.meter is not None and doom.shown_for is not None and doom.shown_for[-1] == moves:
            return doom.meter
        await pilot.pause(0.05)
    raise AssertionError(f"the doom meter never showed the state after {len(moves)} moves")


@pytest.mark.asyncio
async def test_doom_meter_counts_in_the_background_and_matches_a_direct_count(saved: list[Path]) -> None:
    from tui.app.widgets.doom import HORIZON, verdicts
    from tui.explore.doom import doom_meter
    from tui.session import commands as c

    path = saved[0]
    recorded = read_session(path)
    moves = tuple(e.index for e in recorded.entries)
    scenario = scenario_for(recorded)
    app = create_app(session=str(path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.send(c.Take(moves[:20]))
        await settle(pilot)
        assert app.snapshot.moves == moves[:20]
        # While that state is being counted, the keys still work: the step lands and the count follows it.
        await pilot.press("n")
        await settle(pilot)
        assert app.snapshot.moves == moves[:21]
        meter = await meter_for(pilot, moves[:21])
        # In a thread of its own, as the panel counts: the session's Trio run owns this one.
        direct = await asyncio.to_thread(doom_meter, scenario, moves[:21], horizon=HORIZON)
        assert (meter.continuations, meter.doomed, meter.choices) == (
            direct.continuations,
            direct.doomed,
            direct.choices,
        )
        text = plain(app.doom.body)
        assert f"doom: {direct.doomed:,} of {direct.continuations:,} continuation" in text
        assert f"the endpoint ({direct.share:.0%})" in text
        for key, _component, verdict in verdicts(direct, app.snapshot):
            assert f"{key} {verdict}" in text
        # Stepping on recounts from the new state.
        await pilot.press("n")
        await settle(pilot)
        again = await meter_for(pilot, moves[:22])
        assert again == await asyncio.to_thread(doom_meter, scenario, moves[:22], horizon=HORIZON)


@pytest.mark.asyncio
async def test_doom_meter_in_the_full_world_takes_no_row() -> None:
    """Nothing to count there: hidden, the help screen says how to get a world where it counts."""
    app = create_app(paused=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert not app.doom.display and app.doom.size.height == 0 and app.doom.meter is None
