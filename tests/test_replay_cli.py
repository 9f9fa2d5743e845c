"""``outage-tui replay`` on the command line: bad input is one line and exit 2, help stays light."""

from __future__ import annotations

import subprocess
import sys

import pytest
from typer.testing import CliRunner

from tui.cli import app


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--policy", "sometimes"], "--policy sometimes"),
        (["--speed", "0"], "--speed"),
        (["--speed", "nan"], "--speed"),
        (["no-such-scenario"], "no-such-scenario"),
        (["--set", "dns.enactors=banana"], "--set dns.enactors=banana"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args: list[str], needle: str) -> None:
    result = CliRunner().invoke(app, ["replay", *args])
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and needle in lines[0] and "Traceback" not in result.output


def test_help_does_not_import_textual() -> None:
    code = (
        "import sys; from typer.testing import CliRunner; from tui.cli import app;"
        "r = CliRunner().invoke(app, ['replay', '--help']);"
        "assert r.exit_code == 0 and '--policy' in r.output, r.output;"
        "sys.exit(1 if 'textual' in sys.modules else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
