"""Session files: record, replay in a fresh process, survive kill -9, refuse bad files, export."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import trio

from tui.clock import parse_sim
from tui.errors import BadInput
from tui.record import Header, SessionWriter, read_session, record_headless, replay_session
from tui.record.export import to_chrome_trace, to_markdown
from tui.scenario import load_scenario
from tui.sim.simulation import open_simulation

SCENARIO = "us-east-1-2025-10-20"
SHORT = "00:05"  # past the first impact, a second or less of work


def cli(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """``outage-tui`` in a fresh interpreter, so nothing is shared with the recording process."""
    return subprocess.run(
        [sys.executable, "-m", "tui.cli", *args], capture_output=True, text=True, check=check, timeout=60
    )


def replayed_summary(path: Path) -> dict:
    proc = cli("run", "--session", str(path), "--json")
    return json.loads(proc.stdout.splitlines()[-1])["summary"]


def one_line_error(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    return lines[0]


def lines_of(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


# -- record, then replay in a new process ------------------------------------------------------
@pytest.mark.parametrize("policy, seed", [("canonical", None), ("random", 11)])
def test_recorded_run_replays_in_a_new_process_with_the_same_trace_hash(
    tmp_path: Path, policy: str, seed: int | None
) -> None:
    path = tmp_path / "run.jsonl"
    args = ["run", "--json", "--until", SHORT, "--policy", policy, "--record", str(path)]
    if seed is not None:
        args += ["--seed", str(seed)]
    recorded = json.loads(cli(*args).stdout.splitlines()[-1])["summary"]
    header, *entries = lines_of(path)
    assert header == {
        "format": "outage-tui-session",
        "version": 2,
        "scenario": SCENARIO,
        "scenario_sha256": recorded["scenario_sha256"],
        "overrides": [],
        "seed": recorded["seed"],
        "policy": policy,
        "tool_version": header["tool_version"],
    }
    assert len(entries) == recorded["steps"]
    assert all(set(e) == {"type", "index"} and e["type"] == "choice" for e in entries)
    assert replayed_summary(path) == recorded


def test_recording_in_process_matches_a_plain_run(tmp_path: Path) -> None:
    from tui.sim.simulation import run_headless

    scenario = load_scenario(SCENARIO, ["dns.planner.interval_s=20"])
    until = parse_sim(SHORT)
    summary = record_headless(scenario, tmp_path / "s.jsonl", "random", 3, until)
    assert summary == run_headless(scenario, "random", 3, until)
    session = read_session(tmp_path / "s.jsonl")
    assert session.header.overrides == ("dns.planner.interval_s=20",)
    assert replay_session(session).summary() == summary


def test_hand_picks_under_a_random_policy_replay_exactly(tmp_path: Path) -> None:
    scenario = load_scenario(SCENARIO)
    path = tmp_path / "hand.jsonl"

    async def record() -> str:
        async with open_simulation(scenario, "random", 5) as sim:
            with SessionWriter(path, Header.for_run(scenario, sim.seed, "random"), sync_every=1.0) as writer:
                for step in range(600):
                    choices = sim.choices()
                    if step % 7 == 0:  # a person picks the last one on offer: no draw from the RNG
                        await sim.step(len(choices) - 1)
                        writer.choice(len(choices) - 1, hand=True)
                    else:
                        writer.choice((await sim.step()).index)
            return sim.summary()["trace_sha256"]

    expected = trio.run(record)
    session = read_session(path)
    assert sum(1 for e in session.entries if getattr(e, "hand", False)) == 86
    assert replay_session(session).main.summary["trace_sha256"] == expected


def test_every_entry_type_round_trips_and_is_on_disk_at_once(tmp_path: Path) -> None:
    scenario = load_scenario(SCENARIO)
    path = tmp_path / "all.jsonl"
    with SessionWriter(path, Header.for_run(scenario, 1, "manual")) as writer:
        writer.choice(0)
        assert len(path.read_text().splitlines()) == 2  # written before the next move, not at close
        writer.choice(1, hand=True)
        writer.control("pause", step=2)
        writer.control("speed", speed=8, step=2)
        writer.control("seek", to_step=1)
        writer.control("resume")
        writer.note(2, "ünïcode | pipes\nand newlines")
        writer.fork("what-if", "main", 1, ["dns.planner.interval_s=20"])
        writer.choice(0)
        with pytest.raises(ValueError, match="speed"):
            writer.control("speed")
        with pytest.raises(ValueError, match="at_step"):
            writer.fork("bad", "main", -1)
    session = read_session(path)
    assert session.torn_line is None
    assert [e.as_dict() for e in session.entries] == [json.loads(line) for line in path.read_text().splitlines()[1:]]
    assert session.header == Header.for_run(scenario, 1, "manual")
    assert [type(e).__name__ for e in session.entries] == [
        "ChoiceEntry", "ChoiceEntry", "ControlEntry", "ControlEntry", "ControlEntry", "ControlEntry",
        "NoteEntry", "ForkEntry", "ChoiceEntry",
    ]  # fmt: skip
    replay = replay_session(session)
    assert replay.timelines["what-if"].held == 1 and replay.timelines["what-if"].summary["steps"] == 2
    assert replay.main.plan.notes[0].text == "ünïcode | pipes\nand newlines"


def test_record_package_stays_headless() -> None:
    code = (
        "import sys, tui.record, tui.record.export; print(sorted(m for m in ('textual', 'rich') if m in sys.modules))"
    )
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "[]"


# -- kill -9 while recording ---------------------------------------------------------------------
def test_sigkill_mid_recording_leaves_a_session_that_replays(tmp_path: Path) -> None:
    path = tmp_path / "killed.jsonl"
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui.cli", "run", "--json", "--record", str(path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if path.exists() and path.stat().st_size > 20_000:
                break
            assert proc.poll() is None, "the full-window run ended before it could be killed"
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    raw = path.read_bytes()
    complete = raw.count(b"\n") - 1  # entries after the header that ended with their newline
    assert complete > 100
    replay = cli("run", "--session", str(path), "--json")
    summary = json.loads(replay.stdout.splitlines()[-1])["summary"]
    assert summary["steps"] == complete
    if not raw.endswith(b"\n"):
        assert "torn last line" in replay.stderr
    # The surviving prefix is exactly the start of the run it came from.
    header = json.loads(raw.split(b"\n", 1)[0])
    scenario = load_scenario(SCENARIO)

    async def first_moves() -> list[int]:
        async with open_simulation(scenario, header["policy"], header["seed"]) as sim:
            await sim.run(max_steps=complete)
            return list(sim.choice_log)

    indices = [json.loads(line)["index"] for line in raw.split(b"\n")[1 : complete + 1]]
    assert indices == trio.run(first_moves)


# -- torn and bad files ----------------------------------------------------------------------------
@pytest.fixture
def short_session(tmp_path: Path) -> Path:
    path = tmp_path / "short.jsonl"
    record_headless(load_scenario(SCENARIO), path, "canonical", None, parse_sim("23:42"))
    return path


def test_torn_last_line_replays_up_to_it_and_says_so(short_session: Path) -> None:
    text = short_session.read_text()
    lines = text.splitlines(keepends=True)
    whole = len(lines) - 1
    short_session.write_text(text + '{"type": "cho')
    proc = cli("run", "--session", str(short_session), "--json")
    assert json.loads(proc.stdout.splitlines()[-1])["summary"]["steps"] == whole
    assert f"{short_session}: line {whole + 2}: skipped a torn last line" in proc.stderr
    # A last line cut just before its newline is torn too: only whole lines count.
    short_session.write_text("".join(lines[:-1]) + lines[-1].rstrip("\n"))
    proc = cli("run", "--session", str(short_session), "--json")
    assert json.loads(proc.stdout.splitlines()[-1])["summary"]["steps"] == whole - 1
    assert "torn last line" in proc.stderr


def test_corrupted_middle_line_is_one_line_error(short_session: Path) -> None:
    lines = short_session.read_text().splitlines(keepends=True)
    lines[3] = '{"type": "choice", "ind\n'
    short_session.write_text("".join(lines))
    error = one_line_error(cli("run", "--session", str(short_session), check=False))
    assert error.startswith(f"outage-tui: {short_session}: line 4: found a line that is not JSON")
    assert "expected one JSON object per line" in error


@pytest.mark.parametrize(
    "entry, found",
    [
        ({"type": "choice", "index": -1}, "found index -1"),
        ({"type": "dance"}, 'found type "dance"'),
        ({"type": "control", "action": "rewind"}, 'found control action "rewind"'),
        ({"type": "fork", "name": "f", "parent": "nowhere", "at_step": 0}, "found fork parent 'nowhere'"),
        ({"type": "choice", "index": 99}, "found choice index 99, expected 0.."),
        ({"type": "control", "action": "seek", "to_step": 0, "timeline": 5}, "found seek of 5, expected timeline"),
    ],
)
def test_bad_entries_name_the_line(short_session: Path, entry: dict, found: str) -> None:
    lines = short_session.read_text().splitlines(keepends=True)
    lines.insert(2, json.dumps(entry) + "\n")
    short_session.write_text("".join(lines))
    error = one_line_error(cli("run", "--session", str(short_session), check=False))
    assert f"{short_session}: line 3: {found}" in error


def test_wrong_version_is_one_line_error(short_session: Path) -> None:
    lines = short_session.read_text().splitlines(keepends=True)
    header = json.loads(lines[0])
    header["version"] = 3
    short_session.write_text(json.dumps(header) + "\n" + "".join(lines[1:]))
    error = one_line_error(cli("run", "--session", str(short_session), check=False))
    assert f"{short_session}: line 1: found version 3, expected version 1 or 2" in error


@pytest.mark.parametrize(
    "content, found",
    [
        ("[scenario]\nid = 'x'\n", "'[scenario]', not JSON"),
        ('{"version": 2, "steps": 10}\n', 'found a JSON object without "format": "outage-tui-session"'),
        ("", "found an empty file"),
    ],
)
def test_non_session_file_is_one_line_error(tmp_path: Path, content: str, found: str) -> None:
    path = tmp_path / "not-a-session.jsonl"
    path.write_text(content)
    for args in (("run", "--session", str(path)), ("export", str(path), "--to", "md")):
        error = one_line_error(cli(*args, check=False))
        assert f"{path}: line 1: " in error and found in error
        assert "expected" in error


def test_changed_scenario_is_refused_naming_both_hashes(tmp_path: Path) -> None:
    scenario_file = tmp_path / "slower-planner.toml"
    scenario_file.write_text(f'[scenario]\nextends = "{SCENARIO}"\n\n[dns.planner]\ninterval_s = 20\n')
    session = tmp_path / "s.jsonl"
    recorded = json.loads(
        cli("run", str(scenario_file), "--json", "--until", "23:42", "--record", str(session)).stdout.splitlines()[-1]
    )["summary"]
    assert json.loads(session.read_text().splitlines()[0])["scenario_path"] == str(scenario_file.resolve())
    assert replayed_summary(session) == recorded
    scenario_file.write_text(f'[scenario]\nextends = "{SCENARIO}"\n\n[dns.planner]\ninterval_s = 25\n')
    now = load_scenario(str(scenario_file)).sha256
    error = one_line_error(cli("run", "--session", str(session), check=False))
    assert str(session) in error and "changed since the session was recorded" in error
    assert recorded["scenario_sha256"] in error and now in error


def test_session_excludes_other_run_options_and_unwritable_record_is_bad_input(
    short_session: Path, tmp_path: Path
) -> None:
    error = one_line_error(cli("run", "--session", str(short_session), "--policy", "random", check=False))
    assert "--session" in error
    missing = tmp_path / "no-such-dir" / "s.jsonl"
    error = one_line_error(cli("run", "--until", "23:41", "--record", str(missing), check=False))
    assert f"{missing}: cannot write the session" in error


# -- forks and notes -------------------------------------------------------------------------------
FORK_AT = 1000
OWN_MOVES = 600
EARLY_RESTORE = 'operators.restore-dns.at="23:50"'


def write_session_with_forks(path: Path) -> None:
    """A hand-made session: main, a fork that repeats main, a what-if fork with an override, notes."""
    scenario = load_scenario(SCENARIO)

    async def main_moves() -> list[int]:
        async with open_simulation(scenario, "manual") as sim:
            await sim.run(max_steps=FORK_AT + OWN_MOVES)
            return list(sim.choice_log)

    moves = trio.run(main_moves)
    header = Header.for_run(scenario, scenario.get("scenario.seed"), "manual")
    with SessionWriter(path, header, sync_every=1.0) as writer:  # a script, not a person: no sync per line
        writer.control("speed", speed=4.0, step=0)
        for step, index in enumerate(moves, start=1):
            writer.choice(index)
            if step == FORK_AT:
                writer.note(step, "The planner | issues plan 120 here")
        writer.control("pause", step=len(moves))
        writer.fork("same", "main", FORK_AT)
        for index in moves[FORK_AT:]:
            writer.choice(index)
        writer.fork("early-restore", "main", FORK_AT, [EARLY_RESTORE])
        writer.note(FORK_AT, "What if DNS were restored at 23:50?")
        for _ in range(OWN_MOVES):
            writer.choice(0)


@pytest.fixture(scope="module")
def forks_session(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("forks") / "forks.jsonl"
    write_session_with_forks(path)
    return path


def test_forks_and_notes_replay_with_the_same_hash_per_fork_in_a_new_process(forks_session: Path) -> None:
    path = forks_session
    here = replay_session(read_session(path))
    there = replayed_summary(path)
    assert there["trace_sha256"] == here.main.summary["trace_sha256"]
    assert set(there["forks"]) == {"same", "early-restore"}
    for name, fork in there["forks"].items():
        assert fork["trace_sha256"] == here.timelines[name].summary["trace_sha256"], name
    # Forking main and making main's moves again is main itself.
    assert there["forks"]["same"]["trace_sha256"] == there["trace_sha256"]
    assert there["forks"]["same"]["diverged_at"] is None
    assert there["forks"]["early-restore"]["overrides"] == [EARLY_RESTORE]


# -- exports ---------------------------------------------------------------------------------------
def markdown_rows(text: str) -> list[list[str]]:
    rows = []
    for line in text.splitlines():
        if line.startswith("| ") and not line.startswith("| ---"):
            cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
            rows.append(cells)
    return rows


def test_markdown_export_is_a_postmortem_table(forks_session: Path, tmp_path: Path) -> None:
    path = forks_session
    out = tmp_path / "talk.md"
    cli("export", str(path), "--to", "md", "-o", str(out))
    text = out.read_text()
    assert "## Timeline `main`" in text and "## Timeline `early-restore`" in text
    rows = markdown_rows(text)
    headers = [r for r in rows if r[0] == "Time (PDT)"]
    assert len(headers) == 3 and all(h == ["Time (PDT)", "Component", "Event", "Notes"] for h in headers)
    body = [r for r in rows if r[0] != "Time (PDT)"]
    assert all(len(r) == 4 for r in body), [r for r in body if len(r) != 4]
    events = {r[2] for r in body}
    assert "note" in events and "fork same" in events and "fork early-restore" in events
    assert any(e.startswith("violation ") for e in events)
    assert any("The planner \\| issues plan 120 here" in r[3] for r in body)
    fork_row = next(r for r in body if r[2] == "fork early-restore")
    assert "from step 1000" in fork_row[3] and EARLY_RESTORE in fork_row[3]
    assert all(r[0][:3] in ("Sun", "Mon") for r in body)
    # The same text comes from the library, so the UI can offer it too.
    assert to_markdown(replay_session(read_session(path))).splitlines()[3:] == text.splitlines()[3:]


def test_trace_export_loads_with_a_track_per_component(forks_session: Path, tmp_path: Path) -> None:
    path = forks_session
    out = tmp_path / "trace.json"
    cli("export", str(path), "--to", "trace", "-o", str(out))
    trace = json.loads(out.read_text())
    events = trace["traceEvents"]
    replay = replay_session(read_session(path))
    processes = {e["args"]["name"]: e["pid"] for e in events if e["ph"] == "M" and e["name"] == "process_name"}
    assert set(processes) == {"timeline main", "timeline same", "timeline early-restore"}
    for name, pid in processes.items():
        threads = {e["args"]["name"]: e["tid"] for e in events if e["name"] == "thread_name" and e["pid"] == pid}
        components = {e.component for e in replay.timelines[name.removeprefix("timeline ")].events}
        assert components <= set(threads) and len(set(threads.values())) == len(threads)
        instants = [e for e in events if e["ph"] == "i" and e["pid"] == pid]
        assert all(e["tid"] in threads.values() and isinstance(e["ts"], int) and e["ts"] >= 0 for e in instants)
    main = [e for e in events if e["ph"] == "i" and e["pid"] == processes["timeline main"]]
    assert len([e for e in main if e["cat"] not in ("note", "fork")]) == len(replay.main.events)
    assert any(e["cat"] == "note" for e in main) and any(e["name"] == "fork early-restore" for e in main)
    assert to_chrome_trace(replay)["traceEvents"] == events


def test_unknown_export_format_is_one_line_error(short_session: Path, tmp_path: Path) -> None:
    error = one_line_error(cli("export", str(short_session), "--to", "pdf", "-o", str(tmp_path / "x"), check=False))
    assert "--to pdf" in error and "md" in error and "trace" in error


def test_one_walk_of_the_entries_gives_each_timeline_the_current_one_and_the_last_speed(tmp_path: Path) -> None:
    """Forks, switches, renames, seeks and speeds, read once: what replay, reopening and the explorer all use."""
    scenario = load_scenario(SCENARIO)
    path = tmp_path / "walked.jsonl"
    with SessionWriter(path, Header.for_run(scenario, 7, "manual"), sync_every=1.0) as writer:
        for _ in range(5):
            writer.choice(0)
        writer.control("speed", speed=2.0, step=5)
        writer.fork("what-if", "main", 3)
        writer.choice(1, hand=True)
        writer.control("switch", to="main", step=5)
        writer.control("seek", to_step=2, step=5)
        writer.control("seek", to_step=1, timeline="what-if", step=2)  # a comparison moved the other one
        writer.control("rename", name="main", to="trunk", step=2)
        writer.control("speed", speed=0.5, step=2)
    session = read_session(path)
    plan = session.plan
    assert plan is session.plan  # walked once, when the file was read
    assert (plan.current, plan.speed) == ("trunk", 0.5)
    assert plan.known() == ["what-if", "trunk"]
    trunk, fork = plan.timelines["trunk"], plan.timelines["what-if"]
    assert (trunk.length, trunk.cursor) == (5, 2)
    assert (fork.parent, fork.at_step, fork.length, fork.cursor) == ("trunk", 3, 4, 1)
    assert [c.hand for c in fork.choices] == [True]
    with open(path, "a") as out:
        out.write('{"type": "control", "action": "switch", "to": "main"}\n')
    with pytest.raises(BadInput) as error:
        read_session(path)
    assert str(error.value) == f"{path}: line 15: found switch to 'main', expected one of what-if, trunk"
    lines = path.read_text().splitlines()
    unknown = '{"type": "control", "action": "seek", "to_step": 1, "timeline": "nope"}'
    path.write_text("\n".join([*lines[:-1], unknown, ""]))
    with pytest.raises(BadInput) as error:
        read_session(path)
    assert str(error.value) == f"{path}: line 15: found seek of 'nope', expected one of what-if, trunk"
