"""A portfolio view of a batch: how many profiles got each recommendation at each confidence level, and the
risks and prerequisites that come up most often. Built one result at a time, so memory stays flat."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from html import escape as html_escape

from pydantic import BaseModel, ConfigDict

from decider.reasoning.batch import BatchResult
from decider.rulebase.model import Rulebase

LEVELS = ("high", "moderate", "low", "")
"""Confidence levels, most confident first ("" when the policy declares none)."""
TOP = 10
"""How many of the most frequent risks and prerequisites a summary lists."""


class RecommendationCount(BaseModel):
    """Profiles whose primary recommendation is `approach`, by confidence level."""

    model_config = ConfigDict(frozen=True)

    approach: str
    title: str
    total: int
    by_level: tuple[tuple[str, int], ...]

    def count(self, level: str) -> int:
        return dict(self.by_level).get(level, 0)


class Frequency(BaseModel):
    """How many profiles flagged a risk or concluded a prerequisite."""

    model_config = ConfigDict(frozen=True)

    id: str
    title: str
    count: int


class Portfolio(BaseModel):
    """The summary of one batch."""

    model_config = ConfigDict(frozen=True)

    profiles: int
    failed: int
    levels: tuple[str, ...]
    """The confidence levels that occur, most confident first."""
    recommendations: tuple[RecommendationCount, ...]
    risks: tuple[Frequency, ...]
    prerequisites: tuple[Frequency, ...]


class PortfolioCounter:
    """Counts batch results as they stream past; `portfolio()` gives the summary so far."""

    def __init__(self, rulebase: Rulebase) -> None:
        self.rulebase = rulebase
        self.profiles = 0
        self.failed = 0
        self.primary: Counter[tuple[str, str]] = Counter()
        self.risks: Counter[str] = Counter()
        self.prerequisites: Counter[str] = Counter()

    def add(self, result: BatchResult) -> None:
        self.profiles += 1
        summary = result.summary
        if not result.ok or summary is None:
            self.failed += 1
            return
        self.primary[(summary.primary, summary.level)] += 1
        self.risks.update({risk.id for risk in summary.risks})
        self.prerequisites.update(set(summary.prerequisites))

    def portfolio(self) -> Portfolio:
        titles = {a.id: a.title for a in self.rulebase.approaches}
        conclusions = {c.id: c.title for c in self.rulebase.conclusions}
        totals: Counter[str] = Counter()
        for (approach, _), count in self.primary.items():
            totals[approach] += count
        levels = tuple(level for level in LEVELS if any(lv == level for _, lv in self.primary))
        recommendations = tuple(
            RecommendationCount(approach=approach, title=titles.get(approach, approach), total=total,
                                by_level=tuple((level, self.primary[(approach, level)]) for level in levels))
            for approach, total in sorted(totals.items(), key=lambda item: (-item[1], item[0])))
        return Portfolio(profiles=self.profiles, failed=self.failed, levels=levels, recommendations=recommendations,
                         risks=_top(self.risks, conclusions), prerequisites=_top(self.prerequisites, conclusions))


def _top(counts: Counter[str], titles: dict[str, str]) -> tuple[Frequency, ...]:
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:TOP]
    return tuple(Frequency(id=key, title=titles.get(key, key), count=count) for key, count in ranked)


def summarise_portfolio(rulebase: Rulebase, results: list[BatchResult]) -> Portfolio:
    """The summary of finished results (the CLI counts while streaming instead)."""
    counter = PortfolioCounter(rulebase)
    for result in results:
        counter.add(result)
    return counter.portfolio()


def chart_svg(portfolio: Portfolio) -> str:
    """Bars per recommendation, split by confidence level."""
    from decider.reasoning.charts import bars_svg

    bars = [(r.title, [(level, r.count(level)) for level in portfolio.levels]) for r in portfolio.recommendations]
    return bars_svg(f"Recommendations across {portfolio.profiles - portfolio.failed} profiles, by confidence",
                    bars, portfolio.levels)


def _share(count: int, total: int) -> str:
    return f"{count / total:.0%}" if total else "–"


def _headline(portfolio: Portfolio) -> str:
    done = portfolio.profiles - portfolio.failed
    return f"{portfolio.profiles} profiles, {done} consulted" + (f", {portfolio.failed} failed" if portfolio.failed else "") + "."


def _tables(portfolio: Portfolio, code: Callable[[str], str]) -> list[tuple[str, list[str], list[list[str]]]]:
    """(heading, column heads, rows) of the summary's tables, the same in every format; `code` marks an id."""
    done = portfolio.profiles - portfolio.failed
    levels = portfolio.levels
    tables = [("Recommendations", ["recommendation", "profiles", "share", *(level or "no level" for level in levels)],
               [[f"{r.title} ({code(r.approach)})", str(r.total), _share(r.total, done), *(str(r.count(lv)) for lv in levels)]
                for r in portfolio.recommendations])]
    for heading, items in (("Most frequent risks", portfolio.risks), ("Most frequent prerequisites", portfolio.prerequisites)):
        tables.append((heading, ["", "profiles", "share"],
                       [[f"{f.title} ({code(f.id)})", str(f.count), _share(f.count, done)] for f in items]))
    return tables


