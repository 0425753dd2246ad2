"""The library API: load_rulebase, consult, the Consultation contract, HOW trees and the report."""

from __future__ import annotations

import pytest

import decider
from decider import Answers, Consultation, Reason, Rulebase, consult, load_rulebase, validate_answers

from conftest import FIXTURES

CHAIN = load_rulebase(FIXTURES / "chain")


def leaves(node: Reason) -> list[Reason]:
    return [node] if not node.children else [leaf for child in node.children for leaf in leaves(child)]


def test_default_rulebase_loads_with_identity(shipped: Rulebase) -> None:
    assert shipped.meta.id and shipped.meta.version and len(shipped.sha256) == 64
    assert shipped.questions and shipped.approaches and shipped.rules


def test_consult_returns_a_complete_consultation() -> None:
    result = consult(CHAIN, {"q1": True, "q2": "x", "q4": 4, "q3": 100})  # q3 open could sink c (r5)
    assert result.recommendation.approach == "c"
    assert [r.approach for r in result.ranking][0] == "c"
    assert result.ranking[0].score == result.ranking[0].baseline + result.ranking[0].support - result.ranking[0].oppose
    assert 0 <= result.recommendation.confidence <= 1
    assert result.trace.rulebase.sha256 == CHAIN.sha256
    assert result.trace.decider_version == decider.__version__
    assert result.trace.digest == result.trace.compute_digest()
    assert Consultation.model_validate_json(result.model_dump_json()) == result


def test_how_tree_goes_from_rule_through_three_conclusions_to_answers() -> None:
    result = consult(CHAIN, {"q1": True, "q2": "x", "q4": 4, "q3": 100})
    (top,) = [r for r in result.reasons if r.id == "r3"]
    assert top.kind == "rule" and top.because == "third level" and top.cite == ("P2",)
    level2 = next(c for c in top.children if c.id == "level2")
    r2 = next(c for c in level2.children if c.id == "r2")
    level1 = next(c for c in r2.children if c.id == "level1")
    r1 = next(c for c in level1.children if c.id == "r1")
    assert [(leaf.kind, leaf.id, leaf.value) for leaf in leaves(r1)] == [("answer", "q1", True)]
    assert all(leaf.kind in ("answer", "conclusion", "figure") for leaf in leaves(top))


def test_risks_carry_because_cite_and_severity() -> None:
    result = consult(CHAIN, {"q1": True, "q3": 600, "q2": "z", "q4": 1})
    (risk,) = result.risks
    assert risk.id == "danger" and risk.severity == "high"  # the highest severity any rule gave it
    assert set(risk.rules) == {"r4", "r5"}
    assert "a figure threshold" in risk.because and "P2" in risk.cite
    assert result.figures[0].value == 1201


def test_nothing_fired_means_the_declared_default() -> None:
    result = consult(CHAIN, {"q1": False, "q3": 50})
    assert result.trace.firings == ()
    assert result.recommendation.approach == "a" and result.recommendation.defaulted


def test_both_engines_give_equal_consultations_but_for_the_engine_name() -> None:
    answers = {"q1": True, "q2": "y", "q3": 700, "q4": 3}
    left = consult(CHAIN, answers, engine="durable_rules")
    right = consult(CHAIN, answers, engine="reference")
    assert left.recommendation == right.recommendation
    assert left.ranking == right.ranking and left.risks == right.risks
    assert set(left.trace.firings) == set(right.trace.firings)


def test_consult_accepts_an_answers_model_and_answers_are_immutable() -> None:
    answers = validate_answers(CHAIN, {"q1": True})
    assert isinstance(answers, Answers)
    assert consult(CHAIN, answers).trace.answers == {"q1": True}
    assert answers.with_answer("q2", "x").root == {"q1": True, "q2": "x"} and answers.root == {"q1": True}


def test_markdown_report_has_the_parts_a_team_lead_needs() -> None:
    report = consult(CHAIN, {"q1": True, "q3": 600, "q2": "z", "q4": 1}).to_markdown()
    assert report.startswith("# Recommendation: Approach B")
    assert "## Why" in report and "[The essay ¶1]" in report and "## Sources" in report
    assert "## Risks" in report and "**Danger** (high)" in report
    assert "## Figures used" in report and "| Twice q3 | 1,201 |" in report
    assert CHAIN.sha256[:16] in report


def test_unknown_attribute_of_the_package() -> None:
    with pytest.raises(AttributeError):
        decider.no_such_thing  # noqa: B018
