"""Exploring the DNS core's interleavings: exhaustive search, reduction, fixes, doom meter, CLI."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest
import trio
from typer.testing import CliRunner

from tui.cli import app
from tui.explore.dfs import DepthFirst, explore_graph
from tui.explore.doom import EVERY, NONE, doom_meter
from tui.explore.exhaustive import exhaustive
from tui.explore.model import open_core
from tui.explore.randomised import pct, random_walk
from tui.explore.shrink import first_violation, shrink
from tui.explore.strategies import run_strategy
from tui.record.reader import read_session
from tui.scenario import load_scenario

ONE_ENDPOINT = 'dns.endpoints=["dynamodb.us-east-1.amazonaws.com"]'
#: The smallest scope with a race: two Enactors, three plans, clean-up one generation back.
SMALL = ["dns.enactors=2", "dns.max_plans=3", "dns.cleanup_threshold=1", ONE_ENDPOINT]
#: The public Spin model's scope (two Enactors, five plans, threshold two).
BRIEF = ["dns.enactors=2", "dns.max_plans=5", "dns.cleanup_threshold=2", ONE_ENDPOINT]
TINY = ["dns.enactors=2", "dns.max_plans=2", "dns.cleanup_threshold=1", ONE_ENDPOINT]


def scenario(*overrides: str):
    return load_scenario("us-east-1-2025-10-20", list(overrides))


@pytest.fixture(scope="module")
def small_result():
    return run_strategy(scenario(*SMALL), "exhaustive")


def test_exhaustive_finds_the_race_with_two_enactors(small_result) -> None:
    result = small_result
    assert result.complete
    assert result.violations["NeverDeleteActive"] > 0
    assert result.violations["EndpointNeverEmpty"] > 0
    assert result.violations["EventuallyRepairable"] > 0
    shortest = result.shortest
    assert shortest is not None
    assert all(len(shortest) <= len(c) for c in result.counterexamples)
    words = "\n".join(shortest.steps)
    assert "apply plan" in words and "delete plans older than" in words
    # The counterexample replays on its own, choice by choice, to the same violation.
    found = trio.run(first_violation, scenario(*SMALL), shortest.indices)
    assert found is not None and found[0] in ("NeverDeleteActive", "EndpointNeverEmpty")


def test_shortest_counterexample_is_shortest(small_result) -> None:
    """A breadth-first search bounded one step below finds no violation."""
    shortest = small_result.shortest
    assert shortest is not None
    chosen = len(shortest.components)
    graph, bounded = trio.run(lambda: explore_graph(scenario(*SMALL), DepthFirst(reduction=False, horizon=chosen - 1)))
    assert bounded.complete
    assert not any(graph.first_violations.values())


def test_exhaustive_with_three_enactors_bounded() -> None:
    """Three Enactors: the breadth-first search, bounded well short of the whole graph, finds the race."""
    from tui.explore.bfs import Limits

    sc = scenario(*SMALL, "dns.enactors=3")
    result = trio.run(lambda: exhaustive(sc, limits=Limits(max_states=6000), keep=3))
    assert not result.complete
    assert result.violations["NeverDeleteActive"] > 0
    assert result.violations["EndpointNeverEmpty"] > 0
    assert result.shortest is not None and result.exact
    # The depth-first search in a seeded move order, bounded in runs, stays available.
    dfs = trio.run(lambda: exhaustive(sc, max_runs=50, order_seed=1, keep=0))
    assert not dfs.complete and dfs.runs == 50


@pytest.mark.parametrize(
    ("fix", "closed"),
    [
        ("fixes.recheck_in_batch", ("NeverDeleteActive", "EndpointNeverEmpty", "EventuallyRepairable")),
        ("fixes.cleanup_protects_active", ("NeverDeleteActive", "EndpointNeverEmpty", "EventuallyRepairable")),
        # Tolerating a missing rollback target keeps Enactors able to apply plans;
        # it does not stop clean-up from deleting the active plan.
        ("fixes.rollback_tolerates_missing", ("EventuallyRepairable",)),
    ],
)
def test_each_fix_closes_what_it_addresses(fix: str, closed: tuple[str, ...]) -> None:
    result = run_strategy(scenario(*SMALL, f"{fix}=true"), "exhaustive")
    assert result.complete
    for name in closed:
        assert result.violations[name] == 0, (fix, name, result.violations)
    if fix == "fixes.rollback_tolerates_missing":
        assert result.violations["NeverDeleteActive"] > 0


def test_reduction_cuts_runs_and_keeps_the_verdict() -> None:
    sc = scenario(*TINY)
    reduced = trio.run(lambda: exhaustive(sc, reduction=True))
    plain = trio.run(lambda: exhaustive(sc, reduction=False))
    assert reduced.complete and plain.complete
    assert reduced.runs < plain.runs
    assert reduced.transitions < plain.transitions
    assert reduced.states <= plain.states
    assert reduced.violations == plain.violations


def test_symmetry_merges_states_and_keeps_the_verdict(small_result) -> None:
    plain = trio.run(lambda: exhaustive(scenario(*SMALL), reduction=True, symmetry=False))
    assert plain.complete and small_result.complete
    assert small_result.states < plain.states
    assert {k for k, v in plain.violations.items() if v} == {k for k, v in small_result.violations.items() if v}
    assert plain.shortest is not None and small_result.shortest is not None
    assert len(plain.shortest.components) == len(small_result.shortest.components)


def test_random_walk_and_pct_find_the_race() -> None:
    sc = scenario(*SMALL)
    walk = trio.run(lambda: random_walk(sc, seed=1, max_runs=300))
    assert walk.violations["EndpointNeverEmpty"] > 0
    again = trio.run(lambda: random_walk(sc, seed=1, max_runs=300))
    assert again.summary()["shortest_counterexample"] == walk.summary()["shortest_counterexample"]
    # The race needs about three preemptions in the right places: rarer for PCT than for a random walk.
    tested = trio.run(lambda: pct(sc, seed=0, max_runs=1000, changes=3))
    assert tested.violations["EndpointNeverEmpty"] > 0


def _brute_force(sc, prefix: Sequence[int], horizon: int) -> tuple[int, int]:
    """Every continuation enumerated as its own run: no hashing, no sharing."""

    async def count(path: list[str]) -> tuple[int, int]:
        async with open_core(sc) as run:
            for index in prefix:
                await run.step_index(index)
            await run.settle()
            for component in path:
                await run.advance(component)
            if run.regional_empty():
                return 1, 1
            moves = run.moves()
            if not moves or len(path) == horizon:
                return 1, 0
        total = doomed = 0
        for component in moves:
            t, d = await count([*path, component])
            total += t
            doomed += d
        return total, doomed

    return trio.run(count, [])


def test_doom_meter_agrees_with_exhaustive_search(small_result) -> None:
    sc = scenario(*SMALL)
    shortest = small_result.shortest
    assert shortest is not None
    # A few steps before the endpoint empties: some paths lead to doom, some do not.
    prefix = shortest.indices[:-5]
    horizon = 6
    meter = doom_meter(sc, prefix, horizon=horizon)
    assert meter.complete
    assert (meter.continuations, meter.doomed) == _brute_force(sc, prefix, horizon)
    assert 0 < meter.share < 1
    assert sum(c.continuations for c in meter.choices) == meter.continuations
    for choice in meter.choices:

        async def child_index(component: str = choice.component) -> int:
            async with open_core(sc) as run:
                for index in prefix:
                    await run.step_index(index)
                await run.settle()
                return run.index_of(component)

        child = [*prefix, trio.run(child_index)]
        sub = doom_meter(sc, child, horizon=horizon - 1)
        assert (sub.continuations, sub.doomed) == (choice.continuations, choice.doomed)
        if choice.verdict == NONE:
            assert sub.doomed == 0
        if choice.verdict == EVERY:
            assert sub.doomed == sub.continuations


def test_cli_json_summary_and_saved_sessions(tmp_path: Path) -> None:
    args = ["explore", *[a for o in SMALL for a in ("--set", o)], "--strategy", "random", "--max-runs", "150"]
    out = CliRunner().invoke(app, [*args, "--json", "--save", str(tmp_path)])
    assert out.exit_code == 0, out.output
    last = json.loads(out.output.strip().splitlines()[-1])
    summary = last["summary"]
    assert set(summary) == {
        "strategy",
        "runs",
        "states",
        "violations",
        "shortest_counterexample",
        "elapsed_s",
        "complete",
        "transitions",
        "states_per_s",
        "workers",
    }
    assert summary["complete"] is False and summary["workers"] == 1 and summary["transitions"] > 0
    assert summary["strategy"] == "random" and summary["runs"] == 150
    assert summary["violations"]["EndpointNeverEmpty"] > 0
    assert isinstance(summary["shortest_counterexample"], list)
    files = sorted(tmp_path.glob("*.jsonl"))
    assert files
    lengths = []
    for f in files:
        lines = f.read_text().splitlines()
        head = json.loads(lines[0])
        assert head["format"] == "outage-tui-session" and head["version"] == 2
        assert head["scenario"] == "us-east-1-2025-10-20" and head["policy"] == "manual"
        assert head["overrides"] == SMALL
        assert all(json.loads(line)["type"] == "choice" for line in lines[1:])
        lengths.append(len(lines) - 1)
    assert lengths[0] == min(lengths)
    assert len(summary["shortest_counterexample"]) == lengths[0]


def test_saved_counterexample_replays_through_the_session_reader(tmp_path: Path, small_result) -> None:
    from tui.explore.model import open_core_simulation
    from tui.explore.report import save_all
    from tui.record.reader import read_session as read_recorded
    from tui.record.reader import scenario_for
    from tui.record.replay import replay_session_async

    sc = scenario(*SMALL)
    paths = save_all(tmp_path, sc, sc.get("scenario.seed"), small_result.counterexamples[:1])
    recorded = read_recorded(paths[0])
    replayed = trio.run(lambda: replay_session_async(recorded, scenario_for(recorded), opener=open_core_simulation))
    assert small_result.counterexamples[0].invariant in replayed.summary()["violations"]


def test_shrink_reaches_the_true_shortest(small_result) -> None:
    sc = scenario(*SMALL)
    walk = trio.run(lambda: random_walk(sc, seed=5, max_runs=100))
    longest = max(walk.counterexamples, key=len)
    found = trio.run(lambda: shrink(sc, longest.indices))
    assert found is not None and found.proven
    best = min(len(c.components) for c in small_result.counterexamples if c.invariant == found.invariant)
    assert len(found.example.components) == best <= len(longest.components)


def test_cli_shrink_session(tmp_path: Path) -> None:
    sc = scenario(*SMALL)
    walk = trio.run(lambda: random_walk(sc, seed=3, max_runs=200))
    longest = max((c for c in walk.counterexamples if c.invariant == "EndpointNeverEmpty"), key=len)
    from tui.explore.report import write_session

    session = tmp_path / "long.jsonl"
    write_session(session, sc, 0, longest)
    assert tuple(e.index for e in read_session(session).entries) == longest.indices
    out = CliRunner().invoke(app, ["explore", "--shrink", str(session), "--json", "--save", str(tmp_path / "s")])
    assert out.exit_code == 0, out.output
    summary = json.loads(out.output.strip().splitlines()[-1])["summary"]
    assert summary["strategy"] == "shrink"
    assert "EndpointNeverEmpty" in summary["violations"] or "NeverDeleteActive" in summary["violations"]
    assert len(summary["shortest_counterexample"]) <= len(longest)


@pytest.mark.parametrize(
    "args",
    [
        ["explore", "--strategy", "bogus"],
        ["explore", "--set", "dns.enactors=nine"],
        ["explore", "--max-runs", "0"],
        ["explore", "no-such-scenario"],
    ],
)
def test_cli_bad_input_is_one_line_and_exit_2(args: list[str]) -> None:
    out = CliRunner().invoke(app, args)
    assert out.exit_code == 2
    assert len(out.output.strip().splitlines()) == 1
    assert "Traceback" not in out.output


def test_cli_shrink_refuses_a_non_session(tmp_path: Path) -> None:
    bad = tmp_path / "x.jsonl"
    bad.write_text('{"hello": 1}\n')
    out = CliRunner().invoke(app, ["explore", "--shrink", str(bad)])
    assert out.exit_code == 2 and len(out.output.strip().splitlines()) == 1


def test_explored_world_is_the_dns_core() -> None:
    async def main() -> set[str]:
        async with open_core(scenario(*SMALL)) as run:
            return {g.component for g in run.controller.pending()}

    names = trio.run(main)
    assert names == {
        "planner",
        "route53",
        "enactor/use1-az1",
        "enactor/use1-az2",
        "cleanup/use1-az1",
        "cleanup/use1-az2",
    }


@pytest.mark.slow
def test_brief_scope_exhaustive_finds_and_fixes_close() -> None:
    """Two Enactors, five plans, threshold two: the scope of the public Spin model."""
    result = run_strategy(scenario(*BRIEF), "exhaustive")
    assert result.complete
    assert result.violations["NeverDeleteActive"] > 0 and result.violations["EndpointNeverEmpty"] > 0
    assert result.shortest is not None
    fixed = run_strategy(scenario(*BRIEF, "fixes.recheck_in_batch=true"), "exhaustive")
    assert fixed.complete and not any(fixed.violations.values())


# -- breadth-first search, limits, workers -------------------------------------------------
def _brute_force_shortest(sc) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Shortest schedule per invariant by another route: the depth-first search with state hashing only
    (no symmetry, no partial-order reduction), then a breadth-first pass over every edge it recorded."""
    graph, result = trio.run(lambda: explore_graph(sc, DepthFirst(reduction=False, symmetry=False)))
    assert result.complete
    paths = graph.shortest_paths()
    return {name: min(len(paths[fp]) for fp in fps) for name, fps in graph.first_violations.items() if fps}


