"""``--vary KEY=LOW..HIGH`` ranges: parse them against the scenario schema, draw one value per run.

A range is checked once, up front, against the field it varies (its type,
its bounds, the scenario's window for times), so a sweep never fails on its
500th run because of a typo. Each run draws its value from its own seed
(``random.Random(f"vary:{seed}:{key}")``): the draw depends on nothing but
the seed and the key, so any run can be re-run alone with the drawn values as
``--set`` overrides, whatever the number of runs, workers or other ranges.
"""

from __future__ import annotations

import math
import random
import tomllib
from dataclasses import dataclass
from typing import Any, Literal

from tui.clock import TimeFormatError, from_sim, parse_sim
from tui.errors import BadInput, ScenarioError, one_line
from tui.scenario import milestones
from tui.scenario.overrides import split_overrides
from tui.scenario.schema import Bool, FieldError, Number, Section, Table, Time
from tui.scenario.spec import SPEC
from tui.scenario.validate import spec_at

Kind = Literal["time", "int", "float", "bool"]

EXAMPLE = "e.g. operators.restore-dns.at=02:15..02:35 or controller.random_jitter=0.2..0.8"


@dataclass(frozen=True)
class VaryRange:
    """One varied value: a dotted scenario path and the range each run draws from.

    ``low``/``high`` are virtual seconds for times, numbers for numbers, and
    ``False``/``True`` for booleans (a boolean range is a fair coin).
    """

    key: str
    kind: Kind
    low: float
    high: float
    text: str

    def draw(self, seed: int) -> str:
        """This run's value as a ``KEY=VALUE`` override, from the run's seed alone."""
        rng = random.Random(f"vary:{seed}:{self.key}")
        if self.kind == "bool":
            value = "true" if rng.random() < 0.5 else "false"
        elif self.kind == "int":
            value = str(rng.randint(int(self.low), int(self.high)))
        elif self.kind == "time":
            value = from_sim(rng.randint(math.ceil(self.low), math.floor(self.high))).strftime("%H:%M:%S")
        else:
            # Six significant digits keep the override short; the printed text is what is applied.
            drawn = float(f"{rng.uniform(self.low, self.high):.6g}")
            value = repr(min(max(drawn, self.low), self.high))
        return f"{self.key}={value}"

    def describe(self) -> str:
        """The range as it would be typed after ``--vary``."""
        return self.text


def _number(text: str) -> float | None:
    """A TOML number (``3``, ``2.5``, ``1e3``) or None."""
    try:
        value = tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value


def _fits(spec: Any, value: Any) -> None:
    try:
        spec.check(value)
    except FieldError as err:
        raise FieldError(err.found, err.expected) from None


def parse_range(key: str, low_text: str, high_text: str, window: tuple[float, float]) -> VaryRange:
    """Check ``LOW..HIGH`` against the field at ``key``; raise FieldError(found, expected) when it does not fit."""
    path = key.split(".")
    spec = spec_at(SPEC, path)
    if spec is None or isinstance(spec, Section | Table):
        raise FieldError(f"{key!r}, which is not a scenario value", "the dotted path of a number, time or boolean")
    text = f"{key}={low_text}..{high_text}"
    if isinstance(spec, Time):
        ends = []
        for end in (low_text, high_text):
            try:
                ends.append(parse_sim(end))
            except TimeFormatError:
                raise FieldError(repr(end), "times HH:MM or HH:MM:SS (PDT), e.g. 02:15..02:35") from None
        start, stop = window
        for end, seconds in zip((low_text, high_text), ends, strict=True):
            if not start <= seconds <= stop:
                raise FieldError(
                    f"{end}, outside the scenario's window",
                    f"times from {from_sim(start):%H:%M} to {from_sim(stop):%H:%M} PDT",
                )
        low, high, kind = ends[0], ends[1], "time"
    elif isinstance(spec, Number):
        values = [_number(end) for end in (low_text, high_text)]
        for end, value in zip((low_text, high_text), values, strict=True):
            if value is None:
                raise FieldError(repr(end), "numbers LOW..HIGH, e.g. 0.2..0.8")
            _fits(spec, value)
        low, high = values[0], values[1]
        assert low is not None and high is not None
        kind = "int" if spec.integer else "float"
    elif isinstance(spec, Bool):
        if {low_text, high_text} != {"true", "false"}:
            raise FieldError(f"{low_text}..{high_text}", "true..false for a boolean (each run tosses a fair coin)")
        return VaryRange(key, "bool", 0.0, 1.0, text)
    else:
        raise FieldError(f"{key!r}, which is text", "a number, time or boolean value to vary")
    if low == high:
        raise FieldError("an empty range", "LOW < HIGH (use --set for a single value)")
    if low > high:
        raise FieldError("a reversed range", f"LOW < HIGH, e.g. {key}={high_text}..{low_text}")
    return VaryRange(key, kind, float(low), float(high), text)


