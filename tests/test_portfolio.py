"""The portfolio summary of a batch: counts that add up to the results, and `decider batch --summary FILE`."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

from conftest import run_cli
from decider import consult, load_rulebase
from decider.reasoning.batch import consult_many
from decider.reasoning.portfolio import TOP, summarise_portfolio
from decider.rulebase.samples import sample_profiles

ROOT = Path(__file__).resolve().parents[1]
RULEBASE = load_rulebase()


def test_counts_match_the_consultations() -> None:
    profiles = sample_profiles(RULEBASE, 120, seed=11)
    portfolio = summarise_portfolio(RULEBASE, list(consult_many(RULEBASE, profiles)))
    results = [consult(RULEBASE, p) for p in profiles]
    expected = Counter((r.recommendation.approach, r.recommendation.level) for r in results)
    assert portfolio.profiles == 120 and portfolio.failed == 0
    assert sum(r.total for r in portfolio.recommendations) == 120
    for item in portfolio.recommendations:
        for level in portfolio.levels:
            assert item.count(level) == expected[(item.approach, level)]
    totals = [r.total for r in portfolio.recommendations]
    assert totals == sorted(totals, reverse=True)
    risks = Counter(risk.id for r in results for risk in r.risks)
    assert [(f.id, f.count) for f in portfolio.risks] == sorted(risks.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP]
    prerequisites = Counter(p.id for r in results for p in r.prerequisites)
    assert {f.id: f.count for f in portfolio.prerequisites} == dict(prerequisites.most_common(TOP))


def test_batch_summary_markdown_with_chart_and_table(tmp_path: Path) -> None:
    profiles = sample_profiles(RULEBASE, 40, seed=5)
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(p) + "\n" for p in profiles) + "not json\n", encoding="utf-8")
    done = run_cli("batch", str(source), "--out", str(tmp_path / "out.jsonl"), "--summary", str(tmp_path / "sum.md"))
    assert done.returncode == 2  # the bad line fails; the summary still counts it
    summary = (tmp_path / "sum.md").read_text(encoding="utf-8")
    assert "41 profiles, 40 consulted, 1 failed." in summary
    assert "](sum-chart.svg)" in summary
    assert (tmp_path / "sum-chart.svg").read_text(encoding="utf-8").startswith("<svg")
    results = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    primaries = Counter(r["summary"]["primary"] for r in results if r["ok"])
    for approach, count in primaries.items():
        assert re.search(rf"\(`{approach}`\) \| {count} \|", summary), approach
    assert "Portfolio: 41 profiles, 1 failed" in done.stderr
    assert f"Summary written to {tmp_path / 'sum.md'}" in done.stderr


def test_batch_summary_html_is_one_page(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(p) + "\n" for p in sample_profiles(RULEBASE, 10, seed=2)), encoding="utf-8")
    done = run_cli("batch", str(source), "--summary", str(tmp_path / "sum.html"))
    assert done.returncode == 0, done.stderr
    page = (tmp_path / "sum.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page and "10 profiles, 10 consulted." in page
    assert len(done.stdout.splitlines()) == 10  # the results still go to stdout, the table to stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "sum.html"]


def test_summary_to_an_unwritable_place_is_one_clear_message(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({}) + "\n", encoding="utf-8")
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    done = run_cli("batch", str(source), "--summary", str(blocker / "sum.md"))
    assert done.returncode == 2
    assert "cannot write" in done.stderr and "Traceback" not in done.stderr


def test_markdown_tables_are_well_formed_even_when_every_profile_failed() -> None:
    from decider.reasoning.batch import Unreadable
    from decider.reasoning.portfolio import markdown

    for profiles in ([Unreadable(problem="not JSON")], sample_profiles(RULEBASE, 5, seed=3)):
        text = markdown(summarise_portfolio(RULEBASE, list(consult_many(RULEBASE, profiles))))
        rows = [line for line in text.splitlines() if line.startswith("|")]
        assert rows, text
        for head, rule in zip(rows, rows[1:]):
            if set(rule) <= set("|-:"):
                assert head.count("|") == rule.count("|"), text
