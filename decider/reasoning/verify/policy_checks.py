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
from decider.reasoning.verify.search import Constraint, Solver
from decider.rulebase.model import Oppose, Rulebase, Support
from decider.rulebase.numbers import to_decimal

MAX_COMBINATIONS = 100_000
"""Firing combinations examined before the tie and gap checks give up (and say so)."""

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
    for fired in _firing_sets(evaluator, solver, weighing):
        combinations += 1
        if combinations > MAX_COMBINATIONS:
            found.append(finding("W308", f"tie and gap checks stopped after {MAX_COMBINATIONS} firing combinations",
                                 rulebase.policy.at, "policy"))
            break
        tied = _tied(rulebase, fired)
        if not tied or tied in reported:
            continue
        constraints = [_fires_as(evaluator, r, r in fired) for r in weighing]
        outcome = solver.check(constraints, keys, lambda w, t=tied: _confirms(decide(w), t))  # type: ignore[misc]
        if outcome.status != "sat" or outcome.witness is None:
            if outcome.status == "undecided":
                tally.undecided.append(finding("W308", f"a firing combination that would {_words(tied)} needs figure "
                                               "values no concrete numbers were found for", rulebase.policy.at, "policy"))
            continue
        reported.add(tied)
        result = decide(outcome.witness)
        if tied == ("",):
            found.append(finding("W306", "no rule supports or opposes any approach for these answers, so the "
                                 f"default {rulebase.policy.default!r} applies", rulebase.policy.at, "policy", outcome.witness))
        else:
            found.append(finding("W305", f"approaches {', '.join(tied)} tie at score {result.ranking[0].score:g}; the "
                                 f"policy's tie_break order picks {result.primary!r}", rulebase.policy.at, "policy",
                                 outcome.witness))
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

    def step(index: int) -> Iterator[frozenset[str]]:
        variables = solver.variables(frozenset().union(*keys)) if keys else []
        solution = next(solver.solutions(chosen, variables), None)
        if solution is None:
            return
        if index == len(rules):
            yield frozenset(r for r in rules if evaluator.fires(r, solution))
            return
        for wanted in (True, False):
            chosen.append(_fires_as(evaluator, rules[index], wanted))
            keys.append(evaluator.rule_support(rules[index]))
            yield from step(index + 1)
            chosen.pop()
            keys.pop()

    yield from step(0)


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
