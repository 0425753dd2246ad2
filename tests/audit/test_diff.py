"""`decider audit diff`: exactly the cases whose advice changes, with the rules whose firing differs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from decider import consult, load_rulebase
from decider.audit.compare import advice
from decider.audit.diff import collect_cases, diff_cases
from decider.rulebase.answers_file import read_answers_document
from decider.rulebase.model import Oppose, Rulebase, Support
from conftest import run_cli
from tests.audit.conftest import FIXTURE_RULES, REPO, edited_rules, sample_answers

SHIPPED = REPO / "rules"


def _set_weight(rule_id: str, weight: float) -> Any:
    def edit(rules: list[dict[str, Any]]) -> None:
        for rule in rules:
            if rule["id"] == rule_id:
                for effect in rule["then"]:
                    if "weight" in effect:
                        effect["weight"] = weight
                        return
        raise AssertionError(rule_id)
    return edit


def _write_cases(directory: Path, rulebase: Rulebase, count: int) -> list[Path]:
    """The examples and scenarios that fit the rulebase, plus generated answers files."""
    directory.mkdir()
    paths = []
    for example in sorted(p for p in (REPO / "examples").rglob("*") if p.suffix in (".yaml", ".yml", ".json")):
        target = directory / f"example-{len(paths)}-{example.name}"
        target.write_bytes(example.read_bytes())
        paths.append(target)
    for number, answers in enumerate(sample_answers(rulebase, count)):
        target = directory / f"case-{number:03}.yaml"
        target.write_text(yaml.safe_dump(answers))
        paths.append(target)
    return paths


def _oracle(old: Rulebase, new: Rulebase, paths: list[Path]) -> set[str]:
    """The cases whose advice differs, computed directly with the reference evaluator."""
    changed = set()
    for path in paths:
        answers = read_answers_document(path).data or {}
        before = consult(old, answers, engine="reference").trace.result
        after = consult(new, answers, engine="reference").trace.result
        if advice(before) != advice(after):
            changed.add(str(path))
    return changed


def test_a_weight_change_in_the_shipped_rulebase_reports_exactly_the_changed_scenarios(tmp_path: Path) -> None:
    old = load_rulebase(SHIPPED)
    paths = _write_cases(tmp_path / "cases", old, 60)
    weighed = [r.id for r in old.rules if any(isinstance(e, (Support, Oppose)) for e in r.then)]
    assert weighed
    for rule_id in weighed:  # the first weighed rule whose change moves some, but not all, advice
        new_dir = edited_rules(tmp_path / f"new-{rule_id}", _set_weight(rule_id, 40), source=SHIPPED)
        expected = _oracle(old, load_rulebase(new_dir), paths)
        if 0 < len(expected) < len(paths):
            break
    else:
        pytest.fail("no single weight change altered the advice of some cases")

    result = run_cli("audit", "diff", "--old", SHIPPED, "--new", new_dir, tmp_path / "cases", "--format", "json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    reported = {c["case"] for c in report["cases"] if c["status"] == "changed"}
    assert reported == expected
    assert {c["case"] for c in report["cases"]} == {str(p) for p in paths}
    assert report["changes"]["changed"] == [rule_id]
    for case in report["cases"]:
        if case["status"] == "changed":
            assert [d["rule"] for d in case["rules"]] == [rule_id]

    text = run_cli("audit", "diff", "--old", SHIPPED, "--new", new_dir, tmp_path / "cases", "--check")
    assert text.returncode == 1
    assert text.stdout.splitlines()[-1] == f"{len(paths)} cases, {len(expected)} changed"


def test_diff_over_answers_traces_and_logs_names_the_rule(tmp_path: Path, fixture_rulebase: Rulebase) -> None:
    new_dir = edited_rules(tmp_path / "new", _set_weight("documents_to_retrieval", 0.5))
    documents = tmp_path / "documents.yaml"
    documents.write_text("knowledge: documents\npersona: true\ngeneral_skills: true\n")
    scenario = tmp_path / "format.yaml"
    scenario.write_text("context: a format case\nanswers:\n  structured_output: true\n  knowledge: none\nexpect: {}\n")
    trace = tmp_path / "documents.trace.json"
    trace.write_text(consult(fixture_rulebase, {"knowledge": "documents"}).trace.to_json())
    log = tmp_path / "decisions.log"
    consult(fixture_rulebase, {"structured_output": True}, log=log)
    consult(fixture_rulebase, {"knowledge": "documents", "persona": True}, log=log)

    result = run_cli("audit", "diff", "--old", FIXTURE_RULES, "--new", new_dir, documents, scenario, trace, log)
    assert result.returncode == 0, result.stderr
    out = result.stdout.splitlines()
    assert out[0].endswith("rules changed: documents_to_retrieval")
    assert f"{documents}: CHANGED" in out
    position = out.index(f"{documents}: CHANGED")
    # the fixture leaves most questions open, so the policy weighs their completions (confidence is low)
    assert out[position + 1] == "  old: retrieval (28%), with [fine_tune], risks [forgetting (medium), maintenance (medium)]"
    assert out[position + 2] == "  new: fine_tune (2%), risks [forgetting (medium), maintenance (medium)]"
    assert out[position + 3] == ("  rule documents_to_retrieval: effects: supports retrieval +3 (old) vs "
                                 "supports retrieval +0.5 (new)")
    assert f"{trace}: CHANGED" in out
    assert any(line.startswith(f"{scenario}: same advice — fine_tune") for line in out)
    assert any(line.startswith(f"{log}:1 (record 0): same advice") for line in out)
    assert f"{log}:2 (record 1): CHANGED" in out
    position = out.index(f"{log}:2 (record 1): CHANGED")
    assert out[position + 1] == "  old: retrieval (28%), with [fine_tune], risks [maintenance (medium)]"
    assert out[position + 2].startswith("  new: fine_tune (")
    assert out[-1] == "5 cases, 3 changed"


def test_a_score_change_that_keeps_the_advice_is_same_advice(tmp_path: Path, fixture_rulebase: Rulebase) -> None:
    new_dir = edited_rules(tmp_path / "new", _set_weight("tune_for_behaviour", 4))
    case = tmp_path / "format.yaml"
    # every question answered: with answers open the policy weighs completions, and a weight change
    # can move the primary there (that is a change of advice, not what this test is about)
    case.write_text("structured_output: true\npersona: false\nknowledge: none\nlatency_ms: 5000\nnarrow_task: false\n"
                    "data_quality: 5\ngeneral_skills: false\nretune_budget: true\nmonthly_mtokens: 100\n"
                    "price_per_mtoken: 10\ntuning_cost: 5000\n")
    result = run_cli("audit", "diff", "--old", FIXTURE_RULES, "--new", new_dir, case, "--check")
    assert result.returncode == 0, result.stdout + result.stderr
    line = next(line for line in result.stdout.splitlines() if line.startswith(f"{case}:"))
    assert line.startswith(f"{case}: same advice — fine_tune")
    assert "scores differ: score of fine_tune 3 (+3 −0) (old) vs 4 (+4 −0) (new)" in line
    assert result.stdout.splitlines()[-1] == "1 cases, 0 changed"


def test_diff_reports_bad_cases_with_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("knowledge: [unclosed\n")
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run_cli("audit", "diff", "--old", FIXTURE_RULES, "--new", FIXTURE_RULES, bad, empty, tmp_path / "missing.json")
    assert result.returncode == 2
    assert f"{bad}:" in result.stderr
    assert f"{empty}: no trace, log or answers files in this directory" in result.stderr
    assert f"{tmp_path / 'missing.json'}: no such file or directory" in result.stderr
    assert "Traceback" not in result.stderr


def test_cases_that_no_longer_fit_the_new_rulebase_count_as_changed(tmp_path: Path, fixture_rulebase: Rulebase) -> None:
    new_dir = edited_rules(tmp_path / "new", lambda rules: None)
    questions = new_dir / "questions.yaml"
    questions.write_text(questions.read_text().replace("max: 600000", "max: 50"))
    case = tmp_path / "slow.yaml"
    case.write_text("latency_ms: 100\n")
    report = diff_cases(fixture_rulebase, load_rulebase(new_dir), collect_cases([case]))
    assert report.changed == 1
    assert report.cases[0].new.startswith("cannot decide: 100 is out of range 1–50 ms [latency_ms]")
