"""Counting over completions is exact: `Completions.count` (variable elimination) equals a brute force that
walks every completion of the open answers one by one.  The brute force is this test's oracle: it uses
only the model's per-completion primitives (`consistent`, `fix`, `statuses`, `outcome`), never the
elimination."""

from __future__ import annotations

import tempfile
from fractions import Fraction
from itertools import product
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from decider import load_rulebase
from decider.engine.completions import NO_WINS, Completions, Tally, Wins
from decider.engine.kleene import T, U
from decider.engine.witness import wins_somewhere
from decider.interview.lookahead import lookahead, moves_no_winner
from decider.interview.planner import answer_classes, checked
from decider.rulebase.model import Rulebase
from planner_support import scenarios
from test_engine_agreement import rulebases

SHIPPED = load_rulebase()


def brute_force(model: Completions, tv: tuple[int, ...]) -> Tally:
    """Each approach's wins, summed completion by completion."""
    open_vars = [key for key, tests in model.var_tests.items() if any(tv[t] == U for t in tests)]
    domains = [model.exact_weights(tv, key) for key in open_vars]
    masses: dict[str, list[Fraction]] = {}
    strength: dict[str, Fraction] = {}
    levels: dict[str, frozenset[str]] = {}
    for choice in product(*domains):
        completion = tv
        mass = Fraction(1)
        for key, (klass, weight) in zip(open_vars, choice):
            completion = model.fix(completion, key, klass)
            mass *= weight
        status = model.statuses(completion)
        key = sum((model.contribution[i] for i in model.deciding if status[i] == T), model.zero)
        leaf = model.outcome(key)
        into = masses.setdefault(leaf.winner, [Fraction(0), Fraction(0)])
        into[0] += mass
        strength[leaf.winner] = strength.get(leaf.winner, Fraction(0)) + mass * Fraction(leaf.strength)
        if leaf.level:
            into[1] += mass
            levels[leaf.winner] = levels.get(leaf.winner, frozenset()) | leaf.level
    return {a: Wins(float(m), float(strength[a]), float(lm), levels.get(a, frozenset())) for a, (m, lm) in masses.items()}


def assert_same(found: Tally, expected: Tally) -> None:
    assert set(found) == set(expected), (found, expected)
    for approach, wins in expected.items():
        got = found[approach]
        assert got.mass == wins.mass, (approach, got, wins)  # exact: both are correctly rounded fractions
        assert abs(got.strength - wins.strength) < 1e-9, (approach, got, wins)
        assert got.level_mass == wins.level_mass and got.level == wins.level, (approach, got, wins)


def known_answers(rulebase: Rulebase, question_id: str) -> list[Any]:
    """A representative answer of each known answer class of the question."""
    return [c.answer for c in answer_classes(rulebase, question_id) if c.answer != "unknown"]


def _load(document: dict[str, Any]) -> Rulebase:
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "rules.yaml").write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
        return load_rulebase(tmp)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(rulebases(), st.data())
def test_counting_equals_the_brute_force_on_generated_rulebases(document: dict[str, Any], data: st.DataObject) -> None:
    rulebase = _load(document)
    answers: dict[str, Any] = {}
    for question in rulebase.questions:
        if data.draw(st.booleans()):
            answers[question.id] = data.draw(st.sampled_from(known_answers(rulebase, question.id)))
    model = Completions(rulebase)
    tv, _ = model.truths(checked(rulebase, answers))
    assert_same(model.count(tv), brute_force(model, tv))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_counting_equals_the_brute_force_on_the_shipped_rulebase(data: st.DataObject) -> None:
    """A few questions left open (the brute force walks every completion), the rest answered."""
    questions = [q.id for q in SHIPPED.questions]
    left_open = set(data.draw(st.lists(st.sampled_from(questions), min_size=1, max_size=5, unique=True)))
    answers = {q: data.draw(st.sampled_from(known_answers(SHIPPED, q)))
               for q in questions if q not in left_open}
    model = Completions(SHIPPED)
    tv, _ = model.truths(checked(SHIPPED, answers))
    assert_same(model.count(tv), brute_force(model, tv))


def some_answers(data: st.DataObject, rulebase: Rulebase) -> dict[str, Any]:
    """Known answers to a random subset of the questions (the rest left open)."""
    return {q.id: data.draw(st.sampled_from(known_answers(rulebase, q.id)))
            for q in rulebase.questions if data.draw(st.booleans())}


SHARED = Completions(SHIPPED)
"""One model across examples, so its memo of open figures' truths is warm with other answers' entries."""


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_open_figures_read_the_same_from_the_memo_as_computed_afresh(data: st.DataObject) -> None:
    """The truths of tests on an open figure, memoised by the answers to its inputs, equal a fresh model's."""
    answers = some_answers(data, SHIPPED)
    given_answers = checked(SHIPPED, answers)
    for _ in range(2):  # the second read comes from the memo
        assert SHARED.truths(given_answers) == Completions(SHIPPED).truths(given_answers)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(rulebases(), st.data())
