"""Planner latency on the shipped rulebase: next question, progress, WHY and what-if (median and p95, ms).

Walks seeded random interviews the way the TUI does (every state it passes through is measured).
"progress" follows next_question on the same answers, as in the TUI (shared cache); "progress (cold)"
is measured with the per-answers cache emptied first.
Run: .venv/bin/python benchmarks/planner.py [--rules DIR] [--interviews N]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

from decider import load_rulebase
from decider.interview import planner
from decider.interview.partial import model_for
from decider.rulebase.model import Rulebase


def timed(samples: dict[str, list[float]], name: str, call: Callable[[], Any]) -> Any:
    start = time.perf_counter()
    result = call()
    samples.setdefault(name, []).append((time.perf_counter() - start) * 1000)
    return result


def walk(rulebase: Rulebase, rng: random.Random, samples: dict[str, list[float]]) -> int:
    """One interview with random answers; returns how many questions it asked."""
    answers: dict[str, Any] = {}
    while True:
        question = timed(samples, "next_question", lambda: planner.next_question(rulebase, answers))
        if question is None:
            break
        timed(samples, "progress", lambda: planner.progress(rulebase, answers))
        model_for(rulebase).forget()
        timed(samples, "progress (cold)", lambda: planner.progress(rulebase, answers))
        timed(samples, "why", lambda q=question: planner.why(rulebase, answers, q.id))
        answers[question.id] = rng.choice([c.answer for c in planner.answer_classes(rulebase, question.id)])
    timed(samples, "what_if", lambda: planner.what_if(rulebase, answers))
    return len(answers)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rules", help="rulebase directory (default: the shipped rulebase)")
    parser.add_argument("--interviews", type=int, default=30)
    args = parser.parse_args()
    rulebase = load_rulebase(args.rules)
    start = time.perf_counter()
    planner.next_question(rulebase, {})
    print(f"first call (compiles the rulebase): {(time.perf_counter() - start) * 1000:.1f} ms")
    rng = random.Random(7)
    samples: dict[str, list[float]] = {}
    asked = [walk(rulebase, rng, samples) for _ in range(args.interviews)]
    print(f"{args.interviews} interviews on {rulebase.meta.id} {rulebase.meta.version} ({len(rulebase.questions)} questions): "
          f"asked {min(asked)}–{max(asked)}, median {statistics.median(asked):g}")
    print(f"{'operation':<17}{'calls':>7}{'median ms':>12}{'p95 ms':>10}{'max ms':>10}")
    for name, values in samples.items():
        values.sort()
        p95 = values[min(len(values) - 1, int(len(values) * 0.95))]
        print(f"{name:<17}{len(values):>7}{statistics.median(values):>12.2f}{p95:>10.2f}{values[-1]:>10.2f}")


if __name__ == "__main__":
    main()
