"""The economics of tuning against staying on the API, month by month, from the consultation's own numbers.

One source of numbers: the figures the rulebase computed for this consultation (looked up by id) and
the cost answers they are computed from. Nothing here re-derives a figure; when a needed number is
absent (the rulebase has no such figure or question) or unknown (not answered), there is no chart,
and an optional one (the tuned model's serving cost) is left out with a note saying so.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

if TYPE_CHECKING:
    from decider.reasoning.consultation import Consultation

HORIZON = 36
"""Months drawn (three years: long enough for a yearly upkeep to show twice)."""

API_MONTH = "api_cost_month"
FIRST_PROJECT = "tuning_cost"
UPKEEP_YEAR = "retune_cost_year"
FIRST_YEAR = "tuning_cost_first_year"
"""Ids of the figure (and, for the project and upkeep, the number answers) the chart is drawn from."""
SERVING = (("tuned_serving_year", 12), ("serving_cost_month", 1), ("tuned_serving_month", 1))
"""Where the tuned model's serving cost may come from, figures first: (id, months it covers); the first known wins."""


class Economics(BaseModel):
    """Cumulative cost of staying on the API and of tuning, at the end of each month 0..months."""

    model_config = ConfigDict(frozen=True)

    months: int
    unit: str
    api_month: float
    first_project: float
    upkeep_year: float
    serving_month: float | None
    """None when the serving cost is not counted (no such figure, or its inputs are unknown)."""
    api: tuple[float, ...]
    tuning: tuple[float, ...]
    break_even: int | None
    """First month at whose end tuning has cost no more than the API (may lie beyond `months`); None: never."""
    assumptions: tuple[str, ...]

    @property
    def running_month(self) -> float:
        """Tuning's cost per month once the first project is paid: upkeep spread over the months, plus serving."""
        return self.upkeep_year / 12 + (self.serving_month or 0.0)

    def at(self, month: int) -> tuple[float, float]:
        """(API, tuning) cumulative cost at the end of `month`."""
        return self.api[month], self.tuning[month]


def economics(consultation: "Consultation", months: int = HORIZON) -> Economics | None:
    """The month-by-month comparison, or None when the API spend, the first project or the upkeep is unknown."""
    known = _numbers(consultation)
    api_month, first, upkeep = known.get(API_MONTH), known.get(FIRST_PROJECT), known.get(UPKEEP_YEAR)
    if api_month is None or first is None or upkeep is None:
        return None
    serving = _serving(known)
    running = upkeep / 12 + (serving or 0.0)

    def tuning(month: int) -> float:
        return first + running * month

    break_even = _break_even(first, running, api_month, tuning)
    titles = {f.id: f for f in consultation.figures}
    unit = _currency(titles[API_MONTH].unit) if API_MONTH in titles else ""
    return Economics(
        months=months, unit=unit, api_month=api_month, first_project=first, upkeep_year=upkeep, serving_month=serving,
        api=tuple(api_month * m for m in range(months + 1)), tuning=tuple(tuning(m) for m in range(months + 1)),
        break_even=break_even, assumptions=_assumptions(consultation, known, unit, tuning(12)),
    )


def _break_even(first: float, running: float, api_month: float, tuning: Callable[[int], float]) -> int | None:
    """The first month m >= 1 with tuning(m) <= api_month * m (the cost lines are straight, so one crossing)."""
    if tuning(1) <= api_month:
        return 1
    if api_month <= running:
        return None
    month = max(1, math.ceil(first / (api_month - running)))
    while month > 1 and tuning(month - 1) <= api_month * (month - 1):  # float rounding: settle on the exact month
        month -= 1
    while tuning(month) > api_month * month:
        month += 1
    return month


def _serving(known: dict[str, float]) -> float | None:
    """The serving cost per month from the first known serving figure or answer, or None."""
    return next((known[key] / months for key, months in SERVING if key in known), None)


def _numbers(consultation: "Consultation") -> dict[str, float]:
    """Known numbers by id: the consultation's figures, then its number answers (figures win on a shared id)."""
    found: dict[str, float] = {}
    for qid, value in consultation.trace.answers.items():
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            found[qid] = float(value)
    for figure in consultation.figures:
        if figure.value is not None:
            found[figure.id] = float(figure.value)
    return found


