"""Counterexamples as session files (JSON Lines), and reading them back for shrinking.

The header names the scenario, its content hash, the overrides and the seed,
so a replay rebuilds the same world; ``"world": "dns-core"`` says the choice
indices refer to the explorer's world (the DNS core under the untimed
controller, :func:`tui.explore.model.open_core_simulation`). Then one line per
choice. The explorer's own keys (``invariant``, ``steps``) are extra
information a reader may ignore.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tui import __version__
from tui.errors import BadInput
from tui.explore.search import Counterexample
from tui.scenario import Scenario

FORMAT = "outage-tui-session"
VERSION = 1
WORLD = "dns-core"


def header(scenario: Scenario, seed: int, **extra: Any) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": VERSION,
        "scenario": scenario.id,
        "scenario_sha256": scenario.sha256,
        "overrides": list(scenario.overrides),
        "seed": seed,
        "policy": "manual",
        "tool_version": __version__,
        "world": WORLD,
        **extra,
    }


def write_session(path: Path, scenario: Scenario, seed: int, example: Counterexample) -> None:
    """One counterexample, appended and flushed line by line like every session file."""
    with path.open("w", encoding="utf-8") as out:
        head = header(scenario, seed, invariant=example.invariant, steps=len(example))
        out.write(json.dumps(head) + "\n")
        out.flush()
        for index in example.indices:
            out.write(json.dumps({"type": "choice", "index": index}) + "\n")
            out.flush()


def save_all(directory: Path, scenario: Scenario, seed: int, examples: Sequence[Counterexample]) -> list[Path]:
    """Every distinct counterexample, shortest first: ``01-EndpointNeverEmpty-17.jsonl``, ..."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise BadInput(f"--save {directory}: cannot create the directory: {err.strerror}") from None
    ordered = sorted(examples, key=len)
    paths = []
    for n, example in enumerate(ordered, 1):
        path = directory / f"{n:02d}-{example.invariant}-{len(example)}.jsonl"
        write_session(path, scenario, seed, example)
        paths.append(path)
    return paths


@dataclass(frozen=True)
class SessionFile:
    """What the explorer needs from a session: where it came from and its choices."""

    scenario: str
    scenario_sha256: str
    overrides: tuple[str, ...]
    seed: int
    choices: tuple[int, ...]
    world: str | None


def read_session(path: Path) -> SessionFile:
    """Read a session file; a torn last line is skipped, anything else malformed is bad input."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as err:
        raise BadInput(f"{path}: cannot read: {err.strerror}") from None
    except UnicodeDecodeError:
        raise BadInput(f"{path}: not a session file (bytes that are not UTF-8)") from None
    if not lines:
        raise BadInput(f"{path}: empty file, expected a session header")
    try:
        head = json.loads(lines[0])
    except json.JSONDecodeError:
        raise BadInput(f"{path}: line 1: not JSON, expected a session header") from None
    if not isinstance(head, dict) or head.get("format") != FORMAT:
        raise BadInput(f"{path}: line 1: not an {FORMAT} header")
    if head.get("version") != VERSION:
        raise BadInput(f"{path}: line 1: version {head.get('version')!r}, expected {VERSION}")
    choices: list[int] = []
    for number, line in enumerate(lines[1:], 2):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            if number == len(lines):
                break  # torn last line: a crash while writing it
            raise BadInput(f"{path}: line {number}: not JSON") from None
        if isinstance(entry, dict) and entry.get("type") == "choice":
            index = entry.get("index")
            if not isinstance(index, int) or index < 0:
                raise BadInput(f"{path}: line {number}: choice index {index!r}, expected an integer >= 0")
            choices.append(index)
    try:
        return SessionFile(
            scenario=str(head["scenario"]),
            scenario_sha256=str(head["scenario_sha256"]),
            overrides=tuple(str(o) for o in head.get("overrides", [])),
            seed=int(head["seed"]),
            choices=tuple(choices),
            world=head.get("world"),
        )
    except (KeyError, TypeError, ValueError) as err:
        raise BadInput(f"{path}: line 1: header field {err} missing or invalid") from None
