"""`decider evaluate`: case files in, agreement, flags, calibration and ties out (CLI as a subprocess)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from decider.reasoning.evaluate import CaseResult, totals
from conftest import ROOT, run_cli

AGREEMENT_FLOOR = 1.0
"""`decider evaluate examples/scenarios`: every golden scenario's primary is accepted (the build fails if it drops)."""
FLAGS_FLOOR = 1.0
CASES_AGREEMENT_FLOOR = 0.85
"""The 20 real cases of examples/cases: 17 accepted today (README, "Real cases"); fewer fails the build."""
CASES_FLAGS_FLOOR = 0.95


def test_examples_meet_the_floors() -> None:
    done = run_cli("evaluate", "examples/scenarios", "--min-agreement", str(AGREEMENT_FLOOR),
                   "--min-flags", str(FLAGS_FLOOR))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "primaries accepted" in done.stdout and "Brier score" in done.stdout
    everything = run_cli("evaluate", "examples/")
    assert "Skipped (not case files): examples/not-sure.json, examples/structured-output.yaml" in everything.stdout


def test_the_real_cases_meet_their_floors_and_no_miss_reads_high() -> None:
    done = run_cli("evaluate", "examples/cases", "--min-agreement", str(CASES_AGREEMENT_FLOOR),
                   "--min-flags", str(CASES_FLAGS_FLOOR))
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(run_cli("evaluate", "examples/cases", "--format", "json").stdout)
    assert len(report["results"]) == 20
    assert [r["id"] for r in report["results"] if not r["accepted"] and r["level"] == "high"] == []


def test_json_output_has_per_case_results_and_calibration() -> None:
    done = run_cli("evaluate", "examples/scenarios", "--format", "json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    names = {p.stem for p in (ROOT / "examples" / "scenarios").glob("*.yaml")}
    assert {r["id"] for r in report["results"]} == names
    t = report["totals"]
    assert t["cases"] == len(names)
    assert t["accepted"] == sum(r["accepted"] for r in report["results"])
    assert sum(level["cases"] for level in t["levels"]) == t["cases"]
    for r in report["results"]:
        assert r["accepted"] == (r["primary"] in r["accept"])


CASE = """\
id: T-01
title: A format case
source: https://example.org/a
context: A team whose outputs break the schema.
answers: {prompting_baseline: measured, eval_harness: true, format_failures: true}
accept: [%s]
must_flag: [%s]
max_confidence: %s
note: written for the test
"""


def test_a_missed_case_is_reported_with_what_it_accepts(tmp_path: Path) -> None:
    (tmp_path / "miss.yaml").write_text(CASE % ("retrieval", "latency_unresolved", "0.1"), encoding="utf-8")
    done = run_cli("evaluate", str(tmp_path / "miss.yaml"), "--format", "json")
    assert done.returncode == 0, done.stderr
    (result,) = json.loads(done.stdout)["results"]
    assert result["id"] == "T-01" and not result["accepted"]
    assert result["missing_flags"] == ["latency_unresolved"]
    assert result["over_confidence"] == (result["confidence"] > 0.1)
    text = run_cli("evaluate", str(tmp_path / "miss.yaml")).stdout
    assert "MISS T-01" in text and "accepts retrieval" in text and "not flagged: latency_unresolved" in text
    floor = run_cli("evaluate", str(tmp_path / "miss.yaml"), "--min-agreement", "0.5")
    assert floor.returncode == 1 and "below the floor" in floor.stderr


@pytest.mark.parametrize(("body", "message"), [
    (CASE % ("fine_tunes", "forgetting", "0.5"), ":6:10: unknown approach 'fine_tunes' in accept [fine_tunes]"),
    (CASE % ("fine_tune", "forgeting", "0.5"), ":7:13: unknown risk 'forgeting' in must_flag [forgeting]"),
    (CASE % ("fine_tune", "forgetting", "1.5"), ":8:1: max_confidence must be a number from 0 to 1"),
    (CASE.replace("accept: [%s]\n", "") % ("forgetting", "0.5"), ":1:1: missing key 'accept'"),
    (CASE % ("fine_tune", "forgetting", "0.5") + "colour: red\n", ":10:1: unknown key 'colour'"),
    ("answers: {format_failures: maybe}\naccept: [fine_tune]\n", ":1:11: expected yes/no"),
    ("answers: [1\n", "YAML syntax"),
    ("- just a list\n", ":1:1: a case must be a mapping"),
])
def test_bad_case_files_get_located_messages_and_exit_2(tmp_path: Path, body: str, message: str) -> None:
    (tmp_path / "bad.yaml").write_text(body, encoding="utf-8")
    done = run_cli("evaluate", str(tmp_path / "bad.yaml"))
    assert done.returncode == 2, done.stdout + done.stderr
    assert message in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


def test_missing_path_and_empty_directory_exit_2(tmp_path: Path) -> None:
    assert "case file or directory not found" in run_cli("evaluate", str(tmp_path / "nope")).stderr
    done = run_cli("evaluate", str(tmp_path))
    assert done.returncode == 2 and "no case files found" in done.stderr


def _row(accepted: bool, confidence: float, level: str, tied: tuple[str, ...] = ()) -> CaseResult:
    return CaseResult(id="x", path="x", title="", primary="a", accept=("a",) if accepted else ("b",),
                      accepted=accepted, confidence=confidence, level=level, must_flag=(), missing_flags=(),
                      max_confidence=None, over_confidence=False, tied=tied)


def test_calibration_figures() -> None:
    t = totals([_row(True, 0.8, "high"), _row(False, 0.6, "high"), _row(True, 0.2, "low", ("b",))])
    assert t.accepted == 2 and t.agreement == pytest.approx(2 / 3, abs=1e-4)
    high = next(s for s in t.levels if s.level == "high")
    assert (high.cases, high.accepted, high.accuracy, high.mean_confidence) == (2, 1, 0.5, 0.7)
    assert t.mean_confidence_right == 0.5 and t.mean_confidence_wrong == 0.6
    assert t.brier == pytest.approx(((0.8 - 1) ** 2 + 0.6 ** 2 + (0.2 - 1) ** 2) / 3, abs=1e-4)
    assert t.ties == 1


def test_a_tie_at_the_top_is_counted_and_named(tmp_path: Path) -> None:
    from tests.test_policy_defects import TIE

    (tmp_path / "tie.json").write_text(json.dumps({"id": "tie", "answers": TIE, "accept": ["prompt_eval"]}),
                                       encoding="utf-8")
    done = run_cli("evaluate", str(tmp_path), "--format", "json")
    assert done.returncode in (0, 1), done.stderr
    report = json.loads(done.stdout)
    (result,) = report["results"]
    assert result["tied"] and result["primary"] not in result["tied"]
    assert report["totals"]["ties"] == 1
    text = run_cli("evaluate", str(tmp_path)).stdout
    assert f"tie: {' = '.join([result['primary'], *result['tied']])}" in text
