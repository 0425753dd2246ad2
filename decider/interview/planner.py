"""The interview planner: which question still matters, WHY it is asked, and what would change the result.

A question is worth asking while some answer to it, alone or with one answer to a question the same
undecided rule reads, would change the recommendation (`decider.interview.lookahead`, a look-ahead
through the policy's own scoring); the highest-priority such question is asked next.  When none
does but some combination of the unasked answers still would (the result is not settled, counted
exactly over their completions), the highest-priority question on whose answer the winner over
those completions depends is asked: the interview never ends while an unasked answer could change
the result.  WHY's rule statuses come from three-valued evaluation (`decider.engine.kleene`), with
every question not answered yet, or answered "not sure", open.  Nothing here is specific to one rulebase.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from itertools import combinations, product
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from decider.engine.completions import completions_of
from decider.engine.answer_classes import ValueClass, question_classes
from decider.engine.kleene import F, T, U, VarKey, conditions_of
from decider.interview.lookahead import Lookahead, lookahead
from decider.policy.verdict import choose, primaries_after, primary_of
from decider.rulebase.answers import AnswerValue, Answers, validate_answers
from decider.rulebase.logic import references
from decider.rulebase.model import UNKNOWN, NumberQuestion, Question, Rulebase, ScaleQuestion


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class RuleUse(Frozen):
    """A rule that reads the question (directly or through a figure), and where it stands now."""

    rule: str
    title: str
    because: str
    cite: tuple[str, ...]
    status: Literal["fired", "open", "ruled out"]


class OpenConclusion(Frozen):
    """A conclusion that the remaining answers may still establish or rule out."""

    id: str
    title: str
    kind: str


class AnswerOutcome(Frozen):
    """What one possible answer leads to: the recommendation if the interview stopped right after
    it, and every recommendation still possible once it is given."""

    answer: AnswerValue
    label: str
    leads_to: str
    leads_to_title: str
    still_possible: tuple[str, ...]


class WhyAnswer(Frozen):
    """WHY is this question asked: the rules using it, open conclusions, and each answer's effect."""

    question: str
    text: str
    relevant: bool
    rules: tuple[RuleUse, ...]
    open_conclusions: tuple[OpenConclusion, ...]
    outcomes: tuple[AnswerOutcome, ...]
    possible: tuple[str, ...]


class AnswerChange(Frozen):
    """One changed answer."""

    question: str
    text: str
    before: AnswerValue
    after: AnswerValue
    label: str


class WhatIfChange(Frozen):
    """A smallest set of changed answers that changes the recommendation, and to what."""

    changes: tuple[AnswerChange, ...]
    primary: str
    title: str


class WhatIf(Frozen):
    """The current recommendation and the smallest answer changes (one, else two) that would change it."""

    primary: str
    title: str
    changes: tuple[WhatIfChange, ...]


class Progress(Frozen):
    """An honest progress report for an adaptive interview."""

    answered: int
    remaining_at_most: int
    settled: bool


# ----------------------------------------------------------------------------- relevance


def checked(rulebase: Rulebase, answers: Mapping[str, Any] | Answers) -> Answers:
    """Answers validated against the rulebase (already validated Answers pass through)."""
    return answers if isinstance(answers, Answers) else validate_answers(rulebase, answers)


def possible_primaries(rulebase: Rulebase, answers: Mapping[str, Any] | Answers) -> tuple[str, ...]:
    """Every primary recommendation some completion of the open questions can produce (those that win
    a completion, and the primary itself)."""
    answers = checked(rulebase, answers)
    model = completions_of(rulebase)
    tv, _ = model.truths(answers)
    # a witness (drawn or searched for) shows an approach possible without counting; the count, once
    # needed, is remembered for the other approaches
    found = {a for a in model.approaches if model.wins_some(tv, a)} | {choose(model, tv, model.evidence(model.given(answers)))}
    return tuple(a.id for a in rulebase.approaches if a.id in found)


def is_settled(rulebase: Rulebase, answers: Mapping[str, Any] | Answers) -> bool:
    """True when no open question is worth asking: no answers to the questions not yet asked would
    change the recommendation (`decider.interview.lookahead`)."""
    return next_question(rulebase, answers) is None


def is_relevant(rulebase: Rulebase, answers: Mapping[str, Any] | Answers, question_id: str) -> bool:
    """True when the question is open and its answer could change the recommendation (see `relevant_questions`)."""
    answers = checked(rulebase, answers)
    if question_id in answers.root:
        return False
    position = lookahead(rulebase, answers)
    behind, candidates = _candidates(rulebase, answers, position)
    mine = behind.get(question_id)
    if mine is None:
        return False
    # membership in `_ranked`'s list, tier by tier, testing this question's variables first (so the
    # costly `bears_deeper` runs on the others only when this one does not pass it)
    others = [q for q in candidates if q.id != question_id]
    for test, first_only in _tiers(position):
        if first_only:
            first = _behind_a(test, candidates, behind, first_only=True)
            return bool(first) and first[0].id == question_id
        if any(test(key) for key in mine):
            return True
        if _behind_a(test, others, behind, first_only=True):
            return False
    return False


