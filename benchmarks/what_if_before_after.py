"""what_if on every golden scenario: this checkout against another checkout of decider, in one run.

    git archive HEAD | tar -x -C /tmp/before        # (before the change)
    .venv/bin/python benchmarks/what_if_before_after.py /tmp/before [--rounds N]

Each round runs a child process per checkout (before, after, alternating, so both see the same
machine load). A child compiles the shipped rulebase of its checkout, then times `planner.what_if`
on the answers of each golden scenario in turn, as one TUI session showing result after result
would. Prints the median, p95 and max per scenario over the rounds' medians, and after/before.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PRELUDE = """
import json, random, statistics, sys, time
from pathlib import Path
from decider import load_rulebase
try:
    from decider.interview import planner
except ImportError:  # a checkout from before the interview package
    from decider.reasoning import planner
rulebase = load_rulebase(None)
planner.next_question(rulebase, {})
"""
"""A child's start, shared by the planner's before/after benchmarks: the planner from wherever the
checkout keeps it, and the rulebase compiled before anything is timed."""
CHILD = PRELUDE + """
import yaml
times = {}
for path in sorted(Path(sys.argv[1]).glob("*.yaml")):
    answers = yaml.safe_load(path.read_text(encoding="utf-8"))["answers"]
    start = time.perf_counter()
    planner.what_if(rulebase, answers)
    times[path.stem] = time.perf_counter() - start
print(json.dumps(times))
"""


def run(checkout: Path, scenarios: Path) -> dict[str, float]:
    """One child on `checkout`: seconds per scenario."""
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    out = subprocess.run([sys.executable, "-c", CHILD, str(scenarios)], env=env, cwd=checkout,
                         capture_output=True, text=True, check=True).stdout
    return {k: float(v) for k, v in json.loads(out).items()}


def summary(per_scenario: dict[str, list[float]]) -> tuple[float, float, float, str]:
    """Median, p95 and max (ms) of the per-scenario medians, and the slowest scenario."""
    medians = sorted((statistics.median(v) * 1000, k) for k, v in per_scenario.items())
    values = [m for m, _ in medians]
    p95 = values[min(len(values) - 1, int(len(values) * 0.95))]
    return statistics.median(values), p95, values[-1], medians[-1][1]


def before_after_arguments(description: str, interviews: bool = False) -> argparse.Namespace | None:
    """The planner benchmarks' shared arguments (the other checkout, --rounds, optionally --interviews);
    None, after saying why, when the other checkout is not one of decider."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("before", type=Path, help="the other checkout (its own shipped rulebase is used)")
    parser.add_argument("--rounds", type=int, default=3)
    if interviews:
        parser.add_argument("--interviews", type=int, default=30)
    args = parser.parse_args()
    if not (args.before / "decider").is_dir():
        print(f"{args.before}: not a checkout of decider (no decider/ package there)", file=sys.stderr)
        return None
    return args


def main() -> int:
    args = before_after_arguments(__doc__.splitlines()[0])
    if args is None:
        return 2
    scenarios = ROOT / "examples" / "scenarios"
    results: dict[str, dict[str, list[float]]] = {"before": {}, "after": {}}
    for round_ in range(args.rounds):
        for label, checkout in (("before", args.before), ("after", ROOT)):
            for name, seconds in run(checkout, scenarios).items():
                results[label].setdefault(name, []).append(seconds)
        print(f"round {round_ + 1} of {args.rounds} done", file=sys.stderr)
    rows = {label: summary(per) for label, per in results.items()}
    print(f"what_if over {len(results['after'])} golden scenarios, {args.rounds} rounds (medians per scenario):")
    print(f"{'':<8}{'median ms':>11}{'p95 ms':>10}{'max ms':>10}  slowest")
    for label, (median, p95, top, name) in rows.items():
        print(f"{label:<8}{median:>11.1f}{p95:>10.1f}{top:>10.1f}  {name}")
    (bm, bp, bx, _), (am, ap, ax, _) = rows["before"], rows["after"]
    print(f"after/before: median {am / bm:.2f}, p95 {ap / bp:.2f}, max {ax / bx:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
