"""The key help: built from the bindings active on the screen it was opened from, so it never drifts."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Markdown

DIGITS = "choose"


def keys_markdown(screen: Screen[Any]) -> str:
    """A Markdown table of the keys active on `screen` (with the app's), digits folded into one row."""
    rows: dict[str, list[str]] = {}
    digits = False
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if binding.action.startswith(f"{DIGITS}("):
            digits = True
            continue
        if not binding.description or binding.system:
            continue
        rows.setdefault(binding.description, []).append(screen.app.get_key_display(binding) or key)
    lines = ["| key | does |", "|---|---|"]
    if digits:
        lines.append("| 1–9, 0 | choose that option (0 = not sure) |")
    lines += [f"| {' or '.join(dict.fromkeys(keys))} | {description} |" for description, keys in rows.items()]
    lines.append("| Ctrl+P | command palette: export, theme, keys |")
    return "\n".join(lines)


class KeysScreen(ModalScreen[None]):
    """Lists the keys of the screen beneath; Escape closes it."""

    BINDINGS = [Binding("escape,f1,question_mark", "close", "Close", id="keys.close")]

    def __init__(self, beneath: Screen[Any]) -> None:
        super().__init__()
        self.text = "## Keys\n\n" + keys_markdown(beneath)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="keys-box"):
            yield Markdown(self.text, id="keys")
        yield Footer()

    def action_close(self) -> None:
        self.dismiss(None)
