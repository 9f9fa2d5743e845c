"""Check a parsed scenario against the spec; report the first problem as one line."""

from __future__ import annotations

from typing import Any

from tui.errors import ScenarioError
from tui.scenario.schema import FieldError, Section, Table, describe, is_number_spec


def validate(data: Any, spec: Section, source: str) -> dict[str, Any]:
    """Return a checked copy of ``data`` with defaults filled in, or raise ScenarioError."""
    return _section(data, spec, source, "")


def _join(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


def _section(data: Any, spec: Section, source: str, where: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ScenarioError(source, where or "top level", describe(data), "a table")
    out: dict[str, Any] = {}
    sources = data.get("sources") if spec.sourced else None
    for key in data:
        if key == "sources" and spec.sourced:
            continue
        if key not in spec.fields:
            raise ScenarioError(source, _join(where, key), "an unknown key", "one of " + ", ".join(sorted(spec.fields)))
    for key, sub in spec.fields.items():
        path = _join(where, key)
        if key not in data:
            if key in spec.optional:
                if key in spec.defaults:
                    out[key] = spec.defaults[key]
                continue
            what = "section" if isinstance(sub, Section | Table) else "key"
            raise ScenarioError(
                source, path, f"no such {what}", f"the {what} [{path}]" if what == "section" else f"a value for {path}"
            )
        out[key] = _value(data[key], sub, source, path)
    number_keys = [k for k, sub in spec.fields.items() if is_number_spec(sub) and k in out]
    if spec.sourced and number_keys:
        out["sources"] = _sources(sources, number_keys, source, where)
    return out


def _sources(sources: Any, number_keys: list[str], source: str, where: str) -> dict[str, str]:
    path = _join(where, "sources")
    if sources is None:
        raise ScenarioError(
            source, path, "no sources table", f"a source or 'assumed, ...' for {', '.join(number_keys)}"
        )
    if not isinstance(sources, dict):
        raise ScenarioError(source, path, describe(sources), "a table of strings")
    for key, text in sources.items():
        if key not in number_keys:
            raise ScenarioError(
                source, _join(path, key), "a source for an unknown number", "one of " + ", ".join(number_keys)
            )
        if not isinstance(text, str) or not text.strip():
            raise ScenarioError(source, _join(path, key), describe(text), "a non-empty string")
    for key in number_keys:
        if key not in sources:
            raise ScenarioError(
                source, _join(path, key), "no source", "where the number comes from, or 'assumed, calibrated to ...'"
            )
    return dict(sources)


def _value(value: Any, spec: Any, source: str, where: str) -> Any:
    if isinstance(spec, Section):
        return _section(value, spec, source, where)
    if isinstance(spec, Table):
        if not isinstance(value, dict):
            raise ScenarioError(source, where, describe(value), "a table")
        out = {}
        for name, item in value.items():
            if spec.allowed is not None and name not in spec.allowed:
                raise ScenarioError(
                    source, _join(where, name), f"an unknown {spec.what}", "one of " + ", ".join(sorted(spec.allowed))
                )
            out[name] = _section(item, spec.item, source, _join(where, name))
        return out
    try:
        return spec.check(value)
    except FieldError as err:
        raise ScenarioError(source, where, err.found, err.expected) from None


def spec_at(spec: Section, path: list[str]) -> Any:
    """The spec of the field at a dotted path, or None when there is no such field."""
    node: Any = spec
    for part in path:
        if isinstance(node, Section):
            node = node.fields.get(part)
        elif isinstance(node, Table):
            if node.allowed is not None and part not in node.allowed:
                return None
            node = node.item
        else:
            return None
        if node is None:
            return None
    return node
