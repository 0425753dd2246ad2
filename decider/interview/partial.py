"""Three-valued evaluation of a rulebase on partial answers, and the primaries it still allows.

Every test gets a truth value: FALSE, MAYBE (it reads something still open) or TRUE; rules and
conclusions follow (stratum by stratum, least fixpoint), and the policy's scores get pairwise
bounds.  The result over-approximates: every primary a completion of the open answers can
produce is among the candidates, and with nothing open the candidates are exactly the primary.
Test outcomes come from the reference evaluator itself (per value class), so semantics agree.
Longer than most modules: the model, its three-valued propagation and the score bounds are one
algorithm over one compiled table; the planner asks them together.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import combinations

from decider.engine.facts import engine_values
from decider.engine.prepared import BuiltFrom, built
from decider.engine.reference import ReferenceEngine
from decider.interview.value_classes import ValueClass, figure_classes, figure_inputs, question_classes, tests_on
from decider.rulebase.answers import Answers, compute_figures
from decider.rulebase.logic import concluded_by, references
from decider.rulebase.model import UNKNOWN, AllOf, AnyOf, Concluded, Condition, Exclude, NotOf, Oppose, Rule, Rulebase, Support, Test
from decider.rulebase.numbers import to_micro

FALSE, MAYBE, TRUE = 0, 1, 2

VarKey = tuple[str, str]
"""('answer', question id) or ('figure', figure id): something the tests read."""

Status = Callable[[list[int], dict[str, int]], int]
Depends = Callable[[list[int], set[int], dict[str, int], set[str]], bool]
"""(truths, tests that read the variable, conclusion statuses, conclusions that depend on it) -> depends?"""


@dataclass
class CompiledRule:
    """A rule reduced to what the planner needs: its condition, conclusions and score effects."""

    index: int
    id: str
    holds: Status
    concludes: tuple[str, ...]
    weighs: bool
    effect: dict[str, int]
    """Net micro-unit effect on each approach's score (support − oppose)."""
    excludes: tuple[str, ...] = ()
    """Approaches the rule takes off the table."""
    depends: "Depends | None" = None
    """Whether the rule's status can change with one variable, the others held fixed."""
    reads: frozenset[VarKey] = field(default_factory=frozenset)
    """Variables the rule depends on, through the conclusions it reads too."""


