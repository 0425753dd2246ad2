"""Every kind of tampering with a trace or a decision log is detected and named; bad input exits 2."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from decider import consult
from decider.rulebase.model import Rulebase
from conftest import run_cli
from tests.audit.conftest import FIXTURE_RULES

# In the fixture rulebase, this fires format_case -> behaviour_gap_found -> tune_for_behaviour.
FORMAT_CASE = {"structured_output": True, "persona": False, "knowledge": "none", "data_quality": 4,
               "general_skills": False, "retune_budget": True, "narrow_task": False, "latency_ms": 5000,
               "monthly_mtokens": 1000, "price_per_mtoken": 3, "tuning_cost": 1000}
"""Everything answered, so fine_tune is settled (an open answer could otherwise change the primary)."""


def _trace(rulebase: Rulebase, answers: dict[str, Any] = FORMAT_CASE) -> dict[str, Any]:
    data = json.loads(consult(rulebase, answers).trace.to_json())
    assert len(data["firings"]) >= 3
    return data


def _write(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path


def _change_answer(data: dict[str, Any]) -> None:
    data["answers"]["structured_output"] = False


def _remove_firing(data: dict[str, Any]) -> None:
    del data["firings"][1]


def _reorder_firings(data: dict[str, Any]) -> None:
    data["firings"][0], data["firings"][1] = data["firings"][1], data["firings"][0]


def _edit_result(data: dict[str, Any]) -> None:
    data["result"]["primary"] = "prompt_eval"


@pytest.mark.parametrize(("edit", "kind", "named"), [
    (_change_answer, "answers", "answer structured_output changed"),
    (_remove_firing, "firings", "rule behaviour_gap_found fires on replay but its firing is missing from the trace (removed)"),
    (_reorder_firings, "order", "firings reordered"),
    (_edit_result, "result", "recommendation prompt_eval (recorded) vs fine_tune (replay)"),
])
def test_each_tampering_is_detected_and_named(tmp_path: Path, fixture_rulebase: Rulebase, edit: Any, kind: str,
                                              named: str) -> None:
    good = _write(tmp_path / "good.json", _trace(fixture_rulebase))
    data = _trace(fixture_rulebase)
    edit(data)
    bad = _write(tmp_path / "bad.json", data)

    result = run_cli("audit", "verify", good, bad, "--rules", FIXTURE_RULES)

    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{good}: verified" in result.stdout
    assert f"{bad}: NOT VERIFIED" in result.stdout
    assert "[digest] tampered" in result.stdout
    assert f"[{kind}]" in result.stdout and named in result.stdout


def test_an_edit_resealed_with_a_new_digest_is_still_caught_by_replay(tmp_path: Path, fixture_rulebase: Rulebase) -> None:
    from decider.policy.trace import digest_of

    data = _trace(fixture_rulebase)
    _edit_result(data)
    data["digest"] = digest_of(data)
    result = run_cli("audit", "verify", _write(tmp_path / "resealed.json", data), "--rules", FIXTURE_RULES)
    assert result.returncode == 1
    assert "[digest]" not in result.stdout
    assert "[result] result differs from replay: recommendation prompt_eval (recorded) vs fine_tune (replay)" in result.stdout


def test_recorded_at_is_outside_the_digest(tmp_path: Path, fixture_rulebase: Rulebase) -> None:
    data = _trace(fixture_rulebase)
    data["recorded_at"] = "2026-01-01T00:00:00+00:00"
    result = run_cli("audit", "verify", _write(tmp_path / "t.json", data), "--rules", FIXTURE_RULES)
    assert result.returncode == 0, result.stdout


def _log(tmp_path: Path, rulebase: Rulebase, count: int = 3) -> Path:
    log = tmp_path / "decisions.log"
    for dq in range(1, count + 1):
        consult(rulebase, {**FORMAT_CASE, "data_quality": dq}, log=log)
    return log


def _edit_record(log: Path, index: int, edit: Any) -> None:
    """Apply `edit` to the JSON of one log line, leaving its digests as they were."""
    lines = log.read_text().splitlines(keepends=True)
    record = json.loads(lines[index])
    edit(record)
    lines[index] = json.dumps(record) + "\n"
    log.write_text("".join(lines))


def test_a_record_deleted_from_a_log_is_detected_and_named(tmp_path: Path, fixture_rulebase: Rulebase) -> None:
    log = _log(tmp_path, fixture_rulebase)
    lines = log.read_text().splitlines(keepends=True)
    log.write_text(lines[0] + lines[2])
    result = run_cli("audit", "verify", log, "--rules", FIXTURE_RULES)
    assert result.returncode == 2
    assert f"{log}:2: chain broken: record 1 missing after record 0 (deleted) [record 2]" in result.stdout


def test_the_first_record_deleted_from_a_log_is_detected(tmp_path: Path, fixture_rulebase: Rulebase) -> None:
    log = _log(tmp_path, fixture_rulebase)
    lines = log.read_text().splitlines(keepends=True)
    log.write_text("".join(lines[1:]))
    result = run_cli("audit", "verify", log, "--rules", FIXTURE_RULES)
    assert result.returncode == 2
    assert "record 0 missing at the start of the log (deleted)" in result.stdout


def test_records_reordered_in_a_log_are_detected(tmp_path: Path, fixture_rulebase: Rulebase) -> None:
    log = _log(tmp_path, fixture_rulebase)
    lines = log.read_text().splitlines(keepends=True)
    log.write_text(lines[0] + lines[2] + lines[1])
    result = run_cli("audit", "verify", log, "--rules", FIXTURE_RULES)
    assert result.returncode == 2
    assert f"{log}:2: chain broken: record 2 appears after record 0, but record 1 comes later (line 3): records reordered" in result.stdout


def test_an_edited_log_record_is_detected(tmp_path: Path, fixture_rulebase: Rulebase) -> None:
    log = _log(tmp_path, fixture_rulebase)
    _edit_record(log, 1, lambda record: record["trace"]["answers"].update(data_quality=5))
    result = run_cli("audit", "verify", log, "--rules", FIXTURE_RULES)
    assert result.returncode == 2
    assert f"{log}:2: record 1 was edited: its digest does not match its content [record 1]" in result.stdout
    assert f"{log}:2 (record 1): NOT VERIFIED" in result.stdout
    assert "answer data_quality changed" in result.stdout


def test_a_record_replaced_with_a_resealed_one_breaks_the_chain(tmp_path: Path, fixture_rulebase: Rulebase) -> None:
    from decider.storage.decision_log import LogRecord

    log = _log(tmp_path, fixture_rulebase)
    lines = log.read_text().splitlines(keepends=True)
    original = LogRecord.model_validate_json(lines[1])
    other = consult(fixture_rulebase, {**FORMAT_CASE, "data_quality": 5}).trace
    forged = original.model_copy(update={"trace": other}).sealed()  # a consistent record, but a different one
    lines[1] = forged.model_dump_json() + "\n"
    log.write_text("".join(lines))
    result = run_cli("audit", "verify", log, "--rules", FIXTURE_RULES)
    assert result.returncode == 2
    assert (f"{log}:3: chain broken: record 2 does not link to the record before it "
            "(that record was replaced or edited) [record 2]") in result.stdout


@pytest.mark.parametrize(("content", "expected"), [
    ("not json at all {", ":1:1: not JSON: Expecting value"),
    ("", ": empty file: neither a trace nor a decision log"),
    ("[1, 2]", ": not a decider trace (expected a JSON object)"),
    ('{"format": "decider-trace/9"}', ": unsupported trace format 'decider-trace/9'; this decider reads decider-trace/1 and decider-trace/2"),
    ('{"format": "something-else"}', ": not a decider trace: format is 'something-else'"),
])
def test_bad_trace_files_exit_2_naming_the_file(tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "input.json"
    path.write_text(content)
    result = run_cli("audit", "verify", path, "--rules", FIXTURE_RULES)
    assert result.returncode == 2
    assert f"{path}{expected}" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_a_truncated_trace_exits_2(tmp_path: Path, fixture_rulebase: Rulebase) -> None:
    text = json.dumps(_trace(fixture_rulebase), indent=2)
    path = tmp_path / "cut.json"
    path.write_text(text[: len(text) // 2])
    result = run_cli("audit", "verify", path, "--rules", FIXTURE_RULES)
    assert result.returncode == 2
    assert f"{path}:" in result.stdout and "truncated: the JSON document ends before it is complete" in result.stdout


def test_a_trace_with_a_wrong_field_names_the_field(tmp_path: Path, fixture_rulebase: Rulebase) -> None:
    data = _trace(fixture_rulebase)
    data["firings"][2]["rule"] = 7
    path = _write(tmp_path / "wrong.json", data)
    result = run_cli("audit", "verify", path, "--rules", FIXTURE_RULES)
    assert result.returncode == 2
    assert f"{path}: firings[2].rule: Input should be a valid string" in result.stdout


def test_a_log_record_with_a_wrong_trace_version_names_the_record(tmp_path: Path, fixture_rulebase: Rulebase) -> None:
    log = _log(tmp_path, fixture_rulebase, 2)
    _edit_record(log, 1, lambda record: record["trace"].update(format="decider-trace/3"))
    result = run_cli("audit", "verify", log, "--rules", FIXTURE_RULES)
    assert result.returncode == 2
    assert (f"{log}:2: unsupported trace format 'decider-trace/3'; this decider reads decider-trace/1 and "
            "decider-trace/2 [record 1]") in result.stdout


def test_a_missing_file_exits_2(tmp_path: Path) -> None:
    result = run_cli("audit", "verify", tmp_path / "nope.json", "--rules", FIXTURE_RULES)
    assert result.returncode == 2
    assert f"{tmp_path / 'nope.json'}: cannot read: No such file or directory" in result.stdout


def test_verify_json_output_carries_findings_and_verdicts(tmp_path: Path, fixture_rulebase: Rulebase) -> None:
    data = _trace(fixture_rulebase)
    _reorder_firings(data)
    bad = _write(tmp_path / "bad.json", data)
    log = _log(tmp_path, fixture_rulebase, 2)
    result = run_cli("audit", "verify", bad, log, "--rules", FIXTURE_RULES, "--format", "json")
    assert result.returncode == 1
    reports = json.loads(result.stdout)
    assert [r["verified"] for r in reports] == [False, True]
    assert {f["kind"] for f in reports[0]["verdicts"][0]["findings"]} == {"digest", "order"}
    assert reports[1]["records"] == 2 and len(reports[1]["head"]) == 64


def test_a_field_added_to_a_trace_is_not_silently_ignored(tmp_path: Path, fixture_rulebase: Rulebase) -> None:
    data = _trace(fixture_rulebase)
    data["firings"][0]["note"] = "approved by the board"
    path = _write(tmp_path / "extra.json", data)
    result = run_cli("audit", "verify", path, "--rules", FIXTURE_RULES)
    assert result.returncode == 2
    assert f"{path}: holds content outside the decider-trace/2 format (unknown fields)" in result.stdout


def test_records_deleted_from_the_end_of_a_log_are_caught_with_the_noted_head(tmp_path: Path,
                                                                               fixture_rulebase: Rulebase) -> None:
    log = _log(tmp_path, fixture_rulebase, 3)
    first = run_cli("audit", "verify", log, "--rules", FIXTURE_RULES)
    head = first.stdout.split("; head ")[1].split()[0]
    consult(fixture_rulebase, FORMAT_CASE, log=log)  # the log grows: the noted head stays in the chain
    assert run_cli("audit", "verify", log, "--rules", FIXTURE_RULES, "--head", head).returncode == 0

    lines = log.read_text().splitlines(keepends=True)
    log.write_text("".join(lines[:2]))  # the last two records deleted: the chain alone cannot tell
    assert run_cli("audit", "verify", log, "--rules", FIXTURE_RULES).returncode == 0
    result = run_cli("audit", "verify", log, "--rules", FIXTURE_RULES, "--head", head)
    assert result.returncode == 2
    assert f"{log}: no record has the head digest {head[:16]}… noted earlier: records at or before it were deleted" in result.stdout


def test_a_log_whose_first_record_is_damaged_is_still_read_as_a_log(tmp_path: Path, fixture_rulebase: Rulebase) -> None:
    log = _log(tmp_path, fixture_rulebase, 2)
    lines = log.read_text().splitlines(keepends=True)
    log.write_text(lines[0][:50] + "\n" + lines[1])
    result = run_cli("audit", "verify", log, "--rules", FIXTURE_RULES)
    assert result.returncode == 2
    assert f"{log}:1: damaged record: not JSON" in result.stdout
    assert "decision log of 2 record(s), chain BROKEN or damaged, 1 of 1 trace(s) verified" in result.stdout


def test_an_edited_figure_is_named(tmp_path: Path, fixture_rulebase: Rulebase) -> None:
    data = _trace(fixture_rulebase, {**FORMAT_CASE, "monthly_mtokens": 10, "price_per_mtoken": 2, "tuning_cost": 1000})
    data["figures"]["api_cost_year"] = 1
    result = run_cli("audit", "verify", _write(tmp_path / "fig.json", data), "--rules", FIXTURE_RULES)
    assert result.returncode == 1
    assert "[figures] figures differ from replay: api_cost_year 1 (recorded) vs 240 (replay)" in result.stdout


def _forge_copy_of_first(data: dict[str, Any]) -> None:
    forged = json.loads(json.dumps(data["firings"][0]))
    forged["effects"] = [{"type": "support", "approach": "retrieval", "weight": 100}]
    data["firings"].insert(1, forged)


def _duplicate_first(copies: int) -> Any:
    def edit(data: dict[str, Any]) -> None:
        data["firings"][1:1] = [data["firings"][0]] * copies
    return edit


def _forge_effect_in_place(data: dict[str, Any]) -> None:
    data["firings"][0]["effects"] = [{"type": "support", "approach": "retrieval", "weight": 100}]


@pytest.mark.parametrize(("edit", "named"), [
    (_forge_copy_of_first, "effects forged"),
    (_forge_copy_of_first, "firings duplicated"),
    (_duplicate_first(1), "recorded 2 times"),
    (_duplicate_first(50), "recorded 51 times"),
    (_forge_effect_in_place, "effects forged"),
], ids=["forged-copy-effects", "forged-copy-count", "one-duplicate", "fifty-duplicates", "forged-in-place"])
def test_forged_and_duplicated_firings_resealed_do_not_verify(tmp_path: Path, fixture_rulebase: Rulebase, edit: Any,
                                                              named: str) -> None:
    """Issue 16 item 4: firings are compared as a sequence, counted, and every effect derived from the rulebase."""
    from decider.policy.trace import digest_of

    data = _trace(fixture_rulebase)
    edit(data)
    data["digest"] = digest_of(data)
    result = run_cli("audit", "verify", _write(tmp_path / "forged.json", data), "--rules", FIXTURE_RULES)
    assert result.returncode == 1, result.stdout
    assert "[digest]" not in result.stdout and "NOT VERIFIED" in result.stdout
    assert named in result.stdout


def test_every_cut_of_a_trace_reads_as_truncated(tmp_path: Path, fixture_rulebase: Rulebase) -> None:
    """Wherever a write stops — inside a string, a literal (`tr`) or a number (`1.`) — the message says truncated."""
    from decider.audit.documents import read_audit_file

    text = json.dumps(_trace(fixture_rulebase), indent=2)
    path = tmp_path / "cut.json"
    for end in range(1, len(text) - 1):
        path.write_text(text[:end], encoding="utf-8")
        problems = read_audit_file(path).problems
        assert problems and all("truncated" in p.message for p in problems), (text[end - 20:end], problems)
