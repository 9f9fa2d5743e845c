"""Long moves in the installed replay UI, driven in tmux, against headless runs of the same steps.

    python benchmarks/ui_moves_bench.py [--targets 20] [--seed 1] [--repeat 3] [--reach 06:00]

Drives the *installed* ``outage-tui`` binary in a private tmux server (its own
socket, so no other tmux session is touched) at 120x40: keys go in with
``tmux send-keys``, and a move counts as finished when ``tmux capture-pane -p``
(polled every ``--poll`` seconds, 10 ms by default) shows the app's status
line (the header's second line) saying so. Every figure is printed next to a
baseline measured in the same run; nothing is asserted, and the numbers
depend on the machine (read the ratios more than the absolute values). The
first lines give the CPU count, the load average and the commit measured,
with any uncommitted change under ``tui/`` (an editable install runs the
working tree).

Figures:

1. **Forward into steps not yet simulated.** A fresh ``outage-tui replay
   --paused``; ``g``, type the ``--reach`` time (06:00), then Enter. Wall time
   from sending Enter until the status line reads ``at step N``: best and
   median of ``--repeat`` fresh apps. Baselines, measured interleaved with the
   UI runs: ``outage-tui run --until 06:00 --json`` timed end to end (a new
   interpreter, imports, the run and its JSON output), and the same steps
   in-process, ``run_headless(load_scenario(), until=parse_sim("06:00"))``
   timed inside a subprocess (interpreter start and imports left out). The
   ratios are UI over each baseline. The team's target is UI <= 1.2x the
   in-process figure plus the fixed cost of one restore (``open_simulation``
   from a snapshot at the reached point, with its events, until the first
   ``choices()``: a median measured once, in a subprocess); that line is
   printed too. The row also says whether anything on screen showed progress
   while the move ran (a changed header step or a progress label) and which
   step the UI reached against ``run --until`` (the UI stops before steps at
   exactly the target time, the headless run takes them).
2. **Moves within what was already simulated.** One app reaches ``--reach``;
   then, for ``--targets`` random PDT times (seeded by ``--seed``, whole
   seconds between 23:40:00 and the reached time), one cycle each:
   (setup, not measured as a move back: switch to ``main`` with the fork tree,
   ``t``, and fork it with ``f``, Enter, so the cycle starts on a timeline
   that holds everything simulated so far; going back in the app drops the
   steps after the target, so without this copy later targets would be new
   steps), then ``g HH:MM:SS`` Enter (going back), ``b`` (back to the
   previous milestone), ``f`` Enter (fork with the suggested name, no
   overrides). Each is timed from its key (Enter for ``g`` and ``f``) to the
   status line showing its result (``at step``, ``back to step``,
   ``forked``); median, p95 (nearest rank) and max per kind, against the
   team's target p95 <= 0.3 s. The setup forks, taken at the reached point,
   are shown as a fourth row. Every result's step is checked against the
   headless run (the number of steps before the target time; the previous
   milestone's step; the fork's step) and mismatches are listed. A target
   before the first milestone (23:47:55) leaves nothing to go back to: the app
   disables ``b`` there, so the script watches for 2 s, lists the key as
   ignored (not timed) and forks at the target. Forks accumulate: two per
   target. The note at the end gives the share of a core the polling itself
   took (the tmux clients), which the app competes with.
3. **Recording on against off.** The same forward move as 1 in a fresh app
   started with ``--record FILE`` (a temporary file, removed afterwards),
   interleaved with the runs of 1; best over best, against the target <= 1.1x.
4. **Memory.** VmRSS (and VmHWM, the peak) of the app process, from
   ``/proc/PID/status``: at start, after reaching the reached point (before the
   moves) and after all moves with every fork still alive. Timelines keep a
   checkpoint every 1,000 steps.

Polling resolution: the median and p95 interval between two captures and the
median time one ``capture-pane`` takes are printed as a note; a figure is
accurate to about one interval (the time is taken when the capture that first
shows the result returns). Each move has a ``--timeout`` (60 s): a move that
does not finish in time prints a "timed out" row with the last status line
instead of stopping the script; in part 2 the remaining cycles are then
skipped. The tmux server is always killed at the end.

Reproduce: ``pip install -e .`` (puts ``outage-tui`` on PATH), install tmux,
then run the line at the top from the repository root.
"""

