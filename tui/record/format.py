"""The session file format: JSON Lines, one header then one line per entry.

A session is everything needed to reopen a run exactly on another machine:
which scenario (by id and content hash, plus ``--set`` overrides), the seed,
the policy, and then every move in the order it was made::

    {"format": "outage-tui-session", "version": 2, "scenario": "us-east-1-2025-10-20",
     "scenario_sha256": "20f2...", "overrides": [], "seed": 20251020, "policy": "canonical",
     "tool_version": "0.1.0"}
    {"type": "choice", "index": 0}
    {"type": "control", "action": "pause", "step": 812}
    {"type": "fork", "name": "slow-az2", "parent": "main", "at_step": 800, "overrides": ["..."]}
    {"type": "note", "step": 812, "text": "The stale plan lands here"}

Entries:

* ``choice``: ``index`` into ``Simulation.choices()`` at that step. A move a
  person picked, rather than the policy, carries ``"hand": true``. Every step
  draws exactly once from the policy's own RNG stream, whoever chooses, so the
  index alone replays the move; the flag tells a fork with changed overrides
  where to look for the same move first (at the policy's pick, or at the
  index a person chose).
* ``control``: ``action`` is ``pause``, ``resume``, ``speed`` (with ``speed``,
  a positive factor), ``seek`` (with ``to_step``, and ``milestone`` when the
  seek went to a milestone by name), ``switch`` (with ``to``, the name of a
  timeline), ``rename`` (``name`` becomes ``to``) or ``view`` (what the
  screen showed from then on: ``zoom``, the timeline's span in seconds,
  ``pan``, its right edge in virtual seconds or null while it follows the
  cursor, and ``overlay``: null, ``"compare"`` or ``"tree"``); an optional
  ``step`` says where it happened. Pause, resume, speed and view change how a
  run is watched, never the run. A ``seek`` moves the current timeline's
  cursor: **history is append-only** (version 2), so a seek never drops a
  move; choices always extend the current timeline's moves at their end (a
  different move at an earlier cursor is a fork). A ``switch`` makes another
  timeline current again: the choices and notes after it are its own.
* ``fork``: a new timeline ``name`` from ``parent``'s first ``at_step`` moves,
  with extra ``overrides``. It becomes the current timeline: the choices and
  notes after it belong to it. The first timeline is ``main``.
* ``note``: speaker ``text`` at ``step`` of the current timeline.
* ``slide``: a marker a speaker placed at ``step`` of the current timeline
  (``title`` optional), shown with the latest ``view``.

Version 1 files are read too: there a ``seek`` to a step already passed
dropped the moves after it, and the choices that followed replaced them.

A header may also carry ``scenario_path``: the scenario came from a file rather
than a built-in, and this is where it was; and ``world``: ``"full"`` (the
default, the whole timed run) or ``"dns-core"`` (the explorer's untimed DNS
core, whose choice indices mean nothing in the full world, so a reader must
replay them there).

Why one module of this size: it is the file format's single definition (header,
every entry type, version upgrades, the one-line errors naming line and field), so a
reader and the writer can never disagree about it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from tui import __version__
from tui.scenario import Scenario
from tui.sim.policies import POLICY_NAMES

FORMAT = "outage-tui-session"
VERSION = 2
#: Versions this reader accepts: 1 (a seek back dropped the moves after it) and 2 (history is append-only).
READABLE_VERSIONS = (1, 2)
MAIN = "main"
CONTROL_ACTIONS = ("pause", "resume", "speed", "seek", "switch", "rename", "view")
ENTRY_TYPES = ("choice", "control", "fork", "note", "slide")
#: What a ``view`` control may say is drawn over the timeline.
OVERLAYS = ("compare", "tree")


class World(StrEnum):
    """The worlds a session's choice indices can refer to: the full timed run, or the explorer's DNS core.

    A ``StrEnum``, so a header's JSON and every comparison with the plain
    name stay as they were; its ``repr`` is the quoted name too, as messages
    that quote a world have always said it.
    """

    FULL = "full"
    DNS_CORE = "dns-core"

    def __repr__(self) -> str:
        return repr(self.value)


FULL, DNS_CORE = World.FULL, World.DNS_CORE
WORLDS = tuple(World)


class EntryError(ValueError):
    """One line that does not fit the format: what was found and what was expected."""

    def __init__(self, found: str, expected: str) -> None:
        self.found, self.expected = found, expected
        super().__init__(f"found {found}, expected {expected}")


@dataclass(frozen=True)
class Header:
    """Line 1: what the session replays and with which seed and policy."""

    scenario: str
    scenario_sha256: str
    overrides: tuple[str, ...]
    seed: int
    policy: str
    tool_version: str = __version__
    scenario_path: str | None = None
    world: World = World.FULL
    version: int = VERSION
    #: More keys for readers that know them (the explorer notes the invariant a counterexample breaks
    #: and its length); written after the others, ignored by :func:`parse_header`.
    extra: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def for_run(
        cls, scenario: Scenario, seed: int, policy: str, scenario_path: str | None = None, world: World = World.FULL
    ) -> Header:
        """The header of a run of ``scenario``, hashed as loaded (before overrides), in ``world``."""
        return cls(
            scenario.id, scenario.sha256, tuple(scenario.overrides), seed, policy, __version__, scenario_path, world
        )

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "format": FORMAT,
            "version": self.version,
            "scenario": self.scenario,
            "scenario_sha256": self.scenario_sha256,
            "overrides": list(self.overrides),
            "seed": self.seed,
            "policy": self.policy,
            "tool_version": self.tool_version,
        }
        if self.scenario_path is not None:
            out["scenario_path"] = self.scenario_path
        if self.world != World.FULL:
            out["world"] = str(self.world)
        for key, value in self.extra:
            out.setdefault(key, value)
        return out


@dataclass(frozen=True)
class ChoiceEntry:
    """One move: ``index`` into the choices on offer; ``hand`` if a person chose under a drawing policy."""

    index: int
    hand: bool = False
    line: int = 0

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "choice", "index": self.index}
        if self.hand:
            out["hand"] = True
        return out


@dataclass(frozen=True)
class ControlEntry:
    """How the run was watched: pause, resume, speed or seek, with the fields of that action."""

    action: str
    fields: tuple[tuple[str, Any], ...] = ()
    line: int = 0

    def get(self, key: str) -> Any:
        return dict(self.fields).get(key)

    def as_dict(self) -> dict[str, Any]:
        return {"type": "control", "action": self.action, **dict(self.fields)}


@dataclass(frozen=True)
class ForkEntry:
    """A new timeline from ``parent``'s first ``at_step`` moves, with extra overrides."""

    name: str
    parent: str
    at_step: int
    overrides: tuple[str, ...] = ()
    line: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "type": "fork",
            "name": self.name,
            "parent": self.parent,
            "at_step": self.at_step,
            "overrides": list(self.overrides),
        }


