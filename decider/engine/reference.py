"""The reference evaluator: a plain-Python interpreter of the rulebase, independent of durable_rules.

It is the test oracle for the durable_rules engine and the fast evaluator behind the planner
and lint.  Semantics: stratum by stratum (negated conclusions are settled first), rules fire
at most once, in declaration order, until nothing more fires.

Each rule's condition is turned once into a small Python closure (no eval), and the evaluator
of a rulebase is cached with the rulebase's other derived data (`ReferenceEngine.of`).
"""

from __future__ import annotations

import operator
from functools import lru_cache
from typing import Any
from collections.abc import Callable

from decider.engine.evaluation import Evaluation
from decider.engine.facts import EngineValue, constant, known_values, plain_figures, record_firings
from decider.engine.prepared import BuiltFrom, built, prepared
from decider.rulebase.answers import Answers
from decider.rulebase.model import AllOf, AnyOf, Concluded, Condition, NotOf, Rule, Rulebase, Test

Values = dict[tuple[str, str], EngineValue]
Check = Callable[[Values, set[str]], bool]

_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
}


class ReferenceEngine(BuiltFrom):
    """Evaluates one rulebase; cheap to build, thread-safe to use."""

    name = "reference"

    def __init__(self, rulebase: Rulebase) -> None:
        super().__init__(rulebase)
        derived = prepared(rulebase)
        self.strata = derived.strata
        self._numeric = derived.numeric
        levels = sorted(set(self.strata.values()))
        self.layers: list[list[Rule]] = [[r for r in rulebase.rules if self.strata[r.id] == level] for level in levels]
        self._checks: list[list[tuple[str, Check, tuple[str, ...]]]] = [
            [(rule.id, self.compile(rule.when), derived.concludes[rule.id]) for rule in layer] for layer in self.layers
        ]

    @classmethod
    def of(cls, rulebase: Rulebase) -> "ReferenceEngine":
        """The (cached) evaluator of `rulebase`."""
        return built(rulebase, cls)

    def run(self, answers: Answers) -> Evaluation:
        figures, values = known_values(self.rulebase, answers)
        concluded: set[str] = set()
        order: list[str] = []
        fired: set[str] = set()
        for layer in self._checks:
            changed = True
            while changed:
                changed = False
                for rule_id, check, concludes in layer:
                    if rule_id not in fired and check(values, concluded):
                        fired.add(rule_id)
                        order.append(rule_id)
                        concluded.update(concludes)
                        changed = True
        firings = record_firings(self.rulebase, order, self.strata, answers, figures, concluded)
        return Evaluation(
            engine="reference",
            firings=firings,
            conclusions=tuple(c.id for c in self.rulebase.conclusions if c.id in concluded),
            figures=plain_figures(figures),
        )

    def holds(self, condition: Condition, values: Values, concluded: set[str]) -> bool:
        """Whether `condition` holds for these engine values and conclusions."""
        return self.compile(condition)(values, concluded)

    def compile(self, condition: Condition) -> Check:
        """The condition as a closure over (engine values, concluded ids)."""
        if isinstance(condition, Test):
            return compile_test(condition, condition.subject == "figure" or condition.ref in self._numeric)
        if isinstance(condition, Concluded):
            conclusion = condition.conclusion
            return lambda values, concluded: conclusion in concluded
        if isinstance(condition, NotOf):
            inner = self.compile(condition.item)
            return lambda values, concluded: not inner(values, concluded)
        items = tuple(self.compile(c) for c in condition.items)
        if isinstance(condition, AllOf):
            return lambda values, concluded: all(check(values, concluded) for check in items)
        assert isinstance(condition, AnyOf)
        return lambda values, concluded: any(check(values, concluded) for check in items)


@lru_cache(maxsize=8192)
def compile_test(test: Test, numeric: bool) -> Check:
    """A test as a function of the engine values (the single definition of what a test means)."""
    key = (test.subject, test.ref)
    if test.op == "unknown":
        return lambda values, concluded: values.get(key) is None
    if test.op == "known":
        return lambda values, concluded: values.get(key) is not None
    if test.op == "in":
        assert isinstance(test.value, tuple)
        options = tuple(constant(v, numeric) for v in test.value)

        def member(values: Values, concluded: set[str]) -> bool:
            value = values.get(key)
            return value is not None and any(value == option for option in options)

        return member
    other = constant(test.value, numeric)
    compare = _COMPARE[test.op]

    def compared(values: Values, concluded: set[str]) -> bool:
        value = values.get(key)
        return value is not None and compare(value, other)

    return compared