class PartialModel(BuiltFrom):
    """A rulebase compiled for three-valued evaluation; build once per rulebase (see `model_for`)."""

    def __init__(self, rulebase: Rulebase) -> None:
        super().__init__(rulebase)
        self.engine = ReferenceEngine(rulebase)
        grouped = tests_on(rulebase)
        self.tests: list[Test] = [t for ts in grouped.values() for t in ts]
        self.test_index: dict[int, int] = {id(t): i for i, t in enumerate(self.tests)}
        self.tests_of: dict[VarKey, list[int]] = {key: [self.test_index[id(t)] for t in ts] for key, ts in grouped.items()}
        self.classes: dict[VarKey, list[ValueClass]] = {}
        for (subject, ref), tests in grouped.items():
            if subject == "answer":
                self.classes[(subject, ref)] = question_classes(rulebase.question_index[ref], tests)
            else:
                self.classes[(subject, ref)] = figure_classes(tests)
        self.table: dict[VarKey, list[list[bool]]] = {
            key: [[self._truth(self.tests[t], key, c) for c in classes] for t in self.tests_of[key]]
            for key, classes in self.classes.items()
        }
        self.inputs: dict[str, set[str]] = {f.id: figure_inputs(rulebase, f.id) for f in rulebase.figures}
        self.approaches = [a.id for a in rulebase.approaches]
        policy = rulebase.policy
        self.default = policy.default
        self.tie = {a: i for i, a in enumerate(policy.tie_break)}
        self.base = {a: to_micro(policy.baseline.get(a, 0)) for a in self.approaches}
        self.rules = [self._compile(i, r) for i, r in enumerate(rulebase.rules)]
        by_id = {r.id: r for r in self.rules}
        self.layers = [self._in_order([by_id[r.id] for r in layer]) for layer in self.engine.layers]
        self.weighing = [r for r in self.rules if r.weighs]
        self.excluding = [r for r in self.rules if r.excludes]
        self._link_reads()
        self._situations: dict[frozenset[object], Situation] = {}
        self._lock = threading.Lock()

    # ----------------------------------------------------------------------------- building

    def _truth(self, test: Test, key: VarKey, value: ValueClass) -> bool:
        values = {} if value.engine is None else {key: value.engine}
        return self.engine.holds(test, values, set())

    def _compile(self, index: int, rule: Rule) -> CompiledRule:
        effect = {a: 0 for a in self.approaches}
        weighs = False
        for e in rule.then:
            if isinstance(e, Support):
                effect[e.approach] += to_micro(e.weight)
                weighs = True
            elif isinstance(e, Oppose):
                effect[e.approach] -= to_micro(e.weight)
                weighs = True
        return CompiledRule(index=index, id=rule.id, holds=self._condition(rule.when),
                            concludes=tuple(concluded_by(rule)), weighs=weighs, effect=effect,
                            excludes=tuple(e.approach for e in rule.then if isinstance(e, Exclude)),
                            depends=self._dependency(rule.when))

    def _condition(self, condition: Condition) -> Status:
        if isinstance(condition, Test):
            t = self.test_index[id(condition)]
            return lambda tv, cs: tv[t]
        if isinstance(condition, Concluded):
            c = condition.conclusion
            return lambda tv, cs: cs.get(c, FALSE)
        if isinstance(condition, NotOf):
            inner = self._condition(condition.item)
            return lambda tv, cs: TRUE - inner(tv, cs)
        parts = [self._condition(c) for c in condition.items]
        assert isinstance(condition, (AllOf, AnyOf))
        # all: FALSE decides, else the lowest; any: TRUE decides, else the highest (Kleene logic)
        decisive, start = (FALSE, TRUE) if isinstance(condition, AllOf) else (TRUE, FALSE)
        pick = min if isinstance(condition, AllOf) else max

        def combined(tv: list[int], cs: dict[str, int]) -> int:
            result = start
            for part in parts:
                value = part(tv, cs)
                if value == decisive:
                    return decisive
                result = pick(result, value)
            return result
        return combined

    def _dependency(self, condition: Condition) -> Depends:
        """Sound dependency: False only if the condition's value is the same for every value of the variable."""
        if isinstance(condition, Test):
            t = self.test_index[id(condition)]
            return lambda tv, dt, cs, cd: t in dt
        if isinstance(condition, Concluded):
            c = condition.conclusion
            return lambda tv, dt, cs, cd: c in cd
        if isinstance(condition, NotOf):
            return self._dependency(condition.item)
        pairs = [(self._condition(c), self._dependency(c)) for c in condition.items]
        decisive = FALSE if isinstance(condition, AllOf) else TRUE

        def depends(tv: list[int], dt: set[int], cs: dict[str, int], cd: set[str]) -> bool:
            dependent = False
            for value, dep in pairs:
                if dep(tv, dt, cs, cd):
                    dependent = True
                elif value(tv, cs) == decisive:
                    return False  # an item that decides the whole regardless of the variable
            return dependent
        return depends

    def dependent_rules(self, tv: list[int], status: list[int], key: VarKey) -> set[int]:
        """Indices of the rules whose outcome can change with `key` while everything else stays fixed."""
        dt = set(self.tests_of.get(key, ()))
        concluded: dict[str, int] = {}
        for rule in self.rules:
            for c in rule.concludes:
                concluded[c] = max(concluded.get(c, FALSE), status[rule.index])
        dependent: set[int] = set()
        dep_conclusions: set[str] = set()
        changed = True
        while changed:  # only MAYBE things can depend on an open variable; definite ones hold for all its values
            changed = False
            for rule in self.rules:
                if rule.index not in dependent and status[rule.index] == MAYBE and rule.depends(tv, dt, concluded, dep_conclusions):  # type: ignore[misc]
                    dependent.add(rule.index)
                    changed = True
                    dep_conclusions.update(c for c in rule.concludes if concluded.get(c) == MAYBE)
        return dependent

    def _in_order(self, layer: list[CompiledRule]) -> tuple[list[CompiledRule], bool]:
        """The layer's rules with producers before the rules reading their conclusions, and whether
        that order is complete (no cycle), so that one pass reaches the fixpoint."""
        needs = {r.id: {x.id for x in references(self.rulebase.rule_index[r.id].when) if x.kind == "conclusion"}
                 for r in layer}
        producers: dict[str, set[str]] = {}
        for rule in layer:
            for c in rule.concludes:
                producers.setdefault(c, set()).add(rule.id)
        pending = {r.id: {p for c in needs[r.id] for p in producers.get(c, ())} for r in layer}
        ordered: list[CompiledRule] = []
        placed: set[str] = set()
        progress = True
        while progress:
            progress = False
            for rule in layer:
                if rule.id not in placed and pending[rule.id] <= placed:
                    ordered.append(rule)
                    placed.add(rule.id)
                    progress = True
        if len(ordered) < len(layer):
            return layer, False
        return ordered, True

    def _link_reads(self) -> None:
        producers: dict[str, list[CompiledRule]] = {}
        for rule in self.rules:
            for c in rule.concludes:
                producers.setdefault(c, []).append(rule)
        direct: dict[str, set[VarKey]] = {}
        needs: dict[str, set[str]] = {}
        for rule, source in zip(self.rules, self.rulebase.rules):
            direct[rule.id] = {(r.kind, r.id) for r in references(source.when) if r.kind != "conclusion"}
            needs[rule.id] = {r.id for r in references(source.when) if r.kind == "conclusion"}
        done: dict[str, frozenset[VarKey]] = {}

        def reads(rule: CompiledRule, stack: frozenset[str]) -> frozenset[VarKey]:
            if rule.id in done:
                return done[rule.id]
            found = set(direct[rule.id])
            for c in needs[rule.id]:
                for producer in producers.get(c, []):
                    if producer.id not in stack:
                        found |= reads(producer, stack | {producer.id})
            done[rule.id] = frozenset(found)
            return done[rule.id]

        for rule in self.rules:
            rule.reads = reads(rule, frozenset({rule.id}))

    # ----------------------------------------------------------------------------- situations

    def situation(self, answers: Answers) -> "Situation":
        """The situation for these answers, cached (an interview revisits the same states often)."""
        key = frozenset((k, (type(v).__name__, v)) for k, v in answers.root.items())
        with self._lock:
            found = self._situations.pop(key, None)
        if found is None:
            found = self._situation(answers)
        with self._lock:  # least recently used first; keep the last 64
            self._situations[key] = found
            while len(self._situations) > 64:
                self._situations.pop(next(iter(self._situations)))
        return found

    def forget(self) -> None:
        """Drop the cached situations (for cold measurements)."""
        self._situations.clear()

    def _situation(self, answers: Answers) -> "Situation":
        """Fixed test truths for what is answered; the rest becomes open variables.  A "not sure" answer
        is open too: the policy ranges over what it could turn out to be (rules/README.md)."""
        answered = {k for k, v in answers.root.items() if v != UNKNOWN}
        values = engine_values(self.rulebase, answers, compute_figures(self.rulebase, answers))
        fixed: list[int | None] = [None] * len(self.tests)
        open_vars: list[VarKey] = []
        for key, indices in self.tests_of.items():
            subject, ref = key
            known = ref in answered if subject == "answer" else self.inputs[ref] <= answered
            if known:
                for t in indices:
                    fixed[t] = TRUE if self.engine.holds(self.tests[t], values, set()) else FALSE
            else:
                open_vars.append(key)
        return Situation(self, fixed, open_vars)

    # ----------------------------------------------------------------------------- evaluation

    def statuses(self, tv: list[int]) -> list[int]:
        """Three-valued status of every rule (least fixpoint, stratum by stratum)."""
        status = [FALSE] * len(self.rules)
        concluded: dict[str, int] = {}
        for layer, acyclic in self.layers:
            changed = True
            while changed:
                changed = False
                for rule in layer:
                    value = rule.holds(tv, concluded)
                    if value > status[rule.index]:
                        status[rule.index] = value
                        changed = True
                        for c in rule.concludes:
                            if concluded.get(c, FALSE) < value:
                                concluded[c] = value
                if acyclic:
                    break  # every rule came after the producers it reads: one pass is the fixpoint
        return status

    def impact_counts(self, target: str, cands: set[str], status: list[int]) -> dict[VarKey, int]:
        """How much each open variable's undecided rules could move `target` against its rivals."""
        active = [(r.effect, status[r.index]) for r in self.weighing if status[r.index] != FALSE]
        rivals = sorted((a for a in cands if a != target), key=lambda x: self._best_margin(target, x, active))
        closest = rivals[0] if rivals else target  # the rival nearest to ruling the target out: settle it first
        counts: dict[VarKey, int] = {}
        for rule in self.rules:
            if status[rule.index] != MAYBE:
                continue
            weight = (1 + 100 * abs(rule.effect[target] - rule.effect[closest])
                      + sum(abs(rule.effect[target] - rule.effect[x]) for x in rivals)) if rule.weighs else 1
            for key in rule.reads:
                counts[key] = counts.get(key, 0) + weight
        return counts

    def conclusion_statuses(self, tv: list[int]) -> dict[str, int]:
        status = self.statuses(tv)
        found: dict[str, int] = {}
        for rule in self.rules:
            for c in rule.concludes:
                found[c] = max(found.get(c, FALSE), status[rule.index])
        return found

    def candidates(self, status: list[int]) -> set[str]:
        """Every winner some world consistent with the statuses could produce (exact when none is MAYBE).

        Excluded approaches cannot win; an approach that may be excluded cannot block another.  When
        every approach may be excluded at once (a lint error), exclusions are ignored, as the policy does."""
        surely: set[str] = set()
        maybe: set[str] = set()
        for rule in self.excluding:
            if status[rule.index] == TRUE:
                surely.update(rule.excludes)
            if status[rule.index] != FALSE:
                maybe.update(rule.excludes)
        if maybe >= set(self.approaches):
            return self._winners(status, set(), set()) | self._winners(status, surely if surely < set(self.approaches) else set(), maybe)
        return self._winners(status, surely, maybe)

    def _winners(self, status: list[int], surely: set[str], maybe: set[str]) -> set[str]:
        weighed = max((status[r.index] for r in self.weighing), default=FALSE)
        found: set[str] = set()
        if weighed < TRUE and self.default not in surely:
            found.add(self.default)
        if weighed == FALSE and self.default not in maybe:
            return found
        active = [(r.effect, status[r.index]) for r in self.weighing if status[r.index] != FALSE]
        for p in self.approaches:
            if p not in surely and all(x in maybe or self._may_beat(p, x, active) for x in self.approaches if x != p):
                found.add(p)
        return found

    def _may_beat(self, p: str, x: str, active: list[tuple[dict[str, int], int]]) -> bool:
        high = self._best_margin(p, x, active)
        return high > 0 or (high == 0 and self.tie[p] < self.tie[x])

    def _best_margin(self, p: str, x: str, active: list[tuple[dict[str, int], int]]) -> int:
        """The most p's score can exceed x's, given the rules still able to fire."""
        high = self.base[p] - self.base[x]
        for effect, st in active:
            diff = effect[p] - effect[x]
            if st == TRUE or diff > 0:
                high += diff
        return high


