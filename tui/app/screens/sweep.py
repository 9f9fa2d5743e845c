"""The sweep screen: a sweep's ``--out`` directory in the terminal, one milestone at a time.

Left, the milestones some run reached and the invariants; right, the
selected one's distribution per variant (a textual-plotext histogram, AWS's
time as a vertical line) above the runs, each with its time. Enter on a run
dismisses the screen with that run (:class:`PickedRun`), and the replay UI
opens it as a timeline beside the current one: the same scenario, policy,
seed and drawn ``--set`` values, hence the same trace hash as in the sweep.

It reads only the files (``summary.json``, ``runs.jsonl``): no simulation
runs until a run is picked, so a 10,000-run sweep opens at once.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, OptionList, Static
from textual_plotext import PlotextPlot

from tui.clock import from_sim, parse_sim
from tui.errors import BadInput
from tui.sweep.stats import reached_all, seconds


@dataclass(frozen=True)
class PickedRun:
    """A run chosen on the sweep screen: its timeline's name and its ``outage-tui replay`` options."""

    scenario: str
    policy: str
    seed: int
    overrides: list[str] = field(default_factory=list)
    name: str = "run"


def run_name(run: dict[str, Any], base: str) -> str:
    """A run's timeline name, one word: ``run-17``, with the variant for a compared one (``run-17-...-fixed``)."""
    name = f"run-{run['run']}"
    return name if run["variant"] == base else f"{name}-{'-'.join(str(run['variant']).split())}"


def picked_from_command(command: str, name: str = "run") -> PickedRun:
    """Read back the ``outage-tui run ...`` line a sweep stores with every run."""
    words = shlex.split(command)
    scenario, policy, seed, overrides = words[2], "random", 0, []
    i = 3
    while i < len(words):
        flag, value = words[i], words[i + 1] if i + 1 < len(words) else ""
        if flag == "--policy":
            policy = value
        elif flag == "--seed":
            seed = int(value)
        elif flag == "--set":
            overrides.append(value)
        i += 2
    return PickedRun(scenario, policy, seed, overrides, name)


@dataclass
class SweepFiles:
    """What ``--out DIR`` holds: the summary and the run lines in run order."""

    path: Path
    summary: dict[str, Any]
    runs: list[dict[str, Any]]

    @property
    def variants(self) -> list[str]:
        return [v["name"] for v in self.summary["variants"]]

    def choices(self) -> list[str]:
        """Milestones reached by some run (in the summary's order), then the invariants."""
        first = self.summary["variants"][0]["milestones"] if self.summary["variants"] else {}
        reached = [n for n in first if any(v["milestones"].get(n, {}).get("reached") for v in self.summary["variants"])]
        return reached + [f"invariant {name}" for name in self.summary["invariants"]]


def read_sweep(directory: str | Path) -> SweepFiles:
    """Load a sweep's ``--out`` directory; a missing or broken file is one BadInput line."""
    path = Path(directory)
    try:
        summary = json.loads((path / "summary.json").read_text(encoding="utf-8"))
        runs = [json.loads(line) for line in (path / "runs.jsonl").read_text(encoding="utf-8").splitlines() if line]
    except OSError as err:
        raise BadInput(f"--sweep {directory}: cannot read {err.filename}: {err.strerror}") from None
    except json.JSONDecodeError as err:
        raise BadInput(
            f"--sweep {directory}: not a sweep's output ({err.msg}), expected outage-tui sweep --out"
        ) from None
    if not isinstance(summary, dict) or "variants" not in summary:
        raise BadInput(f"--sweep {directory}: summary.json is not a sweep summary, expected outage-tui sweep --out")
    return SweepFiles(path, summary, runs)


