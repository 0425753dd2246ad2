"""`decider schema NAME`: JSON Schema of the documents decider reads and writes (`--write DIR`: the ones people write)."""

from __future__ import annotations

import argparse
from typing import Any

NAMES = ("rules", "answers", "case", "scenario", "consultation", "trace", "log-record", "rulebase")
"""Kept here too (not imported) so that `decider --help` does not load pydantic; a test holds it equal to
`decider.reasoning.schemas.NAMES`."""


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "schema", help="print a JSON Schema (rules, answers, case, scenario, consultation, trace, log-record, rulebase)",
        description="Print the JSON Schema of a document. `rules` is a rulebase file as written (rules/*.yaml), "
                    "`answers`, `case` and `scenario` are those of the rulebase (--rules); `rulebase` is the "
                    "loaded model. With --write DIR, write the schemas of the documents people write "
                    "(rules, answers, case, scenario) as DIR/NAME.schema.json.")
    parser.add_argument("name", nargs="?", choices=NAMES)
    parser.add_argument("--rules", metavar="DIR", help="rulebase whose questions, approaches and risks shape the schema")
    parser.add_argument("--write", metavar="DIR", help="write rules, answers, case and scenario schemas into DIR")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from decider.cli.inputs import load_rules
    from decider.errors import DeciderError, Problem
    from decider.reasoning.schemas import document_schema, render, write_schemas

    if (args.name is None) == (args.write is None):
        raise DeciderError("decider schema: give a schema NAME, or --write DIR")
    rulebase = load_rules(args.rules)
    if args.write is not None:
        try:
            for path in write_schemas(args.write, rulebase):
                print(path)
        except OSError as exc:
            raise DeciderError([Problem(message=f"cannot write the schemas: {exc.strerror or exc}", path=args.write)]) from None
        return 0
    print(render(document_schema(args.name, rulebase)), end="")
    return 0
