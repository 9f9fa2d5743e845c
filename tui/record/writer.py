"""Append a session to disk as it happens, so a crash loses at most the last moments.

Two writers put out the same lines (see :mod:`tui.record.format`):

* :class:`SessionWriter` writes each line on the caller's thread, in one
  ``write`` of an unbuffered file, so once the call returns the line is in the
  operating system's hands: a crash or ``kill -9`` of the process can only
  tear a line that was being written. ``fsync`` then makes the line survive a
  crash of the machine too, at most every ``sync_every`` seconds. A headless
  run (``run --record``) has nothing else to do on its thread, so it uses
  this one.
* :class:`ThreadedSessionWriter` is for the replay UI, whose thread also
  draws the screen: a ``write`` plus ``fsync`` per move made ``g 06:00``
  2.7x slower with recording on. The caller only encodes a line and queues
  it; a thread of the writer's own writes the queued lines in one ``write``
  and syncs them, at most ``max_delay`` seconds after the first of them was
  queued, and at once for the lines that matter most to a talk (the header,
  controls, forks and notes). A ``kill -9`` then loses at most the moves of
  the last ``max_delay`` seconds. The thread never swallows a failed write:
  the error is kept, raised by the writer's next call, by :meth:`check` and
  by :meth:`close`, and handed to ``on_error`` so a front end can show it
  without waiting for the next move.
"""

from __future__ import annotations

import atexit
import copy
import errno
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

from tui.errors import BadInput
from tui.record.format import (
    CONTROL_ACTIONS,
    ChoiceEntry,
    ControlEntry,
    Entry,
    EntryError,
    ForkEntry,
    Header,
    NoteEntry,
    SlideEntry,
    encode,
    parse_entry,
)

#: How long a queued move may wait before the writer thread writes and syncs it. Half of the 0.2 s a
#: recording promises to lose at most on ``kill -9``: the other half is for the thread to be scheduled
#: and for the ``write`` of the batch before it (and its ``fsync``) to finish.
MAX_DELAY_S = 0.1
#: How long :meth:`ThreadedSessionWriter.close` waits for the thread to drain the queue and sync.
JOIN_TIMEOUT_S = 5.0
#: Choice lines are the bulk of a session and there are few distinct ones: each is encoded once.
_CHOICE_LINES: dict[tuple[int, bool], bytes] = {}
_CACHED_INDICES = 1024


def _open(path: Path, given: str | Path) -> int:
    """The file, truncated, for appending; a path that cannot be written is bad input, not a crash."""
    try:
        return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND, 0o644)
    except OSError as err:
        raise BadInput(f"{given}: cannot write the session: {err.strerror}") from None


def _write_all(fd: int, data: bytes) -> None:
    """One ``write``; a short write only happens on a full disk or a signal, so the rest follows."""
    written = os.write(fd, data)
    while written < len(data):
        written += os.write(fd, data[written:])