from __future__ import annotations

import argparse
import bisect
import json
import math
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tui.clock import from_sim, parse_sim

WIDTH, HEIGHT = 120, 40
#: VmRSS and VmHWM of the app in MiB, or None once the process has gone.
Rss = tuple[float, float] | None
START = "23:40:00"
#: How long to watch for ``b`` when it is expected to be disabled (no milestone has happened yet).
IGNORED_WAIT = 2.0

#: The status line is the header's second line: the status on the left, then the step and play state.
STATUS_LINE = re.compile(r"^\s*(?P<status>.*?)\s+(?:● REC\s+)?step (?P<step>\d+)\s+×")
AT_STEP = re.compile(r"^at step (\d+)")
BACK_TO = re.compile(r"^back to step (\d+)")
FORKED = re.compile(r"^forked (\S+) from (\S+) at step (\d+)")
#: Anything on screen that says a long move is under way (a progress label, a play state, time left).
PROGRESS = re.compile(r"going to|going back|reached|» moving|forking|replaying|\d% ·|s left")

#: In a subprocess: the in-process headless run over the same steps, interpreter start and imports left out.
INPROCESS = """
import json, sys, time
from tui.clock import parse_sim
from tui.scenario import load_scenario
from tui.sim.simulation import run_headless
scenario = load_scenario()
until = parse_sim(sys.argv[1])
t0 = time.perf_counter()
summary = run_headless(scenario, until=until)
print(json.dumps({"seconds": time.perf_counter() - t0, "steps": summary["steps"]}))
"""

#: In a subprocess, once: the time of every step to the reached point, the milestones' steps, restore cost.
EXPECTED = """
import json, statistics, sys, time
import trio
from tui.clock import parse_sim
from tui.scenario import load_scenario
from tui.sim.simulation import open_simulation

scenario = load_scenario()
until = parse_sim(sys.argv[1])


async def main():
    times = []
    async with open_simulation(scenario) as sim:
        await sim.run(until=until, on_step=lambda choice: times.append(choice.time))
        assert len(times) == sim.steps, (len(times), sim.steps)
        milestones = sorted({e.step for e in sim.events if e.kind == "milestone"})
        snaps = []
        for _ in range(5):
            t0 = time.perf_counter()
            snap = sim.snapshot()
            snaps.append(time.perf_counter() - t0)
        events = list(sim.events)
    restores = []
    for _ in range(5):
        t0 = time.perf_counter()
        async with open_simulation(scenario, snapshot=snap, events=list(events)) as again:
            again.choices()
            restores.append(time.perf_counter() - t0)
    return {
        "times": times,
        "milestones": milestones,
        "snapshot_s": statistics.median(snaps),
        "restore_s": statistics.median(restores),
        "snapshot_kib": snap.size / 1024,
    }

print(json.dumps(trio.run(main)))
"""


class TimedOut(Exception):
    """A move (or the app's start) did not show its result in time."""

    def __init__(self, what: str, screen: str, dead: bool) -> None:
        super().__init__(what)
        self.what = what
        self.screen = screen
        self.dead = dead

    def row(self) -> str:
        status = status_of(self.screen)
        last = status[0] if status else "(no status line)"
        return f"timed out: {self.what}{' (the app exited)' if self.dead else ''}; last status {last!r}"


def status_of(screen: str) -> tuple[str, int] | None:
    """The status text and the header's step, from a captured screen."""
    lines = screen.splitlines()
    if len(lines) < 2:
        return None
    match = STATUS_LINE.match(lines[1])
    return (match["status"].strip(), int(match["step"])) if match else None


