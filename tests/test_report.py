"""The Markdown report: each derivation written once (later uses refer back), answers by question text,
"not sure" kept apart from "not asked", and a provisional report says so."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from decider import consult, load_rulebase, validate_answers
from decider.reasoning.report import render_markdown
from planner_support import scenarios

SHOWCASE = load_rulebase(Path(__file__).parent / "fixtures" / "tui")
SHIPPED = load_rulebase()


@pytest.mark.parametrize(("name", "answers"), scenarios(), ids=[s[0] for s in scenarios()])
def test_each_rule_is_derived_once(name: str, answers: dict[str, Any]) -> None:
    report = consult(SHIPPED, validate_answers(SHIPPED, answers)).to_markdown()
    for rule in SHIPPED.rules:
        written = [line for line in report.splitlines() if f"): {rule.because}" in line]
        assert len(written) <= 1, (rule.id, written)


def test_a_reused_derivation_refers_back() -> None:
    report = consult(SHOWCASE, {"baseline": "measured", "gap": True, "quality": 2, "budget": 5000}).to_markdown()
    assert report.count("A gap that careful, measured prompting cannot close is the case for tuning") == 1
    assert report.count("**A gap that survived measured prompting** (concludes behaviour_case) — derived above") == 2


def test_answers_by_question_text_with_not_sure_apart_from_not_asked() -> None:
    report = consult(SHOWCASE, {"baseline": "measured", "gap": True, "quality": "unknown"}).to_markdown()
    answers = report[report.index("## Answers"):]
    assert "| How far has prompting been pushed? [be honest] | Iterated and measured, with named failures" in answers
    assert "| Is there a [behaviour] gap that prompting cannot close? | yes |" in answers
    unsure, unasked = answers.index("**Not sure**"), answers.index("**Not asked**")
    assert "How clean are the training examples?" in answers[unsure:unasked]
    assert "What budget is there for the project?" in answers[unasked:]
    assert "`baseline`" not in answers


def test_a_provisional_report_says_so_at_the_top() -> None:
    result = consult(SHOWCASE, {"baseline": "measured"})
    report = render_markdown(result, status="Provisional: the interview is not finished.")
    assert report.startswith("# Provisional recommendation: ")
    assert report.splitlines()[2] == "> **Provisional: the interview is not finished.**"


def test_mostly_not_sure_says_the_advice_rests_on_what_is_not_known() -> None:
    unsure = consult(SHOWCASE, {"baseline": "unknown", "gap": "unknown", "budget": 20000}).to_markdown()
    assert '2 of 3 answers were "not sure"' in unsure
    known = consult(SHOWCASE, {"baseline": "measured", "gap": True, "quality": "unknown"}).to_markdown()
    assert "not sure\": this advice" not in known


def test_a_figure_built_on_figures_is_explained_down_to_the_answers() -> None:
    answers = {"narrow_task": True, "motive": "cost", "monthly_mtokens": 20000, "price_per_mtoken": 2,
               "tuning_cost": 80000, "retune_cost_year": 40000}
    result = consult(SHIPPED, answers)

    def figures(reasons: Any) -> list[Any]:
        found = []
        for reason in reasons:
            if reason.kind == "figure":
                found.append(reason)
            found += figures(reason.children)
        return found

    payback = [f for f in figures(result.reasons) if f.id == "tuning_in_api_months"]
    assert payback, "the payback rule fired on a figure"

    def leaves(reason: Any) -> set[str]:
        if reason.kind == "answer":
            return {reason.id}
        assert reason.children, f"figure {reason.id} stops before the answers"
        return {q for child in reason.children for q in leaves(child)}

    assert leaves(payback[0]) == {"monthly_mtokens", "price_per_mtoken", "tuning_cost", "retune_cost_year"}
    assert "How many million tokens a month will the system process? → **20,000" in result.to_markdown()