@pytest.mark.parametrize("overrides", [TINY, SMALL])
def test_breadth_first_shortest_matches_brute_force(overrides: list[str], small_result) -> None:
    sc = scenario(*overrides)
    result = small_result if overrides == SMALL else run_strategy(sc, "exhaustive")
    assert result.complete and result.exact
    expected = _brute_force_shortest(sc)
    found: dict[str, int] = {}
    for example in result.counterexamples:
        found[example.invariant] = min(found.get(example.invariant, 10**9), len(example.components))
    assert found == expected
    assert {k for k, v in result.violations.items() if v} == set(expected)


def test_depth_first_search_gets_exact_lengths_too(small_result) -> None:
    """With partial-order reduction the depth-first paths are bounds; its breadth-first finish makes them exact."""
    dfs = trio.run(lambda: exhaustive(scenario(*SMALL), method="dfs"))
    assert dfs.complete and dfs.exact and dfs.transitions < small_result.transitions

    def best(result) -> dict[str, int]:  # type: ignore[no-untyped-def]
        out: dict[str, int] = {}
        for e in result.counterexamples:
            out[e.invariant] = min(out.get(e.invariant, 10**9), len(e.components))
        return out

    assert best(dfs) == best(small_result)


@pytest.mark.parametrize("workers", [2, 3])
def test_one_and_more_workers_find_the_same(workers: int, small_result) -> None:
    many = trio.run(lambda: exhaustive(scenario(*SMALL), workers=workers, keep=5))
    assert many.workers == workers and many.complete
    assert (many.states, many.transitions, many.violations) == (
        small_result.states,
        small_result.transitions,
        small_result.violations,
    )
    assert many.shortest is not None and small_result.shortest is not None
    assert many.shortest.components == small_result.shortest.components