Assignment = dict[VarKey, int]


class Situation:
    """Partial answers seen by the planner: fixed truths plus open variables with value classes."""

    def __init__(self, model: PartialModel, fixed: list[int | None], open_vars: list[VarKey]) -> None:
        self.model = model
        self.fixed = fixed
        self.open_vars = open_vars
        self._memo: dict[frozenset[tuple[VarKey, int]], tuple[list[int], set[str]]] = {}
        self._matters: dict[VarKey, bool] = {}
        self._possible: dict[int, set[str]] = {}

    def truths(self, assignment: Assignment) -> list[int]:
        tv = [MAYBE if v is None else v for v in self.fixed]
        for key, index in assignment.items():
            for row, t in zip(self.model.table[key], self.model.tests_of[key]):
                tv[t] = TRUE if row[index] else FALSE
        return tv

    def evaluate(self, assignment: Assignment) -> tuple[list[int], set[str]]:
        memo_key = frozenset(assignment.items())
        found = self._memo.get(memo_key)
        if found is None:
            if len(self._memo) > 20_000:  # bound memory; results that matter are cached above this
                self._memo.clear()
            status = self.model.statuses(self.truths(assignment))
            found = self._memo[memo_key] = (status, self.model.candidates(status))
        return found

    def sample_worlds(self, count: int) -> list[Assignment]:
        """Complete assignments to try first: everything "not sure", then seeded random ones."""
        classes = self.model.classes
        worlds = [{key: len(classes[key]) - 1 for key in self.open_vars}]
        rng = random.Random(len(self.open_vars))
        worlds += [{key: rng.randrange(len(classes[key])) for key in self.open_vars} for _ in range(count)]
        return worlds

    def branch_var(self, status: list[int], assignment: Assignment, exclude: VarKey | None = None) -> VarKey | None:
        """The open variable most undecided rules depend on (None when no undecided rule reads one)."""
        counts: dict[VarKey, int] = {}
        for rule in self.model.rules:
            if status[rule.index] == MAYBE:
                weight = 100 if exclude in rule.reads else 1  # first settle the rules the variable feeds
                for key in rule.reads:
                    counts[key] = counts.get(key, 0) + weight
        best: VarKey | None = None
        for key in self.open_vars:
            if key in assignment or key == exclude or key not in counts:
                continue
            if best is None or counts[key] > counts[best]:
                best = key
        return best

    def may_swing(self, assignment: Assignment, status: list[int], cands: set[str], key: VarKey) -> bool:
        """False when changing `key` provably cannot change the primary anywhere in this part of the space.

        Only rules that depend on `key` change with it; for two approaches to swap places, the rest of
        the score difference must lie within what those rules can add or take away."""
        model = self.model
        dependent = model.dependent_rules(self.truths(assignment), status, key)
        if any(r.index in dependent for r in model.excluding):
            return True  # eligibility may hang on `key`
        weighing = [r for r in model.weighing if r.index in dependent]
        if not weighing:
            return False
        if not any(status[r.index] == TRUE for r in model.weighing):
            return True  # whether any rule weighs (and so the default applies) may hang on `key`
        for a, b in combinations(sorted(cands), 2):
            rest_low = rest_high = model.base[a] - model.base[b]
            for rule in model.weighing:
                if rule.index in dependent or status[rule.index] == FALSE:
                    continue
                diff = rule.effect[a] - rule.effect[b]
                if status[rule.index] == TRUE:
                    rest_low += diff
                    rest_high += diff
                elif diff > 0:
                    rest_high += diff
                else:
                    rest_low += diff
            swing_low = sum(min(0, r.effect[a] - r.effect[b]) for r in weighing)
            swing_high = sum(max(0, r.effect[a] - r.effect[b]) for r in weighing)
            if swing_low == swing_high == 0:
                continue  # `key` cannot move a and b relative to each other
            if rest_low <= -swing_low and rest_high >= -swing_high:
                return True  # the rest can sit where the dependent rules decide between a and b
        return False

    def possible_primaries(self, limit: int = 0) -> set[str]:
        """Primaries some completion can produce (stops early once `limit` are found, when given)."""
        if limit not in self._possible and 0 not in self._possible:
            self._possible[limit] = self._possible_primaries(limit)
        return set(self._possible.get(0, self._possible.get(limit, set())))

    def _possible_primaries(self, limit: int) -> set[str]:
        """Exact: each candidate of the whole space is either witnessed or refuted by its own search."""
        found: set[str] = set()
        order = sorted(self.evaluate({})[1], key=lambda a: self.model.approaches.index(a))
        for target in order:
            if target not in found:
                self._can_win(target, {}, found)
            if limit and len(found) >= limit:
                break
        return found

    def _can_win(self, target: str, assignment: Assignment, found: set[str]) -> bool:
        """True when some completion of `assignment` makes `target` primary (every exact winner seen joins `found`)."""
        status, cands = self.evaluate(assignment)
        if len(cands) == 1:
            found.update(cands)
        if target not in cands:
            return False
        if cands == {target}:
            return True
        counts = self.model.impact_counts(target, cands, status)
        key = max((v for v in self.open_vars if v in counts and v not in assignment), key=lambda v: counts[v], default=None)
        assert key is not None, "with no undecided variable the candidates are exact"
        children = [{**assignment, key: i} for i in range(len(self.model.classes[key]))]
        children.sort(key=lambda child: self._promise(target, child))  # most promising first: witnesses come early
        return any(self._can_win(target, child, found) for child in children)

    def _promise(self, target: str, assignment: Assignment) -> tuple[int, int, int]:
        """Sort key: branches where the target is still possible, with the best worst-rival margin, first."""
        status, cands = self.evaluate(assignment)
        if target not in cands:
            return (1, 0, 0)
        active = [(r.effect, status[r.index]) for r in self.model.weighing if status[r.index] != FALSE]
        worst = min((self.model._best_margin(target, x, active) for x in cands if x != target), default=0)
        return (0, -worst, len(cands))

    def var_matters(self, key: VarKey) -> bool:
        """True when some world of the other open variables has two classes of `key` giving different primaries."""
        if key not in self._matters:
            self._matters[key] = self._var_matters(key)
        return self._matters[key]

    def _var_matters(self, key: VarKey) -> bool:
        if key not in self.open_vars:
            return False
        classes = range(len(self.model.classes[key]))
        status, cands = self.evaluate({})
        if len(cands) <= 1 or not self.may_swing({}, status, cands, key):
            return False  # provably irrelevant everywhere: no need to look for a witness
        for world in self.sample_worlds(48):  # a quick witness settles most relevant questions (cheaper than search)
            if len(set().union(*(self.evaluate({**world, key: i})[1] for i in classes))) > 1:
                return True

        def search(assignment: Assignment) -> bool:
            status, cands = self.evaluate(assignment)
            if len(cands) <= 1 or not self.may_swing(assignment, status, cands, key):
                return False
            per_class = [self.evaluate({**assignment, key: i})[1] for i in range(len(self.model.classes[key]))]
            if len(set().union(*per_class)) <= 1:
                return False
            if any(not (a & b) for a, b in combinations(per_class, 2)):
                return True  # two answers whose possible outcomes are disjoint differ in every world
            other = self.branch_var(status, assignment, exclude=key)
            if other is None:
                return False  # nothing else undecided: the per-class candidates were exact and all equal
            return any(search({**assignment, other: i}) for i in range(len(self.model.classes[other])))

        return search({})


def model_for(rulebase: Rulebase) -> PartialModel:
    """The compiled model of a rulebase, built once and kept with its other derived data (`prepared`,
    which starts afresh after fork, so no lock held at fork() is inherited)."""
    return built(rulebase, PartialModel)


__all__ = ["FALSE", "MAYBE", "TRUE", "PartialModel", "Situation", "VarKey", "model_for"]
