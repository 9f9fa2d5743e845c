"""Plots of a sweep for slides: SVG and PNG per milestone and per invariant (matplotlib, Agg).

Importing this module needs matplotlib (the ``plots`` extra); the command
catches the ImportError and writes the data files alone. The ``Agg`` backend
is chosen before pyplot is imported so a sweep on a server without a display
never tries to open a window. Titles are plain words ("When EC2's leases
came back"), the milestone id in small print, because these go on slides.

Per milestone: a histogram (left) and the share of runs that had reached it
by each time (right, so a variant that reaches it in 16% of runs plateaus at
16%), variants overlaid, AWS's time as a vertical line. Per invariant: the
share of runs that broke it per variant with its 95% Wilson interval, and
how that share settled as runs accumulated (is N runs enough?), and the
share against each varied value. Per varied value and milestone that
follows it: one against the other, run by run. Milestone plots count the
runs that reached the sweep's ``given`` milestones, like its summary.

Why one module of this size: every figure shares one look (titles in plain words,
variants' colours, AWS's line, the ``Agg`` backend chosen before pyplot), and this is
the only module that imports matplotlib, so the optional extra stays in one place.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib.ticker import FuncFormatter, MaxNLocator

from tui.clock import from_sim, hhmm, parse_sim
from tui.sweep.stats import reached_all, seconds, wilson

#: Milestone -> what it means, in words for a slide title.
TITLES = {
    "dns.endpoint_empty": "When the DynamoDB endpoint went empty",
    "ddb.errors_start": "When DynamoDB errors began",
    "dns.restored": "When DynamoDB's DNS was restored",
    "ddb.cause_identified": "When engineers identified the DNS cause",
    "ddb.recovered": "When DynamoDB recovered",
    "dwfm.congestive_collapse": "When EC2's DropletWorkflow Manager collapsed",
    "dwfm.throttled": "When DWFM was throttled and restarted",
    "dwfm.leases_restored": "When EC2's droplet leases came back",
    "ec2.launches_recovered": "When EC2 launches recovered",
    "ec2.throttles_relaxed": "When EC2 throttles began to be relaxed",
    "ec2.recovered": "When EC2 fully recovered",
    "netmgr.latency_high": "When Network Manager fell behind",
    "netmgr.recovered": "When Network Manager caught up",
    "nlb.errors_start": "When NLB health checks began to fail",
    "nlb.failures_detected": "When NLB failures were detected",
    "nlb.failover_disabled": "When NLB automatic failover was disabled",
    "nlb.failover_reenabled": "When NLB automatic failover was re-enabled",
    "event.end": "When the whole event ended",
}

INVARIANT_TITLES = {
    "EndpointNeverEmpty": "How often a DynamoDB endpoint went empty",
    "NeverDeleteActive": "How often clean-up deleted the plan in use",
}

SERVICE_NAMES = {
    "lambda": "Lambda",
    "sts": "STS",
    "iam-signin": "IAM sign-in",
    "ecs-eks-fargate": "ECS/EKS/Fargate",
    "connect": "Connect",
    "redshift": "Redshift",
    "support": "Support",
}

COLOURS = ("#d62728", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f")


def title_of(milestone: str) -> str:
    """A milestone id in plain words."""
    if milestone in TITLES:
        return TITLES[milestone]
    service, _, what = milestone.partition(".")
    name = SERVICE_NAMES.get(service, service)
    if what == "impact_start":
        return f"When {name} was first impaired"
    if what == "recovered":
        return f"When {name} recovered"
    return f"{name}: {what.replace('_', ' ')}"


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name)


def _clock(seconds_: float, _pos: int) -> str:
    return hhmm(seconds_)


def _clock_seconds(seconds_: float, _pos: int) -> str:
    """Tick labels for a span of minutes, where HH:MM alone would repeat."""
    return from_sim(round(seconds_)).strftime("%H:%M:%S")


def of_interest(summary: dict[str, Any]) -> list[str]:
    """Milestones worth a plot: reached by some run and not an operator action fixed in time."""
    names = []
    for name in summary["variants"][0]["milestones"] if summary["variants"] else []:
        entries = [v["milestones"].get(name) for v in summary["variants"]]
        reached = [e for e in entries if e and e["reached"]]
        if not reached:
            continue
        if all(e["operator"] and e["p5"] == e["p95"] for e in reached):
            continue
        names.append(name)
    return names


def _save(fig: Any, directory: Path, stem: str) -> list[Path]:
    paths = [directory / f"{stem}.svg", directory / f"{stem}.png"]
    fig.savefig(paths[0], bbox_inches="tight")
    fig.savefig(paths[1], dpi=150, bbox_inches="tight")
    plt.close(fig)
    return paths


def milestone_plot(
    directory: Path, name: str, by_variant: list[list[dict[str, Any]]], names: list[str], summary: dict[str, Any]
) -> list[Path]:
    """Histogram and cumulative share of one milestone's time, variants overlaid, AWS's time marked."""
    fig, (hist, cdf) = plt.subplots(1, 2, figsize=(11, 4.2))
    times = [[seconds(r["milestones"][name]) for r in runs if r["milestones"].get(name)] for runs in by_variant]
    aws = summary["variants"][0]["milestones"].get(name, {}).get("aws")
    everything = [t for ts in times for t in ts] + ([parse_sim(aws)] if aws else [])
    low, high = min(everything), max(everything)
    margin = max(60.0, (high - low) * 0.05)
    low, high = low - margin, high + margin
    bins = min(40, max(10, int((high - low) // 60) or 10))
    for index, (label, ts) in enumerate(zip(names, times, strict=True)):
        colour = COLOURS[index % len(COLOURS)]
        runs = len(by_variant[index])
        if not ts:
            continue
        hist.hist(ts, bins=bins, range=(low, high), alpha=0.5, color=colour, label=f"{label} ({len(ts)} of {runs})")
        ordered = sorted(ts)
        shares = [(i + 1) / runs for i in range(len(ordered))]
        cdf.step([low, *ordered, high], [0, *shares, shares[-1]], where="post", color=colour, label=label)
    clock = _clock if high - low > 15 * 60 else _clock_seconds
    for axis in (hist, cdf):
        if aws:
            at = parse_sim(aws)
            axis.axvline(at, color="black", linestyle="--", linewidth=1.2, label=f"AWS: {aws} PDT")
        axis.xaxis.set_major_formatter(FuncFormatter(clock))
        axis.xaxis.set_major_locator(MaxNLocator(6))
        axis.set_xlim(low, high)
        axis.set_xlabel("time (PDT)")
    hist.set_ylabel("runs")
    hist.yaxis.set_major_locator(MaxNLocator(integer=True))
    cdf.set_ylabel("share of runs that had reached it")
    cdf.set_ylim(0, 1.02)
    hist.legend(fontsize=8)
    cdf.legend(fontsize=8, loc="upper left")
    fig.suptitle(f"{title_of(name)}\n", fontsize=13)
    seeds = f"seeds {summary['seeds'][0]}-{summary['seeds'][1]}"
    given = summary.get("given") or []
    among = f", the runs that reached {' and '.join(given)}" if given else ""
    fig.text(0.5, 0.9, f"{name}: {summary['policy']} policy, {seeds}{among}", ha="center", fontsize=8, color="dimgray")
    return _save(fig, directory, f"milestone-{_safe(name)}")


def invariant_plot(
    directory: Path, invariant: str, by_variant: list[list[dict[str, Any]]], names: list[str], summary: dict[str, Any]
) -> list[Path]:
    """Share of runs that broke an invariant per variant (95% interval), and how it settled over runs."""
    fig, (bars, running) = plt.subplots(1, 2, figsize=(11, 4.2))
    for index, (label, runs) in enumerate(zip(names, by_variant, strict=True)):
        colour = COLOURS[index % len(COLOURS)]
        broke = [invariant in r["violations"] for r in runs]
        count = sum(broke)
        rate = count / len(runs) if runs else 0.0
        low, high = wilson(count, len(runs))
        bars.bar(index, rate, color=colour, alpha=0.7)
        bars.errorbar(index, rate, yerr=[[max(0.0, rate - low)], [max(0.0, high - rate)]], color="black", capsize=6)
        bars.annotate(f"{count} of {len(runs)}", (index, high), ha="center", va="bottom", fontsize=9)
        xs, lows, highs, rates = [], [], [], []
        seen = 0
        for n, hit in enumerate(broke, start=1):
            seen += hit
            lo, hi = wilson(seen, n)
            xs.append(n)
            rates.append(seen / n)
            lows.append(lo)
            highs.append(hi)
        if xs:
            running.plot(xs, rates, color=colour, label=label)
            running.fill_between(xs, lows, highs, color=colour, alpha=0.15)
    bars.set_xticks(range(len(names)), [n if len(n) < 28 else n[:25] + "..." for n in names], fontsize=8)
    bars.set_ylabel("share of runs (95% interval)")
    bars.set_ylim(0, 1.05)
    running.set_xlabel("runs so far")
    running.set_ylabel("share of runs so far (95% interval)")
    running.set_ylim(0, 1.05)
    running.legend(fontsize=8)
    fig.suptitle(f"{INVARIANT_TITLES.get(invariant, invariant)}\n", fontsize=13)
    seeds = f"seeds {summary['seeds'][0]}-{summary['seeds'][1]}"
    fig.text(
        0.5,
        0.9,
        f"invariant {invariant}: {summary['policy']} policy, {seeds}",
        ha="center",
        fontsize=8,
        color="dimgray",
    )
    return _save(fig, directory, f"invariant-{_safe(invariant)}")


def _words(key: str) -> str:
    """A varied key for a title: ``operators.restore-dns.at`` -> "when restore-dns was done"."""
    parts = key.split(".")
    if len(parts) == 3 and parts[0] == "operators" and parts[2] == "at":
        return f"when {parts[1]} was done"
    return key


def _ranks(values: list[float]) -> list[float]:
    order = sorted(range(len(values)), key=values.__getitem__)
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2
        i = j + 1
    return ranks


def spearman(xs: list[float], ys: list[float]) -> float:
    """Rank correlation: does the milestone move with the varied value (in any monotone way)?"""
    if len(xs) < 3:
        return 0.0
    rx, ry = _ranks(xs), _ranks(ys)
    mx, my = sum(rx) / len(rx), sum(ry) / len(ry)
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    sx = sum((a - mx) ** 2 for a in rx) ** 0.5
    sy = sum((b - my) ** 2 for b in ry) ** 0.5
    return 0.0 if sx == 0 or sy == 0 else cov / (sx * sy)


#: How strongly a milestone must follow a varied value to get a plot of one against the other.
FOLLOWS = 0.5


def _drawn(record: dict[str, Any], key: str) -> float | None:
    for text in record["set"]:
        name, _, value = text.partition("=")
        if name == key:
            try:
                return float(value)
            except ValueError:
                return parse_sim(value) if ":" in value else None
    return None


def vary_plots(
    directory: Path, by_variant: list[list[dict[str, Any]]], names: list[str], milestones: list[str]
) -> list[Path]:
    """A milestone against a varied value, for each pair where one follows the other (|Spearman| >= 0.5).

    "When did leases come back, against when the throttle went in": the
    plot a what-if question asks for, drawn only where the sweep shows an
    effect, so a sweep of six ranges does not bury the slides in flat clouds.
    """
    keys = [text.partition("=")[0] for text in (by_variant[0][0]["set"] if by_variant and by_variant[0] else [])]
    written: list[Path] = []
    for key in keys:
        for name in milestones:
            series = []
            for runs in by_variant:
                pairs = [(_drawn(r, key), r["milestones"].get(name)) for r in runs]
                series.append([(x, seconds(y)) for x, y in pairs if x is not None and y])
            flat = [p for pts in series for p in pts]
            if len({x for x, _ in flat}) < 3 or abs(spearman([x for x, _ in flat], [y for _, y in flat])) < FOLLOWS:
                continue
            fig, axis = plt.subplots(figsize=(7, 4.5))
            for index, (label, points) in enumerate(zip(names, series, strict=True)):
                if points:
                    axis.scatter(*zip(*points, strict=True), s=12, alpha=0.6, color=COLOURS[index % len(COLOURS)],
                                 label=label)  # fmt: skip
            xs_are_times = any(":" in t.partition("=")[2] for t in by_variant[0][0]["set"] if t.startswith(key + "="))
            if xs_are_times:
                axis.xaxis.set_major_formatter(FuncFormatter(_clock))
            axis.yaxis.set_major_formatter(FuncFormatter(_clock))
            axis.set_xlabel(key + (" (PDT)" if xs_are_times else ""))
            axis.set_ylabel(f"{name} (PDT)")
            axis.legend(fontsize=8)
            axis.set_title(f"{title_of(name)},\nagainst {_words(key)}", fontsize=11)
            written += _save(fig, directory, f"vary-{_safe(key)}--{_safe(name)}")
    return written


#: At most this many bins of a varied value in a rate plot (fewer when the value takes fewer values).
RATE_BINS = 6


def _bins(values: list[float]) -> list[tuple[float, float]]:
    """Equal-width bins over the drawn values: one per distinct value when there are few of them."""
    distinct = sorted(set(values))
    if len(distinct) <= RATE_BINS:
        return [(v, v) for v in distinct]
    low, high = distinct[0], distinct[-1]
    width = (high - low) / RATE_BINS
    return [(low + i * width, low + (i + 1) * width) for i in range(RATE_BINS)]


def rate_plots(
    directory: Path, by_variant: list[list[dict[str, Any]]], names: list[str], summary: dict[str, Any]
) -> list[Path]:
    """Per invariant: the share of runs that broke it against each varied value, one panel per value.

    "How often did the endpoint go empty, against the timing jitter": each
    panel bins the runs by the value they drew and shows the share that
    broke the invariant in each bin with its 95% Wilson interval, so a flat
    panel (the value does not matter) reads as plainly as a rising one.
    Drawn for every invariant some run broke; invariants count every run.
    """
    keys = [text.partition("=")[0] for text in (by_variant[0][0]["set"] if by_variant and by_variant[0] else [])]
    written: list[Path] = []
    if not keys:
        return written
    for invariant in summary["invariants"]:
        if not any(invariant in r["violations"] for runs in by_variant for r in runs):
            continue
        columns = min(3, len(keys))
        rows = -(-len(keys) // columns)
        fig, axes = plt.subplots(rows, columns, figsize=(4.2 * columns, 3.3 * rows), squeeze=False)
        for panel, key in zip(axes.flat, keys, strict=False):
            drawn = [(_drawn(r, key), invariant in r["violations"]) for runs in by_variant for r in runs]
            bins = _bins([x for x, _ in drawn if x is not None])
            for index, (label, runs) in enumerate(zip(names, by_variant, strict=True)):
                points = [(x, broke) for x, broke in ((_drawn(r, key), invariant in r["violations"]) for r in runs)
                          if x is not None]  # fmt: skip
                xs, rates, lows, highs = [], [], [], []
                for number, (low, high) in enumerate(bins):
                    last = number == len(bins) - 1
                    inside = [b for x, b in points if low <= x < high or (x == high and (last or low == high))]
                    if not inside:
                        continue
                    lo, hi = wilson(sum(inside), len(inside))
                    rate = sum(inside) / len(inside)
                    xs.append((low + high) / 2)
                    rates.append(rate)
                    lows.append(max(0.0, rate - lo))
                    highs.append(max(0.0, hi - rate))
                colour = COLOURS[index % len(COLOURS)]
                panel.errorbar(xs, rates, yerr=[lows, highs], marker="o", capsize=4, color=colour, label=label)
            if any(":" in t.partition("=")[2] for t in by_variant[0][0]["set"] if t.startswith(key + "=")):
                panel.xaxis.set_major_formatter(
                    FuncFormatter(_clock if bins[-1][1] - bins[0][0] > 900 else _clock_seconds)
                )
                panel.xaxis.set_major_locator(MaxNLocator(4))
            panel.set_ylim(0, 1.05)
            panel.set_xlabel(key, fontsize=8)
            panel.set_ylabel("share of runs (95% interval)", fontsize=8)
        for panel in list(axes.flat)[len(keys) :]:
            panel.set_visible(False)
        axes.flat[0].legend(fontsize=7)
        fig.suptitle(f"{INVARIANT_TITLES.get(invariant, invariant)}, against each varied value", fontsize=12)
        fig.tight_layout()
        written += _save(fig, directory, f"rate-{_safe(invariant)}")
    return written


def write_plots(
    directory: Path, summary: dict[str, Any], records: list[dict[str, Any]], names: list[str]
) -> list[Path]:
    """Every plot of the sweep into ``directory``; returns the files written."""
    by_variant: list[list[dict[str, Any]]] = [[] for _ in names]
    for record in sorted(records, key=lambda r: (r["run"], r["variant"])):
        by_variant[record["variant"]].append(record)
    written: list[Path] = []
    for invariant in summary["invariants"]:
        written += invariant_plot(directory, invariant, by_variant, names, summary)
    written += rate_plots(directory, by_variant, names, summary)
    # Milestone times count the runs that reached the sweep's ``given`` milestones, as in the summary.
    given = summary.get("given") or []
    counted = [[r for r in runs if reached_all(r, given)] for runs in by_variant]
    for name in of_interest(summary):
        written += milestone_plot(directory, name, counted, names, summary)
    operators = {n for n, m in summary["variants"][0]["milestones"].items() if m["operator"]} if names else set()
    written += vary_plots(directory, counted, names, [m for m in of_interest(summary) if m not in operators])
    return written
