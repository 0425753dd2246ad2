"""`decider questions`: the questions an answers file may answer."""

from __future__ import annotations

import argparse
import json
from typing import Any

from decider.cli.options import add_rules


def register(sub: Any) -> None:
    parser = sub.add_parser("questions", help="list the rulebase's questions (to write answers files)")
    add_rules(parser)
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from decider.cli.inputs import load_rules

    rulebase = load_rules(args.rules)
    if args.format == "json":
        print(json.dumps([q.model_dump(mode="json") for q in rulebase.questions], indent=2, ensure_ascii=False))
        return 0
    for question in rulebase.questions:
        kind = question.kind
        if kind == "choice":
            detail = " | ".join(c.id for c in question.choices)  # type: ignore[union-attr]
        elif kind == "boolean":
            detail = "true | false"
        elif kind == "number":
            detail = f"{question.min}–{question.max} {question.unit}"  # type: ignore[union-attr]
        else:
            detail = f"{question.min}–{question.max}"  # type: ignore[union-attr]
        print(f"{question.id}  ({kind}: {detail} | unknown)")
        print(f"    {question.text}")
    return 0
