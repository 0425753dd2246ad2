"""`decider serve`: the interview in a browser (needs the `decider[web]` extra, i.e. textual-serve)."""

from __future__ import annotations

import argparse
from typing import Any

from decider.cli.options import add_rules, number_in


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "serve", help="serve the interview in a web browser (install decider[web])",
        description="Serve the interview over HTTP with textual-serve. Binds to loopback (127.0.0.1) unless --host "
                    "says otherwise. Each browser session is its own interview; exports download through the browser.")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to bind (default 127.0.0.1: this machine only; 0.0.0.0 shares it on the network)")
    parser.add_argument("--port", type=number_in(int, 1, 65535, "a port number from 1 to 65535"), default=8000,
                        help="TCP port (default 8000)")
    add_rules(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import socket

    from decider.cli.inputs import load_rules
    from decider.errors import DeciderError, Problem

    try:
        import textual_serve  # noqa: F401  (only to tell whether the extra is installed)
    except ImportError:
        raise DeciderError("decider serve needs the web extra: pip install 'decider[web]' "
                           "(from a checkout: .venv/bin/pip install -e '.[web]')") from None
    load_rules(args.rules)  # a broken rulebase is reported here, not in every browser session
    try:  # say plainly when the address cannot be bound, before the web server starts
        family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((args.host, args.port))
    except (OSError, OverflowError) as exc:
        raise DeciderError([Problem(message=f"cannot listen on {args.host}:{args.port}: {getattr(exc, 'strerror', None) or exc}",
                                    item="--host/--port")]) from None
    from decider.tui.web import serve

    serve(args.host, args.port, args.rules)
    return 0