def test_a_drawn_witness_says_what_the_count_says(document: dict[str, Any], data: st.DataObject) -> None:
    """`wins_some` (drawn completions, then the count) is True exactly for the approaches with a positive
    mass of wins, and `split` exactly when the count has more than one winner, on generated rulebases."""
    rulebase = _load(document)
    answers = some_answers(data, rulebase)
    tv, _ = Completions(rulebase).truths(checked(rulebase, answers))
    tally = brute_force(Completions(rulebase), tv)
    model = Completions(rulebase)  # a fresh model: no count memoised, so the draws are what answers
    assert model.split(tv) == (len(Completions(rulebase).count(tv)) > 1)
    for approach in model.approaches:
        assert model.wins_some(tv, approach) == (tally.get(approach, NO_WINS).mass > 0), approach


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_a_drawn_witness_says_what_the_count_says_on_the_shipped_rulebase(data: st.DataObject) -> None:
    """As on generated rulebases; and the bounded search alone, within its usual budget, either gives
    up or says what the count says."""
    tv, _ = SHARED.truths(checked(SHIPPED, some_answers(data, SHIPPED)))
    tally = SHARED.count(tv)
    model = Completions(SHIPPED)
    assert model.split(tv) == (len(tally) > 1)
    for approach in model.approaches:
        wins = tally.get(approach, NO_WINS).mass > 0
        assert model.wins_some(tv, approach) == wins, approach
        assert wins_somewhere(Completions(SHIPPED), tv, approach) in (None, wins), approach


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(rulebases(), st.data())
def test_the_bounded_search_proves_what_the_brute_force_finds(document: dict[str, Any], data: st.DataObject) -> None:
    """`wins_somewhere` alone (no draws): with budget to finish it says exactly whether the brute force
    gives the approach a positive mass of wins; with a small budget it may give up (None) but never
    answers wrongly.  Its three-valued bound prunes; a bound that pruned a branch the approach wins
    somewhere would fail here."""
    rulebase = _load(document)
    answers = some_answers(data, rulebase)
    model = Completions(rulebase)
    tv, _ = model.truths(checked(rulebase, answers))
    tally = brute_force(model, tv)
    budget = data.draw(st.integers(min_value=1, max_value=30))
    for approach in model.approaches:
        truth = tally.get(approach, NO_WINS).mass > 0
        assert wins_somewhere(model, tv, approach, budget=10**6) == truth, approach
        assert wins_somewhere(model, tv, approach, budget=budget) in (None, truth), approach


def depends_by_brute_force(model: Completions, tv: tuple[int, ...], key: Any, classes: tuple[int, ...]) -> bool:
    """Some completion of the other open variables has different winners for two of `key`'s classes."""
    others = [k for k, tests in model.var_tests.items() if k != key and any(tv[t] == U for t in tests)]
    for choice in product(*(model.exact_weights(tv, k) for k in others)):
        completion = tv
        for other, (klass, _) in zip(others, choice):
            completion = model.fix(completion, other, klass)
        winners = set()
        for klass in classes:
            status = model.statuses(model.fix(completion, key, klass))
            winners.add(model.outcome(sum((model.contribution[i] for i in model.deciding if status[i] == T),
                                          model.zero)).winner)
        if len(winners) > 1:
            return True
    return False


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(rulebases(), st.data())
def test_a_question_bears_deeper_exactly_between_the_count_and_the_brute_force(document: dict[str, Any],
                                                                              data: st.DataObject) -> None:
    """`Lookahead.bears_deeper` answers from a drawn witness before it counts: it must hold wherever the
    counted shares of winners differ between the variable's classes, and only where some completion's
    winner does change with the class (brute force)."""
    rulebase = _load(document)
    position = lookahead(rulebase, checked(rulebase, some_answers(data, rulebase)))
    model = Completions(rulebase)
    for key in position.bearing:
        classes = position.classes[key]
        shares = set()
        for klass in classes:
            tally = model.count(model.fix(position.unasked, key, klass))
            total = sum(w.mass for w in tally.values()) or 1.0
            shares.add(tuple(sorted((a, round(w.mass / total, 9)) for a, w in tally.items() if w.mass > 0)))
        deeper = position.bears_deeper(key)
        if len(shares) > 1:
            assert deeper, key
        if deeper:
            assert depends_by_brute_force(model, position.unasked, key, classes), key


def _possible(model: Completions, tv: tuple[int, ...], key: Any, classes: tuple[int, ...]) -> frozenset[str]:
    """The approaches that win some completion of `tv` with one of `key`'s classes."""
    return frozenset(a for a in model.approaches if any(model.wins_some(model.fix(tv, key, k), a) for k in classes))