def test_limits_stop_the_search_and_say_so() -> None:
    from tui.explore.bfs import Limits

    sc = scenario(*SMALL)
    capped = trio.run(lambda: exhaustive(sc, limits=Limits(max_states=500), keep=1))
    assert not capped.complete and 500 <= capped.states < 1000
    timed = trio.run(lambda: exhaustive(sc, limits=Limits(max_seconds=0.2), keep=1))
    assert not timed.complete and timed.elapsed_s < 5
    calls = []
    asked = trio.run(lambda: exhaustive(sc, limits=Limits(cancelled=lambda: bool(calls.append(1)) or len(calls) > 50)))
    assert not asked.complete and asked.runs <= 60


def test_cli_max_states_and_summary_fields() -> None:
    args = ["explore", *[a for o in SMALL for a in ("--set", o)], "--max-states", "300", "--json"]
    out = CliRunner().invoke(app, args)
    assert out.exit_code == 0, out.output
    summary = json.loads(out.output.strip().splitlines()[-1])["summary"]
    assert summary["complete"] is False and summary["states"] >= 300
    assert summary["workers"] == 1 and summary["transitions"] > summary["states"] > 0
    assert summary["states_per_s"] > 0


def test_ctrl_c_prints_the_partial_summary_and_exits_130() -> None:
    import signal
    import subprocess
    import sys
    import time

    args = [sys.executable, "-m", "tui.cli", "explore", *[a for o in BRIEF for a in ("--set", o)], "--json"]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(3.0)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    summary = json.loads(stdout.strip().splitlines()[-1])["summary"]
    assert summary["complete"] is False and summary["states"] > 0
    assert "Traceback" not in stderr


