"""The durable_rules engine and the reference evaluator agree: same firings, conclusions and outcome."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from decider import load_rulebase
from decider.engine.durable_engine import DurableEngine
from decider.engine.evaluation import Evaluation
from decider.policy.outcome import decide
from decider.engine.reference import ReferenceEngine
from decider.rulebase.answers import validate_answers
from decider.rulebase.model import ChoiceQuestion, NumberQuestion, Rulebase, ScaleQuestion

from conftest import FIXTURES


def answer_values(question: Any) -> st.SearchStrategy[Any]:
    """Any valid answer to the question, "unknown" included, numbers near interesting values."""
    unknown = st.just("unknown")
    if isinstance(question, ChoiceQuestion):
        return st.one_of(unknown, st.sampled_from([c.id for c in question.choices]))
    if isinstance(question, ScaleQuestion):
        return st.one_of(unknown, st.integers(question.min, question.max))
    if isinstance(question, NumberQuestion):
        lo, hi = question.min, question.max
        return st.one_of(unknown, st.integers(int(lo), int(hi)),
                         st.floats(lo, hi, allow_nan=False).map(lambda x: round(x, 3)), st.sampled_from([lo, hi]))
    return st.one_of(unknown, st.booleans())


def answers_for(rulebase: Rulebase) -> st.SearchStrategy[dict[str, Any]]:
    """A random subset of the questions with random answers (left-out questions are unanswered)."""
    return st.fixed_dictionaries({}, optional={q.id: answer_values(q) for q in rulebase.questions})


def assert_agree(rulebase: Rulebase, durable: DurableEngine, reference: ReferenceEngine, raw: dict[str, Any]) -> None:
    answers = validate_answers(rulebase, raw)
    left: Evaluation = durable.run(answers)
    right: Evaluation = reference.run(answers)
    assert set(left.firings) == set(right.firings), raw
    assert len(left.firings) == len(right.firings), raw
    assert left.conclusions == right.conclusions
    assert left.figures == right.figures
    assert decide(rulebase, answers, left) == decide(rulebase, answers, right)


SHIPPED = load_rulebase()
SHIPPED_DURABLE = DurableEngine(SHIPPED)
SHIPPED_REFERENCE = ReferenceEngine(SHIPPED)


@settings(max_examples=400, deadline=None)
@given(answers_for(SHIPPED))
def test_engines_agree_on_the_shipped_rulebase(raw: dict[str, Any]) -> None:
    assert_agree(SHIPPED, SHIPPED_DURABLE, SHIPPED_REFERENCE, raw)


CHAIN = load_rulebase(FIXTURES / "chain")
CHAIN_DURABLE = DurableEngine(CHAIN)
CHAIN_REFERENCE = ReferenceEngine(CHAIN)


@settings(max_examples=300, deadline=None)
@given(answers_for(CHAIN))
def test_engines_agree_on_a_three_level_chain_with_negation(raw: dict[str, Any]) -> None:
    assert_agree(CHAIN, CHAIN_DURABLE, CHAIN_REFERENCE, raw)


def test_the_chain_fixture_really_chains_three_levels() -> None:
    answers = validate_answers(CHAIN, {"q1": True, "q2": "x", "q4": 4})
    fired = [f.rule for f in CHAIN_DURABLE.run(answers).firings]
    assert fired.index("r1") < fired.index("r2") < fired.index("r3")
    assert "r4" not in fired  # negated level3 holds, so r4 must not fire


# ---------------------------------------------------------------- random rulebases

IDENT = st.sampled_from


@st.composite
def rulebases(draw: st.DrawFn) -> dict[str, Any]:
    """A random valid rulebase as YAML-ready data: questions of every kind, layered conclusions
    (so chains and negation stay acyclic), nested all/any/not conditions, all effect kinds."""
    questions: list[dict[str, Any]] = []
    for i in range(draw(st.integers(1, 5))):
        kind = draw(st.sampled_from(["boolean", "choice", "number", "scale"]))
        q: dict[str, Any] = {"id": f"q{i}", "kind": kind, "text": f"Question {i}?"}
        if kind == "choice":
            q["choices"] = [{"id": f"c{j}", "label": f"C{j}"} for j in range(draw(st.integers(2, 3)))]
        elif kind == "number":
            q.update(unit="units", min=0, max=100)
        elif kind == "scale":
            q.update(min=1, max=5)
        questions.append(q)
    n_conclusions = draw(st.integers(0, 5))
    conclusions = [{"id": f"k{i}", "kind": "finding", "title": f"K{i}"} for i in range(n_conclusions)]
    conclusions.append({"id": "risk", "kind": "risk", "title": "A risk"})
    approaches = [{"id": f"a{i}", "title": f"A{i}"} for i in range(draw(st.integers(2, 3)))]

    def test(q: dict[str, Any]) -> dict[str, Any]:
        kind = q["kind"]
        if draw(st.integers(0, 9)) == 0:
            return {"answer": q["id"], "is": draw(st.sampled_from(["unknown", "known"]))}
        if kind == "boolean":
            return {"answer": q["id"], draw(st.sampled_from(["==", "!="])): draw(st.booleans())}
        if kind == "choice":
            ids = [c["id"] for c in q["choices"]]
            if draw(st.booleans()):
                return {"answer": q["id"], "in": draw(st.lists(st.sampled_from(ids), min_size=1, max_size=2, unique=True))}
            return {"answer": q["id"], draw(st.sampled_from(["==", "!="])): draw(st.sampled_from(ids))}
        op = draw(st.sampled_from(["==", "!=", "<", "<=", ">", ">="]))
        value = draw(st.integers(1, 5)) if kind == "scale" else draw(st.sampled_from([0, 10, 50, 50.5, 99]))
        return {"answer": q["id"], op: value}

    def condition(depth: int, visible: int) -> dict[str, Any]:
        choice = draw(st.integers(0, 5 if depth < 3 else 1))
        if choice == 1 and visible:
            return {"conclusion": f"k{draw(st.integers(0, visible - 1))}"}
        if choice in (0, 1):
            return test(draw(st.sampled_from(questions)))
        if choice == 2:
            return {"not": condition(depth + 1, visible)}
        key = "all" if choice in (3, 4) else "any"
        return {key: [condition(depth + 1, visible) for _ in range(draw(st.integers(1, 3)))]}

    rules = []
    for i in range(draw(st.integers(1, 8))):
        target = draw(st.integers(-1, n_conclusions - 1)) if n_conclusions else -1
        visible = target if target >= 0 else n_conclusions
        effects: list[dict[str, Any]] = []
        if target >= 0:
            effects.append({"conclude": f"k{target}"})
        approach = draw(st.sampled_from(approaches))["id"]
        verb = draw(st.sampled_from(["support", "oppose", "support", "oppose", "exclude"]))
        effects.append({verb: approach} if verb == "exclude" else
                       {verb: approach, "weight": draw(st.sampled_from([1, 2, 0.5, 3]))})
        if draw(st.booleans()):
            effects.append({"flag": "risk", "severity": draw(st.sampled_from(["low", "medium", "high"]))})
        rules.append({"id": f"r{i}", "when": condition(0, visible), "then": effects, "because": "b", "cite": "P1"})
    return {
        "rulebase": {"id": "generated", "version": "1", "title": "Generated"},
        "sources": [{"id": "essay", "title": "E", "sections": ["P1"]}],
        "policy": {"default": approaches[0]["id"], "tie_break": [a["id"] for a in approaches],
                   "complementary_min_score": 1, "confidence": {"margin_scale": 2, "unknown_penalty": 0.5}},
        "approaches": approaches,
        "questions": questions,
        "figures": [],
        "conclusions": conclusions,
        "rules": rules,
    }


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(rulebases(), st.data())
def test_engines_agree_on_random_rulebases(document: dict[str, Any], data: st.DataObject) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "rules.yaml").write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
        rulebase = load_rulebase(tmp)
    reference = ReferenceEngine(rulebase)
    with DurableEngine(rulebase) as durable:
        for _ in range(8):
            assert_agree(rulebase, durable, reference, data.draw(answers_for(rulebase)))


def test_a_rule_whose_or_repeats_a_test_runs_once_per_path_without_tripping_the_budget(tmp_path: Path) -> None:
    """not(all(A, A, all(A, A, A))) compiles to an `$or` of five equal tests: durable_rules runs the rule
    once per matching path (five), which the action budget must allow (found by the random-rulebase test)."""
    test = {"answer": "q0", "==": "c0"}
    document = {
        "rulebase": {"id": "generated", "version": "1", "title": "Generated"},
        "sources": [{"id": "essay", "title": "E", "sections": ["P1"]}],
        "policy": {"default": "a0", "tie_break": ["a0", "a1"], "confidence": {"margin_scale": 2}},
        "approaches": [{"id": "a0", "title": "A0"}, {"id": "a1", "title": "A1"}],
        "questions": [{"id": "q0", "kind": "choice", "text": "Q?", "choices": [
            {"id": "c0", "label": "C0"}, {"id": "c1", "label": "C1"}]}],
        "conclusions": [],
        "rules": [{"id": "r0", "when": {"not": {"all": [test, test, {"all": [test, test, test]}]}},
                   "then": [{"support": "a0", "weight": 1}], "because": "b", "cite": "P1"}],
    }
    (tmp_path / "rules.yaml").write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    rulebase = load_rulebase(tmp_path)
    reference = ReferenceEngine(rulebase)
    with DurableEngine(rulebase) as durable:
        for raw in ({}, {"q0": "c1"}, {"q0": "c0"}):
            assert_agree(rulebase, durable, reference, raw)
