"""The fork tree overlay: every timeline, where it forked from, and a way to switch or compare."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from tui.app.screens.once import OnceModal
from tui.clock import from_sim
from tui.session.views import ForkInfo


def fork_label(fork: ForkInfo) -> Text:
    """Name, where it forked, its own seed if it has one, and where it is now; overrides are listed under it.

    (:func:`own_overrides` lists them.) A timeline opened from a sweep's run keeps a seed of its own.
    """
    label = Text("● " if fork.current else "")
    label.append(fork.name, style="bold")
    if fork.parent is not None:
        label.append(f" ← {fork.parent} @ step {fork.forked_at}")
    if fork.seed is not None:
        label.append(f" · seed {fork.seed}", style="cyan")
    label.append(f" · now step {fork.step}, {from_sim(fork.now).strftime('%H:%M:%S')}")
    return label


def own_overrides(fork: ForkInfo, parent: ForkInfo | None) -> tuple[str, ...]:
    """The ``--set`` overrides a fork added: those it inherited are listed under its parent already."""
    inherited = parent.overrides if parent is not None else ()
    if fork.overrides[: len(inherited)] == inherited:
        return fork.overrides[len(inherited) :]
    return fork.overrides


def override_label(override: str) -> Text:
    return Text.assemble(("--set ", "dim"), (override, "yellow"))


class ForkTreeScreen(OnceModal[tuple[str, str] | None]):
    """Enter switches to the highlighted fork; c compares it with the current one.

    Under each fork, one row per ``--set`` override it added, so a long list is read, not cut at the edge.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,t", "dismiss_none", "Close", id="forks.close"),
        Binding("c", "compare", "Compare with current", id="forks.compare"),
        Binding("r", "rename", "Rename", id="forks.rename"),
        Binding("s", "app.slide", "Slide", id="forks.slide"),  # a talk can stop on this view
    ]

    def __init__(self, forks: tuple[ForkInfo, ...]) -> None:
        super().__init__()
        self.forks = forks
        self._fork_nodes: dict[str, TreeNode[str]] = {}

    def compose(self) -> ComposeResult:
        tree: Tree[str] = Tree("timelines", id="fork-tree")
        tree.border_title = "Forks · enter switch · c compare · r rename · esc close"
        tree.show_root = False
        nodes = self._fork_nodes
        by_name = {fork.name: fork for fork in self.forks}
        pending = list(self.forks)
        while pending:
            progressed = False
            for fork in list(pending):
                parent = tree.root if fork.parent is None else nodes.get(fork.parent)
                if parent is None:
                    continue
                node = parent.add(fork_label(fork), data=fork.name, expand=True)
                for override in own_overrides(fork, by_name.get(fork.parent or "")):
                    node.add_leaf(override_label(override))  # no data: enter and c pass over it
                nodes[fork.name] = node
                pending.remove(fork)
                progressed = True
            if not progressed:
                break
        yield tree

    def on_mount(self) -> None:
        tree = self.query_one(Tree)
        tree.focus()
        current = next((f.name for f in self.forks if f.current), None)
        node = self._fork_nodes.get(current) if current else None
        tree.move_cursor_to_line(max(node.line if node else 0, 0))

    def on_tree_node_selected(self, event: Tree.NodeSelected[str]) -> None:
        if event.node.data:
            self.dismiss(("switch", event.node.data))

    def action_compare(self) -> None:
        node = self.query_one(Tree).cursor_node
        if node is not None and node.data:
            self.dismiss(("compare", node.data))

    def action_rename(self) -> None:
        node = self.query_one(Tree).cursor_node
        if node is not None and node.data:
            self.dismiss(("rename", node.data))

    def action_dismiss_none(self) -> None:
        self.dismiss(None)
