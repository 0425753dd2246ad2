"""The highlighted reason of the HOW tree in full (the tree shows one line of each, cut at the screen's edge)."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.widgets import Static


class ReasonDetail(Static):
    """Shows one reason wrapped, and stays in view while the tree is being read (also when it grows)."""

    def show(self, reason: Text | str) -> None:
        self.update(reason)
        self.scroll_visible(animate=False)  # the same height: in view now; a new height: again once resized

    def on_resize(self, event: events.Resize) -> None:
        focused = self.screen.focused
        if focused is not None and focused.id == "how":
            self.scroll_visible(animate=False)
