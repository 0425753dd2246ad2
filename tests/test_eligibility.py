"""Eligibility: `exclude` takes an approach off the table in both engines, HOW, report, trace and audit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from decider import consult, load_rulebase
from decider.errors import RulebaseError
from decider.rulebase.model import Rulebase
from conftest import FIXTURES, run_cli

FORMAT_CASE = {"prompting_baseline": "measured", "eval_harness": True, "format_failures": True,
               "persona_drift": False, "knowledge": "general", "narrow_task": False, "general_skills": False,
               "data_quality": 5, "example_count": 2000, "retune_capacity": True, "ml_expertise": True,
               "on_prem": False}


@pytest.mark.parametrize("engine", ["durable_rules", "reference"])
def test_defect_4_a_model_that_cannot_be_tuned_takes_tuning_off_the_table(shipped: Rulebase, engine: str) -> None:
    result = consult(shipped, {**FORMAT_CASE, "can_tune": False}, engine=engine)  # type: ignore[arg-type]
    off = {e.approach for e in result.excluded}
    assert {"fine_tune", "fine_tune_small"} <= off
    assert result.recommendation.approach not in off
    assert not {c.approach for c in result.recommendation.complementary} & off
    for item in result.excluded:
        assert item.because and item.cite and item.reasons
        assert item.reasons[0].effect == f"excludes {item.approach}"
    markdown = result.to_markdown()
    assert "## Off the table" in markdown and "`fine_tune`" in markdown.split("## Off the table")[1]
    assert {e.approach for e in result.trace.result.excluded} == off


def test_the_same_profile_without_the_veto_recommends_tuning(shipped: Rulebase) -> None:
    assert consult(shipped, {**FORMAT_CASE, "can_tune": True}).recommendation.approach == "fine_tune"


def test_decide_text_and_audit_show_name_the_exclusion(tmp_path: Path) -> None:
    answers = tmp_path / "a.json"
    answers.write_text(json.dumps({**FORMAT_CASE, "can_tune": False}))
    trace = tmp_path / "t.json"
    done = run_cli("decide", str(answers), "--trace", str(trace))
    assert done.returncode == 0, done.stderr
    assert "Off the table: Fine-tune a model [fine_tune]" in done.stdout
    verify = run_cli("audit", "verify", str(trace))
    assert verify.returncode == 0, verify.stdout + verify.stderr
    show = run_cli("audit", "show", str(trace))
    assert "Off the table: fine_tune (excluded by cannot_tune)" in show.stdout


def _rulebase(tmp_path: Path, rules: str) -> Path:
    text = (FIXTURES / "lint" / "clean" / "rulebase.yaml").read_text()
    (tmp_path / "rulebase.yaml").write_text(text.replace("\npolicy:\n", rules + "\npolicy:\n"))
    return tmp_path


def test_an_excluded_approach_never_wins_even_with_the_top_score(tmp_path: Path) -> None:
    rulebase = load_rulebase(_rulebase(tmp_path, """
  - id: urgent_no_heavy
    when: {answer: urgent, "==": true}
    then: [{exclude: heavy}]
    because: No time to bring machinery.
    cite: P1
"""))
    for engine in ("durable_rules", "reference"):
        result = consult(rulebase, {"urgent": True, "size": 500}, engine=engine)  # type: ignore[arg-type]
        assert result.ranking[0].approach == "simple"
        assert result.recommendation.approach == "simple"
        assert [e.approach for e in result.excluded] == ["heavy"]


@pytest.mark.parametrize(("effect", "message"), [
    ("{exclude: nobody}", "unknown approach 'nobody'"),
    ("{exclude: heavy, weight: 2}", "weight"),
])
def test_bad_exclusions_are_located_load_errors(tmp_path: Path, effect: str, message: str) -> None:
    directory = _rulebase(tmp_path, f"""
  - id: bad_exclusion
    when: {{answer: urgent, "==": true}}
    then: [{effect}]
    because: Nope.
    cite: P1
""")
    with pytest.raises(RulebaseError) as caught:
        load_rulebase(directory)
    assert message in str(caught.value) and "rulebase.yaml:" in str(caught.value)