def split_range(text: str) -> tuple[str, str] | None:
    """``LOW..HIGH`` -> (LOW, HIGH), or None when either side is missing."""
    low, sep, high = text.partition("..")
    low, high = low.strip(), high.strip()
    if not sep or not low or not high or ".." in high:
        return None
    return low, high


def parse_vary(text: str, window: tuple[float, float], flag: str = "--vary") -> VaryRange:
    """``KEY=LOW..HIGH`` from the command line; bad input is one BadInput line naming ``flag``."""
    shown = one_line(text)
    key, sep, rest = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise BadInput(f"{flag} {shown}: expected KEY=LOW..HIGH, {EXAMPLE}")
    ends = split_range(rest)
    if ends is None:
        raise BadInput(f"{flag} {shown}: found {rest.strip()!r}, expected a range LOW..HIGH, {EXAMPLE}")
    try:
        return parse_range(key, ends[0], ends[1], window)
    except FieldError as err:
        raise BadInput(f"{flag} {shown}: found {err.found}, expected {err.expected}") from None


def milestone_ids() -> tuple[str, ...]:
    """Every milestone a run can report, in summary order."""
    return milestones.ALL


def check_given(names: list[str]) -> tuple[str, ...]:
    """Milestones a run must reach for its times to count; raise FieldError(found, expected) on a bad one."""
    known = milestone_ids()
    for name in names:
        if name not in known:
            raise FieldError(repr(name), "a milestone id, e.g. dns.endpoint_empty or ddb.recovered")
    return tuple(names)


def parse_given(names: list[str], flag: str = "--given") -> tuple[str, ...]:
    """``--given MILESTONE``... from the command line; ``none`` alone means every run counts."""
    if names == ["none"]:
        return ()
    known = milestone_ids()
    for name in names:
        if name not in known:
            raise BadInput(
                f"{flag} {one_line(name)}: expected a milestone id (e.g. dns.endpoint_empty or ddb.recovered), "
                "or none for every run"
            )
    return tuple(names)


def scenario_ranges(data: dict[str, Any], label: str) -> list[VaryRange]:
    """The ``[sweep.vary]`` ranges of a validated scenario; a bad one is a ScenarioError naming its key.

    Each range needs an entry in ``[sweep.sources]`` saying where its bounds
    come from (or that they are assumed), like every number in a scenario.
    """
    sweep = data.get("sweep") or {}
    vary: dict[str, str] = sweep.get("vary", {})
    sources: dict[str, str] = sweep.get("sources", {})
    window = (parse_sim(data["scenario"]["start"]), parse_sim(data["scenario"]["end"]))
    ranges = []
    for key, text in vary.items():
        where = f"sweep.vary.{key}"
        ends = split_range(text)
        if ends is None:
            raise ScenarioError(label, where, repr(text), f"a range LOW..HIGH, {EXAMPLE}")
        try:
            ranges.append(parse_range(key, ends[0], ends[1], window))
        except FieldError as err:
            raise ScenarioError(label, where, err.found, err.expected) from None
        if key not in sources:
            raise ScenarioError(
                label, f"sweep.sources.{key}", "no source", "where the range comes from, or 'assumed, ...'"
            )
    for key in sources:
        if key not in vary:
            raise ScenarioError(label, f"sweep.sources.{key}", "a source for no range", "a key of [sweep.vary]")
    try:
        check_given(sweep.get("given", []))
    except FieldError as err:
        raise ScenarioError(label, "sweep.given", err.found, err.expected) from None
    for entry in sweep.get("compare", []):
        if "=" in entry:
            try:
                split_overrides(entry, "sweep.compare")
            except BadInput as err:
                raise ScenarioError(label, "sweep.compare", repr(entry), f"valid overrides ({err})") from None
    return ranges