class _Entries:
    """The entry methods both writers share: check an entry, encode it, hand the line on."""

    path: Path
    #: Lines handed to the writer so far, the header included.
    lines: int

    def choice(self, index: int, hand: bool = False) -> None:
        """A move: ``index`` into the choices on offer (``hand`` if a person overrode a drawing policy)."""
        cacheable = type(index) is int and type(hand) is bool and 0 <= index < _CACHED_INDICES
        data = _CHOICE_LINES.get((index, hand)) if cacheable else None
        if data is None:
            data = _checked(ChoiceEntry(index, hand))
            if cacheable:
                _CHOICE_LINES[index, hand] = data
        self._put(data, urgent=False)

    def control(self, action: str, **fields: Any) -> None:
        """How the run is watched: ``pause``/``resume``, ``speed`` (speed=x), ``seek`` (to_step=n), ``switch``.

        Synced at once: a person makes few of them and each changes what the rest of the file means.
        """
        if action not in CONTROL_ACTIONS:
            raise ValueError(f"control action {action!r}: expected one of {', '.join(CONTROL_ACTIONS)}")
        self.append(ControlEntry(action, tuple(fields.items())), force_sync=True)

    def fork(self, name: str, parent: str, at_step: int, overrides: tuple[str, ...] | list[str] = ()) -> None:
        """A new timeline; the moves and notes after it are its own."""
        self.append(ForkEntry(name, parent, at_step, tuple(overrides)), force_sync=True)

    def note(self, step: int, text: str) -> None:
        """A speaker note at ``step`` of the current timeline."""
        self.append(NoteEntry(step, text), force_sync=True)

    def slide(self, step: int, title: str = "") -> None:
        """A marker a speaker placed at ``step`` of the current timeline."""
        self.append(SlideEntry(step, title), force_sync=True)

    def append(self, entry: Entry, force_sync: bool = False) -> None:
        """Write one entry; one the reader would refuse is a bug in the caller, raised before it reaches the file."""
        self._put(_checked(entry), urgent=force_sync)

    def _put(self, data: bytes, urgent: bool) -> None:
        raise NotImplementedError


def _checked(entry: Entry) -> bytes:
    """The entry's line, encoded; a ``ValueError`` if the reader would refuse it."""
    try:
        parse_entry(entry.as_dict(), 0)
    except EntryError as err:
        raise ValueError(f"not a valid session entry: {err}") from None
    return encode(entry).encode("utf-8")


class SessionWriter(_Entries):
    """An open session file written on the caller's thread: the header is on disk, entries follow one at a time."""

    def __init__(self, path: str | Path, header: Header, sync_every: float = 0.0) -> None:
        self.path = Path(path)
        self.sync_every = sync_every
        self.lines = 0
        self._fd = _open(self.path, path)
        self._last_sync = time.monotonic()
        self._put(encode(header).encode("utf-8"), urgent=True)

    def _put(self, data: bytes, urgent: bool) -> None:
        _write_all(self._fd, data)
        self.lines += 1
        now = time.monotonic()
        if urgent or now - self._last_sync >= self.sync_every:
            os.fsync(self._fd)
            self._last_sync = now

    def close(self) -> None:
        """Sync, then close; a failed sync is raised, and the descriptor is closed all the same."""
        if self._fd < 0:
            return
        fd, self._fd = self._fd, -1
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def __enter__(self) -> SessionWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


class WriterStuck(OSError):
    """The writer thread did not finish within the join timeout (a ``write`` or ``fsync`` that hangs)."""


