"""Format versions: decider writes `decider-trace/2` and `decider-log/2` (digests over RFC 8785), and still
verifies the `/1` documents that 0.1.0 wrote (tests/fixtures/audit/v1, recorded by decider 0.1.0 under a
rulebase whose floats make the two canonical forms differ), saying which version it read."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from decider import consult, load_rulebase
from decider.canonical import sha256_hex
from decider.policy.verdict import POLICY_VERSION
from decider.rulebase.loader import content_hash
from conftest import run_cli

V1 = Path(__file__).parents[1] / "fixtures" / "audit" / "v1"
RULES = V1 / "rules"


def grown_v1_log(tmp_path: Path) -> Path:
    """0.1.0's log of two records with today's third appended; its formats and chain link as written."""
    log = tmp_path / "decisions.log"
    shutil.copy(V1 / "decisions.log", log)
    consult(load_rulebase(RULES), {"structured_output": True, "knowledge": "none"}, log=log)
    lines = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert [r["format"] for r in lines] == ["decider-log/1", "decider-log/1", "decider-log/2"]
    assert lines[2]["previous"] == lines[1]["digest"] and lines[2]["seq"] == 2
    return log


def test_the_v1_fixture_really_differs_under_the_two_schemes() -> None:
    """Otherwise the tests below could pass without reading v1 at all."""
    rulebase = load_rulebase(RULES)
    assert content_hash(rulebase, "v1") != rulebase.sha256
    trace = json.loads((V1 / "trace.json").read_text(encoding="utf-8"))
    assert trace["format"] == "decider-trace/1" and trace["decider_version"] == "0.1.0"
    assert trace["rulebase"]["sha256"] == content_hash(rulebase, "v1")
    body = {k: v for k, v in trace.items() if k not in ("digest", "recorded_at")}
    assert sha256_hex(body, "v1") == trace["digest"] != sha256_hex(body)


def test_v1_traces_and_logs_verify_as_far_as_policy_1_allows_and_say_so() -> None:
    """0.1.0's traces were decided by policy 1: their seals, log chain, rulebase hash and firings check, and
    verify says plainly that their results cannot be compared — neither 'verified' nor 'tampered' (exit 3)."""
    result = run_cli("audit", "verify", V1 / "trace.json", V1 / "decisions.log", "--rules", RULES)
    assert result.returncode == 3, result.stdout + result.stderr
    assert (f"{V1 / 'trace.json'}: OTHER POLICY (1) — audit_fixture 1.0.0, durable_rules, 4 firings "
            "(decider-trace/1)\n  [policy] recorded under policy 1; this decider applies policy 3: its seal, rulebase "
            "and firings check, its result cannot be compared by replay\n") in result.stdout
    assert "its seal, the log's chain, rulebase and firings check" in result.stdout
    assert ("decision log of 2 record(s), chain intact, 0 of 2 trace(s) verified, 2 of another policy (seal and "
            "chain checked, result not replayed) (read 2 decider-log/1)") in result.stdout
    assert "3 trace(s): 0 verified, 0 not verified, 3 of another policy (result not replayed)" in result.stdout
    assert "tampered" not in result.stdout and "[rulebase]" not in result.stdout and "[result]" not in result.stdout
    as_json = run_cli("audit", "verify", V1 / "decisions.log", "--rules", RULES, "--format", "json")
    assert as_json.returncode == 3
    report = json.loads(as_json.stdout)[0]
    assert report["formats"] == {"decider-log/1": 2}
    assert {v["format"] for v in report["verdicts"]} == {"decider-log/1, decider-trace/1"}
    assert [(v["status"], v["verified"], v["policy"], v["findings"]) for v in report["verdicts"]] == \
        [("other policy", False, 1, [])] * 2
    assert report["verified"] is False


def test_an_edited_policy_1_trace_is_still_not_verified(tmp_path: Path) -> None:
    """Another policy only spares the result's comparison: a forged firing is caught as before (exit 1)."""
    data = json.loads((V1 / "trace.json").read_text(encoding="utf-8"))
    data["firings"].pop()
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(data), encoding="utf-8")
    result = run_cli("audit", "verify", edited, "--rules", RULES)
    assert result.returncode == 1
    assert "NOT VERIFIED" in result.stdout and "[digest] tampered" in result.stdout and "[firings]" in result.stdout


