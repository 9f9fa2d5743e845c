"""``outage-tui explore``: search the DNS core's interleavings from the command line.

Finding violations is the job, so the exit code is 0 whether or not any were
found; bad input (scenario, ``--set``, options, session file) is one line and
exit 2. With ``--json`` the last line is the summary object. Ctrl-C stops the
search where it is: the summary of what was searched so far is printed, with
``"complete": false``, and the exit code is 130 (the shell's code for an
interrupt), so a script can tell an interrupted search from a finished one.
"""

from __future__ import annotations

import json
import math
import signal
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any, TextIO

import trio

from tui.errors import BadInput
from tui.explore.bfs import Limits, Progress
from tui.explore.report import explain, save_all
from tui.explore.results import SearchResult
from tui.explore.shrink import shrink
from tui.explore.strategies import STRATEGIES, Settings, run_strategy
from tui.record.format import DNS_CORE, MAIN
from tui.record.reader import read_session, scenario_for
from tui.scenario import Scenario, load_scenario

#: The exit code of a search stopped by ctrl-C (128 + SIGINT).
INTERRUPTED = 130


@dataclass
class Options:
    """Every option of ``explore``, checked."""

    strategy: str = "exhaustive"
    max_runs: int | None = None
    max_seconds: float | None = None
    max_states: int | None = None
    #: Processes (None: one, or with ``--cluster`` every CPU the cluster has).
    workers: int | None = None
    cluster: str | None = None
    as_json: bool = False
    save: str | None = None
    seed: int = 0
    reduction: bool = True
    pct_changes: int = 3

    @property
    def split(self) -> bool:
        """Is the search to run over more than this process?"""
        return (self.workers or 1) > 1 or self.cluster is not None

    def check(self) -> None:
        if self.strategy not in STRATEGIES:
            raise BadInput(f"--strategy {self.strategy}: expected one of {', '.join(STRATEGIES)}")
        if self.max_runs is not None and self.max_runs < 1:
            raise BadInput(f"--max-runs {self.max_runs}: expected a number >= 1")
        if self.max_seconds is not None and not (self.max_seconds > 0 and math.isfinite(self.max_seconds)):
            raise BadInput(f"--max-seconds {self.max_seconds:g}: expected a number of seconds > 0")
        if self.max_states is not None and self.max_states < 1:
            raise BadInput(f"--max-states {self.max_states}: expected a number >= 1")
        if self.workers is not None and self.workers < 1:
            raise BadInput(f"--workers {self.workers}: expected a number >= 1")
        if self.pct_changes < 0:
            raise BadInput(f"--pct-changes {self.pct_changes}: expected a number >= 0")
        if self.split and self.strategy != "exhaustive":
            raise BadInput("--workers and --cluster split the exhaustive search: use them with --strategy exhaustive")


class Interrupt:
    """Ctrl-C as a request to stop: the search asks :meth:`__call__` and winds down, keeping what it found.

    A second ctrl-C is the default one again (it raises at once), for a
    search that does not come to a stop soon enough.
    """

    def __init__(self) -> None:
        self.requested = False

    def __call__(self) -> bool:
        return self.requested

    def _handle(self, _signum: int, _frame: FrameType | None) -> None:
        self.requested = True
        signal.signal(signal.SIGINT, signal.default_int_handler)

    @contextmanager
    def installed(self) -> Iterator[Interrupt]:
        try:
            previous = signal.signal(signal.SIGINT, self._handle)
        except ValueError:  # not the main thread (a test runner's worker): no ctrl-C to catch
            yield self
            return
        try:
            yield self
        finally:
            signal.signal(signal.SIGINT, previous)


class ProgressLine:
    """One line on stderr, rewritten in place: states, states/s, depth, queue, time; only on a terminal."""

    def __init__(self, label: str, stream: TextIO | None = None) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty()
        self._width = 0

    def __call__(self, p: Progress) -> None:
        if not self.enabled:
            return
        rate = p.states / p.elapsed_s if p.elapsed_s > 0 else 0.0
        text = (
            f"{self.label}: {p.states:,} states, {rate:,.0f} states/s, depth {p.depth}, "
            f"queue {p.queue:,}, {p.transitions:,} steps, {p.elapsed_s:.0f} s"
        )
        self.stream.write("\r" + text.ljust(self._width))
        self.stream.flush()
        self._width = len(text)

    def clear(self) -> None:
        if self.enabled and self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()
            self._width = 0


def _print_result(result: SearchResult, saved: list[Path], scenario: Scenario, interrupted: bool) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(title=f"explore ({result.strategy})", show_header=False)
    table.add_column("field", style="bold")
    table.add_column("value", overflow="fold")
    table.add_row("runs", f"{result.runs:,}")
    table.add_row("distinct states", f"{result.states:,}")
    table.add_row("steps explored", f"{result.transitions:,}")
    if result.workers > 1:
        table.add_row("workers", str(result.workers))
    if result.strategy == "exhaustive":
        how = "complete" if result.complete else ("interrupted (ctrl-C)" if interrupted else "stopped at a limit")
        table.add_row("search", how)
    for name, count in result.summary()["violations"].items():  # type: ignore[union-attr]
        table.add_row(name, f"{count} violating state(s)" if count else "no violation found")
    table.add_row("elapsed", f"{result.elapsed_s:.2f} s ({result.states_per_s:,.0f} states/s)")
    console.print(table)
    shortest = result.shortest
    if shortest is None:
        console.print("No counterexample.")
    else:
        exact = "the shortest there is" if result.exact else "the shortest found"
        console.print(
            f"Shortest counterexample ({shortest.invariant}, {len(shortest.components)} chosen steps, "
            f"{len(shortest)} in all; {exact}):"
        )
        _print_steps(console, scenario, shortest)
    for path in saved:
        console.print(f"saved {path} and {path.with_suffix('.md').name}")


