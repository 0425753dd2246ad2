"""Which unknown answers still matter: three-valued (Kleene) evaluation of the rules.

An unknown answer is *open* when some rule that reads it (directly or through a figure) is
undecided given the known answers, and that rule could still change something: it supports,
opposes or flags, or it concludes something not yet settled that an open rule reads.  Unknowns that no answer
could bring into play (a follow-up to a case already ruled out) are *settled* and do not
lower the confidence.  Pure and engine-independent, so both engines share it via the policy.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable
from decimal import Decimal
from functools import cache
from typing import Literal

from decider.engine.answer_classes import figure_inputs
from decider.engine.facts import known_values
from decider.engine.prepared import built, prepared
from decider.engine.reference import Check, compile_test
from decider.rulebase.answers import Answers
from decider.rulebase.logic import concluded_by, questions_read, tests_of
from decider.rulebase.model import (
    AllOf, AnyOf, Concluded, Condition, Conclude, NotOf, NumberQuestion, Rule, Rulebase, ScaleQuestion, Test,
)

Truth = Literal["T", "F", "U"]
_NEGATION: dict[Truth, Truth] = {"T": "F", "F": "T", "U": "U"}
PATTERN_CACHE_SIZE = 4096


class _Shape:
    """What relevance needs to know about a rulebase's structure, computed once per rulebase."""

    def __init__(self, rulebase: Rulebase) -> None:
        self.numeric = frozenset(q.id for q in rulebase.questions if isinstance(q, (NumberQuestion, ScaleQuestion)))
        self.producers: dict[str, list[Rule]] = {}
        self.readers: dict[str, list[Rule]] = {}
        derived = prepared(rulebase)
        for rule in rulebase.rules:
            for cid in derived.concludes[rule.id]:
                self.producers.setdefault(cid, []).append(rule)
            for kind, cid in derived.read[rule.id]:
                if kind == "conclusion":
                    self.readers.setdefault(cid, []).append(rule)
        self.questions = {rule.id: tuple(questions_read(rulebase, rule)) for rule in rulebase.rules}
        self.read = frozenset(q for qs in self.questions.values() for q in qs)
        self.figure_inputs = {f.id: frozenset(figure_inputs(rulebase, f.id)) for f in rulebase.figures}
        self.only_conclusions = {rule.id: all(isinstance(e, Conclude) for e in rule.then) for rule in rulebase.rules}
        self.tests: list[tuple[Test, Check]] = []
        """Every test of every rule, compiled once; a test's position is its place in an answer pattern."""
        self.position: dict[int, int] = {}
        for rule in rulebase.rules:
            for test in tests_of(rule.when):
                if id(test) not in self.position:
                    self.position[id(test)] = len(self.tests)
                    numeric = test.subject == "figure" or test.ref in self.numeric
                    self.tests.append((test, compile_test(test, numeric)))
        self.found: OrderedDict[tuple[frozenset[str], tuple[Truth, ...]], frozenset[str]] = OrderedDict()
        """Open unknowns by answer pattern (which questions are unknown, and each test's truth)."""
        self.lock = threading.Lock()


def _shape(rulebase: Rulebase) -> _Shape:
    """The rulebase's tests and reads, built once and kept with its other derived data."""
    return built(rulebase, _Shape)


def open_unknowns(rulebase: Rulebase, answers: Answers) -> frozenset[str]:
    """Ids of the questions without a known value whose answer could still change an effect."""
    shape = _shape(rulebase)
    unknown = {q for q in shape.read if answers.value(q) is None}
    if not unknown:
        return frozenset()
    figures, values = known_values(rulebase, answers)
    no_conclusions: set[str] = set()
    truths: list[Truth] = []
    for condition, check in shape.tests:
        if condition.subject == "answer" and condition.ref in unknown:
            truths.append("U")
        elif condition.subject == "figure" and figures.get(condition.ref) is None and \
                not unknown.isdisjoint(shape.figure_inputs[condition.ref]):
            truths.append("U")
        else:
            truths.append("T" if check(values, no_conclusions) else "F")
    # everything below depends on the answers only through this pattern, so its result is cached
    pattern = (frozenset(unknown), tuple(truths))
    with shape.lock:
        found = shape.found.get(pattern)
        if found is not None:
            shape.found.move_to_end(pattern)
            return found
    found = _open_unknowns(rulebase, shape, unknown, truths)
    with shape.lock:
        shape.found[pattern] = found
        while len(shape.found) > PATTERN_CACHE_SIZE:
            shape.found.popitem(last=False)
    return found


def _open_unknowns(rulebase: Rulebase, shape: _Shape, unknown: set[str], truths: list[Truth]) -> frozenset[str]:
    """The Kleene evaluation of every rule given the truth of each test."""
    position = shape.position

    def test(condition: Test) -> Truth:
        return truths[position[id(condition)]]

    @cache
    def concluded_truth(cid: str) -> Truth:
        return _any(rule_truth(rule.id) for rule in shape.producers.get(cid, []))

    @cache
    def rule_truth(rule_id: str) -> Truth:
        return truth(rulebase.rule_index[rule_id].when)

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
        if rule_truth(rule_id) != "U":
            return False
        if not shape.only_conclusions[rule_id]:
            return True
        rule = rulebase.rule_index[rule_id]
        return any(concluded_truth(cid) == "U" and live(reader.id)
                   for cid in concluded_by(rule) for reader in shape.readers.get(cid, []))

    found: set[str] = set()
    for rule in rulebase.rules:
        asked = unknown.intersection(shape.questions[rule.id])
        if asked and not asked <= found and live(rule.id):
            found |= asked
    return frozenset(found)


def open_share(rulebase: Rulebase, answers: Answers) -> Decimal:
    """Open unknowns as a fraction of the questions the rules read."""
    read = _shape(rulebase).read
    if not read:
        return Decimal(0)
    return Decimal(len(open_unknowns(rulebase, answers))) / Decimal(len(read))


def _all(values: Iterable[Truth]) -> Truth:
    return _combine(values, dominant="F", otherwise="T")


def _any(values: Iterable[Truth]) -> Truth:
    return _combine(values, dominant="T", otherwise="F")


def _combine(values: Iterable[Truth], dominant: Truth, otherwise: Truth) -> Truth:
    """Kleene and/or: `dominant` as soon as one value is it, else U if any is U, else `otherwise`."""
    result = otherwise
    for value in values:
        if value == dominant:
            return dominant
        if value == "U":
            result = "U"
    return result
