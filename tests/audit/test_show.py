"""`decider audit show`: the trace as a tree with each firing's plain words and citation."""

from __future__ import annotations

import json
from pathlib import Path

from decider import consult
from decider.rulebase.model import Rulebase
from conftest import run_cli
from tests.audit.conftest import FIXTURE_RULES

ANSWERS = {"structured_output": True, "data_quality": 1, "general_skills": True, "retune_budget": False}


def _trace_file(tmp_path: Path, rulebase: Rulebase) -> tuple[Path, dict]:
    trace = consult(rulebase, ANSWERS).trace
    path = tmp_path / "t.json"
    path.write_text(trace.to_json())
    return path, json.loads(trace.to_json())


def test_show_prints_every_firing_with_its_rule_words_and_citation(tmp_path: Path, fixture_rulebase: Rulebase) -> None:
    path, data = _trace_file(tmp_path, fixture_rulebase)
    result = run_cli("audit", "show", path, "--rules", FIXTURE_RULES)
    assert result.returncode == 0, result.stderr
    text = " ".join(t for t in result.stdout.split() if t != "│")  # the tree wraps long lines under guides
    assert "digest ok" in text
    for number, firing in enumerate(data["firings"], start=1):
        rule = fixture_rulebase.rule_index[firing["rule"]]
        assert f"{number}. {rule.id}: {' '.join(rule.because.split())} [{', '.join(rule.cite)}]" in text
    assert f"Recommendation: {data['result']['primary']}" in text
    for risk in data["result"]["risks"]:
        assert risk["id"] in text
    assert "structured_output = yes" in text
    assert "├──" in result.stdout


def test_show_markdown_has_sections_and_nested_lists(tmp_path: Path, fixture_rulebase: Rulebase) -> None:
    path, data = _trace_file(tmp_path, fixture_rulebase)
    result = run_cli("audit", "show", path, "--rules", FIXTURE_RULES, "--format", "markdown")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"# Trace {path} — digest ok"
    for heading in ("## Answers", "## Firings", "## Conclusions", "## Result"):
        assert any(line.startswith(heading) for line in lines), heading
    first = data["firings"][0]
    assert any(line.startswith(f"- 1. {first['rule']}: ") for line in lines)
    assert any(line.startswith("  - read ") for line in lines)


def test_show_flags_an_edited_trace(tmp_path: Path, fixture_rulebase: Rulebase) -> None:
    path, data = _trace_file(tmp_path, fixture_rulebase)
    data["result"]["confidence"] = 0.99
    path.write_text(json.dumps(data))
    result = run_cli("audit", "show", path, "--rules", FIXTURE_RULES)
    assert result.returncode == 0
    assert "DIGEST MISMATCH" in result.stdout


def test_show_picks_one_record_of_a_log(tmp_path: Path, fixture_rulebase: Rulebase) -> None:
    log = tmp_path / "d.log"
    consult(fixture_rulebase, {"knowledge": "documents"}, log=log)
    consult(fixture_rulebase, ANSWERS, log=log)
    result = run_cli("audit", "show", log, "--record", "1", "--rules", FIXTURE_RULES, "--format", "markdown")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"# Trace {log}:2 (record 1) — digest ok")
    assert "recorded at 20" in result.stdout
    missing = run_cli("audit", "show", log, "--record", "7", "--rules", FIXTURE_RULES)
    assert missing.returncode == 2 and f"{log}: no record 7 in this file" in missing.stderr


def test_show_rejects_bad_input_with_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"format": "decider-trace/1"}')
    result = run_cli("audit", "show", path, "--rules", FIXTURE_RULES)
    assert result.returncode == 2
    assert f"{path}: rulebase: Field required" in result.stderr
    assert "Traceback" not in result.stderr