def _print_steps(console: Any, scenario: Scenario, example: Any) -> None:
    """Each step in words, and under it what it changed (before → after)."""
    for step in explain(scenario, example):
        console.print(f"  {step.number:3d}. {step.component}: {step.action}", markup=False, highlight=False)
        for change in step.changes:
            console.print(f"         {change.words()}", markup=False, highlight=False, style="dim")


def explore_command(
    scenario: str,
    overrides: list[str],
    options: Options,
    shrink_session: str | None = None,
) -> int:
    """The body of ``outage-tui explore`` (run inside the CLI's ``guarded``); returns the exit code."""
    options.check()
    if options.cluster is not None:
        from tui.explore.parallel import import_ray

        import_ray()  # without the extra: one line naming it, before any work
    if shrink_session is not None:
        if options.split:
            raise BadInput("--workers and --cluster split the exhaustive search, not --shrink")
        return _shrink_command(Path(shrink_session), options)
    loaded = load_scenario(scenario, overrides)
    bounded = options.max_runs is not None or options.max_states is not None or options.max_seconds is not None
    if options.strategy == "exhaustive" and not loaded.get("dns.max_plans") and not bounded:
        raise BadInput(
            "dns.max_plans is 0 (the Planner never stops): exhaustive search needs a bound, "
            "e.g. --set dns.max_plans=5, or --max-states N or --max-seconds S"
        )
    interrupt = Interrupt()
    limits = Limits(max_states=options.max_states, max_seconds=options.max_seconds, cancelled=interrupt)
    line = ProgressLine(f"explore {options.strategy}")
    settings = Settings(
        max_runs=options.max_runs,
        seed=options.seed,
        reduction=options.reduction,
        pct_changes=options.pct_changes,
        workers=options.workers,
        cluster=options.cluster,
        limits=limits,
        progress=line,
    )
    with interrupt.installed():
        try:
            result = run_strategy(loaded, options.strategy, settings)
        finally:
            line.clear()
    saved = (
        save_all(Path(options.save), loaded, loaded.get("scenario.seed"), result.counterexamples)
        if options.save
        else []
    )
    if options.as_json:
        for path in saved:
            print(json.dumps({"saved": str(path)}))
        print(json.dumps({"summary": result.summary()}))
    else:
        _print_result(result, saved, loaded, interrupt.requested)
    return INTERRUPTED if interrupt.requested else 0


def _shrink_command(path: Path, options: Options) -> int:
    """Read a session with the recorder's reader; refuse one that is not of the explorer's world."""
    session = read_session(path)
    header = session.header
    if header.world != DNS_CORE:
        raise BadInput(
            f"{path}: recorded in the {header.world!r} world; --shrink needs a session of the explorer's "
            f"{DNS_CORE!r} world (saved by explore --save, or recorded from one in the replay UI)"
        )
    loaded = scenario_for(session)
    from tui.record.replay import plans

    choices = [entry.index for entry in plans(session)[MAIN].choices]
    interrupt = Interrupt()
    limits = Limits(max_states=options.max_states, max_seconds=options.max_seconds, cancelled=interrupt)
    line = ProgressLine("explore --shrink")
    started = time.perf_counter()
    with interrupt.installed():
        try:
            found = trio.run(
                lambda: shrink(loaded, choices, max_runs=options.max_runs or 20000, limits=limits, progress=line)
            )
        finally:
            line.clear()
    if found is None:
        raise BadInput(f"{path}: the session breaks no invariant of the DNS core, nothing to shrink")
    example = found.example
    saved = save_all(Path(options.save), loaded, header.seed, [example]) if options.save else []
    elapsed = time.perf_counter() - started
    summary: dict[str, Any] = {
        "strategy": "shrink",
        "runs": found.runs,
        "states": found.states,
        "violations": {found.invariant: 1},
        "shortest_counterexample": list(example.steps),
        "elapsed_s": round(found.elapsed_s, 3),
        "complete": found.proven,
        "transitions": found.transitions,
        "states_per_s": round(found.states / elapsed, 1) if elapsed > 0 else 0.0,
        "workers": 1,
    }
    if options.as_json:
        for p in saved:
            print(json.dumps({"saved": str(p)}))
        print(json.dumps({"summary": summary}))
    else:
        proof = "shortest possible" if found.proven else "shortest found (the search stopped at a limit)"
        print(f"{found.invariant}: {found.original} choices shrunk to {len(example)} steps ({proof}):")
        from rich.console import Console

        _print_steps(Console(), loaded, example)
        for p in saved:
            print(f"saved {p} and {p.with_suffix('.md').name}")
    return INTERRUPTED if interrupt.requested else 0


__all__ = ["INTERRUPTED", "Options", "explore_command"]
