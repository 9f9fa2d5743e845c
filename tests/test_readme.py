"""The README's generated tables must match what the model produces today."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.conftest import Recorded
from tui.sweep.fidelity import OUTSIDE, markdown, report

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
#: The default sweep's summary the README's fidelity block is made from (``pytest -m slow`` runs it again).
FIDELITY_SWEEP = ROOT / "docs" / "sweeps" / "fidelity" / "summary.json"


def block(name: str) -> str:
    match = re.search(rf"<!-- {name}:start -->\n(.*?)\n<!-- {name}:end -->", README.read_text(), re.S)
    assert match, f"README has no {name} block"
    return match[1].strip()


def test_readme_fidelity_block_is_the_canonical_run_beside_the_committed_sweep(canonical: Recorded) -> None:
    summary = json.loads(FIDELITY_SWEEP.read_text())
    assert block("fidelity") == report(canonical.summary, summary)
    # Its first four columns are what `outage-tui fidelity` prints.
    from tui.fidelity import fidelity_table
    from tui.fidelity import markdown as canonical_table

    table = block("fidelity").split("\n\n")[0]
    first = [line.rsplit("|", 3)[0] + "|" for line in table.splitlines()[2:]]
    assert first == canonical_table(fidelity_table(canonical.summary)).splitlines()[2:]


def test_every_milestone_named_outside_is_outside_and_none_other(canonical: Recorded) -> None:
    summary = json.loads(FIDELITY_SWEEP.read_text())
    _, outside = markdown(canonical.summary, summary)
    assert set(outside) == set(OUTSIDE)


def test_readme_quick_start_is_two_lines_replay_then_tests() -> None:
    text = README.read_text()
    quick = re.search(r"## Quick start.*?```\n(.*?)```", text, re.S)
    assert quick, "no quick start block"
    lines = quick[1].strip().splitlines()
    assert len(lines) == 2
    assert "outage-tui" in lines[0] and "pytest" in lines[1]


def test_the_fidelity_recipe_prints_the_readme_block(capsys: pytest.CaptureFixture[str]) -> None:
    from tui.sweep import fidelity

    recipe = re.search(r"^python -m tui\.sweep\.fidelity (\S+)", README.read_text(), re.M)
    assert recipe and recipe[1] == "docs/sweeps/fidelity"
    assert fidelity.main([str(ROOT / recipe[1])]) == 0
    assert capsys.readouterr().out.strip() == block("fidelity")