def markdown(portfolio: Portfolio, chart: str | None = None) -> str:
    """The summary as Markdown; `chart` links the SVG written beside it."""
    lines = ["# Portfolio summary", "", _headline(portfolio), ""]
    if chart:
        lines += [f"![Recommendations by confidence level]({chart})", ""]
    for number, (heading, head, rows) in enumerate(_tables(portfolio, lambda text: f"`{text}`")):
        lines += [f"## {heading}", ""]
        if number and not rows:  # the recommendations table is shown even when empty
            lines += ["None.", ""]
            continue
        lines += ["|" + "|".join(f" {h} " if h else " " for h in head) + "|", "|---|" + "---:|" * (len(head) - 1)]
        lines += ["| " + " | ".join(row) + " |" for row in rows] + [""]
    return "\n".join(lines)


def html(portfolio: Portfolio) -> str:
    """The summary as one self-contained HTML page (the chart inline)."""

    def table(head: list[str], rows: list[list[str]]) -> str:
        header = "".join(f"<th>{html_escape(h)}</th>" for h in head)
        body = "".join("<tr>" + "".join(f"<td>{html_escape(c)}</td>" for c in row) + "</tr>" for row in rows)
        return f"<table><thead><tr>{header}</tr></thead><tbody>{body}</tbody></table>"

    parts = ["<!DOCTYPE html><html><head><meta charset='utf-8'><title>Portfolio summary</title>",
             "<style>body{font-family:sans-serif;margin:2em;max-width:60em}table{border-collapse:collapse;margin:1em 0}"
             "td,th{border:1px solid #ccc;padding:.3em .6em}td:not(:first-child){text-align:right}</style></head><body>",
             "<h1>Portfolio summary</h1>", f"<p>{_headline(portfolio)}</p>", chart_svg(portfolio)]
    for number, (heading, head, rows) in enumerate(_tables(portfolio, lambda text: text)):
        parts.append(f"<h2>{heading}</h2>")
        parts.append(table(head, rows) if rows or not number else "<p>None.</p>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


def write_summary(portfolio: Portfolio, path: str) -> list[str]:
    """Write the summary to `path`: HTML (chart inline) for .html/.htm, otherwise Markdown with the chart's SVG
    beside it. Returns the paths written."""
    from pathlib import Path

    from decider.storage.atomic import write_atomic

    target = Path(path)
    if target.suffix.lower() in (".html", ".htm"):
        write_atomic(target, html(portfolio))
        return [str(target)]
    chart = target.with_name(f"{target.stem}-chart.svg")
    write_atomic(chart, chart_svg(portfolio))
    write_atomic(target, markdown(portfolio, chart.name))
    return [str(target), str(chart)]
