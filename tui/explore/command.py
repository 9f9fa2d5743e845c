"""``outage-tui explore``: search the DNS core's interleavings from the command line.

Finding violations is the job, so the exit code is 0 whether or not any were
found; bad input (scenario, ``--set``, options, session file) is one line and
exit 2. With ``--json`` the last line is the summary object.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import trio

from tui.errors import BadInput
from tui.explore.search import STRATEGIES, SearchResult, exhaustive, pct, random_walk, shrink
from tui.explore.sessions import read_session, save_all, write_session
from tui.scenario import load_scenario

#: Runs of a randomised strategy when ``--max-runs`` is not given.
DEFAULT_RANDOM_RUNS = 1000


@contextmanager
def _progress(enabled: bool, label: str, total: int | None) -> Iterator[Callable[[int, int], None] | None]:
    """A rich progress bar on a terminal, nothing otherwise (pipes and ``--json`` stay clean)."""
    if not enabled:
        yield None
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    columns = [TextColumn("[bold]{task.description}"), BarColumn(), TextColumn("{task.fields[info]}")]
    with Progress(*columns, TimeElapsedColumn(), transient=True) as bar:
        task = bar.add_task(label, total=total, info="")

        def update(runs: int, states: int) -> None:
            bar.update(task, completed=runs, info=f"{runs} runs, {states} states")

        yield update


def _print_result(result: SearchResult, saved: list[Path]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(title=f"explore ({result.strategy})", show_header=False)
    table.add_column("field", style="bold")
    table.add_column("value", overflow="fold")
    table.add_row("runs", str(result.runs))
    table.add_row("distinct states", str(result.states))
    table.add_row("steps explored", str(result.transitions))
    if result.strategy == "exhaustive":
        table.add_row("search", "complete" if result.complete else "stopped at --max-runs")
    for name, count in result.summary()["violations"].items():  # type: ignore[union-attr]
        table.add_row(name, f"{count} violating state(s)" if count else "no violation found")
    table.add_row("elapsed", f"{result.elapsed_s:.2f} s")
    console.print(table)
    shortest = result.shortest
    if shortest is None:
        console.print("No counterexample.")
    else:
        console.print(f"Shortest counterexample ({shortest.invariant}, {len(shortest)} steps):")
        for n, step in enumerate(shortest.steps, 1):
            console.print(f"  {n:3d}. {step}")
    for path in saved:
        console.print(f"saved {path}")


def explore_command(
    scenario: str,
    overrides: list[str],
    strategy: str,
    max_runs: int | None,
    as_json: bool,
    save: str | None,
    shrink_session: str | None,
    seed: int,
    reduction: bool,
    pct_changes: int,
) -> None:
    """The body of ``outage-tui explore`` (run inside the CLI's ``guarded``)."""
    if strategy not in STRATEGIES:
        raise BadInput(f"--strategy {strategy}: expected one of {', '.join(STRATEGIES)}")
    if max_runs is not None and max_runs < 1:
        raise BadInput(f"--max-runs {max_runs}: expected a number >= 1")
    if pct_changes < 0:
        raise BadInput(f"--pct-changes {pct_changes}: expected a number >= 0")
    if shrink_session is not None:
        _shrink_command(Path(shrink_session), max_runs, as_json, save)
        return
    loaded = load_scenario(scenario, overrides)
    if strategy == "exhaustive" and not loaded.get("dns.max_plans") and max_runs is None:
        raise BadInput(
            "dns.max_plans is 0 (the Planner never stops): exhaustive search needs a bound, "
            "e.g. --set dns.max_plans=5, or --max-runs N"
        )
    tty = sys.stdout.isatty() and not as_json
    total = max_runs if strategy == "exhaustive" else (max_runs or DEFAULT_RANDOM_RUNS)
    with _progress(tty, f"explore {strategy}", total) as progress:
        if strategy == "exhaustive":
            result = trio.run(lambda: exhaustive(loaded, reduction=reduction, max_runs=max_runs, progress=progress))
        elif strategy == "random":
            runs = max_runs or DEFAULT_RANDOM_RUNS
            result = trio.run(lambda: random_walk(loaded, seed=seed, max_runs=runs, progress=progress))
        else:
            runs = max_runs or DEFAULT_RANDOM_RUNS
            result = trio.run(lambda: pct(loaded, seed=seed, max_runs=runs, changes=pct_changes, progress=progress))
    saved = save_all(Path(save), loaded, loaded.get("scenario.seed"), result.counterexamples) if save else []
    if as_json:
        for path in saved:
            print(json.dumps({"saved": str(path)}))
        print(json.dumps({"summary": result.summary()}))
    else:
        _print_result(result, saved)


def _shrink_command(path: Path, max_runs: int | None, as_json: bool, save: str | None) -> None:
    session = read_session(path)
    loaded = load_scenario(session.scenario, list(session.overrides))
    if loaded.sha256 != session.scenario_sha256:
        raise BadInput(
            f"{path}: scenario {session.scenario} has changed since the session was recorded "
            f"(session {session.scenario_sha256[:12]}, now {loaded.sha256[:12]})"
        )
    if session.world not in (None, "dns-core"):
        raise BadInput(f"{path}: world {session.world!r}, expected 'dns-core' (a session saved by explore)")
    found = trio.run(lambda: shrink(loaded, session.choices, max_runs=max_runs or 20000))
    if found is None:
        raise BadInput(f"{path}: the session breaks no invariant of the DNS core, nothing to shrink")
    example = found.example
    saved: list[Path] = []
    if save:
        directory = Path(save)
        saved = save_all(directory, loaded, session.seed, [example])
    summary: dict[str, Any] = {
        "strategy": "shrink",
        "runs": found.runs,
        "states": found.states,
        "violations": {found.invariant: 1},
        "shortest_counterexample": list(example.steps),
        "elapsed_s": round(found.elapsed_s, 3),
    }
    if as_json:
        for p in saved:
            print(json.dumps({"saved": str(p)}))
        print(json.dumps({"summary": summary}))
        return
    proof = "shortest possible" if found.proven else "shortest found (search stopped at --max-runs)"
    print(f"{found.invariant}: {found.original} choices shrunk to {len(example)} steps ({proof}):")
    for n, step in enumerate(example.steps, 1):
        print(f"  {n:3d}. {step}")
    for p in saved:
        print(f"saved {p}")


__all__ = ["explore_command", "write_session"]