@dataclass
class Poll:
    """How one wait went: seconds from the key to the first capture showing the result, and what was seen."""

    seconds: float
    status: str
    step: int
    screens: int  # distinct screen contents seen while waiting
    progress: bool  # a capture before the result showed a changed step or a progress label


@dataclass
class Stats:
    """Polling resolution over the whole run."""

    intervals: list[float] = field(default_factory=list)
    captures: list[float] = field(default_factory=list)
    cpu: float = 0.0  # CPU seconds of the tmux clients run while polling
    wall: float = 0.0  # wall seconds spent polling


class Terminal:
    """One ``outage-tui`` process in a private tmux server at WIDTHxHEIGHT."""

    def __init__(self, args: list[str], poll: float, stats: Stats) -> None:
        self.tmux = shutil.which("tmux") or "tmux"
        self.socket = f"outage-bench-{uuid.uuid4().hex[:8]}"
        self.name = "bench"
        self.args = args
        self.poll = poll
        self.stats = stats
        self.env = {k: v for k, v in os.environ.items() if k not in ("TMUX", "TMUX_PANE")}
        self.pid: int | None = None

    def run(self, *args: str, check: bool = True) -> str:
        done = subprocess.run(
            [self.tmux, "-L", self.socket, "-f", "/dev/null", *args],
            capture_output=True,
            text=True,
            env=self.env,
            check=check,
        )
        return done.stdout

    def start(self) -> None:
        command = "exec " + " ".join(_quote(a) for a in self.args)
        size = ["-x", str(WIDTH), "-y", str(HEIGHT)]
        self.run("new-session", "-d", "-s", self.name, *size, command, ";", "set-option", "remain-on-exit", "on")
        self.pid = int(self.run("display-message", "-p", "-t", self.name, "#{pane_pid}").strip())

    def close(self) -> None:
        self.run("kill-session", "-t", self.name, check=False)
        self.run("kill-server", check=False)
        socket = Path(f"/tmp/tmux-{os.getuid()}") / self.socket
        if os.environ.get("TMUX_TMPDIR"):
            socket = Path(os.environ["TMUX_TMPDIR"]) / f"tmux-{os.getuid()}" / self.socket
        socket.unlink(missing_ok=True)

    def screen(self) -> str:
        t0 = time.perf_counter()
        text = self.run("capture-pane", "-p", "-t", self.name, check=False)
        self.stats.captures.append(time.perf_counter() - t0)
        return text

    def dead(self) -> bool:
        return self.run("display-message", "-p", "-t", self.name, "#{pane_dead}", check=False).strip() == "1"

    def keys(self, *keys: str, literal: bool = False, repeat: int = 1) -> None:
        extra = ["-l"] if literal else []
        if repeat > 1:
            extra += ["-N", str(repeat)]
        self.run("send-keys", "-t", self.name, *extra, *keys)

    def wait(self, what: str, done: Callable[[str], bool], timeout: float, t0: float | None = None) -> Poll:
        """Poll the screen until ``done(screen)``; seconds are counted from ``t0`` (default: now)."""
        t0 = time.perf_counter() if t0 is None else t0
        cpu0, wall0 = _children_cpu(), time.perf_counter()
        try:
            return self._wait(what, done, timeout, t0)
        finally:
            self.stats.cpu += _children_cpu() - cpu0
            self.stats.wall += time.perf_counter() - wall0

    def _wait(self, what: str, done: Callable[[str], bool], timeout: float, t0: float) -> Poll:
        deadline = time.perf_counter() + timeout
        seen: set[str] = set()
        first = None
        progress = False
        screen = ""
        previous = None
        while True:
            started = time.perf_counter()
            if previous is not None:
                self.stats.intervals.append(started - previous)
            previous = started
            screen = self.screen()
            returned = time.perf_counter()
            seen.add(screen)
            status = status_of(screen)
            if done(screen):
                text, step = status or ("", -1)
                return Poll(returned - t0, text, step, len(seen), progress)
            if status is not None:
                if first is None:
                    first = status[1]
                progress = progress or status[1] != first or PROGRESS.search(screen) is not None
            if returned > deadline:
                raise TimedOut(what, screen, self.dead())
            time.sleep(max(0.0, started + self.poll - time.perf_counter()))

    def wait_status(self, what: str, pattern: re.Pattern[str], timeout: float, t0: float | None = None) -> Poll:
        def done(screen: str) -> bool:
            status = status_of(screen)
            return status is not None and pattern.match(status[0]) is not None

        return self.wait(what, done, timeout, t0)

    def rss(self) -> Rss:
        """VmRSS and VmHWM of the app, in MiB (None once it has gone)."""
        if self.pid is None:
            return None
        try:
            text = Path(f"/proc/{self.pid}/status").read_text()
        except OSError:
            return None
        values = dict(re.findall(r"^(VmRSS|VmHWM):\s+(\d+) kB", text, re.M))
        if "VmRSS" not in values:
            return None
        return int(values["VmRSS"]) / 1024, int(values.get("VmHWM", 0)) / 1024

    def quit(self) -> None:
        """Press q and give the app a few seconds to exit cleanly (a recording is drained on quit)."""
        self.keys("q")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not self.dead():
            time.sleep(0.1)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _quote(arg: str) -> str:
    return arg if re.fullmatch(r"[\w./:=@+-]+", arg) else "'" + arg.replace("'", "'\\''") + "'"


