"""The layers the README promises, and the references docstrings make, are checked, not just written.

* No module of the core layers (``sim``, ``scenario``, ``record``, ``explore``,
  ``session``) imports Textual or Rich: each layer is imported whole in a
  fresh interpreter and ``sys.modules`` is read. Command-line front ends that
  print with Rich live beside ``tui/cli.py``.
* Every Sphinx-style reference in a docstring or comment of ``tui/``
  (``:func:`...```, ``:class:`...```, ``:meth:`...```, ``:mod:`...```,
  ``:data:`...```, ``:attr:`...```) names something that exists, looked up
  from the module it is written in (a bare name may be a method of one of
  its classes), then as a dotted path.
"""

from __future__ import annotations

import importlib
import json
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "tui"
REFERENCE = re.compile(r":(?:func|class|meth|mod|data|attr|exc):`~?([A-Za-z_][\w.]*)`")


def loaded_by(module: str) -> set[str]:
    code = f"import json, sys, {module}; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    return set(json.loads(out.stdout))


CORE_LAYERS = ("sim", "scenario", "record", "explore", "session")


def modules_of(layer: str) -> list[str]:
    root = PACKAGE / layer
    return sorted(".".join(p.relative_to(ROOT).with_suffix("").parts) for p in root.rglob("*.py"))


@pytest.mark.parametrize("layer", CORE_LAYERS)
def test_no_core_layer_imports_textual_or_rich(layer: str) -> None:
    """Every module of the layer, imported in one fresh interpreter: the UI libraries never come in."""
    loaded = loaded_by(", ".join(modules_of(layer)))
    assert not {m for m in loaded if m.split(".")[0] in ("textual", "rich")}


UI_IMPORT = re.compile(r"^\s*(?:from|import)\s+(?:textual|rich)\b", re.M)


@pytest.mark.parametrize("layer", CORE_LAYERS)
def test_no_core_layer_names_textual_or_rich_even_in_a_late_import(layer: str) -> None:
    """A lazy import inside a function escapes the import check above; the source does not."""
    found = [
        f"{path.relative_to(ROOT)}: {match.group(0).strip()}"
        for path in sorted((PACKAGE / layer).rglob("*.py"))
        for match in UI_IMPORT.finditer(path.read_text())
    ]
    assert found == []


def test_the_session_layer_does_not_import_textual() -> None:
    loaded = loaded_by("tui.session.session")
    assert not {m for m in loaded if m.split(".")[0] == "textual"}
    assert "tui.app" not in loaded


def _resolve(dotted: str, home: ModuleType) -> bool:
    """Does ``dotted`` name something, from ``home``'s namespace or as an absolute path?"""
    head, *rest = dotted.split(".")
    node: Any = getattr(home, head, None)
    if node is not None and _walk(node, rest):
        return True
    if not rest:  # a bare name inside a class's docstring: one of the module's classes has it
        classes = [v for v in vars(home).values() if isinstance(v, type) and v.__module__ == home.__name__]
        if any(_walk(cls, [head]) for cls in classes):
            return True
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            node = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        return _walk(node, parts[cut:])
    return False


def _walk(node: Any, names: list[str]) -> bool:
    for name in names:
        if hasattr(node, name):
            node = getattr(node, name)
        elif name in getattr(node, "__dataclass_fields__", {}) or name in getattr(node, "__annotations__", {}):
            return True  # a field: it has no class attribute
        else:
            return False
    return True


def test_every_reference_in_a_docstring_resolves() -> None:
    dangling = []
    for path in sorted(PACKAGE.rglob("*.py")):
        text = path.read_text()
        found = REFERENCE.findall(text)
        if not found:
            continue
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        home = importlib.import_module(module)
        dangling += [f"{path.relative_to(ROOT)}: {name}" for name in found if not _resolve(name, home)]
    assert dangling == []
