"""Soak: the installed ``outage-tui replay`` in tmux takes thousands of random keys, then quits cleanly.

Under each policy, with ``--record F``, seeded random keys: every binding but
``r`` (which would stop the recording under test) and ``q``, digits, dialogs
opened and cancelled (or confirmed with their defaults), the command palette,
and a resize between 40x10 and 250x70 every 100 keys. Then the session is
brought to rest (dialogs closed, paused), its header read, and ``q`` pressed.

What is checked, and why it is honest:

* no traceback on the screen at any capture, nor in the pane (stderr) after exit; exit status 0;
* the file replays headless (``run --session F --json``) twice to the same
  trace hash: the recording is complete and deterministic;
* the file, reopened the way the UI reopens it, is on the timeline the header
  named last, at the step the header showed: what the screen said the
  session was is what the file says it was.
"""

from __future__ import annotations

import json
import random
import re
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tui.record import read_session, replay_session
from tui.session.recording import reopen, scenarios_of

TMUX = shutil.which("tmux")
BINARY = Path(sys.executable).with_name("outage-tui")
KEYS_PER_RUN = 3000
RESIZE_EVERY = 100
CHUNK = 25  # keys per send-keys call: the terminal's input buffer never fills
#: A key that reaches a dialog after the key that closes it is a keystroke a person cannot make; a fork
#: dialog given Enter twice at once crashes the app (``ScreenStackError``): that race is left out here.
DIALOG_CLOSE_S = 0.3

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(TMUX is None or not BINARY.exists(), reason="needs tmux and the installed outage-tui"),
]

#: Single keys (tmux names), every binding of the main screen but ``r`` and ``q``; movement keys weigh more.
KEYS = [
    "Space", "n", "n", "n", "e", "m", "b", "BSpace", "u", "]", "[", "+", "=", "-", "Left", "Right",
    "Up", "Down", "NPage", "PPage", "Tab", "c", "l", "s", ">", "<", "w", *"123456789", *"0123456789",
]  # fmt: skip
#: Keys that open a dialog or screen, each followed by what is typed into it and how it ends.
DIALOGS = [
    ["f", "Escape"],
    ["f", "Enter"],  # a fork with the suggested name
    ["f", "x", "BSpace", "Escape"],
    ["g", "2", "3", ":", "5", "5", "Enter"],
    ["g", "0", "1", ":", "0", "0", "Escape"],
    ["g", "9", "9", "Enter", "Escape"],  # a time that is refused, then cancelled
    ["a", "s", "o", "a", "k", "Enter"],
    ["a", "Escape"],
    ["t", "Escape"],
    ["t", "r", "z", "Escape", "Escape"],
    ["v", "Escape"],
    ["?", "Escape"],
    ["C-p", "Escape"],
    ["C-p", "f", "o", "r", "Escape"],
]


#: A server of the test's own: another program's ``tmux kill-server`` cannot end the soak half way.
SOCKET = f"outage-soak-{uuid.uuid4().hex[:8]}"


def tmux(*args: str) -> str:
    assert TMUX is not None
    return subprocess.run([TMUX, "-L", SOCKET, *args], check=True, capture_output=True, text=True).stdout


def screen(session: str, scrollback: bool = False) -> str:
    """The pane as it shows now; with ``scrollback``, what scrolled off too (a traceback is long)."""
    return tmux("capture-pane", "-p", *(("-S", "-") if scrollback else ()), "-t", session)


def assert_no_traceback(text: str) -> None:
    """A traceback is reported by the frames it names (file:line) and its last line, not pages of boxes."""
    if "Traceback" in text or re.search(r"^\w*(Error|Exception): ", text, re.M):
        frames = re.findall(r"([\w/.-]+\.py:\d+) in (\w+)", text)
        last = [line for line in text.splitlines() if re.match(r"^\w*(Error|Exception): ", line)]
        raise AssertionError(f"a traceback on the screen: {frames} {last}")


def key_stream(rng: random.Random) -> list[list[str]]:
    """Groups of keys to send together: mostly single keys, one in eight a dialog's whole sequence."""
    groups: list[list[str]] = []
    count = 0
    while count < KEYS_PER_RUN:
        group = rng.choice(DIALOGS) if rng.random() < 0.125 else [rng.choice(KEYS)]
        groups.append(group)
        count += len(group)
    return groups


HEADER = re.compile(r"fork (\S+).*?step (\d+) ", re.S)


def at_rest(session: str, timeout: float = 60.0) -> tuple[str, int]:
    """Close whatever is open, pause, and wait until the header's timeline and step hold still."""
    deadline = time.monotonic() + timeout
    last: tuple[str, int] | None = None
    while time.monotonic() < deadline:
        tmux("send-keys", "-t", session, "Escape")
        text = screen(session)
        assert_no_traceback(text)
        if "▶ playing" in text or "» moving" in text:
            tmux("send-keys", "-t", session, "Space")
        found = HEADER.search(text)
        now = None if found is None else (found.group(1), int(found.group(2)))
        if now is not None and now == last and "▶ playing" not in text and "» moving" not in text:
            return now
        last = now
        time.sleep(0.5)
    raise AssertionError(f"the session never came to rest; last screen:\n{screen(session)}")


