"""Policy findings, exact over the answer space: ties the tie_break order decides, and gaps where
no rule weighs in and the default applies.

Only the rules that support or oppose something decide the scores, so the search enumerates the
combinations of those rules firing or not that answers can produce (rule by rule, pruning a
branch once no answers satisfy it), scores each combination, and looks for concrete answers
only for the combinations that tie or leave the default to apply.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from decider.engine.outcome import Outcome as PolicyOutcome
from decider.reasoning.verify.answer_space import VarKey
from decider.reasoning.verify.findings import Finding, finding
from decider.reasoning.verify.formulas import Assignment, Evaluator
from decider.reasoning.verify.logical import Tally
from decider.reasoning.verify.search import BudgetExceeded, Constraint, Solver
from decider.rulebase.model import Oppose, Rulebase, Support
from decider.rulebase.numbers import to_decimal

MAX_STEPS = 50_000
"""Search steps the tie and gap checks may take before they stop (and say so with W308)."""

Decide = Callable[[dict[str, object]], PolicyOutcome]
"""Runs the reference evaluator and the policy on concrete answers."""


def policy_findings(rulebase: Rulebase, evaluator: Evaluator, solver: Solver, decide: Decide, tally: Tally) -> list[Finding]:
    """Ties at the top (one finding per set of tied approaches) and a gap, each with a confirmed witness."""
    weighing = [r.id for r in rulebase.rules if any(isinstance(e, (Support, Oppose)) for e in r.then)]
    if not weighing:
        return []
    keys = frozenset().union(*(evaluator.rule_support(r) for r in weighing))
    found: list[Finding] = []
    reported: set[tuple[str, ...]] = set()
    combinations = 0

    def examine(fired: frozenset[str]) -> None:
        tied = _tied(rulebase, fired)
        if not tied or tied in reported:
            return
        constraints = [_fires_as(evaluator, r, r in fired) for r in weighing]
        outcome = solver.check(constraints, keys, lambda w: _confirms(decide(w), tied))
        if outcome.status == "undecided":
            tally.notes.append(finding("W308", f"a firing combination that would {_words(tied)} needs figure values "
                                       "no concrete numbers were found for", rulebase.policy.at, "policy"))
        if outcome.status != "sat" or outcome.witness is None:
            return
        reported.add(tied)
        if tied == ("",):
            found.append(finding("W306", "no rule supports or opposes any approach for these answers, so the default "
                                 f"{rulebase.policy.default!r} applies", rulebase.policy.at, "policy", outcome.witness))
            return
        result = decide(outcome.witness)
        found.append(finding("W305", f"approaches {', '.join(tied)} tie at score {result.ranking[0].score:g}; the "
                             f"policy's tie_break order picks {result.primary!r}", rulebase.policy.at, "policy",
                             outcome.witness))

    solver.step_limit = solver.steps + MAX_STEPS
    try:
        for fired in _firing_sets(evaluator, solver, weighing):
            combinations += 1
            examine(fired)
    except BudgetExceeded:
        tally.notes.append(finding("W308", f"tie and gap checks stopped after {MAX_STEPS} search steps "
                                   f"({combinations} firing combinations examined): not exhaustive",
                                   rulebase.policy.at, "policy"))
    finally:
        solver.step_limit = None
    tally.count("firing combinations", combinations)
    return found


def _confirms(outcome: PolicyOutcome, tied: tuple[str, ...]) -> bool:
    """The reference evaluator and the policy agree: the same tie at the top, or the default applied."""
    if tied == ("",):
        return outcome.defaulted
    top = outcome.ranking[0].score
    return not outcome.defaulted and tuple(sorted(s.approach for s in outcome.ranking if s.score == top)) == tied


def _words(tied: tuple[str, ...]) -> str:
    return "leave the default to apply" if tied == ("",) else f"tie {', '.join(tied)}"


def _firing_sets(evaluator: Evaluator, solver: Solver, rules: list[str]) -> Iterator[frozenset[str]]:
    """Every combination of these rules firing or not that the answer classes allow.

    Depth-first over the rules, fire or not, pruning a branch as soon as no answers satisfy the
    choices so far: the work follows the number of feasible combinations, not the answer space."""
    chosen: list[Constraint] = []
    keys: list[frozenset[VarKey]] = []
    fired: list[str] = []

    def satisfy(constraint: Constraint, known: Assignment) -> Assignment | None:
        """Answers for the choices so far plus one more: the known ones if they already satisfy it,
        else an extension of them, else a fresh search."""
        verdict = constraint(known)
        if verdict is True:
            return known
        trial = [*chosen, constraint]
        variables = solver.variables(frozenset().union(*keys))
        if verdict is None:
            extended = next(solver.solutions(trial, variables, start=known), None)
            if extended is not None:
                return extended
        return next(solver.solutions(trial, variables), None)

    def step(index: int, known: Assignment) -> Iterator[frozenset[str]]:
        if index == len(rules):
            yield frozenset(fired)
            return
        rule = rules[index]
        keys.append(evaluator.rule_support(rule))
        for wanted in (True, False):
            constraint = _fires_as(evaluator, rule, wanted)
            found = satisfy(constraint, known)
            if found is None:
                continue
            chosen.append(constraint)
            if wanted:
                fired.append(rule)
            yield from step(index + 1, found)
            chosen.pop()
            if wanted:
                fired.pop()
        keys.pop()

    yield from step(0, {})


def _tied(rulebase: Rulebase, fired: frozenset[str]) -> tuple[str, ...]:
    """The approaches tied at the top for this firing set; ('',) when nothing weighs in; () when no tie."""
    if not fired:
        return ("",)
    scores = {a.id: to_decimal(rulebase.policy.baseline.get(a.id, 0)) for a in rulebase.approaches}
    for rule in rulebase.rules:
        if rule.id in fired:
            for effect in rule.then:
                if isinstance(effect, Support):
                    scores[effect.approach] += to_decimal(effect.weight)
                elif isinstance(effect, Oppose):
                    scores[effect.approach] -= to_decimal(effect.weight)
    top = max(scores.values())
    tied = tuple(sorted(a for a, s in scores.items() if s == top))
    return tied if len(tied) > 1 else ()


def _fires_as(evaluator: Evaluator, rule_id: str, wanted: bool) -> Constraint:
    def constraint(assign: Assignment) -> bool | None:
        value = evaluator.fires(rule_id, assign)
        return None if value is None else value == wanted
    return constraint


__all__ = ["policy_findings"]
