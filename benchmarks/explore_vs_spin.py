"""Time to the first counterexample and to exhaustive verification: ``outage-tui explore`` vs Spin.

Both sides check the same configuration: one regional endpoint, two Enactors
(each with its clean-up), a Planner issuing five plans, clean-up threshold two
(the scope of the public Spin model of the race), with the same untimed
semantics. Our side runs the real Trio components; Spin runs the Promela
model in ``benchmarks/spin/dns_race.pml``. Spin's time is end to end:
generate the verifier (``spin -a``), compile it (``gcc``), run it (``./pan``).

    python benchmarks/explore_vs_spin.py [--scope brief|small] [--fix recheck_in_batch]

Needs ``spin`` (Debian package ``spin``) and ``gcc`` on the PATH.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import trio

from tui.explore.search import exhaustive, explore_graph, random_walk
from tui.scenario import load_scenario

HERE = Path(__file__).resolve().parent
MODEL = HERE / "spin" / "dns_race.pml"
ONE_ENDPOINT = 'dns.endpoints=["dynamodb.us-east-1.amazonaws.com"]'
SCOPES = {
    "brief": {"E": 2, "MAXP": 5, "THRESH": 2},
    "small": {"E": 2, "MAXP": 3, "THRESH": 1},
}
FIX_MACROS = {
    "recheck_in_batch": "RECHECK",
    "cleanup_protects_active": "PROTECT",
    "rollback_tolerates_missing": "TOLERANT",
}


def spin(scope: dict[str, int], fix: str | None) -> dict[str, object]:
    """Generate, compile and run Spin's verifier; stop at the first assertion violation."""
    defines = [f"-D{k}={v}" for k, v in scope.items()]
    if fix:
        defines.append(f"-D{FIX_MACROS[fix]}")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        shutil.copy(MODEL, work / MODEL.name)
        started = time.perf_counter()
        subprocess.run(["spin", "-a", *defines, MODEL.name], cwd=work, check=True, capture_output=True)
        generated = time.perf_counter()
        subprocess.run(["gcc", "-O2", "-DSAFETY", "-o", "pan", "pan.c"], cwd=work, check=True, capture_output=True)
        compiled = time.perf_counter()
        out = subprocess.run(["./pan"], cwd=work, check=True, capture_output=True, text=True).stdout
        finished = time.perf_counter()
    states = re.search(r"(\d+) states, stored", out)
    errors = re.search(r"errors: (\d+)", out)
    return {
        "total_s": finished - started,
        "generate_s": generated - started,
        "compile_s": compiled - generated,
        "search_s": finished - compiled,
        "states": int(states[1]) if states else None,
        "errors": int(errors[1]) if errors else None,
    }


def ours_first(overrides: list[str], order_seed: int | None = None) -> dict[str, object]:
    """Exhaustive DFS until the first violation (scenario loading included)."""
    started = time.perf_counter()
    scenario = load_scenario("us-east-1-2025-10-20", overrides)
    graph, result = trio.run(lambda: explore_graph(scenario, stop_at_first=True, order_seed=order_seed))
    return {
        "total_s": time.perf_counter() - started,
        "runs": result.runs,
        "states": result.states,
        "found": any(graph.first_violations.values()),
    }


def ours_random_first(overrides: list[str]) -> dict[str, object]:
    started = time.perf_counter()
    scenario = load_scenario("us-east-1-2025-10-20", overrides)
    runs = 0
    for seed in range(1000):
        result = trio.run(lambda s=seed: random_walk(scenario, seed=s, max_runs=1, keep=0))
        runs += 1
        if result.first_counterexample_s is not None:
            break
    return {"total_s": time.perf_counter() - started, "runs": runs}


def ours_exhaustive(overrides: list[str], reduction: bool = True) -> dict[str, object]:
    started = time.perf_counter()
    scenario = load_scenario("us-east-1-2025-10-20", overrides)
    result = trio.run(lambda: exhaustive(scenario, reduction=reduction, keep=0))
    return {
        "total_s": time.perf_counter() - started,
        "runs": result.runs,
        "states": result.states,
        "complete": result.complete,
        "violations": sum(result.violations.values()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scope", choices=sorted(SCOPES), default="brief")
    parser.add_argument("--fix", choices=sorted(FIX_MACROS), default="recheck_in_batch")
    args = parser.parse_args()
    for tool in ("spin", "gcc"):
        if shutil.which(tool) is None:
            sys.exit(f"explore_vs_spin: {tool} not found (apt-get install -y spin gcc)")
    scope = SCOPES[args.scope]
    overrides = [
        f"dns.enactors={scope['E']}",
        f"dns.max_plans={scope['MAXP']}",
        f"dns.cleanup_threshold={scope['THRESH']}",
        ONE_ENDPOINT,
    ]
    fixed = [*overrides, f"fixes.{args.fix}=true"]
    print(f"scope: {args.scope} ({scope}), fixed variant: fixes.{args.fix}", flush=True)

    spin_bug = spin(scope, None)
    spin_fix = spin(scope, args.fix)
    first = ours_first(overrides)
    shuffled = sorted((ours_first(overrides, seed) for seed in range(5)), key=lambda r: r["total_s"])  # type: ignore[arg-type, return-value]
    rnd = ours_random_first(overrides)
    verified = ours_exhaustive(fixed)

    def row(label: str, ours: float, theirs: float, note: str) -> None:
        print(f"{label:<38} {ours:>10.2f} s {theirs:>10.2f} s {ours / theirs:>9.2f}x  {note}")

    print(f"{'':<38} {'explore':>12} {'spin':>12} {'ratio':>10}")
    row(
        "first counterexample (exhaustive DFS)",
        first["total_s"],  # type: ignore[arg-type]
        spin_bug["total_s"],  # type: ignore[arg-type]
        f"ours {first['runs']} runs / {first['states']} states; spin {spin_bug['states']} states, "
        f"errors {spin_bug['errors']}",
    )
    median = shuffled[len(shuffled) // 2]
    row(
        "first counterexample (DFS, 5 move orders)",
        median["total_s"],  # type: ignore[arg-type]
        spin_bug["total_s"],  # type: ignore[arg-type]
        "median of seeded move orders 0-4; fastest {:.2f} s, slowest {:.2f} s".format(
            shuffled[0]["total_s"],
            shuffled[-1]["total_s"],
        ),
    )
    row(
        "first counterexample (random walk)",
        rnd["total_s"],  # type: ignore[arg-type]
        spin_bug["total_s"],  # type: ignore[arg-type]
        f"ours {rnd['runs']} runs",
    )
    row(
        "exhaustive verification, fixed variant",
        verified["total_s"],  # type: ignore[arg-type]
        spin_fix["total_s"],  # type: ignore[arg-type]
        f"ours {verified['runs']} runs / {verified['states']} states, complete={verified['complete']}, "
        f"violations {verified['violations']}; spin {spin_fix['states']} states, errors {spin_fix['errors']}",
    )
    print(
        f"spin end to end = generate {spin_fix['generate_s']:.2f} s + compile {spin_fix['compile_s']:.2f} s"
        f" + search {spin_fix['search_s']:.2f} s (fixed variant)"
    )


if __name__ == "__main__":
    main()
