"""Lint checks of the policy's inputs: exclusions that leave nothing to recommend, and rules that
move scores or eligibility only because an answer is open ("not sure").

A completion of the open answers never has an answer open, so such a rule never fires in one:
it would move the scores shown for the answers as given while the policy, which decides over the
completions, ignores it — the explanation and the decision would disagree."""

from __future__ import annotations


from decider.lint.findings import Finding, finding
from decider.lint.formulas import ClassChoice, Evaluator
from decider.lint.logical import Tally, undecided
from decider.lint.only_open import OnlyOpen
from decider.lint.residual import Residues
from decider.lint.search import Constraint, Run, Solver
from decider.rulebase.logic import decides
from decider.rulebase.model import AllOf, AnyOf, Concluded, Exclude, NotOf, Rule, Rulebase, Test


MAX_OPEN_STATES = 200_000
"""Search states one E311 check may visit before it is reported undecided (W308).  The search
memoises on residues, so real rulebases need hundreds; this only stops a pathological one."""


def all_excluded(rulebase: Rulebase, evaluator: Evaluator, solver: Solver, run: Run, tally: Tally) -> list[Finding]:
    """E310: answers under which every approach is excluded at once (with a confirmed witness)."""
    excluders: dict[str, list[str]] = {a.id: [] for a in rulebase.approaches}
    for rule in rulebase.rules:
        for effect in rule.then:
            if isinstance(effect, Exclude):
                excluders[effect.approach].append(rule.id)
    if not all(excluders.values()):
        return []
    rules = tuple(sorted({r for ids in excluders.values() for r in ids}, key=rulebase.rule_order.__getitem__))

    def some(ids: list[str]) -> Constraint:
        def constraint(assign: ClassChoice) -> bool | None:
            values = [evaluator.fires(r, assign) for r in ids]
            return True if any(values) else None if None in values else False
        return constraint

    def confirm(witness: dict[str, object]) -> bool:
        fired = run(witness).fired()
        return all(any(r in fired for r in ids) for ids in excluders.values())

    keys = frozenset().union(*(evaluator.rule_support(r) for r in rules))
    outcome = solver.check([some(ids) for ids in excluders.values()], keys, confirm)
    tally.count("eligibility")
    first = rulebase.rule_index[rules[0]]
    if outcome.status == "sat":
        return [finding("E310", "every approach can be excluded at once (by " + ", ".join(rules) + ")",
                        first.at, first.id, outcome.witness, rules=rules)]
    if outcome.status == "undecided":
        return [undecided("eligibility", rules, outcome, first)]
    return []


def open_positions(evaluator: Evaluator, rule: Rule) -> set[tuple[str, str]]:
    """Variables whose being open can make the rule's condition true: read by an `is: unknown` test,
    or by a comparison or `is: known` under negation (directly or through the conclusions it reads).
    A sound filter: a rule reading no variable this way cannot hold only because one is open."""
    producers = evaluator.producers
    found: set[tuple[str, str]] = set()
    seen: set[tuple[str, bool]] = set()

    def walk(condition: object, positive: bool) -> None:
        if isinstance(condition, Test):
            if (condition.op == "unknown") == positive:
                found.add((condition.subject, condition.ref))
        elif isinstance(condition, Concluded):
            if (condition.conclusion, positive) not in seen:
                seen.add((condition.conclusion, positive))
                for producer in producers.get(condition.conclusion, []):
                    walk(producer.when, positive)
        elif isinstance(condition, NotOf):
            walk(condition.item, not positive)
        elif isinstance(condition, (AllOf, AnyOf)):
            for item in condition.items:
                walk(item, positive)

    walk(rule.when, True)
    return found


def unknown_weighs(rulebase: Rulebase, evaluator: Evaluator, solver: Solver, run: Run, tally: Tally) -> list[Finding]:
    """E311: a rule that supports, opposes or excludes and can hold only because an answer is open:
    it holds with that answer "not sure" and fails for every known answer of it, all else the same."""
    found: list[Finding] = []
    space = solver.space
    search = OnlyOpen(solver, Residues(evaluator))
    for rule in rulebase.rules:
        if not decides(rule):
            continue
        keys = evaluator.rule_support(rule.id)
        for key in evaluator.ordered(keys & open_positions(evaluator, rule)):
            classes = space.classes[key]
            unknown = next((i for i, c in enumerate(classes) if c.unknown), None)
            if unknown is None:
                continue
            known = [i for i, c in enumerate(classes) if not c.unknown]

            def only_when_open(assign: ClassChoice, key: tuple[str, str] = key, unknown: int = unknown,
                               known: list[int] = known, rule_id: str = rule.id) -> bool | None:
                when_open = evaluator.fires(rule_id, {**assign, key: unknown})
                if when_open is False:
                    return False
                when_known = [evaluator.fires(rule_id, {**assign, key: i}) for i in known]
                if any(v is True for v in when_known):
                    return False
                return None if when_open is None or None in when_known else True

            outcome = solver.check([only_when_open], keys - {key}, solutions=search.solutions(rule.id, key),
                                   budget=MAX_OPEN_STATES)
            tally.count("unknown-reading")
            if outcome.status == "undecided":
                found.append(undecided("unknown-reading", (rule.id,), outcome, rule, MAX_OPEN_STATES))
            elif outcome.status == "sat":
                kind, ref = key
                witness = {**(outcome.witness or {}), **({ref: "unknown"} if kind == "answer" else {})}
                found.append(finding(
                    "E311", f"rule {rule.id!r} changes scores or eligibility but holds only because {kind} {ref!r} is "
                    "open (no known answer of it makes it hold): let it conclude or flag instead, and leave what the "
                    "open answer could do to the policy", rule.at, rule.id, witness, rules=(rule.id,)))
                break
    return found
