"""Verifying against a changed rulebase names the hash mismatch, the rule changes, and what replay changes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from decider import consult, load_rulebase
from decider.audit.changes import rulebase_changes
from decider.rulebase.model import Rulebase
from conftest import run_cli
from tests.audit.conftest import FIXTURE_RULES, edited_rules

DOCUMENTS = {"knowledge": "documents"}


def _change(rules: list[dict[str, Any]]) -> None:
    """Drop latency_case, halve documents_to_retrieval's weight, add a new rule."""
    rules[:] = [r for r in rules if r["id"] != "latency_case"]
    for rule in rules:
        if rule["id"] == "documents_to_retrieval":
            rule["then"][0]["weight"] = 0.5
    rules.append({"id": "documents_cited", "when": {"answer": "knowledge", "==": "documents"},
                  "then": [{"support": "prompt_eval", "weight": 1}], "because": "Cited answers need retrieval.",
                  "cite": ["P8"]})


def test_rule_changes_are_listed_by_canonical_content(tmp_path: Path, fixture_rulebase: Rulebase) -> None:
    new = load_rulebase(edited_rules(tmp_path / "new", _change))
    changes = rulebase_changes(fixture_rulebase, new)
    assert changes.added == ("documents_cited",)
    assert changes.removed == ("latency_case",)
    assert changes.changed == ("documents_to_retrieval",)
    assert changes.sections == () and not changes.reordered
    same = load_rulebase(edited_rules(tmp_path / "same", lambda rules: None))
    assert rulebase_changes(fixture_rulebase, same).describe() == "no difference in content"


def test_verify_names_the_rulebase_change_and_its_effect(tmp_path: Path, fixture_rulebase: Rulebase) -> None:
    new_dir = edited_rules(tmp_path / "new", _change)
    trace = tmp_path / "t.json"
    trace.write_text(consult(fixture_rulebase, DOCUMENTS).trace.to_json())

    result = run_cli("audit", "verify", trace, "--rules", new_dir, "--old-rules", FIXTURE_RULES)
    assert result.returncode == 1
    out = result.stdout
    assert "[rulebase] different rulebase: recorded under audit_fixture 1.0.0" in out
    assert ("rules added: documents_cited; rules removed: latency_case; rules changed: documents_to_retrieval") in out
    assert "[firings] rule documents_cited fires on replay but its firing is missing from the trace" in out
    assert "[firings] rule documents_to_retrieval fired differently: effects: supports retrieval +3 (recorded) vs supports retrieval +0.5 (replay)" in out
    assert "[result] result differs from replay:" in out and "[digest]" not in out

    without_old = run_cli("audit", "verify", trace, "--rules", new_dir)
    assert "pass --old-rules with the recorded rulebase to list the rule changes" in without_old.stdout

    wrong_old = run_cli("audit", "verify", trace, "--rules", new_dir, "--old-rules", new_dir)
    assert "--old-rules holds sha256" in wrong_old.stdout and "not the recorded rulebase" in wrong_old.stdout


def test_answers_that_no_longer_fit_are_reported(tmp_path: Path, fixture_rulebase: Rulebase) -> None:
    trace = tmp_path / "t.json"
    trace.write_text(consult(fixture_rulebase, {"knowledge": "documents", "latency_ms": 100}).trace.to_json())
    new_dir = edited_rules(tmp_path / "new", lambda rules: None)
    questions = new_dir / "questions.yaml"
    questions.write_text(questions.read_text().replace("max: 600000", "max: 50"))
    result = run_cli("audit", "verify", trace, "--rules", new_dir)
    assert result.returncode == 1
    assert "[answers] the recorded answers do not fit this rulebase: 100 is out of range 1–50 ms [latency_ms]" in result.stdout
