"""The interview app: owns the interview state, autosaves it, and switches between question and result screens."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from pathlib import Path

from textual import on
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.theme import Theme

from decider.errors import DeciderError
from decider.reasoning.consultation import Consultation, consult
from decider.reasoning.exports import DEFAULT_REPORT, Exported, export, free_path, trace_beside
from decider.interview.session import Interview
from decider.rulebase.model import Rulebase
from decider.tui.messages import Answered, BackRequested, ClearLaterRequested, JumpRequested
from decider.tui.screens.question import QuestionScreen
from decider.tui.settings import load_settings, save_settings


class DeciderApp(App[int]):
    """`decider interview` in the terminal."""

    CSS_PATH = "app.tcss"
    TITLE = "decider"
    SUB_TITLE = "fine-tune, or prompt, evaluate and retrieve?"
    BINDINGS = [Binding("ctrl+q", "quit", "Quit (saved)", id="app.quit", priority=True)]

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
        theme = load_settings().get("theme")
        if isinstance(theme, str) and theme in self.available_themes:
            self.theme = theme

    def on_mount(self) -> None:
        self.theme_changed_signal.subscribe(self, self.theme_chosen)
        first = self.current_screen()
        self.push_screen(first)
        self.export_if_asked(first)  # preloaded answers may already finish the interview
        if self.saved is not None and self.saved.answers:
            from decider.tui.screens.resume import ResumeScreen

            finished = self.saved.editing is None and self.saved.finished(self.rulebase)
            self.push_screen(ResumeScreen(len(self.saved.answers), finished), callback=self.resume_chosen)

    def theme_chosen(self, theme: Theme) -> None:
        save_settings(theme=theme.name)  # kept for the next run

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
            return ResultsScreen(self.rulebase, answers, asked=len(answers.root))
        return QuestionScreen(self.rulebase, question, partial(self.interview.progress, self.rulebase),
                              self.interview.planning_answers(), self.interview.answers.get(question.id),
                              first=not self.interview.history or self.interview.history[0] == question.id,
                              later=len(self.interview.later_answers()))

    def show_current(self) -> None:
        screen = self.current_screen()
        self.switch_screen(screen)
        self.export_if_asked(screen)

    def export_if_asked(self, screen: Screen[None]) -> None:
        """--report / --trace: written whenever a result is shown."""
        if not isinstance(screen, QuestionScreen) and (self.report_path or self.trace_path):
            self.call_after_refresh(self.action_export)

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

    @on(ClearLaterRequested)
    def clear_later(self) -> None:
        dropped = len(self.interview.later_answers())
        self.interview = self.interview.clear_later()
        self.autosave()
        self.show_current()
        self.notify(f"Cleared {dropped} later answer{'s' if dropped != 1 else ''}.")

    # ----------------------------------------------------------------------------- exports and quitting

    def action_export(self) -> None:
        """Write the report and trace: in a browser, download them; else where --report/--trace say, else
        where the user chooses (asked)."""
        if self.is_web:
            self.deliver_export(self.current_result())
            return
        if self.report_path or self.trace_path:
            self.write_exports(self.report_path, self.trace_path)
            return
        from decider.tui.screens.export import ExportScreen

        def chosen(report: Path | None) -> None:
            if report is not None:
                self.write_exports(report, trace_beside(report))

        unfinished = self.interview.current(self.rulebase) is not None
        self.push_screen(ExportScreen(free_path(DEFAULT_REPORT).resolve(), provisional=unfinished), callback=chosen)

    def write_exports(self, report: Path | None, trace: Path | None) -> None:
        """Write the exports and say where; a report of an unfinished interview says so at its top."""
        result = self.current_result()
        status = None
        if self.interview.current(self.rulebase) is not None:
            left = self.interview.progress(self.rulebase).remaining_at_most
            status = (f"Provisional: the interview is not finished ({len(self.interview.answers)} answered; "
                      f"up to {left} more question{'s' if left != 1 else ''} may still change this recommendation).")
        try:
            self.exported = export(result, report, trace, status=status)
        except DeciderError as exc:
            self.notify(str(exc), title="Not exported", severity="error")
            return
        lines = [f"{name} written to {path}" for name, path in
                 (("Report", self.exported.report), ("Chart", self.exported.chart), ("Trace", self.exported.trace))
                 if path is not None]
        self.notify("\n".join(lines), title="Exported (provisional)" if status else "Exported")
        from decider.tui.screens.results import ResultsScreen

        if isinstance(self.screen, ResultsScreen):
            self.screen.show_exported(lines)

    def current_result(self) -> Consultation:
        """The consultation of the answers so far: the one the results screen already worked out, if shown."""
        from decider.tui.screens.results import ResultsScreen

        if isinstance(self.screen, ResultsScreen) and self.screen.result is not None:
            return self.screen.result
        return consult(self.rulebase, self.interview.given())

    def deliver_export(self, result: Consultation) -> None:
        """Served in a browser: the report, its chart and the trace as one zip the browser downloads."""
        import io

        from decider.reasoning.exports import export_bundle

        self.deliver_binary(io.BytesIO(export_bundle(result)), save_filename="decider-export.zip",
                            mime_type="application/zip")
        self.notify("decider-export.zip (report, chart and trace) is downloading through your browser.",
                    title="Exported")

    def action_quit(self) -> None:  # type: ignore[override]
        self.autosave()
        self.exit(0, message=self.farewell())

    def farewell(self) -> str | None:
        """What the terminal shows after quitting: where the interview was saved and how to go on."""
        if self.save_path is None or not self.interview.answers:
            return None
        if self.interview.current(self.rulebase) is None:
            return f"Finished interview saved to {self.save_path} (see its results again: decider interview --resume)"
        return f"Saved to {self.save_path} (continue with: decider interview --resume)"

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Export report", "Write the Markdown report and the JSON trace", self.action_export)