class SweepScreen(Screen[PickedRun | None]):
    """Distributions of a sweep; Enter on a run returns it, escape returns None."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "dismiss(None)", "close"),
        Binding("tab", "app.focus_next", "milestones / runs"),
    ]

    DEFAULT_CSS = """
    SweepScreen #choices { width: 34; }
    SweepScreen #plot { height: 1fr; }
    SweepScreen #runs { height: 1fr; }
    SweepScreen #title { height: 1; background: $boost; }
    """

    def __init__(self, files: SweepFiles) -> None:
        super().__init__()
        self.files = files
        self.selected = files.choices()[0] if files.choices() else ""

    def compose(self) -> ComposeResult:
        s = self.files.summary
        status = "" if s.get("complete", True) else "  INCOMPLETE"
        yield Static(
            f" sweep {self.files.path}: {s.get('runs_finished')} runs x {len(self.files.variants)} variants, "
            f"{s.get('policy')} policy{status}",
            id="title",
        )
        with Horizontal():
            yield OptionList(*self.files.choices(), id="choices")
            with Vertical():
                yield PlotextPlot(id="plot")
                yield DataTable(id="runs", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#runs", DataTable)
        table.add_columns("run", "variant", "seed", "value", "violations", "drawn")
        self.query_one("#plot", PlotextPlot).can_focus = False  # tab goes from the list straight to the runs
        self.show(self.selected)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self.show(str(event.option.prompt))

    def show(self, choice: str) -> None:
        """Plot ``choice`` and list every run with its value for it."""
        self.selected = choice
        self._plot(choice)
        table = self.query_one("#runs", DataTable)
        table.clear()
        for index, run in enumerate(self.files.runs):
            if choice.startswith("invariant "):
                value = "broke" if choice.removeprefix("invariant ") in run["violations"] else "held"
            else:
                stamp = run["milestones"].get(choice)
                value = "never" if not stamp else stamp[11:19]
            table.add_row(
                str(run["run"]),
                str(run["variant"]),
                str(run["seed"]),
                value,
                ", ".join(run["violations"]) or "-",
                " ".join(s.split(".")[-1] if len(s) > 40 else s for s in run["set"]),
                key=str(index),
            )

    def _plot(self, choice: str) -> None:
        widget = self.query_one("#plot", PlotextPlot)
        plt = widget.plt
        plt.clear_data()
        plt.clear_figure()
        names = self.files.variants
        if choice.startswith("invariant "):
            invariant = choice.removeprefix("invariant ")
            rates = [v["violations"][invariant]["rate"] * 100 for v in self.files.summary["variants"]]
            plt.bar(names, rates)
            plt.title(f"{invariant}: share of runs that broke it (%)")
        else:
            given = self.files.summary.get("given") or []
            for name in names:
                times = [
                    seconds(r["milestones"][choice]) / 60
                    for r in self.files.runs
                    if r["variant"] == name and r["milestones"].get(choice) and reached_all(r, given)
                ]
                if times:
                    plt.hist(times, bins=30, label=name)
            aws = self.files.summary["variants"][0]["milestones"].get(choice, {}).get("aws")
            if aws:
                plt.vline(parse_sim(aws) / 60, "white")
            among = f" that reached {' and '.join(given)}" if given else ""
            plt.title(f"{choice}: runs{among} by time (PDT)" + (f", AWS {aws} = vertical line" if aws else ""))
            self._clock_ticks(plt)
        widget.refresh()

    def _clock_ticks(self, plt: Any) -> None:
        """Label the x axis with PDT clock times instead of minutes since 23:48."""
        times = [
            seconds(r["milestones"][self.selected]) / 60 for r in self.files.runs if r["milestones"].get(self.selected)
        ]
        if not times:
            return
        low, high = min(times), max(times)
        steps = 5
        span = max(high - low, 1.0)
        positions = [low + span * i / (steps - 1) for i in range(steps)]
        plt.xticks(positions, [from_sim(p * 60).strftime("%H:%M:%S") for p in positions])

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        run = self.files.runs[int(str(event.row_key.value))]
        self.dismiss(picked_from_command(run["command"], run_name(run, self.files.variants[0])))
