"""``outage-tui serve``: the app in a browser on 127.0.0.1, self-contained, cleaned up on Ctrl+C.

The browser test drives Debian's ``chromium`` through Playwright (no browser
download): it reproduces the race with the README's keys and reads the screen
from xterm.js's own buffer, which is what the page draws on its canvas.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium")
HAS_PLAYWRIGHT = importlib.util.find_spec("playwright") is not None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve_cli(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tui.cli", "serve", *args], capture_output=True, text=True, timeout=timeout
    )


# --- bad arguments -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["bogus"], "serve bogus: expected replay or present first"),
        (["run", "--until", "23:50"], "serve run: expected replay or present first"),
        (["--policy", "manual"], "serve --policy: expected replay or present first"),
        (["replay", "--port", "http"], "--port http: expected a port number from 1 to 65535"),
        (["replay", "--policy", "manual", "--port", "70000"], "--port 70000: expected a port number from 1 to 65535"),
        (["--port", "0"], "--port 0: expected a port number from 1 to 65535"),
        (["replay", "--polcy", "manual"], "serve replay: No such option: --polcy"),
        (["present"], "serve present: Missing argument"),
        (["present", "no-such-talk.jsonl"], "no-such-talk.jsonl: no such session file"),
    ],
)
def test_serve_refuses_a_bad_first_word_or_port_in_one_line(args: list[str], said: str) -> None:
    proc = serve_cli(*args)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"outage-tui: {said}"), proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout == ""


def test_serve_refuses_a_port_in_use_in_one_line() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = serve_cli("replay", "--port", str(port))
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        f"outage-tui: --port {port}: 127.0.0.1:{port} is in use, expected a free port"
    ]


# --- a running server ---------------------------------------------------------------------------------------------


@dataclass
class Served:
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> int:
        """Ctrl+C, as a presenter stops it; the exit code."""
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=15)


@contextlib.contextmanager
def serving(tmp_path: Path, *words: str) -> Iterator[Served]:
    """``outage-tui serve WORDS --port P`` on a free port, up and answering; killed if a test leaves it running."""
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "tui.cli", "serve", *words, "--port", str(port)], stdout=out, stderr=out
        )
    served = Served(process, port, log)
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, served.output()
            try:
                with urllib.request.urlopen(served.url, timeout=5):
                    break
            except OSError:
                assert time.monotonic() < deadline, served.output()
                time.sleep(0.1)
        yield served
    finally:
        if process.poll() is None:  # a failed test: the server and its tabs' apps (which outlive a killed server)
            apps = descendants(process.pid)
            process.kill()
            process.wait()
            for pid in alive(apps):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)


def descendants(pid: int) -> dict[int, str]:
    """Every process under ``pid``, by id, with its command line (read from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(entry.name))
    found: dict[int, str] = {}
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            with contextlib.suppress(OSError):
                found[child] = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            todo.append(child)
    return found


def alive(pids: Iterable[int]) -> list[int]:
    """Those of ``pids`` still running (a zombie has finished: it only waits to be reaped)."""
    running = []
    for pid in pids:
        with contextlib.suppress(OSError):
            if (Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]) != "Z":
                running.append(pid)
    return running


def wait_until(check: Callable[[], Any], what: str, timeout: float = 20) -> Any:
    deadline = time.monotonic() + timeout
    while not (result := check()):
        assert time.monotonic() < deadline, what
        time.sleep(0.05)
    return result


def test_served_page_loads_nothing_from_elsewhere_and_ctrl_c_exits(tmp_path: Path) -> None:
    with serving(tmp_path, "replay") as served:
        html = urllib.request.urlopen(served.url).read().decode()
        here = f"127.0.0.1:{served.port}/"
        urls = set(re.findall(r"[a-z]+://[^\"')\s]+", html)) - {"http://www.w3.org/2000/svg"}  # the SVG namespace
        assert urls and all(url in (f"http://{here}", f"ws://{here}ws") or url.startswith(f"http://{here}static/")
                            for url in urls), urls  # fmt: skip
        fonts = re.findall(r'src: url\("([^"]+\.ttf)"\)', html)
        assert len(fonts) == 2 and '"Roboto Mono", menlo, monospace' in html
        for font in fonts:
            assert urllib.request.urlopen(font).read(4) == b"\x00\x01\x00\x00", font  # a TrueType font
        assert "Serving outage-tui replay on http://127.0.0.1:" in served.output()
        assert served.stop() == 0


def test_each_tab_runs_its_own_app_which_ends_with_the_tab(tmp_path: Path) -> None:
    """A tab is one websocket: textual-serve starts ``outage-tui replay`` for it and stops it when it closes."""
    import aiohttp

    async def open_then_close_a_tab(served: Served) -> list[int]:
        async with aiohttp.ClientSession() as client:
            async with client.ws_connect(f"ws://127.0.0.1:{served.port}/ws?width=100&height=30") as tab:
                drawn = 0
                while drawn < 2000:  # the app has painted a screen
                    message = await asyncio.wait_for(tab.receive(), timeout=30)
                    assert message.type == aiohttp.WSMsgType.BINARY, message
                    drawn += len(message.data)
                apps = [pid for pid, line in descendants(served.process.pid).items() if "tui.cli replay" in line]
                assert apps, descendants(served.process.pid)
            return apps

    with serving(tmp_path, "replay", "--paused") as served:
        apps = asyncio.run(open_then_close_a_tab(served))
        wait_until(lambda: not alive(apps), f"the app outlived its tab: {descendants(served.process.pid)}")
        with urllib.request.urlopen(served.url) as page:
            assert page.status == 200  # the server goes on for the next tab
        assert served.stop() == 0


