"""Text that brings itself into view when it changes, also once laid out at its new height."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.widgets import Static


class InView(Static):
    """`show` updates the text and scrolls it into view; a new height scrolls again once laid out
    (scrolling at once would use the old height and leave the new lines cut off)."""

    said = False
    """Whether it says something (an empty line is never scrolled to)."""

    def show(self, text: Text | str) -> None:
        self.update(text)
        self.said = bool(str(text))
        if self.said:
            self.scroll_visible(animate=False)

    def following(self) -> bool:
        """Whether a change of size should bring it into view (while it says something)."""
        return self.said

    def on_resize(self, event: events.Resize) -> None:
        if self.following():
            self.scroll_visible(animate=False)
