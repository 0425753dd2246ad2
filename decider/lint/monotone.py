"""E312: a question's declared monotonicity (`monotone: {approach: up|down}`), checked exactly.

`up` means a later answer (true after false, a later choice in declaration order, a larger number)
never lowers the approach's standing with every other answer fixed: its score never falls and it
is never excluded where the earlier answer left it eligible; `down` the reverse.  Other answers
range over their known classes (each completion the policy counts has every answer known).  It
is enough to compare neighbouring classes of the question: a drop between two answers is a drop
between some two neighbours.

For each pair of neighbours the rules that weigh on the approach are reduced to two residues
each (one per answer), and the lowest score change over the other answers is found by the same
branching as the tie search: settled rules add their weight, open ones split into groups that
share no question (the minimum of a sum over independent groups is the sum of their minima),
each group is memoised on its residues.  An exclusion that appears is searched with the E311
search (`only_open`).  Every violation found is realised with concrete answers and confirmed by
the reference evaluator and the policy before it is reported.
"""

from __future__ import annotations


from decider.policy.outcome import Outcome as PolicyOutcome
from decider.lint.answer_space import VarKey
from decider.lint.findings import Finding, finding
from decider.lint.formulas import ClassChoice, Evaluator
from decider.lint.logical import Tally
from decider.lint.only_open import OnlyOpen
from decider.lint.residual import Residue, Residues, fold
from decider.lint.search import BudgetExceeded, Decide, Solver
from decider.rulebase.model import BooleanQuestion, Exclude, Oppose, Question, Rulebase, Support
from decider.rulebase.numbers import to_micro

Item = tuple[int, Residue, Residue]
"""A weight in micro-units (negative: oppose) and the rule's residue with the later and the earlier answer."""

MAX_MONOTONE_STATES = 200_000
"""Search states one declaration may visit before it is reported undecided (W308)."""


class Drops:
    """The lowest score change of one approach between two answers of a question, over the others."""

    def __init__(self, solver: Solver, residues: Residues) -> None:
        self.solver = solver
        self.residues = residues
        self._linked = {k for f, ins in solver.figure_inputs().items() for k in (f, *ins)}
        self._memo: dict[tuple[object, ...], tuple[int, ClassChoice]] = {}

    def lowest(self, assign: ClassChoice, items: tuple[Item, ...]) -> tuple[int, ClassChoice]:
        """The minimum over known completions of `assign` of the summed change, and classes reaching it."""
        total = 0
        open_items: list[Item] = []
        for weight, later, earlier in items:
            if isinstance(later, bool) and isinstance(earlier, bool):
                total += weight * (int(later) - int(earlier))
            else:
                open_items.append((weight, later, earlier))
        witness: ClassChoice = {}
        for group in self._groups(open_items):
            least, chosen = self._group(assign, tuple(group))
            total += least
            witness.update(chosen)
        return total, witness

    def _group(self, assign: ClassChoice, items: tuple[Item, ...]) -> tuple[int, ClassChoice]:
        linked = tuple(sorted((k, assign[k]) for k in self._linked if k in assign))
        key = (items, linked)
        found = self._memo.get(key)
        if found is not None:
            return found
        self.solver.step()
        reads: dict[VarKey, int] = {}
        for _, later, earlier in items:
            for variable in self.residues.variables(later) | self.residues.variables(earlier):
                reads[variable] = reads.get(variable, 0) + 1
        variable = min(self.solver.evaluator.ordered(frozenset(reads)), key=lambda k: -reads[k])
        best: tuple[int, ClassChoice] | None = None
        for index in self.solver.branch_order(variable):
            if variable[0] == "answer" and self.solver.space.classes[variable][index].unknown:
                continue
            extended = {**assign, variable: index}
            if not self.solver.consistent(variable, extended):
                continue
            least, chosen = self.lowest(extended, tuple(
                (w, self.residues.assign(a, variable, index), self.residues.assign(b, variable, index))
                for w, a, b in items))
            if best is None or least < best[0]:
                best = (least, {variable: index, **chosen})
        result = best if best is not None else (0, {})
        self._memo[key] = result
        return result

    def _groups(self, items: list[Item]) -> list[list[Item]]:
        """Items split into groups that read no variable in common (a figure counts with its inputs)."""
        groups: list[tuple[set[VarKey], list[Item]]] = []
        inputs = self.solver.figure_inputs()
        for item in items:
            keys = set(self.residues.variables(item[1]) | self.residues.variables(item[2]))
            keys |= {i for k in list(keys) for i in inputs.get(k, ())}
            merged = (keys, [item])
            for group in [g for g in groups if g[0] & keys]:
                groups.remove(group)
                merged = (merged[0] | group[0], group[1] + merged[1])
            groups.append(merged)
        return [g[1] for g in groups]


def order(question: Question, classes: int, unknown: set[int]) -> list[int]:
    """The known classes of a question from earliest to latest answer (false before true)."""
    known = [i for i in range(classes) if i not in unknown]
    return list(reversed(known)) if isinstance(question, BooleanQuestion) else known