def test_progress_line_only_on_a_terminal() -> None:
    import io

    from tui.explore.bfs import Progress
    from tui.explore_command import ProgressLine

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    tty = Terminal()
    line = ProgressLine("explore exhaustive", tty)
    line(Progress(states=1200, transitions=3000, depth=7, queue=345, elapsed_s=2.0))
    line.clear()
    text = tty.getvalue()
    assert "1,200 states" in text and "600 states/s" in text and "depth 7" in text and "queue 345" in text
    piped = io.StringIO()
    ProgressLine("x", piped)(Progress(1, 1, 1, 1, 1.0))
    assert piped.getvalue() == ""


@pytest.mark.parametrize(
    "args",
    [
        ["explore", "--max-seconds", "0"],
        ["explore", "--max-states", "0"],
        ["explore", "--workers", "0"],
        ["explore", "--strategy", "random", "--workers", "2"],
    ],
)
def test_cli_bad_limits_are_one_line_and_exit_2(args: list[str]) -> None:
    out = CliRunner().invoke(app, args)
    assert out.exit_code == 2
    assert len(out.output.strip().splitlines()) == 1


def test_cluster_without_ray_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "ray", None)  # import ray -> ImportError
    out = CliRunner().invoke(app, ["explore", *[a for o in TINY for a in ("--set", o)], "--cluster", "local"])
    assert out.exit_code == 2
    lines = out.output.strip().splitlines()
    assert len(lines) == 1 and "outage-tui[cluster]" in lines[0]


