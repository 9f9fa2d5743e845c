"""Fidelity as a distribution: the canonical fidelity table with a sweep's p5 and p95 beside it.

``python -m tui.sweep.fidelity DIR`` reads ``DIR/summary.json`` (from
``outage-tui sweep --out DIR``), runs the canonical scenario, and prints the
``outage-tui fidelity`` table with two more columns: the sweep's p5 and p95
of each milestone (over the runs that reached it, with the share that did),
and lists every emergent milestone whose AWS time falls outside them. One run
landing near AWS's time could be luck; AWS's time inside the spread of
plausible timings says the model does not depend on one lucky schedule.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from tui.fidelity import fidelity_table


def _hhmm(stamp: str | None) -> str:
    return "-" if stamp is None else stamp[11:16]


def markdown(canonical: dict[str, Any], summary: dict[str, Any]) -> tuple[str, list[str]]:
    """The table and the emergent milestones whose AWS time lies outside the sweep's p5..p95."""
    stats = summary["variants"][0]["milestones"]
    lines = [
        "| Milestone | AWS (PDT) | Simulated (PDT) | Difference | Sweep p5 | Sweep p95 |",
        "|---|---|---|---|---|---|",
    ]
    outside = []
    for row in fidelity_table(canonical):
        milestone, aws, simulated, diff = row.cells()
        entry = stats.get(milestone, {})
        share = f" ({entry['share'] * 100:.0f}%)" if entry.get("reached") and entry["share"] < 1 else ""
        lines.append(
            f"| `{milestone}` | {aws} | {simulated} | {diff} | {_hhmm(entry.get('p5'))}{share} | "
            f"{_hhmm(entry.get('p95'))} |"
        )
        if not row.operator and entry.get("aws_within_p5_p95") is False:
            outside.append(milestone)
    return "\n".join(lines), outside


def main(argv: list[str] | None = None) -> int:
    """Print the table for a sweep's ``--out`` directory."""
    from tui.scenario import load_scenario
    from tui.sim.simulation import run_headless

    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m tui.sweep.fidelity DIR (a sweep's --out directory)", file=sys.stderr)
        return 2
    summary = json.loads((Path(args[0]) / "summary.json").read_text(encoding="utf-8"))
    base = summary["variants"][0]
    canonical = run_headless(load_scenario(base["scenario"], base.get("overrides", [])))
    table, outside = markdown(canonical, summary)
    print(table)
    if outside:
        print(f"\nAWS's time outside the sweep's p5..p95: {', '.join(outside)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
