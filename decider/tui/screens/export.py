"""Choose where the report goes (the trace goes beside it); an existing file is overwritten only when confirmed."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Label

from decider.reasoning.exports import trace_beside


class ExportScreen(ModalScreen[Path | None]):
    """Dismisses with the report path to write, or None when cancelled."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="export.cancel")]

    def __init__(self, suggested: Path, *, provisional: bool = False) -> None:
        super().__init__()
        self.suggested = suggested
        self.provisional = provisional
        """The interview is not finished (said before writing, as the report says at its top)."""
        self.confirmed: Path | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="export-box"):
            if self.provisional:
                yield Label("The interview is not finished: the report will say it is provisional.", id="export-provisional")
            yield Label("Save the Markdown report as (the JSON trace goes beside it as NAME.trace.json):")
            yield Input(str(self.suggested), id="export-path")
            yield Label("Enter saves · Esc cancels", id="export-note")
        yield Footer()

    @on(Input.Submitted, "#export-path")
    def chosen(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        note = self.query_one("#export-note", Label)
        if not text:
            note.update("Type a file name.")
            return
        path = Path(text).expanduser()
        if path.is_dir():
            note.update(Text(f"{path} is a folder: add a file name, e.g. {path / 'decider-report.md'}"))
            return
        existing = [p for p in (path, trace_beside(path)) if p.exists()]
        if existing and self.confirmed != path:
            self.confirmed = path
            names = " and ".join(str(p) for p in existing)
            note.update(Text(f"{names} already exist{'s' if len(existing) == 1 else ''}. "
                             "Enter again to overwrite, or change the name."))
            return
        self.dismiss(path)

    def action_cancel(self) -> None:
        self.dismiss(None)
