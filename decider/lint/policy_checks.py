"""Policy findings, exact over the answer space: ties the tie_break order decides, and gaps where
no rule weighs in and the default applies.

Only the rules that support or oppose something decide the scores.  `ScoreFrontier` finds every
score vector answers can produce without enumerating firing combinations (2^n for n rules) or
answer combinations: it branches on the question most of the still-open rules read, reduces each
rule to what is left of its condition (`residual`), lets settled rules add their weights, splits
the open rules into groups that share no question (each group's score changes are found
separately and added up), and memoises each group on its residues.  On a rulebase whose rules
meet in a few shared conclusions this looks at hundreds of states.  Each outcome reached (a tie
at the top, or nothing weighing in) is then realised with concrete answers and confirmed by the
reference evaluator and the policy; unsat is exact because the search over-approximates only
which figure classes numbers can reach (see `search`).
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Callable

from decider.policy.outcome import Outcome as PolicyOutcome
from decider.lint.answer_space import VarKey
from decider.lint.findings import Finding, finding
from decider.lint.formulas import ClassChoice, Evaluator
from decider.lint.logical import Tally
from decider.lint.residual import Residue, Residues
from decider.lint.only_open import OnlyOpen
from decider.lint.search import BudgetExceeded, Constraint, Decide, Solver
from decider.rulebase.model import Exclude, Oppose, Rulebase, Support
from decider.rulebase.numbers import to_micro

MAX_WORK = 1_000_000
"""Work (search states expanded plus score vectors combined) the tie check may do before it stops
and says so with W308: a few seconds, so a pathological rulebase is reported undecided rather than
linted for minutes."""
MAX_GAP_STATES = 200_000
"""Search states the gap check may visit before it says W308."""
CANDIDATES = 8
"""Abstract answers kept per outcome, tried in turn when figures make one unrealisable."""



class FrontierTooWide(Exception):
    """The score search visited more states than its limit."""


Reached = dict[tuple[tuple[int, ...], bool, frozenset[str]], ClassChoice]
"""Score changes in micro-units (one per approach, exact integers), whether any weighing rule fired,
and the approaches excluded, each with answer classes producing it."""


class ScoreFrontier:
    """Every score vector answers can produce, found by branching on questions, splitting rules
    that no longer share a question into independent groups, and memoising on what is left of them."""

    def __init__(self, rulebase: Rulebase, evaluator: Evaluator, solver: Solver, rules: list[str],
                 answered: bool = False) -> None:
        self.rulebase = rulebase
        self.answered = answered
        """Only answers that are known (every completion the policy counts is such a set of answers),
        and scores followed: a tie search.  Otherwise a gap search, which follows only whether any
        weighing rule fires."""
        self.evaluator = evaluator
        self.solver = solver
        self.rules = rules
        self.approaches = [a.id for a in rulebase.approaches]
        self.residues = Residues(evaluator)
        self.states = 0
        """Search states expanded."""
        self.work = 0
        """States expanded plus score vectors combined, held against the limit."""
        self._limit = MAX_WORK
        self._memo: dict[tuple[object, ...], Reached] = {}
        self._zero = tuple(0 for _ in self.approaches)
        self._linked = {k for f, ins in solver.figure_inputs().items() for k in (f, *ins)}

    def outcomes(self, limit: int = MAX_WORK) -> dict[tuple[str, ...], list[ClassChoice]]:
        """Up to CANDIDATES abstract assignments for each tie set (('',): nothing fires) answers reach."""
        self._limit = limit
        base = tuple(to_micro(self.rulebase.policy.baseline.get(a, 0)) for a in self.approaches)
        start: ClassChoice = {}
        residues = {r: self.residues.of_rule(r, start) for r in self.rules}
        reached = self._reach(start, residues)
        found: dict[tuple[str, ...], list[ClassChoice]] = {}
        for (delta, fired, off), assign in sorted(reached.items(), key=lambda item: (item[0][:2], sorted(item[0][2]))):
            tied = ("",) if not fired else self._tied(tuple(b + d for b, d in zip(base, delta)), off)
            if tied and len(found.setdefault(tied, [])) < CANDIDATES:
                found[tied].append(assign)
        return found

    def _reach(self, assign: ClassChoice, residues: dict[str, Residue]) -> Reached:
        """Score changes the rules in `residues` can still make, completing `assign`."""
        settled = self._settled(residues)
        open_rules: dict[str, Residue] = {r: res for r, res in residues.items() if not isinstance(res, bool)}
        groups = self._groups(open_rules)
        reached: Reached = {settled: {}}
        for group in groups:
            found = self._reach_group(assign, group)
            self._spend(len(reached) * len(found))
            reached = _combine(reached, found)
        return reached

    def _reach_group(self, assign: ClassChoice, residues: dict[str, Residue]) -> Reached:
        """Score changes one group of rules sharing questions can make: branch on its most read question."""
        reads: dict[VarKey, int] = {}
        for residue in residues.values():
            for key in self.residues.variables(residue):
                reads[key] = reads.get(key, 0) + 1
        linked = tuple(sorted((k, assign[k]) for k in self._linked if k in assign))
        memo_key = (tuple(sorted(residues.items(), key=lambda item: item[0])), linked)
        found = self._memo.get(memo_key)
        if found is not None:
            return found
        self.states += 1
        self._spend(1)
        declared = self.evaluator.ordered(frozenset(reads))
        key = min(declared, key=lambda k: -reads[k])
        result: Reached = {}
        for index in self.solver.branch_order(key, known=self.answered):
            extended = {**assign, key: index}
            if not self.solver.consistent(key, extended):
                continue
            below = self._reach(extended, {r: self.residues.assign(res, key, index) for r, res in residues.items()})
            self._spend(len(below))
            for outcome, witness in below.items():
                if outcome not in result:
                    result[outcome] = {key: index, **witness}
        self._memo[memo_key] = result
        return result

    def _spend(self, amount: int) -> None:
        self.work += amount
        if self.work > self._limit:
            raise FrontierTooWide(self.work)

    def _settled(self, residues: dict[str, Residue]) -> tuple[tuple[int, ...], bool, frozenset[str]]:
        """The score change, weighing and exclusions of the rules whose residue is a constant."""
        totals = list(self._zero)
        fired = False
        off: set[str] = set()
        for rule_id, residue in residues.items():
            if residue is not True:
                continue
            for effect in self.rulebase.rule_index[rule_id].then:
                if isinstance(effect, (Support, Oppose)):
                    fired = True
                    sign = 1 if isinstance(effect, Support) else -1
                    if self.answered:
                        totals[self.approaches.index(effect.approach)] += sign * to_micro(effect.weight)
                elif isinstance(effect, Exclude):
                    off.add(effect.approach)
        return tuple(t - totals[0] for t in totals), fired, frozenset(off)  # ties need only the differences

    def _tied(self, scores: tuple[int, ...], off: frozenset[str]) -> tuple[str, ...]:
        """The eligible approaches tied at the top (all of them when every one is excluded, as the
        policy does); () when one leads alone."""
        eligible = [(a, score) for a, score in zip(self.approaches, scores) if a not in off] or \
            list(zip(self.approaches, scores))
        top = max(score for _, score in eligible)
        tied = tuple(sorted(a for a, score in eligible if score == top))
        return tied if len(tied) > 1 else ()

    def _groups(self, residues: dict[str, Residue]) -> list[dict[str, Residue]]:
        """Rules split into groups that share no question (a figure counts with its inputs)."""
        owner: dict[VarKey, int] = {}
        parent: list[int] = []

        def find(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        names = list(residues)
        for i, rule_id in enumerate(names):
            parent.append(i)
            keys = set(self.residues.variables(residues[rule_id]))
            for key in list(keys):
                keys |= set(self.solver.figure_inputs().get(key, ()))
            for key in keys:
                if key in owner:
                    parent[find(i)] = find(owner[key])
                else:
                    owner[key] = i
        grouped: dict[int, dict[str, Residue]] = {}
        for i, rule_id in enumerate(names):
            grouped.setdefault(find(i), {})[rule_id] = residues[rule_id]
        return list(grouped.values())

def _combine(left: Reached, right: Reached) -> Reached:
    """Outcomes of two independent groups together: score changes add up, firing is either's."""
    result: Reached = {}
    for (delta_a, fired_a, off_a), witness_a in left.items():
        for (delta_b, fired_b, off_b), witness_b in right.items():
            outcome = (tuple(map(operator.add, delta_a, delta_b)), fired_a or fired_b, off_a | off_b)
            if outcome not in result:
                result[outcome] = {**witness_a, **witness_b}
    return result


