"""Heavy sweeps (``pytest -m slow``): the fixes under 200 timings, the Ray engine, fidelity over 1,000 timings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tui.cli import app
from tui.sweep.fidelity import OUTSIDE

runner = CliRunner()

pytestmark = pytest.mark.slow


def sweep_json(*args: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    result = runner.invoke(app, ["sweep", "--json", *args])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    return lines[:-1], lines[-1]["summary"]


def test_fixed_variant_never_empties_the_endpoint_over_200_runs_while_the_original_does() -> None:
    # The race is over by 00:00 (the endpoint empties at 23:47-23:48 when it does), so runs stop there.
    _, summary = sweep_json(
        "--runs", "200", "--until", "00:00", "--workers", "2", "--compare", "us-east-1-2025-10-20-fixed"
    )
    original, fixed = summary["variants"]
    assert original["runs"] == fixed["runs"] == 200
    assert original["violations"]["EndpointNeverEmpty"]["count"] > 0
    assert fixed["violations"]["EndpointNeverEmpty"]["count"] == 0
    assert fixed["violations"]["EndpointNeverEmpty"]["ci95"][1] < 0.02


def test_cluster_on_a_local_ray_gives_the_same_runs_as_local_workers() -> None:
    pytest.importorskip("ray")
    args = ["--runs", "4", "--until", "23:50", "--vary", "controller.random_jitter=0.2..0.8"]
    on_ray = runner.invoke(app, ["sweep", "--json", "--cluster", "local", *args])
    assert on_ray.exit_code == 0, on_ray.output
    local = runner.invoke(app, ["sweep", "--json", "--workers", "1", *args])
    assert on_ray.stdout == local.stdout


def test_aws_lies_within_p5_p95_of_the_default_sweep_for_every_milestone_not_named_outside() -> None:
    # The README's fidelity block comes from this sweep's committed summary; run it again from the runs.
    committed = json.loads((Path(__file__).resolve().parents[1] / "docs/sweeps/fidelity/summary.json").read_text())
    _, summary = sweep_json("--runs", str(committed["runs"]))
    base = summary["variants"][0]
    assert base["given"] == committed["variants"][0]["given"] and base["given"]["runs"] > 100
    assert base["milestones"] == committed["variants"][0]["milestones"]
    emergent = [name for name, m in base["milestones"].items() if not m["operator"] and m["aws"] is not None]
    assert set(OUTSIDE) < set(emergent)
    for name in emergent:
        assert base["milestones"][name]["aws_within_p5_p95"] is (name not in OUTSIDE), name
