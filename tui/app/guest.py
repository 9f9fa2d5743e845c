"""Host a Trio program as a guest run on the asyncio loop Textual runs on.

Guest mode keeps Trio and Textual on one thread: the host may call Trio's
synchronous APIs, and Trio code may post Textual messages. The guest must be
cancelled and awaited before the app goes, or the thread is left inside a
Trio run and any later ``trio.run`` in the same process fails.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import outcome
import trio


class TrioGuest:
    """One Trio guest run: ``start()`` it on mount, ``await stop()`` on unmount."""

    def __init__(self, main: Callable[[], Awaitable[None]], clock: trio.abc.Clock | None = None) -> None:
        self._main = main
        self._clock = clock
        self._scope: trio.CancelScope | None = None
        self._token: trio.lowlevel.TrioToken | None = None
        self._cancel_requested = False
        self.done: asyncio.Future[outcome.Outcome[None]] | None = None

    def start(self) -> None:
        loop = asyncio.get_running_loop()
        self.done = loop.create_future()
        trio.lowlevel.start_guest_run(
            self._wrapped,
            run_sync_soon_threadsafe=loop.call_soon_threadsafe,
            run_sync_soon_not_threadsafe=loop.call_soon,
            done_callback=self._finished,
            host_uses_signal_set_wakeup_fd=True,
            clock=self._clock,
        )

    async def _wrapped(self) -> None:
        self._token = trio.lowlevel.current_trio_token()
        with trio.CancelScope() as scope:
            self._scope = scope
            if self._cancel_requested:
                scope.cancel()
            await self._main()

    def _finished(self, result: outcome.Outcome[None]) -> None:
        if self.done is not None and not self.done.done():
            self.done.set_result(result)

    def cancel(self) -> None:
        """Ask the guest to stop (safe to call at any time, more than once)."""
        self._cancel_requested = True
        if self._token is None or self._scope is None:
            return
        try:
            self._token.run_sync_soon(self._scope.cancel)
        except trio.RunFinishedError:
            pass

    async def stop(self) -> None:
        """Cancel the guest and wait until Trio has fully left the thread."""
        self.cancel()
        if self.done is not None:
            await asyncio.shield(self.done)

    async def result(self) -> None:
        """Wait for the guest to end; re-raise whatever it died of."""
        assert self.done is not None
        (await asyncio.shield(self.done)).unwrap()
