"""Structural facts about conditions and rules that both engines and the tools rely on."""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from decider.rulebase.expressions import references as expression_references
from decider.rulebase.model import (
    AllOf, AnyOf, Concluded, Condition, Conclude, Exclude, Flag, NotOf, Oppose, Rule, Rulebase, Support, Test,
)


class Reference(NamedTuple):
    """A fact a condition reads: ('answer'|'figure'|'conclusion', id), and whether it is read under `not`."""

    kind: str
    id: str
    negated: bool


def references(condition: Condition, negated: bool = False) -> Iterator[Reference]:
    """Every fact the condition reads, in order, with the polarity it is read at."""
    if isinstance(condition, Test):
        yield Reference(condition.subject, condition.ref, negated)
    elif isinstance(condition, Concluded):
        yield Reference("conclusion", condition.conclusion, negated)
    elif isinstance(condition, NotOf):
        yield from references(condition.item, not negated)
    else:
        for item in condition.items:
            yield from references(item, negated)


def read_facts(rule: Rule) -> list[tuple[str, str]]:
    """The distinct (kind, id) facts a rule's condition reads, in first-use order."""
    seen: dict[tuple[str, str], None] = {}
    for ref in references(rule.when):
        seen.setdefault((ref.kind, ref.id), None)
    return list(seen)


def figure_questions(rulebase: Rulebase, figure_id: str) -> list[str]:
    """Question ids a figure is computed from, through the figures it reads too, in first-use order."""
    found: dict[str, None] = {}
    seen: set[str] = set()

    def visit(current: str) -> None:
        seen.add(current)
        for name in expression_references(rulebase.figure_index[current].tree):
            if name in rulebase.question_index:
                found.setdefault(name, None)
            elif name in rulebase.figure_index and name not in seen:
                visit(name)

    visit(figure_id)
    return list(found)


def questions_read(rulebase: Rulebase, rule: Rule) -> list[str]:
    """Question ids a rule reads, directly or through the figures it tests, in first-use order."""
    found: dict[str, None] = {}
    for kind, fid in read_facts(rule):
        if kind == "answer":
            found.setdefault(fid, None)
        elif kind == "figure":
            found.update(dict.fromkeys(figure_questions(rulebase, fid)))
    return list(found)


def concluded_by(rule: Rule) -> list[str]:
    """Conclusions the rule asserts (concluded or flagged)."""
    return [e.conclusion if isinstance(e, Conclude) else e.risk for e in rule.then if isinstance(e, (Conclude, Flag))]


def decides(rule: Rule) -> bool:
    """True when the rule supports, opposes or excludes: it moves scores or eligibility, not only conclusions."""
    return any(isinstance(e, (Support, Oppose, Exclude)) for e in rule.then)


def stratify(rules: tuple[Rule, ...] | list[Rule]) -> dict[str, int] | list[str]:
    """Stratum of every rule (negated conclusions are settled in a lower stratum first).

    Returns the strata by rule id, or, when conclusions depend on themselves, the cycle as
    a list of conclusion ids."""
    producers: dict[str, list[Rule]] = {}
    for rule in rules:
        for conclusion in concluded_by(rule):
            producers.setdefault(conclusion, []).append(rule)
    conclusion_stratum: dict[str, int] = {}
    rule_stratum: dict[str, int] = {}
    visiting: list[str] = []

    def of_conclusion(cid: str) -> int:
        if cid in conclusion_stratum:
            return conclusion_stratum[cid]
        if cid in visiting:
            raise _Cycle(visiting[visiting.index(cid):] + [cid])
        visiting.append(cid)
        level = max((of_rule(r) for r in producers.get(cid, [])), default=0)
        visiting.pop()
        conclusion_stratum[cid] = level
        return level

    def of_rule(rule: Rule) -> int:
        if rule.id not in rule_stratum:
            level = 0
            for ref in references(rule.when):
                if ref.kind == "conclusion":
                    level = max(level, of_conclusion(ref.id) + (1 if ref.negated else 0))
            rule_stratum[rule.id] = level
        return rule_stratum[rule.id]

    try:
        for rule in rules:
            of_rule(rule)
    except _Cycle as cycle:
        return cycle.path
    return rule_stratum


class _Cycle(Exception):
    def __init__(self, path: list[str]) -> None:
        self.path = path


def rule_strata(rulebase: Rulebase) -> dict[str, int]:
    """Strata of a loaded (hence acyclic) rulebase."""
    result = stratify(rulebase.rules)
    assert isinstance(result, dict), "a loaded rulebase has no conclusion cycles"
    return result


def tests_of(condition: Condition) -> list[Test]:
    """Every test inside a condition, in reading order."""
    if isinstance(condition, Test):
        return [condition]
    if isinstance(condition, NotOf):
        return tests_of(condition.item)
    if isinstance(condition, (AllOf, AnyOf)):
        return [t for item in condition.items for t in tests_of(item)]
    return []


__all__ = [
    "AnyOf", "Reference", "concluded_by", "decides", "questions_read", "read_facts", "references", "rule_strata", "stratify",
]
