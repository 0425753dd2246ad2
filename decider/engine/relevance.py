"""Which unknown answers still matter: three-valued (Kleene) evaluation of the rules.

An unknown answer is *open* when some rule that reads it (directly or through a figure) is
undecided given the known answers, and that rule could still change something: it supports,
opposes or flags, or it concludes something not yet settled that an open rule reads.  Unknowns that no answer
could bring into play (a follow-up to a case already ruled out) are *settled* and do not
lower the confidence.  Pure and engine-independent, so both engines share it via the policy.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from functools import cache
from typing import Literal

from decider.engine.facts import engine_values
from decider.engine.reference import _test
from decider.rulebase.answers import Answers, compute_figures
from decider.rulebase.expressions import references as expression_references
from decider.rulebase.logic import concluded_by, questions_read
from decider.rulebase.model import (
    AllOf, AnyOf, Concluded, Condition, Conclude, NotOf, NumberQuestion, Rule, Rulebase, ScaleQuestion, Test,
)

Truth = Literal["T", "F", "U"]
_NEGATION: dict[Truth, Truth] = {"T": "F", "F": "T", "U": "U"}


def open_unknowns(rulebase: Rulebase, answers: Answers) -> frozenset[str]:
    """Ids of the questions without a known value whose answer could still change an effect."""
    figures = compute_figures(rulebase, answers)
    values = engine_values(rulebase, answers, figures)
    numeric = {q.id for q in rulebase.questions if isinstance(q, (NumberQuestion, ScaleQuestion))}
    producers: dict[str, list[Rule]] = {}
    readers: dict[str, list[Rule]] = {}
    for rule in rulebase.rules:
        for conclusion in concluded_by(rule):
            producers.setdefault(conclusion, []).append(rule)
        for conclusion in _conclusions_read(rule.when):
            readers.setdefault(conclusion, []).append(rule)

    def figure_open(figure_id: str) -> bool:
        """True when the figure is unknown because some input question is unknown."""
        for name in expression_references(rulebase.figure_index[figure_id].tree):
            if name in rulebase.question_index and answers.value(name) is None:
                return True
            if name in rulebase.figure_index and figure_open(name):
                return True
        return False

    def test(condition: Test) -> Truth:
        if condition.subject == "answer" and answers.value(condition.ref) is None:
            return "U"
        if condition.subject == "figure" and figures.get(condition.ref) is None and figure_open(condition.ref):
            return "U"
        held = _test(condition, values.get((condition.subject, condition.ref)),
                     condition.subject == "figure" or condition.ref in numeric)
        return "T" if held else "F"

    @cache
    def concluded_truth(cid: str) -> Truth:
        return _any(truth(rule.when) for rule in producers.get(cid, []))

    def truth(condition: Condition) -> Truth:
        if isinstance(condition, Test):
            return test(condition)
        if isinstance(condition, Concluded):
            return concluded_truth(condition.conclusion)
        if isinstance(condition, NotOf):
            return _NEGATION[truth(condition.item)]
        if isinstance(condition, AllOf):
            return _all(truth(c) for c in condition.items)
        assert isinstance(condition, AnyOf)
        return _any(truth(c) for c in condition.items)

    @cache
    def live(rule_id: str) -> bool:
        rule = rulebase.rule_index[rule_id]
        if truth(rule.when) != "U":
            return False
        if any(not isinstance(effect, Conclude) for effect in rule.then):
            return True
        return any(concluded_truth(cid) == "U" and live(reader.id)
                   for cid in concluded_by(rule) for reader in readers.get(cid, []))

    found: set[str] = set()
    for rule in rulebase.rules:
        if live(rule.id):
            found.update(q for q in questions_read(rulebase, rule) if answers.value(q) is None)
    return frozenset(found)


def open_share(rulebase: Rulebase, answers: Answers) -> Decimal:
    """Open unknowns as a fraction of the questions the rules read."""
    read = {q for rule in rulebase.rules for q in questions_read(rulebase, rule)}
    if not read:
        return Decimal(0)
    return Decimal(len(open_unknowns(rulebase, answers) & read)) / Decimal(len(read))


def _conclusions_read(condition: Condition) -> set[str]:
    if isinstance(condition, Concluded):
        return {condition.conclusion}
    if isinstance(condition, NotOf):
        return _conclusions_read(condition.item)
    if isinstance(condition, (AllOf, AnyOf)):
        return {c for item in condition.items for c in _conclusions_read(item)}
    return set()


def _all(values: Iterable[Truth]) -> Truth:
    seen = list(values)
    if "F" in seen:
        return "F"
    return "U" if "U" in seen else "T"


def _any(values: Iterable[Truth]) -> Truth:
    seen = list(values)
    if "T" in seen:
        return "T"
    return "U" if "U" in seen else "F"
