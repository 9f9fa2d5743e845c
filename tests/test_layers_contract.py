"""The layers the README promises are checked, not just written.

* No module of the core layers (``sim``, ``scenario``, ``record``, ``explore``,
  ``session`` and the core of ``sweep``) imports Textual or Rich: each layer is
  imported whole in a fresh interpreter and ``sys.modules`` is read; the source
  is read too, so a late import inside a function cannot slip through.
  Command-line front ends that print with Rich live beside ``tui/cli.py`` (and
  ``tui/sweep/{command,output,plots}.py``, the sweep's own front end).
* ``tui.scenario`` is below the simulation and the sweep: it imports nothing
  from ``tui.sim`` or ``tui.sweep``, and loading a scenario brings neither in.
* ``tui.app`` drives a session through its public API only: it imports no
  underscored name from ``tui.session`` and touches no underscored attribute
  of a session.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "tui"

CORE_LAYERS = ("sim", "scenario", "record", "explore", "session", "sweep")
#: The sweep's front end prints tables and draws plots; the rest of the package is its core.
SWEEP_FRONT_END = ("tui/sweep/command.py", "tui/sweep/output.py", "tui/sweep/plots.py")
UI_LIBRARIES = ("textual", "rich")


def loaded_by(statement: str) -> set[str]:
    """The modules a fresh interpreter holds after running ``statement``."""
    code = f"import json, sys\n{statement}\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    return set(json.loads(out.stdout.splitlines()[-1]))


def sources_of(layer: str) -> list[Path]:
    paths = sorted((PACKAGE / layer).rglob("*.py"))
    return [p for p in paths if str(p.relative_to(ROOT)) not in SWEEP_FRONT_END]


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def from_packages(loaded: set[str], packages: tuple[str, ...]) -> list[str]:
    return sorted(m for m in loaded if m.split(".")[0] in packages)


@pytest.mark.parametrize("layer", CORE_LAYERS)
def test_no_core_layer_imports_textual_or_rich(layer: str) -> None:
    """Every core module of the layer, imported in one fresh interpreter: the UI libraries never come in."""
    modules = [module_name(p) for p in sources_of(layer)]
    loaded = loaded_by("\n".join(f"import {m}" for m in modules))
    ui = from_packages(loaded, UI_LIBRARIES)
    assert ui == [], f"importing tui.{layer} loads {sorted({m.split('.')[0] for m in ui})} ({len(ui)} modules)"


UI_IMPORT = re.compile(r"^\s*(?:from|import)\s+(?:textual|rich)\b", re.M)


@pytest.mark.parametrize("layer", CORE_LAYERS)
def test_no_core_layer_names_textual_or_rich_even_in_a_late_import(layer: str) -> None:
    """A lazy import inside a function escapes the import check above; the source does not."""
    found = [
        f"{path.relative_to(ROOT)}: {match.group(0).strip()}"
        for path in sources_of(layer)
        for match in UI_IMPORT.finditer(path.read_text())
    ]
    assert found == []


def test_the_session_layer_does_not_import_the_app() -> None:
    loaded = loaded_by("import tui.session.session")
    assert [m for m in loaded if m == "tui.app" or m.startswith("tui.app.")] == []


def test_the_scenario_layer_imports_nothing_from_the_simulation_or_the_sweep() -> None:
    """Every scenario module imported, and the built-in scenario (with its ``[sweep]`` section) loaded, in a
    fresh interpreter: ``tui.sim`` and ``tui.sweep`` stay unloaded, and no scenario source names them.

    A sweep's ``given`` milestones are checked against ``tui.scenario.milestones``, which the simulation's
    components take their ids from.
    """
    modules = [module_name(p) for p in sources_of("scenario")]
    loaded = loaded_by("\n".join(f"import {m}" for m in modules) + "\ntui.scenario.load_scenario()")
    above = ("tui.sim", "tui.sweep")
    brought = sorted(m for m in loaded if m in above or m.startswith(tuple(f"{a}." for a in above)))
    assert brought == [], f"importing tui.scenario and loading a scenario brings in {brought}"
    named = [
        f"{path.relative_to(ROOT)}: {match.group(0).strip()}"
        for path in sources_of("scenario")
        for match in re.finditer(r"^\s*(?:from|import)\s+tui\.(?:sim|sweep)\b.*$", path.read_text(), re.M)
    ]
    assert named == []


def test_every_component_takes_its_milestone_ids_from_the_scenario_catalogue() -> None:
    """One list of milestone ids: what the simulation registers is exactly the catalogue, in its order."""
    from tui.scenario import milestones
    from tui.sim.cascade import MILESTONES
    from tui.sim.world import DNS_MILESTONES

    assert (*DNS_MILESTONES, *MILESTONES) == milestones.ALL


def test_the_export_formats_are_listed_in_one_place_and_the_ui_ones_load_the_ui_only_when_run() -> None:
    """Every exporter is looked up without loading Textual; importing the UI's exporters registers nothing."""
    script = (
        "from tui.record.export import EXPORTERS, exporter\n"
        "names = list(EXPORTERS)\n"
        "assert all(callable(exporter(n)) for n in names)\n"
        "ui = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'))\n"
        "assert not ui, ui\n"
        "import tui.app.cast\n"
        "assert list(EXPORTERS) == names, (list(EXPORTERS), names)\n"
        "print(json.dumps(names))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", f"import json, sys\n{script}"], capture_output=True, text=True, cwd=ROOT
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == ["md", "trace", "cast", "svg"]


