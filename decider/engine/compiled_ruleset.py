"""A rulebase compiled into durable_rules' JSON dialect, checked against the native engine's limits.

Pure Python (no native import), so `decider lint` refuses exactly what the engine would refuse:
the same compilation runs in both, and `native_limits` checks its result."""

from __future__ import annotations

from typing import Any

from decider.engine.facts import constant
from decider.engine.native_limits import violations
from decider.engine.prepared import prepared
from decider.errors import Problem, RulebaseError
from decider.rulebase.model import AllOf, AnyOf, Concluded, Condition, NotOf, Rule, Rulebase, Test

MAX_DISJUNCTS = 256
"""A rule whose condition expands to more alternatives than this is rejected at compile time."""

_OPS = {"==": None, "!=": "$neq", "<": "$lt", "<=": "$lte", ">": "$gt", ">=": "$gte"}
_NEGATED = {"==": "!=", "!=": "==", "<": ">=", "<=": ">", ">": "<=", ">=": "<"}

Alternative = tuple[list[Any], frozenset[str], frozenset[str]]


class Action:
    """What one compiled rule alternative does when the engine starts it."""

    __slots__ = ("rule", "concludes")

    def __init__(self, rule: str | None, concludes: tuple[str, ...]) -> None:
        self.rule = rule
        self.concludes = concludes


