"""A sweep's output: per-run lines in run order, the readable tables, the ``--out`` files.

Results arrive in whatever order the workers finish; :class:`InOrder` holds
each one back until every run before it has arrived, so ``--json`` and
``runs.jsonl`` are byte-identical whatever the number of workers or engine.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from rich.console import Console
from rich.table import Table

from tui.errors import BadInput


class InOrder:
    """Release records in (run, variant) order as soon as no earlier one is missing."""

    def __init__(self, variants: int, emit: Callable[[dict[str, Any]], None]) -> None:
        self.variants = variants
        self.emit = emit
        self.waiting: dict[tuple[int, int], dict[str, Any]] = {}
        self.next = (0, 0)

    def add(self, record: dict[str, Any]) -> None:
        self.waiting[(record["run"], record["variant"])] = record
        while self.next in self.waiting:
            self.emit(self.waiting.pop(self.next))
            run, variant = self.next
            self.next = (run, variant + 1) if variant + 1 < self.variants else (run + 1, 0)

    def flush(self) -> None:
        """After an interruption: the finished runs past a gap, still in order."""
        for key in sorted(self.waiting):
            self.emit(self.waiting.pop(key))


def run_line(record: dict[str, Any], names: list[str], command: str) -> dict[str, Any]:
    """A record as printed: the variant by name and the command that re-runs it alone."""
    return {**record, "variant": names[record["variant"]], "command": command}


class OutDir:
    """``--out DIR``: runs.jsonl written as runs come (in order), summary.json at the end."""

    def __init__(self, path: str) -> None:
        self.path = Path(path)
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            self._runs: TextIO = (self.path / "runs.jsonl").open("w", encoding="utf-8")
        except OSError as err:
            raise BadInput(f"--out {path}: cannot write: {err.strerror}") from None

    def write_run(self, line: dict[str, Any]) -> None:
        self._runs.write(json.dumps(line) + "\n")

    def finish(self, summary: dict[str, Any]) -> None:
        self._runs.close()
        (self.path / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")


def _hm(stamp: str | None) -> str:
    return "-" if stamp is None else stamp[11:19]


def _signed(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:+.0f}" if abs(value) >= 1 else f"{value:+.1f}"


def _rate(entry: dict[str, Any]) -> str:
    low, high = entry["ci95"]
    return f"{entry['rate'] * 100:.1f}% [{low * 100:.1f}-{high * 100:.1f}]"


def print_tables(summary: dict[str, Any], console: Console | None = None) -> None:
    """The summary as Rich tables: milestones per variant, invariants, paired differences."""
    if console is None:
        # Piped or redirected, Rich would assume 80 columns and truncate milestone names.
        console = Console()
        if not console.is_terminal:
            console = Console(width=max(console.width, 132))
    status = "" if summary["complete"] else " (INCOMPLETE: interrupted)"
    console.print(
        f"[bold]Sweep[/bold] {summary['runs_finished']} of {summary['runs']} runs per variant{status}, "
        f"policy {summary['policy']}, seeds {summary['seeds'][0]}-{summary['seeds'][1]}"
        + (f", varying {', '.join(summary['vary'])}" if summary["vary"] else "")
    )
    for variant in summary["variants"]:
        title = f"{variant['name']}: {variant['runs']} runs (times PDT, differences in minutes)"
        given = variant.get("given")
        if given:
            title = (
                f"{variant['name']}: times over the {given['runs']} of {variant['runs']} runs that reached "
                f"{' and '.join(given['milestones'])}, {_rate(given)} (PDT, differences in minutes)"
            )
        table = Table(title=title, header_style="bold")
        for column in ("milestone", "reached", "p5", "median", "p95", "AWS", "median-AWS", "p5..p95 - AWS"):
            table.add_column(column, justify="left" if column == "milestone" else "right", no_wrap=True)
        never = []
        for name, m in variant["milestones"].items():
            if not m["reached"]:
                never.append(name)
                continue
            spread = "-"
            if "p5_vs_aws_min" in m:
                inside = "" if m["aws_within_p5_p95"] else " (AWS outside)"
                spread = f"{_signed(m['p5_vs_aws_min'])}..{_signed(m['p95_vs_aws_min'])}{inside}"
            table.add_row(
                name + (" (operator)" if m["operator"] else ""),
                f"{m['share'] * 100:.0f}%",
                _hm(m["p5"]),
                _hm(m["median"]),
                _hm(m["p95"]),
                m["aws"] or "-",
                _signed(m.get("median_vs_aws_min")),
                spread,
            )
        console.print(table)
        if never:
            console.print(f"never reached: {', '.join(never)}")
    table = Table(title="Invariants broken (share of runs, 95% Wilson interval)", header_style="bold")
    table.add_column("invariant")
    for variant in summary["variants"]:
        table.add_column(variant["name"], justify="right")
    for invariant in summary["invariants"]:
        table.add_row(invariant, *(_rate(v["violations"][invariant]) for v in summary["variants"]))
    console.print(table)
    for pair in summary["paired"]:
        table = Table(
            title=f"{pair['variant']} minus {pair['against']}, run by run ({pair['runs']} paired runs, minutes)",
            header_style="bold",
        )
        for column in ("milestone", "both reached", "median", "p5..p95", "only base", "only variant"):
            table.add_column(column, justify="left" if column == "milestone" else "right", no_wrap=True)
        for name, m in pair["milestones"].items():
            if not (m["pairs"] or m["only_base"] or m["only_variant"]):
                continue
            window = f"{_signed(m['p5_min'])}..{_signed(m['p95_min'])}" if m["pairs"] else "-"
            table.add_row(
                name, str(m["pairs"]), _signed(m.get("median_min")), window, str(m["only_base"]), str(m["only_variant"])
            )
        for invariant, v in pair["violations"].items():
            table.add_row(f"broke {invariant}", str(v["both"]), "", "", str(v["only_base"]), str(v["only_variant"]))
        console.print(table)