def _assumptions(consultation: "Consultation", known: dict[str, float], unit: str, year: float) -> tuple[str, ...]:
    """The assumptions printed under the chart; `year` is the tuning line at month 12."""
    figures = {f.id: f for f in consultation.figures}

    def money(value: float) -> str:
        return money_words(value, unit)

    api = figures.get(API_MONTH)
    source = f" (figure `{API_MONTH}` = `{api.expr}`)" if api else ""
    lines = [
        f"Staying on the API costs {money(known[API_MONTH])} a month{source}, the same every month: "
        "no growth in volume, no change in price.",
        f"Tuning costs {money(known[FIRST_PROJECT])} for the first project, paid up front (`{FIRST_PROJECT}`), "
        f"and {money(known[UPKEEP_YEAR])} a year of re-tuning and upkeep (`{UPKEEP_YEAR}`), spread evenly over the months"
        + (f", so month 12 totals the figure `{FIRST_YEAR}`, {money(known[FIRST_YEAR])}"
           if FIRST_YEAR in known and math.isclose(known[FIRST_YEAR], year, abs_tol=0.01) else "")
        + ".",
    ]
    declared = {f.id for f in consultation.figures} | set(consultation.trace.answers) | set(consultation.unknowns)
    serving = next(((key, months) for key, months in SERVING if key in known), None)
    if serving is not None:
        key, months = serving
        per = f" ({money(known[key])} a year)" if months == 12 else ""
        lines.append(f"Serving the tuned model costs {money(known[key] / months)} a month{per} (`{key}`).")
    elif any(key in declared for key, _ in SERVING):
        lines.append("Serving the tuned model is not counted because its cost is not known: tuning looks cheaper "
                     "than it is.")
    else:
        lines.append("Serving the tuned model is not counted (the rulebase computes no serving cost): tuning looks "
                     "cheaper than it is.")
    lines.append("Once tuned, the API bill stops entirely; no discounting, no switching costs.")
    return tuple(lines)


def money_words(value: float, unit: str = "") -> str:
    """A cost as people read it: whole units with thousands separators, and the currency."""
    text = f"{value:,.0f}"
    return f"{text} {unit}".strip()


def _currency(unit: str) -> str:
    """'USD / month' -> 'USD'."""
    return unit.split("/")[0].strip()


def summary_line(result: Economics) -> str:
    """One sentence: where the break-even lies, with both totals at that month."""
    if result.break_even is None:
        return (f"Tuning never breaks even: its running cost ({money_words(result.running_month, result.unit)}"
                f" a month) is at least the API spend ({money_words(result.api_month, result.unit)} a month).")
    month = result.break_even
    if month > result.months:
        return f"Tuning breaks even in month {month}, beyond the {result.months} months drawn."
    api, tuned = result.at(month)
    return (f"Tuning breaks even in month {month}: by its end tuning has cost {money_words(tuned, result.unit)} "
            f"against {money_words(api, result.unit)} on the API.")


def markdown_section(result: Economics | None, chart: str | None = None) -> list[str]:
    """The report's economics section (nothing when the costs are not known); `chart` links the SVG beside it."""
    if result is None:
        return []
    lines = ["", "## Economics: staying on the API or tuning", ""]
    if chart:
        lines += [f"![Cumulative cost of staying on the API and of tuning, break-even marked]({chart})", ""]
    lines += [summary_line(result), "", f"| end of month | API, cumulative ({result.unit}) | tuning, cumulative ({result.unit}) |",
              "|---:|---:|---:|"]
    months = sorted({6, 12, 24, result.months, *([result.break_even] if result.break_even and result.break_even <= result.months else [])})
    for month in months:
        api, tuned = result.at(month)
        mark = " (break-even)" if month == result.break_even else ""
        lines.append(f"| {month}{mark} | {money_words(api)} | {money_words(tuned)} |")
    lines += ["", "Assumptions:", ""]
    lines += [f"- {text}" for text in result.assumptions]
    return lines
