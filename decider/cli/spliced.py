"""`--out FILE` and `--check [FILE]`, shared by `decider doc` and `decider graph`: print a generated
document, write it into a Markdown file between its markers, or check that the file is up to date.
(Imports are deferred so that `decider --help` loads neither pydantic nor the engine.)"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from decider.docs.markers import Markers


def add_output(parser: Any, what: str) -> None:
    """The options: where to splice the generated `what`, and whether only to check it."""
    parser.add_argument("--out", metavar="FILE",
                        help=f"Markdown file to write the {what} into, between its markers (created if absent)")
    parser.add_argument("--check", nargs="?", const="", metavar="FILE",
                        help=f"only check that the {what} in FILE (default: the --out file) is up to date; exit 1 if not")


def emit(args: argparse.Namespace, printed: str, block: str, markers: Markers, command: str) -> int:
    """Print `printed`, or splice `block` into the --out/--check file: 0 when written or up to date, 1 when stale."""
    from decider.docs.markers import new_document, splice
    from decider.errors import DeciderError, Problem

    target = args.check or args.out
    if args.check is None and not args.out:
        print(printed, end="")
        return 0
    if not target:
        raise DeciderError([Problem(message="--check needs a FILE, or --out FILE")])
    if args.check and args.out and args.check != args.out:
        raise DeciderError([Problem(message=f"--check {args.check} and --out {args.out} name different files")])
    path = Path(target)
    try:
        current = path.read_text(encoding="utf-8") if path.exists() else None
    except (OSError, UnicodeDecodeError) as exc:
        raise DeciderError([Problem(message=f"cannot read: {exc}", path=target)]) from None
    updated = splice(current, block, markers, target) if current is not None else new_document(block, markers)
    if args.check is not None:
        if updated != current:
            print(f"{target}: the {markers.name} is out of date; run `decider {command} --out {target}`", file=sys.stderr)
            return 1
        print(f"{target}: the {markers.name} is up to date")
        return 0
    if updated != current:
        from decider.cli.inputs import write_text

        write_text(target, updated)
    print(f"{target}: {markers.name} {'updated' if updated != current else 'already up to date'}")
    return 0


__all__ = ["add_output", "emit"]