@dataclass(frozen=True)
class NoteEntry:
    """A speaker note at ``step`` of the current timeline."""

    step: int
    text: str
    line: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"type": "note", "step": self.step, "text": self.text}


@dataclass(frozen=True)
class SlideEntry:
    """A marker a speaker placed at ``step`` of the current timeline, to be shown with the view of the time."""

    step: int
    title: str = ""
    line: int = 0

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "slide", "step": self.step}
        if self.title:
            out["title"] = self.title
        return out


Entry = ChoiceEntry | ControlEntry | ForkEntry | NoteEntry | SlideEntry


def encode(record: Header | Entry) -> str:
    """One line of the file, newline included (compact, keys in a fixed order)."""
    return json.dumps(record.as_dict(), ensure_ascii=False, separators=(", ", ": ")) + "\n"


def shorten(text: str, limit: int = 40) -> str:
    """A fragment of a bad line, short enough for a one-line error."""
    return repr(text if len(text) <= limit else text[:limit] + "...")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _step(value: Any, field: str) -> int:
    if not _is_int(value) or value < 0:
        raise EntryError(f"{field} {json.dumps(value)}", f"{field} as an integer >= 0")
    return value


def _overrides(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise EntryError(f"overrides {json.dumps(value)}", 'overrides as a list of "KEY=VALUE" strings')
    return tuple(value)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _view(data: dict[str, Any]) -> None:
    """A ``view`` control's fields: a positive zoom, a pan that is a time or null, a known overlay or null."""
    zoom, pan, overlay = data.get("zoom"), data.get("pan"), data.get("overlay")
    if not _number(zoom) or zoom <= 0:
        raise EntryError(f"zoom {json.dumps(zoom)}", "zoom as seconds > 0")
    if pan is not None and not _number(pan):
        raise EntryError(f"pan {json.dumps(pan)}", "pan as virtual seconds or null")
    if overlay is not None and overlay not in OVERLAYS:
        raise EntryError(f"overlay {json.dumps(overlay)}", "overlay null, " + " or ".join(f'"{o}"' for o in OVERLAYS))


def parse_header(data: Any) -> Header:
    """Check line 1; a file that is not a session at all says so first."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        found = "a JSON object without" if isinstance(data, dict) else f"JSON {type(data).__name__}, not"
        raise EntryError(f'{found} "format": "{FORMAT}"', "an outage-tui session header")
    version = data.get("version")
    if not _is_int(version) or version not in READABLE_VERSIONS:
        readable = " or ".join(str(v) for v in READABLE_VERSIONS)
        raise EntryError(f"version {json.dumps(version)}", f"version {readable} (this is outage-tui {__version__})")
    for key in ("scenario", "scenario_sha256", "tool_version"):
        if not isinstance(data.get(key), str) or not data[key]:
            raise EntryError(f"{key} {json.dumps(data.get(key))}", f"{key} as a non-empty string")
    if not _is_int(data.get("seed")) or data["seed"] < 0:
        raise EntryError(f"seed {json.dumps(data.get('seed'))}", "seed as an integer >= 0")
    if data.get("policy") not in POLICY_NAMES:
        raise EntryError(f"policy {json.dumps(data.get('policy'))}", "policy " + ", ".join(POLICY_NAMES))
    path = data.get("scenario_path")
    if path is not None and not isinstance(path, str):
        raise EntryError(f"scenario_path {json.dumps(path)}", "scenario_path as a string")
    world = data.get("world", World.FULL)
    if world not in WORLDS:
        raise EntryError(f"world {json.dumps(world)}", "world " + " or ".join(f'"{w}"' for w in WORLDS))
    return Header(
        scenario=data["scenario"],
        scenario_sha256=data["scenario_sha256"],
        overrides=_overrides(data.get("overrides", [])),
        seed=data["seed"],
        policy=data["policy"],
        tool_version=data["tool_version"],
        scenario_path=path,
        world=World(world),
        version=version,
    )


def parse_entry(data: Any, line: int) -> Entry:
    """Check one entry line and build its record."""
    if not isinstance(data, dict):
        raise EntryError(f"JSON {type(data).__name__}", "a JSON object")
    kind = data.get("type")
    if kind == "choice":
        hand = data.get("hand", False)
        if not isinstance(hand, bool):
            raise EntryError(f"hand {json.dumps(hand)}", "hand as true or false")
        return ChoiceEntry(_step(data.get("index"), "index"), hand, line)
    if kind == "control":
        action = data.get("action")
        if action not in CONTROL_ACTIONS:
            raise EntryError(f"control action {json.dumps(action)}", "one of " + ", ".join(CONTROL_ACTIONS))
        if "step" in data:
            _step(data["step"], "step")
        speed = data.get("speed")
        if (action == "speed" or speed is not None) and (
            not isinstance(speed, int | float) or isinstance(speed, bool) or speed <= 0
        ):
            raise EntryError(f"speed {json.dumps(speed)}", "speed as a number > 0")
        if action == "seek":
            _step(data.get("to_step"), "to_step")
        if action in ("switch", "rename") and (not isinstance(data.get("to"), str) or not data["to"]):
            raise EntryError(f"{action} to {json.dumps(data.get('to'))}", "to as a timeline's name")
        if action == "rename" and (not isinstance(data.get("name"), str) or not data["name"]):
            raise EntryError(f"rename name {json.dumps(data.get('name'))}", "name as the name of an earlier timeline")
        if action == "seek" and "timeline" in data and (not isinstance(data["timeline"], str) or not data["timeline"]):
            raise EntryError(f"seek of {json.dumps(data.get('timeline'))}", "timeline as a timeline's name")
        if action == "seek" and not isinstance(data.get("milestone", ""), str):
            raise EntryError(f"milestone {json.dumps(data.get('milestone'))}", "milestone as a milestone's id")
        if action == "view":
            _view(data)
        fields = tuple((k, v) for k, v in data.items() if k not in ("type", "action"))
        return ControlEntry(action, fields, line)
    if kind == "fork":
        name, parent = data.get("name"), data.get("parent")
        if not isinstance(name, str) or not name:
            raise EntryError(f"fork name {json.dumps(name)}", "a non-empty name")
        if not isinstance(parent, str) or not parent:
            raise EntryError(f"fork parent {json.dumps(parent)}", "the name of an earlier timeline")
        return ForkEntry(
            name, parent, _step(data.get("at_step"), "at_step"), _overrides(data.get("overrides", [])), line
        )
    if kind == "note":
        text = data.get("text")
        if not isinstance(text, str):
            raise EntryError(f"note text {json.dumps(text)}", "text as a string")
        return NoteEntry(_step(data.get("step"), "step"), text, line)
    if kind == "slide":
        title = data.get("title", "")
        if not isinstance(title, str):
            raise EntryError(f"slide title {json.dumps(title)}", "title as a string")
        return SlideEntry(_step(data.get("step"), "step"), title, line)
    raise EntryError(f"type {json.dumps(kind)}", "type " + ", ".join(ENTRY_TYPES))
