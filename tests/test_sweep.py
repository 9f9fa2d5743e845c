"""``outage-tui sweep``: reproducible, worker-independent, re-runnable runs; one-line bad input.

Runs here stop early (``--until``) so the whole file stays a few seconds;
full-window sweeps are in ``test_sweep_slow.py``.
"""

from __future__ import annotations

import asyncio
import json
import re
import shlex
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tui.cli import app
from tui.clock import parse_sim
from tui.scenario import load_scenario
from tui.scenario.load import builtin_dir
from tui.scenario.ranges import parse_vary
from tui.sim.simulation import run_headless
from tui.sweep import engine
from tui.sweep.stats import percentiles, wilson

runner = CliRunner()

#: Random-policy runs that stop at 23:49, with two timing values drawn per run.
SHORT = [
    *("--policy", "random", "--given", "none", "--until", "23:49"),
    *("--vary", "controller.random_jitter=0.2..0.8", "--vary", "dns.planner.interval_s=10..20"),
]


def sweep_json(*args: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    result = runner.invoke(app, ["sweep", "--json", *args])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    return lines[:-1], lines[-1]["summary"]


def one_line_error(args: list[str], *needles: str) -> str:
    result = runner.invoke(app, ["sweep", *args])
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert "Traceback" not in result.output
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


def test_same_command_twice_gives_identical_output() -> None:
    args = ["--runs", "3", "--workers", "1", *SHORT]
    first = runner.invoke(app, ["sweep", "--json", *args])
    second = runner.invoke(app, ["sweep", "--json", *args])
    assert first.exit_code == 0, first.output
    assert first.stdout == second.stdout
    runs, summary = sweep_json(*args)
    assert [r["seed"] for r in runs] == [0, 1, 2]
    assert summary["complete"] is True and summary["runs_finished"] == 3
    for run in runs:
        for field in ("seed", "set", "trace_sha256", "milestones", "violations", "command"):
            assert field in run, field
        assert [s.split("=")[0] for s in run["set"]] == ["controller.random_jitter", "dns.planner.interval_s"]


def test_one_and_two_workers_give_identical_runs_and_summary() -> None:
    args = ["--runs", "4", "--seed-from", "10", *SHORT, "--compare", "fixes.recheck_in_batch=true"]
    one = runner.invoke(app, ["sweep", "--json", "--workers", "1", *args])
    two = runner.invoke(app, ["sweep", "--json", "--workers", "2", *args])
    assert one.exit_code == 0 and two.exit_code == 0, (one.output, two.output)
    assert one.stdout == two.stdout
    lines = one.stdout.splitlines()
    assert len(lines) == 4 * 2 + 1
    assert [json.loads(line)["variant"] for line in lines[:2]] == [
        "us-east-1-2025-10-20",
        "fixes.recheck_in_batch=true",
    ]


def test_a_run_from_a_sweep_reruns_alone_with_the_same_trace_hash() -> None:
    runs, _ = sweep_json("--runs", "3", "--seed-from", "5", "--workers", "1", *SHORT)
    picked = runs[2]
    alone = run_headless(
        load_scenario("us-east-1-2025-10-20", picked["set"]), "random", picked["seed"], parse_sim("23:49")
    )
    assert alone["trace_sha256"] == picked["trace_sha256"]
    assert alone["milestones"] == picked["milestones"]
    # The printed command is the same run on the command line.
    words = shlex.split(picked["command"])
    assert words[:2] == ["outage-tui", "run"]
    result = runner.invoke(app, [*words[1:], "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout.splitlines()[-1])["summary"]["trace_sha256"] == picked["trace_sha256"]


def test_drawn_values_depend_only_on_the_seed_and_key() -> None:
    window = (parse_sim("23:40"), parse_sim("15:20"))
    jitter = parse_vary("controller.random_jitter=0.2..0.8", window)
    at = parse_vary("operators.restore-dns.at=02:15..02:35", window)
    flag = parse_vary("fixes.recheck_in_batch=true..false", window)
    count = parse_vary("dns.resolvers.count=10..30", window)
    assert jitter.draw(7) == jitter.draw(7) and jitter.draw(7) != jitter.draw(8)
    for seed in range(50):
        value = float(jitter.draw(seed).split("=")[1])
        assert 0.2 <= value <= 0.8
        assert parse_sim("02:15") <= parse_sim(at.draw(seed).split("=")[1]) <= parse_sim("02:35")
        assert 10 <= int(count.draw(seed).split("=")[1]) <= 30
    assert {flag.draw(seed) for seed in range(20)} == {"fixes.recheck_in_batch=true", "fixes.recheck_in_batch=false"}
    # Every drawn value is a valid --set.
    load_scenario("us-east-1-2025-10-20", [jitter.draw(1), at.draw(1), flag.draw(1), count.draw(1)])


BAD_VARY = {
    "unknown key": ("dns.nothing=1..2", "not a scenario value"),
    "empty range": ("controller.random_jitter=0.5..0.5", "empty range"),
    "reversed range": ("controller.random_jitter=0.8..0.2", "reversed range"),
    "time outside the window": ("operators.restore-dns.at=02:00..16:30", "window"),
    "time before the window": ("operators.restore-dns.at=23:10..02:00", "window"),
    "non-numeric": ("dns.planner.interval_s=fast..slow", "numbers"),
    "no range": ("dns.planner.interval_s=15", "LOW..HIGH"),
    "no key": ("0.2..0.8", "KEY=LOW..HIGH"),
    "out of bounds": ("controller.random_jitter=0.5..1.5", "<= 1"),
    "float for an integer": ("dns.resolvers.count=1.5..3", "integer"),
    "bad boolean": ("fixes.recheck_in_batch=true..maybe", "true..false"),
    "text field": ("scenario.title=a..b", "number, time or boolean"),
}


@pytest.mark.parametrize("case", sorted(BAD_VARY))
def test_bad_vary_is_one_line_exit_2(case: str) -> None:
    text, needle = BAD_VARY[case]
    one_line_error(["--runs", "2", "--vary", text], "--vary", needle, "expected")


def test_other_bad_sweep_input_is_one_line_exit_2() -> None:
    one_line_error(["--runs", "0"], "--runs")
    one_line_error(["--workers", "0"], "--workers")
    one_line_error(["--policy", "manual"], "--policy")
    one_line_error(["--workers", "2", "--cluster", "local"], "--cluster", "--workers")
    one_line_error(["--compare", "no-such-night"], "--compare", "unknown scenario")
    one_line_error(["--compare", "dns.nothing=3"], "--compare", "not a scenario value")
    one_line_error(["--until", "noon"], "--until")
    one_line_error(["--vary", "controller.random_jitter=0.2..0.8", "--vary", "controller.random_jitter=0.1..0.3"],
                   "varied twice")  # fmt: skip


def test_cluster_without_ray_says_which_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)
    one_line_error(["--runs", "1", "--cluster", "local"], "--cluster", "pip install 'outage-tui[cluster]'")


def test_ctrl_c_keeps_finished_runs_and_marks_the_summary_incomplete(monkeypatch: pytest.MonkeyPatch) -> None:
    real = engine.run_job

    def interrupted_at_the_third(job: Any) -> dict[str, Any]:
        if job.run == 2:
            raise KeyboardInterrupt
        return real(job)

    monkeypatch.setattr(engine, "run_job", interrupted_at_the_third)
    result = runner.invoke(app, ["sweep", "--json", "--runs", "5", "--workers", "1", "--until", "23:45"])
    assert result.exit_code == 130, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["run"] for line in lines[:-1]] == [0, 1]
    assert lines[-1]["summary"]["complete"] is False and lines[-1]["summary"]["runs_finished"] == 2
    assert "interrupted" in result.stderr


def test_readable_table(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["sweep", "--runs", "3", "--workers", "1", *SHORT, "--compare", "us-east-1-2025-10-20-fixed"]
    )
    assert result.exit_code == 0, result.output
    for text in ("dns.endpoint_empty", "EndpointNeverEmpty", "Wilson", "us-east-1-2025-10-20-fixed minus"):
        assert text in result.stdout, text


@pytest.mark.slow  # matplotlib renders every plot, SVG and PNG
def test_out_writes_data_and_plots(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    out = tmp_path / "sweep"
    args = [
        "sweep",
        "--runs",
        "3",
        "--seed-from",
        "1",
        "--workers",
        "1",
        *SHORT,
        "--compare",
        "us-east-1-2025-10-20-fixed",
    ]
    result = runner.invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    runs = [json.loads(line) for line in (out / "runs.jsonl").read_text().splitlines()]
    assert len(runs) == 6
    summary = json.loads((out / "summary.json").read_text())
    assert summary["complete"] and [v["name"] for v in summary["variants"]][1] == "us-east-1-2025-10-20-fixed"
    reached = [name for name, m in summary["variants"][0]["milestones"].items() if m["reached"] and not m["operator"]]
    assert reached
    stems = ["invariant-EndpointNeverEmpty", "invariant-NeverDeleteActive"] + [f"milestone-{m}" for m in reached]
    for stem in stems:
        assert (out / f"{stem}.svg").stat().st_size > 1000, stem
        assert (out / f"{stem}.png").read_bytes()[:4] == b"\x89PNG", stem


def test_out_without_matplotlib_writes_the_data_and_names_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "tui.sweep.plots", None)
    out = tmp_path / "sweep"
    result = runner.invoke(app, ["sweep", "--runs", "2", "--workers", "1", "--until", "23:45", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "runs.jsonl").exists() and (out / "summary.json").exists()
    assert "pip install 'outage-tui[plots]'" in result.stderr
    assert not list(out.glob("*.svg"))


def test_wilson_interval_and_percentiles() -> None:
    low, high = wilson(0, 200)
    assert low == 0.0 and 0.018 < high < 0.02
    low, high = wilson(16, 100)
    assert 0.100 < low < 0.102 and 0.244 < high < 0.246
    assert percentiles([3.0]) == (3.0, 3.0, 3.0)
    p5, median, p95 = percentiles([float(x) for x in range(101)])
    assert (p5, median, p95) == (5.0, 50.0, 95.0)


# -- the scenario's [sweep] section -------------------------------------------------------------

BASE = (builtin_dir() / "us-east-1-2025-10-20.toml").read_text()


def test_builtin_scenario_sweep_defaults_are_used_without_vary() -> None:
    scenario = load_scenario("us-east-1-2025-10-20")
    ranges = scenario.get("sweep.vary")
    assert ranges and set(ranges) == set(scenario.get("sweep.sources"))
    _, summary = sweep_json("--runs", "1", "--workers", "1", "--until", "23:45")
    assert summary["vary"] == [f"{k}={v}" for k, v in ranges.items()]
    # --set pins a value: that key is no longer varied; --vary replaces the defaults.
    pinned = next(iter(ranges))
    _, summary = sweep_json(
        "--runs", "1", "--workers", "1", "--until", "23:45", "--set", f"{pinned}={_low(ranges[pinned])}"
    )
    assert pinned not in [v.split("=")[0] for v in summary["vary"]]
    _, summary = sweep_json(
        "--runs", "1", "--workers", "1", "--until", "23:45", "--vary", "dns.planner.interval_s=10..20"
    )
    assert summary["vary"] == ["dns.planner.interval_s=10..20"]


def _low(text: str) -> str:
    return text.split("..")[0]


BROKEN_SWEEP = {
    "reversed range": ('"controller.random_jitter" = "0.8..0.2"', "sweep.vary.controller.random_jitter"),
    "unknown key": ('"dns.nothing" = "1..2"', "sweep.vary.dns.nothing"),
    "outside the window": ('"operators.restore-dns.at" = "02:00..16:00"', "sweep.vary.operators.restore-dns.at"),
    "not a range": ('"controller.random_jitter" = "0.5"', "sweep.vary.controller.random_jitter"),
}


@pytest.mark.parametrize("case", sorted(BROKEN_SWEEP))
def test_broken_sweep_section_is_one_line_exit_2(tmp_path: Path, case: str) -> None:
    line, where = BROKEN_SWEEP[case]
    key = line.split(" = ")[0]
    text = (
        '[scenario]\nextends = "us-east-1-2025-10-20"\nid = "x"\n\n'
        f'[sweep.vary]\n{line}\n\n[sweep.sources]\n{key} = "assumed"\n'
    )
    path = tmp_path / "broken.toml"
    path.write_text(text)
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and where in lines[0] and "expected" in lines[0], result.output


def test_every_sweep_range_needs_a_source(tmp_path: Path) -> None:
    path = tmp_path / "unsourced.toml"
    path.write_text(
        '[scenario]\nextends = "us-east-1-2025-10-20"\nid = "x"\n\n'
        '[sweep]\nvary = { "dns.planner.interval_s" = "10..20" }\nsources = {}\n'
    )
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2 and "sweep.sources.dns.planner.interval_s" in result.output, result.output
    assert BASE.count("[sweep") >= 1


def test_fidelity_table_gains_the_sweeps_p5_and_p95(canonical: Any) -> None:
    from tui.sweep.fidelity import markdown

    _, summary = sweep_json("--runs", "4", "--seed-from", "1", "--workers", "1", *SHORT)
    table, outside = markdown(canonical.summary, summary)
    lines = table.splitlines()
    assert lines[0].endswith("| Sweep p5 | Sweep p95 |")
    empty = next(line for line in lines if line.startswith("| `dns.endpoint_empty`"))
    assert empty.count("|") == 7 and "23:4" in empty.split("|")[5]
    assert all(name in summary["variants"][0]["milestones"] for name in outside)


@pytest.mark.asyncio
async def test_enter_on_a_swept_run_opens_it_as_a_timeline_beside_the_current_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("textual_plotext")
    from textual.widgets import Tree

    from tests.ui_helpers import send, settle
    from tui.app import create_app
    from tui.app.screens.forks import ForkTreeScreen
    from tui.app.screens.sweep import SweepScreen, read_sweep
    from tui.session import commands as c

    monkeypatch.setitem(sys.modules, "tui.sweep.plots", None)  # the screen reads the data files only
    out = tmp_path / "sweep"
    # The scenario's own policy (canonical); the drawn planner interval changes every run from its first minute.
    result = runner.invoke(
        app,
        ["sweep", "--runs", "3", "--seed-from", "1", "--workers", "1", "--until", "23:49", "--given", "none",
         "--vary", "dns.planner.interval_s=10..20", "--out", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert read_sweep(out).choices()[-2:] == ["invariant NeverDeleteActive", "invariant EndpointNeverEmpty"]
    replay = create_app(sweep=str(out))
    async with replay.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(replay.screen, SweepScreen)  # the sweep opens first, the session paused behind it
        await pilot.press("escape")
        await send(pilot, c.GoTo(parse_sim("23:47:30")))
        main = replay.session.timelines["main"]
        main_at, main_hash = main.sim.now, main.sim.summary()["trace_sha256"]
        assert "Sweep" in {command.title for command in replay.get_system_commands(replay.screen)}
        await pilot.press("w")
        await pilot.pause()
        assert isinstance(replay.screen, SweepScreen)
        await pilot.press("down")  # the next milestone
        await pilot.press("tab", "down", "enter")  # to the runs, the second run
        await settle(pilot)
        snap = replay.snapshot
        assert snap is not None and snap.fork == "run-1", snap.status
        node = next(f for f in snap.forks if f.name == "run-1")
        expected = json.loads((out / "runs.jsonl").read_text().splitlines()[1])
        assert node.parent == "main" and node.forked_at == 0 and list(node.overrides) == expected["set"]
        # Its own seed and drawn values from the first step, up to where main stood; main is untouched.
        opened = replay.session.timelines["run-1"].sim
        assert opened.seed == 2 and opened.now <= main_at
        scenario = load_scenario("us-east-1-2025-10-20", expected["set"])
        alone = await asyncio.to_thread(run_headless, scenario, "canonical", 2, opened.now)  # Trio is a guest here
        assert opened.summary()["trace_sha256"] == alone["trace_sha256"] != main_hash
        assert main.sim.summary()["trace_sha256"] == main_hash
        # A fork of it with a change keeps the run's seed; the fork tree shows both under main.
        await send(pilot, c.Fork("run-1-fixed", ("fixes.recheck_in_batch=true",)))
        assert replay.session.timelines["run-1-fixed"].sim.seed == 2
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(replay.screen, ForkTreeScreen)
        tree = replay.screen.query_one(Tree)
        labels = [str(node.label) for node in tree.root.children[0].children if node.data]
        assert any(label.startswith("run-1 ← main @ step 0 · seed 2") for label in labels), labels
        await pilot.press("escape")
        # Picking it again switches to it; a session file keeps one seed, so recording is refused, not wrong.
        await send(pilot, c.OpenRun("run-1", "us-east-1-2025-10-20", tuple(expected["set"]), 2, "canonical"))
        assert replay.snapshot.fork == "run-1" and "opened before" in replay.snapshot.status
        await send(pilot, c.Record(str(tmp_path / "talk.jsonl")))
        assert "cannot record" in replay.snapshot.status and not (tmp_path / "talk.jsonl").exists()
        await send(pilot, c.OpenRun("run-9", "us-east-1-2025-10-20", (), 9, "random"))
        status = replay.snapshot.status
        assert "run-9" not in replay.session.timelines and "--policy random --seed 9" in status


def test_replay_sweep_refuses_a_missing_directory(tmp_path: Path) -> None:
    result = runner.invoke(app, ["replay", "--sweep", str(tmp_path / "nothing")])
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1 and "--sweep" in result.output


# -- the question a sweep answers: its policy, and the runs its milestone times count -----------


def test_the_builtin_sweep_keeps_the_canonical_order_and_counts_the_incident_aws_had() -> None:
    scenario = load_scenario("us-east-1-2025-10-20")
    assert scenario.get("sweep.policy") == "canonical"
    runs, summary = sweep_json("--runs", "2", "--workers", "1", "--until", "23:45")
    assert summary["policy"] == "canonical" and " --policy canonical " in runs[0]["command"]
    assert summary["given"] == scenario.get("sweep.given") == ["dns.endpoint_empty", "ddb.recovered"]
    given = summary["variants"][0]["given"]
    assert given["runs"] == 0 and given["each"] == {"dns.endpoint_empty": 0, "ddb.recovered": 0}
    _, summary = sweep_json(
        "--runs", "2", "--workers", "1", "--until", "23:45", "--policy", "random", "--given", "none"
    )
    assert summary["policy"] == "random" and summary["given"] == [] and summary["variants"][0]["given"] is None
    _, summary = sweep_json("--runs", "1", "--workers", "1", "--until", "23:45", "--given", "dns.endpoint_empty")
    assert summary["given"] == ["dns.endpoint_empty"]


def test_milestone_times_count_the_given_runs_and_invariants_count_every_run() -> None:
    from tui.sweep.stats import variant_stats

    def run(empty: str | None, recovered: str | None, broke: bool) -> dict[str, Any]:
        stamp = "2025-10-19T23:4{}:00-07:00".format
        milestones = {"dns.endpoint_empty": empty and stamp(empty), "ddb.recovered": recovered and stamp(recovered)}
        return {"milestones": milestones, "violations": ["EndpointNeverEmpty"] if broke else []}

    records = [run("7", "9", True), run("8", None, True), run(None, None, False), run("6", "8", True)]
    stats = variant_stats(records, ["EndpointNeverEmpty"], ["dns.endpoint_empty", "ddb.recovered"])
    assert stats["runs"] == 4 and stats["violations"]["EndpointNeverEmpty"]["count"] == 3
    assert stats["given"]["runs"] == 2 and stats["given"]["each"] == {"dns.endpoint_empty": 3, "ddb.recovered": 2}
    empty = stats["milestones"]["dns.endpoint_empty"]
    assert empty["reached"] == 2 and empty["share"] == 1.0  # the run that never recovered is not counted
    assert empty["p5"].startswith("2025-10-19T23:46:") and empty["p95"].startswith("2025-10-19T23:46:5")
    plain = variant_stats(records, ["EndpointNeverEmpty"])
    assert plain["given"] is None and plain["milestones"]["dns.endpoint_empty"]["reached"] == 3


def test_the_table_says_which_runs_its_times_count() -> None:
    result = runner.invoke(app, ["sweep", "--runs", "2", "--workers", "1", "--until", "23:45"])
    assert result.exit_code == 0, result.output
    words = " ".join(result.stdout.split())  # the title wraps at the table's width
    assert "times over the 0 of 2 runs that reached dns.endpoint_empty and ddb.recovered" in words


def test_bad_given_is_one_line_exit_2(tmp_path: Path) -> None:
    one_line_error(["--runs", "1", "--given", "dns.nothing"], "--given", "dns.nothing", "milestone id")
    for line, where in (('given = ["dns.nothing"]', "sweep.given"), ('policy = "manual"', "sweep.policy")):
        path = tmp_path / "bad.toml"
        path.write_text(f'[scenario]\nextends = "us-east-1-2025-10-20"\nid = "x"\n\n[sweep]\n{line}\n')
        result = runner.invoke(app, ["validate", str(path)])
        assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1, result.output
        assert where in result.output and "expected" in result.output, result.output


def test_rate_plot_bins_runs_by_the_drawn_value(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    from tui.sweep.plots import rate_plots

    runs = [
        {"set": [f"controller.random_jitter={j / 20}", f"operators.restore-dns.at=02:2{j % 6}:00"],
         "violations": ["EndpointNeverEmpty"] if j >= 10 else [], "milestones": {}}
        for j in range(20)
    ]  # fmt: skip
    summary = {"invariants": ["NeverDeleteActive", "EndpointNeverEmpty"]}
    written = rate_plots(tmp_path, [runs], ["base"], summary)
    assert [p.name for p in written] == ["rate-EndpointNeverEmpty.svg", "rate-EndpointNeverEmpty.png"]
    assert (tmp_path / "rate-EndpointNeverEmpty.svg").stat().st_size > 1000


def test_the_plot_recipe_in_the_guide_runs(tmp_path: Path) -> None:
    # The guide's sweep behind its plots, with fewer and shorter runs: the same options otherwise.
    pytest.importorskip("matplotlib")
    guide = (Path(__file__).resolve().parents[1] / "docs" / "sweeps.md").read_text()
    recipe = next(b for b in re.findall(r"```sh\n(.*?)```", guide, re.S) if "docs/sweeps/jitter-throttle" in b)
    words = shlex.split(recipe.replace("\\\n", " "))
    assert words[:2] == ["outage-tui", "sweep"] and words[-2:] == ["--out", "docs/sweeps/jitter-throttle"]
    words[words.index("--runs") + 1] = "3"
    result = runner.invoke(app, [*words[1:-1], str(tmp_path), "--until", "23:50", "--workers", "1"])
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["policy"] == "random" and len(summary["variants"]) == 2
    assert [v.split("=")[0] for v in summary["vary"]] == [
        "controller.random_jitter",
        "operators.dwfm-throttle-restart.at",
    ]
    assert (tmp_path / "invariant-EndpointNeverEmpty.svg").exists()
