"""The headless command line: JSON contract, determinism across processes."""

from __future__ import annotations

import json
import re
import subprocess
import sys

from typer.testing import CliRunner

from tui import __version__
from tui.cli import app

runner = CliRunner()


def cli_json(*args: str) -> tuple[list[dict], dict]:
    """Run ``outage-tui run --json`` in a fresh interpreter; return events and summary."""
    proc = subprocess.run(
        [sys.executable, "-m", "tui.cli", "run", "--json", *args], capture_output=True, text=True, check=True
    )
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    return lines[:-1], lines[-1]["summary"]


def test_json_lines_end_with_the_summary_contract() -> None:
    events, summary = cli_json("--until", "23:50")
    for field in ("scenario", "scenario_sha256", "policy", "seed", "steps", "events", "trace_sha256",
                  "milestones", "dns_answer", "violations"):  # fmt: skip
        assert field in summary, field
    assert summary["events"] == len(events)
    assert summary["milestones"]["dns.endpoint_empty"].startswith("2025-10-19T23:4")
    assert summary["milestones"]["dns.restored"] is None
    assert summary["dns_answer"] == []
    assert {"at", "t", "step", "component", "kind"} <= set(events[0])


def test_same_seed_same_hash_across_processes_and_seeds_differ() -> None:
    args = ("--policy", "random", "--until", "23:55")
    _, a = cli_json(*args, "--seed", "7")
    _, b = cli_json(*args, "--seed", "7")
    _, c = cli_json(*args, "--seed", "8")
    assert a["trace_sha256"] == b["trace_sha256"]
    assert a["trace_sha256"] != c["trace_sha256"]
    _, d = cli_json("--until", "23:55")
    _, e = cli_json("--until", "23:55")
    assert d["trace_sha256"] == e["trace_sha256"] and d["seed"] == e["seed"]


def test_readable_table_and_summary() -> None:
    result = runner.invoke(app, ["run", "--until", "23:49"])
    assert result.exit_code == 0
    assert "dns.endpoint_empty" in result.output and "trace_sha256" in result.output


def test_the_canonical_run_prints_its_story_in_under_100_lines(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Without --events: the race on the regional endpoint, the operators, the summary and every milestone."""
    monkeypatch.setenv("COLUMNS", "80")  # a pipe or a narrow terminal: the longest the output gets
    result = runner.invoke(app, ["run"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) < 100, len(lines)
    text = result.output
    assert "batch.applied stale" in text and "deletes the active tree" in text
    assert "violation NeverDeleteActive" in text and "operator.action restore-dns" in text
    assert "Milestones (32 of 32 reached, PDT)" in text and "02:25:02 dns.restored" in text
    # Routine kinds the old key view listed by the thousand are gone.
    assert "plan.applied" not in text and "cleanup.started" not in text


def test_events_all_lists_every_event_and_key_is_the_default(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("COLUMNS", "200")
    default = runner.invoke(app, ["run", "--until", "23:48"]).output
    key = runner.invoke(app, ["run", "--until", "23:48", "--events", "key"]).output
    every = runner.invoke(app, ["run", "--until", "23:48", "--events", "all"]).output
    events = int(re.search(r"^events\s+(\d+)", every, re.M)[1])  # type: ignore[index]
    assert default == key
    assert len(every.splitlines()) > events > 10 * len(key.splitlines())
    assert "lock.read" in every and "lock.read" not in key
    bad = runner.invoke(app, ["run", "--events", "some"])
    assert bad.exit_code == 2 and "--events some: expected key or all" in bad.output


def test_version_and_scenarios() -> None:
    assert runner.invoke(app, ["--version"]).output.strip() == f"outage-tui {__version__}"
    listing = runner.invoke(app, ["scenarios"]).output.strip().splitlines()
    assert any(line.startswith("us-east-1-2025-10-20 ") for line in listing)
    assert any(line.startswith("us-east-1-2025-10-20-fixed ") for line in listing)


def test_validate_builtin_file_ok() -> None:
    result = runner.invoke(app, ["validate", "scenarios/us-east-1-2025-10-20.toml"])
    assert result.exit_code == 0 and "ok" in result.output


def test_usage_error_exits_2() -> None:
    assert runner.invoke(app, ["run", "--no-such-flag"]).exit_code == 2
    assert runner.invoke(app, ["run", "--policy", "chaos"]).exit_code == 2


def test_until_outside_the_window_is_one_line_and_exit_2() -> None:
    result = runner.invoke(app, ["run", "--until", "16:30"])
    assert result.exit_code == 2
    assert result.output.strip() == (
        "outage-tui: --until 16:30 (Mon 20 Oct) is outside the window: "
        "expected a time from 23:40 Sun 19 Oct to 15:20 Mon 20 Oct PDT"
    )
    assert "Traceback" not in result.output


def test_a_scenario_nested_thousands_deep_is_one_line_and_exit_2(tmp_path) -> None:  # type: ignore[no-untyped-def]
    deep = tmp_path / "deep.toml"
    deep.write_text("a = " + "[" * 5000 + "]" * 5000 + "\n")
    result = runner.invoke(app, ["validate", str(deep)])
    assert result.exit_code == 2
    assert "nested too deeply" in result.output and len(result.output.strip().splitlines()) == 1
