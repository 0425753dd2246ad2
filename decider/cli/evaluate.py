"""`decider evaluate CASES...`: measure the advice on case files (agreement, flags, calibration, ties)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from decider.cli.options import add_rules, number_in


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "evaluate", help="measure the advice on case files: agreement, flags, calibration, ties",
        description="Consult the rulebase on every case file (answers + the approaches the reported outcome "
                    "accepts; golden scenarios count too) and report, per case and in total, whether the primary "
                    "is accepted, the required risks flagged, the confidence and its level, the calibration "
                    "(accuracy per level, mean confidence right vs wrong, Brier score) and ties at the top. "
                    "Directories are searched recursively; files there without an `answers` key are skipped. "
                    "Exit 2 on a bad case file, 1 when a --min-* floor is not met.")
    parser.add_argument("paths", metavar="CASES", nargs="+", help="case files or directories of case files")
    add_rules(parser)
    parser.add_argument("--engine", choices=("durable_rules", "reference"), default="durable_rules")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format (json for tools)")
    fraction = number_in(float, 0.0, 1.0, "a fraction from 0 to 1")
    parser.add_argument("--min-agreement", type=fraction, metavar="F",
                        help="exit 1 when fewer than this fraction of primaries are accepted")
    parser.add_argument("--min-flags", type=fraction, metavar="F",
                        help="exit 1 when fewer than this fraction of cases flag all their must_flag risks")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import sys

    from decider.cli.inputs import load_rules
    from decider.reasoning.evaluate import evaluate_cases, render_text

    rulebase = load_rules(args.rules)
    report = evaluate_cases(rulebase, args.paths, engine=args.engine)
    if args.format == "json":
        print(json.dumps(report.model_dump(mode="json"), indent=2, ensure_ascii=False))
    else:
        print(render_text(report))
    t = report.totals
    failed = []
    if args.min_agreement is not None and t.agreement < args.min_agreement:
        failed.append(f"agreement {t.agreement:.0%} is below the floor {args.min_agreement:.0%}")
    flags = t.flags_complete / t.cases if t.cases else 1.0
    if args.min_flags is not None and flags < args.min_flags:
        failed.append(f"flag completeness {flags:.0%} is below the floor {args.min_flags:.0%}")
    for message in failed:
        print(f"decider evaluate: {message}", file=sys.stderr)
    return 1 if failed else 0