def policy_findings(rulebase: Rulebase, evaluator: Evaluator, solver: Solver, decide: Decide, tally: Tally) -> list[Finding]:
    """Ties at the top (one finding per set of tied approaches) and a gap, each with a confirmed witness.

    A tie is looked for among known answers only: with answers open the policy counts completions,
    each of them a set of known answers, so every level score at the top its tie_break order breaks
    is one of these; and each witness is such a completion (figure inputs known too, see
    `Solver.realise`), so the policy discloses the very tie.  A gap (nothing weighs in) is looked
    for among all answers, open ones included."""
    weighing = [r.id for r in rulebase.rules if any(isinstance(e, (Support, Oppose)) for e in r.then)]
    if not weighing:
        return []
    deciding = [r.id for r in rulebase.rules if r.id in weighing or any(isinstance(e, Exclude) for e in r.then)]
    found = _gap(rulebase, evaluator, solver, decide, tally, weighing)
    frontier = ScoreFrontier(rulebase, evaluator, solver, deciding, answered=True)
    try:
        reached = frontier.outcomes()
    except FrontierTooWide:
        tally.notes.append(finding("W308", f"tie check stopped after {frontier.work} steps of work "
                                   f"({frontier.states} search states, limit {MAX_WORK:,}): not exhaustive",
                                   rulebase.policy.at, "policy"))
        return found
    finally:
        tally.count("score states", frontier.states)
    for tied in sorted(t for t in reached if t != ("",)):
        found += _finding(rulebase, evaluator, solver, deciding, decide, tally, tied, reached[tied], True)
    return found


