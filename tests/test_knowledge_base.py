"""The shipped knowledge base: sources cited, questions answerable, unknowns reasoned about, economics shown."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from decider import consult, load_rulebase
from decider.rulebase.logic import references
from decider.rulebase.expressions import references as expression_references
from decider.rulebase.model import AllOf, AnyOf, ChoiceQuestion, Condition, NotOf, NumberQuestion
from decider.rulebase.model import Test as ConditionTest

RULEBASE = load_rulebase()
ENGINES = ("durable_rules", "reference")
ESSAY_WARNINGS_AND_CASES = ("P3", "P4", "P5", "P6", "P7", "P8", "P9")
FIELD_SOURCES = ("openai-guide", "anthropic-prompting", "google-vertex-tuning", "azure-ft-considerations",
                 "aws-bedrock", "hf-llm-course", "field-checklists", "qi-2023")
STRONG_FORMAT_CASE = {
    "prompting_baseline": "measured", "eval_harness": True, "format_failures": True, "persona_drift": False,
    "knowledge": "general", "knowledge_volatile": False, "narrow_task": False, "latency_ms": 20000,
    "general_skills": False, "data_quality": 5, "example_count": 6000, "retune_capacity": True,
    "ml_expertise": True, "can_tune": True, "on_prem": False, "monthly_mtokens": 3000, "price_per_mtoken": 3,
    "tuning_cost": 50000, "retune_cost_year": 20000, "deadline_soon": False, "base_model_changes": "controlled",
}


def cited() -> set[str]:
    return {c for rule in RULEBASE.rules for c in rule.cite}


def test_the_four_approaches_exist() -> None:
    assert {"prompt_eval", "retrieval", "fine_tune", "fine_tune_small"} <= set(RULEBASE.approach_index)
    assert RULEBASE.policy.default == "prompt_eval"


@pytest.mark.parametrize("paragraph", ESSAY_WARNINGS_AND_CASES)
def test_each_essay_paragraph_p3_to_p9_is_cited_by_a_rule(paragraph: str) -> None:
    assert paragraph in cited()


@pytest.mark.parametrize("source", FIELD_SOURCES)
def test_each_field_source_is_declared_and_cited(source: str) -> None:
    assert source in {s.id for s in RULEBASE.sources}
    assert source in cited()


def test_field_guidance_is_cited_to_its_source_not_to_the_essay() -> None:
    essay = set(next(s for s in RULEBASE.sources if s.id == "essay").sections)
    for rule in RULEBASE.rules:
        assert rule.cite, rule.id
        assert "essay" not in rule.cite, f"{rule.id} should cite a paragraph, not the whole essay"
        assert all(c in essay or c in FIELD_SOURCES for c in rule.cite), rule.id


def test_questions_are_a_moderate_answerable_set() -> None:
    questions = RULEBASE.questions
    # the planner asks only what could change the advice, so the set may grow past what one walk asks
    assert 15 <= len(questions) <= 30
    for question in questions:
        assert question.help and len(question.help) > 40, question.id
        assert "example" in question.help.lower(), question.id
        assert not question.text.lower().startswith(("don't you", "wouldn't", "isn't it")), question.id
        if isinstance(question, NumberQuestion):
            assert question.unit, question.id
        if isinstance(question, ChoiceQuestion):
            assert "unknown" not in {c.id for c in question.choices}
    assert len({q.priority for q in questions}) >= len(questions) - 3, "priorities should order the interview"


def test_every_question_is_read_by_some_rule() -> None:
    read = {ref.id for rule in RULEBASE.rules for ref in references(rule.when) if ref.kind == "answer"}
    via_figures = {n for f in RULEBASE.figures for n in expression_references(f.tree)}
    for question in RULEBASE.questions:
        assert question.id in read | via_figures, question.id


def test_not_sure_is_reasoned_about_in_rules() -> None:
    unknown_tests = {ref.id for rule in RULEBASE.rules for ref in references(rule.when) if ref.kind == "answer"}
    explicit = {t.ref for rule in RULEBASE.rules for t in _tests(rule.when) if t.op == "unknown" and t.subject == "answer"}
    assert len(explicit) >= 8, explicit
    assert explicit <= unknown_tests


@pytest.mark.parametrize("engine", ENGINES)
def test_not_sure_to_everything_gives_prompt_eval_not_settled(engine: str) -> None:
    # prompt_eval wins most completions of the open answers (the essay's default), but nothing is settled
    answers = {q.id: "unknown" for q in RULEBASE.questions}
    result = consult(RULEBASE, answers, engine=engine)  # type: ignore[arg-type]
    assert result.recommendation.approach == "prompt_eval"
    assert result.recommendation.level != "high" and not result.recommendation.settled
    assert result.recommendation.confidence < result.recommendation.robustness < 1
    assert "confirm_groundwork" in {p.id for p in result.prerequisites}
    silent = consult(RULEBASE, {}, engine=engine)  # type: ignore[arg-type]
    assert silent.recommendation.approach == "prompt_eval" and silent.recommendation.level != "high"


@pytest.mark.parametrize("engine", ENGINES)
def test_strong_consistent_evidence_gives_high_confidence(engine: str) -> None:
    result = consult(RULEBASE, STRONG_FORMAT_CASE, engine=engine)  # type: ignore[arg-type]
    assert result.recommendation.approach == "fine_tune"
    assert result.recommendation.level == "high"
    # only the standing reminders (yearly re-tuning cost, end users not stated) remain, at low
    assert {r.severity for r in result.risks} <= {"low"}


def test_not_sure_differs_from_no() -> None:
    base = {**STRONG_FORMAT_CASE}
    said_no = consult(RULEBASE, {**base, "retune_capacity": False}, engine="reference")
    not_sure = consult(RULEBASE, {**base, "retune_capacity": "unknown"}, engine="reference")
    no_risk = {r.id: r.severity for r in said_no.risks}
    unsure_risk = {r.id: r.severity for r in not_sure.risks}
    assert no_risk["maintenance"] == "high"
    assert unsure_risk["maintenance"] == "medium"
    assert not_sure.recommendation.confidence < consult(RULEBASE, base, engine="reference").recommendation.confidence


def test_unknowns_that_matter_lower_confidence_and_settled_ones_do_not() -> None:
    full = consult(RULEBASE, STRONG_FORMAT_CASE, engine="reference").recommendation.confidence
    for question in ("general_skills", "retune_capacity", "data_quality"):
        partial = consult(RULEBASE, {**STRONG_FORMAT_CASE, question: "unknown"}, engine="reference")
        assert partial.recommendation.confidence < full, question
    # on-premises and latency only matter for a narrow task, and this task is not narrow
    for question in ("on_prem", "latency_ms"):
        settled = consult(RULEBASE, {**STRONG_FORMAT_CASE, question: "unknown"}, engine="reference")
        assert settled.recommendation.confidence == full and settled.recommendation.settled


@pytest.mark.parametrize("engine", ENGINES)
def test_economics_compares_api_spend_with_tuning_cost_and_shows_figures(engine: str) -> None:
    answers = {**STRONG_FORMAT_CASE, "monthly_mtokens": 5, "price_per_mtoken": 3, "tuning_cost": 200000,
               "retune_cost_year": 40000}
    result = consult(RULEBASE, answers, engine=engine)  # type: ignore[arg-type]
    figures = {f.id: f.value for f in result.figures}
    assert figures["api_cost_month"] == 15
    assert figures["api_cost_year"] == 180
    assert figures["tuning_cost_first_year"] == 240000
    assert figures["tuning_in_api_months"] == pytest.approx(16000, rel=1e-6)  # a zero bill must stay a value
    assert "weak_roi" in {r.id for r in result.risks}
    assert "P9" in {c for r in result.risks for c in r.cite}
    text = result.to_markdown()
    assert "## Figures used" in text and "16,000 months" in text and "240,000 USD" in text
    cheap = consult(RULEBASE, STRONG_FORMAT_CASE, engine=engine)  # type: ignore[arg-type]
    assert "weak_roi" not in {r.id for r in cheap.risks}
    assert cheap.recommendation.confidence > result.recommendation.confidence


def test_without_numbers_the_cost_comparison_is_unknown_not_zero() -> None:
    answers = {k: v for k, v in STRONG_FORMAT_CASE.items() if k not in ("tuning_cost", "retune_cost_year")}
    result = consult(RULEBASE, answers, engine="reference")
    figures = {f.id: f.value for f in result.figures}
    assert figures["tuning_in_api_months"] is None
    weak = {r.id: r.severity for r in result.risks}
    assert weak.get("weak_roi") == "low"


def test_hybrid_names_the_complementary_approach() -> None:
    answers = {**STRONG_FORMAT_CASE, "knowledge": "documents", "knowledge_volatile": True}
    result = consult(RULEBASE, answers, engine="reference")
    approaches = {result.recommendation.approach, *(c.approach for c in result.recommendation.complementary)}
    assert approaches == {"retrieval", "fine_tune"}


def test_report_lists_prerequisites_before_the_reasons() -> None:
    result = consult(RULEBASE, {"prompting_baseline": "not_tried", "eval_harness": False}, engine="reference")
    text = result.to_markdown()
    assert text.index("## Before you start") < text.index("## Why")
    assert "Build an evaluation set" in text


def _tests(condition: Condition) -> Iterator[ConditionTest]:
    if isinstance(condition, ConditionTest):
        yield condition
    elif isinstance(condition, NotOf):
        yield from _tests(condition.item)
    elif isinstance(condition, (AllOf, AnyOf)):
        for item in condition.items:
            yield from _tests(item)

