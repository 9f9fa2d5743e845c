"""The threaded session writer: same file as the synchronous one, never blocks the caller, loses nothing unseen.

Timing is never asserted tightly: a test waits for what must happen with a
generous deadline, and shows what must *not* happen yet with a delay far
longer than the wait (a minute-long batch window).
"""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

import tui.record.writer as writer_module
from tui.record import Header, SessionWriter, read_session
from tui.record.writer import ThreadedSessionWriter, WriterStuck
from tui.scenario import load_scenario

SCENARIO = "us-east-1-2025-10-20"
LONG = 60.0  # a batch window no test waits out: a line that is on disk before it was written early


def header() -> Header:
    return Header.for_run(load_scenario(SCENARIO), 1, "manual")


def wait_until(done: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)


def line_count(path: Path) -> int:
    return path.read_bytes().count(b"\n")


def same_file(fd: int, path: Path) -> bool:
    """Whether ``fd`` is open on ``path`` (by device and inode, so nothing else in the process is touched)."""
    try:
        mine, theirs = os.fstat(fd), path.stat()
    except OSError:
        return False
    return (mine.st_dev, mine.st_ino) == (theirs.st_dev, theirs.st_ino)


def fail_on(monkeypatch: pytest.MonkeyPatch, name: str, path: Path, code: int = errno.ENOSPC) -> list[int]:
    """Make ``os.<name>`` on ``path`` fail with ``code`` from now on; every other descriptor works as before."""
    real = getattr(os, name)
    calls: list[int] = []

    def failing(fd: int, *args: object) -> object:
        if same_file(fd, path):
            calls.append(fd)
            raise OSError(code, os.strerror(code))
        return real(fd, *args)

    monkeypatch.setattr(writer_module.os, name, failing)
    return calls


def write_every_entry_type(writer: SessionWriter | ThreadedSessionWriter) -> None:
    writer.choice(0)
    writer.choice(1, hand=True)
    writer.choice(2000)  # past the encoded-line cache
    writer.control("pause", step=3)
    writer.control("speed", speed=8, step=3)
    writer.control("seek", to_step=1)
    writer.control("resume")
    writer.note(1, "ünïcode | pipes\nand newlines")
    writer.fork("what-if", "main", 1, ["dns.planner.interval_s=20"])
    writer.control("switch", to="main", step=1)
    for index in range(50):
        writer.choice(index % 3, hand=index % 4 == 0)


# -- the file ------------------------------------------------------------------------------------
def test_threaded_writer_writes_the_same_bytes_as_the_synchronous_one(tmp_path: Path) -> None:
    with SessionWriter(tmp_path / "sync.jsonl", header()) as sync:
        write_every_entry_type(sync)
    with ThreadedSessionWriter(tmp_path / "thread.jsonl", header()) as threaded:
        write_every_entry_type(threaded)
        with pytest.raises(ValueError, match="speed"):
            threaded.control("speed")
        with pytest.raises(ValueError, match="at_step"):
            threaded.fork("bad", "main", -1)
        with pytest.raises(ValueError, match="index"):
            threaded.choice(-1)
    assert (tmp_path / "thread.jsonl").read_bytes() == (tmp_path / "sync.jsonl").read_bytes()
    assert threaded.lines == sync.lines == threaded.written == 1 + 60
    session = read_session(tmp_path / "thread.jsonl")
    assert session.torn_line is None and len(session.entries) == 60
    with pytest.raises(ValueError, match="closed"):
        threaded.choice(0)


