"""What happens when something fails: the descriptor is still closed, the traceback shown only when asked."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

import tui.cli
import tui.record.writer as writer_module
from tui.cli import app
from tui.record import Header, SessionWriter
from tui.scenario import load_scenario


def test_a_failed_sync_on_close_is_raised_and_the_descriptor_is_closed_all_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    writer = SessionWriter(tmp_path / "s.jsonl", Header.for_run(load_scenario(), 1, "manual"))
    fd = writer._fd
    os.fstat(fd)  # open now

    def failing(fd: int) -> None:
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(writer_module.os, "fsync", failing)
    with pytest.raises(OSError, match="Input/output error"):
        writer.close()
    with pytest.raises(OSError) as closed:
        os.fstat(fd)
    assert closed.value.errno == errno.EBADF
    writer.close()  # a second close has nothing left to do


def crash(*args: object, **kwargs: object) -> None:
    raise RuntimeError("deliberate")


def test_debug_shows_the_traceback_of_an_internal_error_and_only_for_that_invocation(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two invocations in one process: ``--debug`` on the first does not carry over to the second."""
    monkeypatch.setattr(tui.cli, "load_scenario", crash)
    runner = CliRunner()
    loud = runner.invoke(app, ["--debug", "validate", "x"])
    quiet = runner.invoke(app, ["validate", "x"])
    assert (loud.exit_code, quiet.exit_code) == (1, 1)
    assert "Traceback (most recent call last)" in loud.stderr
    assert "RuntimeError: deliberate" in loud.stderr
    assert "Traceback" not in quiet.stderr
    assert quiet.stderr.strip().splitlines() == [
        "outage-tui: internal error: RuntimeError: deliberate (run with --debug for details)"
    ]


def test_an_app_that_ends_on_an_error_makes_the_command_exit_non_zero() -> None:
    """Textual prints the error and returns; the command must not then report success to a script."""
    import typer
    from textual.app import App

    class Broken(App[None]):
        def on_mount(self) -> None:
            raise RuntimeError("broken on purpose")

    class Fine(App[None]):
        def on_mount(self) -> None:
            self.exit()

    with pytest.raises(typer.Exit) as ended:
        tui.cli.run_app(Broken())
    assert ended.value.exit_code == 1
    tui.cli.run_app(Fine())  # a clean exit raises nothing