def _gap(rulebase: Rulebase, evaluator: Evaluator, solver: Solver, decide: Decide, tally: Tally,
         weighing: list[str]) -> list[Finding]:
    """W306: answers (open ones included) under which no weighing rule fires, found by the residue
    search of E311 asked for every weighing rule to fail."""
    residues = Residues(evaluator)
    parts = (True, *(residues.of_rule(r, {}) for r in weighing))
    outer, started = solver.step_limit, solver.steps
    solver.step_limit = started + MAX_GAP_STATES
    try:
        candidates = list(itertools.islice(OnlyOpen(solver, residues).search({}, parts), CANDIDATES))
    except BudgetExceeded:
        return [finding("W308", f"gap check is undecided: it visited more than {MAX_GAP_STATES:,} search states",
                        rulebase.policy.at, "policy")]
    finally:
        solver.step_limit = outer
        tally.count("gap states", solver.steps - started)
    if not candidates:
        return []
    return _finding(rulebase, evaluator, solver, weighing, decide, tally, ("",), candidates, False)


def _finding(rulebase: Rulebase, evaluator: Evaluator, solver: Solver, rules: list[str], decide: Decide,
             tally: Tally, tied: tuple[str, ...], candidates: list[ClassChoice], answered: bool) -> list[Finding]:
    """The W305 or W306 finding for one outcome the frontier reached, once answers confirm it."""
    witness = _realise(evaluator, solver, rules, candidates, lambda w: _confirms(decide(w), tied), answered)
    if witness is None:
        tally.notes.append(finding("W308", f"answers that would {_words(tied)} need figure values "
                                   "no concrete numbers were found for", rulebase.policy.at, "policy"))
        return []
    if tied == ("",):
        return [finding("W306", "no rule supports or opposes any approach for these answers, so the default "
                        f"{rulebase.policy.default!r} applies", rulebase.policy.at, "policy", witness)]
    result = decide(witness)
    score = next(s.score for s in result.ranking if s.approach == result.primary)
    return [finding("W305", f"approaches {', '.join(tied)} tie at score {score:g}; the policy's tie_break order "
                    f"picks {result.primary!r}", rulebase.policy.at, "policy", witness)]


def _realise(evaluator: Evaluator, solver: Solver, weighing: list[str], candidates: list[ClassChoice],
             confirm: Callable[[dict[str, object]], bool], answered: bool) -> dict[str, object] | None:
    """Concrete answers for one of the candidates (the same rules firing), confirmed; else a search
    for any answers with one of the candidates' firing sets, within the solver's step budget."""
    for solution in candidates:
        constraints = _firing_as_in(evaluator, weighing, solution)
        witness = solver.realise(solution, constraints, known=answered)
        if witness is not None and confirm(witness):
            return witness
    for solution in candidates:
        constraints = _firing_as_in(evaluator, weighing, solution)
        keys = frozenset().union(*(evaluator.rule_support(r) for r in weighing))
        outcome = solver.check(constraints, keys, confirm, known=answered)
        if outcome.status == "sat":
            return outcome.witness
    return None


def _firing_as_in(evaluator: Evaluator, weighing: list[str], solution: ClassChoice) -> list[Constraint]:
    """Each weighing rule fires exactly as it does under the solution."""
    return [_fires_as(evaluator, r, bool(evaluator.fires(r, solution))) for r in weighing]


def _confirms(outcome: PolicyOutcome, tied: tuple[str, ...]) -> bool:
    """The reference evaluator and the policy agree: the same approaches level with the primary (the
    tie the report discloses and the tie_break order decides), or the default applied."""
    if tied == ("",):
        return outcome.defaulted
    return not outcome.defaulted and tuple(sorted((outcome.primary, *outcome.tied))) == tied


def _words(tied: tuple[str, ...]) -> str:
    return "leave the default to apply" if tied == ("",) else f"tie {', '.join(tied)}"


def _fires_as(evaluator: Evaluator, rule_id: str, wanted: bool) -> Constraint:
    def constraint(assign: ClassChoice) -> bool | None:
        value = evaluator.fires(rule_id, assign)
        return None if value is None else value == wanted
    return constraint


__all__ = ["policy_findings"]
