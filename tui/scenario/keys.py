"""Every value a ``--set`` can change, by dotted path, as the replay UI offers them for completion."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from tui.scenario.schema import Section, Table
from tui.scenario.spec import SPEC
from tui.scenario.validate import spec_at


def dotted_keys(data: Mapping[str, Any]) -> list[str]:
    """The dotted path of every value of a loaded scenario (defaults included) that ``--set`` takes, in file order.

    Read from the data rather than the spec alone, so named tables (an
    operator, a service) come with the names this scenario uses; the spec
    says where a value stops (a table of free keys, such as ``sweep.vary``,
    is one value). ``sources`` tables say where a number comes from; no run
    reads them, so they are left out.
    """
    return list(_walk(data, []))


def _walk(node: Mapping[str, Any], prefix: list[str]) -> Iterator[str]:
    for key, value in node.items():
        if key == "sources":
            continue
        path = [*prefix, key]
        spec = spec_at(SPEC, path)
        if isinstance(spec, Section | Table):
            if isinstance(value, Mapping):
                yield from _walk(value, path)
        elif spec is not None:
            yield ".".join(path)
