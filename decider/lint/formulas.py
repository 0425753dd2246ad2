"""Rule conditions evaluated over value classes, with conclusions expanded into the rules that conclude them.

A conclusion holds exactly when some rule concluding (or flagging) it fires, and a rule fires
exactly when its condition holds at the fixpoint; the loader rejects conclusion cycles, so this
expansion is well founded and matches the engines' stratified semantics.  Evaluation is
three-valued on partial assignments (None: not yet determined), which lets a search prune.
An independent oracle on purpose: the product's three-valued evaluation is `decider.engine.kleene`;
the verifier writes its own (over its own answer space, `answer_space`), so that a bug in one
shows up as a disagreement with the other instead of being confirmed by it.
"""

from __future__ import annotations

from decimal import Decimal

from decider.lint.answer_space import AnswerSpace, VarKey
from decider.rulebase.logic import concluded_by
from decider.rulebase.model import AllOf, AnyOf, Concluded, Condition, NotOf, Rule, Rulebase, Test
from decider.rulebase.numbers import to_decimal

ClassChoice = dict[VarKey, int]
"""Class index by variable; a variable left out is not yet chosen."""
Override = tuple[tuple[str, bool], ...]
"""Conclusions forced true or false (a counterfactual), as sorted pairs."""


class Evaluator:
    """Three-valued evaluation of rule conditions over an answer space."""

    def __init__(self, rulebase: Rulebase, space: AnswerSpace) -> None:
        self.rulebase = rulebase
        self.space = space
        self.producers: dict[str, list[Rule]] = {}
        for rule in rulebase.rules:
            for cid in concluded_by(rule):
                self.producers.setdefault(cid, []).append(rule)
        self._truth: dict[int, tuple[bool, ...]] = {}
        self._support: dict[str, frozenset[VarKey]] = {}
        self._conclusion_support: dict[str, frozenset[VarKey]] = {}
        self._order = {key: i for i, key in enumerate(space.classes)}
        self._ordered_support: dict[str, tuple[VarKey, ...]] = {}
        self._cache: dict[tuple[str, Override, tuple[int | None, ...]], bool | None] = {}

    # ------------------------------------------------------------------ supports

    def support(self, condition: Condition) -> frozenset[VarKey]:
        """The questions and figures a condition depends on, through the conclusions it reads."""
        if isinstance(condition, Test):
            return frozenset([(condition.subject, condition.ref)])
        if isinstance(condition, Concluded):
            return self.conclusion_support(condition.conclusion)
        if isinstance(condition, NotOf):
            return self.support(condition.item)
        return frozenset().union(*(self.support(item) for item in condition.items))

    def conclusion_support(self, conclusion: str) -> frozenset[VarKey]:
        if conclusion not in self._conclusion_support:
            self._conclusion_support[conclusion] = frozenset().union(
                *(self.rule_support(r.id) for r in self.producers.get(conclusion, [])))
        return self._conclusion_support[conclusion]

    def rule_support(self, rule_id: str) -> frozenset[VarKey]:
        if rule_id not in self._support:
            self._support[rule_id] = self.support(self.rulebase.rule_index[rule_id].when)
        return self._support[rule_id]

    def ordered(self, keys: frozenset[VarKey] | set[VarKey]) -> list[VarKey]:
        """Variables in declaration order (questions, then figures)."""
        return sorted(keys, key=self._order.__getitem__)

    # ------------------------------------------------------------------ evaluation

    def fires(self, rule_id: str, assign: ClassChoice, override: Override = ()) -> bool | None:
        """Whether the rule fires under the (partial) assignment; None when not yet determined."""
        support = self._ordered_support.get(rule_id)
        if support is None:
            support = self._ordered_support[rule_id] = tuple(self.ordered(self.rule_support(rule_id)))
        key = (rule_id, override, tuple(map(assign.get, support)))
        if key not in self._cache:
            self._cache[key] = self.value(self.rulebase.rule_index[rule_id].when, assign, dict(override), {})
        return self._cache[key]

    def concluded(self, conclusion: str, assign: ClassChoice, override: Override = ()) -> bool | None:
        """Whether the conclusion holds under the (partial) assignment."""
        return self._conclusion(conclusion, assign, dict(override), {})

    def value(self, condition: Condition, assign: ClassChoice, override: dict[str, bool],
              memo: dict[str, bool | None]) -> bool | None:
        if isinstance(condition, Test):
            truth = self.test_truth(condition)
            index = assign.get((condition.subject, condition.ref))
            if index is not None:
                return truth[index]
            return truth[0] if all(t == truth[0] for t in truth) else None
        if isinstance(condition, Concluded):
            return self._conclusion(condition.conclusion, assign, override, memo)
        if isinstance(condition, NotOf):
            inner = self.value(condition.item, assign, override, memo)
            return None if inner is None else not inner
        conjunctive = isinstance(condition, AllOf)
        assert conjunctive or isinstance(condition, AnyOf)
        undetermined = False
        for item in condition.items:
            result = self.value(item, assign, override, memo)
            if result is None:
                undetermined = True
            elif result is not conjunctive:
                return result
        return None if undetermined else conjunctive

    def _conclusion(self, conclusion: str, assign: ClassChoice, override: dict[str, bool],
                    memo: dict[str, bool | None]) -> bool | None:
        if conclusion in override:
            return override[conclusion]
        if conclusion not in memo:
            result: bool | None = False
            for rule in self.producers.get(conclusion, []):
                fired = self.value(rule.when, assign, override, memo)
                if fired:
                    result = True
                    break
                if fired is None:
                    result = None
            memo[conclusion] = result
        return memo[conclusion]

    def test_truth(self, test: Test) -> tuple[bool, ...]:
        """The test's result on each class of its subject (constant on a class by construction)."""
        found = self._truth.get(id(test))
        if found is None:
            classes = self.space.classes[(test.subject, test.ref)]
            found = tuple(holds(test, cls.value) for cls in classes)
            self._truth[id(test)] = found
        return found


def holds(test: Test, value: bool | str | Decimal | None) -> bool:
    """The engines' semantics of a test on one value (None: unknown, where only `is: unknown` holds).

    Written apart from the reference evaluator on purpose: lint's witnesses are confirmed by that
    evaluator, which only means something while the two are independent (a property test keeps
    them in agreement)."""
    if test.op == "unknown":
        return value is None
    if test.op == "known":
        return value is not None
    if value is None:
        return False
    numeric = isinstance(value, Decimal)
    constants = test.value if test.op == "in" else (test.value,)
    wanted = [to_decimal(c) if numeric else c for c in constants]  # type: ignore[union-attr]
    if test.op == "in":
        return any(_same(value, w) for w in wanted)
    other = wanted[0]
    if test.op == "==":
        return _same(value, other)
    if test.op == "!=":
        return not _same(value, other)
    if test.op == "<":
        return value < other  # type: ignore[operator]
    if test.op == "<=":
        return value <= other  # type: ignore[operator]
    if test.op == ">":
        return value > other  # type: ignore[operator]
    return value >= other  # type: ignore[operator]


def _same(left: object, right: object) -> bool:
    return left == right and isinstance(left, bool) == isinstance(right, bool)
