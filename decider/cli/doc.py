"""`decider doc`: generate the knowledge map from the rulebase (stdout, or spliced into a Markdown file)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from decider.cli.options import add_rules


def register(sub: Any) -> None:
    parser = sub.add_parser("doc", help="generate the knowledge map (which rules encode which source paragraph)",
                            description="Print the knowledge map generated from the rulebase, or write it into "
                                        "FILE between the knowledge-map marker lines (rules/README.md).")
    add_rules(parser)
    parser.add_argument("--out", metavar="FILE", help="Markdown file to update between its markers (created if absent)")
    parser.add_argument("--check", action="store_true", help="with --out: only check FILE is up to date (exit 1 if not)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from decider.cli.inputs import load_rules, write_text
    from decider.errors import DeciderError, Problem
    from decider.reasoning.knowledge_map import BEGIN, END, knowledge_map, splice

    generated = knowledge_map(load_rules(args.rules))
    if not args.out:
        if args.check:
            raise DeciderError([Problem(message="--check needs --out FILE")])
        print(generated, end="")
        return 0
    target = Path(args.out)
    current = target.read_text(encoding="utf-8") if target.is_file() else None
    updated = splice(current, generated, args.out) if current is not None else f"{BEGIN}\n\n{generated}\n{END}\n"
    if args.check:
        if updated != current:
            print(f"{args.out}: the knowledge map is out of date; run `decider doc --out {args.out}`", file=sys.stderr)
            return 1
        print(f"{args.out}: the knowledge map is up to date")
        return 0
    if updated != current:
        write_text(args.out, updated)
    print(f"{args.out}: knowledge map {'updated' if updated != current else 'already up to date'}")
    return 0
