"""The policy's required properties (issue 10), as hypothesis tests over the shipped rulebase and over
generated rulebases.  Scope (rules/README.md, "Confidence"): the unknown-versus-known properties are
checked for one open question at a time (everything else answered); figures' inputs are left out of
that check on the shipped rulebase because a figure with an open input ranges over the classes its
bounds allow, uniformly, not by its inputs' own classes."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from decider import consult, load_rulebase
from decider.rulebase.logic import figure_questions as figure_inputs
from decider.lint.linter import lint_loaded
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
    from decider.interview.planner import answer_classes

    return sorted({c.answer for c in answer_classes(SHIPPED, question.id) if c.answer != "unknown"} | {question.min})


def complete_profiles(rulebase: Rulebase) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({q.id: st.sampled_from(_values(rulebase, q)) for q in rulebase.questions})


def _values(rulebase: Rulebase, question: Question) -> list[Any]:
    if isinstance(question, NumberQuestion):
        from decider.interview.planner import answer_classes

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
            assert unsure.level in ("low", "")  # it wins at most half of the completions
    else:
        assert unsure.settled


@SETTINGS
@given(complete_profiles(SHIPPED), st.sampled_from([q for q in SHIPPED.questions if q.id not in FIGURE_INPUTS]))
def test_shipped_unknown_never_beats_the_known_answers(profile: dict[str, Any], question: Question) -> None:
    check_unknown_against_known(SHIPPED, profile, question)


@SETTINGS
@given(st.fixed_dictionaries({}, optional={q.id: st.sampled_from([*known_values(q), "unknown"])
                                           for q in SHIPPED.questions if q.id not in FIGURE_INPUTS}),
       st.data())
def test_shipped_ties_are_low_and_excluded_never_win(profile: dict[str, Any], data: st.DataObject) -> None:
    check_result(consult(SHIPPED, profile, engine="reference"))
    # the same profile with every open question answered: its scores are the only completion's
    complete = {q.id: data.draw(st.sampled_from(known_values(q))) if profile.get(q.id, "unknown") == "unknown"
                else profile[q.id] for q in SHIPPED.questions}
    check_result(consult(SHIPPED, complete, engine="reference"), complete=True)


def top_tie(result: Any) -> bool:
    """The primary's score is level with another eligible approach's (on the answers given)."""
    off = {e.approach for e in result.excluded}
    eligible = sorted((s.score for s in result.ranking if s.approach not in off), reverse=True)
    return len(eligible) > 1 and eligible[0] == eligible[1] and \
        next(s.score for s in result.ranking if s.approach == result.recommendation.approach) == eligible[0]


def check_result(result: Any, complete: bool = False) -> None:
    """Eligibility, ties low, confidence within robustness; with every question answered, a tie at the top
    on the scores is disclosed (with questions open, ties are judged over the completions: `check_ties`)."""
    rec = result.recommendation
    off = {e.approach for e in result.excluded}
    if len(off) < len(result.ranking):
        assert rec.approach not in off
        assert not {c.approach for c in rec.complementary} & off
    if rec.tied:
        assert rec.level in ("low", "")
    if complete and not rec.defaulted and top_tie(result):
        assert rec.tied, "a tie at the top must be disclosed"
        assert rec.confidence == 0
    assert 0 <= rec.confidence <= rec.robustness + 1e-9


def check_ties(rulebase: Rulebase, partial: dict[str, Any], limit: int = 400) -> None:
    """A settled result is tied exactly when every completion of its open answers is a tie at the top
    won by the primary (checked by answering them all, when there are few enough completions)."""
    result = consult(rulebase, partial, engine="reference")
    rec = result.recommendation
    if not rec.settled:
        return
    open_questions = [q for q in rulebase.questions if partial.get(q.id, "unknown") == "unknown"]
    completions: list[dict[str, Any]] = [dict(partial)]
    for question in open_questions:
        completions = [{**c, question.id: v} for c in completions for v in _values(rulebase, question)]
        if len(completions) > limit:
            return
    outcomes = [consult(rulebase, c, engine="reference") for c in completions]
    assert all(o.recommendation.approach == rec.approach for o in outcomes), "settled: every completion agrees"
    everywhere = all(not o.recommendation.defaulted and top_tie(o) for o in outcomes)
    assert bool(rec.tied) == everywhere, f"tied {rec.tied} but a tie in every completion: {everywhere}"
    if rec.tied:
        assert rec.confidence == 0
        level = {t.approach for o in outcomes for t in o.recommendation.tied}
        assert {t.approach for t in rec.tied} == level


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
    check_result(consult(rulebase, profile, engine="reference"), complete=True)
    check_ties(rulebase, partial)


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
        assert after.confidence <= before.confidence + 1e-9
    if not against:
        assert after.approach == before.approach
        assert after.confidence >= before.confidence - 1e-9


def _answered_either_way(extra_rules: list[dict[str, Any]]) -> Rulebase:
    """a0 and a1 level on the answers given while the scale q1 is open; every answer to q1 puts a0 ahead
    by 3 (`q1 <= 5` holds for each answer of a 1..5 scale, but not while it is open)."""
    rules = [{"id": "both", "when": {"answer": "q0", "==": True},
              "then": [{"support": "a0", "weight": 1}, {"support": "a1", "weight": 1}], "because": "b", "cite": "P1"},
             {"id": "any_answer", "when": {"answer": "q1", "<=": 5}, "then": [{"support": "a0", "weight": 3}],
              "because": "b", "cite": "P1"}, *extra_rules]
    return _load({
        "rulebase": {"id": "tie", "version": "1", "title": "T"},
        "sources": [{"id": "essay", "title": "E", "sections": ["P1"]}],
        "policy": {"default": "a0", "tie_break": ["a0", "a1"], "complementary_min_score": 1,
                   "confidence": {"margin_scale": 2}},
        "approaches": [{"id": "a0", "title": "A0"}, {"id": "a1", "title": "A1"}],
        "questions": [{"id": "q0", "kind": "boolean", "text": "Q0?"},
                      {"id": "q1", "kind": "scale", "min": 1, "max": 5, "text": "Q1?"}],
        "figures": [], "conclusions": [], "rules": rules,
    })


def test_evidence_against_the_primary_never_lifts_a_tie_cap() -> None:
    """The counterexample that once broke the evidence property: the tie was judged on the scores of the
    answers given (a0 = a1), which are no completion's scores (each answer to q1 adds 3 to a0), so
    confidence was capped at 0.35; support for a1 moved a1 ahead on those scores, the 'tie' vanished and
    confidence rose to 0.5.  Judged over the completions there is no tie: 0.6, then 0.5."""
    before = consult(_answered_either_way([]), {"q0": True}, engine="reference").recommendation
    against = {"id": "for_a1", "when": {"answer": "q0", "==": True}, "then": [{"support": "a1", "weight": 1}],
               "because": "b", "cite": "P1"}
    after = consult(_answered_either_way([against]), {"q0": True}, engine="reference").recommendation
    assert before.approach == after.approach == "a0" and before.settled and after.settled
    assert not before.tied and not after.tied  # a0 leads in every completion
    assert before.confidence == pytest.approx(3 / 5) and after.confidence == pytest.approx(2 / 4)
    for q1 in range(1, 6):  # and each completion agrees
        known = consult(_answered_either_way([]), {"q0": True, "q1": q1}, engine="reference").recommendation
        assert known.approach == "a0" and known.confidence == pytest.approx(3 / 5) and not known.tied


COSTLY = {**{q.id: v for q, v in ((SHIPPED.question_index[k], v) for k, v in {
    "prompting_baseline": "measured", "eval_harness": True, "format_failures": True, "persona_drift": False,
    "knowledge": "general", "narrow_task": False, "general_skills": False, "data_quality": 4, "example_count": 2000,
    "retune_capacity": True, "ml_expertise": True, "can_tune": True, "on_prem": False, "latency_ms": 2000,
}.items())}, "monthly_mtokens": 1, "price_per_mtoken": 1, "tuning_cost": 100000}
"""A format case whose first tuning project alone costs 100,000 months of its API bill."""


@SETTINGS
@given(st.integers(0, 10**8))
def test_an_open_figure_input_ranges_with_the_known_inputs(retune: int) -> None:
    """Tuning's cost in months of API spend is at least tuning_cost / API bill = 100,000 whatever the open upkeep
    cost is, so leaving it open decides exactly as answering it: no completion counts the figure's classes
    the known inputs rule out (below 6 or 12 months), as when a figure ranged over its classes on its own."""
    unsure = consult(SHIPPED, COSTLY, engine="reference").recommendation
    known = consult(SHIPPED, {**COSTLY, "retune_cost_year": retune}, engine="reference").recommendation
    assert (unsure.approach, unsure.confidence, unsure.robustness) == (known.approach, known.confidence,
                                                                       known.robustness)


def _even_odds(extra_rules: list[dict[str, Any]]) -> Rulebase:
    """With q0 and q1 open, a0 and a1 each win half of the completions (a0 by 10, a1 by 2 or 5)."""
    def rule(rid: str, when: Any, approach: str, weight: float) -> dict[str, Any]:
        return {"id": rid, "when": when, "then": [{"support": approach, "weight": weight}], "because": "b", "cite": "P1"}
    rules = [rule("a0_yes", {"answer": "q0", "==": True}, "a0", 10),
             rule("a1_low", {"all": [{"answer": "q0", "==": False}, {"answer": "q1", "==": True}]}, "a1", 2),
             rule("a1_high", {"all": [{"answer": "q0", "==": False}, {"answer": "q1", "==": False}]}, "a1", 5),
             *extra_rules]
    return _load({
        "rulebase": {"id": "odds", "version": "1", "title": "O"},
        "sources": [{"id": "essay", "title": "E", "sections": ["P1"]}],
        "policy": {"default": "a0", "tie_break": ["a0", "a1", "a2"], "complementary_min_score": 1,
                   "confidence": {"margin_scale": 2}},
        "approaches": [{"id": f"a{i}", "title": f"A{i}"} for i in range(3)],
        "questions": [{"id": "q0", "kind": "boolean", "text": "Q0?"}, {"id": "q1", "kind": "boolean", "text": "Q1?"},
                      {"id": "q2", "kind": "boolean", "text": "Q2?"}],
        "figures": [], "conclusions": [], "rules": rules,
    })


def test_evidence_for_a_rival_never_lifts_the_cap_of_even_odds() -> None:
    """a0 and a1 win half of the completions each (a tie of masses: low).  Support for a2 takes a1's narrow
    wins, so a0 is no longer level with anyone by mass; but a0 is no more likely to be right than before
    (still half) and wins less clearly, so its confidence must not rise (it rose from 0.35 to 0.39 when
    only an exact tie of masses was capped)."""
    before = consult(_even_odds([]), {"q2": True}, engine="reference").recommendation
    # the rival's support rests on the open q1, so a0 still leads on the evidence given (policy 3)
    rival = {"id": "for_a2", "when": {"all": [{"answer": "q1", "==": True}, {"answer": "q2", "==": True}]},
             "then": [{"support": "a2", "weight": 3}],
             "because": "b", "cite": "P1"}
    after = consult(_even_odds([rival]), {"q2": True}, engine="reference").recommendation
    assert before.approach == after.approach == "a0"
    assert before.robustness == after.robustness == 0.5
    assert before.level == "low" and [t.approach for t in before.tied] == ["a1"]
    assert after.confidence <= before.confidence and after.level == "low"