def _counted_shares_differ(model: Completions, tv: tuple[int, ...], key: Any, classes: tuple[int, ...]) -> bool:
    shares = set()
    for klass in classes:
        tally = model.count(model.fix(tv, key, klass))
        total = sum(w.mass for w in tally.values()) or 1.0
        shares.add(tuple(sorted((a, round(w.mass / total, 9)) for a, w in tally.items() if w.mass > 0)))
    return len(shares) > 1


def test_a_variable_taken_for_inert_leaves_the_counted_shares_alone_on_the_golden_walks() -> None:
    """On the shipped rulebase, at every state of the golden interviews where the planner has to look
    deeper (no single answer changes the leader), a variable `moves_no_winner` calls inert gives the
    winners the same counted shares with every class (so `bears_deeper` may deny it without counting)."""
    from decider.interview.planner import next_question

    model = Completions(SHIPPED)
    checked_keys = 0
    for name, given_answers in scenarios():
        answers: dict[str, Any] = {}
        while (question := next_question(SHIPPED, answers)) is not None:
            position = lookahead(SHIPPED, checked(SHIPPED, answers))
            if not position.changing():
                for key in position.bearing:
                    classes = position.classes[key]
                    if moves_no_winner(model, position.unasked, key, _possible(model, position.unasked, key, classes)):
                        checked_keys += 1
                        assert not _counted_shares_differ(model, position.unasked, key, classes), \
                            (name, answers, key)
            answers[question.id] = given_answers.get(question.id, "unknown")
    assert checked_keys > 0


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(rulebases(), st.data())
def test_a_variable_that_moves_no_possible_winner_changes_no_completions_winner(document: dict[str, Any],
                                                                              data: st.DataObject) -> None:
    """`moves_no_winner` (the look-ahead's proof that a variable cannot matter) is sound: no completion
    of the other open variables has different winners for two of its classes (brute force)."""
    rulebase = _load(document)
    position = lookahead(rulebase, checked(rulebase, some_answers(data, rulebase)))
    model = Completions(rulebase)
    for key in position.bearing:
        classes = position.classes[key]
        if moves_no_winner(model, position.unasked, key, _possible(model, position.unasked, key, classes)):
            assert not depends_by_brute_force(model, position.unasked, key, classes), key


def _tiny(tie_break: list[str], rules: list[dict[str, Any]]) -> Rulebase:
    return _load({
        "rulebase": {"id": "tiny", "version": "1", "title": "Tiny"},
        "sources": [{"id": "essay", "title": "E", "sections": ["P1"]}],
        "policy": {"default": "a0", "tie_break": tie_break, "confidence": {"margin_scale": 2}},
        "approaches": [{"id": a, "title": a.upper()} for a in ("a0", "a1", "a2")],
        "questions": [{"id": q, "kind": "boolean", "text": f"{q}?"} for q in ("k", "j")],
        "conclusions": [],
        "rules": [{"id": f"r{i}", "when": when, "then": then, "because": "b", "cite": "P1"}
                  for i, (when, then) in enumerate((r["when"], r["then"]) for r in rules)],
    })


@pytest.mark.parametrize("rulebase", [
    # opposing an approach that never wins decides whether anything weighed, so whether the default stands
    _tiny(["a1", "a0", "a2"], [{"when": {"answer": "k", "==": True}, "then": [{"oppose": "a2", "weight": 1}]}]),
    # excluding the approach that would win gives the win to another
    _tiny(["a0", "a1", "a2"], [{"when": {"answer": "j", "==": True}, "then": [{"support": "a1", "weight": 1}]},
                               {"when": {"answer": "k", "==": True}, "then": [{"exclude": "a1"}]}]),
], ids=["weighed-or-not", "exclusion"])
def test_a_variable_that_only_decides_weighing_or_eligibility_is_not_taken_for_inert(rulebase: Rulebase) -> None:
    """The two ways a rule can change the winner without weighing a possible winner, each where `k` is
    the only open question whose class matters: `moves_no_winner` must not call it inert."""
    position = lookahead(rulebase, checked(rulebase, {"j": True}))
    model = Completions(rulebase)
    key = ("answer", "k")
    classes = position.classes[key]
    assert depends_by_brute_force(model, position.unasked, key, classes)
    assert not moves_no_winner(model, position.unasked, key, _possible(model, position.unasked, key, classes))


def test_the_default_wins_where_nothing_weighs_even_when_the_scores_would_rank_it_last() -> None:
    """The search's bound must let the default win a completion in which no rule weighs (the policy then
    keeps the default whatever the tie-break says): with `k` open, "no" is such a completion."""
    rulebase = _tiny(["a1", "a0", "a2"], [{"when": {"answer": "k", "==": True}, "then": [{"support": "a1", "weight": 1}]}])
    model = Completions(rulebase)
    tv, _ = model.truths(checked(rulebase, {}))
    assert brute_force(model, tv).get("a0", NO_WINS).mass > 0
    assert wins_somewhere(model, tv, "a0", budget=10**6) is True
