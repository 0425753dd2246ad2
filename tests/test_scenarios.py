"""The golden scenarios: every one passes on both engines, and together they exercise the whole rulebase."""

from __future__ import annotations

from pathlib import Path

import pytest

from decider import consult, load_rulebase
from decider.reasoning.scenarios import (
    ENGINE_NAMES, Scenario, check_all, check_scenario, coverage, justification_cites, load_scenarios,
)

from conftest import ROOT, run_cli

SCENARIO_DIR = ROOT / "examples" / "scenarios"
RULEBASE = load_rulebase()
SCENARIOS = load_scenarios(RULEBASE, SCENARIO_DIR)


def test_there_are_at_least_24_realistic_scenarios() -> None:
    assert len(SCENARIOS) >= 24
    for scenario in SCENARIOS:
        assert len(scenario.context.split()) >= 8, scenario.name
        assert scenario.expect.cites, scenario.name


@pytest.mark.parametrize("engine", ENGINE_NAMES)
@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_scenario_passes(scenario: Scenario, engine: str) -> None:
    check = check_scenario(RULEBASE, scenario, engine)  # type: ignore[arg-type]
    assert check.passed, "\n".join(check.failures)


def test_both_engines_give_the_same_consultation_outcome() -> None:
    for scenario in SCENARIOS:
        left = consult(RULEBASE, scenario.answers, engine="durable_rules")
        right = consult(RULEBASE, scenario.answers, engine="reference")
        assert left.trace.result == right.trace.result, scenario.name
        assert set(left.trace.firings) == set(right.trace.firings), scenario.name


def test_coverage_every_rule_approach_and_risk_is_exercised() -> None:
    cover = coverage(RULEBASE, check_all(RULEBASE, SCENARIOS))
    assert cover.unfired_rules == ()
    assert cover.unwon_approaches == ()
    assert cover.unflagged_risks == ()
    assert cover.complete


def test_coverage_detects_gaps() -> None:
    only_default = [s for s in SCENARIOS if s.name == "all-not-sure"]
    cover = coverage(RULEBASE, check_all(RULEBASE, only_default, engines=("reference",)))
    assert not cover.complete
    assert "fine_tune" in cover.unwon_approaches
    assert "forgetting" in cover.unflagged_risks


def test_a_wrong_expectation_fails_with_a_reason() -> None:
    scenario = next(s for s in SCENARIOS if s.expect.primary == "fine_tune")
    wrong = scenario.model_copy(update={"expect": scenario.expect.model_copy(update={"primary": "retrieval", "risks": ("skills_gap",)})})
    check = check_scenario(RULEBASE, wrong, "reference")
    assert not check.passed
    assert any("expected retrieval" in f for f in check.failures)
    assert any("skills_gap" in f for f in check.failures)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_markdown_report_shows_recommendation_reasons_risks_and_figures(scenario: Scenario) -> None:
    result = consult(RULEBASE, scenario.answers, engine="reference")
    text = result.to_markdown()
    assert f"# Recommendation: {result.recommendation.title}" in text
    assert f"{result.recommendation.confidence:.0%}" in text
    why = text.split("## Why", 1)[1]
    for reason in result.reasons:  # cited by label; written out in full where it first appears
        assert (f"[{result.cited(reason.cite)}]" in text
                and (f"[{result.cited(reason.cite)}]" in why or f"**{reason.title}** ({reason.effect}) — derived above" in why))
    risks = text.split("## Risks", 1)[1]
    for risk in scenario.expect.risks:
        title = RULEBASE.conclusion_index[risk].title
        assert title in risks, risk
    cites = justification_cites(result)
    assert set(scenario.expect.cites) <= cites
    if any(f.value is not None for f in result.figures):
        figures = text.split("## Figures used", 1)[1]
        for figure in result.figures:
            if figure.value is not None:
                assert figure.title in figures and figure.expr in figures


def test_cli_scenarios_passes_and_prints_coverage() -> None:
    done = run_cli("scenarios", str(SCENARIO_DIR))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "coverage complete" in done.stdout
    assert f"{2 * len(SCENARIOS)}/{2 * len(SCENARIOS)} scenario checks passed" in done.stdout


def test_cli_scenarios_fails_on_a_wrong_expectation(tmp_path: Path) -> None:
    text = (SCENARIO_DIR / "invoice-xml-format.yaml").read_text(encoding="utf-8")
    (tmp_path / "wrong.yaml").write_text(text.replace("primary: fine_tune", "primary: retrieval"), encoding="utf-8")
    done = run_cli("scenarios", str(tmp_path))
    assert done.returncode == 1
    assert "FAIL  wrong" in done.stdout and "expected retrieval" in done.stdout
    assert "coverage INCOMPLETE" in done.stdout


def test_cli_scenarios_allow_gaps_only_relaxes_coverage(tmp_path: Path) -> None:
    text = (SCENARIO_DIR / "invoice-xml-format.yaml").read_text(encoding="utf-8")
    (tmp_path / "one.yaml").write_text(text, encoding="utf-8")
    assert run_cli("scenarios", str(tmp_path)).returncode == 1
    assert run_cli("scenarios", str(tmp_path), "--allow-gaps").returncode == 0


@pytest.mark.parametrize("body, message", [
    ("context: x\nanswers: {bogus: 1}\nexpect: {primary: fine_tune, cites: [P6]}\n", "2:11: unknown question 'bogus'"),
    ("context: x\nanswers: {}\nexpect:\n  primary: fine_tunes\n  cites: [P6]\n", "4:3: unknown approach 'fine_tunes'"),
    ("context: x\nanswers: {}\nexpect:\n  primary: fine_tune\n  risks: [nope]\n  cites: [P6]\n", "5:11: unknown risk 'nope'"),
    ("context: x\nanswers: {}\nexpect:\n  primary: fine_tune\n  cites: [P99]\n", "unknown citation 'P99'"),
    ("context: x\nanswers: {}\n", "missing key 'expect'"),
    ("context: x\nanswers: {}\nexpect: {primary: fine_tune, cites: [P6], extra: 1}\n", "expect.extra"),
    ("context: [x\n", "bad.yaml:"),
])
def test_bad_scenario_files_get_one_located_message(tmp_path: Path, body: str, message: str) -> None:
    (tmp_path / "bad.yaml").write_text(body, encoding="utf-8")
    done = run_cli("scenarios", str(tmp_path))
    assert done.returncode == 2, done.stdout + done.stderr
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_decide_accepts_a_scenario_file() -> None:
    done = run_cli("decide", str(SCENARIO_DIR / "support-docs-rag.yaml"))
    assert done.returncode == 0, done.stderr
    assert "[retrieval]" in done.stdout.splitlines()[0]
