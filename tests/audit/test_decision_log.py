"""The append-only decision log: chained records, whole lines, safe against crashes and concurrent writers."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from decider import consult
from decider.audit.documents import read_audit_file
from decider.storage.decision_log import GENESIS, LogRecord
from decider.rulebase.model import Rulebase
from conftest import run_cli
from tests.audit.conftest import FIXTURE_RULES, REPO

WRITER = """
import sys, time, pathlib
from decider import consult, load_rulebase
log, index, count, go = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), pathlib.Path(sys.argv[4])
rulebase = load_rulebase(sys.argv[5])
consult(rulebase, {})  # compile the engine before the start line
(go.parent / f"ready-{index}").touch()
while not go.exists():
    time.sleep(0.001)
for n in range(count):
    consult(rulebase, {"data_quality": index + 1, "latency_ms": n + 1, "narrow_task": True}, log=log)
"""


def _writers(log: Path, go: Path, processes: int, count: int) -> list[subprocess.Popen[bytes]]:
    return [subprocess.Popen([sys.executable, "-c", WRITER, str(log), str(index), str(count), str(go), str(FIXTURE_RULES)],
                             cwd=REPO) for index in range(processes)]


def test_consult_appends_one_sealed_chained_line_per_consultation(tmp_path: Path, fixture_rulebase: Rulebase) -> None:
    log = tmp_path / "logs" / "decisions.log"
    results = [consult(fixture_rulebase, {"data_quality": dq}, log=log) for dq in (1, 3, 5)]
    lines = log.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3
    records = [LogRecord.model_validate_json(line) for line in lines]
    assert [r.seq for r in records] == [0, 1, 2]
    assert records[0].previous == GENESIS
    assert records[1].previous == records[0].digest and records[2].previous == records[1].digest
    for record, result in zip(records, results):
        assert record.digest == record.compute_digest()
        assert record.trace == result.trace
        assert record.recorded_at is not None


def test_four_processes_appending_at_once_lose_and_tear_nothing(tmp_path: Path) -> None:
    log, go, count = tmp_path / "decisions.log", tmp_path / "go", 25
    writers = _writers(log, go, 4, count)
    deadline = time.monotonic() + 120
    while len(list(tmp_path.glob("ready-*"))) < 4 and time.monotonic() < deadline:
        time.sleep(0.01)  # every writer has loaded the rulebase and waits at the start line
    go.touch()
    assert [w.wait(timeout=300) for w in writers] == [0, 0, 0, 0]

    result = run_cli("audit", "verify", log, "--rules", FIXTURE_RULES)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"decision log of {4 * count} record(s), chain intact, {4 * count} of {4 * count} trace(s) verified" in result.stdout
    records = [json.loads(line) for line in log.read_text().splitlines()]
    assert [r["seq"] for r in records] == list(range(4 * count))
    written = {(r["trace"]["answers"]["data_quality"], r["trace"]["answers"]["latency_ms"]) for r in records}
    assert written == {(index + 1, n + 1) for index in range(4) for n in range(count)}
    writers_in_order = [r["trace"]["answers"]["data_quality"] for r in records]
    switches = sum(1 for a, b in zip(writers_in_order, writers_in_order[1:]) if a != b)
    assert switches > 3, f"the writers ran one after another, not at once ({switches} switches)"


def test_a_torn_last_record_is_reported_and_the_next_append_recovers(tmp_path: Path, fixture_rulebase: Rulebase) -> None:
    log = tmp_path / "decisions.log"
    for dq in (1, 2):
        consult(fixture_rulebase, {"data_quality": dq}, log=log)
    intact = log.read_text()
    with log.open("a") as handle:  # what a writer killed in the middle of its record leaves behind
        handle.write(intact.splitlines()[0][:120])

    torn = run_cli("audit", "verify", log, "--rules", FIXTURE_RULES)
    assert torn.returncode == 2
    assert (f"{log}:3: truncated: the last record is incomplete (a write was interrupted); "
            "the 2 record(s) before it are intact [last record]") in torn.stdout

    consult(fixture_rulebase, {"data_quality": 3}, log=log)
    assert log.read_text().startswith(intact)
    recovered = run_cli("audit", "verify", log, "--rules", FIXTURE_RULES)
    assert recovered.returncode == 0, recovered.stdout
    assert "decision log of 3 record(s), chain intact" in recovered.stdout


def test_a_writer_killed_mid_run_leaves_a_log_that_verifies_after_the_next_append(tmp_path: Path,
                                                                                   fixture_rulebase: Rulebase) -> None:
    log, go = tmp_path / "decisions.log", tmp_path / "go"
    go.touch()
    writer = _writers(log, go, 1, 10_000)[0]
    deadline = time.monotonic() + 60
    while (not log.exists() or log.stat().st_size < 20_000) and time.monotonic() < deadline:
        time.sleep(0.01)
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait(timeout=30)
    before = read_audit_file(log)
    assert before.records > 0
    assert all("truncated" in p.message for p in before.problems)  # at most an incomplete last line
    consult(fixture_rulebase, {"data_quality": 2}, log=log)
    result = run_cli("audit", "verify", log, "--rules", FIXTURE_RULES)
    assert result.returncode == 0, result.stdout
    assert f"decision log of {before.records + 1} record(s), chain intact" in result.stdout


def test_a_last_record_without_its_newline_is_kept_by_the_next_append(tmp_path: Path, fixture_rulebase: Rulebase) -> None:
    """Issue 16 item 5: `head -c -1` left a whole record; the next append used to cut it off (an
    acknowledged record lost) and verify then called the shortened chain intact."""
    log = tmp_path / "decisions.log"
    for dq in (1, 2):
        consult(fixture_rulebase, {"data_quality": dq}, log=log)
    intact = log.read_text()
    log.write_text(intact[:-1])
    before = run_cli("audit", "verify", log, "--rules", FIXTURE_RULES)
    assert before.returncode == 0 and "decision log of 2 record(s), chain intact" in before.stdout, before.stdout
    consult(fixture_rulebase, {"data_quality": 3}, log=log)
    assert log.read_text().startswith(intact)
    after = run_cli("audit", "verify", log, "--rules", FIXTURE_RULES)
    assert after.returncode == 0 and "decision log of 3 record(s), chain intact" in after.stdout, after.stdout


def test_trailing_blank_lines_neither_fail_verify_nor_block_appends(tmp_path: Path, fixture_rulebase: Rulebase) -> None:
    log = tmp_path / "decisions.log"
    consult(fixture_rulebase, {"data_quality": 1}, log=log)
    with log.open("a") as handle:
        handle.write("\n  \n")
    assert run_cli("audit", "verify", log, "--rules", FIXTURE_RULES).returncode == 0
    consult(fixture_rulebase, {"data_quality": 2}, log=log)  # was: "refusing to extend a damaged chain"
    after = run_cli("audit", "verify", log, "--rules", FIXTURE_RULES)
    assert after.returncode == 0 and "decision log of 2 record(s), chain intact" in after.stdout, after.stdout


def test_decide_log_flag_appends(tmp_path: Path) -> None:
    log = tmp_path / "d.log"
    for _ in range(2):
        assert run_cli("decide", REPO / "examples" / "not-sure.json", "--log", log).returncode == 0
    result = run_cli("audit", "verify", log)
    assert result.returncode == 0, result.stdout
    assert "decision log of 2 record(s), chain intact, 2 of 2 trace(s) verified" in result.stdout


def test_appending_to_a_log_whose_last_record_is_damaged_is_refused(tmp_path: Path, fixture_rulebase: Rulebase) -> None:
    log = tmp_path / "d.log"
    log.write_text("this is not a record\n")
    result = run_cli("decide", REPO / "examples" / "not-sure.json", "--log", log)
    assert result.returncode == 2
    assert f"{log}: the last record is not a valid log record; refusing to extend a damaged chain" in result.stderr
    assert log.read_text() == "this is not a record\n"


def test_the_log_record_schema_is_published() -> None:
    result = run_cli("schema", "log-record")
    assert result.returncode == 0
    schema = json.loads(result.stdout)
    assert {"format", "seq", "previous", "trace", "digest"} <= set(schema["properties"])
