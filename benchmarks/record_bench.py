"""Recording cost on the caller's thread: the synchronous writer against the threaded one (figures, not a test).

    python benchmarks/record_bench.py                 # both measurements
    python benchmarks/record_bench.py --lines 5000    # fewer lines (the synchronous writer syncs each one)
    python benchmarks/record_bench.py --no-session    # only the writers

Measures, in one run:

* the time to hand 50,000 choice lines to each writer, on the calling thread:
  ``SessionWriter`` as the replay UI used it (a ``write`` and an ``fsync`` per
  line) and ``ThreadedSessionWriter`` (encode and queue; its thread writes and
  syncs in batches), then the ratio; the threaded writer's ``close`` (drain,
  sync, join) is shown apart, since the UI only pays it when recording stops;
* ``g 06:00`` in a paused session (the replay UI's session, without the
  screen): not recording, recording through the threaded writer, and
  recording through the synchronous one.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import trio

import tui.session.recording as recording
from tui.clock import parse_sim
from tui.record import Header, SessionWriter
from tui.record.writer import ThreadedSessionWriter
from tui.scenario import load_scenario
from tui.session import Session, SessionConfig
from tui.session import commands as cmd


def enqueue_figures(lines: int, folder: Path) -> dict[str, str]:
    header = Header.for_run(load_scenario(), 1, "manual")
    out: dict[str, str] = {}

    with SessionWriter(folder / "sync.jsonl", header) as sync:
        t0 = time.perf_counter()
        for n in range(lines):
            sync.choice(n % 7)
        old = time.perf_counter() - t0

    threaded = ThreadedSessionWriter(folder / "thread.jsonl", header)
    t0 = time.perf_counter()
    for n in range(lines):
        threaded.choice(n % 7)
    new = time.perf_counter() - t0
    t0 = time.perf_counter()
    threaded.close()
    drain = time.perf_counter() - t0

    same = (folder / "sync.jsonl").read_bytes() == (folder / "thread.jsonl").read_bytes()
    out[f"{lines} choices, synchronous (write + fsync each)"] = f"{old:.3f} s ({old / lines * 1e6:.1f} µs a line)"
    out[f"{lines} choices, threaded (enqueue only)"] = f"{new:.3f} s ({new / lines * 1e6:.2f} µs a line)"
    out["ratio synchronous / threaded"] = f"{old / new:.0f}x"
    out["threaded close (drain, fsync, join)"] = f"{drain * 1000:.1f} ms; files byte-identical: {same}"
    return out


class _SynchronousWriter(SessionWriter):
    """The writer the replay UI used before: every line written and synced on the session's thread."""

    def __init__(self, path: str, header: Header, **_ignored: Any) -> None:
        super().__init__(path, header)

    @property
    def error(self) -> OSError | None:
        return None

    def check(self) -> None:
        pass


def goto_seconds(until: float, record: str | None) -> tuple[float, int]:
    """Wall seconds for ``g`` to ``until`` in a paused session, and the steps it took."""

    async def main() -> tuple[float, int]:
        session = Session(SessionConfig(load_scenario(), paused=True, record=record))
        async with trio.open_nursery() as nursery:
            nursery.start_soon(session.run)
            await session.started.wait()
            done = trio.Event()
            t0 = time.perf_counter()
            session.send(cmd.GoTo(until))
            session.send(cmd.Sync(done.set))
            await done.wait()
            took = time.perf_counter() - t0
            steps = session.timeline.sim.steps
            if session.recorder is not None:
                session.recorder.close()
                session.recorder = None
            nursery.cancel_scope.cancel()
        return took, steps

    return trio.run(main)


def session_figures(folder: Path) -> dict[str, str]:
    until = parse_sim("06:00")
    goto_seconds(parse_sim("00:30"), None)  # warm up (imports, first simulation) before timing anything
    off, steps = goto_seconds(until, None)
    threaded, _ = goto_seconds(until, str(folder / "goto-threaded.jsonl"))
    original = recording.ThreadedSessionWriter
    recording.ThreadedSessionWriter = _SynchronousWriter  # type: ignore[misc, assignment]
    try:
        synchronous, _ = goto_seconds(until, str(folder / "goto-sync.jsonl"))
    finally:
        recording.ThreadedSessionWriter = original  # type: ignore[misc]
    return {
        f"g 06:00 ({steps} steps), not recording": f"{off:.2f} s",
        "g 06:00, recording (threaded writer)": f"{threaded:.2f} s ({threaded / off:.2f}x not recording)",
        "g 06:00, recording (synchronous writer)": f"{synchronous:.2f} s ({synchronous / off:.2f}x not recording)",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=50_000, help="choice lines to hand each writer")
    parser.add_argument("--no-session", action="store_true", help="skip the g 06:00 measurement")
    args = parser.parse_args()
    # On the disk the recordings would go to (the working directory), not a RAM-backed /tmp.
    with tempfile.TemporaryDirectory(dir=os.getcwd(), prefix=".record-bench-") as tmp:
        figures = enqueue_figures(args.lines, Path(tmp))
        if not args.no_session:
            figures.update(session_figures(Path(tmp)))
    width = max(map(len, figures))
    for name, value in figures.items():
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    main()
