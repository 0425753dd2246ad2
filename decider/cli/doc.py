"""`decider doc`: generate the knowledge map from the rulebase (stdout, or spliced into a Markdown file)."""

from __future__ import annotations

import argparse
from typing import Any

from decider.cli.options import add_rules
from decider.cli.spliced import add_output


def register(sub: Any) -> None:
    parser = sub.add_parser("doc", help="generate the knowledge map (which rules encode which source paragraph)",
                            description="Print the knowledge map generated from the rulebase, or write it into "
                                        "FILE between the knowledge-map marker lines (rules/README.md).")
    add_rules(parser)
    add_output(parser, "knowledge map")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from decider.cli.inputs import load_rules
    from decider.cli.spliced import emit
    from decider.docs.knowledge_map import MAP_MARKERS, knowledge_map

    generated = knowledge_map(load_rules(args.rules))
    return emit(args, generated, generated, MAP_MARKERS, "doc")
