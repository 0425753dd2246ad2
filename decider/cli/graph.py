"""`decider graph [DIR]`: the rulebase as a Mermaid or DOT graph, optionally written into a Markdown file."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    parser = sub.add_parser("graph", help="draw the rulebase: questions -> rules -> conclusions -> approaches",
                            description="Print the rulebase as a graph (Mermaid for Markdown/GitHub, or Graphviz DOT).")
    parser.add_argument("directory", metavar="DIR", nargs="?", help="rulebase directory (default: the shipped rulebase)")
    parser.add_argument("--format", choices=("mermaid", "dot"), default="mermaid", help="graph language")
    parser.add_argument("--update", metavar="FILE",
                        help="rewrite the Mermaid block between <!-- graph:start --> and <!-- graph:end --> in FILE")
    parser.add_argument("--check", metavar="FILE",
                        help="exit 1 when the block between the markers in FILE is not the current graph")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from decider.cli.inputs import load_rules, write_text
    from decider.errors import DeciderError
    from decider.reasoning.graph import END_MARKER, START_MARKER, mermaid_block, render_graph, replace_between_markers

    rulebase = load_rules(args.directory)
    target = args.update or args.check
    if target is None:
        print(render_graph(rulebase, args.format), end="")
        return 0
    if args.update and args.check:
        raise DeciderError("use either --update or --check, not both")
    try:
        text = Path(target).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DeciderError(f"{target}: cannot read: {exc}") from None
    updated = replace_between_markers(text, mermaid_block(rulebase))
    if updated is None:
        raise DeciderError(f"{target}: no {START_MARKER} ... {END_MARKER} markers to put the graph between")
    if args.check:
        if updated != text:
            print(f"{target}: the rulebase graph is out of date; run: decider graph --update {target}")
            return 1
        print(f"{target}: the rulebase graph is up to date")
        return 0
    if updated != text:
        write_text(target, updated)
    print(f"{target}: graph {'updated' if updated != text else 'already up to date'}")
    return 0