class ThreadedSessionWriter(_Entries):
    """An open session file whose lines a thread of its own writes and syncs, so the caller never waits on disk.

    The file is opened (and a bad path refused) on the caller's thread; from
    then on the thread owns the descriptor and is the only one to write,
    sync or close it, so a stuck thread can never write into a descriptor
    number that was closed and reused. ``on_error`` runs on that thread, once,
    when a write or sync fails: it should only hand the news to the caller's
    thread (it must not call :meth:`close`, which joins the thread).
    """

    def __init__(
        self,
        path: str | Path,
        header: Header,
        max_delay: float | None = None,
        on_error: Callable[[OSError], None] | None = None,
        join_timeout: float | None = None,
    ) -> None:
        self.path = Path(path)
        # Read at each open (not bound as defaults) so a test can stretch them for a whole app.
        self.max_delay = MAX_DELAY_S if max_delay is None else max_delay
        self.join_timeout = JOIN_TIMEOUT_S if join_timeout is None else join_timeout
        self.lines = 1
        #: Lines written to the file so far (by the thread; synced right after).
        self.written = 0
        self._on_error = on_error
        self._error: OSError | None = None
        self._wake = threading.Condition()
        self._pending: list[bytes] = [encode(header).encode("utf-8")]
        self._due = time.monotonic()
        self._urgent = True  # the header goes out at once: a file without one is not a session
        self._closing = False
        self._fd = _open(self.path, path)
        self._thread = threading.Thread(target=self._run, name=f"session writer {self.path.name}", daemon=True)
        try:
            self._thread.start()
        except BaseException:
            os.close(self._fd)
            raise
        _OPEN.add(self)

    # -- the caller's side -----------------------------------------------------------
    def _put(self, data: bytes, urgent: bool) -> None:
        """Queue one encoded line; wake the thread for the first of a batch (its deadline) or an urgent one."""
        with self._wake:
            self.check()
            if self._closing:
                raise ValueError(f"{self.path}: the session file is closed")
            wake = urgent or not self._pending
            if not self._pending:
                self._due = time.monotonic() + self.max_delay
            self._pending.append(data)
            self._urgent = self._urgent or urgent
            if wake:
                self._wake.notify()
        self.lines += 1

    @property
    def error(self) -> OSError | None:
        """Why the thread stopped writing (None while all is well): every line queued after it is lost."""
        return self._error

    def check(self) -> None:
        """Raise the thread's write error, if it had one (the file misses lines from then on).

        Each time a copy, caused by the original: the traceback shows where it
        failed on the thread, and raising it again never grows the original's.
        """
        error = self._error
        if error is not None:
            raise copy.copy(error) from error

    def close(self) -> None:
        """Write and sync what is queued, then wait (at most ``join_timeout``) for the thread to finish.

        Raises the thread's write error if it had one, and :class:`WriterStuck`
        if it is still inside a ``write`` or ``fsync`` when the time is up: a
        close never hangs the caller, and never claims the file is complete
        when it may not be. Safe to call more than once.
        """
        with self._wake:
            self._closing = True
            self._wake.notify()
        self._thread.join(self.join_timeout)
        if self._thread.is_alive():
            raise WriterStuck(
                errno.ETIMEDOUT,
                f"the writer thread is still writing after {self.join_timeout:g} s; the last lines may be missing",
            )
        _OPEN.discard(self)
        self.check()

    def __enter__(self) -> ThreadedSessionWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    # -- the thread --------------------------------------------------------------------
    def _run(self) -> None:
        """Write and sync each batch when its deadline passes, when an urgent line comes, or on close."""
        try:
            while True:
                with self._wake:
                    while not (self._urgent or self._closing):
                        if self._pending:
                            left = self._due - time.monotonic()
                            if left <= 0:
                                break
                            self._wake.wait(left)
                        else:
                            self._wake.wait()
                    batch, self._pending = self._pending, []
                    self._urgent = False
                    closing = self._closing
                if batch:
                    _write_all(self._fd, b"".join(batch))
                    self.written += len(batch)
                    os.fsync(self._fd)
                if closing:  # nothing can be queued once closing is set: the queue is drained
                    break
        except OSError as err:
            self._fail(err)
        except Exception as err:  # noqa: BLE001 - a bug must not kill the thread silently: lines would be lost unseen
            self._fail(OSError(errno.EIO, f"the writer thread failed: {err!r}"))
        finally:
            try:
                os.close(self._fd)
            except OSError as err:
                self._fail(err)

    def _fail(self, err: OSError) -> None:
        """Keep the first error for the caller, drop the queue (the file cannot take it), tell ``on_error``."""
        with self._wake:
            if self._error is not None:
                return
            self._error = err
            self._pending = []
        if self._on_error is not None:
            try:
                self._on_error(err)
            except Exception:  # noqa: BLE001 - the error is kept either way; check() and the next call raise it
                pass


#: Writers not yet closed: drained at interpreter exit, so a session whose front end never closed its
#: recording (a test, a benchmark, a crash in the UI) still ends with every queued line on disk.
_OPEN: set[ThreadedSessionWriter] = set()


@atexit.register
def _close_open_writers() -> None:
    for writer in list(_OPEN):
        try:
            writer.close()
        except OSError as err:  # nobody is left to ask: say it where a person will see it
            print(f"outage-tui: recording {writer.path}: {err.strerror or err}", file=sys.stderr)
