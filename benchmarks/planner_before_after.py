"""benchmarks/planner.py on this checkout and on another, in one run (alternating child processes).

    git archive HEAD | tar -x -C /tmp/before        # (before the change)
    .venv/bin/python benchmarks/planner_before_after.py /tmp/before [--rounds N] [--interviews N]

Each round runs `benchmarks/planner.py --json` (this checkout's script) once against each checkout's
`decider` package and shipped rulebase, before then after, so both see the same machine load.  Prints
every round, then per walk and operation the median over rounds of the median, p95 and max, and
after/before.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

from what_if_before_after import before_after_arguments

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "benchmarks" / "planner.py"


def run(checkout: Path, interviews: int) -> dict[str, dict[str, list[float]]]:
    """One child on `checkout`: {walk: {operation: [median, p95, max, calls]}}."""
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    out = subprocess.run([sys.executable, str(SCRIPT), "--json", "--interviews", str(interviews)], env=env,
                         cwd=checkout, capture_output=True, text=True, check=True).stdout
    found = json.loads(out)
    first = found.pop("first call")
    return {"first call": {"compile": first}, **found}


def triple(values: list[float]) -> str:
    """Median / p95 / max, one decimal each."""
    return " / ".join(f"{v:.1f}" for v in values)


def main() -> int:
    args = before_after_arguments(__doc__.splitlines()[0], interviews=True)
    if args is None:
        return 2
    results: dict[str, list[dict[str, dict[str, list[float]]]]] = {"before": [], "after": []}
    for round_ in range(args.rounds):
        for label, checkout in (("before", args.before), ("after", ROOT)):
            results[label].append(run(checkout, args.interviews))
        print(f"round {round_ + 1} of {args.rounds} done", file=sys.stderr)
    print(f"benchmarks/planner.py, {args.rounds} rounds, before = {args.before}, after = {ROOT}")
    print(f"{'walk':<11}{'operation':<26}{'calls':>6}  {'before median/p95/max ms':>26}  "
          f"{'after median/p95/max ms':>26}  {'after/before p95, max':>22}")
    for walk, operations in results["after"][0].items():
        for name, row in operations.items():
            if name not in results["before"][0].get(walk, {}):
                continue
            before, after = ([statistics.median(r[walk][name][k] for r in results[label]) for k in range(3)]
                             for label in ("before", "after"))
            print(f"{walk:<11}{name:<26}{int(row[3]):>6}  {triple(before):>26}  {triple(after):>26}  "
                  f"{after[1] / before[1]:>10.2f}, {after[2] / before[2]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