class CompiledRuleset:
    """The durable_rules definition of a rulebase and the action of every named alternative.

    Raises RulebaseError, each problem naming its rule, when a rule expands past MAX_DISJUNCTS
    alternatives or the compiled ruleset would pass a limit of the native engine."""

    def __init__(self, rulebase: Rulebase) -> None:
        self.rulebase = rulebase
        derived = prepared(rulebase)
        self.strata = derived.strata
        self.phases = max(self.strata.values(), default=0)
        self._numeric = derived.numeric
        self._concludes = derived.concludes
        self.definition, self.actions = self._compile()
        problems = []
        for name, message in violations(self.definition):
            owner = self.actions[name].rule
            problems.append(rule_problem(rulebase.rule_index[owner], message) if owner else Problem(message=message, code="E107"))
        if problems:
            raise RulebaseError(problems)

    def _compile(self) -> tuple[dict[str, Any], dict[str, Action]]:
        definition: dict[str, Any] = {}
        actions: dict[str, Action] = {}
        problems: list[Problem] = []
        for rule in self.rulebase.rules:
            disjuncts = self._dnf(rule.when)
            if len(disjuncts) > MAX_DISJUNCTS:
                problems.append(rule_problem(
                    rule, f"condition expands to {len(disjuncts)} alternatives (at most {MAX_DISJUNCTS}); split the rule"))
                continue
            stratum = self.strata[rule.id]
            for index, (tests, positive, negative) in enumerate(disjuncts):
                answers_fact: Any = {"t": "answers"}
                if tests:
                    answers_fact = {"$and": [{"t": "answers"}, *tests]}
                conditions: list[dict[str, Any]] = [{"a": answers_fact}]
                if stratum:
                    conditions.append({"p": {"$and": [{"t": "phase"}, {"n": stratum}]}})
                for k, cid in enumerate(sorted(positive)):
                    conditions.append({f"c{k}": {"$and": [{"t": "c"}, {"c": cid}]}})
                for k, cid in enumerate(sorted(negative)):
                    conditions.append({f"n{k}$not": {"$and": [{"t": "c"}, {"c": cid}]}})
                name = f"{rule.id}#{index}"
                definition[name] = {"all": conditions}
                actions[name] = Action(rule.id, self._concludes[rule.id])
        if problems:
            raise RulebaseError(problems)
        # durable_rules segfaults in delete_state for a session in which no action ever ran
        # (reproduced with this driver too: a rulebase whose rules all miss the answers). This rule
        # always fires once per session; its action does nothing.
        definition["session_opened"] = {"all": [{"a": {"t": "answers"}}]}
        actions["session_opened"] = Action(None, ())
        # Sinks keep every fact type handled even when no rule reads it (see the notes, §5.4).
        for kind in ("answers", "c", "phase"):
            definition[f"sink_{kind}"] = {"all": [{"x": {"t": kind}}, {"never": {"t": "__never__"}}]}
            actions[f"sink_{kind}"] = Action(None, ())
        return definition, actions

    def _dnf(self, condition: Condition, negated: bool = False) -> list[Alternative]:
        """Alternatives as (answer tests, concluded, not concluded); conclusion-free parts stay whole."""
        if not _mentions_conclusion(condition):
            return [([self._answer_expr(condition, negated)], frozenset(), frozenset())]
        if isinstance(condition, Concluded):
            one = frozenset([condition.conclusion])
            return [([], frozenset(), one)] if negated else [([], one, frozenset())]
        if isinstance(condition, NotOf):
            return self._dnf(condition.item, not negated)
        assert isinstance(condition, (AllOf, AnyOf))
        conjunctive = isinstance(condition, AllOf) != negated
        parts = [self._dnf(item, negated) for item in condition.items]
        if not conjunctive:
            return [alt for part in parts for alt in part]
        result: list[Alternative] = [([], frozenset(), frozenset())]
        for part in parts:
            result = [
                (tests + more, pos | pos2, neg | neg2)
                for tests, pos, neg in result
                for more, pos2, neg2 in part
                if not ((pos | pos2) & (neg | neg2))
            ]
            if len(result) > MAX_DISJUNCTS * 4:
                break
        return result

    def _answer_expr(self, condition: Condition, negated: bool) -> Any:
        """A conclusion-free condition as one durable_rules expression over the answers fact."""
        if isinstance(condition, NotOf):
            return self._answer_expr(condition.item, not negated)
        if isinstance(condition, (AllOf, AnyOf)):
            conjunctive = isinstance(condition, AllOf) != negated
            items = [self._answer_expr(item, negated) for item in condition.items]
            return items[0] if len(items) == 1 else {"$and" if conjunctive else "$or": items}
        assert isinstance(condition, Test)
        return self._test_expr(condition, negated)

    def _test_expr(self, test: Test, negated: bool) -> Any:
        field = ("q_" if test.subject == "answer" else "f_") + test.ref
        numeric = test.subject == "figure" or test.ref in self._numeric
        missing = {"$nex": {field: 1}}
        if test.op in ("unknown", "known"):
            wants_unknown = (test.op == "unknown") != negated
            return missing if wants_unknown else {"$ex": {field: 1}}
        if test.op == "in":
            assert isinstance(test.value, tuple)
            values = [constant(v, numeric) for v in test.value]
            if not negated:
                alts = [{field: v} for v in values]
                return alts[0] if len(alts) == 1 else {"$or": alts}
            excluded = [{"$neq": {field: v}} for v in values]
            return {"$or": [excluded[0] if len(excluded) == 1 else {"$and": excluded}, missing]}
        op = _NEGATED[test.op] if negated else test.op
        value = constant(test.value, numeric)
        expr = {field: value} if _OPS[op] is None else {_OPS[op]: {field: value}}
        return {"$or": [expr, missing]} if negated else expr


def rule_problem(rule: Rule, message: str) -> Problem:
    """A problem located at a rule, as the loader's problems are."""
    at = rule.at
    return Problem(message=message, path=at.path if at else "", line=at.line if at else None,
                   column=at.column if at else None, item=rule.id, code="E107")


def _mentions_conclusion(condition: Condition) -> bool:
    if isinstance(condition, Concluded):
        return True
    if isinstance(condition, NotOf):
        return _mentions_conclusion(condition.item)
    if isinstance(condition, (AllOf, AnyOf)):
        return any(_mentions_conclusion(item) for item in condition.items)
    return False
