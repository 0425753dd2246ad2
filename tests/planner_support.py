"""Helpers for the planner and interview tests: fixture rulebases and answer strategies."""

from __future__ import annotations

from itertools import product
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from decider.policy.outcome import decide
from decider.engine.reference import ReferenceEngine
from decider.interview.planner import answer_classes
from decider.rulebase.answers import Answers, validate_answers
from decider.rulebase.model import BooleanQuestion, ChoiceQuestion, NumberQuestion, Question, Rulebase

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "planner"
TINY = FIXTURES / "tiny"
STARTER = FIXTURES / "starter"


def values_of(rulebase: Rulebase, question: Question) -> st.SearchStrategy[Any]:
    """Any valid answer to the question: class representatives, "unknown", or anything in range."""
    representatives = st.sampled_from([c.answer for c in answer_classes(rulebase, question.id)])
    if isinstance(question, (BooleanQuestion, ChoiceQuestion)):
        return representatives
    if isinstance(question, NumberQuestion):
        anywhere = st.integers(int(question.min), int(question.max))
    else:
        anywhere = st.integers(question.min, question.max)
    return st.one_of(representatives, anywhere)


def partial_answers(rulebase: Rulebase) -> st.SearchStrategy[dict[str, Any]]:
    """Some questions answered (any valid value or "unknown"), the rest open."""
    return st.fixed_dictionaries({}, optional={q.id: values_of(rulebase, q) for q in rulebase.questions})


def primary(rulebase: Rulebase, answers: dict[str, Any]) -> str:
    """The primary recommendation by the reference engine and the policy."""
    checked: Answers = validate_answers(rulebase, answers)
    return decide(rulebase, checked, ReferenceEngine(rulebase).run(checked)).primary


def leader(rulebase: Rulebase, answers: dict[str, Any]) -> str:
    """The leader on the scores of the answers as given (an open answer adds nothing), by the reference
    engine: the highest score among approaches not excluded, equal scores going to the first in
    tie_break.  The test oracle of the planner's look-ahead."""
    checked: Answers = validate_answers(rulebase, answers)
    outcome = decide(rulebase, checked, ReferenceEngine(rulebase).run(checked))
    off = {e.approach for e in outcome.excluded}
    eligible = [s for s in outcome.ranking if s.approach not in off] or list(outcome.ranking)
    order = {a: i for i, a in enumerate(rulebase.policy.tie_break)}
    return min(eligible, key=lambda s: (-s.score, order.get(s.approach, len(order)))).approach


def witnesses(rulebase: Rulebase, answers: dict[str, Any], question: str, pairs: bool = True) -> bool:
    """Brute force: some class of `question` changes the leader alone, or (with `pairs`) together with
    one class of any other open question, or (for a figure input) with the classes of the figure's other
    open inputs.  With pairs this is a superset of the planner's partners (questions one rule reads)."""
    from decider.rulebase.logic import figure_questions as figure_inputs

    before = leader(rulebase, answers)
    open_ids = [q.id for q in rulebase.questions if q.id not in answers]
    classes = {q: [c.answer for c in answer_classes(rulebase, q)] for q in open_ids}
    mine = classes[question]
    if any(leader(rulebase, {**answers, question: v}) != before for v in mine):
        return True
    for other in open_ids if pairs else ():
        if other != question and any(leader(rulebase, {**answers, question: v, other: w}) != before
                                     for v in mine for w in classes[other]):
            return True
    for figure in rulebase.figures:
        inputs = sorted(figure_inputs(rulebase, figure.id))
        if question in inputs and all(answers.get(q, None) != "unknown" for q in inputs):
            todo = [q for q in inputs if q in classes]
            # a figure's class can need values between the extremes its inputs' classes offer
            # (a ratio is unknown at 0 and tiny at the maximum): try a spread of magnitudes too
            spread = {q: _magnitudes(rulebase.question_index[q]) + classes[q] for q in todo}
            for combo in product(*(spread[q] for q in todo)):
                if leader(rulebase, {**answers, **dict(zip(todo, combo))}) != before:
                    return True
    return False


def matters(rulebase: Rulebase, answers: dict[str, Any], question: str) -> bool:
    """Brute force over every completion of the open questions (their answer classes, and a spread of
    magnitudes for numbers): two completions that differ only in `question` have different leaders, or
    different recommendations (a figure's bounds can decide a test although an input is "not sure", and
    then the recommendation is not the evidence leader).  Exponential: for the small fixture rulebases only."""
    open_ids = [q.id for q in rulebase.questions if q.id not in answers]
    spread = {q: values_spread(rulebase, q) for q in open_ids}
    others = [q for q in open_ids if q != question]
    for combo in product(*(spread[q] for q in others)):
        rest = {**answers, **dict(zip(others, combo))}
        if len({leader(rulebase, {**rest, question: v}) for v in spread[question]}) > 1:
            return True
        if len({primary(rulebase, {**rest, question: v}) for v in spread[question]}) > 1:
            return True
    return False


def values_spread(rulebase: Rulebase, question: str) -> list[Any]:
    """A question's answer classes, and for a number a spread of magnitudes too (a figure's class can
    need values between the extremes its inputs' classes offer)."""
    return [c.answer for c in answer_classes(rulebase, question)] + _magnitudes(rulebase.question_index[question])


def _magnitudes(question: Question) -> list[Any]:
    """Values of a number question spread over its range by powers of ten (none for other kinds)."""
    if not isinstance(question, NumberQuestion):
        return []
    return [v for v in (1, 10, 100, 1000, 100000) if question.min <= v <= question.max]


def scenarios() -> list[tuple[str, dict[str, Any]]]:
    """Golden scenarios (examples/scenarios/*.yaml, `answers:` key) if present, else the example answers files."""
    import yaml

    folder = ROOT / "examples" / "scenarios"
    files = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
    if not files:
        files = sorted([*(ROOT / "examples").glob("*.yaml"), *(ROOT / "examples").glob("*.json")])
    found = []
    for path in files:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        answers = data.get("answers", {}) if "answers" in data else data
        found.append((path.stem, dict(answers or {})))
    return found


def reply_for(value: Any) -> str:
    """How a person types this answer in the plain mode (yes, no, not sure, a number, a choice id)."""
    from decider.reasoning.report import value_words

    return value_words(value)
