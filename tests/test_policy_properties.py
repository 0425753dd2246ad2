"""The policy's required properties (issue 10), as hypothesis tests over the shipped rulebase and over
generated rulebases.  Scope (rules/README.md, "Confidence"): the unknown-versus-known properties are
checked for one open question at a time (everything else answered); figures' inputs are left out of
that check on the shipped rulebase because a figure with an open input ranges over its own classes."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from decider import consult, load_rulebase
from decider.engine.answer_classes import figure_inputs
from decider.reasoning.verify.lint import lint_loaded
from decider.reasoning.consultation import Recommendation
from decider.rulebase.model import BooleanQuestion, ChoiceQuestion, NumberQuestion, Question, Rulebase, ScaleQuestion
from test_engine_agreement import rulebases

SHIPPED = load_rulebase()
FIGURE_INPUTS = set().union(*(figure_inputs(SHIPPED, f.id) for f in SHIPPED.figures))
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                           HealthCheck.data_too_large,
                                                                           HealthCheck.filter_too_much])


def known_values(question: Question) -> list[Any]:
    """Answers covering every class of a question (thresholds and points between them)."""
    if isinstance(question, BooleanQuestion):
        return [True, False]
    if isinstance(question, ChoiceQuestion):
        return [c.id for c in question.choices]
    if isinstance(question, ScaleQuestion):
        return list(range(question.min, question.max + 1))
    assert isinstance(question, NumberQuestion)
    from decider.reasoning.planner import answer_classes

    return sorted({c.answer for c in answer_classes(SHIPPED, question.id) if c.answer != "unknown"} | {question.min})


def complete_profiles(rulebase: Rulebase) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({q.id: st.sampled_from(_values(rulebase, q)) for q in rulebase.questions})


def _values(rulebase: Rulebase, question: Question) -> list[Any]:
    if isinstance(question, NumberQuestion):
        from decider.reasoning.planner import answer_classes

        return sorted({c.answer for c in answer_classes(rulebase, question.id) if c.answer != "unknown"}
                      | {question.min, question.max})
    return known_values(question)


def check_unknown_against_known(rulebase: Rulebase, profile: dict[str, Any], question: Question) -> None:
    """Properties 2 and 3 for one question left open, everything else answered."""
    unsure = consult(rulebase, {**profile, question.id: "unknown"}, engine="reference").recommendation
    known: list[Recommendation] = [consult(rulebase, {**profile, question.id: v}, engine="reference").recommendation
                                   for v in _values(rulebase, question)]
    primaries = {k.approach for k in known}
    assert unsure.approach in primaries, f"property 3: {profile}, {question.id} open"
    same = [k.confidence for k in known if k.approach == unsure.approach]
    assert unsure.confidence <= max(same) + 1e-9  # never more confident than the best known answer
    if len(primaries) > 1:
        assert not unsure.settled
        if isinstance(question, BooleanQuestion) and question.prior is None:
            assert all(unsure.confidence < c for c in same if c > 0)
            assert unsure.level != "high"
    else:
        assert unsure.settled


@SETTINGS
@given(complete_profiles(SHIPPED), st.sampled_from([q for q in SHIPPED.questions if q.id not in FIGURE_INPUTS]))
def test_shipped_unknown_never_beats_the_known_answers(profile: dict[str, Any], question: Question) -> None:
    check_unknown_against_known(SHIPPED, profile, question)


@SETTINGS
@given(st.fixed_dictionaries({}, optional={q.id: st.sampled_from([*known_values(q), "unknown"])
                                           for q in SHIPPED.questions if q.id not in FIGURE_INPUTS}))
def test_shipped_ties_are_low_and_excluded_never_win(profile: dict[str, Any]) -> None:
    result = consult(SHIPPED, profile, engine="reference")
    check_result(result)


def check_result(result: Any) -> None:
    rec = result.recommendation
    off = {e.approach for e in result.excluded}
    if len(off) < len(result.ranking):
        assert rec.approach not in off
        assert not {c.approach for c in rec.complementary} & off
    if rec.tied:
        assert rec.level in ("low", "")
    eligible = sorted((s.score for s in result.ranking if s.approach not in off), reverse=True)
    if rec.settled and not rec.defaulted and len(eligible) > 1 and eligible[0] == eligible[1] and \
            next(s.score for s in result.ranking if s.approach == rec.approach) == eligible[0]:
        assert rec.tied, "a settled tie at the top must be disclosed"
    assert 0 <= rec.confidence <= rec.robustness + 1e-9


def _reads_unknown(condition: Any) -> bool:
    if isinstance(condition, dict):
        return "is" in condition or any(_reads_unknown(v) for v in condition.values())
    if isinstance(condition, list):
        return any(_reads_unknown(v) for v in condition)
    return False


def lint_clean(document: dict[str, Any]) -> bool:
    """No rule that weighs, excludes or concludes reads "unknown" — so none holds only because an
    answer is open (lint E311 cannot fire); the properties are promised for such rulebases."""
    return not any(_reads_unknown(r["when"]) for r in document["rules"]
                   if any(k in e for e in r["then"] for k in ("support", "oppose", "exclude", "conclude")))


def _load(document: dict[str, Any]) -> Rulebase:
    document["policy"]["confidence"].update(moderate_from=0.35, high_from=0.6)
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "rules.yaml").write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
        return load_rulebase(tmp)


def without_e311(rulebase: Rulebase) -> bool:
    """`decider lint` finds no rule that holds only because an answer is open (E311).  `lint_clean` is a
    syntactic filter and lets through, e.g., `not: {answer: q0, ">=": 1}` on a scale 1..5, which holds only
    while q0 is open: the properties are promised for rulebases without E311, so lint itself decides."""
    return not any(f.code == "E311" for f in lint_loaded(rulebase).findings)


def test_a_rule_holding_only_while_a_scale_is_open_is_an_e311() -> None:
    """The counterexample hypothesis found to property 3 (once an xfail here): lint reports it, so the
    properties do not promise anything for it; with the negated test removed, the property holds."""
    rule = {"id": "r0", "when": {"any": [{"not": {"answer": "q0", ">=": 1}}, {"answer": "q1", "==": False}]},
            "then": [{"exclude": "a0"}], "because": "b", "cite": "P1"}
    document: dict[str, Any] = {
        "rulebase": {"id": "generated", "version": "1", "title": "Generated"},
        "sources": [{"id": "essay", "title": "E", "sections": ["P1"]}],
        "policy": {"default": "a0", "tie_break": ["a0", "a1"], "confidence": {"margin_scale": 2, "unknown_penalty": 0.5}},
        "approaches": [{"id": "a0", "title": "A0"}, {"id": "a1", "title": "A1"}],
        "questions": [{"id": "q0", "kind": "scale", "text": "Q0?", "min": 1, "max": 5},
                      {"id": "q1", "kind": "boolean", "text": "Q1?"}],
        "conclusions": [],
        "rules": [rule, {"id": "r1", "when": {"answer": "q1", "==": True}, "then": [{"support": "a0", "weight": 1}],
                         "because": "b", "cite": "P1"}],
    }
    assert lint_clean(document)
    rulebase = _load(document)
    assert not without_e311(rulebase)
    with pytest.raises(AssertionError, match="property 3"):
        check_unknown_against_known(rulebase, {"q0": 3, "q1": True}, rulebase.question_index["q0"])
    rule["when"] = {"answer": "q1", "==": False}
    rulebase = _load(document)
    assert without_e311(rulebase)
    check_unknown_against_known(rulebase, {"q0": 3, "q1": True}, rulebase.question_index["q0"])


@SETTINGS
@given(rulebases(), st.data())
def test_generated_rulebases_keep_the_properties(document: dict[str, Any], data: st.DataObject) -> None:
    assume(lint_clean(document))
    rulebase = _load(document)
    assume(without_e311(rulebase))
    profile = data.draw(complete_profiles(rulebase))
    question = data.draw(st.sampled_from(rulebase.questions))
    check_unknown_against_known(rulebase, profile, question)
    partial = {k: v for k, v in profile.items() if data.draw(st.booleans())}
    check_result(consult(rulebase, partial, engine="reference"))


@SETTINGS
@given(rulebases(), st.data())
def test_evidence_moves_confidence_the_right_way(document: dict[str, Any], data: st.DataObject) -> None:
    assume(lint_clean(document))
    rulebase = _load(document)
    profile = data.draw(complete_profiles(rulebase))
    partial = {k: v for k, v in profile.items() if data.draw(st.booleans())}
    before = consult(rulebase, partial, engine="reference").recommendation
    anchor = rulebase.questions[0].id
    holds = {"any": [{"answer": anchor, "is": "known"}, {"answer": anchor, "is": "unknown"}]}
    weight = data.draw(st.sampled_from([0.5, 1, 2]))
    against = data.draw(st.booleans())
    if against:
        rival = data.draw(st.sampled_from([a["id"] for a in document["approaches"] if a["id"] != before.approach]))
        effect = data.draw(st.sampled_from([{"oppose": before.approach, "weight": weight},
                                            {"support": rival, "weight": weight}]))
    else:
        effect = {"support": before.approach, "weight": weight}
    document["rules"].append({"id": "evidence", "when": holds, "then": [effect], "because": "b", "cite": "P1"})
    after = consult(_load(document), partial, engine="reference").recommendation
    if against and after.approach == before.approach:
        if after.confidence > before.confidence + 1e-9 and before.tied and not after.tied:
            pytest.xfail("open defect (issue 10): a disclosed tie caps confidence just below moderate; evidence "
                         "against the primary that breaks the tie lifts the cap, so confidence can rise (0.35 -> "
                         "0.56 on a generated rulebase whose rule holds only while an answer is open)")
        assert after.confidence <= before.confidence + 1e-9
    if not against:
        assert after.approach == before.approach
        assert after.confidence >= before.confidence - 1e-9
