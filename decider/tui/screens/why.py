"""WHY is this question asked: the planner's answer as a modal."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Markdown

from decider.reasoning import planner
from decider.rulebase.answers import Answers
from decider.rulebase.model import Question, Rulebase


def why_markdown(rulebase: Rulebase, answers: Answers, question: Question) -> str:
    """The WHY answer as Markdown: rules using the question, open conclusions, each answer's effect."""
    answer = planner.why(rulebase, answers, question.id)
    lines = ["## Why this is asked", "", f"*{question.text}*", ""]
    if not answer.relevant:
        lines += ["No answer to this question can change the recommendation any more.", ""]
    lines += ["### Rules that use it", ""]
    for use in answer.rules:
        lines.append(f"- **{use.title}** ({use.status}): {use.because} [{', '.join(use.cite)}]")
    if not answer.rules:
        lines.append("- none directly")
    if answer.open_conclusions:
        lines += ["", "### Still open", ""]
        lines += [f"- {c.title}" for c in answer.open_conclusions]
    lines += ["", "### What each answer would lead to", "", "| answer | recommendation now | still possible |", "|---|---|---|"]
    for outcome in answer.outcomes:
        possible = ", ".join(rulebase.approach_index[a].title for a in outcome.still_possible)
        lines.append(f"| {outcome.label} | {outcome.leads_to_title} | {possible} |")
    return "\n".join(lines)


class WhyScreen(ModalScreen[None]):
    """Explains the question on screen; Escape (or F1) goes back to it."""

    BINDINGS = [
        Binding("escape", "close", "Back to the question", id="why.close"),
        Binding("f1", "close", "Close", show=False),
    ]

    def __init__(self, rulebase: Rulebase, answers: Answers, question: Question) -> None:
        super().__init__()
        self.text = why_markdown(rulebase, answers, question)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="why-box"):
            yield Markdown(self.text, id="why")
        yield Footer()

    def action_close(self) -> None:
        self.dismiss(None)