def relevant_questions(rulebase: Rulebase, answers: Mapping[str, Any] | Answers) -> tuple[str, ...]:
    """The open questions worth asking, in asking order (priority, then declaration): those with an
    answer that changes the leader alone or with a partner's; when there are none but the result is
    not settled, those on whose answer the winner over the unasked completions depends."""
    answers = checked(rulebase, answers)
    position = lookahead(rulebase, answers)
    return tuple(q.id for q in _ranked(rulebase, answers, position, first_only=False))


def next_question(rulebase: Rulebase, answers: Mapping[str, Any] | Answers) -> Question | None:
    """The next question worth asking (the first of `relevant_questions`), or None once settled."""
    answers = checked(rulebase, answers)
    return next(iter(_ranked(rulebase, answers, lookahead(rulebase, answers), first_only=True)), None)


def progress(rulebase: Rulebase, answers: Mapping[str, Any] | Answers) -> Progress:
    """Answered so far and at most how many questions may still be asked: the open questions behind
    a variable that still bears on a score (only these can ever become worth asking)."""
    answers = checked(rulebase, answers)
    position = lookahead(rulebase, answers)
    bound = {q for key in position.bearing for q in position.questions(key) if q not in answers.root}
    settled = not _ranked(rulebase, answers, position, first_only=True)
    return Progress(answered=len(answers.root), remaining_at_most=0 if settled else len(bound), settled=settled)


def _ranked(rulebase: Rulebase, answers: Answers, position: Lookahead, first_only: bool) -> list[Question]:
    """The relevant questions in asking order (only the first with `first_only`): those behind a
    variable that passes the first of the `_tiers` any candidate passes."""
    behind, candidates = _candidates(rulebase, answers, position)
    for test, only_first in _tiers(position):
        found = _behind_a(test, candidates, behind, first_only or only_first)
        if found:
            return found
    return []


def _tiers(position: Lookahead) -> Iterator[tuple[Callable[[VarKey], bool], bool]]:
    """The ranking's tiers in order, each a test of a variable and whether only the first question
    passing it counts: variables that change the leader (`Lookahead.changes`); then, unless the result
    is settled, those the winner depends on deeper (`Lookahead.bears_deeper`); then, as a last resort, the first question behind any bearing variable.  A
    question is relevant in the first tier some candidate passes (`_ranked`, `is_relevant`)."""
    yield position.changes, False
    if position.settled():
        return
    yield position.bears_deeper, False
    yield (lambda key: True), True


def _candidates(rulebase: Rulebase, answers: Answers, position: Lookahead) -> tuple[dict[str, list[VarKey]], list[Question]]:
    """The unasked questions behind a bearing variable (with those variables), and them in asking order."""
    behind: dict[str, list[VarKey]] = {}
    for key in position.bearing:
        for qid in position.questions(key):
            if qid not in answers.root:
                behind.setdefault(qid, []).append(key)
    return behind, [q for q in asking_order(rulebase) if q.id in behind]


def _behind_a(test: Callable[[VarKey], bool], candidates: list[Question], behind: dict[str, list[VarKey]],
              first_only: bool) -> list[Question]:
    """The candidates behind a variable passing `test`, each variable tested at most once and only as
    far as the asking order needs."""
    decided: dict[VarKey, bool] = {}
    found = []
    for question in candidates:
        for key in behind[question.id]:
            if key not in decided:
                decided[key] = test(key)
        if any(decided[key] for key in behind[question.id]):
            found.append(question)
            if first_only:
                break
    return found


def asking_order(rulebase: Rulebase) -> list[Question]:
    """Questions by declared priority (higher first), then declaration order."""
    return sorted(rulebase.questions, key=lambda q: -q.priority)


def answer_classes(rulebase: Rulebase, question_id: str) -> list[ValueClass]:
    """The distinct kinds of answer a question can get, as far as the rules can tell them apart."""
    conditions = conditions_of(rulebase)
    question = rulebase.question_index[question_id]
    tests = conditions.var_tests.get(("answer", question_id))
    if tests is not None:
        return question_classes(question, [conditions.tests[i] for i in tests])
    found = question_classes(question, [])
    if isinstance(question, (NumberQuestion, ScaleQuestion)) and any(
            question_id in inputs for inputs in conditions.figure_inputs.values()):
        low, high = question.min, question.max
        found = [ValueClass(low, None, f"{low:,} (lowest)"), ValueClass(high, None, f"{high:,} (highest)"), found[-1]]
    return found


