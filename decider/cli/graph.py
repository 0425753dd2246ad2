"""`decider graph [DIR]`: the rulebase as a Mermaid or DOT graph, optionally written into a Markdown file."""

from __future__ import annotations

import argparse
from typing import Any

from decider.cli.spliced import add_output


def register(sub: Any) -> None:
    parser = sub.add_parser("graph", help="draw the rulebase: questions -> rules -> conclusions -> approaches",
                            description="Print the rulebase as a graph (Mermaid for Markdown/GitHub, or Graphviz DOT), "
                                        "or write it as a fenced block into FILE between the graph marker lines.")
    parser.add_argument("directory", metavar="DIR", nargs="?", help="rulebase directory (default: the shipped rulebase)")
    parser.add_argument("--format", choices=("mermaid", "dot"), default="mermaid", help="graph language")
    add_output(parser, "graph")
    parser.add_argument("--update", metavar="FILE", dest="out", help="the same as --out (its earlier name)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from decider.cli.inputs import load_rules
    from decider.cli.spliced import emit
    from decider.docs.graph import GRAPH_MARKERS, fenced_graph, render_graph

    rulebase = load_rules(args.directory)
    return emit(args, render_graph(rulebase, args.format), fenced_graph(rulebase, args.format), GRAPH_MARKERS, "graph")
