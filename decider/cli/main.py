"""The `decider` command: parses arguments, dispatches, and turns errors into messages and exit codes.

Exit codes: 0 success, 1 internal error, 2 bad input or usage. Heavy modules (pydantic models,
durable_rules, textual) are imported only by the command that needs them.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Sequence

from decider.cli import audit, batch, decide, doc, evaluate, graph, interview, lint, questions, scenarios, schema
from decider.version import __version__

COMMANDS = (decide, questions, schema, interview, batch, scenarios, evaluate, doc, lint, graph, audit)
EXIT_OK, EXIT_INTERNAL, EXIT_INPUT = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as one paragraph with exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        raise SystemExit(_fail(f"{self.prog}: {message}", EXIT_INPUT))


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="decider",
        description="Should we fine-tune a model, or prompt, evaluate and retrieve? "
        "An expert system that explains its advice rule by rule.",
    )
    parser.add_argument("--version", action="version", version=f"decider {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for command in COMMANDS:
        command.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:  # plain `decider` starts the interview
        args = parser.parse_args([*(sys.argv[1:] if argv is None else argv), "interview"])
    from decider.errors import DeciderError

    try:
        return int(args.run(args))
    except DeciderError as exc:
        return _fail(str(exc), EXIT_INPUT)
    except KeyboardInterrupt:
        return _fail("interrupted", 130)
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # an internal error: say so plainly, keep the traceback for debugging
        if os.environ.get("DECIDER_DEBUG"):
            traceback.print_exc()
        return _fail(f"decider: internal error: {type(exc).__name__}: {exc} (set DECIDER_DEBUG=1 for the traceback)",
                     EXIT_INTERNAL)


def _fail(message: str, code: int) -> int:
    print(message, file=sys.stderr)
    return code
