"""`decider scenarios [DIR]`: run the golden scenarios on both engines and report coverage."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from decider.cli.options import add_rules

DEFAULT_DIR = Path("examples") / "scenarios"


def register(sub: Any) -> None:
    parser = sub.add_parser("scenarios", help="run golden scenarios on both engines and show rule coverage",
                            description="Run every scenario file on both engines, check its expectations, and "
                                        "report which rules, approaches and risks the scenarios exercise. "
                                        "Exit 1 when a check fails or the coverage is incomplete.")
    parser.add_argument("directory", metavar="DIR", nargs="?", default=str(DEFAULT_DIR),
                        help=f"directory of scenario .yaml files (default: {DEFAULT_DIR})")
    add_rules(parser)
    parser.add_argument("--allow-gaps", action="store_true", help="do not fail on incomplete coverage")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from decider.cli.inputs import load_rules
    from decider.reasoning.scenarios import check_all, coverage, load_scenarios, render_checks

    rulebase = load_rules(args.rules)
    scenarios = load_scenarios(rulebase, args.directory)
    checks = check_all(rulebase, scenarios)
    cover = coverage(rulebase, checks)
    print(render_checks(checks, cover))
    ok = all(c.passed for c in checks) and (cover.complete or args.allow_gaps)
    return 0 if ok else 1