def revision() -> str:
    """The commit the installed (editable) code is at, and any uncommitted change under tui/."""
    root = Path(__file__).resolve().parents[1]
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "tui"], cwd=root, capture_output=True, text=True, check=True
        ).stdout.split("\n")
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    changed = sorted(line[3:] for line in dirty if line.strip())
    return f"commit {head}" + (f", uncommitted changes in {', '.join(changed)}" if changed else ", tui/ clean")


def binary() -> str:
    beside = Path(sys.executable).with_name("outage-tui")
    return str(beside) if beside.exists() else (shutil.which("outage-tui") or "outage-tui")


# -- the moves --------------------------------------------------------------------------------------


def ready(term: Terminal, timeout: float, status: str | None = None) -> None:
    """Wait for the first full frame: the header at step 0 and the dig panel (and a given status)."""

    def done(screen: str) -> bool:
        found = status_of(screen)
        return (
            found is not None
            and found[1] == 0
            and "NOERROR" in screen
            and (status is None or found[0].startswith(status))
        )

    term.wait("the app's first frame", done, timeout)


def go_to(term: Terminal, text: str, timeout: float) -> Poll:
    """``g``, type ``text``, then Enter; timed from Enter until the status line says ``at step``."""
    term.keys("g")
    term.wait("the go-to dialog", lambda s: "Go to time" in s, timeout)
    term.keys(text, literal=True)
    term.wait("the typed time", lambda s: "Go to time" in s and text in s and "23:47:49 or" not in s, timeout)
    t0 = time.perf_counter()
    term.keys("Enter")
    return term.wait_status(f"g {text}", AT_STEP, timeout, t0)


def back(term: Terminal, timeout: float) -> Poll:
    t0 = time.perf_counter()
    term.keys("b")
    return term.wait_status("b", BACK_TO, timeout, t0)


def fork(term: Terminal, timeout: float) -> Poll:
    """``f``, then Enter with the suggested name and no overrides; timed from Enter until ``forked``."""
    term.keys("f")
    term.wait("the fork dialog", lambda s: "Fork here" in s, timeout)
    t0 = time.perf_counter()
    term.keys("Enter")
    return term.wait_status("f", re.compile(r"^(forked|a fork named|fork refused)"), timeout, t0)


def switch_to_main(term: Terminal, timelines: int, timeout: float) -> None:
    """The fork tree (``t``): main is its first line; Up clamps there, Enter switches."""
    term.keys("t")
    term.wait("the fork tree", lambda s: "Forks · enter switch" in s, timeout)
    term.keys("Up", repeat=timelines + 2)
    term.keys("Enter")
    term.wait_status("switch to main", re.compile(r"^switched to main"), timeout)