def private_uses_of_the_session(path: Path) -> list[str]:
    """Underscored names a module of the app takes from ``tui.session``, or reads off a session object."""
    tree = ast.parse(path.read_text(), str(path))
    where = path.relative_to(ROOT)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("tui.session"):
            found += [
                f"{where}:{node.lineno}: from {node.module} import {a.name}" for a in node.names if a.name[0] == "_"
            ]
        elif isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
            owner = node.value
            name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
            if "session" in name.lower():
                found.append(f"{where}:{node.lineno}: {ast.unparse(node)}")
        elif isinstance(node, ast.Call) and getattr(node.func, "id", "") == "getattr" and len(node.args) >= 2:
            target, attr = node.args[0], node.args[1]
            text = ast.unparse(target).lower()
            if "session" in text and isinstance(attr, ast.Constant) and str(attr.value).startswith("_"):
                found.append(f"{where}:{node.lineno}: {ast.unparse(node)}")
    return found


def test_the_app_uses_only_the_public_api_of_the_session() -> None:
    found = [use for path in sorted((PACKAGE / "app").rglob("*.py")) for use in private_uses_of_the_session(path)]
    assert found == []


def test_the_private_use_scan_can_see_a_private_use(tmp_path: Path) -> None:
    """The scan above is only worth something if it flags what it looks for."""
    probe = PACKAGE / "app" / "_probe_private_use.py"
    source = (
        "from tui.session.session import _hidden\n"
        "def f(self, session):\n"
        "    session._sims\n"
        "    self.session._lock\n"
        "    getattr(self._session, '_x')\n"
        "    self.session.public\n"
    )
    try:
        probe.write_text(source)
        found = private_uses_of_the_session(probe)
    finally:
        probe.unlink()
    assert [line.split(": ", 1)[1] for line in found] == [
        "from tui.session.session import _hidden",
        "session._sims",
        "self.session._lock",
        "getattr(self._session, '_x')",
    ]


#: What a module over :data:`MODULE_LINES` lines says at its top, followed by why.
SIZE_REASON = "Why one module of this size:"
MODULE_LINES = 350


def test_every_module_over_350_lines_says_why_at_its_top() -> None:
    """A long module is a choice someone explains in its docstring, not an accident nobody noticed."""
    unexplained = []
    for path in sorted(PACKAGE.rglob("*.py")):
        text = path.read_text()
        lines = text.count("\n")
        docstring = ast.get_docstring(ast.parse(text)) or ""
        if lines > MODULE_LINES and SIZE_REASON not in docstring:
            unexplained.append(f"{path.relative_to(ROOT)} ({lines} lines)")
    assert unexplained == [], f"over {MODULE_LINES} lines with no {SIZE_REASON!r} in the docstring: {unexplained}"


def test_every_event_kind_a_run_emits_is_a_listed_kind() -> None:
    """The readers' sets of kinds are made of :class:`tui.sim.kinds.Kind` members; every kind emitted must be one.

    Checked two ways: each kind named in an ``emit("...")`` call of the simulation's source, and each
    kind in the events of whole runs (original and fixed, canonical and random), which also catches
    kinds built at run time. The whole window once; the race's first half hour under the others.
    """
    from tui.clock import parse_sim
    from tui.scenario import load_scenario
    from tui.sim.kinds import Kind
    from tui.sim.simulation import run_headless

    listed = {k.value for k in Kind}
    written = {
        match.group(1)
        for path in (PACKAGE / "sim").rglob("*.py")
        for match in re.finditer(r"""emit\(\s*["']([\w.]+)["']""", path.read_text())
    }
    assert written - listed == set(), "emitted but not in tui.sim.kinds.Kind"
    seen: set[str] = set()
    for scenario, policy, seed, until in (
        ("us-east-1-2025-10-20", "canonical", 0, None),
        ("us-east-1-2025-10-20", "random", 3, parse_sim("00:10")),
        ("us-east-1-2025-10-20-fixed", "canonical", 0, parse_sim("00:10")),
    ):
        run_headless(load_scenario(scenario), policy, seed, until, on_event=lambda e: seen.add(e.kind))
    assert seen - listed == set(), "emitted in a run but not in tui.sim.kinds.Kind"
    assert len(seen) > 20