def monotone_findings(rulebase: Rulebase, evaluator: Evaluator, solver: Solver, decide: Decide,
                      tally: Tally) -> list[Finding]:
    """E312 for each declaration some answers break (with a confirmed witness), W308 for one not decided."""
    found: list[Finding] = []
    residues = Residues(evaluator)
    drops = Drops(solver, residues)
    exclusions = OnlyOpen(solver, residues)
    space = solver.space
    for question in rulebase.questions:
        key: VarKey = ("answer", question.id)
        classes = space.classes[key]
        steps = order(question, len(classes), {i for i, c in enumerate(classes) if c.unknown})
        for approach, direction in question.monotone.items():
            tally.count("monotone")
            weighing = [(r.id, (1 if isinstance(e, Support) else -1) * to_micro(e.weight))
                        for r in rulebase.rules for e in r.then
                        if isinstance(e, (Support, Oppose)) and e.approach == approach and key in evaluator.rule_support(r.id)]
            excluding = [r.id for r in rulebase.rules
                         if any(isinstance(e, Exclude) and e.approach == approach for e in r.then)
                         and key in evaluator.rule_support(r.id)]
            if not weighing and not excluding:
                continue
            through = [f for f, ins in solver.figure_inputs().items() if key in ins and any(
                f in evaluator.rule_support(r) for r in [*(w[0] for w in weighing), *excluding])]
            where = question.at
            if through:
                found.append(finding("W308", f"monotone check of {question.id!r} for {approach!r} is undecided: rules "
                                     f"read figure {through[0][1]!r}, computed from this answer, which the check does "
                                     "not follow", where, question.id))
                continue
            outer = solver.step_limit
            solver.step_limit = solver.steps + MAX_MONOTONE_STATES
            try:
                broken = _first_break(rulebase, evaluator, solver, residues, drops, exclusions, decide, key, steps,
                                      approach, direction, weighing, excluding)
            except BudgetExceeded:
                found.append(finding("W308", f"monotone check of {question.id!r} for {approach!r} is undecided: it "
                                     f"visited more than {MAX_MONOTONE_STATES:,} search states", where, question.id))
                continue
            finally:
                solver.step_limit = outer
            if broken is not None:
                found.append(broken)
    return found


def _first_break(rulebase: Rulebase, evaluator: Evaluator, solver: Solver, residues: Residues, drops: Drops,
                 exclusions: OnlyOpen, decide: Decide, key: VarKey, steps: list[int], approach: str, direction: str,
                 weighing: list[tuple[str, int]], excluding: list[str]) -> Finding | None:
    """The first pair of neighbouring answers whose change breaks the declaration, as a confirmed finding."""
    question = rulebase.question_index[key[1]]
    for earlier, later in zip(steps, steps[1:]):
        worse, better = (later, earlier) if direction == "up" else (earlier, later)
        items = tuple((w, residues.of_rule(r, {key: worse}), residues.of_rule(r, {key: better})) for r, w in weighing)
        candidates: list[ClassChoice] = []
        least, chosen = drops.lowest({}, items)
        if least < 0:
            candidates.append(chosen)
        if excluding:
            off_worse = fold("any", [residues.of_rule(r, {key: worse}) for r in excluding])
            off_better = fold("any", [residues.of_rule(r, {key: better}) for r in excluding])
            candidates += [s for s, _ in zip(exclusions.search({}, (off_worse, off_better), answered=True), range(8))]
        for solution in candidates:
            witness = _confirmed(rulebase, evaluator, solver, decide, key, solution, worse, better, approach,
                                 direction)
            if witness is not None:
                base, text = witness
                return finding("E312", f"question {question.id!r} is declared monotone {direction} for {approach!r}, "
                               f"but {text}", question.at, question.id, base)
    return None


def _confirmed(rulebase: Rulebase, evaluator: Evaluator, solver: Solver, decide: Decide, key: VarKey,
               solution: ClassChoice, worse: int, better: int, approach: str,
               direction: str) -> tuple[dict[str, object], str] | None:
    """Concrete answers for the solution under which the policy shows the approach worse off with the
    `worse` answer than with the `better` one; the answers (with the better one) and what happens."""
    space = solver.space

    def standing(outcome: PolicyOutcome) -> tuple[float, bool]:
        score = next(s.score for s in outcome.ranking if s.approach == approach)
        return score, any(e.approach == approach for e in outcome.excluded)

    rules = [r.id for r in rulebase.rules if any(
        isinstance(e, (Support, Oppose, Exclude)) and e.approach == approach for e in r.then)]
    wanted = {(r, side): fired for r in rules for side in (worse, better)
              if (fired := evaluator.fires(r, {**solution, key: side})) is not None}

    def constraint(assign: ClassChoice) -> bool | None:
        """The rules on the approach fire, with either answer, as they do under the solution."""
        undetermined = False
        for (rule_id, side), fired in wanted.items():
            now = evaluator.fires(rule_id, {**assign, key: side})
            if now is None:
                undetermined = True
            elif now != fired:
                return False
        return None if undetermined else True

    witness = solver.realise(solution, [constraint])
    if witness is None:
        return None
    value_worse, value_better = space.answer_value(key, worse), space.answer_value(key, better)
    with_better = {**witness, key[1]: value_better}
    (score_b, off_b), (score_w, off_w) = standing(decide(with_better)), standing(decide({**witness, key[1]: value_worse}))
    if not (off_w and not off_b) and not score_w < score_b:
        return None
    up = direction == "up"
    later, earlier = (value_worse, value_better) if up else (value_better, value_worse)
    shown = f"answering {key[1]}: {_show(later)} instead of {_show(earlier)}"
    if off_w and not off_b:
        happens = "excludes it" if up else "lifts its exclusion"
    else:
        scores = (score_b, score_w) if up else (score_w, score_b)
        happens = f"{'lowers' if up else 'raises'} its score from {scores[0]:g} to {scores[1]:g}"
    return with_better, f"{shown} {happens}, all other answers the same"


def _show(value: object) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


__all__ = ["monotone_findings"]
