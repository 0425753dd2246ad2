"""The Markdown report of a consultation, for a planning document."""

from __future__ import annotations

from typing import TYPE_CHECKING

from decider.reasoning.economics import economics, markdown_section
from decider.reasoning.how import Reason

if TYPE_CHECKING:
    from decider.reasoning.consultation import Consultation


def render_markdown(consultation: "Consultation", chart: str | None = None) -> str:
    """The report; `chart` is the economics SVG's name beside the report file, linked when given."""
    rec = consultation.recommendation
    trace = consultation.trace
    lines = [
        f"# Recommendation: {rec.title}",
        "",
        f"**{rec.title}** (`{rec.approach}`), confidence **{rec.confidence:.0%}**{f' ({rec.level})' if rec.level else ''}.",
        "",
    ]
    if rec.summary:
        lines += [rec.summary, ""]
    lines += [_standing(consultation), ""]
    if rec.defaulted:
        lines += ["No rule supported or opposed any approach, so the rulebase's default applies.", ""]
    if rec.complementary:
        lines += ["Worth combining with: " + ", ".join(f"**{c.title}** (`{c.approach}`)" for c in rec.complementary) + ".", ""]
    if consultation.excluded:
        lines += ["## Off the table", ""]
        for off in consultation.excluded:
            lines.append(f"- **{off.title}** (`{off.approach}`) — {' '.join(off.because)} [{', '.join(off.cite)}]")
        lines.append("")
    if consultation.prerequisites:
        lines += ["## Before you start", ""]
        for prerequisite in consultation.prerequisites:
            lines.append(f"- **{prerequisite.title}** — {' '.join(prerequisite.because)} [{', '.join(prerequisite.cite)}]")
        lines.append("")
    lines += ["## Why", ""]
    if consultation.reasons:
        for reason in consultation.reasons:
            lines += _tree(reason, 0)
    else:
        lines.append("No rule bore on this approach directly; it leads on the policy's baseline.")
    if consultation.alternatives:
        combined = {c.approach for c in rec.complementary}
        lines += ["", "## The other approaches", ""]
        for alternative in consultation.alternatives:
            role = "recommended alongside, " if alternative.approach in combined else ""
            lines.append(f"- **{alternative.title}** (`{alternative.approach}`), {role}score {alternative.score:g}:")
            for reason in alternative.reasons:
                lines += _tree(reason, 1)
    lines += ["", "## Risks", ""]
    if consultation.risks:
        for risk in consultation.risks:
            cites = ", ".join(risk.cite)
            lines.append(f"- **{risk.title}** ({risk.severity}) — {' '.join(risk.because)} [{cites}]")
    else:
        lines.append("No risk was flagged.")
    known = [f for f in consultation.figures if f.value is not None]
    if known:
        lines += ["", "## Figures used", "", "| figure | value | computed as |", "|---|---:|---|"]
        for figure in known:
            unit = f" {figure.unit}" if figure.unit else ""
            lines.append(f"| {figure.title} | {_number(figure.value)}{unit} | `{figure.expr}` |")
    lines += markdown_section(economics(consultation), chart)
    lines += ["", "## Ranking", "", "| approach | score | baseline | support | oppose |", "|---|---:|---:|---:|---:|"]
    for item in consultation.ranking:
        lines.append(f"| {item.title} (`{item.approach}`) | {item.score:g} | {item.baseline:g} | {item.support:g} | {item.oppose:g} |")
    lines += ["", "## Answers", ""]
    for qid, value in trace.answers.items():
        lines.append(f"- `{qid}`: {_value(value)}")
    if consultation.unknowns:
        lines.append(f"- not known: {', '.join(f'`{q}`' for q in consultation.unknowns)}")
    lines += [
        "",
        "---",
        f"Rulebase `{trace.rulebase.id}` {trace.rulebase.version} (sha256 `{trace.rulebase.sha256[:16]}…`), "
        f"decider {trace.decider_version}, engine {trace.engine}, trace digest `{trace.digest[:16]}…`.",
        "",
    ]
    return "\n".join(lines)


def _standing(consultation: "Consultation") -> str:
    """Settled or not, the robustness, the tie and what would separate it, in one paragraph."""
    rec = consultation.recommendation
    if rec.settled:
        text = "**Settled:** no answer to an open question can change this recommendation."
    else:
        text = (f"**Not settled:** it stays the recommendation in {rec.robustness:.0%} of the ways the open answers "
                "could turn out" + (f"; these still bear on it: {', '.join(f'`{q}`' for q in rec.open_questions)}"
                                     if rec.open_questions else "") + ".")
    if rec.tied:
        text += (f" **Tie:** {rec.title} is level with " + ", ".join(f"{t.title} (`{t.approach}`)" for t in rec.tied)
                 + "; the rulebase's tie-break order chose" + (
                     f" — answers that would separate them: {', '.join(f'`{q}`' for q in rec.separating)}"
                     if rec.separating else "") + ".")
    return text


def _tree(node: Reason, depth: int) -> list[str]:
    pad = "  " * depth
    if node.kind == "rule":
        cite = f" [{', '.join(node.cite)}]" if node.cite else ""
        text = f"{pad}- **{node.title}** ({node.effect}): {node.because}{cite}"
    elif node.kind == "conclusion":
        text = f"{pad}- {'✓' if node.value else '✗'} {node.title}"
    else:
        text = f"{pad}- {node.title} → **{_value(node.value)}**"
    lines = [text]
    for child in node.children:
        lines += _tree(child, depth + 1)
    return lines


def _value(value: object) -> str:
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if value is None or value == "unknown":
        return "not sure"
    return _number(value) if isinstance(value, (int, float)) else str(value)


def _number(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def value_words(value: object) -> str:
    """An answer or fact value in plain words: yes, no, not sure, a formatted number, or the choice id."""
    return _value(value)
