"""Differential check: durable_rules and the reference evaluator on a covering set of answers.

The covering set holds every pair of value classes of every two questions at least once (a
greedy pairwise array), plus every witness lint found; on each, both engines must fire the same
rules and the policy must reach the same outcome.
"""

from __future__ import annotations

from decimal import Decimal

import itertools

from decider.engine.durable_engine import ENGINES
from decider.policy.outcome import decide
from decider.engine.reference import ReferenceEngine
from decider.lint.answer_space import AnswerSpace
from decider.lint.findings import Finding, finding
from decider.rulebase.answers import validate_answers
from decider.rulebase.model import Rulebase
from decider.rulebase.numbers import plain


def covering_answers(rulebase: Rulebase, space: AnswerSpace) -> list[dict[str, object]]:
    """Answer sets covering every pair of value classes of every two questions (greedy, deterministic)."""
    keys = [("answer", q.id) for q in rulebase.questions]
    options = [[_value(space, k, i) for i in range(len(space.classes[k]))] for k in keys]
    uncovered = {(a, i, b, j) for a, b in itertools.combinations(range(len(keys)), 2)
                 for i in range(len(options[a])) for j in range(len(options[b]))}
    rows: list[list[int]] = []
    if len(keys) == 1:
        rows = [[i] for i in range(len(options[0]))]
    while uncovered:
        a, i, b, j = min(uncovered)
        row = [-1] * len(keys)
        row[a], row[b] = i, j
        for k in range(len(keys)):
            if row[k] < 0:
                filled = [m for m in range(len(keys)) if row[m] >= 0]
                row[k] = max(range(len(options[k])),
                             key=lambda v: (sum(_pair(m, row[m], k, v) in uncovered for m in filled), -v))
        for m, n in itertools.combinations(range(len(keys)), 2):
            uncovered.discard((m, row[m], n, row[n]))
        rows.append(row)
    return [{keys[k][1]: options[k][v] for k, v in enumerate(row)} for row in rows]


def cross_check(rulebase: Rulebase, space: AnswerSpace, witnesses: list[dict[str, object]]) -> tuple[list[Finding], int]:
    """Findings where the engines disagree, and how many answer sets were compared."""
    durable = ENGINES.get(rulebase)
    reference = ReferenceEngine(rulebase)
    found: list[Finding] = []
    cases = covering_answers(rulebase, space) + witnesses
    for raw in cases:
        answers = validate_answers(rulebase, raw)
        ours, theirs = reference.run(answers), durable.run(answers)
        if ours.fired() != theirs.fired() or ours.conclusions != theirs.conclusions:
            only_ref = sorted(ours.fired() - theirs.fired())
            only_durable = sorted(theirs.fired() - ours.fired())
            found.append(finding("E901", f"rules fired only by the reference evaluator: {only_ref or 'none'}; only by "
                                 f"durable_rules: {only_durable or 'none'}", rulebase.meta.at, rulebase.meta.id, dict(raw)))
            continue
        if decide(rulebase, answers, ours) != decide(rulebase, answers, theirs):
            found.append(finding("E901", "the engines fire the same rules but the policy outcome differs",
                                 rulebase.meta.at, rulebase.meta.id, dict(raw)))
    return found, len(cases)


def _pair(m: int, vm: int, k: int, vk: int) -> tuple[int, int, int, int]:
    return (m, vm, k, vk) if m < k else (k, vk, m, vm)


def _value(space: AnswerSpace, key: tuple[str, str], index: int) -> object:
    value = space.answer_value(key, index)
    return plain(value) if isinstance(value, Decimal) else value
