"""Which open answers could still change the recommendation: the interview's look-ahead.

The policy recommends the leader on the evidence given (`decider.policy.verdict`).  An open question
is worth asking while some answer to it would change that leader, alone or together with one answer
to a partner: another open question that a still undecided rule reads in the same condition (a case
written as "A and B" is found although neither answer alone decides it).  A figure counts as one
variable (its classes), so the inputs of a figure whose value could change the leader are worth
asking even though no single input decides it.  A figure with an input answered "not sure" is never
computed, but the counting behind the recommendation still reads its bounds (a product with a factor
of 0 is 0 whatever the other factor): where the bounds already decide a test, the look-ahead reads
them so; while answers to its other inputs could still make them decide one (`_may_be_bounded`),
those inputs are asked; otherwise they are not asked for its sake.  Deeper combinations (three answers
spread over several rules that together outweigh the leader) are not searched one by one; instead
`settled` counts every completion of the questions not yet asked, so the interview never ends while
some combination of their answers would still change the result.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product

from decider.engine.completions import WITNESS_TRIES, Completions, completions_of
from decider.engine.kleene import T, U, Truths, VarKey
from decider.engine.spans import monotone_in
from decider.engine.witness import depends_on, depends_through_wins
from decider.policy.verdict import leader
from decider.rulebase.answers import Answers
from decider.rulebase.model import Rulebase

MAX_BOUNDED_INPUTS = 4
"""A figure with more unasked inputs than this is assumed boundable (`_may_be_bounded` tries 2^n answers)."""
DEPENDENCE_SEARCH = 60
"""Nodes per search for a won completion whose winner changes with a variable's class (`bears_deeper`)."""


@dataclass(frozen=True)
class Lookahead:
    """The position of an interview: its leader now and the open variables that still bear on it."""

    model: Completions
    given: Truths
    current: str
    bearing: tuple[VarKey, ...]
    """Open variables read by a rule that weighs or excludes and is still undecided."""
    classes: dict[VarKey, tuple[int, ...]]
    """Each bearing variable's classes still consistent with the answers."""
    partners: dict[VarKey, tuple[VarKey, ...]]
    """For each bearing variable, the others that an undecided rule reads together with it."""
    unasked: Truths
    """Each test's truth with only the questions not yet asked left open: an answer "not sure" is
    final for the interview (it is not asked again), so its tests read as the engines see them."""

    def questions(self, key: VarKey) -> tuple[str, ...]:
        """The questions behind a variable: the question, or a figure's inputs."""
        return self.model.questions(key)

    def changes(self, key: VarKey) -> bool:
        """Some class of `key`, alone or with one class of a partner, changes the leader."""
        model = self.model
        for klass in self.classes[key]:
            once = model.fix(self.given, key, klass)
            if leader(model, once) != self.current:
                return True
            for other in self.partners[key]:
                for second in self.classes[other]:
                    if leader(model, model.fix(once, other, second)) != self.current:
                        return True
        return False

    def settled(self) -> bool:
        """Every completion of the questions not yet asked has the same winner: asking more cannot
        change the result, whatever the answers (exact, over every completion)."""
        return not self.model.split(self.unasked)

    def bears_deeper(self, key: VarKey) -> bool:
        """Over the completions of the unasked questions, which approach wins depends on `key`'s
        class.  The priors are independent, so an answer that never matters in any combination
        leaves the distribution of winners as it is; one that does (almost always) moves it.  Cheap
        answers first: a drawn completion of the others whose winner changes with the class
        (`decider.engine.witness.depends_on`); two classes after which different approaches can win at
        all (`Completions.wins_some`); no: the rules it feeds move no approach that can win
        (`moves_no_winner`); yes: a searched completion that a rarely winning approach wins with one
        class and loses with another (`decider.engine.witness.depends_through_wins`).  Only when none
        of these tells are the shares counted (`Completions.shares_differ`)."""
        model = self.model
        if depends_on(model, self.unasked, key, self.classes[key], WITNESS_TRIES):
            return True
        possible = {frozenset(a for a in model.approaches if model.wins_some(model.fix(self.unasked, key, klass), a))
                    for klass in self.classes[key]}
        if len(possible) > 1:
            return True
        if moves_no_winner(model, self.unasked, key, next(iter(possible))):
            return False
        rare_first = sorted(next(iter(possible)), key=lambda a: (a == self.current, model.approaches.index(a)))
        if depends_through_wins(model, self.unasked, key, self.classes[key], rare_first, DEPENDENCE_SEARCH):
            return True
        return model.shares_differ([model.fix(self.unasked, key, klass) for klass in self.classes[key]])

    def changing(self) -> tuple[VarKey, ...]:
        """Every bearing variable that `changes` the leader."""
        return tuple(key for key in self.bearing if self.changes(key))


