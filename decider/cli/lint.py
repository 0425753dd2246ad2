"""`decider lint [DIR]`: verify a rulebase (structure, exact logical checks, optionally both engines)."""

from __future__ import annotations

import argparse
import json
from typing import Any


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "lint", help="verify a rulebase: references, unreachable/redundant/conflicting rules, ties, gaps",
        description="Check a rulebase directory and print findings as 'path:line:col: level code name: message [item]'. "
        "Logical checks are exact over the answer space (numbers split at the thresholds the rules use). "
        "Exit 1 when any error is found, 0 otherwise, 2 on bad usage.")
    parser.add_argument("directory", metavar="DIR", nargs="?", help="rulebase directory (default: the shipped rulebase)")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format (json for CI)")
    parser.add_argument("--cross-check", action="store_true",
                        help="also run durable_rules and the reference evaluator on a pairwise covering set of "
                        "answers plus every witness, and report any disagreement as an error")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from decider.errors import DeciderError, Problem
    from decider.lint.linter import lint_rulebase

    if args.directory is not None and not Path(args.directory).is_dir():
        raise DeciderError([Problem(message="rulebase directory not found", path=args.directory)])
    report = lint_rulebase(args.directory, cross=args.cross_check)
    if args.format == "json":
        print(json.dumps(report.model_dump(mode="json"), indent=2, ensure_ascii=False))
    else:
        print(report.to_text())
    return 1 if report.errors else 0
