"""`decider lint` as a user runs it: findings, summary, exit codes, JSON, and the engines' cross-check."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import run_cli

FIXTURES = Path(__file__).parent / "fixtures" / "lint"


def test_shipped_rulebase_lints_without_errors_and_prints_its_summary() -> None:
    result = run_cli("lint")
    assert result.returncode == 0, result.stdout + result.stderr
    summary = result.stdout.strip().splitlines()[-1]
    assert " rules, " in summary and " questions, " in summary and "checks: " in summary and " 0 errors, " in summary
    assert " error " not in result.stdout


def test_error_fixture_exits_1_and_prints_the_located_finding() -> None:
    result = run_cli("lint", str(FIXTURES / "unreachable"))
    assert result.returncode == 1
    first = result.stdout.splitlines()[0]
    assert first.endswith("error E301 unreachable-rule: rule 'big_but_few' can never fire: no answers make its "
                          "condition hold [big_but_few]")
    assert first.startswith(str(FIXTURES / "unreachable" / "rulebase.yaml") + ":") or "rulebase.yaml:" in first


def test_load_error_exits_1_with_the_loader_problem_as_a_finding() -> None:
    result = run_cli("lint", str(FIXTURES / "unknown_reference"))
    assert result.returncode == 1
    assert "error E101 unknown-reference: unknown conclusion 'huge' [heavy_for_big]" in result.stdout
    assert "not loaded" in result.stdout and result.stderr == ""


def test_warnings_alone_exit_0_and_print_the_witness() -> None:
    result = run_cli("lint", str(FIXTURES / "conflict"))
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert "warning W303 conflict:" in lines[0]
    assert lines[1].startswith("    witness: ")
    witness = json.loads(lines[1].split("witness: ", 1)[1])
    assert witness["urgent"] is True and witness["size"] >= 100


def test_json_format_for_ci() -> None:
    result = run_cli("lint", str(FIXTURES / "tie"), "--format", "json")
    assert result.returncode == 0
    report = json.loads(result.stdout)
    (found,) = report["findings"]
    assert (found["code"], found["name"], found["level"], found["item"]) == ("W305", "tie", "warning", "policy")
    assert isinstance(found["witness"], dict) and isinstance(found["line"], int)
    assert report["summary"]["warnings"] == 1 and report["summary"]["errors"] == 0


def test_missing_directory_is_bad_usage() -> None:
    result = run_cli("lint", str(FIXTURES / "no_such_rulebase"))
    assert result.returncode == 2
    assert "no_such_rulebase: rulebase directory not found" in result.stderr
    assert "Traceback" not in result.stderr


def test_cross_check_runs_both_engines_on_the_shipped_rulebase() -> None:
    result = run_cli("lint", "--cross-check", "--format", "json")
    assert result.returncode == 0, result.stdout
    report = json.loads(result.stdout)
    assert not [f for f in report["findings"] if f["code"] in ("E901", "E902")]
    assert report["summary"]["checks"]["cross-check answer sets"] > 0


def test_cross_check_on_fixtures_with_witnesses() -> None:
    for name in ("conflict", "figure_conflict", "tie", "gap"):
        result = run_cli("lint", str(FIXTURES / name), "--cross-check")
        assert result.returncode == 0, result.stdout
        assert "E901" not in result.stdout and "cross-check answer sets" in result.stdout
