"""Three-valued (Kleene) evaluation of a rulebase's conditions over the truth of each test.

The one place the product writes the condition language's three-valued semantics: a test is F,
U (it reads something still open) or T; `all` is the lowest truth of its parts (F decides at
once), `any` the highest (T decides at once), `not` swaps F and T; a conclusion has the highest
truth of the rules that conclude it (F when none does).  Counting (`decider.engine.completions`),
relevance (`decider.engine.relevance`) and the interview's WHY read rule truths from here.  The
rulebase verifier (`decider.lint`) keeps its own semantics on purpose, as an independent oracle.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from decider.engine.answer_classes import tests_on
from decider.engine.facts import known_values
from decider.engine.prepared import BuiltFrom, built, prepared
from decider.engine.reference import Check, compile_test
from decider.rulebase.answers import Answers
from decider.rulebase.logic import figure_questions
from decider.rulebase.model import UNKNOWN, AllOf, AnyOf, Concluded, Condition, NotOf, Rulebase, Test

F, U, T = 0, 1, 2
VarKey = tuple[str, str]
"""A variable: ("answer", question id) or ("figure", figure id), which tests read; the counting also
ties ("conclusion", id) variables to their producers."""
Truths = tuple[int, ...]
"""The truth of each test, by its position in `Conditions.tests`."""
Holds = Callable[[Truths, dict[str, int]], int]
"""A compiled condition: (test truths, conclusion truths) -> its truth."""


class Conditions(BuiltFrom):
    """Every test and every rule's condition of a rulebase, compiled once (`conditions_of`)."""

    def __init__(self, rulebase: Rulebase) -> None:
        super().__init__(rulebase)
        derived = prepared(rulebase)
        grouped = tests_on(rulebase)
        self.tests: list[Test] = [t for ts in grouped.values() for t in ts]
        """Every test of every rule, grouped by the variable it reads."""
        self.index = {id(t): i for i, t in enumerate(self.tests)}
        self.var_tests: dict[VarKey, tuple[int, ...]] = {k: tuple(self.index[id(t)] for t in ts) for k, ts in grouped.items()}
        """Each variable's tests, by position."""
        self.checks: list[Check] = [compile_test(t, t.subject == "figure" or t.ref in derived.numeric) for t in self.tests]
        """Each test as the reference evaluator decides it on known values."""
        self.figure_inputs = {f.id: frozenset(figure_questions(rulebase, f.id)) for f in rulebase.figures}
        """Each figure's input questions, through the figures it is computed from."""
        self.concludes: dict[int, tuple[str, ...]] = {i: derived.concludes[r.id] for i, r in enumerate(rulebase.rules)}
        self.producers: dict[str, list[int]] = {}
        """conclusion -> the rules that conclude it."""
        for i, concluded in self.concludes.items():
            for c in concluded:
                self.producers.setdefault(c, []).append(i)
        self.conclusions_read = {i: tuple(fid for kind, fid in derived.read[r.id] if kind == "conclusion")
                                 for i, r in enumerate(rulebase.rules)}
        self.holds: dict[int, Holds] = {i: self._compile(r.when) for i, r in enumerate(rulebase.rules)}
        self.order = self.ordered(range(len(rulebase.rules)))
        """Every rule, each after the producers of the conclusions it reads (a loaded rulebase has no
        conclusion cycles, so one pass in this order is the least fixpoint)."""

    def ordered(self, rules: Iterable[int]) -> list[int]:
        """`rules` and every rule whose conclusions they read, each after the producers it reads."""
        order: list[int] = []
        placed: set[int] = set()

        def place(i: int) -> None:
            if i in placed:
                return
            placed.add(i)
            for c in self.conclusions_read[i]:
                for p in self.producers.get(c, []):
                    place(p)
            order.append(i)

        for i in rules:
            place(i)
        return order

    def state(self, tv: Truths, order: Iterable[int] | None = None) -> tuple[dict[int, int], dict[str, int]]:
        """The truth of each rule in `order` (every rule by default) under `tv`, and of each conclusion
        they reach (a conclusion absent from the result is F: no rule concludes it)."""
        concluded: dict[str, int] = {}
        status: dict[int, int] = {}
        holds, concludes = self.holds, self.concludes
        for i in self.order if order is None else order:
            value = holds[i](tv, concluded)
            status[i] = value
            if value:
                for c in concludes[i]:
                    if concluded.get(c, F) < value:
                        concluded[c] = value
        return status, concluded

    def open_truths(self, answers: Answers) -> Truths:
        """Each test's truth for the answers, U for every test on a variable without a known value (a
        question unanswered or "not sure", a figure that cannot be computed for want of one)."""
        figures, values = known_values(self.rulebase, answers)
        tv = [F] * len(self.tests)
        for (subject, ref), indices in self.var_tests.items():
            if subject == "answer":
                is_open = answers.value(ref) is None
            else:
                is_open = figures.get(ref) is None and any(answers.value(q) is None for q in self.figure_inputs[ref])
            for i in indices:
                tv[i] = U if is_open else T if self.checks[i](values, set()) else F
        return tuple(tv)

    def seen_truths(self, question_id: str, value: object) -> tuple[int, ...]:
        """The truth of each test on the question (`var_tests` order) with `value` as its answer, as the
        engines see it: decided, "not sure" being no value at all."""
        tests = self.var_tests.get(("answer", question_id), ())
        answers = Answers({}) if value == UNKNOWN else Answers({question_id: value})
        _, values = known_values(self.rulebase, answers)
        return tuple(T if self.checks[i](values, set()) else F for i in tests)

    def _compile(self, condition: Condition) -> Holds:
        if isinstance(condition, Test):
            t = self.index[id(condition)]
            return lambda tv, cs: tv[t]
        if isinstance(condition, Concluded):
            c = condition.conclusion
            return lambda tv, cs: cs.get(c, F)
        if isinstance(condition, NotOf):
            inner = self._compile(condition.item)
            return lambda tv, cs: T - inner(tv, cs)
        parts = [self._compile(c) for c in condition.items]
        assert isinstance(condition, (AllOf, AnyOf))
        decisive, start, pick = (F, T, min) if isinstance(condition, AllOf) else (T, F, max)

        def combined(tv: Truths, cs: dict[str, int]) -> int:
            result = start
            for part in parts:
                value = part(tv, cs)
                if value == decisive:
                    return decisive
                result = pick(result, value)
            return result
        return combined


def conditions_of(rulebase: Rulebase) -> Conditions:
    """The (cached) compiled conditions of a rulebase."""
    return built(rulebase, Conditions)


__all__ = ["F", "T", "U", "Conditions", "Holds", "Truths", "VarKey", "conditions_of"]
