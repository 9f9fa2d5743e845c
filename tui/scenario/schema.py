"""The scenario schema: what every key is, its type and its bounds.

A spec is a tree of :class:`Section` (fixed keys), :class:`Table` (free keys,
each following one spec, e.g. operators by id) and leaf field types. Every
number in a section must have an entry in that section's ``sources`` table:
either where it comes from or ``"assumed, calibrated to <milestone>"``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from tui.clock import INCIDENT_END, INCIDENT_START, TimeFormatError, parse_time


class FieldError(ValueError):
    """A value that does not fit: ``found`` and ``expected`` become the one-line message."""

    def __init__(self, found: str, expected: str) -> None:
        super().__init__(found, expected)
        self.found, self.expected = found, expected


def describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if isinstance(value, str):
        return f"{value!r} (a string)"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return repr(value)


@dataclass(frozen=True)
class Number:
    """An int or float with bounds. ``integer`` refuses floats."""

    integer: bool = False
    min: float | None = None
    max: float | None = None
    positive: bool = False  # strictly > 0: durations, rates, timeouts

    def check(self, value: Any) -> Any:
        kind = "an integer" if self.integer else "a number"
        bounds = []
        if self.positive:
            bounds.append("> 0")
        if self.min is not None:
            bounds.append(f">= {self.min:g}")
        if self.max is not None:
            bounds.append(f"<= {self.max:g}")
        expected = f"{kind} {' and '.join(bounds)}".strip()
        ok_type = isinstance(value, int) if self.integer else isinstance(value, int | float)
        if isinstance(value, bool) or not ok_type:
            raise FieldError(describe(value), expected)
        if not math.isfinite(value):
            raise FieldError(repr(value), f"a finite {expected.removeprefix('a ')}")
        if (
            (self.positive and value <= 0)
            or (self.min is not None and value < self.min)
            or (self.max is not None and value > self.max)
        ):
            raise FieldError(repr(value), expected)
        return value


@dataclass(frozen=True)
class Bool:
    def check(self, value: Any) -> Any:
        if not isinstance(value, bool):
            raise FieldError(describe(value), "true or false")
        return value


@dataclass(frozen=True)
class Text:
    choices: tuple[str, ...] = ()

    def check(self, value: Any) -> Any:
        if not isinstance(value, str):
            raise FieldError(describe(value), "a string")
        if self.choices and value not in self.choices:
            raise FieldError(repr(value), "one of " + ", ".join(self.choices))
        return value


@dataclass(frozen=True)
class Time:
    """A PDT time (``HH:MM[:SS]``) or ISO-8601 stamp inside the scenario's window."""

    def check(self, value: Any) -> Any:
        if not isinstance(value, str):
            raise FieldError(describe(value), "a time HH:MM (PDT) or ISO-8601 string")
        try:
            stamp = parse_time(value)
        except TimeFormatError:
            raise FieldError(repr(value), "a time HH:MM or HH:MM:SS (PDT) or an ISO-8601 timestamp") from None
        lead_in = INCIDENT_START.replace(hour=23, minute=0)
        if not lead_in <= stamp <= INCIDENT_END:
            raise FieldError(repr(value), "a time inside the incident window, 23:00 (19 Oct) to 15:20 (20 Oct) PDT")
        return value


@dataclass(frozen=True)
class TextList:
    min_items: int = 1

    def check(self, value: Any) -> Any:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise FieldError(describe(value), "a list of strings")
        if len(value) < self.min_items:
            raise FieldError(f"{len(value)} items", f"at least {self.min_items}")
        if len(set(value)) != len(value):
            raise FieldError("a repeated entry", "distinct entries")
        return value


@dataclass(frozen=True)
class TextTable:
    """A table of free keys (e.g. dotted scenario paths) to non-empty strings.

    Used where the keys are not TOML sections of their own, like the
    ``[sweep.vary]`` ranges keyed by the value they vary; what the keys and
    strings mean is checked after validation, where the whole scenario is known.
    """

    def check(self, value: Any) -> Any:
        if not isinstance(value, dict):
            raise FieldError(describe(value), "a table of strings")
        for key, text in value.items():
            if not isinstance(text, str) or not text.strip():
                raise FieldError(f"{key} = {describe(text)}", "a non-empty string for every key")
        return dict(value)


@dataclass(frozen=True)
class Section:
    """A table with fixed keys. ``optional`` keys may be absent (they get ``defaults``)."""

    fields: dict[str, Any]
    optional: frozenset[str] = frozenset()
    defaults: dict[str, Any] = field(default_factory=dict)
    sourced: bool = True  # numbers here need a ``sources`` entry


@dataclass(frozen=True)
class Table:
    """A table whose keys are names chosen by the file (``allowed`` limits them)."""

    item: Section
    allowed: frozenset[str] | None = None
    what: str = "entry"


Spec = Section | Table | Number | Bool | Text | Time | TextList | TextTable


def is_number_spec(spec: Any) -> bool:
    return isinstance(spec, Number)
