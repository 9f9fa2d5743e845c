"""End to end: the installed ``outage-tui replay`` in a real terminal (tmux), keys in, screen out."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

TMUX = shutil.which("tmux")
BINARY = Path(sys.executable).with_name("outage-tui")

pytestmark = pytest.mark.skipif(TMUX is None or not BINARY.exists(), reason="needs tmux and the installed outage-tui")


def tmux(*args: str) -> str:
    assert TMUX is not None
    return subprocess.run([TMUX, *args], check=True, capture_output=True, text=True).stdout


def wait_for(session: str, text: str, timeout: float = 45.0) -> str:
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = tmux("capture-pane", "-p", "-t", session)
        if text in screen:
            return screen
        time.sleep(0.1)
    raise AssertionError(f"{text!r} never appeared; last screen:\n{screen}")


def test_replay_in_tmux_steps_goes_to_the_race_and_quits_cleanly(tmp_path: Path) -> None:
    session = f"outage-e2e-{uuid.uuid4().hex[:8]}"
    status = tmp_path / "status"
    command = f"{BINARY} replay --paused --policy manual; echo $? > {status}; sleep 30"
    tmux("new-session", "-d", "-s", session, "-x", "100", "-y", "30", command)
    try:
        wait_for(session, "status: NOERROR")
        wait_for(session, "step 0 ")
        tmux("send-keys", "-t", session, "1")
        wait_for(session, "step 1 ")
        tmux("send-keys", "-t", session, "g")
        wait_for(session, "Go to time")
        tmux("send-keys", "-t", session, "23:48:30", "Enter")
        screen = wait_for(session, " at step ")  # the header's word that the go-to has finished
        assert "ANSWER: 0" in screen and "Sun 19 Oct 23:48" in screen
        tmux("send-keys", "-t", session, "q")
        deadline = time.monotonic() + 30
        while not status.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert status.exists(), tmux("capture-pane", "-p", "-t", session)
        assert status.read_text().strip() == "0"
    finally:
        subprocess.run([TMUX, "kill-session", "-t", session], capture_output=True, check=False)
