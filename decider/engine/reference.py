"""The reference evaluator: a plain-Python interpreter of the rulebase, independent of durable_rules.

It is the test oracle for the durable_rules engine and the fast evaluator behind the planner
and lint.  Semantics: stratum by stratum (negated conclusions are settled first), rules fire
at most once, in declaration order, until nothing more fires.
"""

from __future__ import annotations

from decider.engine.evaluation import Evaluation
from decider.engine.facts import EngineValue, constant, engine_values, plain_figures, record_firings
from decider.rulebase.answers import Answers, compute_figures
from decider.rulebase.logic import concluded_by, rule_strata
from decider.rulebase.model import AllOf, AnyOf, Concluded, Condition, NotOf, NumberQuestion, Rule, Rulebase, ScaleQuestion, Test


class ReferenceEngine:
    """Evaluates one rulebase; cheap to build, thread-safe to use."""

    name = "reference"

    def __init__(self, rulebase: Rulebase) -> None:
        self.rulebase = rulebase
        self.strata = rule_strata(rulebase)
        levels = sorted(set(self.strata.values()))
        self.layers: list[list[Rule]] = [[r for r in rulebase.rules if self.strata[r.id] == level] for level in levels]
        self._numeric = {q.id for q in rulebase.questions if isinstance(q, (NumberQuestion, ScaleQuestion))}

    def run(self, answers: Answers) -> Evaluation:
        figures = compute_figures(self.rulebase, answers)
        values = engine_values(self.rulebase, answers, figures)
        concluded: set[str] = set()
        order: list[str] = []
        fired: set[str] = set()
        for layer in self.layers:
            changed = True
            while changed:
                changed = False
                for rule in layer:
                    if rule.id not in fired and self.holds(rule.when, values, concluded):
                        fired.add(rule.id)
                        order.append(rule.id)
                        concluded.update(concluded_by(rule))
                        changed = True
        firings = record_firings(self.rulebase, order, self.strata, answers, figures, concluded)
        return Evaluation(
            engine="reference",
            firings=firings,
            conclusions=tuple(c.id for c in self.rulebase.conclusions if c.id in concluded),
            figures=plain_figures(figures),
        )

    def holds(self, condition: Condition, values: dict[tuple[str, str], EngineValue], concluded: set[str]) -> bool:
        if isinstance(condition, Test):
            return _test(condition, values.get((condition.subject, condition.ref)),
                         condition.subject == "figure" or condition.ref in self._numeric)
        if isinstance(condition, Concluded):
            return condition.conclusion in concluded
        if isinstance(condition, NotOf):
            return not self.holds(condition.item, values, concluded)
        if isinstance(condition, AllOf):
            return all(self.holds(c, values, concluded) for c in condition.items)
        assert isinstance(condition, AnyOf)
        return any(self.holds(c, values, concluded) for c in condition.items)


def _test(test: Test, value: EngineValue | None, numeric: bool) -> bool:
    if test.op == "unknown":
        return value is None
    if test.op == "known":
        return value is not None
    if value is None:
        return False
    if test.op == "in":
        assert isinstance(test.value, tuple)
        return any(value == constant(v, numeric) for v in test.value)
    other = constant(test.value, numeric)
    if test.op == "==":
        return value == other
    if test.op == "!=":
        return value != other
    if test.op == "<":
        return value < other  # type: ignore[operator]
    if test.op == "<=":
        return value <= other  # type: ignore[operator]
    if test.op == ">":
        return value > other  # type: ignore[operator]
    return value >= other  # type: ignore[operator]
