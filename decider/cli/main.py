"""The `decider` command: parses arguments, dispatches, and turns errors into messages and exit codes.

Exit codes: 0 success, 1 internal error, 2 bad input or usage. Heavy modules (pydantic models,
durable_rules, textual) are imported only by the command that needs them.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import traceback
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TextIO

from decider.cli import (audit, batch, completion, decide, doc, evaluate, graph, interview, lint, questions, scenarios,
                         schema, serve)
from decider.version import __version__

COMMANDS = (decide, questions, schema, interview, serve, batch, scenarios, evaluate, doc, lint, graph, audit, completion)
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
    output = _GuardedStdout.install()
    try:
        with _signals_interrupt():
            code = _run(argv)
        return output.finish(code)
    finally:
        if sys.stdout is output:
            sys.stdout = output.stream


def _run(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:  # plain `decider` starts the interview
            args = parser.parse_args([*(sys.argv[1:] if argv is None else argv), "interview"])
    except KeyboardInterrupt as exc:
        return _interrupted(exc)
    from decider.errors import DeciderError

    try:
        return int(args.run(args))
    except DeciderError as exc:
        return _fail(str(exc), EXIT_INPUT)
    except KeyboardInterrupt as exc:
        return _interrupted(exc)
    except BrokenPipeError:  # a pipe other than stdout (which is guarded): the run did not finish
        return _fail("decider: output pipe closed before the run finished", EXIT_INTERNAL)
    except Exception as exc:  # an internal error: say so plainly, keep the traceback for debugging
        if os.environ.get("DECIDER_DEBUG"):
            traceback.print_exc()
        return _fail(f"decider: internal error: {type(exc).__name__}: {exc} (set DECIDER_DEBUG=1 for the traceback)",
                     EXIT_INTERNAL)


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP, raised where the program is, so it unwinds like Ctrl+C: temporary files
    removed, worker processes ended, exit status 128 + the signal number."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


@contextmanager
def _signals_interrupt() -> Iterator[None]:
    def raise_terminated(signum: int, frame: object) -> None:
        raise Terminated(signum)

    try:
        previous = {sig: signal.signal(sig, raise_terminated) for sig in (signal.SIGTERM, signal.SIGHUP)}
    except ValueError:  # not the main thread (main() called from a worker thread): signals stay as they are
        yield
        return
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


class _GuardedStdout:
    """Standard output that survives its reader going away: after EPIPE (`decider ... | head -1`)
    further output is discarded and the command runs on, so its real exit status is kept; any other
    write failure (a full disk) is reported as bad output, exit 2, never an internal error."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.broken = False

    @classmethod
    def install(cls) -> "_GuardedStdout":
        current = sys.stdout
        if isinstance(current, _GuardedStdout):
            return current
        guard = cls(current)
        if not current.isatty():  # a terminal's reader cannot vanish; the TUI keeps the real stream
            sys.stdout = guard
        return guard

    def write(self, text: str) -> int:
        if self.broken:
            return len(text)
        try:
            return self.stream.write(text)
        except OSError as exc:
            self._failed(exc)
            return len(text)

    def flush(self) -> None:
        if self.broken:
            return
        try:
            self.stream.flush()
        except OSError as exc:
            self._failed(exc)

    def finish(self, code: int) -> int:
        """Flush what is left; the command's own exit status unless the output itself failed."""
        from decider.errors import DeciderError

        try:
            self.flush()
        except DeciderError as exc:
            return _fail(str(exc), EXIT_INPUT) if code == EXIT_OK else code
        return code

    def _failed(self, exc: OSError) -> None:
        """Stop writing; the reader going away (EPIPE) ends output quietly, any other failure is bad output."""
        self._discard()
        if not isinstance(exc, BrokenPipeError):
            from decider.errors import DeciderError, Problem

            raise DeciderError([Problem(message=f"cannot write: {exc.strerror or exc}", path="<stdout>")]) from None

    def _discard(self) -> None:
        """Point file descriptor 1 at /dev/null, so nothing (not even the exit-time flush) fails again."""
        self.broken = True
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self.stream.fileno())
            os.close(devnull)
        except (OSError, ValueError):
            pass

    def __getattr__(self, name: str) -> object:
        return getattr(self.stream, name)


def _interrupted(exc: KeyboardInterrupt) -> int:
    """Ctrl+C exits 130; SIGTERM or SIGHUP (Terminated) 128 + its number."""
    return _fail("interrupted", 128 + getattr(exc, "signum", signal.SIGINT))


def _fail(message: str, code: int) -> int:
    print(message, file=sys.stderr)
    return code
