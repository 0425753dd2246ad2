"""Planner latency on the shipped rulebase: next question, progress, WHY and what-if (median, p95, max in ms).

Two walks, each measured the way the TUI calls the planner:
- "scenarios": every golden scenario in `examples/scenarios`, walked as the interview does (a question
  the file answers gets that answer, any other "not sure"); per step, next_question + progress as one
  figure (the TUI shows both after each answer) and WHY on the question asked; what-if at the end.
- "random": seeded random interviews (random answers); next_question, progress (shared cache with
  next_question, as in the TUI), progress (cold: the memos answer sets fill emptied first), WHY, what-if.
Run: .venv/bin/python benchmarks/planner.py [--rules DIR] [--interviews N] [--json]
(`--json` prints one object {walk: {operation: [median, p95, max, calls]}} for the before/after runner.)
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from decider import load_rulebase
from decider.rulebase.model import UNKNOWN, Rulebase

try:
    from decider.interview import planner
except ImportError:  # a checkout from before the interview package
    from decider.reasoning import planner  # type: ignore[no-redef]

SCENARIOS = Path(__file__).resolve().parent.parent / "examples" / "scenarios"
Samples = dict[str, list[float]]


def timed(samples: Samples, name: str, call: Callable[[], Any]) -> Any:
    start = time.perf_counter()
    result = call()
    samples.setdefault(name, []).append((time.perf_counter() - start) * 1000)
    return result


def walk_scenario(rulebase: Rulebase, given: dict[str, Any], samples: Samples) -> int:
    """One golden scenario walked as the interview does; returns how many questions it asked."""
    answers: dict[str, Any] = {}
    while True:
        start = time.perf_counter()
        question = planner.next_question(rulebase, answers)
        planner.progress(rulebase, answers)
        samples.setdefault("next_question + progress", []).append((time.perf_counter() - start) * 1000)
        if question is None:
            break
        timed(samples, "why", lambda q=question: planner.why(rulebase, answers, q.id))
        answers[question.id] = given.get(question.id, UNKNOWN)
    timed(samples, "what_if", lambda: planner.what_if(rulebase, answers))
    return len(answers)


def forget(rulebase: Rulebase) -> None:
    """Empty the memos that answer sets fill (for the cold figure): the counting model's, and in older
    checkouts the planner's situations."""
    try:
        from decider.engine.completions import completions_of
        model = completions_of(rulebase)
        for name in ("tallies", "witnessed", "differing", "draws", "spans", "domain_memo"):
            getattr(model, name, {}).clear()
    except ImportError:
        pass
    for module in ("decider.interview.partial", "decider.reasoning.partial"):
        try:
            __import__(module, fromlist=["model_for"]).model_for(rulebase).forget()
        except (ImportError, AttributeError):
            pass


def walk_random(rulebase: Rulebase, rng: random.Random, samples: Samples) -> int:
    """One interview with random answers; returns how many questions it asked."""
    answers: dict[str, Any] = {}
    while True:
        question = timed(samples, "next_question", lambda: planner.next_question(rulebase, answers))
        if question is None:
            break
        timed(samples, "progress", lambda: planner.progress(rulebase, answers))
        forget(rulebase)
        timed(samples, "progress (cold)", lambda: planner.progress(rulebase, answers))
        timed(samples, "why", lambda q=question: planner.why(rulebase, answers, q.id))
        answers[question.id] = rng.choice([c.answer for c in planner.answer_classes(rulebase, question.id)])
    timed(samples, "what_if", lambda: planner.what_if(rulebase, answers))
    return len(answers)


def summary(samples: Samples) -> dict[str, list[float]]:
    """Per operation: median, p95, max (ms) and the number of calls."""
    rows = {}
    for name, values in samples.items():
        values = sorted(values)
        p95 = values[min(len(values) - 1, int(len(values) * 0.95))]
        rows[name] = [statistics.median(values), p95, values[-1], len(values)]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rules", help="rulebase directory (default: the shipped rulebase)")
    parser.add_argument("--interviews", type=int, default=30)
    parser.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    args = parser.parse_args()
    rulebase = load_rulebase(args.rules)
    start = time.perf_counter()
    planner.next_question(rulebase, {})
    compiled = (time.perf_counter() - start) * 1000
    scenario_samples: Samples = {}
    files = sorted(SCENARIOS.glob("*.yaml"))
    asked = [walk_scenario(rulebase, (yaml.safe_load(p.read_text(encoding="utf-8")) or {}).get("answers") or {},
                           scenario_samples) for p in files]
    rng = random.Random(7)
    random_samples: Samples = {}
    asked_random = [walk_random(rulebase, rng, random_samples) for _ in range(args.interviews)]
    walks = {"scenarios": summary(scenario_samples), "random": summary(random_samples)}
    if args.json:
        print(json.dumps({"first call": [compiled, compiled, compiled, 1], **walks}))
        return
    print(f"first call (compiles the rulebase): {compiled:.1f} ms")
    print(f"{rulebase.meta.id} {rulebase.meta.version} ({len(rulebase.questions)} questions)")
    print(f"scenarios: {len(files)} golden scenarios, asked {min(asked)}–{max(asked)}, median {statistics.median(asked):g}")
    print(f"random: {args.interviews} interviews, asked {min(asked_random)}–{max(asked_random)}, "
          f"median {statistics.median(asked_random):g}")
    print(f"{'walk':<11}{'operation':<26}{'calls':>7}{'median ms':>11}{'p95 ms':>9}{'max ms':>9}")
    for walk, rows in walks.items():
        for name, (median, p95, top, calls) in rows.items():
            print(f"{walk:<11}{name:<26}{int(calls):>7}{median:>11.2f}{p95:>9.2f}{top:>9.2f}")


if __name__ == "__main__":
    main()
