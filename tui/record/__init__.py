"""Sessions on disk: record a run as JSON Lines, read it back, replay it exactly, export it.

Imports neither Textual nor Rich, so headless commands and tests stay light.
"""

from tui.record.format import FORMAT, MAIN, VERSION, ChoiceEntry, ControlEntry, Entry, ForkEntry, Header, NoteEntry
from tui.record.picks import Pick, divergence
from tui.record.reader import SessionFile, read_session, scenario_for
from tui.record.replay import Replayed, SessionReplay, record_headless, replay_session, scenario_path_of
from tui.record.writer import SessionWriter

__all__ = [
    "FORMAT",
    "MAIN",
    "VERSION",
    "ChoiceEntry",
    "ControlEntry",
    "Entry",
    "ForkEntry",
    "Header",
    "NoteEntry",
    "Pick",
    "Replayed",
    "SessionFile",
    "SessionReplay",
    "SessionWriter",
    "divergence",
    "read_session",
    "record_headless",
    "replay_session",
    "scenario_for",
    "scenario_path_of",
]
