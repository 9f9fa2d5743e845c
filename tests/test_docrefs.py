"""Every reference a docstring or comment of ``tui/`` makes names something that exists.

Sphinx-style roles (``:func:``, ``:class:``, ``:meth:``, ``:mod:``, ``:data:``,
``:attr:``, ``:exc:``) and dotted paths written as literals (a double-quoted
``tui.x.y`` in reStructuredText's double backticks) are looked up:

* from the module the reference is written in (``:meth:`Class.method```, or a
  bare name that is a method or field of one of its classes),
* then as an absolute dotted path, importing the longest module prefix.

A leading ``~`` (show the last part only) or ``.`` (look nearby first) is
accepted, as are a trailing ``()`` and the ``title <target>`` form.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "tui"
ROLES = ("func", "class", "meth", "mod", "data", "attr", "exc", "obj")
ROLE = re.compile(r":(" + "|".join(ROLES) + r"):`([^`]+)`")
LITERAL_PATH = re.compile(r"``(tui(?:\.[A-Za-z_]\w*)+)``")


def target_of(text: str) -> str:
    """The dotted name a role's text points at."""
    text = " ".join(text.split())
    if text.endswith(">") and "<" in text:
        text = text[text.rindex("<") + 1 : -1]
    return text.lstrip("~!").lstrip(".").removesuffix("()")


def references_in(text: str) -> list[tuple[int, str]]:
    """``(line, dotted name)`` for every role and every literal ``tui.`` path in ``text``."""
    found = [(m.start(), target_of(m.group(2))) for m in ROLE.finditer(text)]
    found += [(m.start(), m.group(1)) for m in LITERAL_PATH.finditer(text)]
    return sorted((text.count("\n", 0, at) + 1, name) for at, name in found)


def walk(node: Any, names: list[str]) -> bool:
    for name in names:
        if hasattr(node, name):
            node = getattr(node, name)
        elif name in getattr(node, "__dataclass_fields__", {}) or name in getattr(node, "__annotations__", {}):
            return True  # a field without a default: it has no class attribute
        else:
            return False
    return True


def resolves(dotted: str, home: ModuleType) -> bool:
    """Does ``dotted`` name something, from ``home``'s namespace or as an absolute path?"""
    head, *rest = dotted.split(".")
    if hasattr(home, head) and walk(getattr(home, head), rest):
        return True
    if not rest:  # a bare name inside a class's docstring: one of the module's classes has it
        classes = [v for v in vars(home).values() if isinstance(v, type) and v.__module__ == home.__name__]
        if any(walk(cls, [head]) for cls in classes):
            return True
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            module = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        return walk(module, parts[cut:])
    return False


def dangling_in(path: Path) -> list[str]:
    references = references_in(path.read_text())
    if not references:
        return []
    module = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
    home = importlib.import_module(module)
    return [f"{path.relative_to(ROOT)}:{line}: {name}" for line, name in references if not resolves(name, home)]


def test_every_reference_in_a_docstring_resolves() -> None:
    dangling = [entry for path in sorted(PACKAGE.rglob("*.py")) for entry in dangling_in(path)]
    assert dangling == []


def test_the_reference_check_finds_a_reference_that_does_not_resolve() -> None:
    """Each form the finder reads, pointing at something real and at something that is not there."""
    home = importlib.import_module("tui.record.writer")
    text = (
        "See :func:`tui.sim.simulation.run_headless`, :class:`~tui.errors.BadInput`,\n"
        ":meth:`SessionWriter.close`, :meth:`.close`, :mod:`tui.clock`, :func:`parse_sim() <tui.clock.parse_sim>`\n"
        "and ``tui.errors.one_line``; but not :func:`tui.sim.run.run_policy`, :meth:`SessionWriter.shut`,\n"
        ":mod:`tui.nowhere` or ``tui.errors.two_lines``."
    )
    refs = references_in(text)
    assert sorted(name for _, name in refs if resolves(name, home)) == sorted(
        [
            "tui.sim.simulation.run_headless",
            "tui.errors.BadInput",
            "SessionWriter.close",
            "close",
            "tui.clock",
            "tui.clock.parse_sim",
            "tui.errors.one_line",
        ]
    )
    assert [(line, name) for line, name in refs if not resolves(name, home)] == [
        (3, "SessionWriter.shut"),
        (3, "tui.sim.run.run_policy"),
        (4, "tui.errors.two_lines"),
        (4, "tui.nowhere"),
    ]
