"""The policy over many generated profiles of the shipped rulebase: ties above low, excluded approaches
chosen, and property violations (all must be 0), plus how often the unknown-versus-known properties
fail outside their stated scope (several questions open at once).

    .venv/bin/python benchmarks/policy.py            # 10,000 profiles, a worker per core
    .venv/bin/python benchmarks/policy.py 1000       # fewer
    .venv/bin/python benchmarks/policy.py 1000 --jobs 1

Profiles come from `decider.rulebase.samples` (80% answered, 10% "unknown", 10% left out).  For each
profile one question that feeds no figure is drawn; the profile is consulted with it open and with
each of its answers, and the properties of rules/README.md are checked: with everything else
answered (the stated scope) and as the profile stands (other questions open too).  A tie at the top
of the scores must be disclosed on the profile with every question answered (with questions open a
tie is judged over the completions, rules/README.md).

Each check needs only the policy's verdict, so profiles are decided by the reference evaluator and
`decide()` (what `consult()` does before its explanations and sealed trace), in a pool of workers.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections import Counter
from multiprocessing import Pool
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from decider import consult, load_rulebase  # noqa: E402
from decider.policy.outcome import Outcome, decide  # noqa: E402
from decider.reasoning.consultation import evaluate  # noqa: E402
from decider.interview.planner import answer_classes  # noqa: E402
from decider.rulebase.answers import validate_answers  # noqa: E402
from decider.rulebase.model import BooleanQuestion, Rulebase  # noqa: E402
from decider.rulebase.samples import sample_profiles  # noqa: E402

RULEBASE: Rulebase | None = None
"""Each worker's rulebase, loaded once (`_start`)."""


def _start() -> None:
    global RULEBASE
    RULEBASE = load_rulebase()


def known_answers(rulebase: Rulebase, question: str) -> list[Any]:
    return [c.answer for c in answer_classes(rulebase, question) if c.answer != "unknown"]


def verdict(rulebase: Rulebase, profile: dict[str, Any]) -> Outcome:
    """The policy's outcome on a profile, as `consult(..., engine="reference")` decides it."""
    answers = validate_answers(rulebase, profile)
    return decide(rulebase, answers, evaluate(rulebase, answers, "reference"))


def unknown_vs_known(rulebase: Rulebase, profile: dict[str, Any], question: str) -> list[str]:
    """Violations of the unknown-versus-known properties for `question` in `profile`."""
    level = rulebase.policy.confidence.level
    unsure = verdict(rulebase, {**profile, question: "unknown"})
    known = [verdict(rulebase, {**profile, question: v}) for v in known_answers(rulebase, question)]
    primaries = {k.primary for k in known}
    same = [k.confidence for k in known if k.primary == unsure.primary]
    found = []
    if unsure.primary not in primaries:
        found.append("primary with it open is the primary for no known answer")
    elif unsure.confidence > max(same) + 1e-9:
        found.append("more confident open than any known answer with the same primary")
    if len(primaries) > 1:
        if unsure.settled:
            found.append("settled although its answers change the primary")
        strict = isinstance(rulebase.question_index[question], BooleanQuestion)
        if strict and any(unsure.confidence >= c for c in same if c > 0):
            found.append("yes/no open not below the known answer with the same primary")
        if strict and level(unsure.confidence) not in ("low", ""):
            found.append("yes/no open that flips the primary reads above low")
    return found


def top_tie_undisclosed(outcome: Outcome) -> bool:
    """A fully answered profile whose primary's score is level with another eligible approach's, not named."""
    off = {e.approach for e in outcome.excluded}
    eligible = sorted((s.score for s in outcome.ranking if s.approach not in off), reverse=True)
    primary = next(s.score for s in outcome.ranking if s.approach == outcome.primary)
    return (not outcome.defaulted and len(eligible) > 1 and eligible[0] == eligible[1] == primary
            and not (outcome.tied and outcome.confidence == 0))


def check(job: tuple[dict[str, Any], dict[str, Any], str]) -> Counter[str]:
    """Every count one profile adds (`job`: the profile, it with every question answered, the question)."""
    rulebase = RULEBASE
    assert rulebase is not None
    profile, complete, question = job
    counts: Counter[str] = Counter()
    outcome = verdict(rulebase, profile)
    off = {e.approach for e in outcome.excluded}
    counts["ties above low"] += bool(outcome.tied) and rulebase.policy.confidence.level(outcome.confidence) not in ("low", "")
    counts["excluded approaches chosen"] += outcome.primary in off and len(off) < len(rulebase.approaches)
    counts["confidence above robustness"] += outcome.confidence > outcome.robustness + 1e-9
    counts["settled" if outcome.settled else "not settled"] += 1
    counts["ties at the top not disclosed"] += top_tie_undisclosed(verdict(rulebase, complete))
    for problem in unknown_vs_known(rulebase, complete, question):
        counts["in scope: " + problem] += 1
    for problem in unknown_vs_known(rulebase, profile, question):
        counts["out of scope: " + problem] += 1
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", nargs="?", type=int, default=10_000)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    rulebase = load_rulebase()
    inputs = {q for f in rulebase.figures for q in rulebase.question_index if q in f.expr}
    candidates = [q.id for q in rulebase.questions if q.id not in inputs]
    rng = random.Random(10)
    jobs = []
    for profile in sample_profiles(rulebase, args.count, seed=10):
        question = rng.choice(candidates)
        complete = {q.id: profile[q.id] if profile.get(q.id, "unknown") != "unknown" else
                    rng.choice(known_answers(rulebase, q.id)) for q in rulebase.questions}
        jobs.append((profile, complete, question))
    started = time.perf_counter()
    totals: Counter[str] = Counter()
    with Pool(args.jobs, initializer=_start) as pool:
        for counts in pool.imap_unordered(check, jobs, chunksize=50):
            totals.update(counts)
    seconds = time.perf_counter() - started
    print(f"profiles: {args.count} ({totals['settled']} settled, {totals['not settled']} not settled), "
          f"{seconds:.0f} s with {args.jobs} worker(s)")
    for name in ("ties above low", "ties at the top not disclosed", "excluded approaches chosen",
                 "confidence above robustness"):
        print(f"{name}: {totals[name]}")
    in_scope = {k.removeprefix("in scope: "): v for k, v in totals.items() if k.startswith("in scope: ")}
    out_of_scope = {k.removeprefix("out of scope: "): v for k, v in totals.items() if k.startswith("out of scope: ")}
    print(f"property violations, one question open (the stated scope): {sum(in_scope.values())}"
          + "".join(f"\n  {k}: {v}" for k, v in sorted(in_scope.items())))
    print(f"outside the scope (other questions open too): {sum(out_of_scope.values())}"
          + "".join(f"\n  {k}: {v}" for k, v in sorted(out_of_scope.items())))
    times = []
    for profile in sample_profiles(rulebase, 500, seed=11):
        t = time.perf_counter()
        consult(rulebase, profile)
        times.append(time.perf_counter() - t)
    print(f"consult() median over 500 profiles: {statistics.median(times) * 1e3:.2f} ms")
    failed = sum(totals[n] for n in ("ties above low", "ties at the top not disclosed", "excluded approaches chosen",
                                     "confidence above robustness")) + sum(in_scope.values())
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
