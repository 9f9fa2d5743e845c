"""The recording guide's recipes run as written.

Every ``outage-tui export`` and ``outage-tui run`` line in a shell block of
docs/recording.md, and of the README's recording section, is run verbatim
(its trailing comment aside) in a directory holding the session files the
recipes name: the race recorded headless to 23:50 with a note and a fork
that lets a fresh Enactor move where the delayed one wrote its stale plan.
(The ``replay`` lines open the UI; the UI tests drive those.) Identical lines
run once.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tui.clock import parse_sim
from tui.record import record_headless
from tui.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
BLOCK = re.compile(r"```sh\n(.*?)```", re.S)
#: Sessions the recipes read, made here since the recipes record them by hand in the UI.
SESSIONS = ("talk.jsonl", "race.jsonl")
FORK_AT = 1446  # main's next move is the delayed Enactor's stale write


def recording_section(readme: str) -> str:
    start = readme.index("## Record, annotate and export a talk")
    return readme[start : readme.index("\n## ", start + 1)]


def recipes() -> list[str]:
    texts = [(ROOT / "docs" / "recording.md").read_text(), recording_section((ROOT / "README.md").read_text())]
    found: dict[str, None] = {}
    for text in texts:
        for block in BLOCK.findall(text):
            for line in block.splitlines():
                if line.startswith(("outage-tui export ", "outage-tui run ")):
                    found[line.split("  #")[0].split(" # ")[0].strip()] = None
    return list(found)


RECIPES = recipes()


def test_the_guide_has_the_export_recipes() -> None:
    formats = {re.search(r"--to (\w+)", r)[1] for r in RECIPES if r.startswith("outage-tui export ")}
    assert formats == {"cast", "svg", "md", "trace"}
    assert any("--frames notes" in r for r in RECIPES)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    where = tmp_path_factory.mktemp("recipes")
    path = where / SESSIONS[0]
    record_headless(load_scenario(), path, until=parse_sim("23:50"))
    extra = [
        {"type": "note", "step": FORK_AT + 1, "text": "The stale plan goes in"},
        {"type": "fork", "name": "fresh-first", "parent": "main", "at_step": FORK_AT, "overrides": []},
        {"type": "choice", "index": 1},
        *({"type": "choice", "index": 0} for _ in range(40)),
        {"type": "note", "step": FORK_AT + 41, "text": "The fresh plan stays"},
    ]
    with path.open("a", encoding="utf-8") as out:
        out.writelines(json.dumps(entry) + "\n" for entry in extra)
    for other in SESSIONS[1:]:
        shutil.copy(path, where / other)
    return where


def output_of(args: list[str]) -> str | None:
    for flag in ("-o", "--record"):
        if flag in args:
            return args[args.index(flag) + 1]
    return None


# Playing a talk in the headless app (cast, SVG) takes seconds a line: those run in the slow set, once.
@pytest.mark.parametrize(
    "recipe",
    [pytest.param(r, marks=pytest.mark.slow) if re.search(r"--to (cast|svg)", r) else r for r in RECIPES],
)
def test_recipe_runs_as_written(recipe: str, workdir: Path) -> None:
    args = shlex.split(recipe)
    proc = subprocess.run(
        [sys.executable, "-m", "tui.cli", *args[1:]], cwd=workdir, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    out = output_of(args)
    if out is None:
        assert proc.stdout.strip()
        return
    target = workdir / out
    if out.endswith("/"):
        frames = sorted(target.glob("*.svg"))
        assert frames and f"{out}: {len(frames)} SVG frames" in proc.stdout
        if "--frames notes" in recipe:
            assert [f.name[4:8] for f in frames] == ["note", "fork", "note"]
    else:
        assert target.stat().st_size > 0
    if "--to trace" in recipe:
        assert any(e["ph"] == "X" for e in json.loads(target.read_text())["traceEvents"])
    if "--to md" in recipe:
        text = target.read_text()
        assert "- **Stale plan written** at " in text and "- **Diverges from `main`** at " in text
