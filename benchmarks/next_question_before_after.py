"""next_question over seeded interviews: this checkout against another checkout of decider, in one run.

    git archive HEAD | tar -x -C /tmp/before        # (before the change)
    .venv/bin/python benchmarks/next_question_before_after.py /tmp/before [--rounds N] [--interviews N]

Each round runs a child process per checkout (before, after, alternating, so both see the same machine
load). A child compiles its checkout's shipped rulebase, then walks seeded random interviews as the
TUI does, timing every `planner.next_question` call (the same answers in both checkouts while their
rulebases ask the same questions). Prints each round's median, p95 and max, and after/before.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

from what_if_before_after import PRELUDE, before_after_arguments

ROOT = Path(__file__).resolve().parents[1]
CHILD = PRELUDE + """
rng = random.Random(7)
samples = []
for _ in range(int(sys.argv[1])):
    answers = {}
    while True:
        start = time.perf_counter()
        question = planner.next_question(rulebase, answers)
        samples.append((time.perf_counter() - start) * 1000)
        if question is None:
            break
        answers[question.id] = rng.choice([c.answer for c in planner.answer_classes(rulebase, question.id)])
samples.sort()
print(json.dumps([statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.95))], samples[-1],
                  len(samples)]))
"""


def run(checkout: Path, interviews: int) -> list[float]:
    """One child on `checkout`: median, p95, max (ms) and the number of calls."""
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    out = subprocess.run([sys.executable, "-c", CHILD, str(interviews)], env=env, cwd=checkout,
                         capture_output=True, text=True, check=True).stdout
    return [float(v) for v in json.loads(out)]


def main() -> int:
    args = before_after_arguments(__doc__.splitlines()[0], interviews=True)
    if args is None:
        return 2
    rows: dict[str, list[list[float]]] = {"before": [], "after": []}
    print(f"next_question over {args.interviews} seeded interviews, {args.rounds} rounds")
    print(f"{'round':<7}{'':<8}{'calls':>7}{'median ms':>11}{'p95 ms':>9}{'max ms':>9}")
    for round_ in range(args.rounds):
        for label, checkout in (("before", args.before), ("after", ROOT)):
            median, p95, top, calls = run(checkout, args.interviews)
            rows[label].append([median, p95, top])
            print(f"{round_ + 1:<7}{label:<8}{int(calls):>7}{median:>11.2f}{p95:>9.2f}{top:>9.2f}")
    (bm, bp, bx), (am, ap, ax) = ([statistics.median(r[k] for r in rows[label]) for k in range(3)]
                                  for label in ("before", "after"))
    print(f"medians over rounds: before {bm:.2f} / {bp:.2f} / {bx:.2f} ms, after {am:.2f} / {ap:.2f} / {ax:.2f} ms")
    print(f"after/before: median {am / bm:.2f}, p95 {ap / bp:.2f}, max {ax / bx:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