@pytest.mark.slow  # starts a local Ray (seconds); CI installs the cluster extra before the slow set
def test_cluster_on_a_local_ray_finds_the_same() -> None:
    pytest.importorskip("ray")
    sc = scenario(*TINY)
    single = run_strategy(sc, "exhaustive")
    ray_result = trio.run(lambda: exhaustive(sc, cluster="local", workers=2, keep=1))
    assert ray_result.workers == 2 and ray_result.complete
    assert (ray_result.states, ray_result.transitions, ray_result.violations) == (
        single.states,
        single.transitions,
        single.violations,
    )


def test_restoring_in_place_is_restoring_afresh() -> None:
    """The search restores states into one run; that must be the same as a new run from the snapshot."""
    import random

    from tui.explore.model import core_run

    sc = scenario(*SMALL)
    rng = random.Random(7)
    reused = core_run(sc)
    for _ in range(20):
        walk = core_run(sc)
        walk.settle_now()
        for _ in range(rng.randrange(1, 25)):
            moves = walk.moves()
            if not moves:
                break
            walk.advance_now(rng.choice(moves))
        snap = walk.snapshot()
        fresh = core_run(sc, snapshot=snap)
        reused.restore(snap)
        packed = core_run(sc)
        packed.load(walk.save())  # the search's own, compact form
        assert reused.fingerprint() == fresh.fingerprint() == walk.fingerprint() == packed.fingerprint()
        assert reused.moves() == fresh.moves() == packed.moves()
        for component in fresh.moves()[:1]:
            for r in (reused, fresh, packed):
                r.advance_now(component)
            assert reused.fingerprint() == fresh.fingerprint() == packed.fingerprint()
            assert reused.violations() == fresh.violations() == packed.violations()
            assert reused.controller.freeze()["gates"] == fresh.controller.freeze()["gates"]
            assert packed.controller.freeze()["gates"] == fresh.controller.freeze()["gates"]


# -- readable counterexamples, doom meter, session files -------------------------------------
def test_counterexample_steps_say_what_changed(small_result) -> None:
    from tui.explore.report import explain

    shortest = small_result.shortest
    assert shortest is not None
    steps = explain(scenario(*SMALL), shortest)
    assert len(steps) == len(shortest)
    assert [f"{s.component}: {s.action}" for s in steps] == list(shortest.steps)
    changed = {c.what.split(" of ")[0] for s in steps for c in s.changes}
    assert {"trees", "alias", "lock", "newest plan"} <= changed
    last = steps[-1]
    assert last.broken and any(c.what.startswith("trees of ") for c in last.changes)
    flips = [c for s in steps for c in s.changes if c.what.startswith("alias of ")]
    assert all(c.before != c.after for c in flips) and flips[0].before == "plan 99"


def test_saved_counterexample_has_a_markdown_with_a_sequence_diagram(tmp_path: Path, small_result) -> None:
    from tui.explore.report import save_all

    sc = scenario(*SMALL)
    paths = save_all(tmp_path, sc, sc.get("scenario.seed"), small_result.counterexamples[:1])
    text = paths[0].with_suffix(".md").read_text()
    assert "```mermaid\nsequenceDiagram" in text
    for label in ("as Planner", "as Enactor use1-az1", "as Enactor use1-az2", "as Clean-up use1-az2", "as Route 53"):
        assert label in text
    assert "->>Route53: " in text and "alias of dynamodb.us-east-1.amazonaws.com: plan" in text
    assert paths[0].name in text
    head = json.loads(paths[0].read_text().splitlines()[0])
    assert head["world"] == "dns-core" and head["invariant"] == small_result.counterexamples[0].invariant


