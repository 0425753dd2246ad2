"""Batch consultation: the library API (order, per-row errors, worker processes, a killed worker)
and the `decider batch` command as a subprocess."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import run_cli
from decider import consult, load_rulebase
from decider.reasoning.batch import BatchResult, Unreadable, consult_many
from decider.rulebase.model import Rulebase
from decider.rulebase.samples import sample_profiles

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "portfolio"


@pytest.fixture(scope="module")
def portfolio() -> Rulebase:
    return load_rulebase(FIXTURE)


def random_profiles(rulebase: Rulebase, count: int, seed: int = 7) -> list[dict[str, Any]]:
    """Valid profiles drawn from the questions: answered, 'unknown' or left out."""
    return sample_profiles(rulebase, count, seed=seed, missing=0.2, unknown=0.1)


def test_results_keep_input_order_and_match_single_consultations(portfolio: Rulebase) -> None:
    profiles = random_profiles(portfolio, 60)
    results = list(consult_many(portfolio, iter(profiles)))
    assert [r.index for r in results] == list(range(60))
    for profile, result in zip(profiles, results):
        expected = consult(portfolio, profile)
        assert result.ok and result.summary is not None
        assert result.summary.primary == expected.recommendation.approach
        assert result.summary.digest == expected.trace.digest


def test_a_bad_profile_is_an_error_result_and_the_batch_goes_on(portfolio: Rulebase) -> None:
    profiles: list[Any] = [{"q1": True}, {"q1": "maybe"}, Unreadable(problem="not valid JSON"), {"nope": 1},
                           {"q4": 9}, ["not", "a", "mapping"], {"q2": "x"}]
    results = list(consult_many(portfolio, profiles))
    assert [r.ok for r in results] == [True, False, False, False, False, False, True]
    assert "expected yes/no" in (results[1].error or "") and "[q1]" in (results[1].error or "")
    assert results[2].error == "not valid JSON"
    assert "unknown question 'nope'" in (results[3].error or "")
    assert "out of range" in (results[4].error or "")
    assert "mapping" in (results[5].error or "")


def test_full_results_carry_the_consultation(portfolio: Rulebase) -> None:
    [result] = consult_many(portfolio, [{"q1": True, "q2": "x"}], full=True)
    assert result.consultation == consult(portfolio, {"q1": True, "q2": "x"})


def test_worker_processes_give_the_same_results_in_the_same_order(portfolio: Rulebase) -> None:
    profiles: list[Any] = random_profiles(portfolio, 300, seed=11)
    profiles[17] = {"q3": -5}
    serial = list(consult_many(portfolio, profiles))
    parallel = list(consult_many(portfolio, profiles, jobs=2))
    assert parallel == serial
    assert not parallel[17].ok
    profiles[40] = {"q1": lambda: True}  # cannot be pickled for a worker: an error row, not an aborted batch
    parallel = list(consult_many(portfolio, profiles[:100], jobs=2))
    assert [r.index for r in parallel] == list(range(100))
    assert not parallel[40].ok and "worker" in (parallel[40].error or "")
    assert parallel[39] == serial[39] and parallel[41] == serial[41]


def _worker_pids() -> list[int]:
    """Pool worker processes of this process (spawned children running multiprocessing's spawn_main)."""
    found = []
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        children = (task / "children").read_text().split()
        for pid in map(int, children):
            try:
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:
                continue
            if b"spawn_main" in cmdline:
                found.append(pid)
    return found


def _run_signalling_a_worker(portfolio: Rulebase, profiles: list[dict[str, Any]],
                             sent: signal.Signals) -> tuple[list[BatchResult], list[str]]:
    """Consult with two workers, sending `sent` to one of them after the 40th result."""
    notices: list[str] = []
    results: list[BatchResult] = []
    signalled = None
    for result in consult_many(portfolio, profiles, jobs=2, on_notice=notices.append):
        results.append(result)
        if signalled is None and len(results) == 40:
            workers = _worker_pids()
            assert workers, "no worker process found"
            signalled = workers[0]
            os.kill(signalled, sent)
    assert signalled is not None
    return results, notices


@pytest.mark.skipif(not Path(f"/proc/{os.getpid()}/task").exists(), reason="needs Linux /proc")
def test_a_worker_killed_mid_run_is_replaced_and_every_row_is_accounted_for(portfolio: Rulebase) -> None:
    profiles = random_profiles(portfolio, 2500, seed=3)
    results, notices = _run_signalling_a_worker(portfolio, profiles, signal.SIGKILL)
    assert [r.index for r in results] == list(range(len(profiles)))
    assert all(r.ok for r in results), [r.error for r in results if not r.ok][:3]
    assert any("died" in n and "retried" in n for n in notices), notices
    expected = {i: consult(portfolio, profiles[i]).trace.digest for i in (0, 39, 40, 1000, 2499)}
    assert {i: results[i].summary.digest for i in expected} == expected  # type: ignore[union-attr]


@pytest.mark.skipif(not Path(f"/proc/{os.getpid()}/task").exists(), reason="needs Linux /proc")
def test_workers_can_be_terminated_so_a_broken_pool_never_waits_on_them(portfolio: Rulebase) -> None:
    """Workers start while the parent holds SIGTERM back; they must not inherit that mask. If they do,
    a pool broken by one dead worker waits forever on the live one it terminates (a CI run hung so)."""
    profiles = random_profiles(portfolio, 600, seed=5)
    results, notices = _run_signalling_a_worker(portfolio, profiles, signal.SIGTERM)
    assert [r.index for r in results] == list(range(len(profiles)))
    assert all(r.ok for r in results)
    assert any("died" in n for n in notices), "a worker sent SIGTERM kept running"


def test_cli_reads_csv_converts_cells_and_names_failing_rows(tmp_path: Path) -> None:
    source = tmp_path / "portfolio.csv"
    source.write_text("q1,q2,q3,q4\nyes,x,600,4\nno,,unknown,\nmaybe,w,abc,9\n\ntrue,y,1\nfalse,z,10.5,2\n",
                      encoding="utf-8")
    out = tmp_path / "results.csv"
    done = run_cli("batch", str(source), "--rules", str(FIXTURE), "--format", "csv", "--out", str(out))
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    rows = out.read_text(encoding="utf-8").splitlines()
    assert rows[0] == "row,ok,primary,confidence,complementary,risks,error"
    assert [r.split(",")[1] for r in rows[1:]] == ["yes", "yes", "no", "no", "yes"]
    assert f"{source}:4:" in rows[3] and "[q1]" in rows[3] and "[q3]" in rows[3] and "[q4]" in rows[3]
    assert f"{source}:6:" in rows[4] and "expected 4 cells" in rows[4]
    assert f"{source}:4: " in done.stderr and "2 of 5 profiles failed" in done.stderr
    assert "\x1b[" not in done.stderr  # no progress bar when not on a terminal
    portfolio = load_rulebase(FIXTURE)
    first = consult(portfolio, {"q1": True, "q2": "x", "q3": 600, "q4": 4})
    assert rows[1].split(",")[2] == first.recommendation.approach


def test_cli_jsonl_to_jsonl_on_stdout_in_input_order(tmp_path: Path) -> None:
    portfolio = load_rulebase(FIXTURE)
    profiles = random_profiles(portfolio, 25, seed=5)
    lines = [json.dumps(p) for p in profiles]
    lines.insert(3, "{not json")
    source = tmp_path / "profiles.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for jobs in ("1", "2"):
        done = run_cli("batch", str(source), "--rules", str(FIXTURE), "--jobs", jobs)
        assert done.returncode == 2, done.stderr
        results = [json.loads(line) for line in done.stdout.splitlines()]
        assert [r["index"] for r in results] == list(range(26))
        assert results[3]["ok"] is False and results[3]["source"] == f"{source}:4"
        assert "not valid JSON" in results[3]["error"]
        digests = [r["summary"]["digest"] for r in results if r["ok"]]
        assert digests == [consult(portfolio, p).trace.digest for p in profiles]


def test_cli_all_good_rows_exit_zero_and_bad_usage_exits_two(tmp_path: Path) -> None:
    source = tmp_path / "ok.jsonl"
    source.write_text('{"q1": true}\n{"q2": "y"}\n', encoding="utf-8")
    assert run_cli("batch", str(source), "--rules", str(FIXTURE)).returncode == 0
    missing = run_cli("batch", str(tmp_path / "missing.csv"))
    assert missing.returncode == 2 and "missing.csv: cannot read" in missing.stderr
    assert run_cli("batch", str(source), "--jobs", "0").returncode == 2


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_cli_shows_a_progress_bar_on_a_terminal_only(tmp_path: Path) -> None:
    import pty

    source = tmp_path / "profiles.jsonl"
    source.write_text("".join(json.dumps(p) + "\n" for p in random_profiles(load_rulebase(FIXTURE), 50)),
                      encoding="utf-8")
    args = [sys.executable, "-m", "decider", "batch", str(source), "--rules", str(FIXTURE), "--out",
            str(tmp_path / "out.jsonl")]
    master, slave = pty.openpty()
    child = subprocess.Popen(args, stdout=slave, stderr=slave, cwd=ROOT)
    os.close(slave)
    seen = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    os.close(master)
    assert child.wait(timeout=120) == 0
    assert b"consulting" in seen and b"50/50" in seen
    piped = subprocess.run(args, capture_output=True, cwd=ROOT, timeout=120)
    assert piped.returncode == 0 and piped.stderr == b""
    assert len((tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()) == 50


def test_one_bad_row_never_aborts_the_batch(tmp_path: Path) -> None:
    """Issue 16 item 7: a line nested 100,000 deep (was RecursionError, exit 1, later rows lost), a byte
    that is not UTF-8 (was UnicodeDecodeError, zero rows), an overlong line: each a row error."""
    rows = tmp_path / "rows.jsonl"
    rows.write_bytes(b'{"format_failures": true}\n' + b"[" * 100_000 + b"]" * 100_000 + b"\n"
                     + b'{"format_failures": "\xff"}\n' + b'{"a": ' + b"1" * 1_100_000 + b"}\n"
                     + b'{"a": ' + b"[" * 40 + b"1" + b"]" * 40 + b"}\n"
                     + b'{"eval_harness": false}\n')
    done = run_cli("batch", str(rows))
    assert done.returncode == 2 and "Traceback" not in done.stderr and "internal error" not in done.stderr
    results = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["ok"] for r in results] == [True, False, False, False, False, True]
    assert f"{rows}:2: nested too deeply" in done.stderr and f"{rows}:3: not UTF-8 text" in done.stderr
    assert f"{rows}:4: line longer than" in done.stderr and f"{rows}:5: nested too deeply" in done.stderr
    csv_rows = tmp_path / "rows.csv"
    csv_rows.write_bytes(b"format_failures,eval_harness\ntrue,\xff\ntrue,false\n")
    done = run_cli("batch", str(csv_rows), "--format", "csv")
    assert done.returncode == 2 and f"{csv_rows}:2: not UTF-8 text" in done.stderr
    assert done.stdout.splitlines()[2].startswith("2,yes")


def test_a_csv_header_naming_a_column_twice_is_refused(tmp_path: Path) -> None:
    csv_rows = tmp_path / "rows.csv"
    csv_rows.write_text("format_failures,format_failures\ntrue,false\n")
    done = run_cli("batch", str(csv_rows))
    assert done.returncode == 2 and f"{csv_rows}:1: CSV header: duplicate column 'format_failures'" in done.stderr
