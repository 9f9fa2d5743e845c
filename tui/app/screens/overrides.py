"""The fork dialog's ``--set`` field: what it accepts, what it completes, and the check made before forking.

The field takes what people copy from a command line: ``KEY=VALUE`` words
separated by spaces, each optionally after ``--set`` (or ``--set=``). The
overrides are checked here, by loading the scenario with them exactly as the
session will, so a mistake is explained inside the dialog with the text
still there, instead of closing it and cutting the reason short on the
status line.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.suggester import Suggester

from tui.errors import BadInput, one_line
from tui.scenario import load_scenario
from tui.session.views import Snapshot

PREFIX = "--set"
EXAMPLE = "fixes.recheck_in_batch=true"


def split_sets(text: str) -> tuple[str, ...]:
    """``--set a=1 b=2 --set=c=3`` -> ``("a=1", "b=2", "c=3")``; a ``--set`` with nothing after it is bad input."""
    words = text.split()
    sets: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        if word == PREFIX:
            if i + 1 == len(words):
                raise BadInput(f"{PREFIX}: expected KEY=VALUE after it, e.g. {EXAMPLE}")
            word = words[i + 1]
            i += 1
        elif word.startswith(f"{PREFIX}="):
            word = word.removeprefix(f"{PREFIX}=")
        sets.append(word)
        i += 1
    return tuple(sets)


class KeySuggester(Suggester):
    """Completes the key being typed in the last word (after a ``--set`` or not), then adds the ``=``.

    → at the end of the field takes the suggestion (Textual's ``Input``).
    Keys are matched as typed: scenario keys are lower case.
    """

    def __init__(self, keys: Sequence[str]) -> None:
        super().__init__(use_cache=True, case_sensitive=True)
        self.keys = list(keys)

    async def get_suggestion(self, value: str) -> str | None:
        if not value or value[-1].isspace():
            return None
        word = value.split()[-1].removeprefix(f"{PREFIX}=")
        if not word or "=" in word or word.startswith("-"):
            return None
        for key in self.keys:
            if key.startswith(word):
                return value + key[len(word) :] + "="
        return None


def check_fork(snap: Snapshot | None, name: str, sets: tuple[str, ...]) -> tuple[str, str] | None:
    """Why the session would refuse this fork: the field at fault (``"name"`` or ``"sets"``) and one line; or None.

    The overrides are loaded the way the session loads a fork's scenario:
    the timeline's own scenario source with its overrides, then these.
    """
    if snap is None:
        return None
    name = name.strip()
    if name and any(fork.name == name for fork in snap.forks):
        return "name", f"a fork named {name} exists: choose another name"
    scenario = snap.scenario
    if sets and scenario is not None:
        try:
            load_scenario(scenario.source, [*scenario.overrides, *sets])
        except BadInput as err:
            return "sets", one_line(str(err))
    return None
