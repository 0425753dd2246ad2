"""`decider schema NAME`: JSON Schema of the documents decider reads and writes."""

from __future__ import annotations

import argparse
import json
from typing import Any

NAMES = ("answers", "consultation", "trace", "rulebase", "log-record")


def register(sub: Any) -> None:
    parser = sub.add_parser("schema", help="print a JSON Schema (answers, consultation, trace, rulebase, log-record)")
    parser.add_argument("name", choices=NAMES)
    parser.add_argument("--rules", metavar="DIR", help="rulebase whose questions shape the answers schema")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.name == "answers":
        from decider.cli.inputs import load_rules
        from decider.rulebase.answers import answers_schema

        schema = answers_schema(load_rules(args.rules))
    elif args.name == "consultation":
        from decider.reasoning.consultation import Consultation

        schema = Consultation.model_json_schema()
    elif args.name == "trace":
        from decider.engine.trace import Trace

        schema = Trace.model_json_schema()
    elif args.name == "log-record":
        from decider.reasoning.decision_log import LogRecord

        schema = LogRecord.model_json_schema()
    else:
        from decider.rulebase.model import Rulebase

        schema = Rulebase.model_json_schema()
    print(json.dumps(schema, indent=2, ensure_ascii=False))
    return 0
