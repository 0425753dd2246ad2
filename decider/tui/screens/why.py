"""WHY is this question asked: the planner's answer (worked out in a worker) as a modal, with the keys."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Markdown
from textual.worker import get_current_worker

from decider.interview import planner
from decider.rulebase.answers import Answers
from decider.rulebase.citations import inline
from decider.rulebase.model import Question, Rulebase


def why_markdown(rulebase: Rulebase, answers: Answers, question: Question) -> str:
    """The WHY answer as Markdown: rules using the question, open conclusions, each answer's effect."""
    answer = planner.why(rulebase, answers, question.id)
    lines = ["## Why this is asked", "", f"*{_plain(question.text)}*", ""]
    if not answer.relevant:
        lines += ["No answer to this question can change the recommendation any more.", ""]
    lines += ["### Rules that use it", ""]
    for use in answer.rules:
        lines.append(f"- **{_plain(use.title)}** ({use.status}): {_plain(use.because)} \\[{_plain(inline(rulebase, use.cite))}\\]")
    if not answer.rules:
        lines.append("- none directly")
    if answer.open_conclusions:
        lines += ["", "### Still open", ""]
        lines += [f"- {_plain(c.title)}" for c in answer.open_conclusions]
    lines += ["", "### What each answer would lead to", "", "| answer | recommendation now | still possible |", "|---|---|---|"]
    for outcome in answer.outcomes:
        possible = ", ".join(rulebase.approach_index[a].title for a in outcome.still_possible)
        lines.append(f"| {_cell(outcome.label)} | {_cell(outcome.leads_to_title)} | {_cell(possible)} |")
    return "\n".join(lines)


def _plain(text: str) -> str:
    """Rulebase text shown literally in Markdown (brackets, stars and underscores are not markup)."""
    for char in "\\[]*_`":
        text = text.replace(char, f"\\{char}")
    return text


def _cell(text: str) -> str:
    return _plain(text).replace("|", "\\|")


class WhyScreen(ModalScreen[None]):
    """Explains the question on screen; Escape (or F1) goes back to it."""

    BINDINGS = [
        Binding("escape", "close", "Back to the question", id="why.close"),
        Binding("f1", "close", "Close", show=False),
    ]

    def __init__(self, rulebase: Rulebase, answers: Answers, question: Question, keys: str = "") -> None:
        super().__init__()
        self.rulebase = rulebase
        self.answers = answers
        self.question = question
        self.keys = keys
        self.text = ""

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="why-box"):
            yield Markdown("Working out why this is asked…", id="why")
        yield Footer()

    def on_mount(self) -> None:
        self._explain()

    @work(thread=True, exclusive=True, group="why")
    def _explain(self) -> None:
        text = why_markdown(self.rulebase, self.answers, self.question)
        if self.keys:
            text += "\n\n## Keys\n\n" + self.keys
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self.show, text)

    def show(self, text: str) -> None:
        if self.is_attached:
            self.text = text
            self.query_one("#why", Markdown).update(text)

    def action_close(self) -> None:
        self.dismiss(None)
