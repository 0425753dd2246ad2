"""The Markdown report of a consultation, for a planning document.

Each derivation (a rule with the reasons beneath it) is written out once, where it first
appears; later uses name it and refer back, so a report stays short however often a
conclusion is reused."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from decider.reasoning.economics import economics, markdown_section
from decider.reasoning.how import Reason
from decider.rulebase.model import ChoiceQuestion, NumberQuestion, Question

if TYPE_CHECKING:
    from decider.reasoning.consultation import Consultation


def render_markdown(consultation: "Consultation", chart: str | None = None, *, status: str | None = None) -> str:
    """The report; `chart` is the economics SVG's name beside the report file, linked when given; `status`
    (e.g. "the interview is not finished …") is shown under the title when given."""
    rec = consultation.recommendation
    trace = consultation.trace
    words = {a.id: a.answer for a in consultation.answers_shown}
    heading = "Provisional recommendation" if status else "Recommendation"
    level = f" ({rec.level})" if rec.level else ""
    lines = [f"# {heading}: {rec.title}", ""]
    if status:
        lines += [f"> **{status}**", ""]
    lines += [f"**{rec.title}** (`{rec.approach}`), confidence **{rec.confidence:.0%}**{level}.", ""]
    if rec.summary:
        lines += [rec.summary, ""]
    lines += [standing_words(consultation), ""]
    note = uncertainty_note(consultation)
    if note:
        lines += [f"*{note}*", ""]
    if rec.defaulted:
        lines += ["No rule supported or opposed any approach, so the rulebase's default applies.", ""]
    if rec.complementary:
        lines += ["Worth combining with: " + ", ".join(f"**{c.title}** (`{c.approach}`)" for c in rec.complementary) + ".", ""]
    if consultation.excluded:
        lines += ["## Off the table", ""]
        for off in consultation.excluded:
            lines.append(f"- **{off.title}** (`{off.approach}`) — {' '.join(off.because)} [{consultation.cited(off.cite)}]")
        lines.append("")
    if consultation.prerequisites:
        lines += ["## Before you start", ""]
        for prerequisite in consultation.prerequisites:
            lines.append(f"- **{prerequisite.title}** — {' '.join(prerequisite.because)} [{consultation.cited(prerequisite.cite)}]")
        lines.append("")
    lines += ["## Risks", ""]
    if consultation.risks:
        for risk in consultation.risks:
            lines.append(f"- **{risk.title}** ({risk.severity}) — {' '.join(risk.because)} [{consultation.cited(risk.cite)}]")
    else:
        lines.append("No risk was flagged.")
    tree = _Derivations(words, consultation.cited)
    lines += _anyway(consultation, tree)
    lines += ["", "## Ranking", "", "| approach | score | baseline | points for | points against |",
              "|---|---:|---:|---:|---:|"]
    for item in consultation.ranking:
        lines.append(f"| {item.title} (`{item.approach}`) | {item.score:g} | {item.baseline:g} | {item.support:g} | {item.oppose:g} |")
    lines += ["", "## Why", ""]
    if consultation.reasons:
        for reason in consultation.reasons:
            lines += tree.lines(reason, 0)
    else:
        lines.append("No rule bore on this approach directly; it leads on the policy's baseline.")
    if consultation.alternatives:
        combined = {c.approach for c in rec.complementary}
        lines += ["", "## The other approaches", ""]
        for alternative in consultation.alternatives:
            role = "recommended alongside, " if alternative.approach in combined else ""
            lines.append(f"- **{alternative.title}** (`{alternative.approach}`), {role}score {alternative.score:g}:")
            for reason in alternative.reasons:
                lines += tree.lines(reason, 1)
    known = [f for f in consultation.figures if f.value is not None]
    if known:
        lines += ["", "## Figures used", "", "| figure | value | computed as |", "|---|---:|---|"]
        for figure in known:
            unit = f" {figure.unit}" if figure.unit else ""
            lines.append(f"| {figure.title} | {_number(figure.value)}{unit} | `{figure.expr}` |")
    lines += markdown_section(economics(consultation), chart)
    lines += _answers(consultation)
    lines += _assumptions(consultation)
    lines += _sources(consultation)
    lines += [
        "",
        "---",
        f"Rulebase `{trace.rulebase.id}` {trace.rulebase.version} (sha256 `{trace.rulebase.sha256[:16]}…`), "
        f"decider {trace.decider_version}, engine {trace.engine}, trace digest `{trace.digest[:16]}…`.",
        "",
    ]
    return "\n".join(lines)


def uncertainty_note(consultation: "Consultation") -> str | None:
    """When at least half the answers given are "not sure", say that the advice rests on what is not known
    (so "no case for tuning applies" is not read as "the case against tuning is established")."""
    given = [a for a in consultation.answers_shown if a.status != "not_asked"]
    unsure = [a for a in given if a.status == "not_sure"]
    if not given or 2 * len(unsure) < len(given):
        return None
    return (f"{len(unsure)} of {len(given)} answers were \"not sure\": this advice rests mostly on what is not known "
            "about the case; where it says no case applies, read that as none is known yet.")


def standing_words(consultation: "Consultation") -> str:
    """Settled or not, the robustness, the tie and what would separate it, in one paragraph (questions by text)."""
    rec = consultation.recommendation
    texts = {a.id: a.text for a in consultation.answers_shown}
    if rec.settled:
        text = "**Settled:** no answer to an open question can change this recommendation."
    else:
        text = (f"**Not settled:** it stays the recommendation in {rec.robustness:.0%} of the ways the open answers "
                "could turn out" + (f"; these still bear on it: {'; '.join(texts.get(q, q) for q in rec.open_questions)}"
                                     if rec.open_questions else "") + ".")
    if rec.tied:
        text += (f" **Tie:** {rec.title} is level with " + ", ".join(f"{t.title} (`{t.approach}`)" for t in rec.tied)
                 + "; the rulebase's tie-break order chose" + (
                     f" — answers that would separate them: {'; '.join(texts.get(q, q) for q in rec.separating)}"
                     if rec.separating else "") + ".")
    return text


def _anyway(consultation: "Consultation", tree: "_Derivations") -> list[str]:
    """"If you choose X anyway": what the rules hold against the approach the team came in considering."""
    anyway = consultation.anyway
    if anyway is None:
        return []
    lines = ["", f"## If you choose {anyway.title} anyway", "",
             f"You came in considering **{anyway.title}** (`{anyway.approach}`): {anyway.named_by}."]
    if anyway.excluded:
        lines += ["", f"It is off the table: {' '.join(anyway.excluded)}"]
    if anyway.against:
        lines += ["", "What the rules hold against it:", ""]
        for reason in anyway.against:
            lines += tree.lines(reason, 0)
    elif not anyway.excluded:
        lines += ["", "No rule weighed against it; it ranks below the recommendation on the points for it."]
    if consultation.risks:
        lines += ["", "The risks above are the ones flagged for this case; plan for them before going ahead."]
    return lines


def _assumptions(consultation: "Consultation") -> list[str]:
    """The rulebase's own numbers behind this result, stated so a reader can challenge them by name."""
    if not consultation.assumptions:
        return []
    lines = ["", "## Assumptions", "", "Thresholds no source gives, which the rules applied to your answers:", ""]
    lines += [f"- **{a.title}** (`{a.id}`): {a.statement}" for a in consultation.assumptions]
    return lines


