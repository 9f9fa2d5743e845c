"""``outage-tui serve``: the replay UI (or a talk) in a browser, for screen sharing and projectors.

textual-serve runs one ``outage-tui`` process per browser tab and relays its
screen over a websocket to xterm.js in the page. Three things are changed here:

- it binds to ``127.0.0.1`` only: whoever opens the page drives the app, so the
  page is for this machine's browser, never for the network;
- its page asks a font CDN for Roboto Mono, which fails (or hangs) without
  internet. The link is replaced by ``@font-face`` rules for the Roboto Mono
  files textual-serve itself ships under ``/static/fonts/``, and the terminal is
  opened once that font has loaded, so xterm.js measures its cells in the font it
  draws with. Nothing the page loads comes from anywhere but this server;
- Ctrl+C ends every open tab's app at once, as closing the tab does, where
  textual-serve alone lets an open tab hold the server up for some 20 s.

Textual, aiohttp and textual-serve are imported only when serving starts, so
``outage-tui --help`` stays fast.
"""

from __future__ import annotations

import asyncio
import errno
import re
import shlex
import socket
import sys
from collections.abc import Sequence
from typing import Any

from tui.errors import BadInput

HOST = "127.0.0.1"
DEFAULT_PORT = 8000
#: The ``outage-tui`` subcommands that can run in the page.
COMMANDS = ("replay", "present")

#: The font the page draws with: shipped by textual-serve, served from ``/static/fonts/``.
FONT_FAMILY = "Roboto Mono"
_FONT_FACES = (
    ("normal", "RobotoMono-VariableFont_wght.ttf"),
    ("italic", "RobotoMono-Italic-VariableFont_wght.ttf"),
)
#: A stylesheet link to anywhere but this server (the template's font CDN).
_EXTERNAL_STYLESHEET = re.compile(r"<link\b[^>]*\bhref=\"https?://(?!127\.0\.0\.1[:/]|localhost[:/])[^>]*>", re.S)


def parse_port(text: str) -> int:
    """``--port`` as a number; anything else is one line and exit 2."""
    if not (text.isascii() and text.isdigit() and 1 <= int(text) <= 65535):
        raise BadInput(f"--port {text}: expected a port number from 1 to 65535")
    return int(text)


def app_command(words: Sequence[str]) -> list[str]:
    """The command each browser tab runs: ``outage-tui WORDS`` with this interpreter.

    The words are parsed as the subcommand parses them, and a talk's file is
    read, before anything is served: a bad option or file is one line here,
    not a browser tab that never opens.
    """
    words = list(words) or ["replay"]
    if words[0] not in COMMANDS:
        raise BadInput(
            f"serve {words[0]}: expected {' or '.join(COMMANDS)} first, e.g. outage-tui serve replay --policy manual"
        )
    _check_words(words)
    return [sys.executable, "-m", "tui.cli", *words]


def _check_words(words: list[str]) -> None:
    import typer

    from tui import cli

    group = typer.main.get_command(cli.app)
    command = group.get_command(None, words[0])  # type: ignore[attr-defined,arg-type]
    try:
        params = command.make_context(words[0], words[1:]).params
    except Exception as err:  # the command-line parser's own errors (typer ships its own click)
        if type(err).__name__ == "Exit":
            return  # --help: the tab prints it
        if not hasattr(err, "format_message"):
            raise
        raise BadInput(f"serve {words[0]}: {err.format_message()}") from None
    if words[0] == "present":
        from tui.record import read_session

        read_session(params["session"])


def check_free(port: int) -> None:
    """Refuse a port something else already listens on, before anything is printed."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server will bind
        try:
            probe.bind((HOST, port))
        except OSError as err:
            if err.errno == errno.EADDRINUSE:
                raise BadInput(f"--port {port}: {HOST}:{port} is in use, expected a free port") from None
            raise BadInput(f"--port {port}: cannot listen on {HOST}:{port}: {err.strerror}") from None


def offline_page(html: str, static_url: str) -> str:
    """textual-serve's page with every external stylesheet dropped and its font served from here."""
    faces = "\n".join(
        f'@font-face {{ font-family: "{FONT_FAMILY}"; font-style: {style}; font-weight: 100 700;'
        f' src: url("{static_url}fonts/{file}") format("truetype"); }}'
        for style, file in _FONT_FACES
    )
    # textual.js opens the terminal in window.onload; wait for the font first (bounded, so a
    # missing font file falls back to the system monospace font instead of a blank page).
    wait_for_font = f"""<script>
      (() => {{
        const open = window.onload;
        window.onload = (event) => {{
          const font = document.fonts.load('16px "{FONT_FAMILY}"');
          const timeout = new Promise((resolve) => setTimeout(resolve, 3000));
          Promise.race([font, timeout]).catch(() => undefined).then(() => open && open(event));
        }};
      }})();
    </script>"""
    html = _EXTERNAL_STYLESHEET.sub("", html)
    return html.replace("</head>", f"<style>\n{faces}\n</style>\n{wait_for_font}\n</head>", 1)


def serve(words: Sequence[str], port_text: str) -> None:
    """Serve ``outage-tui WORDS`` on http://127.0.0.1:PORT until Ctrl+C."""
    command = app_command(words)
    port = parse_port(port_text)
    check_free(port)
    title = shlex.join(["outage-tui", *command[3:]])
    # textual-serve starts the command through a shell: exec makes that shell the app, one process per tab.
    _server_class()("exec " + shlex.join(command), host=HOST, port=port, title=title).serve()


def _server_class() -> type[Any]:
    """textual-serve's server, with the page made self-contained and a plain start-up line."""
    from aiohttp import web
    from textual_serve.server import Server

    class LocalServer(Server):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._tabs: set[asyncio.Task[Any]] = set()

        async def handle_websocket(self, request: web.Request) -> web.StreamResponse:
            tab = asyncio.current_task()
            assert tab is not None
            self._tabs.add(tab)
            try:
                return await super().handle_websocket(request)
            finally:
                self._tabs.discard(tab)

        async def on_shutdown(self, app: web.Application) -> None:
            """Ctrl+C ends each open tab's app as closing the tab would, not after aiohttp's grace period."""
            for tab in list(self._tabs):
                tab.cancel()

        async def handle_index(self, request: web.Request) -> web.StreamResponse:
            response = await super().handle_index(request)
            assert isinstance(response, web.Response) and response.text is not None
            response.text = offline_page(response.text, f"{self.public_url}/static/")
            return response

        async def on_startup(self, app: web.Application) -> None:
            self.console.print(
                f"Serving {self.title} on {self.public_url} (this machine only; one app per browser tab)."
                " Ctrl+C stops.",
                highlight=False,
                soft_wrap=True,
            )

    return LocalServer
