"""Load scenarios: built-in names or files, ``extends``, ``--set`` overrides, content hash."""

from __future__ import annotations

import copy
import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from tui.clock import parse_sim
from tui.errors import BadInput, ScenarioError, one_line
from tui.jsonutil import canonical_json
from tui.scenario.overrides import parse_override
from tui.scenario.ranges import scenario_ranges
from tui.scenario.spec import AZ_IDS, SPEC
from tui.scenario.validate import validate

DEFAULT_SCENARIO = "us-east-1-2025-10-20"


@dataclass(frozen=True)
class Scenario:
    """A validated scenario: its data, where it came from, its hash and overrides."""

    id: str
    source: str
    data: dict[str, Any]
    sha256: str
    overrides: tuple[str, ...] = ()
    #: Values already looked up by dotted key: components read parameters on every step.
    _found: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def get(self, dotted: str) -> Any:
        try:
            return self._found[dotted]
        except KeyError:
            pass
        node: Any = self.data
        for part in dotted.split("."):
            node = node[part]
        self._found[dotted] = node
        return node

    def time(self, dotted: str) -> float:
        """A time field as virtual seconds."""
        return parse_sim(self.get(dotted))

    def enactor_names(self) -> list[str]:
        return list(AZ_IDS[: self.get("dns.enactors")])


def builtin_dir() -> Path:
    """Where the built-in scenarios live: inside the package once installed, else the repo."""
    packaged = resources.files("tui") / "scenarios_data"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "scenarios"


def builtin_names() -> list[str]:
    return sorted(p.stem for p in builtin_dir().glob("*.toml"))


def resolve(name_or_path: str) -> Path:
    path = Path(name_or_path)
    if path.suffix == ".toml" or path.exists() or "/" in name_or_path:
        if not path.is_file():
            raise BadInput(f"{name_or_path}: no such scenario file")
        return path
    candidate = builtin_dir() / f"{name_or_path}.toml"
    if candidate.is_file():
        return candidate
    raise BadInput(f"{name_or_path}: unknown scenario, expected a .toml file or one of: {', '.join(builtin_names())}")


def _read_toml(path: Path, label: str) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise BadInput(f"{label}: cannot read: {err.strerror}") from None
    except UnicodeDecodeError:
        raise ScenarioError(label, "file", "bytes that are not UTF-8", "a UTF-8 TOML file") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        message = str(err)
        match = re.search(r"\(at line (\d+), column (\d+)\)", message)
        where = f"line {match[1]}, column {match[2]}" if match else "file"
        reason = re.sub(r"\s*\(at line.*\)$", "", message) or message
        raise ScenarioError(label, where, f"invalid TOML ({reason})", "a valid TOML document") from None
    except RecursionError:
        # The parser recurses once per level: a file nested thousands deep is bad input, not a crash.
        raise ScenarioError(
            label, "file", "values nested too deeply to read", "a scenario nested a few levels deep"
        ) from None


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _raw(path: Path, label: str, seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    data = _read_toml(path, label)
    parent = data.get("scenario", {}).get("extends") if isinstance(data.get("scenario"), dict) else None
    if parent is None:
        return data
    if not isinstance(parent, str):
        raise ScenarioError(label, "scenario.extends", repr(parent), "the name or path of another scenario")
    try:
        parent_path = resolve(parent if not parent.endswith(".toml") else str(path.parent / parent))
    except BadInput:
        raise ScenarioError(label, "scenario.extends", repr(parent), "a built-in scenario or a .toml path") from None
    if parent_path.resolve() in seen:
        raise ScenarioError(label, "scenario.extends", f"a cycle through {parent!r}", "a chain that ends")
    base = _raw(parent_path, str(parent_path), (*seen, path.resolve()))
    base.get("scenario", {}).pop("extends", None)
    return _merge(base, data)


def _cross_check(data: dict[str, Any], label: str, sweep: bool = True) -> None:
    """Checks across fields; ``sweep``: the ``[sweep]`` ranges too (they must fall in the window)."""
    dns = data["dns"]
    if dns["regional_endpoint"] not in dns["endpoints"]:
        raise ScenarioError(label, "dns.regional_endpoint", repr(dns["regional_endpoint"]), "one of dns.endpoints")
    if parse_sim(data["scenario"]["start"]) >= parse_sim(data["scenario"]["end"]):
        raise ScenarioError(label, "scenario.end", repr(data["scenario"]["end"]), "a time after scenario.start")
    slow = data["faults"].get("slow_enactor")
    if slow:
        names = AZ_IDS[: dns["enactors"]]
        if slow["enactor"] not in names:
            raise ScenarioError(
                label, "faults.slow_enactor.enactor", repr(slow["enactor"]), "one of " + ", ".join(names)
            )
        if parse_sim(slow["from"]) >= parse_sim(slow["until"]):
            raise ScenarioError(
                label, "faults.slow_enactor.until", repr(slow["until"]), "a time after faults.slow_enactor.from"
            )
    if sweep and "sweep" in data:
        scenario_ranges(data, label)


def _apply_override(data: dict[str, Any], path: list[str], value: Any) -> None:
    node = data
    for part in path[:-1]:
        node = node.setdefault(part, {})
    node[path[-1]] = value


def load_scenario(name_or_path: str = DEFAULT_SCENARIO, overrides: list[str] | tuple[str, ...] = ()) -> Scenario:
    """Load, merge, validate and hash a scenario, then apply ``--set`` overrides."""
    path = resolve(name_or_path)
    label = str(path) if Path(name_or_path).suffix == ".toml" or "/" in name_or_path else name_or_path
    raw = _raw(path, label)
    data = validate(raw, SPEC, label)
    _cross_check(data, label)
    digest = hashlib.sha256(canonical_json(data).encode()).hexdigest()
    if overrides:
        for text in overrides:
            key_path, value = parse_override(text)
            _apply_override(raw, key_path, value)
            try:
                validate(raw, SPEC, "--set")
            except ScenarioError as err:
                raise BadInput(
                    f"--set {one_line(text)}: {err.where}: found {err.found}, expected {err.expected}"
                ) from None
        data = validate(raw, SPEC, "--set")
        # The file's [sweep] ranges were checked against its own window above. A run that narrows the
        # window (--set scenario.end=05:00) does not sweep, so they are checked again only if a --set
        # changes them; a sweep checks the ranges it uses against the window it runs in.
        _cross_check(data, "--set", sweep=any(text.strip().startswith("sweep.") for text in overrides))
    return Scenario(id=data["scenario"]["id"], source=label, data=data, sha256=digest, overrides=tuple(overrides))