def test_moves_wait_for_their_batch_and_urgent_lines_take_them_out_at_once(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    writer = ThreadedSessionWriter(path, header(), max_delay=LONG)
    try:
        wait_until(lambda: line_count(path) == 1, "the header (urgent: it does not wait for the batch)")
        for index in range(3):
            writer.choice(index)
        time.sleep(0.3)
        assert line_count(path) == 1, "moves went out before their batch was due"
        writer.note(3, "the stale plan lands here")
        wait_until(lambda: line_count(path) == 5, "the note and the moves queued before it")
        for action, fields in (("pause", {}), ("speed", {"speed": 2.0}), ("seek", {"to_step": 1})):
            writer.control(action, **fields)
        wait_until(lambda: line_count(path) == 8, "controls (urgent)")
        writer.fork("f", "main", 1)
        wait_until(lambda: line_count(path) == 9, "a fork (urgent)")
        writer.control("switch", to="main")
        wait_until(lambda: line_count(path) == 10, "a switch (urgent)")
        writer.choice(0)
        time.sleep(0.1)
        assert line_count(path) == 10
    finally:
        writer.close()
    assert line_count(path) == 11  # close drains the queue
    assert [json.loads(line)["type"] for line in path.read_text().splitlines()[1:5]] == ["choice"] * 3 + ["note"]


def test_moves_alone_reach_the_file_within_the_batch_window(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    with ThreadedSessionWriter(path, header(), max_delay=0.05) as writer:
        for index in range(1000):
            writer.choice(index % 5)
        wait_until(lambda: writer.written == 1001, "a batch of moves with nothing urgent after it")
        assert line_count(path) == 1001


def test_close_drains_the_queue_syncs_and_joins_the_thread(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "s.jsonl"
    synced: list[int] = []
    real_fsync = os.fsync
    monkeypatch.setattr(writer_module.os, "fsync", lambda fd: (synced.append(fd), real_fsync(fd))[1])
    writer = ThreadedSessionWriter(path, header(), max_delay=LONG)
    wait_until(lambda: writer.written == 1, "the header")
    for index in range(20_000):
        writer.choice(index % 7)
    writer.close()
    assert not writer._thread.is_alive()
    assert line_count(path) == 20_001 and writer.written == 20_001
    assert len(synced) == 2  # the header, then the whole queue in one batch at close
    writer.close()  # a second close is harmless


def test_a_writer_never_closed_is_drained_at_interpreter_exit(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    code = (
        "import sys\n"
        "from tui.record.writer import ThreadedSessionWriter\n"
        "from tui.record import Header\n"
        "from tui.scenario import load_scenario\n"
        "w = ThreadedSessionWriter(sys.argv[1], Header.for_run(load_scenario(), 1, 'manual'), max_delay=60)\n"
        "for i in range(5000):\n"
        "    w.choice(i % 3)\n"
    )
    subprocess.run([sys.executable, "-c", code, str(path)], check=True, timeout=60)
    assert len(read_session(path).entries) == 5000


# -- errors are never swallowed -------------------------------------------------------------------
@pytest.mark.parametrize("call, code", [("write", errno.ENOSPC), ("fsync", errno.EIO), ("write", errno.EBADF)])
def test_a_failed_write_is_kept_and_raised_by_the_next_call_check_and_close(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, call: str, code: int
) -> None:
    path = tmp_path / "s.jsonl"
    told: list[OSError] = []
    writer = ThreadedSessionWriter(path, header(), max_delay=0.01, on_error=told.append)
    wait_until(lambda: writer.written == 1, "the header")
    writer.check()
    assert writer.error is None
    fail_on(monkeypatch, call, path, code)
    writer.choice(0)
    wait_until(lambda: writer.error is not None, "the thread to record the failure")
    assert writer.error is not None and writer.error.errno == code
    assert [err.errno for err in told] == [code]  # on_error heard it once, from the thread
    for surface in (lambda: writer.choice(1), writer.check, lambda: writer.note(1, "x"), writer.close):
        with pytest.raises(OSError) as raised:
            surface()
        assert raised.value.errno == code and raised.value.strerror == os.strerror(code)
    assert not writer._thread.is_alive()


def test_an_unexpected_exception_in_the_thread_becomes_an_error_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "s.jsonl"
    writer = ThreadedSessionWriter(path, header(), max_delay=0.01)
    wait_until(lambda: writer.written == 1, "the header")
    monkeypatch.setattr(writer_module, "_write_all", lambda fd, data: 1 / 0)
    writer.choice(0)
    wait_until(lambda: writer.error is not None, "the thread to record the failure")
    with pytest.raises(OSError, match="ZeroDivisionError"):
        writer.close()


def test_a_stuck_thread_does_not_hang_close_and_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "s.jsonl"
    writer = ThreadedSessionWriter(path, header(), max_delay=LONG, join_timeout=0.2)
    wait_until(lambda: writer.written == 1, "the header")
    release = threading.Event()
    real_fsync = os.fsync

    def hanging_fsync(fd: int) -> None:
        if same_file(fd, path):
            release.wait(30)
        real_fsync(fd)

    monkeypatch.setattr(writer_module.os, "fsync", hanging_fsync)
    writer.choice(0)
    started = time.monotonic()
    with pytest.raises(WriterStuck, match=r"still writing after 0\.2 s") as raised:
        writer.close()
    assert time.monotonic() - started < 10
    assert raised.value.errno == errno.ETIMEDOUT
    release.set()
    writer.close()  # once the fsync returns, the thread finishes and a later close succeeds
    assert not writer._thread.is_alive() and line_count(path) == 2


# -- kill -9 --------------------------------------------------------------------------------------
CHILD = """
import sys, time
from tui.record import Header
from tui.record.writer import ThreadedSessionWriter
from tui.scenario import load_scenario

writer = ThreadedSessionWriter(sys.argv[1], Header.for_run(load_scenario(), 1, "manual"))
n = 0
print("started", flush=True)
while True:
    for _ in range(200):
        writer.choice(n % 7, hand=n % 5 == 0)
        n += 1
        if n % 5000 == 0:
            writer.note(n, f"note after {n} moves")
    print(f"enqueued {n}", flush=True)
    time.sleep(0.002)
"""
MARGIN = 0.5  # the writer promises 0.2 s; the test waits more, so a busy machine cannot fail it


def expected_entries(moves: int) -> list[dict]:
    out: list[dict] = []
    for n in range(moves):
        out.append({"type": "choice", "index": n % 7, **({"hand": True} if n % 5 == 0 else {})})
        if (n + 1) % 5000 == 0:
            out.append({"type": "note", "step": n + 1, "text": f"note after {n + 1} moves"})
    return out


def test_kill_9_loses_nothing_that_was_queued_before_the_last_moments(tmp_path: Path) -> None:
    path = tmp_path / "killed.jsonl"
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    progress: list[tuple[float, int]] = []  # (when the test read it, moves the child had queued)

    def read_progress() -> None:  # keeps the pipe empty, so the child never stops to wait for the test
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("enqueued "):
                progress.append((time.monotonic(), int(line.split()[1])))

    reader = threading.Thread(target=read_progress, daemon=True)
    reader.start()
    try:
        wait_until(lambda: bool(progress) or proc.poll() is not None, "the child to start recording", timeout=60)
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        time.sleep(0.3)  # let it record for a moment
        promised = progress[-1][1]  # queued before this instant, so at least MARGIN before the kill
        time.sleep(MARGIN)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
    reader.join(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    assert progress[-1][1] > promised, "the child was not recording any more when it was killed"

    session = read_session(path)  # only a torn last line is allowed, and the reader skips it
    raw = path.read_bytes()
    assert session.torn_line is None or (not raw.endswith(b"\n") and session.torn_line == raw.count(b"\n") + 1)
    on_disk = [e.as_dict() for e in session.entries]
    moves = sum(1 for e in on_disk if e["type"] == "choice")
    assert on_disk == expected_entries(moves)  # a prefix of what was queued, in order, nothing torn inside
    # Every move queued more than 0.2 s before the kill is on disk: the test checks it with a wider margin
    # (MARGIN), so a loaded machine that runs the child late cannot make it fail.
    assert moves >= promised, f"lost {promised - moves} moves queued at least {MARGIN} s before kill -9"