# -- baselines --------------------------------------------------------------------------------------


def headless_cli(reach: str, timeout: float) -> tuple[float, int] | str:
    """``outage-tui run --until REACH --json``, timed end to end: seconds and the summary's steps."""
    t0 = time.perf_counter()
    try:
        done = subprocess.run(
            [binary(), "run", "--until", reach, "--json"], capture_output=True, text=True, timeout=timeout, check=True
        )
    except subprocess.TimeoutExpired:
        return f"timed out after {timeout:.0f} s"
    except subprocess.CalledProcessError as err:
        return f"failed (exit {err.returncode}): {err.stderr.strip()[-200:]}"
    seconds = time.perf_counter() - t0
    summary = json.loads(done.stdout.strip().splitlines()[-1])["summary"]
    return seconds, int(summary["steps"])


def python_json(script: str, args: list[str], timeout: float) -> dict | str:
    try:
        done = subprocess.run(
            [sys.executable, "-c", script, *args], capture_output=True, text=True, timeout=timeout, check=True
        )
    except subprocess.TimeoutExpired:
        return f"timed out after {timeout:.0f} s"
    except subprocess.CalledProcessError as err:
        return f"failed (exit {err.returncode}): {err.stderr.strip()[-300:]}"
    return json.loads(done.stdout.strip().splitlines()[-1])


# -- figures ----------------------------------------------------------------------------------------


@dataclass
class Forward:
    """One fresh app's forward move (or why it has none)."""

    poll: Poll | None = None
    error: str | None = None
    rss_start: Rss = None
    rss_end: Rss = None
    recorded_lines: int | None = None


def forward_run(reach: str, record: Path | None, opts: argparse.Namespace, stats: Stats) -> Forward:
    args = [binary(), "replay", "--paused"] + (["--record", str(record)] if record else [])
    term = Terminal(args, opts.poll, stats)
    out = Forward()
    try:
        term.start()
        ready(term, opts.timeout, "recording to" if record else None)
        out.rss_start = term.rss()
        out.poll = go_to(term, reach, opts.timeout)
        out.rss_end = term.rss()
        term.quit()
    except TimedOut as err:
        out.error = err.row()
    finally:
        term.close()
        if record is not None:
            if record.exists():
                out.recorded_lines = sum(1 for _ in record.open(encoding="utf-8"))
            record.unlink(missing_ok=True)
    return out


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(math.ceil(q * len(ordered)) - 1, 0)]


def spread(values: list[float]) -> str:
    if not values:
        return "no samples"
    return (
        f"median {statistics.median(values) * 1000:.0f} ms, p95 {percentile(values, 0.95) * 1000:.0f} ms, "
        f"max {max(values) * 1000:.0f} ms (n={len(values)})"
    )


def mib(rss: Rss) -> str:
    return "n/a (process gone)" if rss is None else f"{rss[0]:.1f} MiB (peak {rss[1]:.1f} MiB)"


def clock(seconds: float) -> str:
    return from_sim(seconds).strftime("%H:%M:%S")


def print_table(title: str, rows: list[tuple[str, str]]) -> None:
    print(f"\n{title}")
    print("-" * len(title))
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        lines = value.splitlines() or [""]
        print(f"  {name:<{width}}  {lines[0]}")
        for line in lines[1:]:
            print(f"  {'':<{width}}  {line}")


