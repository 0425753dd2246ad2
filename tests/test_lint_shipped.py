"""The shipped rulebase (whatever `rules/` holds) lints clean: no errors, every warning explained."""

from __future__ import annotations


from decider.policy.outcome import decide
from decider.engine.reference import ReferenceEngine
from decider.lint.linter import lint_rulebase
from decider.rulebase.answers import validate_answers
from decider.rulebase.loader import default_rules_dir, load_rulebase


def test_shipped_rulebase_has_no_lint_errors() -> None:
    report = lint_rulebase()
    assert report.summary.loaded
    assert [str(f) for f in report.findings if f.level == "error"] == []


def test_every_witness_on_the_shipped_rulebase_is_confirmed_by_the_reference_evaluator() -> None:
    rulebase = load_rulebase()
    engine = ReferenceEngine(rulebase)
    for found in lint_rulebase().findings:
        if found.witness is not None and found.code in ("W303", "W304"):
            assert set(found.rules) <= engine.run(validate_answers(rulebase, found.witness)).fired(), str(found)


def test_every_warning_on_the_shipped_rulebase_is_explained_in_rules_readme() -> None:
    text = (default_rules_dir() / "README.md").read_text(encoding="utf-8")
    codes = sorted({f.code for f in lint_rulebase().findings if f.level == "warning"})
    assert [c for c in codes if c not in text] == [], "explain these lint warnings in rules/README.md"


def test_shipped_rulebase_is_checked_exhaustively() -> None:
    """No check on the shipped rulebase ends undecided: every finding and every absence is exact."""
    report = lint_rulebase()
    assert [str(f) for f in report.findings if f.code == "W308"] == []
    assert report.summary.undecided == 0


def test_every_tie_and_gap_witness_on_the_shipped_rulebase_is_confirmed_by_the_policy() -> None:
    """A W305 witness is a completion (every answer bearing on the tie known) for which the policy
    itself discloses the same tie, at confidence 0; a W306 witness leaves the default to apply."""
    rulebase = load_rulebase()
    engine = ReferenceEngine(rulebase)
    ties = 0
    for found in lint_rulebase().findings:
        if found.code not in ("W305", "W306"):
            continue
        answers = validate_answers(rulebase, found.witness or {})
        outcome = decide(rulebase, answers, engine.run(answers))
        if found.code == "W306":
            assert outcome.defaulted, str(found)
            continue
        ties += 1
        tied = tuple(found.message.split(" tie at")[0].removeprefix("approaches ").split(", "))
        assert tuple(sorted((outcome.primary, *outcome.tied))) == tied, (str(found), outcome.tied)
        assert outcome.settled and outcome.confidence == 0, str(found)
        assert found.message.endswith(f"picks {outcome.primary!r}"), str(found)
    assert ties > 0  # the shipped rulebase has ties the tie_break order decides (rules/README.md)
