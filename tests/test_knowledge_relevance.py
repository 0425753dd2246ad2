"""Confidence counts only the unknowns that still matter: three-valued relevance of unknown answers."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from decider import consult, load_rulebase
from decider.policy.outcome import decide
from decider.engine.reference import ReferenceEngine
from decider.engine.relevance import open_unknowns
from decider.rulebase.answers import Answers, validate_answers
from decider.rulebase.logic import references
from decider.rulebase.model import BooleanQuestion, ChoiceQuestion, NumberQuestion, Question, Rulebase, ScaleQuestion

from conftest import FIXTURES

SHIPPED = load_rulebase()
FIXTURE = load_rulebase(FIXTURES / "relevance")


def test_a_follow_up_to_a_closed_gate_is_settled() -> None:
    closed = validate_answers(FIXTURE, {"gate": False})
    assert open_unknowns(FIXTURE, closed) == {"volume", "price"}
    opened = validate_answers(FIXTURE, {"gate": True})
    assert open_unknowns(FIXTURE, opened) == {"detail", "volume", "price"}
    unknown = validate_answers(FIXTURE, {})
    assert open_unknowns(FIXTURE, unknown) == {"gate", "detail", "volume", "price", "unused_when_gate_no"}


def test_a_figure_with_all_inputs_known_is_settled_even_when_it_has_no_value() -> None:
    answers = validate_answers(FIXTURE, {"gate": False, "volume": 10, "price": 0})
    assert open_unknowns(FIXTURE, answers) == frozenset()
    half = validate_answers(FIXTURE, {"gate": False, "volume": 10})
    assert open_unknowns(FIXTURE, half) == {"price"}


def test_settled_unknowns_do_not_lower_confidence() -> None:
    closed = consult(FIXTURE, {"gate": False, "volume": 1, "price": 1}, engine="reference")
    assert closed.trace.result.unknown_share == 0
    gate_unknown = consult(FIXTURE, {"volume": 1, "price": 1}, engine="reference")
    assert gate_unknown.trace.result.unknown_share > 0
    assert gate_unknown.recommendation.confidence < closed.recommendation.confidence


def test_all_unknown_leaves_every_question_open_in_the_shipped_rulebase() -> None:
    answers = validate_answers(SHIPPED, {})
    read = {ref.id for rule in SHIPPED.rules for ref in references(rule.when) if ref.kind == "answer"}
    assert read <= open_unknowns(SHIPPED, answers)


def _values(question: Question, rulebase: Rulebase) -> list[Any]:
    """Every answer that could make a difference: all choices, or numbers at and around each rule threshold."""
    if isinstance(question, BooleanQuestion):
        return [True, False]
    if isinstance(question, ChoiceQuestion):
        return [c.id for c in question.choices]
    assert isinstance(question, (NumberQuestion, ScaleQuestion))
    points = {question.min, question.max}
    constants = _number_constants(rulebase)
    for value in constants:
        for delta in (-1, 0, 1):
            candidate = value + delta
            if question.min <= candidate <= question.max:
                points.add(candidate)
    if isinstance(question, ScaleQuestion):
        points = {int(p) for p in points}
    return sorted(points)


def _number_constants(rulebase: Rulebase) -> set[Any]:
    from decider.rulebase.model import AllOf, AnyOf, NotOf, Test

    found: set[Any] = set()

    def walk(condition: Any) -> None:
        if isinstance(condition, Test) and isinstance(condition.value, (int, float)) and not isinstance(condition.value, bool):
            found.add(condition.value)
        elif isinstance(condition, NotOf):
            walk(condition.item)
        elif isinstance(condition, (AllOf, AnyOf)):
            for item in condition.items:
                walk(item)

    for rule in rulebase.rules:
        walk(rule.when)
    return found


def _answers(rulebase: Rulebase) -> st.SearchStrategy[dict[str, Any]]:
    options = {q.id: st.sampled_from(["unknown", *_values(q, rulebase)]) for q in rulebase.questions}
    return st.fixed_dictionaries({}, optional=options)


def _effects(rulebase: Rulebase, engine: ReferenceEngine, answers: Answers) -> tuple[Any, ...]:
    outcome = decide(rulebase, answers, engine.run(answers))
    return tuple((s.approach, s.score) for s in outcome.ranking), tuple((r.id, r.severity) for r in outcome.risks)


def _check_settled_unknowns_cannot_change_anything(rulebase: Rulebase, raw: dict[str, Any]) -> None:
    engine = ReferenceEngine(rulebase)
    answers = validate_answers(rulebase, raw)
    before = _effects(rulebase, engine, answers)
    settled = [q for q in rulebase.questions if answers.value(q.id) is None and q.id not in open_unknowns(rulebase, answers)]
    for question in settled:
        for value in _values(question, rulebase):
            after = _effects(rulebase, engine, answers.with_answer(question.id, value))
            assert after == before, (question.id, value, raw)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_answers(SHIPPED))
def test_answering_a_settled_unknown_never_changes_scores_or_risks_shipped(raw: dict[str, Any]) -> None:
    _check_settled_unknowns_cannot_change_anything(SHIPPED, raw)


@settings(max_examples=150, deadline=None)
@given(_answers(FIXTURE))
def test_answering_a_settled_unknown_never_changes_scores_or_risks_fixture(raw: dict[str, Any]) -> None:
    _check_settled_unknowns_cannot_change_anything(FIXTURE, raw)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_answers(SHIPPED))
def test_open_unknowns_are_unknown_and_read_by_rules(raw: dict[str, Any]) -> None:
    answers = validate_answers(SHIPPED, raw)
    for qid in open_unknowns(SHIPPED, answers):
        assert answers.value(qid) is None