def part_forward(opts: argparse.Namespace, stats: Stats, expected: dict) -> tuple[Rss, Rss] | None:
    """Parts 1 and 3: fresh apps going forward, recording off and on, interleaved with the baselines."""
    reach = opts.reach
    plain: list[Forward] = []
    recorded: list[Forward] = []
    cli: list[float] = []
    inproc: list[float] = []
    notes: list[str] = []
    cli_steps = None
    for rep in range(opts.repeat):
        print(f"  [forward {rep + 1}/{opts.repeat}] UI, headless CLI, in-process, UI recording", file=sys.stderr)
        plain.append(forward_run(reach, None, opts, stats))
        result = headless_cli(reach, opts.timeout)
        if isinstance(result, str):
            notes.append(f"outage-tui run: {result}")
        else:
            cli.append(result[0])
            cli_steps = result[1]
        found = python_json(INPROCESS, [reach], opts.timeout)
        if isinstance(found, str):
            notes.append(f"in-process run: {found}")
        else:
            inproc.append(float(found["seconds"]))
        recording = Path(tempfile.gettempdir()) / f"outage-bench-{uuid.uuid4().hex[:8]}.jsonl"
        recorded.append(forward_run(reach, recording, opts, stats))

    ui = [f.poll.seconds for f in plain if f.poll]
    rec = [f.poll.seconds for f in recorded if f.poll]
    times = expected["times"]
    restore = expected["restore_s"]
    before = bisect.bisect_left(times, parse_sim(reach))
    rows: list[tuple[str, str]] = []

    def samples(values: list[float]) -> str:
        return ", ".join(f"{v:.2f}" for v in values) + " s"

    rows.append(
        (
            f"UI: g {reach} from a fresh app",
            f"best {min(ui):.2f} s, median {statistics.median(ui):.2f} s ({samples(ui)})" if ui else "no run finished",
        )
    )
    for n, run in enumerate(plain):
        if run.error:
            rows.append((f"  UI run {n + 1}", run.error))
    if cli:
        rows.append(("headless: outage-tui run --until --json", f"best {min(cli):.2f} s ({samples(cli)}), end to end"))
    if inproc:
        rows.append(("headless: run_headless in-process", f"best {min(inproc):.2f} s ({samples(inproc)})"))
    rows.append(
        (
            "one restore at the reached point",
            f"{restore * 1000:.0f} ms (median of 5; snapshot() {expected['snapshot_s'] * 1000:.0f} ms, "
            f"state {expected['snapshot_kib']:.0f} KiB)",
        )
    )
    if ui and cli:
        rows.append(("ratio UI / headless CLI", f"{min(ui) / min(cli):.2f}x (best over best)"))
    if ui and inproc:
        budget = 1.2 * (min(inproc) + restore)
        rows.append(("ratio UI / in-process", f"{min(ui) / min(inproc):.2f}x (best over best)"))
        rows.append(
            (
                "ratio UI / (in-process + restore)",
                f"{min(ui) / (min(inproc) + restore):.2f}x; target <= 1.20x, i.e. UI <= {budget:.2f} s: "
                + ("met" if min(ui) <= budget else f"missed by {min(ui) - budget:.2f} s"),
            )
        )
    polls = [f.poll for f in plain if f.poll]
    if polls:
        shown = [p.step for p in polls]
        headless = f"run --until {reach} took {cli_steps} steps; " if cli_steps is not None else ""
        rows.append(
            (
                "step reached",
                f"UI at step {', '.join(map(str, sorted(set(shown))))}, clock {clock(times[before - 1])}; {headless}"
                f"steps strictly before {reach}: {before}",
            )
        )
        progress = sum(p.progress for p in polls)
        rows.append(
            (
                "progress on screen while moving",
                f"{progress} of {len(polls)} moves showed any (a changed header step or a progress label); "
                f"distinct screens per move: {', '.join(str(p.screens) for p in polls)} "
                "(3 = the dialog, the screen without it, the result)",
            )
        )
    print_table(f"1. Forward into steps not yet simulated (fresh app, g {reach}, best of {opts.repeat})", rows)

    rows = [
        (f"UI: g {reach}, --record FILE", f"best {min(rec):.2f} s ({samples(rec)})" if rec else "no run finished"),
        (f"UI: g {reach}, not recording", f"best {min(ui):.2f} s ({samples(ui)})" if ui else "no run finished"),
    ]
    for n, run in enumerate(recorded):
        if run.error:
            rows.append((f"  recording run {n + 1}", run.error))
    if rec and ui:
        ratio = min(rec) / min(ui)
        rows.append(
            ("ratio on / off", f"{ratio:.2f}x (best over best); target <= 1.10x: {'met' if ratio <= 1.1 else 'missed'}")
        )
    lines = [f.recorded_lines for f in recorded if f.recorded_lines is not None]
    if lines:
        rows.append(("recording written", f"{', '.join(map(str, lines))} lines per file (files removed)"))
    print_table("3. Recording on against off (same move, fresh apps, interleaved with part 1)", rows)
    for note in notes:
        print(f"  note: {note}")

    rss = [(f.rss_start, f.rss_end) for f in plain if f.rss_start and f.rss_end]
    return rss[-1] if rss else None


