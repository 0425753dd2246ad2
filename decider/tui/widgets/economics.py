"""The economics chart on the results screen: cumulative cost of the API against tuning, break-even marked."""

from __future__ import annotations

from rich.markup import escape
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label, Static
from textual_plotext import PlotextPlot

from decider.reasoning.consultation import Consultation
from decider.reasoning.charts import nice_ceiling
from decider.reasoning.economics import Economics, economics, money_words, summary_line


class EconomicsChart(Vertical):
    """A plotext line chart of the consultation's own cost figures, with the summary and assumptions under it."""

    DEFAULT_CSS = """
    EconomicsChart { height: auto; margin: 1 0; }
    EconomicsChart PlotextPlot { height: 18; }
    EconomicsChart .assumptions { color: $text-muted; }
    """

    def __init__(self, result: Economics) -> None:
        super().__init__(id="economics")
        self.result = result

    @classmethod
    def of(cls, consultation: Consultation) -> EconomicsChart | None:
        """The chart for a consultation, or None when its costs are not known (the hook the results screen calls)."""
        result = economics(consultation)
        return None if result is None else cls(result)

    def compose(self) -> ComposeResult:
        yield Label("Economics: cumulative cost, staying on the API or tuning", classes="section")
        yield PlotextPlot()
        yield Static(escape(summary_line(self.result)), id="break-even")
        yield Static(escape("\n".join(f"• {text.replace('`', '')}" for text in self.result.assumptions)),
                     classes="assumptions")

    def on_mount(self) -> None:
        result = self.result
        plt = self.query_one(PlotextPlot).plt
        months = list(range(result.months + 1))
        plt.plot(months, list(result.api), label="staying on the API", color="blue", marker="braille")
        plt.plot(months, list(result.tuning), label="tuning", color="red", marker="braille")
        if result.break_even is not None and result.break_even <= result.months:
            plt.vline(result.break_even, color="green")
            plt.title(f"break-even: month {result.break_even}")
        plt.xlabel("month")
        plt.ylabel(result.unit)
        plt.xticks(list(range(0, result.months + 1, 6)))
        top = nice_ceiling(max(result.api[-1], result.tuning[-1], 1.0))
        ticks = [top * i / 4 for i in range(5)]
        plt.yticks(ticks, [money_words(t) for t in ticks])
