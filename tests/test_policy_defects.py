"""The eight defects of issue 10, each written against behaviour (`consult()` on the shipped rulebase),
not against rule ids, so the rulebase can be rewritten and these still hold."""

from __future__ import annotations

from typing import Any

import pytest

from decider import consult
from decider.reasoning.consultation import Consultation
from decider.rulebase.model import Rulebase

FORMAT_CASE: dict[str, Any] = {
    "prompting_baseline": "measured", "eval_harness": True, "format_failures": True, "persona_drift": False,
    "knowledge": "general", "narrow_task": False, "general_skills": False, "data_quality": 5,
    "example_count": 2000, "retune_capacity": True, "ml_expertise": True, "can_tune": True, "on_prem": False,
    "monthly_mtokens": 5000, "price_per_mtoken": 3, "tuning_cost": 20000, "retune_cost_year": 10000,
    "accuracy_gap": False, "knowledge_volatile": False, "retrieval_status": "not_tried", "latency_ms": 5000,
    "latency_missed": False, "teacher_model": False, "motive": "behaviour", "end_users": False,
    "on_device": False, "deadline_soon": False, "base_model_changes": "controlled", "prompt_overhead": False,
    "serving_cost_month": 1000,
}
"""A favourable, fully answered format profile: fine-tuning wins clearly."""

TIE = {"prompting_baseline": "measured", "eval_harness": True, "format_failures": True, "persona_drift": False,
       "accuracy_gap": False, "knowledge": "general", "knowledge_volatile": False, "retrieval_status": "not_tried",
       "narrow_task": False, "latency_ms": 5000, "latency_missed": False, "general_skills": False,
       "data_quality": 4, "example_count": 500, "teacher_model": False, "retune_capacity": False,
       "ml_expertise": True, "can_tune": True, "on_prem": False, "monthly_mtokens": 1000, "price_per_mtoken": 3,
       "tuning_cost": 20000, "retune_cost_year": 10000, "motive": "behaviour", "end_users": False,
       "on_device": False, "deadline_soon": False, "base_model_changes": "controlled", "prompt_overhead": False,
       "serving_cost_month": 500}
"""A fully answered profile whose two best eligible approaches score the same."""


def top_eligible_scores(result: Consultation) -> list[float]:
    off = {e.approach for e in result.excluded}
    return sorted((s.score for s in result.ranking if s.approach not in off), reverse=True)


def test_defect_1_a_tie_is_low_named_and_separated(shipped: Rulebase) -> None:
    result = consult(shipped, TIE)
    first, second = top_eligible_scores(result)[:2]
    assert first == second
    rec = result.recommendation
    assert rec.level == "low" and rec.tied
    assert rec.separating  # the answers that would break the tie
    markdown = result.to_markdown()
    assert "**Tie:**" in markdown and f"`{rec.tied[0].approach}`" in markdown


def test_defect_2_the_margin_is_over_the_best_other_eligible_approach(shipped: Rulebase) -> None:
    # fine-tuning wins; prompt_eval has support (so it is "complementary"-like) and must still be the rival
    result = consult(shipped, {**FORMAT_CASE, "ml_expertise": True, "example_count": 60})
    rec = result.recommendation
    assert rec.settled
    first, second = top_eligible_scores(result)[:2]
    margin = first - second
    assert rec.confidence == pytest.approx(margin / (margin + shipped.policy.confidence.margin_scale), abs=1e-4)


@pytest.mark.parametrize("question", ["ml_expertise", "retune_capacity", "can_tune", "example_count", "data_quality"])
def test_defect_3_not_sure_never_beats_no(shipped: Rulebase, question: str) -> None:
    bad = {"ml_expertise": False, "retune_capacity": False, "can_tune": False, "example_count": 10, "data_quality": 1}
    good = consult(shipped, FORMAT_CASE).recommendation
    against = consult(shipped, {**FORMAT_CASE, question: bad[question]}).recommendation
    unsure = consult(shipped, {**FORMAT_CASE, question: "unknown"}).recommendation
    assert unsure.approach in (good.approach, against.approach)
    same = good if unsure.approach == good.approach else against
    if good.approach != against.approach:
        assert not unsure.settled
        assert unsure.confidence < same.confidence or same.confidence == 0  # nothing is below a tie's 0
        assert unsure.level != "high"
    assert unsure.confidence <= max(good.confidence, against.confidence)


def test_defect_5_confidence_moves_with_the_evidence(shipped: Rulebase) -> None:
    with_capacity = consult(shipped, {**FORMAT_CASE, "retune_capacity": True}).recommendation
    without = consult(shipped, {**FORMAT_CASE, "retune_capacity": False}).recommendation
    if with_capacity.approach == without.approach:
        assert with_capacity.confidence >= without.confidence
    else:  # the favourable fact changed the primary: only towards tuning, never away from it
        assert with_capacity.approach == "fine_tune"
    plain = consult(shipped, {**FORMAT_CASE, "general_skills": False}).recommendation
    forgetting = consult(shipped, {**FORMAT_CASE, "general_skills": True}).recommendation
    assert plain.approach == forgetting.approach == "fine_tune"
    assert forgetting.confidence <= plain.confidence


def test_defect_6_a_flip_decided_by_tie_break_reads_low(shipped: Rulebase) -> None:
    result = consult(shipped, TIE)
    assert result.recommendation.level == "low" and result.recommendation.tied


def test_defect_7_measured_baseline_is_not_sent_back_to_measure_prompting(shipped: Rulebase) -> None:
    measured = {**FORMAT_CASE, "format_failures": "unknown", "persona_drift": "unknown"}
    known_no = {**FORMAT_CASE, "format_failures": False, "persona_drift": False}
    unsure = consult(shipped, measured)
    plain = consult(shipped, known_no)
    assert "Establish a measured prompting baseline first" not in {p.title for p in unsure.prerequisites}
    score = {s.approach: s.score for s in unsure.ranking}
    plain_score = {s.approach: s.score for s in plain.ranking}
    # an open question about the kind of gap must not count against tuning more than a known "no" does
    for approach in ("fine_tune", "fine_tune_small"):
        assert score[approach] >= plain_score[approach]
    assert score["prompt_eval"] <= plain_score["prompt_eval"]


def test_defect_8_zero_spend_is_a_value_not_unknown(shipped: Rulebase) -> None:
    zero = consult(shipped, {**FORMAT_CASE, "monthly_mtokens": 0})
    some = consult(shipped, {**FORMAT_CASE, "monthly_mtokens": 499})
    assert next(f for f in zero.figures if f.id == "tuning_in_api_months").value is not None
    zero_tuning = zero.recommendation.confidence if zero.recommendation.approach == "fine_tune" else 0.0
    some_tuning = some.recommendation.confidence if some.recommendation.approach == "fine_tune" else 0.0
    assert zero_tuning <= some_tuning
    assert ("weak_roi", "high") in {(r.id, r.severity) for r in zero.risks}