# --- in a browser -------------------------------------------------------------------------------------------------

#: xterm.js keeps its Terminal inside textual.js; catch it as textual.js stores it (``this.terminal = ...``).
CATCH_TERMINAL = """
Object.defineProperty(Object.prototype, "terminal", {
  configurable: true,
  set(value) {
    (window.__terminals = window.__terminals || []).push(value);
    Object.defineProperty(this, "terminal", { value, writable: true, configurable: true, enumerable: true });
  },
});
"""
#: The rows on screen, as text, from the terminal's buffer.
READ_SCREEN = """() => {
  const terminal = (window.__terminals || [])[0];
  if (!terminal) return "";
  const buffer = terminal.buffer.active;
  const rows = [];
  for (let row = 0; row < terminal.rows; row++) {
    const line = buffer.getLine(buffer.viewportY + row);
    rows.push(line ? line.translateToString(true) : "");
  }
  return rows.join("\\n");
}"""

#: The page's own Roboto Mono (served from /static/fonts/) has loaded.
ROBOTO_MONO_LOADED = """[...document.fonts].some(
  (face) => face.family.replaceAll('"', "") === "Roboto Mono" && face.status === "loaded"
)"""


def step_of(screen: str) -> int:
    found = re.search(r"step (\d+) ", screen)
    return int(found.group(1)) if found else -1


def need_a_browser() -> str:
    """Debian's chromium, or a skip saying what is missing (a failure in CI, whose .ci/run installs both)."""
    missing = [
        *(["Debian's chromium (apt-get install chromium)"] if CHROMIUM is None else []),
        *(["playwright for Python (pip install -e '.[test]')"] if not HAS_PLAYWRIGHT else []),
    ]
    if missing:
        reason = f"needs {' and '.join(missing)}"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}: .ci/run installs them")
        pytest.skip(reason)
    assert CHROMIUM is not None
    return CHROMIUM


@pytest.mark.slow
def test_the_race_in_a_browser_reaches_answer_0_offline_and_ctrl_c_ends_the_app(tmp_path: Path) -> None:
    chromium = need_a_browser()
    from playwright.sync_api import Page, Route, sync_playwright

    def screen(page: Page) -> str:
        return str(page.evaluate(READ_SCREEN))

    def wait_for(page: Page, check: Callable[[str], bool], what: str, timeout: float = 45) -> str:
        deadline = time.monotonic() + timeout
        while not check(text := screen(page)):
            assert time.monotonic() < deadline, f"{what} never appeared; last screen:\n{text}"
            time.sleep(0.05)
        return text

    elsewhere: list[str] = []
    with serving(tmp_path, "replay", "--policy", "manual") as served, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})

            def only_this_server(route: Route) -> None:
                if route.request.url.startswith(served.url):
                    route.continue_()
                else:
                    elsewhere.append(route.request.url)
                    route.abort()

            page.route("**/*", only_this_server)
            page.add_init_script(CATCH_TERMINAL)
            page.goto(served.url)
            wait_for(page, lambda s: "status: NOERROR" in s and step_of(s) == 0, "the replay UI at step 0")
            assert page.evaluate(ROBOTO_MONO_LOADED), "the page's own Roboto Mono did not load"

            # README, "Reproduce or avoid the race by hand": g, 23:47:49, then keep pressing 1.
            page.focus(".xterm-helper-textarea")
            page.keyboard.press("g")
            wait_for(page, lambda s: "Go to time" in s, "the go-to dialog")
            page.keyboard.type("23:47:49")
            page.keyboard.press("Enter")
            text = wait_for(page, lambda s: " at step " in s, "the end of the go-to")
            assert "Sun 19 Oct 23:47:4" in text and "ANSWER: 4" in text
            for _ in range(80):
                step = step_of(text)
                page.keyboard.press("1")
                text = wait_for(page, lambda s, step=step: step_of(s) > step, f"a step after {step}")
                if "ANSWER: 0" in text:
                    break
            assert "ANSWER: 0" in text and "status: NOERROR" in text and "tree deleted" in text, text
            assert re.search(r"batch\.applied .*plan=104 +stale", text), text
            page.screenshot(path=tmp_path / "race.png")
            assert elsewhere == []

            # Ctrl+C with the tab still open: the app ends, then the server, and the page says so.
            processes = descendants(served.process.pid)
            assert any("tui.cli replay --policy manual" in line for line in processes.values()), processes
            assert served.stop() == 0, served.output()
            wait_until(lambda: not alive(processes), f"left running: {alive(processes)}")
            page.wait_for_selector("body.-closed", timeout=10_000)
        finally:
            browser.close()