def quit_cleanly(session: str, status: Path, tries: int = 3, wait_s: float = 20.0) -> None:
    """Press ``q`` until the app has gone (at most ``tries`` times).

    A terminal sends Escape as one byte: an Escape the app has not read yet
    when ``q`` arrives is read with it as alt+q, which is no key of the app.
    ``at_rest`` ends on an Escape, so the first ``q`` can be lost that way
    on a loaded machine; a person would press it again, and so does this.
    """
    time.sleep(1.0)
    for _ in range(tries):
        tmux("send-keys", "-t", session, "q")
        deadline = time.monotonic() + wait_s
        while not status.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        if status.exists():
            return


def replayed_hash(path: Path) -> tuple[str, int]:
    out = subprocess.run(
        [str(BINARY), "run", "--session", str(path), "--json"], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout.splitlines()[-1])["summary"]
    return summary["trace_sha256"], summary["steps"]


def where_the_file_ends(path: Path) -> tuple[str, int]:
    """The timeline the file makes current and its cursor, as the UI reopens it."""
    replay = replay_session(read_session(path))
    timelines, current, _speed = reopen(replay, scenarios_of(replay, replay.scenario))
    mine = next(t for t in timelines if t.name == current)
    return current, len(mine.picks) if mine.cursor is None else mine.cursor


#: What this test found and what it is waiting for; the marker goes once a run passes under every policy.
#: Found and fixed so far: palette crashes (paging with no room, a search or page key racing Escape, Enter
#: queued behind Escape), a dialog closed in another's place, markup in quoted input, and Textual toasts whose
#: negative timer froze the app; and a ``q`` read with an unread Escape as alt+q (now pressed again).
#: Left: under the manual policy a long move was seen not to come to rest within 60 s (cause not yet found).
KNOWN = "under the manual policy a long move was seen not to come to rest within 60 s (cause not yet found)"


@pytest.mark.xfail(strict=False, reason=KNOWN)
@pytest.mark.parametrize("policy", ["canonical", "random", "manual"])
def test_thousands_of_random_keys_then_quit_cleanly_and_the_recording_matches_the_screen(
    policy: str, tmp_path: Path
) -> None:
    rng = random.Random(f"soak-{policy}")
    session = f"outage-soak-{uuid.uuid4().hex[:8]}"
    record, status = tmp_path / "soak.jsonl", tmp_path / "status"
    # Textual draws on stderr, so stderr is the pane: what is printed after the UI has gone is read there.
    command = f"cd {tmp_path} && {BINARY} replay --policy {policy} --record {record}; echo $? > {status}; sleep 60"
    tmux("new-session", "-d", "-s", session, "-x", "120", "-y", "30", command)
    try:
        deadline = time.monotonic() + 45
        while "step " not in screen(session):
            assert time.monotonic() < deadline, screen(session)
            time.sleep(0.1)
        sent, resized, pending = 0, 0, []
        for group in key_stream(rng):
            if len(group) > 1:  # a dialog: its keys at once, then a moment for it to close before the next key
                tmux("send-keys", "-t", session, "--", *pending, *group)
                sent, pending = sent + len(pending) + len(group), []
                time.sleep(DIALOG_CLOSE_S)
            else:
                pending += group
            if len(pending) >= CHUNK:
                tmux("send-keys", "-t", session, "--", *pending)
                sent, pending = sent + len(pending), []
                time.sleep(0.02)
            if sent >= resized + RESIZE_EVERY:
                resized = sent
                tmux("resize-window", "-t", session, "-x", str(rng.randint(40, 250)), "-y", str(rng.randint(10, 70)))
                assert_no_traceback(screen(session, scrollback=True))
        tmux("send-keys", "-t", session, "--", *pending)
        tmux("resize-window", "-t", session, "-x", "160", "-y", "40")  # the header whole, not cut short
        shown = at_rest(session)
        quit_cleanly(session, status)
        after = screen(session, scrollback=True)
        assert status.exists(), after
        assert_no_traceback(after)
        assert status.read_text().strip() == "0", after
    finally:
        subprocess.run([TMUX, "-L", SOCKET, "kill-session", "-t", session], capture_output=True, check=False)
    first, second = replayed_hash(record), replayed_hash(record)
    assert first == second
    # The palette can stop the recording and start another (its "Record" entry, run by an Enter among the
    # random keys): then this file ends where that happened, and each later recording must replay too.
    others = sorted(tmp_path.glob("outage-tui-*.jsonl"))
    for other in others:
        assert replayed_hash(other) == replayed_hash(other)
    if not others:
        assert where_the_file_ends(record) == shown