def test_doom_count_no_longer_wanted_is_cancelled(small_result) -> None:
    import time

    from tui.explore.doom import CountCancelled, DoomGraph

    sc = scenario(*SMALL)
    shortest = small_result.shortest
    assert shortest is not None
    asked = []
    started = time.perf_counter()
    with pytest.raises(CountCancelled):
        doom_meter(sc, shortest.indices[:8], cancelled=lambda: bool(asked.append(1)) or len(asked) > 20)
    assert time.perf_counter() - started < 2.0
    cut = doom_meter(sc, shortest.indices[:8], horizon=12, max_runs=30, graph=DoomGraph(sc))
    assert not cut.complete and cut.horizon == 12
    # What earlier counts explored is kept: a warm count is the cold count.
    cold = doom_meter(sc, shortest.indices[:9], horizon=6, graph=DoomGraph(sc))
    assert doom_meter(sc, shortest.indices[:9], horizon=6) == cold


def test_shrink_refuses_a_session_of_the_full_world(tmp_path: Path) -> None:
    from tui.record.format import Header
    from tui.record.writer import SessionWriter

    sc = scenario(*SMALL)
    path = tmp_path / "full.jsonl"
    with SessionWriter(path, Header.for_run(sc, 0, "manual")) as writer:
        writer.choice(0)
    out = CliRunner().invoke(app, ["explore", "--shrink", str(path)])
    assert out.exit_code == 2
    lines = out.output.strip().splitlines()
    assert len(lines) == 1 and "'full'" in lines[0] and "dns-core" in lines[0]


def test_the_lean_world_of_a_search_walks_like_the_whole_world() -> None:
    """Searches drop the cascade's part of the world; the DNS core must not notice."""
    import random

    from tui.explore.model import core_run

    sc = scenario(*SMALL)
    rng = random.Random(11)
    for _ in range(15):
        lean, whole = core_run(sc), core_run(sc, lean=False)
        assert lean.world.flags == {} and "region" in whole.world.flags
        lean.settle_now()
        whole.settle_now()
        for _ in range(rng.randrange(5, 40)):
            moves = lean.moves()
            assert moves == whole.moves()
            if not moves:
                break
            component = rng.choice(moves)
            lean.advance_now(component)
            whole.advance_now(component)
            assert lean.fingerprint() == whole.fingerprint()
            assert lean.violations() == whole.violations()
            assert lean.world.route53.authoritative == whole.world.route53.authoritative
            assert lean.world.health["dns"] == whole.world.health["dns"]
            for name in ("dns.endpoint_empty", "dns.restored"):
                assert lean.world.milestones.get(name) == whole.world.milestones.get(name)


def test_a_search_leaves_route53_parked_and_reaches_the_same_states() -> None:
    """Nothing in the DNS core reads what Route 53 publishes: a search skips its steps and must not notice."""
    import random

    from tui.explore.model import core_run

    sc = scenario(*SMALL)
    rng = random.Random(5)
    published = 0
    for _ in range(15):
        search, replay = core_run(sc, publishing=False), core_run(sc)
        installed = search.world.route53.publications
        search.settle_now()
        replay.settle_now()
        for _ in range(rng.randrange(5, 40)):
            moves = search.moves()
            assert sorted(moves) == sorted(replay.moves())  # the clock, and so the order, may differ
            if not moves:
                break
            component = rng.choice(moves)
            search.advance_now(component)
            replay.advance_now(component)
            assert search.fingerprint() == replay.fingerprint()
            assert search.violations() == replay.violations()
        assert search.world.route53.publications == installed
        published += replay.world.route53.publications - installed
    assert published > 0  # the replays did publish: the comparison covered it


def test_a_search_for_the_first_violation_does_without_persistent_sets() -> None:
    """Persistent sets make clean-ups wait, and the race needs one: a bug hunt finds it sooner without them."""
    sc = scenario(*BRIEF)
    hunt = DepthFirst(stop_at_first=True)
    assert not hunt.persistent_sets and DepthFirst().persistent_sets
    _, without = trio.run(lambda: explore_graph(sc, hunt))
    _, with_them = trio.run(lambda: explore_graph(sc, DepthFirst(stop_at_first=True, persistent=True)))
    assert without.first_counterexample_s is not None and with_them.first_counterexample_s is not None
    assert without.transitions < with_them.transitions
