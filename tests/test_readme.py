"""The README's generated tables must match what the model produces today."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import Recorded
from tui.fidelity import fidelity_table, markdown

README = Path(__file__).resolve().parents[1] / "README.md"


def block(name: str) -> str:
    match = re.search(rf"<!-- {name}:start -->\n(.*?)\n<!-- {name}:end -->", README.read_text(), re.S)
    assert match, f"README has no {name} block"
    return match[1].strip()


def test_readme_fidelity_table_is_what_outage_tui_fidelity_prints(canonical: Recorded) -> None:
    assert block("fidelity") == markdown(fidelity_table(canonical.summary))


def test_readme_quick_start_is_two_lines_replay_then_tests() -> None:
    text = README.read_text()
    quick = re.search(r"## Quick start.*?```\n(.*?)```", text, re.S)
    assert quick, "no quick start block"
    lines = quick[1].strip().splitlines()
    assert len(lines) == 2
    assert "outage-tui" in lines[0] and "pytest" in lines[1]
