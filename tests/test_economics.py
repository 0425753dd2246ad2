"""The economics chart: its numbers are the consultation's figures, the break-even month is the first month
tuning has cost no more than the API, and the report links an SVG written beside it."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ROOT, run_cli
from decider import consult, load_rulebase
from decider.reasoning.charts import economics_svg
from decider.reasoning.economics import economics
from decider.reasoning.exports import export, export_bundle

RULEBASE = load_rulebase()


def scenario(name: str) -> dict[str, Any]:
    return dict(yaml.safe_load((ROOT / "examples" / "scenarios" / f"{name}.yaml").read_text(encoding="utf-8"))["answers"])


def figure(result: Any, figure_id: str) -> float | None:
    value = next((f.value for f in result.figures if f.id == figure_id), None)
    return None if value is None else float(value)


COSTS = {"monthly_mtokens": 3000, "price_per_mtoken": 3, "tuning_cost": 50000, "retune_cost_year": 20000}
"""9,000 a month on the API against 50,000 up front and 20,000 a year: 50,000 / (9,000 - 1,666.67) = 6.8."""


@pytest.mark.parametrize("name", ["invoice-xml-format", "uneconomic-format", "ticket-router-volume"])
def test_the_chart_is_drawn_from_the_consultations_figures(name: str) -> None:
    result = consult(RULEBASE, scenario(name))
    chart = economics(result)
    assert chart is not None
    assert chart.api[1] == figure(result, "api_cost_month")
    assert chart.api[12] == pytest.approx(figure(result, "api_cost_year"))
    first_year = figure(result, "tuning_cost_first_year")
    if first_year is not None:  # unknown when the rulebase counts a serving cost the scenario leaves open
        assert chart.tuning[12] == pytest.approx(first_year)
    month = chart.break_even
    assert month is not None and month <= chart.months
    assert chart.tuning[month] <= chart.api[month]
    assert all(chart.tuning[m] > chart.api[m] for m in range(1, month))


def test_break_even_month_of_known_costs() -> None:
    chart = economics(consult(RULEBASE, COSTS))
    assert chart is not None and chart.break_even == 7
    assert chart.at(7) == pytest.approx((63_000, 50_000 + 7 * 20_000 / 12))


def test_no_chart_while_a_cost_is_unknown() -> None:
    answers = scenario("invoice-xml-format")
    answers["retune_cost_year"] = "unknown"
    result = consult(RULEBASE, answers)
    assert economics(result) is None
    assert "## Economics" not in result.to_markdown()
    del answers["tuning_cost"]
    assert economics(consult(RULEBASE, answers)) is None


def test_exported_report_links_its_chart_and_states_the_break_even(tmp_path: Path) -> None:
    result = consult(RULEBASE, {**scenario("invoice-xml-format"), **COSTS})
    done = export(result, tmp_path / "plan.md", tmp_path / "plan.json")
    assert done.chart == tmp_path / "plan-economics.svg" and done.chart.exists()
    report = done.report.read_text(encoding="utf-8")
    assert "](plan-economics.svg)" in report
    assert "Tuning breaks even in month 7" in report
    svg = done.chart.read_text(encoding="utf-8")
    assert "break-even: month 7" in svg and svg.startswith("<svg")
    # the table's numbers are the figures: 12 months on the API is api_cost_year, tuning's is tuning_cost_first_year
    row = re.search(r"^\| 12 \| ([\d,]+) \| ([\d,]+) \|$", report, re.MULTILINE)
    assert row is not None
    assert float(row.group(1).replace(",", "")) == figure(result, "api_cost_year")
    first_year = figure(result, "tuning_cost_first_year")
    assert float(row.group(2).replace(",", "")) == (70_000 if first_year is None else first_year)


def test_export_without_costs_writes_no_chart(tmp_path: Path) -> None:
    result = consult(RULEBASE, {"format_failures": True})
    done = export(result, tmp_path / "r.md", tmp_path / "t.json")
    assert done.chart is None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.md", "t.json"]


def test_browser_bundle_holds_report_chart_and_trace() -> None:
    import io
    import zipfile

    result = consult(RULEBASE, scenario("invoice-xml-format"))
    with zipfile.ZipFile(io.BytesIO(export_bundle(result))) as bundle:
        names = sorted(bundle.namelist())
        report = bundle.read("decider-report.md").decode()
    assert names == ["decider-report-economics.svg", "decider-report.md", "decider-trace.json"]
    assert "](decider-report-economics.svg)" in report


costs = st.integers(min_value=0, max_value=2_000_000)


@settings(max_examples=150, deadline=None)
@given(mtokens=st.integers(min_value=0, max_value=100_000), price=st.sampled_from([0, 0.5, 2, 3, 15]),
       first=costs, upkeep=costs)
def test_break_even_is_the_first_month_tuning_costs_no_more(mtokens: int, price: float, first: int, upkeep: int) -> None:
    result = consult(RULEBASE, {"monthly_mtokens": mtokens, "price_per_mtoken": price, "tuning_cost": first,
                                "retune_cost_year": upkeep})
    chart = economics(result)
    assert chart is not None
    api_month, running = chart.api_month, chart.running_month

    def cheaper(month: int) -> bool:
        return first + running * month <= api_month * month

    if chart.break_even is None:
        assert api_month <= running and not cheaper(1)
    else:
        assert cheaper(chart.break_even)
        assert not any(cheaper(m) for m in range(1, chart.break_even))
    assert economics_svg(chart).count("<polyline") == 2


def rulebase_with_serving(tmp_path: Path) -> Path:
    """The shipped rulebase with a serving-cost answer and the yearly serving figure the chart reads (added
    unless the rulebase already has them)."""
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    questions = rules / "questions.yaml"
    document = yaml.safe_load(questions.read_text(encoding="utf-8"))
    if not any(q["id"] == "tuned_serving_month" for q in document["questions"]):
        document["questions"].append({
            "id": "tuned_serving_month", "kind": "number", "unit": "USD / month", "min": 0, "max": 100000000,
            "priority": 1, "text": "What would serving the tuned model cost a month?",
            "help": "GPU hosting or a tuned-model API price, in US dollars a month."})
    if not any(f["id"] == "tuned_serving_year" for f in document["figures"]):
        document["figures"].append({"id": "tuned_serving_year", "title": "Yearly cost of serving the tuned model",
                                    "unit": "USD / year", "expr": "tuned_serving_month * 12"})
    questions.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return rules


def test_serving_cost_is_counted_when_the_rulebase_has_it(tmp_path: Path) -> None:
    rulebase = load_rulebase(rulebase_with_serving(tmp_path))
    answers = scenario("invoice-xml-format")
    chart = economics(consult(rulebase, {**answers, **COSTS, "tuned_serving_month": 2000}))
    assert chart is not None and chart.serving_month == 2000
    assert chart.tuning[12] == pytest.approx(70_000 + 12 * 2000)
    assert chart.break_even == 10  # 50,000 / (9,000 - 1,666.67 - 2,000) = 9.4
    assert any("Serving the tuned model costs 2,000 USD a month (24,000 USD a year)" in a for a in chart.assumptions)
    unknown = economics(consult(rulebase, {**answers, **COSTS, "tuned_serving_month": "unknown"}))
    assert unknown is not None and unknown.serving_month is None
    assert any("not known" in a for a in unknown.assumptions)


def test_decide_and_the_plain_interview_state_the_break_even(tmp_path: Path) -> None:
    source = ROOT / "examples" / "scenarios" / "invoice-xml-format.yaml"
    done = run_cli("decide", source)
    assert done.returncode == 0, done.stderr
    chart = economics(consult(RULEBASE, scenario("invoice-xml-format")))
    assert chart is not None
    assert f"Economics over 36 months: Tuning breaks even in month {chart.break_even}:" in done.stdout
    plain = run_cli("interview", "--plain", "--answers", source, "--report", tmp_path / "r.md",
                    "--trace", tmp_path / "t.json", "--save", tmp_path / "s.json", stdin="0\n" * 30)
    assert plain.returncode == 0, plain.stderr
    assert f"Chart: {tmp_path / 'r-economics.svg'}" in plain.stdout
    assert (tmp_path / "r-economics.svg").exists()