def _sources(consultation: "Consultation") -> list[str]:
    """Each source cited above: its label, what it says (for the essay's paragraphs), and its link."""
    if not consultation.sources:
        return []
    lines = ["", "## Sources", ""]
    for source in consultation.sources:
        text = f"- **{source.label}**"
        if source.summary:
            text += f": {source.summary}"
        if source.link:
            text += f" <{source.link}>"
        lines.append(text)
    return lines


def _answers(consultation: "Consultation") -> list[str]:
    """Answers by question text; "not sure" and "not asked" kept apart."""
    shown = consultation.answers_shown
    lines = ["", "## Answers", ""]
    given = [a for a in shown if a.status == "answered"]
    if given:
        lines += ["| question | answer |", "|---|---|"]
        lines += [f"| {_cell(a.text)} | {_cell(a.answer)} |" for a in given]
    else:
        lines.append("No question was answered with a value.")
    unsure = [a.text for a in shown if a.status == "not_sure"]
    unasked = [a.text for a in shown if a.status == "not_asked"]
    if unsure:
        lines += ["", "**Not sure** (each lowers the confidence):", "", *(f"- {t}" for t in unsure)]
    if unasked:
        lines += ["", "**Not asked** (left out, or no answer to them could change the recommendation):", "", *(f"- {t}" for t in unasked)]
    return lines


class _Derivations:
    """Writes HOW trees, each rule's derivation in full only the first time it appears."""

    def __init__(self, words: dict[str, str], cited: Callable[[tuple[str, ...]], str]) -> None:
        self.words = words
        self.cited = cited
        self.shown: set[str] = set()

    def lines(self, node: Reason, depth: int) -> list[str]:
        pad = "  " * depth
        if node.kind == "rule":
            cite = f" [{self.cited(node.cite)}]" if node.cite else ""
            if node.id in self.shown:
                return [f"{pad}- **{node.title}** ({node.effect}) — derived above"]
            self.shown.add(node.id)
            text = f"{pad}- **{node.title}** ({node.effect}): {node.because}{cite}"
        elif node.kind == "conclusion":
            text = f"{pad}- {'✓' if node.value else '✗'} {node.title}"
        elif node.kind == "answer":
            text = f"{pad}- {node.title} → **{self.words.get(node.id) or _value(node.value)}**"
        else:
            text = f"{pad}- {node.title} → **{_value(node.value)}**"
        result = [text]
        for child in node.children:
            result += self.lines(child, depth + 1)
        return result


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def answer_words(question: Question, value: object) -> str:
    """An answer in the words of its question: the choice's label, a number with its unit, yes/no, not sure."""
    if isinstance(question, ChoiceQuestion):
        label = next((c.label for c in question.choices if c.id == value), None)
        if label is not None:
            return label
    words = _value(value)
    if isinstance(question, NumberQuestion) and isinstance(value, (int, float)) and not isinstance(value, bool) and question.unit:
        return f"{words} {question.unit}"
    return words


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
