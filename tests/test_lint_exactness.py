"""The analysis behind lint is exact: on any concrete answers, the class-level evaluation of every rule and
conclusion agrees with the reference evaluator, and the cross-check's covering set covers every pair."""

from __future__ import annotations

import itertools
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from decider.engine.reference import ReferenceEngine
from decider.lint.answer_space import build_space
from decider.lint.cross_check import covering_answers
from decider.lint.formulas import Evaluator
from decider.lint.search import Solver
from decider.rulebase.answers import validate_answers
from decider.rulebase.loader import load_rulebase
from decider.rulebase.model import BooleanQuestion, ChoiceQuestion, Rulebase, ScaleQuestion

FIXTURES = Path(__file__).parent / "fixtures" / "lint"
LOADABLE = ["clean", "conflict", "figure_conflict", "gap", "no_influence", "redundant", "tie", "unreachable"]


def rulebases() -> list[tuple[str, Rulebase]]:
    found = [("shipped", load_rulebase())]
    found += [(name, load_rulebase(FIXTURES / name)) for name in LOADABLE]
    return found


RULEBASES = rulebases()


def answers_for(rulebase: Rulebase) -> st.SearchStrategy[dict[str, object]]:
    """Any valid answers: each question left out, "unknown", or a value (numbers near every bound often)."""
    space = build_space(rulebase)
    fields = {}
    for question in rulebase.questions:
        if isinstance(question, BooleanQuestion):
            known: st.SearchStrategy[object] = st.booleans()
        elif isinstance(question, ChoiceQuestion):
            known = st.sampled_from([c.id for c in question.choices])
        else:
            low, high = question.min, question.max  # type: ignore[union-attr]
            edges = sorted({b for c in space.classes[("answer", question.id)] for b in (c.low, c.high) if b is not None})
            near = [e + d for e in edges for d in (Decimal(-1), Decimal(0), Decimal(1)) if low <= e + d <= high]
            whole = st.integers(int(low), int(high)) | st.sampled_from([int(n) if n == int(n) else float(n) for n in near])
            known = whole if isinstance(question, ScaleQuestion) else whole | st.floats(low, high).map(lambda x: round(x, 3))
        fields[question.id] = st.none() | st.just("unknown") | known
    return st.fixed_dictionaries(fields).map(lambda d: {k: v for k, v in d.items() if v is not None})


@pytest.mark.parametrize(("name", "rulebase"), RULEBASES, ids=[n for n, _ in RULEBASES])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_class_level_evaluation_matches_the_reference_evaluator(name: str, rulebase: Rulebase, data: st.DataObject) -> None:
    space = build_space(rulebase)
    evaluator = Evaluator(rulebase, space)
    solver = Solver(rulebase, space, evaluator)
    raw = data.draw(answers_for(rulebase))
    answers = validate_answers(rulebase, raw)
    run = ReferenceEngine(rulebase).run(answers)
    full = solver.classify(dict(answers.root))
    assert {r.id for r in rulebase.rules if evaluator.fires(r.id, full)} == set(run.fired())
    assert {c.id for c in rulebase.conclusions if evaluator.concluded(c.id, full)} == set(run.conclusions)


@pytest.mark.parametrize(("name", "rulebase"), RULEBASES, ids=[n for n, _ in RULEBASES])
def test_covering_set_holds_every_pair_of_value_classes(name: str, rulebase: Rulebase) -> None:
    space = build_space(rulebase)
    rows = covering_answers(rulebase, space)
    classified = [{q.id: space.classify(("answer", q.id), row[q.id]) for q in rulebase.questions} for row in rows]
    for a, b in itertools.combinations([q.id for q in rulebase.questions], 2):
        wanted = {(i, j) for i in range(len(space.classes[("answer", a)])) for j in range(len(space.classes[("answer", b)]))}
        assert wanted <= {(row[a], row[b]) for row in classified}, (a, b)
    for row in rows:
        validate_answers(rulebase, row)


def test_value_classes_split_numbers_at_every_threshold() -> None:
    rulebase = load_rulebase(FIXTURES / "unreachable")
    labels = [c.label for c in build_space(rulebase).classes[("answer", "size")]]
    assert labels == ["0 <= x < 50", "= 50", "50 < x < 100", "= 100", "100 < x <= 1000", "unknown"]
