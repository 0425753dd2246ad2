"""Offer to continue a saved interview: y resumes it (or shows a finished one's results), n starts afresh."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Label


class ResumeScreen(ModalScreen[bool]):
    """Asks whether to resume; dismisses with True (resume) or False (start afresh)."""

    BINDINGS = [
        Binding("y", "choose(True)", "Resume", id="resume.yes"),
        Binding("n", "choose(False)", "Start afresh", id="resume.no"),
        Binding("escape", "choose(False)", "Start afresh", show=False),
    ]

    def __init__(self, answered: int, finished: bool = False) -> None:
        super().__init__()
        self.answered = answered
        self.finished = finished

    def compose(self) -> ComposeResult:
        count = f"{self.answered} answer{'s' if self.answered != 1 else ''}"
        with Vertical(id="resume-box"):
            if self.finished:
                yield Label(f"A finished interview ({count}) was found.")
                yield Label("Show its results? (y = show the results, n = start afresh)")
            else:
                yield Label(f"An unfinished interview with {count} was found.")
                yield Label("Resume it? (y = resume, n = start afresh)")
        yield Footer()

    def action_choose(self, resume: bool) -> None:
        self.dismiss(resume)
