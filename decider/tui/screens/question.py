"""One question at a time, with the widget that fits its kind, help, progress and the live leaning."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Label, ProgressBar, RadioSet, Static
from textual.worker import get_current_worker

from decider.interview import planner
from decider.interview.planner import Progress
from decider.rulebase.answers import AnswerValue, Answers, check_answer
from decider.rulebase.model import UNKNOWN, BooleanQuestion, ChoiceQuestion, NumberQuestion, Question, Rulebase, ScaleQuestion
from decider.tui.messages import Answered, BackRequested, ClearLaterRequested
from decider.tui.widgets.in_view import InView
from decider.tui.widgets.leaning import Leaning, leaning_text
from decider.tui.widgets.number_input import NumberInput
from decider.tui.widgets.option_button import OptionButton, OptionSet

NOT_SURE = "Not sure"


def option_values(question: Question) -> list[tuple[str, AnswerValue]]:
    """(label, value) of every option of a yes/no or choice question, "not sure" last."""
    if isinstance(question, BooleanQuestion):
        options: list[tuple[str, AnswerValue]] = [("Yes", True), ("No", False)]
    else:
        assert isinstance(question, ChoiceQuestion)
        options = [(c.label, c.id) for c in question.choices]
    return [*options, (NOT_SURE, UNKNOWN)]


def number_examples(unit: str) -> str:
    """Ways of typing a number that the reader accepts for this unit (no k/M on a unit already in thousands or millions)."""
    examples = ["1,500", "1 500"]
    if not unit.lower().startswith(("thousand", "million", "billion", "k ")):
        examples.append("60k")
    if any(word in unit.upper() for word in ("USD", "$")):
        examples.append("$2.50")
    return " · ".join([*examples, "1e3"])


class QuestionScreen(Screen[None]):
    """Asks one question; posts Answered or BackRequested to the app."""

    AUTO_FOCUS = ""  # focused in on_mount without scrolling: Textual's auto focus scrolled the help's start away
    BINDINGS = [
        Binding("ctrl+n", "next", "Next", id="question.next"),
        Binding("escape", "back", "Back", id="question.back"),
        Binding("f1", "why", "Why? · keys", id="question.why"),
        Binding("question_mark", "why", "Why?", show=False, id="question.why_key"),
        Binding("f2", "not_sure", "Not sure", id="question.not_sure"),
        Binding("ctrl+d", "clear_later", "Clear later answers", show=False, id="question.clear_later"),
        Binding("q", "app.quit", "Quit (saved)", show=False, id="question.quit"),
        *(Binding(str(n), f"choose({n})", show=False) for n in range(10)),
    ]

    def __init__(self, rulebase: Rulebase, question: Question, progress: Callable[[], Progress], answers: Answers,
                 previous: AnswerValue | None, *, first: bool = False, later: int = 0) -> None:
        super().__init__()
        self.rulebase = rulebase
        self.question = question
        self.count_progress = progress
        """Counts what may still matter; run in a worker thread (it can take a while on a big rulebase)."""
        self.progress_info: Progress | None = None
        self.answers = answers
        self.previous = previous
        self.first = first
        """This is the first question asked (Esc has nowhere to go)."""
        self.later = later
        """Answers given after this one, kept while it is being changed."""
        self.submitted = False

    def compose(self) -> ComposeResult:
        question = self.question
        done = len(self.answers.root)
        yield Header()
        with Horizontal(id="progress-row"):
            yield Label(f"Answered {done} · counting what may still matter…", id="progress-text")
            yield ProgressBar(total=None, show_eta=False, show_percentage=False, id="progress")
        with Horizontal(id="body"):
            with Vertical(id="question-column"):
                # the question stays in view; its help and answers scroll beneath it on a small terminal
                yield Static(Text(question.text), id="question-text")
                with VerticalScroll(id="question-pane", can_focus=False):
                    yield from self._answer_area(question)
            with VerticalScroll(id="leaning-pane", can_focus=False) as pane:  # scrolls when the leaning is longer
                pane.border_title = "Leaning"
                yield Leaning(id="leaning")
        yield Footer()

    def _answer_area(self, question: Question) -> ComposeResult:
        """The help, the note about later answers, the answer widget and the error line."""
        if question.help:
            yield Static(Text(question.help.strip()), id="question-help")
        if self.later:
            yield Static(Text(
                f"Changing an earlier answer: {self.later} later answer{'s are' if self.later != 1 else ' is'} "
                "kept and still counted. Ctrl+D clears them."), id="editing")
        if isinstance(question, (BooleanQuestion, ChoiceQuestion)):
            with OptionSet(id="answer"):
                for index, (label, value) in enumerate(option_values(question)):
                    key = 0 if value == UNKNOWN else index + 1
                    yield OptionButton(Text(f"{key}  {label}"), value=self.previous == value)
        else:
            yield from self._number_input(question)
        yield InView("", id="error")

    def _number_input(self, question: Question) -> ComposeResult:
        assert isinstance(question, (NumberQuestion, ScaleQuestion))
        unit = f" {question.unit}" if isinstance(question, NumberQuestion) else ""
        scale = ""
        if isinstance(question, ScaleQuestion) and (question.low_label or question.high_label):
            scale = f"  ({question.min} = {question.low_label}, {question.max} = {question.high_label})"
        examples = "" if isinstance(question, ScaleQuestion) else f" {number_examples(question.unit)} are fine."
        yield Label(Text(f"A number from {question.min:,} to {question.max:,}{unit}{scale}.{examples} F2: not sure."),
                    id="range")
        value = "" if self.previous in (None, UNKNOWN) else str(self.previous)
        yield NumberInput(value=value, placeholder=f"{question.min}–{question.max}{unit}", id="answer")
        yield Static("", id="reading")

    def on_mount(self) -> None:
        self.query_one("#answer").focus(scroll_visible=False)  # the help stays readable from its first word
        self._count()

    @work(thread=True, exclusive=True, group="progress")
    def _count(self) -> None:
        """Worker thread: count what may still matter and work out the leaning, then show both
        (typing never waits for the planner; a result for a screen that has gone is dropped)."""
        found = self.count_progress()
        possible = planner.possible_primaries(self.rulebase, self.answers)
        text = leaning_text(self.rulebase, self.answers, possible, revisiting=self.later > 0 or self.previous is not None)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self.show_progress, found, text)

    def show_progress(self, found: Progress, leaning: Text | None = None) -> None:
        """Show the honest progress once counted (ignored when the screen has gone meanwhile)."""
        if not self.is_attached:
            return
        try:  # attached, yet its widgets may already be gone: the screen is being taken down
            text, bar, leaning_widget = (self.query_one("#progress-text", Label), self.query_one("#progress", ProgressBar),
                                         self.query_one(Leaning))
        except NoMatches:
            return
        self.progress_info = found
        done, left = found.answered, found.remaining_at_most
        text.update(f"Answered {done} · at most {left} more may matter")
        bar.update(total=max(done + left, 1), progress=done)
        if leaning is not None:
            leaning_widget.update(leaning)

    # ----------------------------------------------------------------------------- answering

    def submit(self, value: AnswerValue) -> None:
        """Post the answer once (keys pressed while the next screen comes up are not answers to this one)."""
        if not self.submitted:
            self.submitted = True
            self.post_message(Answered(self.question.id, value))

    def say(self, text: str) -> None:
        self.query_one("#error", InView).show(Text(text))  # below the answers, which may fill a small terminal

    @on(RadioSet.Changed, "#answer")
    def chosen(self, event: RadioSet.Changed) -> None:
        options = option_values(self.question)
        self.submit(options[event.radio_set.pressed_index][1])

    @on(OptionButton.Kept)
    def kept(self, event: OptionButton.Kept) -> None:
        """The answer already given, chosen again: keep it and go on."""
        index = list(self.query(OptionButton)).index(event.button)
        self.submit(option_values(self.question)[index][1])

    @on(Input.Submitted, "#answer")
    def typed(self, event: Input.Submitted) -> None:
        self._submit_number(event.input)

    @on(Input.Changed, "#answer")
    def reading(self, event: Input.Changed) -> None:
        """Say how the number being typed is read (so 60k is never silently 60)."""
        text = event.value.strip()
        shown = ""
        if text:
            try:
                value = check_answer(self.question, text)
            except ValueError as exc:
                shown = f"not a valid answer yet: {exc}"
            else:
                unit = f" {self.question.unit}" if isinstance(self.question, NumberQuestion) else ""
                shown = f"reads as {value:,}{unit}" if isinstance(value, (int, float)) else ""
        self.query_one("#reading", Static).update(Text(shown))

    def _submit_number(self, field: Input) -> None:
        if not field.value.strip():
            self.say("Type a number, or press F2 for not sure.")
            return
        try:
            value = check_answer(self.question, field.value)  # the one number reader, as in files and CSV
        except ValueError as exc:
            self.say(str(exc))
        else:
            self.submit(value)

    def action_next(self) -> None:
        widget = self.query_one("#answer")
        if isinstance(widget, Input):
            self._submit_number(widget)
        elif isinstance(widget, RadioSet) and widget.pressed_index >= 0:
            self.submit(option_values(self.question)[widget.pressed_index][1])
        else:
            self.say("Choose an answer (digits or arrows and Enter).")

    def action_choose(self, number: int) -> None:
        widget = self.query_one("#answer")
        if not isinstance(widget, RadioSet):
            return
        options = option_values(self.question)
        index = len(options) - 1 if number == 0 else number - 1
        if 0 <= index < len(options) - 1 or number == 0:
            self.submit(options[index][1])
        else:
            self.say(f"There is no option {number}: choose 1–{len(options) - 1}, or 0 for not sure.")

    def action_not_sure(self) -> None:
        self.submit(UNKNOWN)

    def action_back(self) -> None:
        if self.first:
            self.say("This is the first question; there is nothing to go back to.")
            return
        self.post_message(BackRequested())

    def action_clear_later(self) -> None:
        if self.later:
            self.post_message(ClearLaterRequested(self.question.id))

    @on(NumberInput.WhyRequested)
    def why_from_number(self) -> None:
        self.action_why()

    def action_why(self) -> None:
        from decider.tui.screens.keys import keys_markdown
        from decider.tui.screens.why import WhyScreen

        self.app.push_screen(WhyScreen(self.rulebase, self.answers, self.question, keys_markdown(self)))
