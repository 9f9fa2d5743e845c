"""The DNS race as AWS described it, and the fixes that close it."""

from __future__ import annotations

import pytest

from tests.conftest import Recorded, record
from tui.clock import parse_sim
from tui.scenario import load_scenario
from tui.sim.simulation import run_headless

REGIONAL = "dynamodb.us-east-1.amazonaws.com"


def at(summary_time: str | None) -> float:
    assert summary_time is not None
    from datetime import datetime

    from tui.clock import to_sim

    return to_sim(datetime.fromisoformat(summary_time))


def test_canonical_run_empties_the_regional_endpoint_at_2348(canonical: Recorded) -> None:
    empty = at(canonical.summary["milestones"]["dns.endpoint_empty"])
    assert abs(empty - parse_sim("23:48")) <= 120
    assert "NeverDeleteActive" in canonical.summary["violations"]
    assert "EndpointNeverEmpty" in canonical.summary["violations"]


def test_the_straggler_applies_a_stale_plan_then_cleanup_deletes_it(canonical: Recorded) -> None:
    deleted = canonical.of("violation")[0]
    assert deleted.data["invariant"] == "NeverDeleteActive" and deleted.component.startswith("cleanup/")
    stale = deleted.data["plan"]
    # The straggler checked "newer than applied" once, minutes before it applied the plan.
    checks = [e for e in canonical.of("plan.checked") if e.data["plan"] == stale]
    applies = [e for e in canonical.of("batch.applied") if e.data["plan"] == stale and e.data["endpoint"] == REGIONAL]
    assert checks and applies
    assert applies[-1].time - checks[0].time > 300
    assert checks[0].component == applies[-1].component
    # ...while newer plans had been issued and applied in between.
    newer = [e for e in canonical.of("plan.applied") if e.data["plan"] > stale and e.time < applies[-1].time]
    assert newer and newer[-1].component != applies[-1].component


def test_endpoint_stays_empty_and_unrepairable_until_the_operator_restores_it(canonical: Recorded) -> None:
    empty = at(canonical.summary["milestones"]["dns.endpoint_empty"])
    restored = at(canonical.summary["milestones"]["dns.restored"])
    assert abs(restored - parse_sim("02:25")) <= 120
    regional = [e for e in canonical.of("dns.published") if e.data["endpoint"] == REGIONAL]
    assert all(not e.data["records"] for e in regional if empty <= e.time < restored)
    assert not [
        e for e in canonical.of("batch.applied") if e.data["endpoint"] == REGIONAL and empty < e.time < restored
    ]
    aborted = [e for e in canonical.of("batch.aborted") if e.data["endpoint"] == REGIONAL and empty < e.time < restored]
    assert len({e.component for e in aborted}) == 3, "every Enactor tried and failed"
    assert all("rollback record cannot point at deleted plan" in e.data["reason"] for e in aborted)
    repaired = canonical.of("operator.repaired")
    assert repaired and repaired[0].data["endpoint"] == REGIONAL


def test_without_the_operator_the_endpoint_stays_empty_to_the_end() -> None:
    run = record(overrides=["operators.restore-dns.enabled=false"], until=parse_sim("06:00"))
    assert run.summary["milestones"]["dns.restored"] is None
    assert run.summary["dns_answer"] == []


def test_first_failed_client_resolution_follows_the_empty_answer(canonical: Recorded) -> None:
    errors = at(canonical.summary["milestones"]["ddb.errors_start"])
    empty = at(canonical.summary["milestones"]["dns.endpoint_empty"])
    assert empty <= errors <= empty + 60


def test_negative_answers_outlive_the_restore_by_their_ttl(canonical: Recorded) -> None:
    ttl = load_scenario("us-east-1-2025-10-20").get("dns.resolvers.negative_ttl_s")
    restored = at(canonical.summary["milestones"]["dns.restored"])
    last_nodata: dict[str, float] = {}
    for e in canonical.of("resolver.nodata"):
        last_nodata[e.data["resolver"]] = e.time
    recovered = {}
    for e in canonical.of("resolver.answer"):
        if e.time >= restored and e.data["resolver"] not in recovered:
            recovered[e.data["resolver"]] = e.time
    assert set(recovered) == set(last_nodata)
    for name, t in recovered.items():
        assert t - last_nodata[name] >= ttl  # a cached NODATA is served for its whole TTL
    assert max(recovered.values()) - restored > ttl / 2  # the tail is spread, not a step


FIXES = ["recheck_in_batch", "cleanup_protects_active", "rollback_tolerates_missing"]


@pytest.mark.parametrize("fix", FIXES)
def test_each_fix_alone_keeps_the_endpoint_answering_in_the_canonical_run(fix: str) -> None:
    summary = run_headless(load_scenario("us-east-1-2025-10-20", [f"fixes.{fix}=true"]), until=parse_sim("01:00"))
    assert summary["milestones"]["dns.endpoint_empty"] is None
    assert "EndpointNeverEmpty" not in summary["violations"]
    assert summary["dns_answer"]


def test_fixed_variant_never_empties_canonically() -> None:
    summary = run_headless(load_scenario("us-east-1-2025-10-20-fixed"), until=parse_sim("06:00"))
    assert summary["milestones"]["dns.endpoint_empty"] is None
    assert summary["violations"] == []


def random_runs(name: str, seeds: range, overrides: list[str] | None = None) -> list[dict]:
    scenario = load_scenario(name, overrides or [])
    return [run_headless(scenario, "random", seed, parse_sim("00:00")) for seed in seeds]


def test_random_seeds_sometimes_race_in_the_original_and_never_in_the_fixed() -> None:
    original = random_runs("us-east-1-2025-10-20", range(20))
    fixed = random_runs("us-east-1-2025-10-20-fixed", range(20))
    assert any(s["milestones"]["dns.endpoint_empty"] for s in original)
    assert not any(s["milestones"]["dns.endpoint_empty"] for s in fixed)
    assert len({s["trace_sha256"] for s in original}) == 20


@pytest.mark.slow
def test_fixed_variant_never_empties_under_500_random_seeds() -> None:
    runs = random_runs("us-east-1-2025-10-20-fixed", range(500))
    assert [s["seed"] for s in runs if s["milestones"]["dns.endpoint_empty"]] == []
    assert all("EndpointNeverEmpty" not in s["violations"] for s in runs)


@pytest.mark.slow
@pytest.mark.parametrize("fix", FIXES)
def test_each_fix_alone_keeps_the_endpoint_answering_under_100_random_seeds(fix: str) -> None:
    runs = random_runs("us-east-1-2025-10-20", range(100), [f"fixes.{fix}=true"])
    assert [s["seed"] for s in runs if s["milestones"]["dns.endpoint_empty"]] == []
