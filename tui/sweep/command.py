"""``outage-tui sweep``: build the sweep, run it with progress, print and write what it found.

Kept out of ``tui/cli.py`` so the command line only parses options; this
module ties the parts together (spec -> engine -> ordered output -> stats ->
tables, files and plots) and owns the ctrl-c contract: the finished runs are
kept, the summary says ``"complete": false`` and the exit code is 130.
"""

from __future__ import annotations

import json
import sys
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from tui.clock import iso
from tui.errors import BadInput
from tui.sweep.engine import execute
from tui.sweep.output import InOrder, OutDir, print_tables, run_line
from tui.sweep.spec import SweepSpec, build_spec
from tui.sweep.stats import summarise

#: Exit code after ctrl-c, as a shell reports a process ended by SIGINT.
INTERRUPTED = 130


def _invariants() -> tuple[str, ...]:
    from tui.sim.world import INVARIANTS

    return tuple(INVARIANTS)


def make_summary(spec: SweepSpec, records: list[dict[str, Any]], complete: bool) -> dict[str, Any]:
    """The final summary object (``summary.json``, the last ``--json`` line)."""
    invariants = _invariants()
    stats = summarise(records, [v.name for v in spec.variants], invariants, spec.given)
    for variant, entry in zip(spec.variants, stats["variants"], strict=True):
        entry["scenario"] = variant.scenario
        entry["overrides"] = list(variant.overrides)
    counts = [v["runs"] for v in stats["variants"]]
    return {
        "complete": complete,
        "runs": spec.runs,
        "runs_finished": min(counts) if counts else 0,
        "policy": spec.policy,
        "seeds": [spec.seed_from, spec.seed_from + spec.runs - 1],
        "until": None if spec.until is None else iso(spec.until),
        "set": list(spec.sets),
        "vary": [r.describe() for r in spec.ranges],
        "given": list(spec.given),
        "invariants": list(invariants),
        **stats,
    }


def _progress(total: int, enabled: bool) -> tuple[AbstractContextManager[Any], Any]:
    """A Rich progress bar on stderr (runs/s, time left), or nothing when stderr is not a terminal."""
    if not enabled:
        return nullcontext(), None
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        ProgressColumn,
        Task,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )
    from rich.text import Text

    class RunsPerSecond(ProgressColumn):
        """Throughput, the figure that says whether more workers would help."""

        def render(self, task: Task) -> Text:
            speed = task.finished_speed or task.speed
            return Text("- runs/s" if speed is None else f"{speed:.2f} runs/s")

    progress = Progress(
        TextColumn("sweep"),
        BarColumn(),
        MofNCompleteColumn(),
        RunsPerSecond(),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    return progress, progress.add_task("sweep", total=total)


def sweep_command(
    scenario: str,
    runs: int,
    seed_from: int,
    policy: str | None,
    sets: list[str],
    vary: list[str],
    compare: list[str],
    workers: int | None,
    cluster: str | None,
    as_json: bool,
    out: str | None,
    until: float | None,
    given: list[str] | None = None,
) -> int:
    """Run the sweep; return the exit code (0, or 130 after ctrl-c)."""
    if workers is not None and cluster is not None:
        raise BadInput(f"--cluster {cluster}: runs on Ray's workers, expected no --workers with it")
    if workers is not None and workers < 1:
        raise BadInput(f"--workers {workers}: expected a whole number >= 1")
    if cluster is not None and not cluster.strip():
        raise BadInput("--cluster: expected a Ray address (host:port, ray://host:port, auto) or local")
    spec, _base = build_spec(scenario, runs, seed_from, policy, sets, vary, compare, until, given)
    if cluster is not None:
        from tui.sweep.engine import _ray

        _ray()  # fail now, in one line, if the extra is missing
    jobs = spec.jobs()
    names = [v.name for v in spec.variants]
    commands = {(j.run, j.variant): spec.command(j) for j in jobs}
    directory = OutDir(out) if out is not None else None
    write = sys.stdout.write
    records: list[dict[str, Any]] = []

    def emit(record: dict[str, Any]) -> None:
        records.append(record)
        line = run_line(record, names, commands[(record["run"], record["variant"])])
        if as_json:
            write(json.dumps(line) + "\n")
        if directory is not None:
            directory.write_run(line)

    ordered = InOrder(len(names), emit)
    bar, task = _progress(len(jobs), sys.stderr.isatty())
    with bar:

        def on_result(record: dict[str, Any]) -> None:
            ordered.add(record)
            if task is not None:
                bar.advance(task)

        complete = execute(jobs, workers, cluster, on_result)
    ordered.flush()
    summary = make_summary(spec, records, complete)
    if as_json:
        write(json.dumps({"summary": summary}) + "\n")
    else:
        print_tables(summary)
    if directory is not None:
        directory.finish(summary)
        _plots(directory, summary, records, names)
    if not complete:
        sys.stderr.write(f"outage-tui: interrupted: {summary['runs_finished']} of {runs} runs per variant kept\n")
        return INTERRUPTED
    return 0


def _plots(directory: OutDir, summary: dict[str, Any], records: list[dict[str, Any]], names: list[str]) -> None:
    """Write the plots, or say which extra they need; the data files are written either way."""
    try:
        from tui.sweep.plots import write_plots
    except ImportError:
        sys.stderr.write(
            f"outage-tui: wrote {directory.path}/runs.jsonl and summary.json; "
            "plots need matplotlib: pip install 'outage-tui[plots]'\n"
        )
        return
    written = write_plots(directory.path, summary, records, names)
    sys.stderr.write(f"outage-tui: wrote {directory.path}: runs.jsonl, summary.json and {len(written)} plot files\n")
