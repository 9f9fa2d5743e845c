"""Fidelity: how close a run's milestones land to AWS's published times.

``fidelity_table(summary)`` compares the milestones of a run summary (as
``outage-tui run --json`` prints it) with the times in AWS's post-event
summary and its write-ups; ``python -m tui.fidelity`` runs the canonical
scenario and prints the comparison as a Markdown table, so the README's
table is generated from the model, never typed by hand.

Milestones that *are* operator actions land exactly on their scheduled time
by construction; they are listed for context and marked as such. Only the
others say anything about the model, and the canonical run should land each
of them within ``TOLERANCE_MIN`` minutes.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tui.clock import hhmm, parse_sim, to_sim

#: How far (minutes) a non-operator milestone may land from AWS's time.
TOLERANCE_MIN = 15

#: Milestone -> AWS's time (PDT, HH:MM; 23:xx is 19 Oct) or None when AWS gives none.
AWS_TIMES: dict[str, str | None] = {
    "dns.endpoint_empty": "23:48",
    "ddb.errors_start": "23:48",
    "ddb.cause_identified": "00:38",
    "dns.restored": "02:25",
    "ddb.recovered": "02:40",
    "dwfm.congestive_collapse": None,
    "dwfm.throttled": "04:14",
    "dwfm.leases_restored": "05:28",
    "nlb.errors_start": "05:30",
    "netmgr.latency_high": "06:21",
    "nlb.failures_detected": "06:52",
    "nlb.failover_disabled": "09:36",
    "netmgr.recovered": "10:36",
    "ec2.launches_recovered": "10:37",
    "ec2.throttles_relaxed": "11:23",
    "ec2.recovered": "13:50",
    "nlb.failover_reenabled": "14:09",
    "event.end": "14:20",
    "iam-signin.impact_start": "23:51",
    "iam-signin.recovered": "01:25",
    "sts.impact_start": "23:51",
    "sts.recovered": "09:59",
    "lambda.impact_start": "23:51",
    "lambda.recovered": "14:15",
    "ecs-eks-fargate.impact_start": "23:45",
    "ecs-eks-fargate.recovered": "14:20",
    "connect.impact_start": "23:56",
    "connect.recovered": "13:20",
    "redshift.impact_start": "23:47",
    "redshift.recovered": "02:21",
    "support.impact_start": "23:49",
    "support.recovered": "02:24",
}

#: Milestones that record an operator action (they land on the schedule by construction).
OPERATOR_MILESTONES = frozenset(
    {
        "ddb.cause_identified",
        "dwfm.throttled",
        "nlb.failover_disabled",
        "ec2.throttles_relaxed",
        "nlb.failover_reenabled",
    }
)

#: What to show when AWS gives no time.
NOTES = {"dwfm.congestive_collapse": "after 02:25 (no time given)"}


@dataclass(frozen=True)
class Row:
    """One milestone: AWS's time, the run's, and the difference in whole minutes."""

    milestone: str
    aws: str | None
    simulated: str | None
    difference_min: int | None
    operator: bool

    @property
    def within_tolerance(self) -> bool | None:
        """True/False for a non-operator milestone AWS dated; None when there is nothing to compare."""
        if self.operator or self.aws is None:
            return None
        return self.difference_min is not None and abs(self.difference_min) <= TOLERANCE_MIN

    def cells(self) -> tuple[str, str, str, str]:
        """The row as text: milestone, AWS time, simulated time, difference (for any table renderer)."""
        aws = self.aws or NOTES.get(self.milestone, "-")
        simulated = self.simulated or "never"
        if self.operator:
            diff = "operator action"
        elif self.difference_min is None:
            diff = "-"
        else:
            diff = f"{self.difference_min:+d} min" if self.difference_min else "0 min"
        return self.milestone, aws, simulated, diff


def _hhmm(stamp: str) -> str:
    """An ISO stamp as HH:MM, rounded to the nearest minute like the difference."""
    return hhmm(round(to_sim(datetime.fromisoformat(stamp)) / 60) * 60)


def fidelity_table(summary: dict[str, Any]) -> list[Row]:
    """Rows for every milestone AWS dated or the run reports, in AWS's order first."""
    milestones: dict[str, str | None] = summary.get("milestones", {})
    names = list(AWS_TIMES) + [m for m in milestones if m not in AWS_TIMES]
    rows = []
    for name in names:
        aws = AWS_TIMES.get(name)
        stamp = milestones.get(name)
        difference = None
        if aws is not None and stamp is not None:
            simulated_s = to_sim(datetime.fromisoformat(stamp))
            difference = round((simulated_s - parse_sim(aws)) / 60)
        rows.append(Row(name, aws, None if stamp is None else _hhmm(stamp), difference, name in OPERATOR_MILESTONES))
    return rows


def markdown(rows: list[Row]) -> str:
    """The table as Markdown: milestone, AWS time, simulated time, difference."""
    lines = ["| Milestone | AWS (PDT) | Simulated (PDT) | Difference |", "|---|---|---|---|"]
    for row in rows:
        milestone, aws, simulated, diff = row.cells()
        lines.append(f"| `{milestone}` | {aws} | {simulated} | {diff} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run a scenario (the canonical one by default) and print its fidelity table."""
    from tui.scenario import DEFAULT_SCENARIO, load_scenario
    from tui.sim.simulation import run_headless

    args = sys.argv[1:] if argv is None else argv
    summary = run_headless(load_scenario(args[0] if args else DEFAULT_SCENARIO))
    rows = fidelity_table(summary)
    print(markdown(rows))
    outside = [r.milestone for r in rows if r.within_tolerance is False]
    if outside:
        print(f"\nOutside +/-{TOLERANCE_MIN} min: {', '.join(outside)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
