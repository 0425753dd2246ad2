"""`decider serve`: the interview in a browser through textual-serve (the optional `decider[web]` extra).

Every browser connection starts its own interview process (`decider.tui.web_session`): no answers are
shared between sessions and nothing is autosaved on the server. Exports are delivered to the browser
as a download, so they land where the user's browser saves them, never in the server's directory.
"""

from __future__ import annotations

import ipaddress
import shlex
import sys
from typing import Any

LOOPBACK_NAMES = ("localhost",)


def session_command(rules: str | None) -> str:
    """The shell command textual-serve runs for each browser session."""
    argv = [sys.executable, "-m", "decider.tui.web_session", *(["--rules", rules] if rules else [])]
    return shlex.join(argv)


def is_loopback(host: str) -> bool:
    """True when only this machine can reach `host`."""
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def banner(host: str, port: int) -> str:
    """What the server says when it starts: where, and who can connect."""
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}"
    if is_loopback(host):
        reach = ("Bound to loopback: only this machine can connect. "
                 "To share it on a network, pass --host (e.g. --host 0.0.0.0); there is no login.")
    else:
        reach = (f"Bound to {host}: anyone who can reach this address can open the interview; "
                 "there is no login and no encryption (put it behind a proxy with TLS and authentication).")
    return (f"decider: serving the interview at {url}\n{reach}\n"
            "Each browser tab is its own interview; exports download through the browser. Ctrl+C stops the server.")


def serve(host: str, port: int, rules: str | None) -> None:
    """Run the web server until interrupted."""
    from textual_serve.server import Server

    class InterviewServer(Server):
        async def on_startup(self, app: Any) -> None:
            print(banner(host, port), flush=True)

    server = InterviewServer(session_command(rules), host=host, port=port, title="decider")
    server.serve()
