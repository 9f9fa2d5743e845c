"""Every key recipe in the README and docs/, run verbatim: the keys are pressed, and what the text says shows.

A recipe is a fenced block marked ``keys``::

    $ outage-tui replay --policy manual     # start the app (replay or present) with these arguments
    g "23:47:49" enter                       # keys: a name presses it, "quoted" text is typed
    1×35                                     # KEY×N presses it N times
    => ANSWER: 0                             # the screen now shows this text

Everything after ``#`` is a comment for the reader. Recipes run in a fresh
working directory, so the files they record stay there.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import typer
from textual.screen import ModalScreen

from tests.ui_helpers import screen_text, settle
from tui import cli

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
#: Keys written as the keyboard shows them, by their Textual names.
SYMBOLS = {
    ">": "greater_than_sign",
    "<": "less_than_sign",
    "+": "plus",
    "-": "minus",
    "?": "question_mark",
    "]": "right_square_bracket",
    "[": "left_square_bracket",
    "esc": "escape",
    "⌫": "backspace",
    "→": "right",
    "←": "left",
}
SIZE = (120, 40)


def recipes() -> list[tuple[str, list[str]]]:
    found = []
    for source in SOURCES:
        lines = source.read_text().splitlines()
        for number, line in enumerate(lines):
            if line.strip() == "```keys":
                body = []
                for inner in lines[number + 1 :]:
                    if inner.strip() == "```":
                        break
                    body.append(inner)
                found.append((f"{source.relative_to(ROOT)}:{number + 1}", body))
    return found


def test_the_readme_has_the_recipes_it_promises() -> None:
    where = {name.split(":")[0] for name, _ in recipes()}
    assert "README.md" in where and len(recipes()) >= 3


def start(words: list[str]) -> Any:
    """The app ``outage-tui WORDS`` opens, built as the command line builds it."""
    from tui.app import create_app, create_presenter

    assert words[0] == "outage-tui", words
    group = typer.main.get_command(cli.app)
    command = group.get_command(None, words[1])  # type: ignore[attr-defined]
    params = command.make_context(words[1], words[2:]).params
    if words[1] == "present":
        return create_presenter(params["session"], link=False)
    assert words[1] == "replay", f"a recipe starts replay or present, not {words[1]}"
    return create_app(
        params["scenario"],
        params["set_"] or [],
        policy=params["policy"],
        seed=params["seed"],
        speed=params["speed"],
        paused=params["paused"],
        record=params["record"],
        session=params["session"],
    )


def keys(line: str) -> list[list[str]]:
    """A recipe line's key presses, in order, grouped by what is written as one (``1×35``, ``"23:47:49"``)."""
    pressed: list[list[str]] = []
    for typed, token in re.findall(r'"([^"]*)"|(\S+)', line):
        if not token:
            pressed.append(["space" if ch == " " else ch for ch in typed])
            continue
        name, _, times = token.partition("×")
        pressed.append([SYMBOLS.get(name, name)] * (int(times) if times else 1))
    return pressed


# Each recipe drives the whole app for many keys (10 to 20 s): they run in the slow set, once per CI run.
@pytest.mark.slow
@pytest.mark.parametrize("name, body", recipes(), ids=[name for name, _ in recipes()])
@pytest.mark.asyncio
async def test_recipe(name: str, body: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    steps = [re.sub(r"\s+#.*$", "", line).strip() for line in body]
    steps = [s for s in steps if s and not s.startswith("#")]
    while steps:
        assert steps[0].startswith("$ "), f"{name}: a recipe starts with a command, not {steps[0]!r}"
        app = start(shlex.split(steps.pop(0)[2:]))
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await settle(pilot)
            while steps and not steps[0].startswith("$ "):
                step = steps.pop(0)
                if step.startswith("=> "):
                    await settle(pilot)
                    shown = screen_text(app)
                    assert step[3:] in shown, f"{name}: {step[3:]!r} is not on the screen:\n{shown}"
                    continue
                for group in keys(step):
                    await pilot.press(*group)
                    if app.is_running and not isinstance(app.screen, ModalScreen):
                        await settle(pilot)  # a move: wait for it (typing into a dialog moves nothing)
                await pilot.pause()
