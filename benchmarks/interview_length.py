"""How many questions the interview asks: every golden scenario and every case file, walked as the interview does.

Each walk starts empty and asks `planner.next_question` until it returns None; a question the file
answers gets that answer, any other gets "not sure" (what a team that does not know would say).
Prints the count per file, then the median and maximum per directory, how many walks end on the
recommendation the file's full answers give, and the time per step.  With `--decisive`, also how many
questions the planner would still ask one at a time with every other question already answered as
the file says (each of them could alone change the result then): a floor no question order goes
below while the interview ends only when no unasked answer could change the result.
Run: .venv/bin/python benchmarks/interview_length.py [DIR ...] [--rules DIR] [--decisive]
(default directories: examples/scenarios and examples/cases).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path
from typing import Any

import yaml

from decider import consult, load_rulebase
from decider.interview import planner
from decider.rulebase.model import UNKNOWN, Rulebase

ROOT = Path(__file__).resolve().parent.parent


def walk(rulebase: Rulebase, given: dict[str, Any], steps: list[float]) -> list[str]:
    """The questions one interview asks, in order; `steps` collects each step's milliseconds."""
    answers: dict[str, Any] = {}
    asked: list[str] = []
    while True:
        start = time.perf_counter()
        question = planner.next_question(rulebase, answers)
        steps.append((time.perf_counter() - start) * 1000)
        if question is None:
            return asked
        asked.append(question.id)
        answers[question.id] = given.get(question.id, UNKNOWN)


def decisive(rulebase: Rulebase, given: dict[str, Any]) -> list[str]:
    """The questions the planner asks even with every other question answered as `given` says."""
    full = {q.id: given.get(q.id, UNKNOWN) for q in rulebase.questions}
    return [q for q in full if planner.next_question(rulebase, {k: v for k, v in full.items() if k != q}) is not None]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dirs", nargs="*", default=[str(ROOT / "examples/scenarios"), str(ROOT / "examples/cases")])
    parser.add_argument("--rules", help="rulebase directory (default: the shipped rulebase)")
    parser.add_argument("--decisive", action="store_true",
                        help="also count the questions asked with every other answer given (a floor)")
    args = parser.parse_args()
    rulebase = load_rulebase(args.rules)
    print(f"{rulebase.meta.id} {rulebase.meta.version}: {len(rulebase.questions)} questions")
    steps: list[float] = []
    for directory in args.dirs:
        counts: list[int] = []
        floors: list[int] = []
        same = 0
        for path in sorted(Path(directory).glob("*.yaml")):
            given = (yaml.safe_load(path.read_text()) or {}).get("answers") or {}
            asked = walk(rulebase, given, steps)
            walked = consult(rulebase, {q: given.get(q, UNKNOWN) for q in asked}).recommendation.approach
            full = consult(rulebase, given).recommendation.approach
            same += walked == full
            counts.append(len(asked))
            floor = ""
            if args.decisive:
                floors.append(len(decisive(rulebase, given)))
                floor = f"  (decisive {floors[-1]})"
            print(f"  {len(asked):>3}  {path.name}{floor}"
                  f"{'' if walked == full else f'  (ends on {walked}, full answers give {full})'}")
        if counts:
            print(f"{directory}: {len(counts)} walks, questions asked median {statistics.median(counts):g}, "
                  f"max {max(counts)}, min {min(counts)}; {same} end on the full answers' recommendation")
            if floors:
                print(f"{directory}: decisive questions (asked even with every other answer given) "
                      f"median {statistics.median(floors):g}, max {max(floors)}")
    steps.sort()
    p95 = steps[min(len(steps) - 1, int(len(steps) * 0.95))]
    print(f"next_question: {len(steps)} steps, median {statistics.median(steps):.1f} ms, p95 {p95:.1f} ms, "
          f"max {steps[-1]:.1f} ms")


if __name__ == "__main__":
    main()
