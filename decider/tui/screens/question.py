"""One question at a time, with the widget that fits its kind, help, progress and the live leaning."""

from __future__ import annotations

from collections.abc import Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.validation import Integer, Number
from textual.widgets import Footer, Header, Input, Label, ProgressBar, RadioButton, RadioSet, Static

from decider.reasoning.planner import Progress
from decider.rulebase.answers import AnswerValue, Answers
from decider.rulebase.model import UNKNOWN, BooleanQuestion, ChoiceQuestion, NumberQuestion, Question, Rulebase, ScaleQuestion
from decider.tui.messages import Answered, BackRequested
from decider.tui.widgets.leaning import Leaning
from decider.tui.widgets.number_input import NumberInput

NOT_SURE = "Not sure"


def option_values(question: Question) -> list[tuple[str, AnswerValue]]:
    """(label, value) of every option of a yes/no or choice question, "not sure" last."""
    if isinstance(question, BooleanQuestion):
        options: list[tuple[str, AnswerValue]] = [("Yes", True), ("No", False)]
    else:
        assert isinstance(question, ChoiceQuestion)
        options = [(c.label, c.id) for c in question.choices]
    return [*options, (NOT_SURE, UNKNOWN)]


class QuestionScreen(Screen[None]):
    """Asks one question; posts Answered or BackRequested to the app."""

    BINDINGS = [
        Binding("ctrl+n", "next", "Next", id="question.next"),
        Binding("escape", "back", "Back", id="question.back"),
        Binding("f1", "why", "Why?", id="question.why"),
        Binding("question_mark", "why", "Why?", show=False, id="question.why_key"),
        Binding("f2", "not_sure", "Not sure", id="question.not_sure"),
        *(Binding(str(n), f"choose({n})", show=False) for n in range(10)),
    ]

    def __init__(self, rulebase: Rulebase, question: Question, progress: Callable[[], Progress], answers: Answers,
                 previous: AnswerValue | None) -> None:
        super().__init__()
        self.rulebase = rulebase
        self.question = question
        self.count_progress = progress
        """Counts what may still matter; run in a worker thread (it can take a while on a big rulebase)."""
        self.progress_info: Progress | None = None
        self.answers = answers
        self.previous = previous
        self.submitted = False

    def compose(self) -> ComposeResult:
        question = self.question
        done = len(self.answers.root)
        yield Header()
        with Horizontal(id="progress-row"):
            yield Label(f"Answered {done} · counting what may still matter…", id="progress-text")
            yield ProgressBar(total=None, show_eta=False, show_percentage=False, id="progress")
        with Horizontal(id="body"):
            with Vertical(id="question-pane"):
                yield Static(question.text, id="question-text")
                if question.help:
                    yield Static(question.help.strip(), id="question-help")
                if isinstance(question, (BooleanQuestion, ChoiceQuestion)):
                    with RadioSet(id="answer"):
                        for index, (label, value) in enumerate(option_values(question)):
                            key = 0 if value == UNKNOWN else index + 1
                            yield RadioButton(f"{key}  {label}", value=self.previous == value)
                else:
                    yield from self._number_input(question)
                yield Label("", id="error")
            yield Leaning(self.rulebase, self.answers, id="leaning")
        yield Footer()

    def _number_input(self, question: Question) -> ComposeResult:
        assert isinstance(question, (NumberQuestion, ScaleQuestion))
        whole = isinstance(question, ScaleQuestion)
        unit = f" {question.unit}" if isinstance(question, NumberQuestion) else ""
        scale = ""
        if isinstance(question, ScaleQuestion) and (question.low_label or question.high_label):
            scale = f"  ({question.min} = {question.low_label}, {question.max} = {question.high_label})"
        yield Label(f"A number from {question.min:,} to {question.max:,}{unit}{scale}. F2: not sure.", id="range")
        validator = Integer(question.min, question.max) if whole else Number(question.min, question.max)
        value = "" if self.previous in (None, UNKNOWN) else str(self.previous)
        yield NumberInput(value=value, type="integer" if whole else "number", validators=[validator],
                    placeholder=f"{question.min}–{question.max}{unit}", id="answer")

    def on_mount(self) -> None:
        self.query_one("#answer").focus()
        self.run_worker(self._count, thread=True, exclusive=True, group="progress")

    def _count(self) -> None:
        """Worker thread: count what may still matter, then show it (typing never waits for the planner)."""
        found = self.count_progress()
        self.app.call_from_thread(self.show_progress, found)

    def show_progress(self, found: Progress) -> None:
        """Show the honest progress once counted (ignored when the screen has gone meanwhile)."""
        if not self.is_attached:
            return
        self.progress_info = found
        done, left = found.answered, found.remaining_at_most
        self.query_one("#progress-text", Label).update(f"Answered {done} · at most {left} more may matter")
        self.query_one("#progress", ProgressBar).update(total=max(done + left, 1), progress=done)

    # ----------------------------------------------------------------------------- answering

    def submit(self, value: AnswerValue) -> None:
        """Post the answer once (keys pressed while the next screen comes up are not answers to this one)."""
        if not self.submitted:
            self.submitted = True
            self.post_message(Answered(self.question.id, value))

    @on(RadioSet.Changed, "#answer")
    def chosen(self, event: RadioSet.Changed) -> None:
        options = option_values(self.question)
        self.submit(options[event.radio_set.pressed_index][1])

    @on(Input.Submitted, "#answer")
    def typed(self, event: Input.Submitted) -> None:
        self._submit_number(event.input)

    def _submit_number(self, field: Input) -> None:
        result = field.validate(field.value)
        if not field.value.strip():
            self.query_one("#error", Label).update("Type a number, or press F2 for not sure.")
        elif result is not None and not result.is_valid:
            self.query_one("#error", Label).update("; ".join(result.failure_descriptions))
        else:
            number = float(field.value)
            self.submit(int(number) if number.is_integer() else number)

    def action_next(self) -> None:
        widget = self.query_one("#answer")
        if isinstance(widget, Input):
            self._submit_number(widget)
        elif isinstance(widget, RadioSet) and widget.pressed_index >= 0:
            self.submit(option_values(self.question)[widget.pressed_index][1])
        else:
            self.query_one("#error", Label).update("Choose an answer (digits or arrows and Enter).")

    def action_choose(self, number: int) -> None:
        widget = self.query_one("#answer")
        if not isinstance(widget, RadioSet):
            return
        options = option_values(self.question)
        index = len(options) - 1 if number == 0 else number - 1
        if 0 <= index < len(options):
            self.submit(options[index][1])

    def action_not_sure(self) -> None:
        self.submit(UNKNOWN)

    def action_back(self) -> None:
        self.post_message(BackRequested())

    @on(NumberInput.WhyRequested)
    def why_from_number(self) -> None:
        self.action_why()

    def action_why(self) -> None:
        from decider.tui.screens.why import WhyScreen

        self.app.push_screen(WhyScreen(self.rulebase, self.answers, self.question))
