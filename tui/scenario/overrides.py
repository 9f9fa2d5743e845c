"""``--set KEY=VALUE`` overrides: one parsed against the schema, or several written ``K=V,K=V``.

Shared by ``--set``, a sweep's ``--compare K=V,...`` and a scenario's
``[sweep] compare`` entries, so all three accept and refuse the same text.
"""

from __future__ import annotations

import datetime
import re
import tomllib
from typing import Any

from tui.errors import BadInput, one_line
from tui.scenario.schema import Section, Table
from tui.scenario.spec import SPEC
from tui.scenario.validate import spec_at

#: Commas that start a new ``KEY=`` (a value such as a TOML list may hold commas of its own).
_NEXT_OVERRIDE = re.compile(r",\s*(?=[A-Za-z0-9_.\-]+\s*=)")


def parse_override(text: str) -> tuple[list[str], Any]:
    """``KEY=VALUE`` with a dotted key; VALUE is read as a TOML value, else as a string."""
    if "=" not in text:
        raise BadInput(f"--set {one_line(text)}: expected KEY=VALUE, e.g. dns.planner.interval_s=20")
    key, raw = text.split("=", 1)
    path = key.strip().split(".")
    spec = spec_at(SPEC, path)
    if spec is None or isinstance(spec, Section | Table):
        raise BadInput(f"--set {one_line(text)}: {key.strip()!r} is not a scenario value")
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw.strip()
    if isinstance(value, datetime.date | datetime.time):
        # TOML reads 02:25:30 as a local time; scenario times are strings (HH:MM[:SS] or ISO-8601).
        value = raw.strip()
    return path, value


def split_overrides(text: str, flag: str = "--compare") -> list[str]:
    """``K=V[,K=V...]`` -> the ``--set`` strings, each checked against the schema's keys."""
    parts = [p.strip() for p in _NEXT_OVERRIDE.split(text) if p.strip()]
    if not parts:
        raise BadInput(f"{flag} {one_line(text)}: expected a scenario or K=V[,K=V...]")
    for part in parts:
        try:
            parse_override(part)
        except BadInput as err:
            raise BadInput(f"{flag} {one_line(text)}: {str(err).removeprefix('--set ')}") from None
    return parts
