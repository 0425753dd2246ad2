""""If you choose X anyway": when an answer names the approach the team came in considering (a choice
that `considers` it) and another is recommended, the result says what the rules hold against it."""

from __future__ import annotations

from pathlib import Path

import pytest

from decider import RulebaseError, consult, load_rulebase
from decider.rulebase.model import Oppose
from conftest import run_cli, write_rulebase

SHIPPED = load_rulebase()
VAGUE = {"motive": "better", "prompting_baseline": "tried", "eval_harness": False}


def test_the_approach_the_team_came_in_with_gets_what_speaks_against_it() -> None:
    result = consult(SHIPPED, VAGUE)
    assert result.recommendation.approach != "fine_tune"
    anyway = result.anyway
    assert anyway is not None and anyway.approach == "fine_tune"
    assert "To make the results better in general" in anyway.named_by
    opposing = {r.id for r in anyway.against}
    fired_against = {f.rule for f in result.trace.firings
                     if any(isinstance(e, Oppose) and e.approach == "fine_tune" for e in f.effects)}
    assert opposing == fired_against and opposing
    report = result.to_markdown()
    assert "## If you choose Fine-tune a model anyway" in report
    section = report.split("## If you choose Fine-tune a model anyway", 1)[1].split("\n## ", 1)[0]
    for reason in anyway.against:
        assert reason.title in section


@pytest.mark.parametrize("motive", ["none", "unknown"])
def test_no_section_without_an_approach_in_mind(motive: str) -> None:
    result = consult(SHIPPED, {**VAGUE, "motive": motive})
    assert result.anyway is None and "anyway" not in result.to_markdown()


def test_no_section_when_the_recommendation_is_what_the_team_came_in_with() -> None:
    strong = {"motive": "behaviour", "prompting_baseline": "measured", "eval_harness": True, "format_failures": True,
              "data_quality": 5, "example_count": 5000, "ml_expertise": True, "can_tune": True,
              "retune_capacity": True, "general_skills": False, "narrow_task": False}
    result = consult(SHIPPED, strong)
    assert result.recommendation.approach == "fine_tune" and result.anyway is None


def test_off_the_table_is_said_when_it_cannot_be_tuned() -> None:
    result = consult(SHIPPED, {**VAGUE, "can_tune": False})
    assert result.anyway is not None and result.anyway.excluded


def test_decide_prints_it() -> None:
    done = run_cli("decide", "-", stdin="motive: better\nprompting_baseline: tried\neval_harness: false\n")
    assert done.returncode == 0, done.stderr
    assert "If you choose Fine-tune a model [fine_tune] anyway (you came in considering it):" in done.stdout


def test_considers_must_name_an_approach(tmp_path: Path) -> None:
    rules = """\
rulebase: {id: tiny, version: "1", title: Tiny}
sources:
  - {id: essay, title: Essay, sections: [P1]}
policy: {default: a, tie_break: [a], confidence: {margin_scale: 2}}
approaches:
  - {id: a, title: A}
questions:
  - id: why
    kind: choice
    text: Why?
    choices:
      - {id: x, label: X, considers: a}
      - {id: y, label: Y, considers: nowhere}
rules:
  - {id: r1, when: {answer: why, "==": x}, then: [{support: a, weight: 1}], because: plain words, cite: P1}
"""
    directory = write_rulebase(tmp_path / "rb", {"main.yaml": rules})
    with pytest.raises(RulebaseError) as caught:
        load_rulebase(directory)
    problems = [str(p) for p in caught.value.problems]
    assert len(problems) == 1 and "main.yaml:13" in problems[0] and "'nowhere'" in problems[0], problems