def part_moves(opts: argparse.Namespace, stats: Stats, expected: dict, forward: tuple[Rss, Rss] | None = None) -> None:
    """Part 2 and 4: one app, the reached point, then go back / previous milestone / fork cycles."""
    times: list[float] = expected["times"]
    milestones: list[int] = expected["milestones"]
    reach = opts.reach
    reached = bisect.bisect_left(times, parse_sim(reach))
    low, high = int(parse_sim(START)), math.ceil(times[reached - 1])
    rng = random.Random(opts.seed)
    targets = [rng.randrange(low, high) for _ in range(opts.targets)]
    kinds: dict[str, list[float]] = {"g": [], "b": [], "f": [], "setup": []}
    mismatches: list[str] = []
    ignored: list[str] = []
    rows: list[tuple[str, str]] = []
    rss: dict[str, Rss] = {}
    cycles = 0
    aborted = ""
    term = Terminal([binary(), "replay", "--paused"], opts.poll, stats)
    timelines = 1
    try:
        term.start()
        ready(term, opts.timeout)
        rss["at start"] = term.rss()
        poll = go_to(term, reach, opts.timeout)
        rows.append((f"reaching {reach} first", f"{poll.seconds:.2f} s, at step {poll.step}"))
        if poll.step != reached:
            mismatches.append(f"g {reach}: at step {poll.step}, expected {reached}")
        rss["before the moves"] = term.rss()
        for n, target in enumerate(targets):
            print(f"  [moves {n + 1}/{len(targets)}] g {clock(target)}, b, f", file=sys.stderr)
            if n:
                switch_to_main(term, timelines, opts.timeout)
            setup = fork(term, opts.timeout)
            timelines += 1
            kinds["setup"].append(setup.seconds)
            text = clock(target)
            went = go_to(term, text, opts.timeout)
            kinds["g"].append(went.seconds)
            want = bisect.bisect_left(times, parse_sim(text))
            if went.step != want:
                mismatches.append(f"g {text}: at step {went.step}, expected {want}")
            here = went.step
            if any(m <= went.step for m in milestones):
                back_poll = back(term, opts.timeout)
                kinds["b"].append(back_poll.seconds)
                earlier = [m for m in milestones if m < went.step]
                want = earlier[-1] if earlier else 0
                if back_poll.step != want:
                    mismatches.append(f"b from step {went.step}: back to step {back_poll.step}, expected {want}")
                here = back_poll.step
            else:
                # No milestone has happened yet: the app disables b (its footer hides it) and the key does nothing.
                try:
                    back_poll = back(term, IGNORED_WAIT)
                    kinds["b"].append(back_poll.seconds)
                    here = back_poll.step
                except TimedOut:
                    ignored.append(f"g {text} (step {went.step}, before the first milestone)")
            forked = fork(term, opts.timeout)
            timelines += 1
            kinds["f"].append(forked.seconds)
            match = FORKED.match(forked.status)
            if match is None or int(match[3]) != here or forked.step != here:
                mismatches.append(f"f at step {here}: {forked.status!r}, header step {forked.step}")
            cycles += 1
        rss["after the moves"] = term.rss()
        term.quit()
    except TimedOut as err:
        aborted = err.row()
        rss.setdefault("after the moves", term.rss())
    finally:
        term.close()

    labels = {
        "g": "g HH:MM:SS (back), Enter to 'at step'",
        "b": "b (previous milestone) to 'back to step'",
        "f": "f Enter (fork here) to 'forked'",
        "setup": f"setup: f Enter on main at {reach}",
    }
    for kind, label in labels.items():
        values = kinds[kind]
        verdict = ""
        if values and kind != "setup":
            verdict = "; target p95 <= 300 ms: " + ("met" if percentile(values, 0.95) <= 0.3 else "missed")
        rows.append((label, spread(values) + verdict))
    rows.append(
        ("cycles completed", f"{cycles} of {len(targets)} (targets {clock(low)}..{clock(high)}, seed {opts.seed})")
    )
    if ignored:
        rows.append(
            (
                "b pressed, nothing happened",
                f"{len(ignored)}x within {IGNORED_WAIT:.0f} s, no milestone yet so the key is disabled (not timed): "
                + "; ".join(ignored),
            )
        )
    if aborted:
        rows.append(("stopped early", aborted))
    rows.append(
        (
            "result steps checked",
            "all as the headless run says"
            if not mismatches
            else f"{len(mismatches)} mismatches:\n" + "\n".join(mismatches),
        )
    )
    print_table(f"2. Moves within what was already simulated ({len(targets)} random targets)", rows)

    forks = timelines - 1
    rows = [(name, mib(value)) for name, value in rss.items()]
    before, after = rss.get("before the moves"), rss.get("after the moves")
    if before and after and forks:
        grown = after[0] - before[0]
        rows.append(
            (
                "growth over the moves",
                f"{grown:+.1f} MiB for {forks} forks ({grown / forks:+.2f} MiB per fork)",
            )
        )
    if forward:
        rows.append(("part 1's last fresh app", f"{mib(forward[0])} at start, {mib(forward[1])} after g {reach}"))
    print_table(f"4. Memory of the app process (VmRSS from /proc; {timelines} live timelines at the end)", rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", type=int, default=20, help="random go-back targets in part 2")
    parser.add_argument("--seed", type=int, default=1, help="seed of the targets")
    parser.add_argument("--repeat", type=int, default=3, help="fresh apps per long forward move (best of)")
    parser.add_argument("--reach", default="06:00", help="where the forward move goes (e.g. 06:00 or 15:20)")
    parser.add_argument("--poll", type=float, default=0.01, help="seconds between two screen captures")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds a move may take before it is a timeout")
    opts = parser.parse_args()
    if shutil.which("tmux") is None:
        sys.exit("needs tmux on PATH")
    if shutil.which(binary()) is None and not Path(binary()).exists():
        sys.exit("needs the installed outage-tui (pip install -e .)")

    print(f"outage-tui {binary()} in tmux {WIDTH}x{HEIGHT}; {os.cpu_count()} CPUs; load {os.getloadavg()[0]:.2f}")
    print(f"code measured: {revision()}")
    expected = python_json(EXPECTED, [opts.reach], 4 * opts.timeout)
    if isinstance(expected, str):
        sys.exit(f"the headless reference run {expected}")
    stats = Stats()
    forward = part_forward(opts, stats, expected)
    part_moves(opts, stats, expected, forward)
    if stats.intervals:
        print(
            f"\nnote: polling resolution: one capture every {statistics.median(stats.intervals) * 1000:.1f} ms "
            f"(median; p95 {percentile(stats.intervals, 0.95) * 1000:.1f} ms), one capture-pane takes "
            f"{statistics.median(stats.captures) * 1000:.1f} ms (median); times are to the capture that first "
            f"showed the result, so they are late by up to one interval. The tmux clients used "
            f"{stats.cpu / stats.wall * 100:.0f}% of one core while polling (the tmux server's share not counted). "
            f"Load at the end {os.getloadavg()[0]:.2f}."
        )


if __name__ == "__main__":
    main()