def moves_no_winner(model: Completions, tv: Truths, key: VarKey, possible: frozenset[str]) -> bool:
    """Whether no completion's winner can change with `key`'s class: the rules still undecided that read
    it (through conclusions too) only weigh approaches that win no completion whatever its class, exclude
    nothing, and cannot change whether anything weighed.  Then, for one completion of the others, the
    winner with one class keeps its score and its eligibility with any other, and an approach that
    overtook it would win a completion of that class — which none of them does."""
    status = model.statuses(tv)
    moved: set[str] = set()
    weighs = False
    for i in model.deciding:
        if status[i] == U and key in model.reads[i]:
            support, oppose, excludes = model.effects[i]
            if excludes:
                return False
            moved.update(support, oppose)
            weighs = weighs or bool(support or oppose)
    if moved & possible:
        return False
    surely_weighed = any(status[i] == T and (model.effects[i][0] or model.effects[i][1]) for i in model.deciding)
    return surely_weighed or not weighs


def _may_be_bounded(rulebase: Rulebase, model: Completions, answers: Answers, key: VarKey) -> bool:
    """Whether answers to the figure's unasked inputs could decide one of its tests although an input is
    "not sure": its bounds (what the counting behind the recommendation reads) may still settle a
    comparison, as a product with a factor of 0 does.  Tried at every combination of the unasked
    inputs' lowest and highest answers, which is exact where the bounds move one way with each of them
    (`decider.engine.spans.monotone_in`); elsewhere the answers are assumed to decide one."""
    unasked = [q for q in model.questions(key) if q not in answers.root]
    if not unasked or len(unasked) > MAX_BOUNDED_INPUTS:
        return bool(unasked)  # nothing left to ask; or too many to try, so assume they could
    spans = model.input_spans(key[1], answers)
    if not all(monotone_in(model.figure_trees[key[1]], q, spans, model.figure_trees) for q in unasked):
        return True  # the extremes need not show every answer that decides a test: assume one does
    tests = [i for i in model.var_tests[key] if model.tests[i].op not in ("known", "unknown")]
    extremes = []
    for qid in unasked:
        question = rulebase.question_index[qid]
        low, high = getattr(question, "min", None), getattr(question, "max", None)
        extremes.append([v for v in (low, high) if v is not None])
    for values in product(*extremes):
        trial = answers
        for qid, value in zip(unasked, values):
            trial = trial.with_answer(qid, value)
        truths = dict(zip(model.var_tests[key], model.figure_truths(key, trial)))
        if any(truths[i] != U for i in tests):
            return True
    return False


def lookahead(rulebase: Rulebase, answers: Answers) -> Lookahead:
    """The look-ahead position for validated answers."""
    model = completions_of(rulebase)
    tv, _ = model.truths(answers)
    given = model.given(answers)
    # a question answered "not sure" will not be asked again: it stays as it is, no evidence; and a
    # figure with such an input stays unknown whatever the other inputs are
    unsure = {q for q in answers.root if answers.value(q) is None}
    held = {key for key in model.var_tests if unsure.intersection(model.questions(key))
            and not (key[0] == "figure" and _may_be_bounded(rulebase, model, answers, key))}
    bearing = tuple(key for key in model.bearing(tv) if key not in held)
    classes = {key: tuple(k for k, _ in model.consistent(tv, key)) for key in bearing}
    status = model.statuses(tv)
    together: dict[VarKey, set[VarKey]] = {key: set() for key in bearing}
    for i, truth in status.items():
        if truth == U:
            read = [key for key in model.direct[i] if key in together]
            for key in read:
                together[key].update(k for k in read if k != key)
    partners = {key: tuple(k for k in bearing if k in together[key]) for key in bearing}
    unasked = list(tv)
    for key in held:
        for i in model.var_tests[key]:
            # a held figure's bounds may already decide a test (a product with a factor of 0): the
            # counting behind the recommendation reads it so, and so does the look-ahead
            unasked[i] = tv[i] if key[0] == "figure" and tv[i] != U else given[i]
    return Lookahead(model=model, given=given, current=leader(model, given), bearing=bearing, classes=classes,
                     partners=partners, unasked=tuple(unasked))


__all__ = ["Lookahead", "lookahead"]
