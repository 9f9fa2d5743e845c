"""Searches run without Python's cycle collector: it costs them much and finds nothing to free.

A breadth-first search keeps hundreds of thousands of small objects (parent
pointers, snapshots) and makes millions more. Every so many allocations
CPython's cycle collector walks the objects kept so far; on the race's
search those walks took two fifths of the time and freed a few dozen
objects: the search's data hold no reference cycles, and reference counting
frees them as soon as they are dropped. So a search pauses the collector
while it runs (:func:`cycles_paused`) and lets it run again afterwards, with
what the search kept moved to the oldest generation rather than walked at
the first allocation that follows.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextmanager
def cycles_paused() -> Iterator[None]:
    """Pause the cycle collector for the body; searches in several threads resume it when the last one ends."""
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                # Everything the search allocated is still in the youngest generation, and the first
                # collection after this would walk all of it (0.16 s after a verification): it goes
                # straight to the oldest generation instead, walked only by the rare full collections.
                gc.freeze()
                gc.unfreeze()
                gc.enable()
