"""The replay app's keys: every binding, which ones the footer shows, and which move the simulation.

Kept apart from the app so that the help overlay, the command palette, the
presenter and the tests read one table of keys, and the app module keeps to
turning keys into session commands.
"""

from __future__ import annotations

import dataclasses

from textual.binding import Binding

PICK_KEYS = tuple(str(n) for n in range(1, 10))

BINDINGS: list[Binding] = [
    Binding(
        "space",
        "toggle_play",
        "Play",
        tooltip="Play or pause the paced replay; during a long move (g, m, b, e, f), stop it where it is",
        id="play",
    ),
    # The same key while a long move runs: the footer says "Stop" then, and "Play" otherwise.
    Binding("space", "stop", "Stop", tooltip="Stop the long move under way where it is", id="stop"),
    Binding("n", "step", "Step", tooltip="One atomic action, picked by the policy", id="step"),
    Binding("e", "step_event", "Event", tooltip="Step until the next notable event", id="step-event"),
    Binding("m", "milestone(1)", "Milestone", tooltip="Run to the next milestone", id="milestone-next"),
    Binding("b", "milestone(-1)", "Back", tooltip="Go back to the previous milestone", id="milestone-prev", show=False),
    Binding("1", "pick(1)", "Pick", key_display="1-9", tooltip="Let the listed component move next", id="pick-1"),
    *(Binding(k, f"pick({k})", f"Pick {k}", show=False, id=f"pick-{k}") for k in PICK_KEYS[1:]),
    Binding(
        "backspace",
        "step_back",
        "Step back",
        key_display="⌫",
        tooltip="One move back; the move stays recorded, n takes it again",
        id="step-back",
    ),
    Binding("u", "undo", "Undo", tooltip="Back to where the last move started (nothing recorded is lost)", id="undo"),
    Binding("f", "fork", "Fork", tooltip="Fork this timeline here (optionally with --set changes)", id="fork"),
    Binding("t", "fork_tree", "Forks", tooltip="Fork tree: switch or compare", id="fork-tree"),
    Binding("w", "sweep", "Sweep", tooltip="The sweep's runs: Enter opens one beside this timeline", id="sweep"),
    Binding("v", "compare", "Compare", tooltip="Compare this fork with its parent", id="compare"),
    Binding("g", "go_to", "Go to", tooltip="Go to a PDT time (forward or back)", id="go-to", show=False),
    Binding("right_square_bracket", "speed(1)", "Faster", key_display="]", tooltip="Display faster", id="faster"),
    Binding("left_square_bracket", "speed(-1)", "Slower", key_display="[", tooltip="Display slower", id="slower"),
    Binding("plus,equals_sign", "zoom(1)", "Zoom in", key_display="+", tooltip="Timeline: zoom in", id="zoom-in"),
    Binding("minus", "zoom(-1)", "Zoom out", key_display="-", tooltip="Timeline: zoom out", id="zoom-out"),
    Binding("left", "pan(-1)", "Earlier", key_display="←", tooltip="Timeline: pan earlier", id="pan-left"),
    Binding("right", "pan(1)", "Later", key_display="→", tooltip="Timeline: pan later", id="pan-right"),
    Binding(
        "down",
        "lanes(1)",
        "Lanes ↓",
        key_display="↓",
        tooltip="Timeline: scroll the lanes down",
        id="lanes-down",
        show=False,
    ),
    Binding(
        "up",
        "lanes(-1)",
        "Lanes ↑",
        key_display="↑",
        tooltip="Timeline: scroll the lanes up",
        id="lanes-up",
        show=False,
    ),
    Binding(
        "pagedown",
        "lanes_page(1)",
        "Lanes page ↓",
        key_display="PgDn",
        tooltip="Timeline: a page of lanes down",
        id="lanes-page-down",
        show=False,
    ),
    Binding(
        "pageup",
        "lanes_page(-1)",
        "Lanes page ↑",
        key_display="PgUp",
        tooltip="Timeline: a page of lanes up",
        id="lanes-page-up",
        show=False,
    ),
    Binding(
        "tab",
        "focus_log",
        "Scroll log",
        key_display="tab",
        tooltip="Event log: focus it to scroll (↑↓ PgUp PgDn Home End; End follows again; esc back)",
        id="focus-log",
        show=False,
    ),
    Binding("c", "follow", "Follow", tooltip="Timeline: follow the cursor again", id="follow"),
    Binding("l", "log_filter", "Log filter", tooltip="Event log: key, all, then one component", id="log-filter"),
    Binding("a", "note", "Note", tooltip="Add a speaker note at this step", id="note"),
    Binding("s", "slide", "Slide", tooltip="Mark this moment and view as a stop of the talk", id="slide"),
    Binding(
        "greater_than_sign",
        "marker(1)",
        "Next marker",
        key_display=">",
        tooltip="Go to the next marker (note, fork, milestone, slide)",
        id="marker-next",
    ),
    Binding(
        "less_than_sign",
        "marker(-1)",
        "Prev marker",
        key_display="<",
        tooltip="Go to the previous marker",
        id="marker-prev",
    ),
    Binding("r", "record", "Record", tooltip="Start or stop recording the session to a file", id="record"),
    Binding("question_mark", "help", "Help", key_display="?", tooltip="Every key", id="help"),
    Binding("q", "quit", "Quit", tooltip="Quit", id="quit"),
]
#: Shown in the footer when they apply; the rest are in the help overlay and the palette.
FOOTER = {
    *("play", "stop", "step", "step-event", "milestone-next", "pick-1"),
    *("fork", "fork-tree", "sweep", "compare", "marker-next", "marker-prev", "help", "quit"),
}
BINDINGS = [b if b.id in FOOTER else dataclasses.replace(b, show=False) for b in BINDINGS]
#: Actions that move the simulation: refused while a long move runs (keys, footer clicks, palette entries).
MOVES = frozenset(
    {"step", "step_event", "milestone", "pick", "go_to", "fork", "fork_tree", "step_back", "undo", "marker", "sweep"}
)
#: What a refused action is called in its notice: the binding's description.
DESCRIPTIONS = {b.action: b.description for b in BINDINGS}
