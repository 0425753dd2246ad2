"""Logical findings about rules, exact over the answer space: unreachable, redundant, conflicting
rules, and conclusions that cannot influence the recommendation.

Pairwise checks look only at pairs whose effects make the question meaningful (opposite pushes,
an effect subset, the same risk), and each search branches only on the questions the pair
depends on, so the work grows with the number of such pairs, not with the answer space.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from decider.lint.findings import Finding, finding
from decider.lint.formulas import ClassChoice, Evaluator
from decider.lint.search import MAX_CHECK_STEPS, CheckResult, Constraint, Run, Solver
from decider.rulebase.logic import decides, read_facts
from decider.rulebase.model import Flag, Oppose, Rule, Rulebase, Support



@dataclass
class Tally:
    """Checks run by kind and how many ended undecided."""

    checks: dict[str, int] = field(default_factory=dict)
    notes: list[Finding] = field(default_factory=list)
    """Findings about the checks themselves (undecided, analysis mismatch)."""

    def count(self, kind: str, n: int = 1) -> None:
        self.checks[kind] = self.checks.get(kind, 0) + n


class RuleChecks:
    """The per-rule and pairwise checks over one rulebase."""

    def __init__(self, rulebase: Rulebase, evaluator: Evaluator, solver: Solver, run: Run, tally: Tally) -> None:
        self.rulebase = rulebase
        self.evaluator = evaluator
        self.solver = solver
        self.run = run
        self.tally = tally

    def fires(self, rule_id: str, wanted: bool = True) -> Constraint:
        def constraint(assign: ClassChoice) -> bool | None:
            value = self.evaluator.fires(rule_id, assign)
            return None if value is None else value == wanted
        return constraint

    def confirmed(self, *rules: tuple[str, bool]) -> Callable[[dict[str, object]], bool]:
        """A witness check by the reference evaluator: each rule fired (or not) as wanted."""
        def confirm(witness: dict[str, object]) -> bool:
            fired = self.run(witness).fired()
            return all((rid in fired) == wanted for rid, wanted in rules)
        return confirm

    def solve(self, kind: str, rule: Rule, constraints: list[Constraint], rules: tuple[str, ...],
              confirm: Callable[[dict[str, object]], bool] | None) -> CheckResult:
        keys = frozenset().union(*(self.evaluator.rule_support(r) for r in rules))
        outcome = self.solver.check(constraints, keys, confirm)
        self.tally.count(kind)
        if outcome.rejected is not None:
            self.tally.notes.append(finding(
                "E902", f"{kind} check of {', '.join(rules)}: the reference evaluator rejects the analysis' witness",
                rule.at, rule.id, outcome.rejected, rules=rules))
        elif outcome.status == "undecided":
            self.tally.notes.append(undecided(kind, rules, outcome, rule))
        return outcome

    # ------------------------------------------------------------------ checks

    def unreachable(self) -> tuple[list[Finding], set[str]]:
        """Rules whose condition no answers satisfy; returns the findings and the reachable rule ids."""
        found, reachable = [], set()
        for rule in self.rulebase.rules:
            outcome = self.solve("reachability", rule, [self.fires(rule.id)], (rule.id,), self.confirmed((rule.id, True)))
            if outcome.status == "unsat":
                found.append(finding("E301", f"rule {rule.id!r} can never fire: no answers make its condition hold",
                                     rule.at, rule.id, rules=(rule.id,)))
            else:
                reachable.add(rule.id)
        return found, reachable

    def redundant(self, reachable: set[str]) -> list[Finding]:
        """Rule A is redundant when B has all of A's effects and fires whenever A fires."""
        found = []
        rules = [r for r in self.rulebase.rules if r.id in reachable]
        reported: set[frozenset[str]] = set()
        for a in rules:
            for b in rules:
                if a.id == b.id or not set(a.then) <= set(b.then) or frozenset((a.id, b.id)) in reported:
                    continue
                outcome = self.solve("subsumption", a, [self.fires(a.id), self.fires(b.id, False)], (a.id, b.id),
                                     self.confirmed((a.id, True), (b.id, False)))
                if outcome.status != "unsat":
                    continue
                reported.add(frozenset((a.id, b.id)))
                weighted = any(isinstance(e, (Support, Oppose)) for e in a.then)
                detail = "its weights count twice" if weighted else "it adds nothing"
                found.append(finding("E302" if weighted else "W302",
                                     f"rule {a.id!r} is subsumed by {b.id!r}: whenever it fires, {b.id!r} fires "
                                     f"with all its effects, so {detail}", a.at, a.id, rules=(a.id, b.id)))
        return found

    def conflicts(self, reachable: set[str]) -> list[Finding]:
        """Pairs that can fire together and push one approach both ways, or flag one risk at two severities."""
        found = []
        rules = [r for r in self.rulebase.rules if r.id in reachable]
        for i, a in enumerate(rules):
            for b in rules[i:]:
                clash = _clash(a, b)
                if clash is None:
                    continue
                code, what = clash
                pair = (a.id,) if a.id == b.id else (a.id, b.id)
                outcome = self.solve("conflict", b, [self.fires(r) for r in pair], pair,
                                     self.confirmed(*((r, True) for r in pair)))
                if outcome.status == "sat":
                    who = f"rule {a.id!r}" if a.id == b.id else f"rules {a.id!r} and {b.id!r}"
                    found.append(finding(code, f"{who} can fire together and {what}", b.at, b.id, outcome.witness,
                                         rules=pair))
        return found

    def influence(self, reachable: set[str]) -> list[Finding]:
        """Conclusions that rules read but whose value never changes whether a weighing rule fires."""
        found = []
        weighing = [r for r in self.rulebase.rules if r.id in reachable and decides(r)]
        for conclusion in self.rulebase.conclusions:
            if conclusion.kind == "risk" or not any(("conclusion", conclusion.id) in read_facts(r) for r in self.rulebase.rules):
                continue
            readers = [r for r in weighing if self._reads(r, conclusion.id)]
            influences = False
            for rule in readers:
                flips = self._flips(rule.id, conclusion.id)
                keys = self.evaluator.rule_support(rule.id)
                outcome = self.solver.check([flips], keys)
                self.tally.count("influence")
                if outcome.status == "undecided":
                    self.tally.notes.append(undecided("influence", (conclusion.id, rule.id), outcome, rule))
                if outcome.status != "unsat":
                    influences = True
                    break
            if not influences:
                found.append(finding("W307", f"{conclusion.kind} {conclusion.id!r} can never change which rules support "
                                     "or oppose an approach", conclusion.at, conclusion.id))
        return found

    def _reads(self, rule: Rule, conclusion: str, seen: set[str] | None = None) -> bool:
        seen = set() if seen is None else seen
        for kind, fid in read_facts(rule):
            if kind != "conclusion" or fid in seen:
                continue
            if fid == conclusion:
                return True
            seen.add(fid)
            if any(self._reads(p, conclusion, seen) for p in self.evaluator.producers.get(fid, [])):
                return True
        return False

    def _flips(self, rule_id: str, conclusion: str) -> Constraint:
        def constraint(assign: ClassChoice) -> bool | None:
            yes = self.evaluator.fires(rule_id, assign, ((conclusion, True),))
            no = self.evaluator.fires(rule_id, assign, ((conclusion, False),))
            return None if yes is None or no is None else yes != no
        return constraint


def undecided(kind: str, subjects: tuple[str, ...], outcome: CheckResult, rule: Rule, bound: int = MAX_CHECK_STEPS) -> Finding:
    """A W308 note: which check could not be decided, and why (with the bound it ran into)."""
    why = (f"its search ran past its budget of {bound:,} steps" if outcome.reason == "budget"
           else "its candidate answers need figure values no concrete numbers were found for")
    return finding("W308", f"{kind} check of {', '.join(subjects)} is undecided: {why}", rule.at, rule.id)


def _clash(a: Rule, b: Rule) -> tuple[str, str] | None:
    """Why two rules firing together would be a conflict (code, words), or None."""
    for x, y in ((a, b), (b, a)):
        for effect in x.then:
            if isinstance(effect, Support) and any(isinstance(o, Oppose) and o.approach == effect.approach for o in y.then):
                return "W303", f"both support and oppose approach {effect.approach!r}"
    if a.id != b.id:
        for effect in a.then:
            if isinstance(effect, Flag):
                for other in b.then:
                    if isinstance(other, Flag) and other.risk == effect.risk and other.severity != effect.severity:
                        return "W304", f"flag risk {effect.risk!r} as both {effect.severity} and {other.severity}"
    return None