def test_a_policy_1_trace_cannot_claim_the_current_policy(tmp_path: Path) -> None:
    """The policy is inside the digest: relabelling an old trace to get its result replayed breaks the seal."""
    data = json.loads((V1 / "trace.json").read_text(encoding="utf-8"))
    data["policy"] = POLICY_VERSION
    relabelled = tmp_path / "relabelled.json"
    relabelled.write_text(json.dumps(data), encoding="utf-8")
    result = run_cli("audit", "verify", relabelled, "--rules", RULES)
    assert result.returncode == 1
    assert "[digest] tampered" in result.stdout and "[result] result differs from replay" in result.stdout


def test_new_traces_record_the_policy_and_verify(tmp_path: Path) -> None:
    consultation = consult(load_rulebase(RULES), {"structured_output": True, "knowledge": "none"})
    assert consultation.trace.policy == POLICY_VERSION
    path = tmp_path / "t.json"
    path.write_text(consultation.trace.to_json(), encoding="utf-8")
    assert json.loads(path.read_text(encoding="utf-8"))["policy"] == POLICY_VERSION
    result = run_cli("audit", "verify", path, "--rules", RULES)
    assert result.returncode == 0, result.stdout
    assert ": verified — audit_fixture 1.0.0" in result.stdout and "[policy]" not in result.stdout


def test_a_v1_log_grows_with_v2_records_and_keeps_one_chain(tmp_path: Path) -> None:
    log = grown_v1_log(tmp_path)
    result = run_cli("audit", "verify", log, "--rules", RULES)
    assert result.returncode == 3, result.stdout
    assert ("1 of 3 trace(s) verified, 2 of another policy (seal and chain checked, result not replayed) "
            "(read 2 decider-log/1, 1 decider-log/2)") in result.stdout


def test_an_edited_v1_trace_is_caught(tmp_path: Path) -> None:
    data = json.loads((V1 / "trace.json").read_text(encoding="utf-8"))
    data["answers"]["data_quality"] = 1
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(data), encoding="utf-8")
    result = run_cli("audit", "verify", edited, "--rules", RULES)
    assert result.returncode == 1
    assert "tampered: the digest does not match the content" in result.stdout


def test_relabelling_a_v1_trace_as_v2_is_caught(tmp_path: Path) -> None:
    """The format is inside the digest: claiming the other scheme changes what the digest must be."""
    data = json.loads((V1 / "trace.json").read_text(encoding="utf-8"))
    data["format"] = "decider-trace/2"
    relabelled = tmp_path / "relabelled.json"
    relabelled.write_text(json.dumps(data), encoding="utf-8")
    result = run_cli("audit", "verify", relabelled, "--rules", RULES)
    assert result.returncode == 1
    assert "[digest] tampered" in result.stdout
    assert "[rulebase] different rulebase" in result.stdout


def test_show_checks_a_v1_seal_against_the_trace_as_recorded() -> None:
    """Today's trace model has fields 0.1.0 did not write: re-serialised, the v1 trace would not match its seal."""
    result = run_cli("audit", "show", V1 / "trace.json", "--rules", RULES, "--format", "markdown")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith(f"# Trace {V1 / 'trace.json'} — digest ok"), result.stdout


def test_verify_checks_v1_seals_against_the_traces_as_recorded() -> None:
    """No v1 trace or record reads as tampered."""
    result = run_cli("audit", "verify", V1 / "trace.json", V1 / "decisions.log", "--rules", RULES, "--format", "json")
    reports = json.loads(result.stdout)
    assert [r["problems"] for r in reports] == [[], []]
    kinds = {f["kind"] for r in reports for v in r["verdicts"] for f in v["findings"]}
    assert len([v for r in reports for v in r["verdicts"]]) == 3 and "digest" not in kinds, kinds


def test_a_v1_log_grows_with_a_v2_record_and_its_chain_checks(tmp_path: Path) -> None:
    """The chain part of the test above, through the JSON report."""
    log = grown_v1_log(tmp_path)
    report = json.loads(run_cli("audit", "verify", log, "--rules", RULES, "--format", "json").stdout)[0]
    assert report["problems"] == [] and report["formats"] == {"decider-log/1": 2, "decider-log/2": 1}
    kinds = {f["kind"] for v in report["verdicts"] for f in v["findings"]}
    assert "digest" not in kinds, kinds
