"""The policy over many generated profiles of the shipped rulebase: ties above low, excluded approaches
chosen, and property violations (all must be 0), plus how often the unknown-versus-known properties
fail outside their stated scope (several questions open at once).

    .venv/bin/python benchmarks/policy.py            # 10,000 profiles
    .venv/bin/python benchmarks/policy.py 1000       # fewer

Profiles come from `decider.rulebase.samples` (80% answered, 10% "unknown", 10% left out).  For each
profile one question that feeds no figure is drawn; the profile is consulted with it open and with
each of its answers, and the properties of rules/README.md are checked: with everything else
answered (the stated scope) and as the profile stands (other questions open too).
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from decider import consult, load_rulebase  # noqa: E402
from decider.reasoning.planner import answer_classes  # noqa: E402
from decider.rulebase.model import BooleanQuestion, Rulebase  # noqa: E402
from decider.rulebase.samples import sample_profiles  # noqa: E402


def known_answers(rulebase: Rulebase, question: str) -> list[Any]:
    return [c.answer for c in answer_classes(rulebase, question) if c.answer != "unknown"]


def unknown_vs_known(rulebase: Rulebase, profile: dict[str, Any], question: str) -> list[str]:
    """Violations of the unknown-versus-known properties for `question` in `profile`."""
    unsure = consult(rulebase, {**profile, question: "unknown"}, engine="reference").recommendation
    known = [consult(rulebase, {**profile, question: v}, engine="reference").recommendation
             for v in known_answers(rulebase, question)]
    primaries = {k.approach for k in known}
    same = [k.confidence for k in known if k.approach == unsure.approach]
    found = []
    if unsure.approach not in primaries:
        found.append("primary with it open is the primary for no known answer")
    elif unsure.confidence > max(same) + 1e-9:
        found.append("more confident open than any known answer with the same primary")
    if len(primaries) > 1:
        if unsure.settled:
            found.append("settled although its answers change the primary")
        strict = isinstance(rulebase.question_index[question], BooleanQuestion)
        if strict and any(unsure.confidence >= c for c in same if c > 0):
            found.append("yes/no open not below the known answer with the same primary")
        if strict and unsure.level == "high":
            found.append("yes/no open that flips the primary reads high")
    return found


def main() -> int:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    rulebase = load_rulebase()
    inputs = {q for f in rulebase.figures for q in rulebase.question_index if q in f.expr}
    candidates = [q.id for q in rulebase.questions if q.id not in inputs]
    rng = random.Random(10)
    ties_above_low = excluded_chosen = confidence_over_robustness = undisclosed_ties = 0
    in_scope: dict[str, int] = {}
    out_of_scope: dict[str, int] = {}
    settled = unsettled = 0
    started = time.perf_counter()
    for profile in sample_profiles(rulebase, count, seed=10):
        result = consult(rulebase, profile, engine="reference")
        rec = result.recommendation
        off = {e.approach for e in result.excluded}
        if rec.tied and rec.level not in ("low", ""):
            ties_above_low += 1
        if rec.approach in off and len(off) < len(rulebase.approaches):
            excluded_chosen += 1
        if rec.confidence > rec.robustness + 1e-9:
            confidence_over_robustness += 1
        eligible = sorted((s.score for s in result.ranking if s.approach not in off), reverse=True)
        primary_score = next(s.score for s in result.ranking if s.approach == rec.approach)
        if rec.settled and not rec.defaulted and len(eligible) > 1 and eligible[0] == eligible[1] == primary_score \
                and not rec.tied:
            undisclosed_ties += 1
        settled += rec.settled
        unsettled += not rec.settled
        question = rng.choice(candidates)
        complete = {q.id: profile[q.id] if profile.get(q.id, "unknown") != "unknown" else
                    rng.choice(known_answers(rulebase, q.id)) for q in rulebase.questions}
        for problem in unknown_vs_known(rulebase, complete, question):
            in_scope[problem] = in_scope.get(problem, 0) + 1
        for problem in unknown_vs_known(rulebase, profile, question):
            out_of_scope[problem] = out_of_scope.get(problem, 0) + 1
    seconds = time.perf_counter() - started
    print(f"profiles: {count} ({settled} settled, {unsettled} not settled), {seconds:.0f} s")
    print(f"ties above low: {ties_above_low}")
    print(f"ties at the top not disclosed: {undisclosed_ties}")
    print(f"excluded approaches chosen: {excluded_chosen}")
    print(f"confidence above robustness: {confidence_over_robustness}")
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
    failed = ties_above_low + excluded_chosen + confidence_over_robustness + undisclosed_ties + sum(in_scope.values())
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