def why(rulebase: Rulebase, answers: Mapping[str, Any] | Answers, question_id: str) -> WhyAnswer:
    """WHY is `question_id` asked: the rules that use it, the open conclusions, and what each answer leads to."""
    answers = checked(rulebase, answers)
    question = rulebase.question_index[question_id]
    base = answers.without(question_id)
    conditions = conditions_of(rulebase)
    status, concluded = conditions.state(conditions.open_truths(base))
    figures = {fid for fid, inputs in conditions.figure_inputs.items() if question_id in inputs}
    uses = []
    for i, rule in enumerate(rulebase.rules):
        read = {(r.kind, r.id) for r in references(rule.when)}
        if ("answer", question_id) in read or any(("figure", f) in read for f in figures):
            uses.append(RuleUse(rule=rule.id, title=rule.title or rule.id, because=rule.because, cite=rule.cite,
                                status={T: "fired", U: "open", F: "ruled out"}[status[i]]))
    open_conclusions = tuple(
        OpenConclusion(id=c.id, title=c.title, kind=c.kind) for c in rulebase.conclusions if concluded.get(c.id) == U)
    outcomes = []
    for value in answer_classes(rulebase, question_id):
        given = base.with_answer(question_id, value.answer)
        primary = primary_of(rulebase, given)
        outcomes.append(AnswerOutcome(answer=value.answer, label=value.label, leads_to=primary,
                                      leads_to_title=rulebase.approach_index[primary].title,
                                      still_possible=possible_primaries(rulebase, given)))
    return WhyAnswer(question=question_id, text=question.text, relevant=is_relevant(rulebase, base, question_id),
                     rules=tuple(uses), open_conclusions=open_conclusions, outcomes=tuple(outcomes),
                     possible=possible_primaries(rulebase, base))


# ----------------------------------------------------------------------------- what-if


def what_if(rulebase: Rulebase, answers: Mapping[str, Any] | Answers) -> WhatIf:
    """The smallest changes of answers (one, or two when no single change does it) that change the primary."""
    answers = checked(rulebase, answers)
    current = primary_of(rulebase, answers)
    options = {q.id: _alternatives(rulebase, answers, q.id) for q in rulebase.questions}
    options = {qid: values for qid, values in options.items() if values}
    singles = [((qid, value),) for qid, values in options.items() for value in values]
    found = _flips(rulebase, answers, current, singles)
    if not found:
        pairs = [((a, va), (b, vb)) for a, b in combinations(options, 2) for va, vb in product(options[a], options[b])]
        found = _flips(rulebase, answers, current, pairs)
    return WhatIf(primary=current, title=rulebase.approach_index[current].title, changes=tuple(found))


def _alternatives(rulebase: Rulebase, answers: Answers, question_id: str) -> list[ValueClass]:
    """The answer classes other than the one the current answer falls in: the first with the same truth
    on every test of the question (every class when the rules read it only through a figure)."""
    classes = answer_classes(rulebase, question_id)
    given = answers.root.get(question_id, UNKNOWN)
    conditions = conditions_of(rulebase)
    tests = conditions.var_tests.get(("answer", question_id))
    if tests is None:
        return [c for c in classes if c.answer != given]
    mine = conditions.seen_truths(question_id, given)
    rows = [conditions.seen_truths(question_id, c.answer) for c in classes]
    own = rows.index(mine) if mine in rows else -1
    return [c for i, c in enumerate(classes) if i != own]


def _flips(rulebase: Rulebase, answers: Answers, current: str,
           candidates: Sequence[tuple[tuple[str, ValueClass], ...]]) -> list[WhatIfChange]:
    found = []
    primaries = primaries_after(rulebase, answers, [tuple((qid, value.answer) for qid, value in change)
                                                    for change in candidates])
    for change, primary in zip(candidates, primaries):
        if primary != current:
            found.append(WhatIfChange(
                changes=tuple(AnswerChange(question=qid, text=rulebase.question_index[qid].text,
                                           before=answers.root.get(qid, UNKNOWN), after=value.answer, label=value.label)
                              for qid, value in change),
                primary=primary, title=rulebase.approach_index[primary].title))
    return found


__all__ = [
    "AnswerChange", "AnswerOutcome", "OpenConclusion", "Progress", "RuleUse", "WhatIf", "WhatIfChange", "WhyAnswer",
    "answer_classes", "asking_order", "is_relevant", "is_settled", "next_question", "possible_primaries", "progress",
    "relevant_questions", "what_if", "why",
]
