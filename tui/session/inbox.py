"""The commands a front end has sent and the session has not handled yet.

A key held down, or a front end that sends faster than a long move lets the
session read, must never make :meth:`tui.session.session.Session.send` fail
in the caller's hands: the inbox is unbounded, and sending only appends and
wakes the session. Commands are plain small records, so even thousands
waiting cost little; they are handled in the order sent.

Both sides run on the session's Trio thread (a front end in a guest run
calls ``put`` from the host loop, which is that same thread).
"""

from __future__ import annotations

from collections import deque
from typing import Generic, TypeVar

import trio

T = TypeVar("T")


class Inbox(Generic[T]):
    """An unbounded first-in first-out queue: ``put`` never blocks nor fails; ``get`` waits for an item."""

    def __init__(self) -> None:
        self._items: deque[T] = deque()
        self._ready = trio.Event()

    def __len__(self) -> int:
        return len(self._items)

    def put(self, item: T) -> None:
        """Queue ``item`` and wake the task waiting in :meth:`get`, if any."""
        self._items.append(item)
        self._ready.set()

    def get_nowait(self) -> T:
        """The oldest item; ``trio.WouldBlock`` when there is none."""
        if not self._items:
            raise trio.WouldBlock
        return self._items.popleft()

    async def get(self) -> T:
        """The oldest item, waiting for one; a cancelled wait takes none (nothing sent is lost)."""
        await trio.lowlevel.checkpoint_if_cancelled()
        while not self._items:
            self._ready = trio.Event()
            await self._ready.wait()
        item = self._items.popleft()
        await trio.lowlevel.cancel_shielded_checkpoint()
        return item
