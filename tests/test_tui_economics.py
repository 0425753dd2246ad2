"""The economics chart on the TUI results screen: shown when the costs are known, absent otherwise, and
its picture pinned by a snapshot for the golden scenario with every cost answer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from textual.app import App, ComposeResult
from textual.widgets import Input, Static
from textual_plotext import PlotextPlot

from decider import consult, load_rulebase
from decider.reasoning.economics import economics
from decider.interview.session import Interview
from decider.tui.app import DeciderApp
from decider.tui.screens.results import ResultsScreen
from decider.tui.widgets.economics import EconomicsChart
from test_economics import COSTS

ROOT = Path(__file__).resolve().parents[1]
RULEBASE = load_rulebase()


@pytest.fixture(autouse=True)
def no_cursor_blink(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(Input, "_toggle_cursor", lambda _self: None)
    monkeypatch.setenv("DECIDER_STATE_DIR", str(tmp_path / "state"))


def scenario(name: str) -> dict[str, Any]:
    return dict(yaml.safe_load((ROOT / "examples" / "scenarios" / f"{name}.yaml").read_text(encoding="utf-8"))["answers"])


async def test_results_show_the_chart_when_costs_are_known() -> None:
    answers = scenario("invoice-xml-format")
    app = DeciderApp(RULEBASE, Interview(answers=answers, history=tuple(answers)))
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ResultsScreen)
        chart = app.screen.query_one(EconomicsChart)
        assert chart.query_one(PlotextPlot)
        said = str(chart.query_one("#break-even", Static).content)
        expected = economics(consult(RULEBASE, answers))
        assert expected is not None and said.startswith(f"Tuning breaks even in month {expected.break_even}:")


async def test_results_have_no_chart_without_costs() -> None:
    answers = {k: v for k, v in scenario("invoice-xml-format").items() if k != "tuning_cost"}
    answers["tuning_cost"] = "unknown"
    app = DeciderApp(RULEBASE, Interview(answers=answers, history=tuple(answers)))
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ResultsScreen)
        assert not app.screen.query(EconomicsChart)


class ChartApp(App[None]):
    """The chart alone, as the results screen shows it (the screen's other parts have their own snapshots)."""

    def compose(self) -> ComposeResult:
        result = economics(consult(RULEBASE, {**scenario("invoice-xml-format"), **COSTS}))
        assert result is not None
        yield EconomicsChart(result)


def test_chart_snapshot(snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(ChartApp(), terminal_size=(100, 34))
