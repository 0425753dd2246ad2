"""How fragile each case's recommendation is: the open questions whose answer alone would change it.

For every case file (default `examples/cases`): the recommendation, whether the case accepts it, its
confidence, and the open questions (unanswered or "not sure") one answer to which changes the
recommendation, every other answer as the file gives it.  Then, for the accepted and the rejected
recommendations, how many have such a question and their mean confidence: a confidence that drops
when one open answer could change the result cannot read high on these.
Run: .venv/bin/python benchmarks/fragility.py [DIR ...] [--rules DIR]
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

from decider import consult, load_rulebase
from decider.interview.planner import answer_classes
from decider.policy.verdict import primary_of
from decider.reasoning.evaluate import load_cases
from decider.rulebase.model import UNKNOWN

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dirs", nargs="*", default=[str(ROOT / "examples/cases")])
    parser.add_argument("--rules", help="rulebase directory (default: the shipped rulebase)")
    args = parser.parse_args()
    rulebase = load_rulebase(args.rules)
    rows: dict[bool, list[tuple[int, float]]] = {True: [], False: []}
    cases, _ = load_cases(rulebase, args.dirs)
    for case in cases:
        answers = case.answers
        result = consult(rulebase, answers)
        primary = result.recommendation.approach
        fragile = []
        for question in rulebase.questions:
            if answers.value(question.id) is not None:
                continue
            for value in answer_classes(rulebase, question.id):
                if value.answer != UNKNOWN and primary_of(rulebase, answers.with_answer(question.id, value.answer)) != primary:
                    fragile.append(question.id)
                    break
        accepted = primary in case.accept
        rows[accepted].append((len(fragile), result.recommendation.confidence))
        print(f"{'ok  ' if accepted else 'MISS'} {case.id[:36]:<36} {primary:<16} {result.recommendation.confidence:>4.0%}  "
              f"{len(fragile):>2} alone-deciding open questions {', '.join(fragile)}")
    for accepted, label in ((True, "accepted"), (False, "not accepted")):
        found = rows[accepted]
        if found:
            with_one = [c for n, c in found if n]
            print(f"{label}: {len(found)}, of which {len(with_one)} have an open question that alone changes the "
                  f"recommendation (mean confidence {statistics.mean(with_one) if with_one else 0:.2f}); "
                  f"mean confidence {statistics.mean(c for _, c in found):.2f}")


if __name__ == "__main__":
    main()
