"""Statistics of a sweep: milestone distributions, violation rates, paired differences.

Percentiles are ``statistics.quantiles(..., method="inclusive")`` (linear
interpolation between order statistics, numpy's default), taken over the
runs that reached the milestone; the share that reached it is reported
beside them, so a milestone reached by 3 runs of 200 is never read as a
typical time. Violation rates get a 95% Wilson score interval, which stays
inside [0, 1] and is honest at 0 of 200, where the normal approximation
would claim certainty. Everything is computed from records sorted by run
index, so the summary is identical whatever the number of workers.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from tui.clock import iso, parse_sim, to_sim
from tui.fidelity import AWS_TIMES, OPERATOR_MILESTONES

#: z for a two-sided 95% interval.
Z95 = 1.959963984540054


def wilson(successes: int, trials: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of a proportion; (0, 1) when there are no trials."""
    if trials == 0:
        return 0.0, 1.0
    p = successes / trials
    denominator = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denominator
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == trials else min(1.0, centre + half)
    return low, high


def percentiles(values: Sequence[float]) -> tuple[float, float, float]:
    """(p5, median, p95) of at least one value."""
    if len(values) == 1:
        return values[0], values[0], values[0]
    cuts = statistics.quantiles(values, n=20, method="inclusive")
    return cuts[0], statistics.median(values), cuts[18]


def seconds(stamp: str) -> float:
    """An ISO-8601 milestone stamp as virtual seconds."""
    return to_sim(datetime.fromisoformat(stamp))


def _minutes(delta: float) -> float:
    return round(delta / 60, 1)


def milestone_stats(name: str, times: list[float], runs: int) -> dict[str, Any]:
    """Share reached, p5/median/p95 (ISO-8601 PDT) and their distance to AWS's time, in minutes."""
    aws = AWS_TIMES.get(name)
    out: dict[str, Any] = {
        "reached": len(times),
        "share": round(len(times) / runs, 4) if runs else 0.0,
        "p5": None,
        "median": None,
        "p95": None,
        "aws": aws,
        "operator": name in OPERATOR_MILESTONES,
    }
    if times:
        p5, median, p95 = percentiles(sorted(times))
        out.update(p5=iso(p5), median=iso(median), p95=iso(p95))
        if aws is not None:
            at = parse_sim(aws)
            out.update(
                p5_vs_aws_min=_minutes(p5 - at),
                median_vs_aws_min=_minutes(median - at),
                p95_vs_aws_min=_minutes(p95 - at),
                # AWS gives whole minutes; like `outage-tui fidelity`, compare to the nearest minute.
                aws_within_p5_p95=round((p5 - at) / 60) <= 0 <= round((p95 - at) / 60),
            )
    return out


def reached_all(record: dict[str, Any], given: Sequence[str]) -> bool:
    """Whether a run reached every milestone in ``given`` (always, when there is none)."""
    return all(record["milestones"].get(name) for name in given)


def given_stats(records: list[dict[str, Any]], given: Sequence[str]) -> dict[str, Any] | None:
    """How many runs met the condition (and each part of it), with its 95% Wilson interval; None without one."""
    if not given:
        return None
    count = sum(reached_all(r, given) for r in records)
    low, high = wilson(count, len(records))
    return {
        "milestones": list(given),
        "each": {name: sum(bool(r["milestones"].get(name)) for r in records) for name in given},
        "runs": count,
        "rate": round(count / len(records), 4) if records else 0.0,
        "ci95": [round(low, 4), round(high, 4)],
    }


def variant_stats(
    records: list[dict[str, Any]], invariants: Sequence[str], given: Sequence[str] = ()
) -> dict[str, Any]:
    """Per milestone and per invariant, over one variant's finished runs.

    Milestone times count only the runs that reached every milestone in
    ``given`` (a question about the incident AWS had is a question about
    the runs that had it); invariants count every run, so how often the
    condition itself came about stays in view.
    """
    runs = len(records)
    names: list[str] = []
    for record in records:
        names.extend(m for m in record["milestones"] if m not in names)
    counted = [r for r in records if reached_all(r, given)]
    milestones = {
        name: milestone_stats(
            name, [seconds(r["milestones"][name]) for r in counted if r["milestones"].get(name)], len(counted)
        )
        for name in names
    }
    violations = {}
    for invariant in invariants:
        count = sum(invariant in r["violations"] for r in records)
        low, high = wilson(count, runs)
        violations[invariant] = {
            "count": count,
            "rate": round(count / runs, 4) if runs else 0.0,
            "ci95": [round(low, 4), round(high, 4)],
        }
    return {"runs": runs, "given": given_stats(records, given), "milestones": milestones, "violations": violations}


def paired_stats(
    base: dict[int, dict[str, Any]], other: dict[int, dict[str, Any]], invariants: Sequence[str]
) -> dict[str, Any]:
    """Differences run by run (same seed, same drawn values): ``other`` minus ``base``.

    Per milestone: over the runs where both reached it, the difference's
    median, p5 and p95 in minutes; and how many runs reached it in one
    variant only. Per invariant: runs that broke it in each variant only.
    """
    common = sorted(set(base) & set(other))
    names: list[str] = []
    for run in common:
        for record in (base[run], other[run]):
            names.extend(m for m in record["milestones"] if m not in names)
    milestones: dict[str, Any] = {}
    for name in names:
        diffs = []
        only_base = only_other = 0
        for run in common:
            a, b = base[run]["milestones"].get(name), other[run]["milestones"].get(name)
            if a and b:
                diffs.append(seconds(b) - seconds(a))
            elif a:
                only_base += 1
            elif b:
                only_other += 1
        entry: dict[str, Any] = {"pairs": len(diffs), "only_base": only_base, "only_variant": only_other}
        if diffs:
            p5, median, p95 = percentiles(sorted(diffs))
            entry.update(median_min=_minutes(median), p5_min=_minutes(p5), p95_min=_minutes(p95))
        milestones[name] = entry
    violations = {}
    for invariant in invariants:
        in_base = {run for run in common if invariant in base[run]["violations"]}
        in_other = {run for run in common if invariant in other[run]["violations"]}
        violations[invariant] = {
            "only_base": len(in_base - in_other),
            "only_variant": len(in_other - in_base),
            "both": len(in_base & in_other),
        }
    return {"runs": len(common), "milestones": milestones, "violations": violations}


def summarise(
    records: list[dict[str, Any]],
    variant_names: Sequence[str],
    invariants: Sequence[str],
    given: Sequence[str] = (),
) -> dict[str, Any]:
    """Per-variant statistics (milestone times over the runs that reached ``given``) and paired differences.

    The paired differences compare every run of a variant with the same run
    of the first (the base), conditioned on nothing: a fix that prevents
    the condition is exactly what they should show.
    """
    by_variant: list[dict[int, dict[str, Any]]] = [{} for _ in variant_names]
    for record in sorted(records, key=lambda r: (r["run"], r["variant"])):
        by_variant[record["variant"]][record["run"]] = record
    variants = []
    for name, runs in zip(variant_names, by_variant, strict=True):
        variants.append({"name": name, **variant_stats([runs[i] for i in sorted(runs)], invariants, given)})
    paired = [
        {
            "variant": variant_names[i],
            "against": variant_names[0],
            **paired_stats(by_variant[0], by_variant[i], invariants),
        }
        for i in range(1, len(variant_names))
    ]
    return {"variants": variants, "paired": paired}
