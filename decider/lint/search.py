"""Exact satisfiability over value classes, and turning a solution into a concrete, confirmed witness.

The search branches only on the variables the constraints depend on, each time on the one with
the fewest classes no constraint rules out (so two rules that need one figure in disjoint classes
fail at once, whatever else they read), and prunes as soon as a constraint is decided false, so a
pairwise check looks at a handful of questions whatever the size of the rulebase.  Figures are computed from number answers; the
search treats a figure's class as free except that a figure is unknown whenever one of its
inputs is, which over-approximates what answers can reach.  So "no solution" is exact (sound),
and every solution is realised with concrete numbers and re-checked before it counts: a
solution no concrete answers realise leaves the check undecided, never reported as a defect.
Each check also has a step budget, so a pathological rulebase makes lint say "undecided"
rather than run for minutes.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from decider.engine.evaluation import Evaluation
from decider.lint.answer_space import AnswerSpace, VarKey
from decider.lint.formulas import ClassChoice, Evaluator
from decider.rulebase.answers import Answers, compute_figures
from decider.rulebase.model import UNKNOWN, Rulebase
from decider.policy.outcome import Outcome as PolicyOutcome
from decider.rulebase.numbers import plain

Constraint = Callable[[ClassChoice], "bool | None"]
"""Holds (True), fails (False) or is not yet decided (None) under a partial assignment."""
Confirm = Callable[[dict[str, object]], bool]
"""Re-checks a concrete witness with an independent evaluator."""

MAX_SOLUTIONS = 64
"""Abstract solutions tried for realisation before a check is called undecided."""
MAX_CHECK_STEPS = 20_000
"""Search steps one check may take; past them it is undecided (and says so) rather than slow."""
MAX_REALISATIONS = 4096
"""Concrete number combinations tried per abstract solution (figures only)."""
Run = Callable[[dict[str, object]], Evaluation]
"""Runs the reference evaluator on concrete answers (what the checks confirm a witness with)."""
Decide = Callable[[dict[str, object]], PolicyOutcome]
"""Runs the reference evaluator and the policy on concrete answers."""


@dataclass(frozen=True)
class CheckResult:
    """What a check found: a confirmed witness, a proof that there is none, or neither."""

    status: Literal["sat", "unsat", "undecided"]
    witness: dict[str, object] | None = None
    rejected: dict[str, object] | None = None
    """A witness the analysis accepted but the independent check rejected (a bug, never expected)."""
    reason: Literal["", "budget", "figures"] = ""
    """Why a check is undecided: its search ran past its step budget, or no numbers realised its figures."""


class BudgetExceeded(Exception):
    """A search ran past the step limit its caller set."""


class Solver:
    """Searches one rulebase's answer space."""

    def __init__(self, rulebase: Rulebase, space: AnswerSpace, evaluator: Evaluator) -> None:
        self.rulebase = rulebase
        self.space = space
        self.evaluator = evaluator
        self.steps = 0
        """Search steps taken so far (all checks)."""
        self.step_limit: int | None = None
        """When set, a search past this many steps raises BudgetExceeded."""
        self._fitting: dict[tuple[object, ...], list[tuple[object, ...]]] = {}
        """Input values found to put figures in given classes, tried first next time."""
        self._inputs = {("figure", f): tuple(("answer", q) for q in qs) for f, qs in space.figure_inputs.items()}

    # ------------------------------------------------------------------ abstract search

    def solutions(self, constraints: list[Constraint], variables: list[VarKey],
                  start: ClassChoice | None = None, known: bool = False) -> Iterator[ClassChoice]:
        """Partial assignments (over `variables`, extending `start`) under which every constraint holds
        (`known`: completions only, see `branch_order`)."""
        assign: ClassChoice = dict(start or {})

        def step() -> Iterator[ClassChoice]:
            self.step()
            undecided = False
            for constraint in constraints:
                result = constraint(assign)
                if result is False:
                    return
                if result is None:
                    undecided = True
            if not undecided:
                yield dict(assign)
                return
            choice = self._most_constrained(constraints, variables, assign, known)
            if choice is None:
                return
            key, viable = choice
            for index in viable:
                assign[key] = index
                yield from step()
                del assign[key]

        yield from step()

    def step(self) -> None:
        """Count one search step against the current limit."""
        self.steps += 1
        if self.step_limit is not None and self.steps > self.step_limit:
            raise BudgetExceeded(self.steps)

    def _most_constrained(self, constraints: list[Constraint], variables: list[VarKey],
                          assign: ClassChoice, known: bool = False) -> tuple[VarKey, list[int]] | None:
        """The unassigned variable with the fewest classes no constraint rules out, and those classes
        (None when some variable has none left: the branch is dead).

        Looking one step ahead this way finds contradictions between constraints at once (a figure
        that one rule needs unknown and another needs known), where a fixed order would enumerate
        every other question first; it only reorders the search, so the result stays exact."""
        best: tuple[VarKey, list[int]] | None = None
        for key in variables:
            if key in assign:
                continue
            viable = []
            for index in self.branch_order(key, known):
                assign[key] = index
                if self.consistent(key, assign) and not any(c(assign) is False for c in constraints):
                    viable.append(index)
                del assign[key]
            if not viable:
                return None
            if best is None or len(viable) < len(best[1]):
                best = (key, viable)
                if len(viable) == 1:
                    break
        return best

    def branch_order(self, key: VarKey, known: bool = False) -> list[int]:
        """Classes in the order to try: figures try "unknown" first (so witnesses need no made-up
        numbers when none matter), then ranges, then single points (hardest to realise).

        `known`: the search is over completions (every answer known, as the policy counts them):
        answers skip "unknown", and a figure, unknown only when its known inputs leave it undefined
        (a zero divisor, a value past the limit), tries that class last."""
        classes = self.space.classes[key]
        if key[0] != "figure":
            return [i for i in range(len(classes)) if not (known and classes[i].unknown)]
        return sorted(range(len(classes)), key=lambda i: (classes[i].unknown == known, classes[i].low == classes[i].high))

    def consistent(self, key: VarKey, assign: ClassChoice) -> bool:
        """A figure is unknown whenever one of its inputs is unknown."""
        figures = [key] if key[0] == "figure" else [f for f, ins in self._inputs.items() if key in ins and f in assign]
        for figure in figures:
            if self.space.classes[figure][assign[figure]].unknown:
                continue
            if any(i in assign and self.space.classes[i][assign[i]].unknown for i in self._inputs[figure]):
                return False
        return True

    def figure_inputs(self) -> dict[VarKey, tuple[VarKey, ...]]:
        """The questions each figure is computed from, as variables."""
        return self._inputs

    def variables(self, keys: set[VarKey] | frozenset[VarKey]) -> list[VarKey]:
        return self.evaluator.ordered(keys)

    # ------------------------------------------------------------------ checks

    def check(self, constraints: list[Constraint], keys: set[VarKey] | frozenset[VarKey],
              confirm: Confirm | None = None, solutions: Iterator[ClassChoice] | None = None,
              budget: int = MAX_CHECK_STEPS, known: bool = False) -> CheckResult:
        """A confirmed concrete witness for the constraints, or unsat, or undecided.

        `solutions` replaces the generic search by a specialised one (it must yield exactly the
        partial assignments under which the constraints can hold, and count its steps here).
        `known`: witnesses are completions (see `realise`)."""
        tried = 0
        rejected = None
        outer = self.step_limit
        own = self.steps + budget
        self.step_limit = own if outer is None else min(outer, own)
        try:
            found = self.solutions(constraints, self.variables(keys), known=known) if solutions is None else solutions
            for solution in found:
                witness = self.realise(solution, constraints, known)
                if witness is not None:
                    if confirm is None or confirm(witness):
                        return CheckResult("sat", witness)
                    rejected = witness
                tried += 1
                if tried >= MAX_SOLUTIONS:
                    break
        except BudgetExceeded:
            if outer is not None and self.steps > outer:
                raise
            return CheckResult("undecided", rejected=rejected, reason="budget")
        finally:
            self.step_limit = outer
        return CheckResult("undecided", rejected=rejected, reason="figures") if tried else CheckResult("unsat")

    # ------------------------------------------------------------------ concrete witnesses

    def realise(self, solution: ClassChoice, constraints: list[Constraint], known: bool = False) -> dict[str, object] | None:
        """Concrete answers in the solution's classes whose full classification satisfies every constraint.

        `known`: the witness must be a completion as the policy counts them — every figure the
        solution fixes is computed from known inputs, an unknown one included (left open, an input
        would make the figure range over its classes)."""
        solution = self.minimise(solution, constraints)
        base: dict[str, object] = {}
        for key, index in solution.items():
            if key[0] == "answer":
                base[key[1]] = self.space.answer_value(key, index)
        figures = [k for k in solution if k[0] == "figure"]
        inputs = self.evaluator.ordered({i for f in figures for i in self._inputs[f]})
        choices: list[list[object]] = []
        for key in inputs:
            needed_known = any((known or not self.space.classes[f][solution[f]].unknown) and key in self._inputs[f]
                               for f in figures)
            if key in solution:
                cls = self.space.classes[key][solution[key]]
                options: list[object] = [UNKNOWN] if cls.unknown else [plain(v) for v in cls.samples()]
            else:
                options = [] if needed_known else [UNKNOWN]
                options += [plain(v) for c in self.space.classes[key] for v in c.samples()]
            choices.append(options)
        wanted = tuple((f, solution[f]) for f in figures)
        remembered = self._fitting.setdefault((wanted, tuple(inputs), tuple(map(tuple, choices))), [])
        candidates = itertools.chain(list(remembered), itertools.islice(itertools.product(*choices), MAX_REALISATIONS))
        for combination in candidates:
            if wanted and not self._figures_fit(wanted, inputs, combination):
                continue
            if combination not in remembered:
                remembered.append(combination)
            answers = {**base, **{key[1]: value for key, value in zip(inputs, combination)}}
            full = self.classify(answers)
            if all(constraint(full) for constraint in constraints):
                return {q.id: answers[q.id] for q in self.rulebase.questions
                        if q.id in answers and (answers[q.id] != UNKNOWN or ("answer", q.id) in solution)}
        return None

    def _figures_fit(self, wanted: tuple[tuple[VarKey, int], ...], inputs: list[VarKey],
                     combination: tuple[object, ...]) -> bool:
        """Whether these input values put every wanted figure in its class (a cheap first filter)."""
        values = compute_figures(self.rulebase, Answers({k[1]: v for k, v in zip(inputs, combination)}))
        return all(self.space.classify(f, None if values.get(f[1]) is None else Decimal(values[f[1]])) == index  # type: ignore[arg-type]
                   for f, index in wanted)

    def minimise(self, solution: ClassChoice, constraints: list[Constraint]) -> ClassChoice:
        """Leave out every variable the constraints hold without (unanswered reads as unknown)."""
        kept = dict(solution)
        for key in reversed(list(solution)):
            trial = {k: v for k, v in kept.items() if k != key}
            if all(constraint(trial) for constraint in constraints):
                kept = trial
        return kept

    def classify(self, answers: dict[str, object]) -> ClassChoice:
        """The full assignment of concrete answers (figures computed as the engines compute them)."""
        known = Answers({k: v for k, v in answers.items()})
        full: ClassChoice = {}
        for question in self.rulebase.questions:
            key = ("answer", question.id)
            full[key] = self.space.classify(key, answers.get(question.id))
        for figure_id, value in compute_figures(self.rulebase, known).items():
            key = ("figure", figure_id)
            full[key] = self.space.classify(key, value if value is None else Decimal(value))
        return full
