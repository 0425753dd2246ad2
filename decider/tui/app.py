"""The interview app: owns the interview state, autosaves it, and switches between question and result screens."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from pathlib import Path

from textual import on
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from decider.reasoning import planner
from decider.reasoning.consultation import Consultation, consult
from decider.reasoning.files import Exported, export
from decider.reasoning.interview import Interview
from decider.rulebase.model import Rulebase
from decider.tui.messages import Answered, BackRequested, JumpRequested
from decider.tui.screens.question import QuestionScreen


class DeciderApp(App[int]):
    """`decider interview` in the terminal."""

    CSS_PATH = "app.tcss"
    TITLE = "decider"
    SUB_TITLE = "fine-tune, or prompt, evaluate and retrieve?"
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True)]

    def __init__(self, rulebase: Rulebase, interview: Interview | None = None, *, save_path: Path | None = None,
                 report_path: Path | None = None, trace_path: Path | None = None,
                 saved: Interview | None = None) -> None:
        super().__init__()
        self.saved = saved
        """A saved interview to offer resuming (when not resumed on the command line)."""
        self.rulebase = rulebase
        self.interview = interview or Interview()
        self.save_path = save_path
        self.report_path = report_path
        self.trace_path = trace_path
        self.exported: Exported | None = None

    def on_mount(self) -> None:
        self.push_screen(self.current_screen())
        if self.saved is not None and self.saved.answers:
            from decider.tui.screens.resume import ResumeScreen

            self.push_screen(ResumeScreen(len(self.saved.answers)), callback=self.resume_chosen)

    def resume_chosen(self, resume: bool | None) -> None:
        if resume and self.saved is not None:
            self.interview = self.saved
            self.show_current()

    def current_screen(self) -> Screen[None]:
        """A fresh screen for where the interview stands (fresh, so it never shows stale state)."""
        question = self.interview.current(self.rulebase)
        if question is None:
            from decider.tui.screens.results import ResultsScreen  # imported when needed: faster start

            answers = self.interview.given()
            return ResultsScreen(self.rulebase, consult(self.rulebase, answers), planner.what_if(self.rulebase, answers),
                                 asked=len(answers.root))
        return QuestionScreen(self.rulebase, question, partial(self.interview.progress, self.rulebase),
                              self.interview.planning_answers(), self.interview.answers.get(question.id))

    def show_current(self) -> None:
        screen = self.current_screen()
        self.switch_screen(screen)
        if not isinstance(screen, QuestionScreen) and (self.report_path or self.trace_path):
            self.call_after_refresh(self.action_export)  # --report / --trace: written whenever a result is shown

    def autosave(self) -> None:
        if self.save_path is not None:
            self.interview.save(self.rulebase, self.save_path)

    @on(Answered)
    def answered(self, message: Answered) -> None:
        self.interview = self.interview.answer(self.rulebase, message.question_id, message.value)
        self.autosave()
        self.show_current()

    @on(BackRequested)
    def back(self) -> None:
        self.interview = self.interview.back()
        self.show_current()

    @on(JumpRequested)
    def jump(self, message: JumpRequested) -> None:
        self.interview = self.interview.jump(message.question_id)
        self.show_current()

    def action_export(self) -> None:
        """Write the Markdown report and the JSON trace, and say where (in a browser: download them)."""
        result = consult(self.rulebase, self.interview.given())
        if self.is_web:
            self.deliver_export(result)
            return
        self.exported = export(result, self.report_path, self.trace_path)
        chart = f"\nChart: {self.exported.chart}" if self.exported.chart else ""
        self.notify(f"Report: {self.exported.report}{chart}\nTrace: {self.exported.trace}", title="Exported")
        from decider.tui.screens.results import ResultsScreen

        if isinstance(self.screen, ResultsScreen):
            self.screen.show_exported(str(self.exported.report), str(self.exported.trace))

    def deliver_export(self, result: Consultation) -> None:
        """Served in a browser: the report, its chart and the trace as one zip the browser downloads."""
        import io

        from decider.reasoning.files import export_bundle

        self.deliver_binary(io.BytesIO(export_bundle(result)), save_filename="decider-export.zip",
                            mime_type="application/zip")
        self.notify("decider-export.zip (report, chart and trace) is downloading through your browser.",
                    title="Exported")

    def action_quit(self) -> None:  # type: ignore[override]
        self.autosave()
        self.exit(0)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Export report", "Write the Markdown report and the JSON trace", self.action_export)
